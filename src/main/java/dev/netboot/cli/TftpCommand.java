package dev.netboot.cli;

import dev.netboot.tftp.TftpClient;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.tftp.TftpFailure;
import dev.netboot.wire.TftpText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
 * the server grants. A download appears whole or not at all ({@link HostFiles.Download}). Every run that
 * gets past the parser ends with one line on stderr when it fails, and with {@code --json} one object on
 * stdout, whatever happened.
 */
@Command(name = "tftp", mixinStandardHelpOptions = true,
        description = {"Download or upload a file from a TFTP server, from this host (an ordinary UDP socket; no root).",
                "Exit status: 0 done, 1 the transfer failed (one line on stderr says why), 2 usage error."},
        subcommands = {TftpCommand.Get.class, TftpCommand.Put.class})
final class TftpCommand implements Runnable {
    /** Default window (RFC 7440): what bench/tftp-bench.sh showed to be enough on loopback and Ethernet. */
    static final int DEFAULT_WINDOW = 16;
    /** Default block size: the largest without IP fragmentation on Ethernet (1500 − 20 IP − 8 UDP − 4 TFTP). */
    static final int DEFAULT_BLKSIZE = 1468;
    /**
     * Retransmission timeouts stay between this floor (or {@code --timeout}, if less) and 8 × {@code --timeout};
     * RTT samples move them. Linux TCP's least RTO: a loopback round trip of 50 µs would otherwise make every
     * scheduling hiccup of a server a retransmission.
     */
    static final long MIN_TIMEOUT = 200_000_000L;
    /** Retransmissions the default give-up budget allows at the first timeout ({@link TftpConfig#giveUpFor}). */
    static final int DEFAULT_RETRIES = 6;
    /** The whole transfer may not take longer than this (the client's retries end a dead one far sooner). */
    static final long WALL_LIMIT = 24L * 3600 * 1_000_000_000L;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        // Made by NetbootCommand: a picocli exception class named here would be loaded from the jar on every
        // tftp get, since this class is on its path and the AOT cache cannot keep picocli's (issue 11).
        throw NetbootCommand.usageError(spec.commandLine(), NetbootCommand.missingCommand(spec));
    }

    /** The options both directions share. */
    static final class Settings {
        @Option(names = "--blksize", paramLabel = "N",
                description = {"Block size to ask for, 8..65464 (default: 1468, the largest without IP fragmentation on Ethernet).",
                        "More than the MTU of the interface towards HOST carries (65536 on loopback) is lowered to fit, with a note."})
        Integer blksize;

        @Option(names = "--windowsize", paramLabel = "N",
                description = "Blocks per acknowledgement to ask for (RFC 7440), 1.." + TftpConfig.MAX_WINDOW_SIZE
                        + " (half the 16-bit block numbers); 1 is stop-and-wait (default: " + DEFAULT_WINDOW + ").")
        Integer windowsize;

        @Option(names = "--timeout", paramLabel = "S",
                description = {"First retransmission timeout in seconds; round trips then adapt it, between 0.2 (or less, when S is)"
                        + " and 8 x S (default: 1).", "With --retries it sets how long to wait for the next packet before giving up."})
        Double timeout;

        // A Boolean, null when neither form was given: --no-options refuses an explicit --tsize as it does --blksize.
        @Option(names = "--tsize", negatable = true,
                description = "Ask for / announce the file size (RFC 2349) (default: on).")
        Boolean tsize;

        @Option(names = "--no-options", description = "Send a plain RFC 1350 request: 512-byte blocks, stop-and-wait, no tsize.")
        boolean noOptions;

        @Option(names = "--retries", paramLabel = "N",
                description = {"Give up when the next packet has not come for as long as N retransmissions take at --timeout,"
                        + " each wait doubling up to 8 x S: 1+2+4+8+8+8+8 = 39 s with the defaults (default: 6).",
                        "Shorter measured timeouts retransmit sooner, never give up sooner."})
        Integer retries;

        @Option(names = "--json", description = "Print one JSON object on stdout at the end.")
        boolean json;

        /** Returns the client settings, or throws a usage error naming the bad option. */
        TftpConfig config() {
            if (noOptions && (blksize != null || windowsize != null || Boolean.TRUE.equals(tsize))) {
                throw new UsageException("--no-options sends no " + (blksize != null ? "--blksize" : windowsize != null ? "--windowsize"
                        : "--tsize") + "; use one or the other");
            }
            if (blksize != null && (blksize < TftpConfig.MIN_BLOCK_SIZE || blksize > TftpConfig.MAX_BLOCK_SIZE)) {
                throw new UsageException("--blksize " + blksize + " (expected: 8..65464)");
            }
            if (windowsize != null && (windowsize < 1 || windowsize > TftpConfig.MAX_WINDOW_SIZE)) {
                throw new UsageException("--windowsize " + windowsize + " (expected: 1.." + TftpConfig.MAX_WINDOW_SIZE
                        + (windowsize > TftpConfig.MAX_WINDOW_SIZE ? "; " + TftpConfig.WINDOW_LIMIT_WHY : "") + ")");
            }
            if (timeout != null && !(timeout >= 0.001 && timeout <= 255)) {
                // As given in decimals (Double.toString said 1.0E-4 for 0.0001, 100000.0 for 100000).
                throw new UsageException("--timeout " + java.math.BigDecimal.valueOf(timeout).stripTrailingZeros().toPlainString()
                        + " (expected: 0.001..255 seconds)");
            }
            if (retries != null && (retries < 0 || retries > 100)) {
                throw new UsageException("--retries " + retries + " (expected: 0..100)");
            }
            long t = Math.round((timeout == null ? 1.0 : timeout) * 1e9);
            int w = noOptions ? 1 : windowsize == null ? DEFAULT_WINDOW : windowsize;
            int b = noOptions ? 512 : blksize == null ? DEFAULT_BLKSIZE : blksize;
            // Blocks ahead of a gap are kept in RAM up to a whole window (at most 4 MiB).
            long budget = Math.min(4L << 20, (long) w * b);
            // Giving up is a budget of time (TftpConfig.giveUpFor): what the retries take at the first timeout.
            return new TftpConfig(t, Math.min(MIN_TIMEOUT, t), t * 8, retries == null ? DEFAULT_RETRIES : retries, b, w, !noOptions,
                    !Boolean.FALSE.equals(tsize) && !noOptions, -1, 0, w > 1 ? budget : 0);
        }
    }

    /** A usage error found after parsing: exit 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * The longest REMOTE in bytes of UTF-8, as the request carries it: what DHCP's option 67 holds, and a request with
     * every option still fits the client's buffer (642 bytes) and a 512-byte packet, which some servers read requests into.
     */
    static final int MAX_REMOTE = 255;

    /** {@code netboot tftp get HOST[:PORT] REMOTE [LOCAL]}. */
    @Command(name = "get", mixinStandardHelpOptions = true,
            description = {"Download REMOTE from the TFTP server HOST into LOCAL (default: REMOTE's last name part, here).",
                    "The file is written as LOCAL.part-XXXXXXXX and renamed when complete: after a failure no LOCAL is left."})
    static final class Get implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "HOST[:PORT]", description = "Server: an IPv4 address or name; port 69 by default.")
        String host;

        @Parameters(index = "1", paramLabel = "REMOTE", description = "File name on the server.")
        String remote;

        @Parameters(index = "2", arity = "0..1", paramLabel = "LOCAL",
                description = "Where to write it; an existing folder, or a name ending in '/', keeps REMOTE's name.")
        String local;

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
        String local;

        @Parameters(index = "2", arity = "0..1", paramLabel = "REMOTE", description = "Name on the server.")
        String remote;

        @Mixin
        Settings settings = new Settings();

        @Override
        public Integer call() {
            return transfer(false, host, remote, local, settings);
        }
    }

    /**
     * Runs one {@code get} ({@code get} true) or {@code put}: checks the settings and the local file,
     * resolves the server, learns the path's MTU, transfers, and reports (one line on failure, one
     * JSON object with {@code --json}); returns the exit status.
     */
    static int transfer(boolean get, String hostSpec, String remote, String localArg, Settings s) {
        TftpReport report = new TftpReport(get, s.json, remote, localArg);
        TftpConfig config;
        Path local;
        TftpEndpoint server;
        try {
            config = s.config();
            if (remote != null && remote.isEmpty()) {
                throw new UsageException("REMOTE is empty"); // before LOCAL, which would name "REMOTE  " as giving no file name
            }
            if (get) {
                local = HostFiles.downloadTarget(localArg, remote);
            } else {
                local = HostFiles.uploadSource(localArg);
                remote = remote == null ? local.getFileName().toString() : remote;
            }
            if (remote.isEmpty()) {
                throw new UsageException("REMOTE is empty");
            }
            int bytes = TftpText.length(remote);
            if (bytes > MAX_REMOTE) {
                throw new UsageException("REMOTE of " + bytes + " bytes in UTF-8" + (bytes == remote.length() ? "" : " ("
                        + remote.codePointCount(0, remote.length()) + " characters)") + " is too long (expected: at most " + MAX_REMOTE + " bytes)");
            }
            report.names(remote, local);
            server = TftpEndpoint.parse(hostSpec);
        } catch (UsageException e) {
            return report.usage(e.getMessage());
        } catch (UnknownHostException e) {
            String why = e.getMessage() == null ? "unknown host" : e.getMessage();
            int colon = why.indexOf(": ");
            // The JDK says "name: Name or service not known": the name it looked up, without HOST[:PORT]'s port (the line
            // said "cannot resolve host nohost:6969", as if the port were part of the name).
            return report.failed("cannot resolve host " + (colon > 0 ? why.substring(0, colon) : hostSpec) + ": "
                    + (colon > 0 ? why.substring(colon + 2) : why));
        }
        report.server(server);
        int payload = HostUdpTransport.ETHERNET_UDP_PAYLOAD;
        HostRoute route = HostRoute.towards(server.ip());
        if (route != null) {
            payload = route.maxUdpPayload();
        }
        int fits = Math.min(TftpConfig.MAX_BLOCK_SIZE, payload - 4);
        if (s.blksize != null && s.blksize > fits) {
            // One note, not an error: the transfer goes on with the largest block the path carries whole.
            report.note("--blksize " + s.blksize + " does not fit the path to " + server.ip() + " without IP fragmentation ("
                    + (route == null ? "its MTU is unknown: assuming Ethernet's 1500" : route.interfaceName() + ", MTU " + route.mtu())
                    + "): asking for " + fits);
        }
        RandomGenerator random = new SplittableRandom();
        boolean terminal = Home.terminal();
        try (HostUdpTransport net = new HostUdpTransport(payload)) {
            TftpClient client = new TftpClient(net, config, random);
            if (get) {
                HostFiles.Download d;
                try {
                    d = new HostFiles.Download(local, random);
                } catch (IOException e) {
                    Path folder = local.toAbsolutePath().getParent();
                    // The folder was checked and is there: "no such file" then means a file system that makes none
                    // (the kernel answers ENOENT to a new file in /proc or /sys).
                    return report.usage("LOCAL " + local + ": cannot create a file in " + folder + ": "
                            + (e instanceof NoSuchFileException && Files.isDirectory(folder)
                            ? "its file system takes no new files (/proc and /sys do not)" : HostFiles.reason(e)));
                }
                try (d) {
                    TftpProgress progress = terminal ? new TftpProgress(System.err, d::received, d::expected) : null;
                    report.watchSignals();
                    client.startRead(System.nanoTime(), server.ip(), server.port(), remote, d);
                    String why = drive(client, net, progress, report.ticker(client, d::expected, progress));
                    if (why == null) {
                        try {
                            d.commit();
                        } catch (IOException e) {
                            why = "cannot save " + local + ": " + HostFiles.reason(e);
                        }
                    }
                    if (why != null) {
                        d.abort();
                    }
                    return report.finished(why, client, d.expected(), terminal);
                }
            }
            HostUpload u;
            try {
                u = new HostUpload(local);
            } catch (IOException e) {
                return report.usage("LOCAL " + local + ": cannot read: " + HostFiles.reason(e));
            }
            try (u) {
                TftpProgress progress = terminal ? new TftpProgress(System.err, () -> client.stats().blocks() * client.blockSize(),
                        u::size) : null;
                report.watchSignals();
                client.startWrite(System.nanoTime(), server.ip(), server.port(), remote, u);
                return report.finished(drive(client, net, progress, report.ticker(client, u::size, progress)), client, u.size(),
                        terminal);
            }
        } catch (IllegalStateException | UncheckedIOException e) {
            // No UDP socket or selector to be had (descriptors exhausted, sockets forbidden): one line, exit 1.
            return report.failed(e.getMessage());
        }
    }

    /** Runs the transfer to its end; returns null when it succeeded, else why it failed, as the CLI says it. */
    private static String drive(TftpClient client, HostUdpTransport net, TftpProgress progress, HostTftp.Ticker ticker) {
        boolean ended = HostTftp.run(client, net, WALL_LIMIT, ticker, 100_000_000L);
        if (progress != null) {
            progress.clear();
        }
        // instanceof, not a pattern switch: TftpClient.poll says why
        TftpClient.State s = client.state();
        if (s instanceof TftpClient.State.Done) {
            return null;
        }
        if (s instanceof TftpClient.State.Failed(TftpFailure f)) {
            return cause(f);
        }
        return ended ? "transfer stopped in state " + s : "still running after the wall-clock limit";
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
}
