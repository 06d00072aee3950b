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
 * A real dissector reads the emulator's capture: tshark (Wireshark) finds BOOTP, ARP and TFTP in it,
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
    void bootpArpAndTftpArePresent() throws Exception {
        List<String> protocols = tshark("-T", "fields", "-e", "frame.protocols");
        assertTrue(protocols.size() > 100, "frames: " + protocols.size());
        // Wireshark names its BOOTP dissector "dhcp" (it handles both); the RRQ on port 69 makes it follow TFTP.
        assertTrue(protocols.stream().anyMatch(l -> l.endsWith(":dhcp") || l.endsWith(":bootp")), "BOOTP present");
        assertTrue(protocols.stream().anyMatch(l -> l.endsWith(":arp")), "ARP present");
        assertTrue(protocols.stream().filter(l -> l.contains(":tftp")).count() > 100, "TFTP present");
    }

    @Test
    void noFrameIsMalformedOrHasABadChecksum() throws Exception {
        List<String> bad = tshark("-Y", BAD_FRAMES);
        assertEquals(List.of(), bad, "malformed or bad frames");
    }

    @Test
    void tftpRequestAsksForTheBootFileInOctetMode() throws Exception {
        List<String> rrq = tshark("-Y", "tftp.opcode == 1", "-T", "fields", "-e", "tftp.source_file", "-e", "tftp.type");
        assertTrue(rrq.size() >= 1, "an RRQ");
        assertEquals("boot.img\toctet", rrq.getFirst());
    }
}
