package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netboot.link.HostNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two of netboot's own boards ({@code netboot boot --interface}, "Booting over a real interface") boot at once from
 * {@code netboot serve} with {@code [tftp] multicast = yes}, their profile asking for the image by RFC 2090
 * multicast: each in its own network namespace (serve-ID-ROLE), through a bridge in the server's, where serve runs and
 * dumpcap captures. Each board leases, takes the image from the one multicast transfer, checks it against the
 * {@code IMAGE.sha256} serve serves beside it and commits its slot; its flash file holds the image there, byte for
 * byte. The capture shows both boards asking for multicast and told the group, the image's DATA going to the group's
 * Ethernet address with TTL 1, one pass and less than two, and nothing of the image to a board's own address.
 */
class ServeMulticastBoardsTest {
    static final String SERVER = "192.0.2.1";
    static final String GROUP = "239.255.7.1";
    static final String GROUP_MAC = "01:00:5e:7f:07:01";
    static final int GROUP_PORT = 1758;
    static final int BLKSIZE = 1468; // the shipped profile's blksize = auto on a 1500-byte MTU

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        HostNet.requireTool("dumpcap", "tshark");
    }

    @Test
    void twoBoardsBootFromOneMulticastTransferEachImageCheckedAndCommitted() throws Exception {
        try (HostNet net = new HostNet("mb", "serve")) {
            String srv = net.netns("srv");
            String br = net.name("br");
            List<String> ns = ServeCommandTest.bridged(net, srv, br, "b", "02:53:56:00:0b:0", 2);
            // 1,000,000 bytes: 681 blocks of 1468 and a short one. Its digest beside it, as sha256sum writes it.
            byte[] img = BootCliTest.randomImage(1_000_000, 2090);
            String digest = BootCliTest.sha256(img);
            Path image = Files.write(dir.resolve("image.bin"), img);
            Files.writeString(dir.resolve("image.bin.sha256"), digest + "  boot.img\n");
            int blocks = img.length / BLKSIZE + 1;
            // 5 ms each way: the lock-step transfer takes about 7 s, so the board that asks second (its JVM, its lease a
            // little later) joins the running transfer early (over a bare veth the first had all 682 blocks in 0.6 s, and
            // the second one took a pass of its own, 1364 DATA).
            Path scenario = Files.writeString(dir.resolve("multicast.scenario"), ServeCommandTest.SCENARIO.formatted("1s")
                    + "multicast = yes\nmulticast-group = " + GROUP + "\nmulticast-port = " + GROUP_PORT + "\n[segment]\nlatency = 5ms\n");
            String text = Files.readString(Path.of("device-profiles/spi-nor-16m.profile")).replace("name = spi-nor-16m", "name = mcast")
                    .replaceFirst("(?m)^min-timeout = .*$", "$0\nmulticast = yes");
            assertTrue(text.contains("\nmulticast = yes"), text);
            Path profile = Files.writeString(dir.resolve("mcast.profile"), text);

            Path pcap = dir.resolve("bridge.pcapng");
            Process capture = net.start(srv, dir.resolve("dumpcap.log"), "dumpcap", "-q", "-i", br, "-w", pcap.toString());
            AtftpdMulticastInteropTest.awaitLog(dir.resolve("dumpcap.log"), "Capturing on", capture);
            Process serve = ServeCommandTest.serve(dir, srv, "--interface", br, "--scenario", scenario.toString(), "--image",
                    image.toString(), "--clients", "2", "--for", "120s", "--json");
            List<Process> boards = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                boards.add(RealWireTest.startBoot(ns.get(i - 1), dir.resolve("b" + i + ".err"), dir.resolve("b" + i + ".out"),
                        "--interface", net.name("b" + i), "--profile", profile.toString(), "--flash-file",
                        dir.resolve("flash" + i + ".img").toString(), "--json"));
            }
            try {
                for (Process b : boards) {
                    if (!b.waitFor(120, TimeUnit.SECONDS)) {
                        b.destroyForcibly();
                    }
                }
                boolean stopped = serve.waitFor(60, TimeUnit.SECONDS);
                capture.destroy();
                assertTrue(capture.waitFor(10, TimeUnit.SECONDS), "dumpcap ended");
                String logs = "serve:\n" + ServeCommandTest.log(dir, "serve.err") + ServeCommandTest.log(dir, "serve.out")
                        + "\n--- b1:\n" + ServeCommandTest.log(dir, "b1.err") + "\n--- b2:\n" + ServeCommandTest.log(dir, "b2.err");
                assertTrue(stopped, "serve did not stop after its 2 boards: " + logs);
                assertEquals(0, serve.exitValue(), logs);

                // Each board: its image checked against the served digest, written, read back and committed.
                Set<String> ips = new TreeSet<>();
                for (int i = 1; i <= 2; i++) {
                    assertEquals(0, boards.get(i - 1).exitValue(), "board " + i + ": " + logs);
                    JsonNode b = BootCliTest.JSON.readTree(Files.readString(dir.resolve("b" + i + ".out")));
                    assertEquals("ok", b.get("result").asText(), b.toString());
                    assertEquals(digest, b.get("sha256").asText(), b.toString());
                    assertEquals("checked", b.get("digest").asText(), b.toString());
                    assertEquals(b.get("slot").asText(), b.get("activeSlot").asText(), "committed: " + b);
                    assertEquals(img.length, b.get("bytes").asLong(), b.toString());
                    assertEquals(BLKSIZE, b.get("blockSize").asInt(), b.toString());
                    int at = b.get("partitionOffset").asInt();
                    byte[] flash = Files.readAllBytes(dir.resolve("flash" + i + ".img"));
                    assertArrayEquals(img, Arrays.copyOfRange(flash, at, at + img.length), "board " + i + "'s slot");
                    ips.add(b.get("ip").asText());
                }
                assertEquals(Set.of("192.0.2.42", "192.0.2.43"), ips);

                // The wire: both asked for the image by multicast and were told the group, one of them master.
                List<String> oacks = CaptureDissectionTest.tshark(pcap, "-Y", "ip.src == " + SERVER + " && tftp.opcode == 6",
                        "-T", "fields", "-e", "ip.dst", "-e", "tftp.option.value");
                assertEquals(ips, new TreeSet<>(oacks.stream().filter(l -> l.contains(GROUP + "," + GROUP_PORT + ","))
                        .map(l -> l.split("\t")[0]).toList()), oacks.toString());
                assertTrue(oacks.stream().anyMatch(l -> l.contains(GROUP + "," + GROUP_PORT + ",1")), oacks.toString());
                // The image's DATA to the group: its Ethernet address, TTL 1, one pass and less than two.
                List<String> groupData = CaptureDissectionTest.tshark(pcap, "-Y", "ip.src == " + SERVER + " && ip.dst == " + GROUP
                        + " && udp.dstport == " + GROUP_PORT, "-T", "fields", "-e", "eth.dst", "-e", "ip.ttl");
                assertTrue(groupData.size() >= blocks && groupData.size() < 2 * blocks, groupData.size() + " DATA to the group, "
                        + blocks + " blocks: " + logs);
                assertEquals(List.of(GROUP_MAC + "\t1"), groupData.stream().distinct().toList());
                // To a board's own address only its digest went: one block each (75 bytes: 64 hex digits, two spaces,
                // the name and a newline).
                List<String> unicastData = CaptureDissectionTest.tshark(pcap, "-Y", "ip.src == " + SERVER + " && ip.dst != " + GROUP
                        + " && tftp.opcode == 3", "-T", "fields", "-e", "ip.dst", "-e", "tftp.block", "-e", "udp.length");
                assertEquals(Set.of("192.0.2.42\t1\t87", "192.0.2.43\t1\t87"), new TreeSet<>(unicastData), unicastData.toString());

                // serve's summary: one multicast transfer of the image, both boards served by it.
                JsonNode j = BootCliTest.JSON.readTree(ServeCommandTest.log(dir, "serve.out"));
                assertEquals(2, j.get("finished").asInt(), j.toString());
                assertEquals(1, j.get("multicast").size(), j.toString());
                JsonNode m = j.get("multicast").get(0);
                assertEquals("boot.img", m.get("file").asText(), j.toString());
                assertEquals(2, m.get("clients").asInt(), m.toString());
                assertEquals(2, m.get("served").asInt(), m.toString());
                assertEquals(groupData.size(), m.get("groupData").asLong(), m.toString());
                for (JsonNode c : j.get("clients")) {
                    assertEquals("complete", c.get("transfer").get("end").asText(), c.toString());
                    assertEquals(GROUP, c.get("transfer").get("multicast").get("group").asText(), c.toString());
                    assertEquals(List.of("boot.img.sha256"), List.of(c.get("later").get(0).asText()), c.toString());
                }
            } finally {
                for (Process b : boards) {
                    b.destroyForcibly();
                }
                serve.destroyForcibly();
                capture.destroyForcibly();
            }
        }
    }
}
