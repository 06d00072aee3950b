package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real dissector reads the emulator's capture: tshark (Wireshark) finds DHCP, ARP and TFTP in it,
 * no malformed frame, and no bad IPv4 or UDP checksum with checksum validation switched on.
 * tshark is a test requirement (.ci/run installs it); without it this test fails and says so.
 */
class CaptureDissectionTest {
    @TempDir
    static Path dir;
    static Path pcap;

    @BeforeAll
    static void boot() {
        pcap = dir.resolve("boot.pcap");
        // Some loss, so retransmissions and their dissection are in the capture too.
        BootCliTest.Run r = BootCliTest.run("boot", "--seed", "3", "--loss", "0.05", "--pcap", pcap.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
    }

    /** Frames tshark finds malformed, in error, or with a bad IPv4 or UDP checksum. */
    static final String BAD_FRAMES = "_ws.malformed || _ws.expert.severity == error || ip.checksum.status == 0 || udp.checksum.status == 0";

    static List<String> tshark(String... args) throws IOException, InterruptedException {
        return tshark(pcap, args);
    }

    /** Runs tshark on {@code capture} with checksum validation on and returns its output lines. */
    static List<String> tshark(Path capture, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", capture.toString(),
                "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new AssertionError(dev.netboot.link.HostNet.missingTool("tshark", "it runs apt-get install tshark"), e);
        }
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tshark finished");
        assertEquals(0, p.exitValue(), "tshark exit status");
        return lines;
    }

    @Test
    void dhcpArpAndTftpArePresent() throws Exception {
        List<String> protocols = tshark("-T", "fields", "-e", "frame.protocols");
        assertTrue(protocols.size() > 100, "frames: " + protocols.size());
        // Wireshark names its BOOTP dissector "dhcp" (it handles both); the RRQ on port 69 makes it follow TFTP.
        assertTrue(protocols.stream().anyMatch(l -> l.endsWith(":dhcp")), "DHCP present");
        assertTrue(protocols.stream().anyMatch(l -> l.endsWith(":arp")), "ARP present");
        assertTrue(protocols.stream().filter(l -> l.contains(":tftp")).count() > 100, "TFTP present");
    }

    @Test
    void noFrameIsMalformedOrHasABadChecksum() throws Exception {
        List<String> bad = tshark("-Y", BAD_FRAMES);
        assertEquals(List.of(), bad, "malformed or bad frames");
    }

    /**
     * Every DHCP path of the shipped scenarios dissects clean: DORA, the ProxyDHCP offer, DHCPDECLINE after the ARP
     * probe, the renewals of a short lease, and an offer whose options overflow into the file and sname fields.
     */
    @Test
    void dhcpOfEveryScenarioDissectsWithoutAnError() throws Exception {
        String longName = "boards/" + "x".repeat(236) + "/boot.img";
        Path overload = java.nio.file.Files.writeString(dir.resolve("overload.scenario"), "[bootp]\nboot-file = " + longName
                + "\n[tftp]\nserved-file = " + longName + "\n[dhcp]\nmax-message = 576\ntftp-servers-option = yes\n"
                + "[server]\ndns = 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, 10.0.0.6, 10.0.0.7, 10.0.0.8\n");
        List<String> types = new ArrayList<>();
        for (String sc : List.of("emulator/proxy.scenario", "emulator/conflict.scenario", "emulator/short-lease.scenario",
                "emulator/bootp.scenario", "emulator/relay.scenario", overload.toString())) {
            Path cap = dir.resolve(Path.of(sc).getFileName() + ".pcap");
            BootCliTest.Run r = BootCliTest.run("boot", "--scenario", sc, "--pcap", cap.toString(), "--json");
            assertEquals(0, r.exit(), sc + ": " + r.err());
            assertEquals(List.of(), tshark(cap, "-Y", BAD_FRAMES), sc + ": malformed or bad frames");
            types.addAll(tshark(cap, "-Y", "dhcp", "-T", "fields", "-e", "dhcp.option.dhcp", "-e", "dhcp.option.option_overload"));
        }
        // 1 DISCOVER 2 OFFER 3 REQUEST 4 DECLINE 5 ACK; overload 1 (the file field) in the long-name scenario's replies.
        for (String t : List.of("1", "2", "3", "4", "5")) {
            assertTrue(types.stream().anyMatch(l -> l.startsWith(t + "\t") || l.equals(t)), "DHCP message type " + t + ": " + types);
        }
        assertTrue(types.stream().anyMatch(l -> l.endsWith("\t1") || l.endsWith("\t3")), "an overloaded reply: " + types);
        List<String> arp = tshark(dir.resolve("conflict.scenario.pcap"), "-Y", "arp.isprobe", "-T", "fields", "-e", "arp.dst.proto_ipv4");
        assertTrue(arp.contains("10.0.0.42"), "RFC 5227 probes, as tshark names them: " + arp);
    }

    /**
     * The board's ICMP port unreachable, as Wireshark reads it: other hosts' datagrams to ports nobody listens on
     * (`udp-noise`) are answered with type 3 code 3, the ICMP checksum right, the quoted IPv4 header and UDP ports
     * those of a datagram the board received, from the board to the host that sent it.
     */
    @Test
    void theBoardsPortUnreachableDissectsAndQuotesWhatItAnswers() throws Exception {
        Path noise = java.nio.file.Files.writeString(dir.resolve("noise.scenario"), "[faults]\nudp-noise = 50\n");
        Path cap = dir.resolve("noise.pcap");
        BootCliTest.Run r = BootCliTest.run("boot", "--scenario", noise.toString(), "--pcap", cap.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        // The noise itself, random bytes to other services' ports, is malformed for their dissectors: the board's frames are not.
        String badFromBoard = "ip.src == 10.0.0.42 && (" + BAD_FRAMES + " || icmp.checksum.status == 0)";
        assertEquals(List.of(), tshark(cap, "-Y", badFromBoard), "malformed or bad frames from the board");
        // Each error: its own addresses, then (Wireshark's second ip.src/ip.dst and udp ports) those of the quoted datagram.
        List<String> errors = tshark(cap, "-Y", "icmp.type == 3 && icmp.code == 3", "-T", "fields", "-E", "occurrence=a",
                "-E", "aggregator=,", "-e", "ip.src", "-e", "ip.dst", "-e", "udp.srcport", "-e", "udp.dstport",
                "-e", "frame.time_relative");
        assertTrue(errors.size() > 6, "the board answered some of the noise: " + errors.size());
        List<String> received = tshark(cap, "-Y", "udp && ip.dst == 10.0.0.42 && !icmp", "-T", "fields", "-e", "ip.src",
                "-e", "udp.srcport", "-e", "udp.dstport");
        for (String e : errors) {
            String[] f = e.split("\t");
            String[] src = f[0].split(","), dst = f[1].split(",");
            assertEquals("10.0.0.42", src[0], e);                      // from the board
            assertEquals(dst[0], src[1], e);                           // to the sender of the datagram it quotes
            assertEquals("10.0.0.42", dst[1], e);                      // which was to the board
            assertTrue(received.contains(src[1] + "\t" + f[2] + "\t" + f[3]), "quotes a datagram the board got: " + e);
        }
        // The rate: in any stretch of time, at most 6 errors and one more for each whole second it lasts.
        double[] at = errors.stream().mapToDouble(e -> Double.parseDouble(e.split("\t")[4])).toArray();
        for (int i = 0; i < at.length; i++) {
            for (int j = i; j < at.length; j++) {
                assertTrue(j - i + 1 <= 6 + Math.floor(at[j] - at[i] + 1e-6), "errors " + i + ".." + j + " at " + at[i] + ".." + at[j]);
            }
        }
        // 50 datagrams a second for the whole boot, so the limit is what holds them back: a burst of 6 first.
        assertTrue(at[5] - at[0] < 0.5 && at[6] - at[0] >= 1.0 - 1e-6, "burst then one a second: " + java.util.Arrays.toString(at));
    }

    @Test
    void tftpRequestAsksForTheBootFileInOctetMode() throws Exception {
        List<String> rrq = tshark("-Y", "tftp.opcode == 1", "-T", "fields", "-e", "tftp.source_file", "-e", "tftp.type");
        assertTrue(rrq.size() >= 1, "an RRQ");
        assertEquals("boot.img\toctet", rrq.getFirst());
    }
}
