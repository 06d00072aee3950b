package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netboot.link.HostNet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A block size larger than the path carries is lowered to the largest that fits, and said once on
 * stderr: for the board (the link's MTU, 1500 on the emulator: 1500 − 20 IP − 8 UDP − 4 TFTP = 1468)
 * and for {@code tftp get} towards a server behind an interface of MTU 1400 (1368), in network
 * namespaces made for the test (198.51.100.0/24 inside them only). On loopback the largest block is
 * honoured (the interop contract's {@code largestBlocksOnLoopback}).
 */
class BlockSizeLimitTest {
    @TempDir
    Path dir;

    @Test
    void theBoardSaysOnceThatTheLinkMtuLowersTheBlockSize() throws IOException {
        BootCliTest.Run r = BootCliTest.run("boot", "--blksize", "4000", "--json", "--flash-timing", "none");
        assertEquals(0, r.exit(), r.err());
        assertEquals("netboot: --blksize 4000 does not fit the link's MTU of 1500 without IP fragmentation: asking for 1468\n", r.err());
        assertEquals(1468, r.json().get("blockSize").asInt());

        BootCliTest.Run fits = BootCliTest.run("boot", "--blksize", "1468", "--json", "--flash-timing", "none");
        assertEquals("", fits.err(), "no note when it fits");
        assertEquals(1468, fits.json().get("blockSize").asInt());
    }

    /** Runs {@code netboot tftp ARGS} as a child JVM in namespace {@code ns}; returns exit, stdout, stderr. */
    BootCliTest.Run tftpIn(String ns, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "tftp"));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("tftp.out");
        Path err = dir.resolve("tftp.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tftp did not end within 60 s");
        }
        return new BootCliTest.Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void tftpGetLowersTheBlockSizeToThePathsMtuAndSaysSo() throws Exception {
        try (HostNet net = new HostNet()) {
            String srv = net.netns("srv");
            String cli = net.netns("cli");
            String c0 = net.name("c0");
            String s0 = net.name("s0");
            net.veth(c0, null, cli, s0, null, srv);
            net.exec(cli, "ip", "link", "set", c0, "mtu", "1400");
            net.exec(srv, "ip", "link", "set", s0, "mtu", "1400");
            net.exec(cli, "ip", "addr", "add", "198.51.100.1/24", "dev", c0);
            net.exec(srv, "ip", "addr", "add", "198.51.100.2/24", "dev", s0);
            Path root = Files.createDirectories(dir.resolve("root"));
            byte[] image = TftpInteropContract.bytes(100_001, 5);
            Files.write(root.resolve("image.bin"), image);
            net.start(srv, dir.resolve("tftpd.log"), TftpServers.tftpdHpa(), "-L", "-v", "-u", "root", "-p", "-s", root.toString(),
                    "-a", "198.51.100.2:69");
            awaitBound(net, srv);

            Path local = dir.resolve("got.bin");
            BootCliTest.Run r = tftpIn(cli, "get", "198.51.100.2", "image.bin", local.toString(), "--blksize", "4000", "--json");
            assertEquals(0, r.exit(), () -> r.err() + "\n" + log("tftpd.log"));
            // 1400 − 20 IP − 8 UDP − 4 TFTP
            assertEquals("netboot: tftp get 198.51.100.2:69 image.bin: --blksize 4000 does not fit the path to 198.51.100.2 without"
                    + " IP fragmentation (" + c0 + ", MTU 1400): asking for 1368\n", r.err());
            JsonNode j = r.json();
            assertEquals(1368, j.get("blksize").asInt());
            assertEquals(-1, Files.mismatch(root.resolve("image.bin"), local));

            // The default (1468, for Ethernet) is lowered to fit as quietly: nothing was asked that could not be had.
            Files.delete(local);
            BootCliTest.Run d = tftpIn(cli, "get", "198.51.100.2", "image.bin", local.toString(), "--json");
            assertEquals(0, d.exit(), d::err);
            assertEquals("", d.err());
            assertEquals(1368, d.json().get("blksize").asInt());
            assertEquals(-1, Files.mismatch(root.resolve("image.bin"), local));
        }
    }

    /** Waits until the namespace's /proc/net/udp shows 198.51.100.2:69 bound (at most 10 s). */
    static void awaitBound(HostNet net, String ns) throws InterruptedException {
        String want = String.format(Locale.ROOT, "%02X%02X%02X%02X:%04X", 2, 100, 51, 198, 69); // host-order hex, as the kernel prints it
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!net.exec(ns, "cat", "/proc/net/udp").contains(" " + want + " ")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("tftpd-hpa did not bind 198.51.100.2:69 within 10 s");
            }
            Thread.sleep(20);
        }
    }

    String log(String name) {
        try {
            return new String(Files.readAllBytes(dir.resolve(name)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no " + name + ")";
        }
    }
}
