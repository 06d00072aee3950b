package dev.netboot.cli;

import dev.netboot.tftp.TftpClient;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.tftp.TftpFailure;
import dev.netboot.wire.Ipv4Address;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.random.RandomGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code netboot tftp get|put}: the board's TFTP client on an ordinary UDP socket of this host (no root).
 * Without options it asks for the best settings (blksize 1468, windowsize 16, tsize) and follows what
 * the server grants. A download appears whole or not at all ({@link HostFiles.Download}).
 */
@Command(name = "tftp", mixinStandardHelpOptions = true,
        description = {"Download or upload a file from a TFTP server, from this host (an ordinary UDP socket; no root).",
                "Exit status: 0 done, 1 the transfer failed (one line on stderr says why), 2 usage error."},
        subcommands = {TftpCommand.Get.class, TftpCommand.Put.class})
final class TftpCommand implements Runnable {
    /** Default window (RFC 7440): what bench/tftp-bench.sh showed to be enough on loopback and Ethernet. */
    static final int DEFAULT_WINDOW = 16;
    /** Retransmission timeouts stay between this floor and 8 × {@code --timeout}; RTT samples move them. */
    static final long MIN_TIMEOUT = 20_000_000L;
    /** The whole transfer may not take longer than this (the client's retries end a dead one far sooner). */
    static final long WALL_LIMIT = 24L * 3600 * 1_000_000_000L;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command (try: netboot tftp get HOST FILE)");
    }

    /** The options both directions share. */
    static final class Settings {
        @Option(names = "--blksize", paramLabel = "N",
                description = "Block size to ask for, 8..65464 (default: 1468, the largest without IP fragmentation on Ethernet).")
        Integer blksize;

        @Option(names = "--windowsize", paramLabel = "N",
                description = "Blocks per acknowledgement to ask for (RFC 7440), 1..65535; 1 is stop-and-wait (default: " + DEFAULT_WINDOW + ").")
        Integer windowsize;

        @Option(names = "--timeout", paramLabel = "S",
                description = "Initial retransmission timeout in seconds; round trips then adapt it (default: 1).")
        Double timeout;

        @Option(names = "--tsize", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Ask for / announce the file size (RFC 2349) (default: on).")
        boolean tsize;

        @Option(names = "--no-options", description = "Send a plain RFC 1350 request: 512-byte blocks, stop-and-wait, no tsize.")
        boolean noOptions;

        @Option(names = "--retries", paramLabel = "N", description = "Retransmissions of one packet before giving up (default: 6).")
        Integer retries;

        @Option(names = "--json", description = "Print one JSON object on stdout at the end.")
        boolean json;

        /** Returns the client settings, or throws a usage error naming the bad option. */
        TftpConfig config() {
            if (noOptions && (blksize != null || windowsize != null)) {
                throw new UsageException("--no-options sends no " + (blksize != null ? "--blksize" : "--windowsize")
                        + "; use one or the other");
            }
            if (blksize != null && (blksize < TftpConfig.MIN_BLOCK_SIZE || blksize > TftpConfig.MAX_BLOCK_SIZE)) {
                throw new UsageException("--blksize " + blksize + " (expected: 8..65464)");
            }
            if (windowsize != null && (windowsize < 1 || windowsize > TftpConfig.MAX_WINDOW_SIZE)) {
                throw new UsageException("--windowsize " + windowsize + " (expected: 1..65535)");
            }
            if (timeout != null && !(timeout >= 0.001 && timeout <= 255)) {
                throw new UsageException("--timeout " + timeout + " (expected: 0.001..255 seconds)");
            }
            if (retries != null && (retries < 0 || retries > 100)) {
                throw new UsageException("--retries " + retries + " (expected: 0..100)");
            }
            long t = Math.round((timeout == null ? 1.0 : timeout) * 1e9);
            int w = noOptions ? 1 : windowsize == null ? DEFAULT_WINDOW : windowsize;
            int b = noOptions ? 512 : blksize == null ? TftpConfig.AUTO : blksize;
            // Blocks ahead of a gap are kept in RAM up to a whole window (at most 4 MiB).
            long budget = Math.min(4L << 20, (long) w * (b == TftpConfig.AUTO ? 1468 : b));
            return new TftpConfig(t, Math.min(MIN_TIMEOUT, t), t * 8, retries == null ? 6 : retries, b, w, !noOptions,
                    tsize && !noOptions, -1, 0, w > 1 ? budget : 0);
        }
    }

    /** A usage error found after parsing: exit 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** {@code netboot tftp get HOST[:PORT] REMOTE [LOCAL]}. */
    @Command(name = "get", mixinStandardHelpOptions = true,
            description = {"Download REMOTE from the TFTP server HOST into LOCAL (default: REMOTE's last name part, here).",
                    "The file is written as LOCAL.part-XXXXXXXX and renamed when complete: after a failure no LOCAL is left."})
    static final class Get implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "HOST[:PORT]", description = "Server: an IPv4 address or name; port 69 by default.")
        String host;

        @Parameters(index = "1", paramLabel = "REMOTE", description = "File name on the server.")
        String remote;

        @Parameters(index = "2", arity = "0..1", paramLabel = "LOCAL", description = "Where to write it; a folder keeps REMOTE's name.")
        Path local;

        @Mixin
        Settings settings = new Settings();

        @Override
        public Integer call() {
            return transfer(true, host, remote, local, settings);
        }
    }

    /** {@code netboot tftp put HOST[:PORT] LOCAL [REMOTE]}. */
    @Command(name = "put", mixinStandardHelpOptions = true,
            description = "Upload LOCAL to the TFTP server HOST as REMOTE (default: LOCAL's file name).")
    static final class Put implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "HOST[:PORT]", description = "Server: an IPv4 address or name; port 69 by default.")
        String host;

        @Parameters(index = "1", paramLabel = "LOCAL", description = "File to send.")
        Path local;

        @Parameters(index = "2", arity = "0..1", paramLabel = "REMOTE", description = "Name on the server.")
        String remote;

        @Mixin
        Settings settings = new Settings();

        @Override
        public Integer call() {
            return transfer(false, host, remote, local, settings);
        }
    }

    /** Server address and port. */
    record Endpoint(Ipv4Address ip, int port, String text) {
    }

    static Endpoint endpoint(String spec) throws UnknownHostException {
        String h = spec;
        int port = 69;
        int colon = spec.lastIndexOf(':');
        if (colon >= 0) {
            h = spec.substring(0, colon);
            String p = spec.substring(colon + 1);
            try {
                port = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new UsageException("HOST[:PORT] " + spec + ": port '" + p + "' (expected: 1..65535)");
            }
        }
        if (h.isEmpty()) {
            throw new UsageException("HOST[:PORT] " + spec + ": no host");
        }
        for (InetAddress a : InetAddress.getAllByName(h)) {
            if (a instanceof Inet4Address a4) {
                byte[] b = a4.getAddress();
                Ipv4Address ip = new Ipv4Address((b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | b[3] & 0xFF);
                return new Endpoint(ip, port, ip + ":" + port);
            }
        }
        throw new UnknownHostException(h + " has no IPv4 address");
    }

    private static String baseName(String name) {
        int i = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        return name.substring(i + 1);
    }

    static int transfer(boolean get, String hostSpec, String remote, Path local, Settings s) {
        PrintStream err = System.err;
        String verb = get ? "get" : "put";
        TftpConfig config;
        Endpoint server;
        try {
            config = s.config();
            if (get) {
                String base = baseName(remote);
                if (local == null || Files.isDirectory(local)) {
                    if (base.isEmpty() || base.equals(".") || base.equals("..")) {
                        throw new UsageException("REMOTE " + remote + " names no file; give LOCAL");
                    }
                    local = local == null ? Path.of(base) : local.resolve(base);
                }
            } else if (remote == null) {
                remote = local.getFileName().toString();
            }
            if (remote.isEmpty()) {
                throw new UsageException("REMOTE is empty");
            }
        } catch (UsageException e) {
            err.println("netboot: tftp " + verb + ": " + e.getMessage());
            err.println("Try 'netboot tftp " + verb + " --help'.");
            return Main.EXIT_USAGE;
        }
        try {
            server = endpoint(hostSpec);
        } catch (UsageException e) {
            err.println("netboot: tftp " + verb + ": " + e.getMessage());
            return Main.EXIT_USAGE;
        } catch (UnknownHostException e) {
            err.println("netboot: tftp " + verb + " " + hostSpec + ": cannot resolve host: " + e.getMessage());
            return Main.EXIT_FAILED;
        }
        String what = "netboot: tftp " + verb + " " + server.text() + " " + remote;
        RandomGenerator random = new SplittableRandom();
        boolean terminal = System.console() != null && System.console().isTerminal();
        long t0 = System.nanoTime();
        try (HostUdpTransport net = new HostUdpTransport()) {
            TftpClient client = new TftpClient(net, config, random);
            Result r;
            if (get) {
                HostFiles.Download d;
                try {
                    d = new HostFiles.Download(local, random);
                } catch (IOException e) {
                    err.println(what + ": cannot create a file beside " + local + ": " + e.getMessage());
                    return Main.EXIT_FAILED;
                }
                try (d) {
                    Progress progress = terminal ? new Progress(err, d::received, d::expected) : null;
                    client.startRead(System.nanoTime(), server.ip(), server.port(), remote, d);
                    r = drive(client, net, progress);
                    if (r.ok()) {
                        try {
                            d.commit();
                        } catch (IOException e) {
                            r = new Result(false, "cannot save " + local + ": " + e.getMessage(), -1);
                        }
                    }
                    if (!r.ok()) {
                        d.abort();
                    }
                    return report(what, r, client, d.expected(), t0, s.json, terminal, get, server, remote, local);
                }
            }
            HostFiles.Upload u;
            try {
                u = new HostFiles.Upload(local);
            } catch (NoSuchFileException e) {
                err.println(what + ": no such file: " + local);
                return Main.EXIT_FAILED;
            } catch (IOException e) {
                err.println(what + ": cannot read " + local + ": " + e.getMessage());
                return Main.EXIT_FAILED;
            }
            try (u) {
                Progress progress = terminal ? new Progress(err, () -> client.stats().blocks() * client.blockSize(), u::size) : null;
                client.startWrite(System.nanoTime(), server.ip(), server.port(), remote, u);
                r = drive(client, net, progress);
                return report(what, r, client, u.size(), t0, s.json, terminal, get, server, remote, local);
            }
        }
    }

    record Result(boolean ok, String why, int errorCode) {
    }

    private static Result drive(TftpClient client, HostUdpTransport net, Progress progress) {
        boolean ended = HostTftp.run(client, net, WALL_LIMIT, progress, 100_000_000L);
        if (progress != null) {
            progress.clear();
        }
        return switch (client.state()) {
            case TftpClient.State.Done _ -> new Result(true, null, -1);
            case TftpClient.State.Failed(TftpFailure f) -> new Result(false, cause(f), f.errorCode());
            default -> new Result(false, ended ? "transfer stopped in state " + client.state() : "still running after the wall-clock limit", -1);
        };
    }

    /** Returns the failure as the CLI says it: "server sent ERROR 1 (file not found): File not found". */
    static String cause(TftpFailure f) {
        String m = f.message();
        if (m.startsWith("TFTP: ")) {
            m = m.substring(6);
        }
        if (f.kind() == TftpFailure.Kind.SERVER_ERROR && m.startsWith("server ")) {
            int sent = m.indexOf(" sent ERROR ");
            if (sent > 0) {
                m = "server" + m.substring(sent); // the transfer ID's port says nothing to a user
            }
        }
        return m;
    }

    private static int report(String what, Result r, TftpClient client, long size, long t0, boolean json, boolean terminal,
                              boolean get, Endpoint server, String remote, Path local) {
        double seconds = (System.nanoTime() - t0) / 1e9;
        TftpClient.Stats st = client.stats();
        long bytes = client.state() instanceof TftpClient.State.Done d ? d.bytes() : -1;
        if (!r.ok()) {
            System.err.println(what + ": " + r.why());
        } else if (terminal) {
            System.err.printf(Locale.ROOT, "%s %d bytes in %.2f s (%.1f MiB/s), blksize %d, windowsize %d%n",
                    get ? "received" : "sent", bytes, seconds, bytes / seconds / (1 << 20), client.blockSize(), client.windowSize());
        }
        if (json) {
            Json j = Json.object().put("result", r.ok() ? "ok" : "failed").put("command", get ? "get" : "put")
                    .put("server", server.ip().toString()).put("port", server.port()).put("remote", remote)
                    .put("local", local.toString());
            if (r.ok()) {
                j.put("bytes", bytes);
            } else {
                j.putNull("bytes").put("error", r.why());
            }
            if (r.errorCode() >= 0) {
                j.put("errorCode", r.errorCode());
            } else {
                j.putNull("errorCode");
            }
            if (size >= 0) {
                j.put("tsize", size);
            } else {
                j.putNull("tsize");
            }
            j.put("blksize", client.blockSize()).put("windowsize", client.windowSize()).put("seconds", seconds)
                    .put("retransmissions", st.retransmissions()).put("duplicates", st.duplicates())
                    .put("strayPackets", st.strayPackets());
            System.out.println(j);
        }
        return r.ok() ? 0 : Main.EXIT_FAILED;
    }

    /** A one-line progress bar on a terminal, redrawn on each tick. */
    static final class Progress implements HostTftp.Ticker {
        private final PrintStream err;
        private final java.util.function.LongSupplier done;
        private final java.util.function.LongSupplier total;
        private final long start = System.nanoTime();
        private boolean drawn;

        Progress(PrintStream err, java.util.function.LongSupplier done, java.util.function.LongSupplier total) {
            this.err = err;
            this.done = done;
            this.total = total;
        }

        @Override
        public void tick(long now) {
            long d = done.getAsLong();
            long t = total.getAsLong();
            double rate = d / Math.max(1e-9, (now - start) / 1e9) / (1 << 20);
            String line;
            if (t > 0) {
                int width = 30;
                int fill = (int) Math.min(width, d * width / t);
                line = String.format(Locale.ROOT, "\r%3d%% [%s%s] %.1f/%.1f MiB %.1f MiB/s ", d * 100 / t, "#".repeat(fill),
                        ".".repeat(width - fill), d / 1048576.0, t / 1048576.0, rate);
            } else {
                line = String.format(Locale.ROOT, "\r%.1f MiB %.1f MiB/s ", d / 1048576.0, rate);
            }
            err.print(line);
            err.flush();
            drawn = true;
        }

        void clear() {
            if (drawn) {
                err.print("\r\033[K");
                err.flush();
            }
        }
    }
}
