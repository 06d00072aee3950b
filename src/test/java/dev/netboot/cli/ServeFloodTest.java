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

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        HostNet.requireTool("busybox", "busybox");
        HostNet.requireTool("python3", "python3");
    }

    @Test
    void aDiscoverFloodFromRandomMacsKeepsServesMemoryBoundedAndARealBoardBootsThroughIt() throws Exception {
        try (HostNet net = new HostNet("sf", "serve")) {
            String srv = net.netns("srv");
            String br = net.name("br");
            List<String> ns = ServeCommandTest.bridged(net, srv, br, "c", "02:53:56:00:0f:0", 2);
            String board = ns.get(0);
            String flooder = ns.get(1);
            byte[] img = BootCliTest.randomImage(300_000, 1700);
            Path image = Files.write(dir.resolve("image.bin"), img);
            Path scenario = Files.writeString(dir.resolve("test.scenario"), ServeCommandTest.SCENARIO.formatted("1s"));
            List<String> cmd = new ArrayList<>(ServeCommandTest.serveCommand(srv, "--interface", br, "--scenario", scenario.toString(),
                    "--image", image.toString(), "--for", "45s", "--json"));
            cmd.add(5, "-Xmx32m"); // after "ip netns exec NS java"
            Process serve = new ProcessBuilder(cmd).redirectOutput(dir.resolve("serve.out").toFile())
                    .redirectError(dir.resolve("serve.err").toFile()).start();
            try {
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (!ServeCommandTest.log(dir, "serve.err").contains("netboot: serving on")) {
                    assertTrue(serve.isAlive() && System.nanoTime() < deadline, "serve did not start: " + ServeCommandTest.log(dir, "serve.err"));
                    Thread.sleep(20);
                }
                Path flood = Files.writeString(dir.resolve("flood.py"), FLOODER);
                Process flooding = net.start(flooder, dir.resolve("flood.log"), "python3", flood.toString(), net.name("c2"),
                        Integer.toString(FLOOD), "6000");
                Thread.sleep(3000); // the flood has run 3 s (18,000 MACs) when the board starts
                Path script = dir.resolve("udhcpc.script");
                Files.writeString(script, """
                        #!/bin/sh
                        [ "$1" = bound ] || exit 0
                        ip addr add "$ip/24" dev "$interface"
                        """);
                Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
                Path got = dir.resolve("got.bin");
                Process client = net.start(board, dir.resolve("board.log"), "sh", "-c", "busybox udhcpc -i " + net.name("c1")
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
                // 1,000 clients listed (ServeClientTable.DEFAULT_LIMIT), the board among them, served.
                JsonNode clients = j.get("clients");
                assertEquals(1000, clients.size(), logs);
                JsonNode b = null;
                for (JsonNode c : clients) {
                    b = c.get("mac").asText().equals("02:53:56:00:0f:01") ? c : b;
                }
                assertTrue(b != null, logs);
                assertEquals("dhcp", b.get("how").asText(), b.toString());
                assertTrue(b.get("address").asText().matches("192\\.0\\.2\\.(4[2-9]|5[0-7])"), b.toString()); // the pool's 16
                assertEquals("complete", b.get("transfer").get("end").asText(), b.toString());
                assertEquals(1, j.get("finished").asInt(), logs);
                // The others, flood MACs that each sent one DHCPDISCOVER and were each offered an address (an offer holds
                // its address only while the pool has free ones), counted: every MAC serve saw is listed or counted.
                JsonNode u = j.get("unlisted");
                long listedFlood = clients.size() - 1;
                long unlisted = u.get("clients").asLong();
                assertTrue(unlisted > 0 && listedFlood + unlisted <= FLOOD, u.toString());
                for (JsonNode c : clients) {
                    if (c != b) {
                        assertEquals(1, c.get("dhcpRequests").asInt(), c.toString());
                        assertEquals(1, c.get("dhcpReplies").asInt(), c.toString());
                    }
                }
                assertEquals(unlisted, u.get("dhcpRequests").asLong(), u.toString());
                assertEquals(unlisted, u.get("dhcpReplies").asLong(), u.toString());
                for (String none : List.of("addressed", "asked", "finished", "givenUp")) {
                    assertEquals(0, u.get(none).asLong(), none + ": " + u);
                }
            } finally {
                serve.destroyForcibly();
            }
        }
    }

    static String tail(String s) {
        return s.length() < 4000 ? s : s.substring(s.length() - 4000);
    }
}
