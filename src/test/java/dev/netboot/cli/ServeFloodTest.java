package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netboot.link.HostNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netboot serve} under a flood of DHCPDISCOVERs from 150,000 MACs made up (a python raw socket on a host of the
 * LAN, 6,000 a second), run with a heap of 32 MB: it lists 1,000 clients one by one and counts the rest, and a real
 * board (busybox udhcpc, then busybox tftp) that boots during the flood gets an address and its file, bit-exact. Before,
 * each MAC kept about 320 bytes in serve's table and the DHCP server's (48 MB for 150,000: serve ran out of heap), and
 * the flood's offers held every address of the pool for a minute, so the board got none.
 */
class ServeFloodTest {
    static final String SERVER = "192.0.2.1";
    static final int FLOOD = 150_000;

    /** DHCPDISCOVERs from 02:66:00:00:00:00 + i, i below COUNT, RATE a second, broadcast to the server's port, on IFACE. */
    static final String FLOODER = """
            import socket, struct, sys, time
            iface, count, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind((iface, 0))
            def csum(b):
                t = sum(struct.unpack("!%dH" % (len(b) // 2), b)); t = (t >> 16) + (t & 0xffff); t += t >> 16
                return ~t & 0xffff
            start = time.monotonic()
            for i in range(count):
                mac = bytes([0x02, 0x66]) + i.to_bytes(4, "big")
                bootp = struct.pack("!BBBBIHH16s16s64s128s", 1, 1, 6, 0, i, 0, 0, b"", mac, b"", b"") \\
                    + bytes([99, 130, 83, 99, 53, 1, 1, 255])
                udp = struct.pack("!HHHH", 68, 67, 8 + len(bootp), 0) + bootp
                ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, b"\\0" * 4, b"\\xff" * 4)
                ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
                while True:
                    try:
                        s.send(b"\\xff" * 6 + mac + b"\\x08\\x00" + ip + udp); break
                    except OSError:
                        time.sleep(0.001)
                ahead = start + (i + 1) / rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
            print("sent", count)
            """;

    /**
     * TFTP read requests for boot.img to SERVER at SERVER_MAC from 192.0.2.100 + (i % 150), each from port 1024 + i % 60000
     * (i below COUNT, RATE a second), on IFACE: 150 hosts that keep asking from new ports and never acknowledge.
     */
    static final String RRQ_FLOODER = """
            import socket, struct, sys, time
            iface, count, rate, server, smac = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind((iface, 0))
            def csum(b):
                t = sum(struct.unpack("!%dH" % (len(b) // 2), b)); t = (t >> 16) + (t & 0xffff); t += t >> 16
                return ~t & 0xffff
            rrq = b"\\0\\1boot.img\\0octet\\0"
            start = time.monotonic()
            for i in range(count):
                host = i % 150
                mac = bytes([0x02, 0x67, 0, 0, 0, host])
                udp = struct.pack("!HHHH", 1024 + i % 60000, 69, 8 + len(rrq), 0) + rrq
                ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes([192, 0, 2, 100 + host]),
                                 socket.inet_aton(server))
                ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
                while True:
                    try:
                        s.send(bytes.fromhex(smac.replace(":", "")) + mac + b"\\x08\\x00" + ip + udp); break
                    except OSError:
                        time.sleep(0.001)
                ahead = start + (i + 1) / rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
            print("sent", count)
            """;

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        HostNet.requireTool("busybox", "busybox");
        HostNet.requireTool("python3", "python3");
    }

    /** What a run under a flood left: serve's --json summary, the board's client entry in it, and the logs. */
    record Flooded(JsonNode summary, JsonNode board, String logs) {
    }

    /**
     * Runs serve (heap 32 MB, {@code scenario}, a 300,000-byte image, 45 s) on a bridge with two hosts, starts {@code
     * flooder} (python, {@code args} after the interface) on the second, and 3 s later boots the first (busybox udhcpc,
     * then busybox tftp); checks that the board booted, its image bit-exact, and serve ran through.
     */
    Flooded flood(String scenario, String flooder, String... args) throws Exception {
        try (HostNet net = new HostNet("sf", "serve")) {
            String srv = net.netns("srv");
            String br = net.name("br");
            List<String> ns = ServeCommandTest.bridged(net, srv, br, "c", "02:53:56:00:0f:0", 2);
            byte[] img = BootCliTest.randomImage(300_000, 1700);
            Path image = Files.write(dir.resolve("image.bin"), img);
            Path sc = Files.writeString(dir.resolve("test.scenario"), scenario);
            List<String> cmd = new ArrayList<>(ServeCommandTest.serveCommand(srv, "--interface", br, "--scenario", sc.toString(),
                    "--image", image.toString(), "--for", "45s", "--json"));
            cmd.add(5, "-Xmx32m"); // after "ip netns exec NS java"
            Process serve = new ProcessBuilder(cmd).redirectOutput(dir.resolve("serve.out").toFile())
                    .redirectError(dir.resolve("serve.err").toFile()).start();
            try {
                long deadline = System.nanoTime() + 30_000_000_000L;
                Pattern serving = Pattern.compile("serving on \\S+ as \\S+ \\(([0-9a-f:]{17})\\)"); // the line may come in parts
                Matcher m;
                while (!(m = serving.matcher(ServeCommandTest.log(dir, "serve.err"))).find()) {
                    assertTrue(serve.isAlive() && System.nanoTime() < deadline, "serve did not start: " + ServeCommandTest.log(dir, "serve.err"));
                    Thread.sleep(20);
                }
                List<String> run = new ArrayList<>(List.of("python3", Files.writeString(dir.resolve("flood.py"), flooder).toString(),
                        net.name("c2")));
                for (String a : args) {
                    run.add(a.replace("SERVER_MAC", m.group(1)));
                }
                Process flooding = net.start(ns.get(1), dir.resolve("flood.log"), run.toArray(String[]::new));
                Thread.sleep(3000); // the flood has run 3 s when the board starts
                Path script = dir.resolve("udhcpc.script");
                Files.writeString(script, """
                        #!/bin/sh
                        [ "$1" = bound ] || exit 0
                        ip addr add "$ip/24" dev "$interface"
                        """);
                Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
                Path got = dir.resolve("got.bin");
                Process client = net.start(ns.get(0), dir.resolve("board.log"), "sh", "-c", "busybox udhcpc -i " + net.name("c1")
                        + " -f -q -n -t 20 -T 1 -s " + script + " && busybox tftp -g -r boot.img -l " + got + " " + SERVER);
                assertTrue(client.waitFor(60, TimeUnit.SECONDS), "the board still boots");
                assertTrue(flooding.waitFor(60, TimeUnit.SECONDS), "the flood still runs");
                assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "serve did not stop");
                String logs = ServeCommandTest.log(dir, "serve.out") + "\n--- stderr (tail):\n"
                        + tail(ServeCommandTest.log(dir, "serve.err")) + "\n--- board:\n" + ServeCommandTest.log(dir, "board.log")
                        + "\n--- flood:\n" + ServeCommandTest.log(dir, "flood.log");
                assertEquals(0, client.exitValue(), logs);
                assertEquals(BootCliTest.sha256(img), BootCliTest.sha256(Files.readAllBytes(got)), logs);
                assertEquals(0, serve.exitValue(), logs);
                JsonNode j = BootCliTest.JSON.readTree(ServeCommandTest.log(dir, "serve.out"));
                JsonNode b = null;
                for (JsonNode c : j.get("clients")) {
                    b = c.get("mac").asText().equals("02:53:56:00:0f:01") ? c : b;
                }
                assertTrue(b != null, logs);
                assertEquals("dhcp", b.get("how").asText(), b.toString());
                assertTrue(b.get("address").asText().matches("192\\.0\\.2\\.(4[2-9]|5[0-7])"), b.toString()); // the pool's 16
                assertEquals("complete", b.get("transfer").get("end").asText(), b.toString());
                assertEquals(1, j.get("finished").asInt(), logs);
                return new Flooded(j, b, logs);
            } finally {
                serve.destroyForcibly();
            }
        }
    }

    @Test
    void aDiscoverFloodFromRandomMacsKeepsServesMemoryBoundedAndARealBoardBootsThroughIt() throws Exception {
        Flooded f = flood(ServeCommandTest.SCENARIO.formatted("1s"), FLOODER, Integer.toString(FLOOD), "6000");
        // 1,000 clients listed (ServeClientTable.DEFAULT_LIMIT), the board among them.
        JsonNode clients = f.summary().get("clients");
        assertEquals(1000, clients.size(), f.logs());
        // The others, flood MACs that each sent one DHCPDISCOVER and were each offered an address (an offer holds its
        // address only while the pool has free ones), counted: every MAC serve saw is listed or counted.
        JsonNode u = f.summary().get("unlisted");
        long unlisted = u.get("clients").asLong();
        assertTrue(unlisted > 0 && clients.size() - 1 + unlisted <= FLOOD, u.toString());
        for (JsonNode c : clients) {
            if (c != f.board()) {
                assertEquals(1, c.get("dhcpRequests").asInt(), c.toString());
                assertEquals(1, c.get("dhcpReplies").asInt(), c.toString());
            }
        }
        assertEquals(unlisted, u.get("dhcpRequests").asLong(), u.toString());
        assertEquals(unlisted, u.get("dhcpReplies").asLong(), u.toString());
        for (String none : List.of("addressed", "asked", "finished", "givenUp")) {
            assertEquals(0, u.get(none).asLong(), none + ": " + u);
        }
    }

    /**
     * 100,000 read requests at 5,000 a second from 150 hosts, each from a port of its own, none acknowledged, with a TFTP
     * timeout of 100 ms and one retry (each request's session given up 0.2 s later): serve, in 32 MB of heap, keeps no
     * session once it ended, and of each host's requests the figures of the last 64 (ServeTransfer.KEPT). Before, every
     * session stayed (about 1.1 KB each: 108.8 MB for 100,000).
     */
    @Test
    void anRrqFloodFromManyPortsKeepsServesMemoryBoundedAndARealBoardBootsThroughIt() throws Exception {
        Flooded f = flood(ServeCommandTest.SCENARIO.formatted("100ms") + "retries = 1\nmax-timeout = 0s\n", RRQ_FLOODER, "100000", "5000",
                SERVER, "SERVER_MAC");
        // The board and the 150 flooding hosts, each known by its address (static), each with one transfer of boot.img
        // asked for again and again, never served.
        JsonNode clients = f.summary().get("clients");
        assertEquals(151, clients.size(), f.logs());
        assertEquals(0, f.summary().get("unlisted").get("clients").asLong());
        for (JsonNode c : clients) {
            if (c != f.board()) {
                assertEquals("static", c.get("how").asText(), c.toString());
                assertEquals(1, c.get("transfers").size(), c.toString());
                assertTrue(c.get("address").asText().matches("192\\.0\\.2\\.(1\\d\\d|2[0-4]\\d)"), c.toString());
            }
        }
    }

    static String tail(String s) {
        return s.length() < 4000 ? s : s.substring(s.length() - 4000);
    }
}
