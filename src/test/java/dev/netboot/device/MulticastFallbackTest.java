package dev.netboot.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.dhcp.DhcpConfig;
import dev.netboot.emulator.FaultPlan;
import dev.netboot.emulator.Scenario;
import dev.netboot.flash.FlashTiming;
import dev.netboot.testkit.Capture;
import dev.netboot.testkit.Shipped;
import dev.netboot.testkit.TestBoard;
import dev.netboot.testkit.TestLan;
import dev.netboot.testkit.Timeline;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A board whose RFC 2090 multicast transfer fails mid-image asks the same server for the image again by a plain
 * unicast RRQ, once, into a fresh slot update, as PXE's MTFTP clients fall back to TFTP; timelines on the emulator's
 * LAN with two {@code spi-nor-16m} boards asking for a 300,000-byte image by multicast. Board B asks first and is the
 * master; board A (the LAN's board port) probes its address 8 times (RFC 5227) where B does twice, so it joins when B's stream is past the
 * quarter of the file the server takes back for late boards, and waits passive for its turn. At 2.5 s A's link goes
 * down: the group goes quiet for it, its turn as master never reaches it, and its passive wait ends at the profile's
 * give-up (25 s) after the last block it heard.
 */
class MulticastFallbackTest {
    static final long S = 1_000_000_000L;
    static final DeviceProfile SHIPPED = Shipped.profile("spi-nor-16m");
    static final DeviceProfile MULTICAST = SHIPPED.withTftp(SHIPPED.tftp().withMulticast(true));
    /** Probes its address 8 times, 200 ms apart (RFC 5227), before taking it: bound at 1.6 s, B at 0.4 s. */
    static final DeviceProfile LATE = MULTICAST.withDhcp(withProbes(MULTICAST.dhcp(), 8));

    static DhcpConfig withProbes(DhcpConfig d, int probes) {
        return new DhcpConfig(d.protocol(), d.offerWait(), probes, d.arpProbeInterval(), d.declineWait(), d.vendorClass(), d.pxe(),
                d.pxeArch(), d.hostname());
    }

    /** The LAN with A's link down from 2.5 s for {@code down}, and A and B on it; returns A (B is the second board). */
    static TestBoard lan(TestLan[] out, long down, byte[] img) {
        TestLan lan = new TestLan(Scenario.DEFAULT.withFaults(FaultPlan.NONE.withLinkDown(2_500_000_000L, down)), MULTICAST,
                FlashTiming.Mode.TYPICAL);
        lan.serve(img);
        TestBoard a = lan.board(LATE);
        lan.board(MULTICAST);
        out[0] = lan;
        return a;
    }

    static List<String> rrqsOf(TestLan lan, String ip) {
        return lan.capture().frames("TFTP RRQ").stream().map(Capture.Frame::summary).filter(s -> s.startsWith(ip + ":"))
                .filter(s -> s.contains("RRQ boot.img ")).toList();
    }

    static List<String> said(TestLan lan, String what) {
        return lan.timeline().entries().stream().map(Timeline.Entry::text).filter(t -> t.contains(what)).toList();
    }

    @Test
    void aPassiveBoardWhoseMulticastWaitEndsBootsTheImageByUnicast() {
        TestLan[] l = new TestLan[1];
        byte[] img = TestLan.image(300_000, 7);
        TestBoard a = lan(l, 30 * S, img);
        TestLan lan = l[0];
        var report = a.booted();
        // Flash holds the image: the digest of the served bytes, computed here, and the slot read back.
        assertEquals(TestLan.sha256(img), report.sha256());
        assertArrayEquals(img, a.image("A"));
        assertEquals("A", report.slot());
        // One line: its passive wait ended (RFC 2090: it may terminate as a non-master), then the plain request.
        List<String> lines = said(lan, "multicast failed, unicast again");
        assertEquals(1, lines.size(), lan.timeline().toString());
        assertTrue(lines.getFirst().contains("nothing new of the multicast transfer") && lines.getFirst().contains("not master")
                && lines.getFirst().endsWith("asking for boot.img again by plain unicast, the partial image discarded)"), lines.getFirst());
        // Two requests from A that were heard: the multicast one, then one without multicast with the options of a
        // board not asking for it (blksize for a 1500-byte MTU, RFC 2348; tsize 0, RFC 2349; a window, RFC 7440).
        List<String> rrqs = rrqsOf(lan, "10.0.0.42");
        assertTrue(rrqs.getFirst().endsWith("multicast="), rrqs.toString());
        assertTrue(rrqs.getLast().endsWith("RRQ boot.img blksize=1468 tsize=0 windowsize=8"), rrqs.toString());
        assertEquals(1, rrqs.stream().filter(r -> r.contains("multicast")).count(), rrqs.toString());
    }

    @Test
    void whenThePlainRequestFailsTooTheBoardFailsInOneLineAndCommitsNothing() {
        TestLan[] l = new TestLan[1];
        byte[] img = TestLan.image(300_000, 7);
        TestBoard a = lan(l, 3_600 * S, img); // down for the rest of the boot
        TestLan lan = l[0];
        BootFailure f = a.failed();
        assertEquals("tftp", f.stage());
        assertTrue(f.message().endsWith("(the plain request after the multicast transfer failed)"), f.message());
        assertEquals(1, said(lan, "multicast failed, unicast again").size(), lan.timeline().toString());
        assertEquals(1, said(lan, "FAILED").size(), lan.timeline().toString());
        assertArrayEquals(new byte[0], a.image("A")); // never marked bootable
        assertArrayEquals(new byte[0], a.image("B"));
    }

    /**
     * RFC 2090 numbers a multicast transfer's blocks in 16 bits without wrapping: an image of 600,000 bytes in 8-byte
     * blocks (RFC 2348's least) needs 75,001 of them (600,000 / 8 + 1, the last one empty). The emulated server refuses
     * the multicast request with ERROR 0, as atftpd 0.8 does; a plain transfer carries the image (its block numbers
     * wrap past 65535, RFC 1350), so the board asks again by plain unicast, once, and boots it. Before, the boot failed
     * with the server's ERROR.
     */
    @Test
    void anImageOfMoreBlocksThanMulticastNumbersBootsByUnicast() {
        DeviceProfile small = MULTICAST.withTftp(MULTICAST.tftp().withBlockSize(8));
        TestLan lan = new TestLan(Scenario.DEFAULT, small, FlashTiming.Mode.NONE);
        byte[] img = TestLan.image(600_000, 7);
        lan.serve(img);
        TestBoard a = lan.board(small);
        var report = a.booted();
        assertEquals(TestLan.sha256(img), report.sha256());
        assertArrayEquals(img, a.image("A"));
        List<String> lines = said(lan, "multicast failed, unicast again");
        assertEquals(1, lines.size(), lan.timeline().toString());
        assertTrue(lines.getFirst().contains("sent ERROR 0 (not defined): File too big for multicast at blksize 8"), lines.getFirst());
        List<String> rrqs = rrqsOf(lan, "10.0.0.42");
        assertEquals(2, rrqs.size(), rrqs.toString());
        assertTrue(rrqs.getFirst().contains("multicast="), rrqs.toString());
        assertTrue(rrqs.getLast().endsWith("RRQ boot.img blksize=8 tsize=0 windowsize=8"), rrqs.toString());
    }
}
