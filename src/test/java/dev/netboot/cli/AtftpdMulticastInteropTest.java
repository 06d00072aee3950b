package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netboot.link.HostNet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 2090 against atftpd 0.8, which implements it: three boards boot at once over raw sockets (the board's own
 * RawSocketLink, each in its own namespace) through a Linux bridge that snoops IGMP, from dnsmasq (DHCP) and
 * atftpd (TFTP, multicast on 239.255.0.1-10, port 1758) in a server namespace. Each board asks for multicast,
 * joins the group atftpd names (its IGMP report is what makes the snooping bridge forward the group's frames to
 * it), and gets every block from the group: the capture shows no DATA sent to a board's own address, and each
 * flash holds the image bit for bit.
 */
class AtftpdMulticastInteropTest {
    static final String SERVER = "192.0.2.1";
    static final String GROUP = "239.255.0.1";
    static final int BOARDS = 3;
    static final int BLKSIZE = 1468;

    @TempDir
    Path dir;

    @Test
    void threeBoardsTakeTheImageFromAtftpdByMulticastOverRawLinks() throws Exception {
        requireTools();
        try (HostNet net = new HostNet("fm")) {
            String sw = net.netns("sw");
            String srv = net.netns("srv");
            String s0 = net.name("s0");
            List<String> boardNs = lan(net, sw, srv, BOARDS);
            // 400,000 bytes: 272 blocks of 1468 and a short one.
            byte[] img = BootCliTest.randomImage(400_000, 2090);
            startServers(net, srv, s0, img);
            Path pcap = dir.resolve("bridge.pcapng");
            Process capture = net.start(sw, dir.resolve("dumpcap.log"), "dumpcap", "-q", "-i", "br0", "-w", pcap.toString());
            awaitLog(dir.resolve("dumpcap.log"), "Capturing on", capture);
            awaitBound(net, srv);

            Path prof = multicastProfile();
            List<Process> boots = new ArrayList<>();
            for (int i = 0; i < BOARDS; i++) {
                boots.add(RealWireTest.startBoot(boardNs.get(i), dir.resolve("boot" + i + ".err"), dir.resolve("boot" + i + ".out"),
                        "--interface", net.name("c" + i), "--profile", prof.toString(),
                        "--flash-file", dir.resolve("flash" + i + ".img").toString(), "--json"));
            }
            for (int i = 0; i < BOARDS; i++) {
                Process p = boots.get(i);
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("board " + i + " did not end within 120 s");
                }
                String err = Files.readString(dir.resolve("boot" + i + ".err"));
                if (p.exitValue() != 0) {
                    throw new AssertionError("board " + i + " exited " + p.exitValue() + ": " + err + "\n" + log("atftpd.log")
                            + "\n" + keepEvidence(capture));
                }
                JsonNode j = BootCliTest.JSON.readTree(Files.readString(dir.resolve("boot" + i + ".out")));
                assertEquals("ok", j.get("result").asText());
                assertEquals(img.length, j.get("bytes").asLong());
                assertEquals(BootCliTest.sha256(img), j.get("sha256").asText());
                RealWireTest.assertImageInFlash(img, dir.resolve("flash" + i + ".img"));
            }
            capture.destroy();
            assertTrue(capture.waitFor(10, TimeUnit.SECONDS), "dumpcap ended");

            int blocks = img.length / BLKSIZE + 1;
            // Every board asked for multicast and atftpd's OACK named the group: "addr,port,mc".
            List<String> asked = CaptureDissectionTest.tshark(pcap, "-Y", "tftp.opcode == 1 && tftp.option.name == \"multicast\"",
                    "-T", "fields", "-e", "ip.src");
            assertEquals(BOARDS, asked.stream().distinct().count(), asked.toString());
            List<String> oacks = CaptureDissectionTest.tshark(pcap, "-Y", "tftp.opcode == 6", "-T", "fields", "-e", "ip.dst",
                    "-e", "tftp.option.value");
            assertTrue(oacks.stream().anyMatch(l -> l.contains(GROUP + ",1758,1")), oacks.toString());
            assertEquals(BOARDS, oacks.stream().filter(l -> l.contains(GROUP + ",1758,")).map(l -> l.split("\t")[0]).distinct().count(),
                    oacks.toString());
            // Each board reported its membership (IGMPv2, type 0x16) for the group.
            List<String> reports = CaptureDissectionTest.tshark(pcap, "-Y", "igmp.type == 0x16 && igmp.maddr == " + GROUP,
                    "-T", "fields", "-e", "ip.src");
            assertEquals(BOARDS, reports.stream().distinct().count(), reports.toString());
            // The image went to the group only: at least one pass, at most one per board; no DATA to a board's address.
            // (tshark dissects TFTP by the conversation an RRQ opens, which the group's port is not part of.)
            List<String> groupData = CaptureDissectionTest.tshark(pcap, "-Y", "ip.src == " + SERVER + " && ip.dst == " + GROUP
                    + " && udp.dstport == 1758");
            assertTrue(groupData.size() >= blocks && groupData.size() <= BOARDS * blocks, groupData.size() + " DATA to the group");
            List<String> unicastData = CaptureDissectionTest.tshark(pcap, "-Y", "ip.src == " + SERVER
                    + " && ip.dst != " + GROUP + " && tftp.opcode == 3");
            assertEquals(List.of(), unicastData);
            // The boards' frames are whole and their checksums right. (The server kernel's own frames are captured before
            // the veth's checksum offload fills their UDP checksum in, so tshark calls those wrong.)
            assertEquals(List.of(), CaptureDissectionTest.tshark(pcap, "-Y", "!(ip.src == " + SERVER + ") && ("
                    + CaptureDissectionTest.BAD_FRAMES + ")"));
        }
    }

    /**
     * The group goes quiet mid-image: the server's switch port is taken off the bridge for 32 s (a switch that stops
     * forwarding, a cable pulled), once the board has written part of the image. The board, master, asks for its next
     * block in vain (atftpd gives the client up, "client not responding"); the board then asks atftpd for the image
     * again by a plain unicast RRQ (no multicast option), says so in one line, and boots when the port is back, its slot
     * holding the image bit for bit. Before, it failed with the multicast transfer's words, keeping its slot.
     */
    @Test
    void aBoardWhoseMulticastGroupGoesQuietMidImageBootsByUnicastFromAtftpd() throws Exception {
        requireTools();
        try (HostNet net = new HostNet("fq")) {
            String sw = net.netns("sw");
            String srv = net.netns("srv");
            String s0 = net.name("s0");
            String bs = net.name("bs"); // the server's port on the bridge
            String board = lan(net, sw, srv, 1).getFirst();
            byte[] img = BootCliTest.randomImage(1_000_000, 2091); // 682 blocks of 1468; about 12 s at the NOR's typical times
            startServers(net, srv, s0, img);
            Path pcap = dir.resolve("server.pcapng");
            Process capture = net.start(srv, dir.resolve("dumpcap.log"), "dumpcap", "-q", "-i", s0, "-w", pcap.toString());
            awaitLog(dir.resolve("dumpcap.log"), "Capturing on", capture);
            awaitBound(net, srv);
            Path prof = multicastProfile();
            Path flash = dir.resolve("flash.img");
            Process boot = RealWireTest.startBoot(board, dir.resolve("boot.err"), dir.resolve("boot.out"), "--interface",
                    net.name("c0"), "--profile", prof.toString(), "--flash-file", flash.toString(), "--flash-timing", "typical");
            // Mid-image: slot A (at 1 MiB) holds its first bytes.
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!written(flash, 1 << 20)) {
                assertTrue(boot.isAlive() && System.nanoTime() < deadline, "the image never began: " + Files.readString(dir.resolve("boot.err")));
                Thread.sleep(20);
            }
            net.exec(sw, "ip", "link", "set", bs, "nomaster");
            Thread.sleep(32_000);
            net.exec(sw, "ip", "link", "set", bs, "master", "br0");
            if (!boot.waitFor(120, TimeUnit.SECONDS)) {
                boot.destroyForcibly();
                throw new AssertionError("the board did not end within 120 s");
            }
            String err = Files.readString(dir.resolve("boot.err"));
            assertEquals(0, boot.exitValue(), () -> err + "\n" + log("atftpd.log"));
            RealWireTest.assertImageInFlash(img, flash);
            assertEquals(1, err.lines().filter(l -> l.endsWith("asking for boot.img again by plain unicast, the partial image"
                    + " discarded")).count(), err);
            capture.destroy();
            assertTrue(capture.waitFor(10, TimeUnit.SECONDS), "dumpcap ended");
            // Two requests for the image: by multicast, then plainly, with the options of a board without multicast.
            List<String> rrqs = CaptureDissectionTest.tshark(pcap, "-Y", "tftp.opcode == 1 && tftp.source_file == \"boot.img\"",
                    "-T", "fields", "-e", "tftp.option.name");
            assertEquals(List.of("blksize,tsize,multicast", "blksize,tsize"), rrqs.stream().distinct().toList(), rrqs.toString());
        }
    }

    private static void requireTools() {
        HostNet.requireTool("atftpd", "atftpd");
        HostNet.requireTool("dnsmasq", "dnsmasq-base");
        HostNet.requireTool("dumpcap", "tshark");
    }

    /**
     * Builds the LAN: in namespace {@code sw} a bridge br0 with multicast snooping; the server's port s0 in {@code srv}
     * (its other end bs on the bridge), {@link #SERVER}/24 with the multicast route by s0, which atftpd's group DATA
     * leaves by; and {@code boards} boards, each in a namespace of its own (b0, b1, ...) on port c0, c1, ... (MAC
     * 02:00:5e:10:00:01, :02, ...), its other end p0, p1, ... on the bridge. Returns the boards' namespaces.
     */
    private static List<String> lan(HostNet net, String sw, String srv, int boards) {
        net.exec(sw, "ip", "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0",
                "mcast_snooping", "1");
        net.exec(sw, "ip", "link", "set", "br0", "up");
        String s0 = net.name("s0");
        net.veth(s0, null, srv, net.name("bs"), null, sw);
        net.exec(sw, "ip", "link", "set", net.name("bs"), "master", "br0");
        net.exec(srv, "ip", "addr", "add", SERVER + "/24", "dev", s0);
        net.exec(srv, "ip", "route", "add", "224.0.0.0/4", "dev", s0);
        List<String> boardNs = new ArrayList<>();
        for (int i = 0; i < boards; i++) {
            String ns = net.netns("b" + i);
            net.veth(net.name("c" + i), "02:00:5e:10:00:0" + (i + 1), ns, net.name("p" + i), null, sw);
            net.exec(sw, "ip", "link", "set", net.name("p" + i), "master", "br0");
            boardNs.add(ns);
        }
        return boardNs;
    }

    /** Writes the shipped NOR profile, lock-step (RFC 2090 has no window) and asking for multicast, as multicast-nor. */
    private Path multicastProfile() throws IOException {
        String profile = Files.readString(Path.of("device-profiles/spi-nor-16m.profile"))
                .replaceFirst("(?m)^name = spi-nor-16m", "name = multicast-nor")
                .replaceFirst("(?m)^windowsize = .*$", "windowsize = 1\nmulticast = yes");
        assertTrue(profile.contains("\nmulticast = yes") && profile.contains("name = multicast-nor"), profile);
        return Files.writeString(dir.resolve("multicast-nor.profile"), profile);
    }

    /**
     * Starts dnsmasq (DHCP, naming boot.img) and atftpd (TFTP, multicast on 239.255.0.1-10, port 1758) on {@code s0} in
     * namespace {@code srv}, atftpd serving {@code img} as boot.img.
     */
    private void startServers(HostNet net, String srv, String s0, byte[] img) throws IOException {
        Path root = Files.createDirectories(dir.resolve("tftp"));
        Files.write(root.resolve("boot.img"), img);
        root.toFile().setWritable(true, false);
        net.start(srv, dir.resolve("dnsmasq.log"), "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0",
                "--user=root", "--group=root", "--no-resolv", "--no-hosts", "--log-facility=-", "--pid-file=",
                "--interface=" + s0, "--bind-interfaces", "--dhcp-leasefile=" + dir.resolve("leases"), "--no-ping",
                "--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0", "--dhcp-boot=boot.img");
        net.start(srv, dir.resolve("atftpd.log"), "atftpd", "--daemon", "--no-fork", "--user", "root", "--group", "root",
                "--bind-address", SERVER, "--port", "69", "--mcast-addr", "239.255.0.1-10", "--mcast-port", "1758",
                "--mcast-ttl", "1", "--logfile", "-", "--verbose=6", root.toString());
    }

    /** Returns whether {@code flash} holds a byte other than 0xFF in the 4 KiB at {@code offset}. */
    private static boolean written(Path flash, long offset) throws IOException {
        if (!Files.exists(flash) || Files.size(flash) < offset + 4096) {
            return false;
        }
        try (var f = new java.io.RandomAccessFile(flash.toFile(), "r")) {
            byte[] b = new byte[4096];
            f.seek(offset);
            f.readFully(b);
            for (byte x : b) {
                if (x != (byte) 0xFF) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Waits until atftpd listens on port 69 in {@code ns}. */
    private static void awaitBound(HostNet net, String ns) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!net.exec(ns, "ss", "-uln").contains(SERVER + ":69 ")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("atftpd did not bind " + SERVER + ":69 within 10 s");
            }
            Thread.sleep(50);
        }
    }

    /** Waits until {@code log} says {@code text}, while {@code p} runs, at most 10 s. */
    static void awaitLog(Path log, String text, Process p) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!(Files.exists(log) && Files.readString(log).contains(text))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' from the capture: " + (Files.exists(log) ? Files.readString(log) : ""));
            }
            Thread.sleep(50);
        }
    }

    /**
     * Keeps what a failed run leaves (the bridge's capture, the servers' and boards' logs) in
     * {@code target/evidence/}, since the temporary folder goes with the test: a failure that comes once in many
     * runs is to be understood from them, not retried.
     */
    private String keepEvidence(Process capture) throws InterruptedException {
        capture.destroy();
        capture.waitFor(10, TimeUnit.SECONDS);
        Path keep = Path.of("target", "evidence", "AtftpdMulticastInteropTest-" + System.currentTimeMillis());
        try (var files = Files.list(dir)) {
            Files.createDirectories(keep);
            for (Path f : files.filter(f -> !f.getFileName().toString().startsWith("flash") && Files.isRegularFile(f)).toList()) {
                Files.copy(f, keep.resolve(f.getFileName()));
            }
            return "capture and logs kept in " + keep.toAbsolutePath();
        } catch (IOException e) {
            return "capture and logs not kept: " + e;
        }
    }

    private String log(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            return "(no " + name + ")";
        }
    }
}
