package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.fail;

import dev.netboot.link.HostNet;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Real TFTP servers on loopback for the interop tests: tftpd-hpa, atftpd and dnsmasq, each a child
 * process on an address and port the test picks, serving a folder. {@link Server#close()} stops it; a
 * shutdown hook does if the JVM goes first. A missing binary fails the test with what to install,
 * never skips: {@code .ci/run} installs them all.
 */
final class TftpServers {
    /** Where {@code .ci/run} unpacks tftpd-hpa's own binary: with atftpd installed, /usr/sbin/in.tftpd is atftpd's. */
    static final Path TFTPD_HPA_UNPACKED = Path.of("/usr/local/lib/netboot/tftpd-hpa/usr/sbin/in.tftpd");

    private TftpServers() {
    }

    /** A running server: {@code address()} is what {@code netboot tftp get} takes. */
    record Server(String name, String address, Process process, Path log, Thread hook) implements AutoCloseable {
        /** Returns the server's log so far, for failure messages. */
        String logText() {
            try {
                return Files.exists(log) ? Files.readString(log) : "(no log)";
            } catch (IOException e) {
                return "(cannot read " + log + ": " + e + ")";
            }
        }

        @Override
        public void close() {
            stop(process);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is going down; the hook stops it
            }
        }
    }

    /** Returns tftpd-hpa's binary: $NETBOOT_TFTPD_HPA, the copy .ci/run unpacks, or /usr/sbin/in.tftpd if that is tftpd-hpa. */
    static String tftpdHpa() {
        String env = System.getenv("NETBOOT_TFTPD_HPA");
        if (env != null && !env.isEmpty()) {
            return env;
        }
        if (Files.isExecutable(TFTPD_HPA_UNPACKED)) {
            return TFTPD_HPA_UNPACKED.toString();
        }
        Path system = Path.of("/usr/sbin/in.tftpd");
        if (Files.isExecutable(system) && output(system.toString(), "-V").contains("tftp-hpa")) {
            return system.toString();
        }
        return fail(HostNet.missingTool("tftpd-hpa's in.tftpd", "it unpacks tftpd-hpa into " + TFTPD_HPA_UNPACKED.getParent().getParent()
                .getParent() + "; with atftpd installed, /usr/sbin/in.tftpd is atftpd's; or set NETBOOT_TFTPD_HPA to its in.tftpd"));
    }

    /** Starts tftpd-hpa on 127.0.0.1, serving {@code root}, uploads allowed ({@code -c}). */
    static Server tftpdHpa(Path root, Path logDir) {
        String bin = tftpdHpa();
        int port = freePort();
        return start("tftpd-hpa", "127.0.0.1", port, logDir, bin, "-L", "-v", "-u", "root", "-c", "-p", "-s", root.toString(),
                "-a", "127.0.0.1:" + port);
    }

    /** Starts atftpd on 127.0.0.1, serving {@code root} (it takes uploads into a writable root). */
    static Server atftpd(Path root, Path logDir) {
        HostNet.requireTool("atftpd", "atftpd");
        int port = freePort();
        return start("atftpd", "127.0.0.1", port, logDir, "atftpd", "--daemon", "--no-fork", "--port", Integer.toString(port),
                "--bind-address", "127.0.0.1", "--user", "root", "--group", "root", "--logfile", "-", "--verbose=7",
                root.toString());
    }

    /**
     * Starts dnsmasq's TFTP server (DNS and DHCP off) on a random 127.x.y.z: its TFTP port is always 69,
     * so each test takes its own loopback address instead of its own port.
     */
    static Server dnsmasq(Path root, Path logDir) {
        HostNet.requireTool("dnsmasq", "dnsmasq-base");
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String ip = "127." + r.nextInt(100, 250) + "." + r.nextInt(1, 250) + "." + r.nextInt(2, 250);
        return start("dnsmasq", ip, 69, logDir, "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0", "--user=root",
                "--group=root", "--no-resolv", "--no-hosts", "--log-facility=-", "--pid-file=", "--listen-address=" + ip,
                "--bind-interfaces", "--enable-tftp", "--tftp-root=" + root);
    }

    private static Server start(String name, String ip, int port, Path logDir, String... cmd) {
        Path log = logDir.resolve(name + ".log");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new AssertionError(String.join(" ", cmd) + ": cannot start: " + e.getMessage(), e);
        }
        Thread hook = new Thread(() -> stop(p), "tftp-server-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        Server s = new Server(name, port == 69 ? ip : ip + ":" + port, p, log, hook);
        awaitBound(s, ip, port, cmd);
        return s;
    }

    /** Waits, without sleeping, until /proc/net/udp shows a socket bound to {@code ip}:{@code port}. */
    private static void awaitBound(Server s, String ip, int port, String... cmd) {
        byte[] a;
        try {
            a = InetAddress.getByName(ip).getAddress();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        // /proc/net/udp prints the address as the host-order hex of the network-order int: 127.0.0.1 is 0100007F.
        String want = String.format(Locale.ROOT, "%02X%02X%02X%02X:%04X", a[3], a[2], a[1], a[0], port);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                if (Files.readString(Path.of("/proc/net/udp")).contains(" " + want + " ")) {
                    return;
                }
                if (!s.process().isAlive()) {
                    fail(s.name() + " ended at start (" + String.join(" ", cmd) + "): " + s.logText());
                }
                if (System.nanoTime() > deadline) {
                    stop(s.process());
                    fail(s.name() + " did not bind " + ip + ":" + port + " within 10 s: " + s.logText());
                }
                s.process().waitFor(10, TimeUnit.MILLISECONDS);
            } catch (IOException e) {
                throw new AssertionError(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Returns a UDP port on 127.0.0.1 that was free a moment ago. */
    static int freePort() {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String output(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Lists the names in {@code dir}, for "nothing left behind" checks. */
    static List<String> names(Path dir) throws IOException {
        List<String> l = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.forEach(p -> l.add(p.getFileName().toString()));
        }
        return l;
    }
}
