package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.BootObserver;
import dev.netboot.device.BootSequence;
import dev.netboot.device.DeviceProfile;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashException;
import dev.netboot.flash.ForwardingFlash;
import dev.netboot.flash.Partition;
import dev.netboot.flash.PowerCutFlash;
import dev.netboot.flash.SimulatedNorFlash;
import dev.netboot.wire.Ipv4Address;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The device's boot sequence on the emulated LAN, failure paths as timelines in virtual time. Times
 * are derived from the scenario (100 µs one-way latency) and the default profile's settings
 * (NetConfig: ARP every 500 ms, 5 requests; TFTP: 1 s timeout doubling to 8 s, 8 retries; BOOTP:
 * give up after 60 s).
 */
class EmulatedBootTest {
    static final long MS = 1_000_000L;
    static final long S = 1_000 * MS;
    static final long LATENCY = 100_000L;
    static final DeviceProfile PROFILE = DeviceProfile.resolve(DeviceProfile.DEFAULT_NAME, Path.of("device-profiles"));

    record Outcome(BootSequence boot, EmulatedLan lan, Flash flash, long time) {
    }

    static Outcome boot(Scenario sc, byte[] image) {
        EmulatedLan lan = EmulatedLan.of(sc);
        lan.tftp().serve(sc.servedFile(), image);
        Flash flash = SimulatedNorFlash.inMemory(PROFILE.flash());
        BootSequence boot = EmulatedBoot.addBoard(lan, PROFILE, flash, new BootObserver() {
        });
        boot.start(0);
        Simulation.RunResult r = lan.simulation().run(boot::finished, 3_600 * S);
        return new Outcome(boot, lan, flash, r.time());
    }

    static byte[] image(int size) {
        byte[] b = new byte[size];
        new SplittableRandom(size).nextBytes(b);
        return b;
    }

    /** The RFC 5227 check of the offered address: the profile's probes, each followed by one interval of silence. */
    static final long PROBING = PROFILE.dhcp().arpProbes() * PROFILE.dhcp().arpProbeInterval();

    static String failure(Outcome o, String stage) {
        BootSequence.State.Failed f = assertInstanceOf(BootSequence.State.Failed.class, o.boot().state());
        assertEquals(stage, f.failure().stage(), f.failure().message());
        return f.failure().message();
    }

    @Test
    void thirtyPercentLossStillBootsAndTheImageIsExact() throws Exception {
        byte[] img = image(100_001);
        Outcome o = boot(Scenario.DEFAULT.withLoss(0.3).withSeed(11), img);
        BootSequence.State.Done d = assertInstanceOf(BootSequence.State.Done.class, o.boot().state());
        assertEquals(img.length, d.report().bytes());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(img)), d.report().sha256());
        byte[] back = new byte[img.length];
        o.flash().read(PROFILE.slot(0).offset(), back, 0, back.length);
        assertArrayEquals(img, back);
        assertTrue(d.report().retransmissions() > 0);
    }

    @Test
    void silentNetworkGivesUpDhcpExactlyAtTheBudget() {
        Outcome o = boot(Scenario.DEFAULT.withLoss(1.0), image(10));
        String m = failure(o, "dhcp");
        assertTrue(m.contains("no usable offer after 7 DHCPDISCOVERs in 60.0 s"), m);
        assertEquals(PROFILE.bootp().giveUp(), o.time(), "gives up at exactly the give-up budget, 60 s");
    }

    @Test
    void unansweredArpFailsAfterNineRequestsBackingOffFromHalfASecondToFour() {
        // The server host answers BOOTP but the TFTP server it names (10.0.0.99) does not exist.
        Scenario sc = ScenarioFile.parse("[bootp]\ntftp-server = 10.0.0.99\n", "test.scenario");
        Outcome o = boot(sc, image(10));
        String m = failure(o, "arp");
        assertTrue(m.contains("10.0.0.99") && m.contains("9 requests"), m);
        // DHCPDISCOVER at 0, DHCPOFFER back at 2 latencies (it names server and file: taken at once), DHCPREQUEST,
        // DHCPACK back at 4; the RFC 5227 probe finds the address free (probes at +0 and +0.2 s, clear at +0.4 s); ARP
        // requests for the server at +0, +0.5, +1.5, +3.5, +7.5 s (the wait doubling), then every 4 s to +23.5 s; the
        // tenth deadline, +27.5 s, declares failure.
        assertEquals(4 * LATENCY + PROBING + (500 + 1000 + 2000 + 6 * 4000) * MS, o.time());
        assertEquals(9, o.boot().net().stats().arpRequestsSent());
    }

    @Test
    void aNextHopThreeSecondsAwayAnswersArpInTime() throws Exception {
        // A round trip of 3 s (1.5 s each way: ARP bridged over a long-haul layer 2 link): the reply to the first ARP
        // request comes at +3 s. With 5 requests 500 ms apart the board gave up at +2.5 s, before it came.
        byte[] img = image(4096);
        Outcome o = boot(Scenario.DEFAULT.withLatency(1_500 * MS), img);
        BootSequence.State.Done d = assertInstanceOf(BootSequence.State.Done.class, o.boot().state(), () -> o.boot().state().toString());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(img)), d.report().sha256());
    }

    @Test
    void offLinkServerIsReachedThroughTheGatewayMac() {
        // 192.168.5.5 is off the 10.0.0.0/24 link: the board ARPs for the router (10.0.0.1, the server
        // host) and sends the RRQ to the router's MAC with IP destination 192.168.5.5. Our router does not
        // forward, so the transfer times out: retransmissions after 1, 3, 7, 15 and 23 s, and the profile's
        // give-up budget, 25 s, ends it.
        Scenario sc = ScenarioFile.parse("[bootp]\ntftp-server = 192.168.5.5\n", "test.scenario");
        Outcome o = boot(sc, image(10));
        String m = failure(o, "tftp");
        assertEquals("TFTP: no answer to RRQ for boot.img from 192.168.5.5:69 in 25 s (5 retransmissions); nothing else came", m);
        long rrqAt = 6 * LATENCY + PROBING; // DHCP's two round trips, the address probe, the ARP round trip for the gateway
        assertEquals(rrqAt + 25 * S, o.time());
        assertEquals(Ipv4Address.parse("10.0.0.1"), o.boot().net().nextHop(Ipv4Address.parse("192.168.5.5")));
        // The router saw all six RRQs (first + 5 retransmissions) addressed to someone else and dropped them, and
        // the board's ARP announcement of its new address (RFC 5227 2.3), which it had no entry to update with.
        assertEquals(6 + 1, o.lan().server().stack().stats().dropNotForUs());
    }

    @Test
    void missingFileSurfacesTheServersErrorCodeAndText() {
        Scenario sc = ScenarioFile.parse("[tftp]\nserved-file = other.img\n", "test.scenario");
        Outcome o = boot(sc, image(10));
        String m = failure(o, "tftp");
        assertTrue(m.contains("ERROR 1"), m);
        assertTrue(m.contains("file not found"), m);
    }

    /**
     * A board that does not ask for tsize learns the size only at the last block: an image under its
     * [boot] min-image-size (1 KiB) is refused then, and its first bytes waited in RAM meanwhile, so neither
     * the target slot (which holds a valid fallback) nor the metadata was touched.
     */
    @Test
    void withoutAnAnnouncedSizeAShortImageIsRefusedAtTheEndWithFlashUntouched() {
        DeviceProfile noTsize = PROFILE.withTftp(PROFILE.tftp().withTsize(false));
        Flash flash = SimulatedNorFlash.inMemory(PROFILE.flash());
        for (byte[] img : new byte[][] {image(10_000), image(12_000)}) {
            assertInstanceOf(BootSequence.State.Done.class, bootOn(noTsize, flash, img).state(), "A, then B");
        }
        byte[] before = new byte[(int) PROFILE.flash().size()];
        flash.read(0, before, 0, before.length);
        long writes = flash.stats().erases() + flash.stats().programs();
        for (int size : new int[] {0, 1000}) {
            BootSequence boot = bootOn(noTsize, flash, image(size));
            BootSequence.State.Failed f = assertInstanceOf(BootSequence.State.Failed.class, boot.state());
            assertEquals("flash", f.failure().stage());
            assertEquals("image of " + size + " bytes refused: this board takes images of at least 1024 bytes"
                    + " ([boot] min-image-size); nothing was written, slot B still boots", f.failure().message());
            assertEquals(writes, flash.stats().erases() + flash.stats().programs(), "no erase, no program");
        }
        byte[] after = new byte[before.length];
        flash.read(0, after, 0, after.length);
        assertArrayEquals(before, after);
        assertInstanceOf(BootSequence.State.Done.class, bootOn(noTsize, flash, image(1024)).state(), "1 KiB is an image");
    }

    /**
     * Slot B's first page reads back as programmed right after it is programmed, then with one bit flipped: the page
     * compare passes, the re-read of its unit does not match the bytes received. The image is refused before the
     * commit, and slot A, which booted before, is the one that boots.
     */
    @Test
    void anImageThatReadsBackDifferentIsNotCommittedAndTheSlotBeforeStillBoots() {
        Flash flash = SimulatedNorFlash.inMemory(PROFILE.flash());
        assertInstanceOf(BootSequence.State.Done.class, bootOn(PROFILE, flash, image(10_000)).state(), "slot A");
        long page = PROFILE.bootSlots(flash).slot(1).offset();
        Flash flipping = new ForwardingFlash(flash) {
            int readsSinceProgram = -1;

            @Override
            public void program(long offset, byte[] src, int srcOff, int len) {
                super.program(offset, src, srcOff, len);
                if (offset == page) {
                    readsSinceProgram = 0;
                }
            }

            @Override
            public void read(long offset, byte[] dst, int dstOff, int len) {
                super.read(offset, dst, dstOff, len);
                if (offset == page && readsSinceProgram >= 0 && readsSinceProgram++ > 0) {
                    dst[dstOff] ^= 0x01;
                }
            }
        };
        BootSequence.State.Failed f = assertInstanceOf(BootSequence.State.Failed.class,
                bootOn(PROFILE, flipping, image(12_000)).state());
        assertEquals("verify", f.failure().stage(), f.failure().message());
        assertTrue(f.failure().message().startsWith("flash verify of slot B failed: image of 12000 bytes at 0x"),
                f.failure().message());
        BootSlots.Selection s = PROFILE.bootSlots(flash).select();
        assertEquals(0, s.slot(), s.note());
        assertTrue(s.verified(), s.note());
    }

    /** The metadata write of the commit fails: the boot fails in stage commit, and slot A, which booted before, still boots. */
    @Test
    void aCommitThatFailsLeavesTheSlotBeforeBooting() {
        Flash flash = SimulatedNorFlash.inMemory(PROFILE.flash());
        assertInstanceOf(BootSequence.State.Done.class, bootOn(PROFILE, flash, image(10_000)).state(), "slot A");
        BootSlots slots = PROFILE.bootSlots(flash);
        Partition a = slots.slot(0);
        Partition b = slots.slot(1);
        int size = 12_000;
        Flash failing = new ForwardingFlash(flash) {
            long imageBytes;

            @Override
            public void program(long offset, byte[] src, int srcOff, int len) {
                boolean inSlot = (offset >= a.offset() && offset < a.end()) || (offset >= b.offset() && offset < b.end());
                if (!inSlot && imageBytes >= size) {
                    throw new FlashException(FlashException.Kind.PROGRAM_FAILED, "program at 0x" + Long.toHexString(offset)
                            + " failed (test)");
                }
                super.program(offset, src, srcOff, len);
                imageBytes += inSlot ? len : 0;
            }
        };
        BootSequence.State.Failed f = assertInstanceOf(BootSequence.State.Failed.class,
                bootOn(PROFILE, failing, image(size)).state());
        assertEquals("commit", f.failure().stage(), f.failure().message());
        assertTrue(f.failure().message().startsWith("committing slot B failed: "), f.failure().message());
        BootSlots.Selection s = PROFILE.bootSlots(flash).select();
        assertEquals(0, s.slot(), s.note());
        assertTrue(s.verified(), s.note());
    }

    static BootSequence bootOn(DeviceProfile p, Flash flash, byte[] image) {
        EmulatedLan lan = EmulatedLan.of(Scenario.DEFAULT);
        lan.tftp().serve(Scenario.DEFAULT.servedFile(), image);
        BootSequence boot = EmulatedBoot.addBoard(lan, p, flash, new BootObserver() {
        });
        boot.start(0);
        lan.simulation().run(boot::finished, 600 * S);
        return boot;
    }

    /**
     * A power cut at any flash operation of the image is the flash's failure, the last pages' too (they are programmed
     * when the last block has come, before the read-back): a 10,000-byte image on a blank NOR chip of 4 KiB units and
     * 256-byte pages is 3 erases and 40 programs, operations 1 to 43; the metadata record's erase and program, 44 and
     * 45, are the commit's. Before, a cut at the last programs was called a failed verify.
     */
    @Test
    void aPowerCutAtTheImagesLastProgramsIsAFlashFailureNotAFailedVerify() {
        int size = 10_000;
        long imageOps = (size + 4095) / 4096 + (size + 255) / 256;
        assertEquals(43, imageOps);
        for (long at = 1; at <= imageOps + 2; at++) {
            PowerCutFlash flash = new PowerCutFlash(SimulatedNorFlash.inMemory(PROFILE.flash()), at,
                    PowerCutFlash.Mode.BEFORE, 1);
            BootSequence.State.Failed f = assertInstanceOf(BootSequence.State.Failed.class,
                    bootOn(PROFILE, flash, image(size)).state(), "cut at " + at);
            assertEquals(at <= imageOps ? "flash" : "commit", f.failure().stage(), "cut at " + at + ": " + f.failure().message());
            assertTrue(f.failure().message().contains("power cut at flash operation " + at + " "), f.failure().message());
        }
    }

    @Test
    void aBoardWhosePowerIsCutTellsTheServerNothingMore() {
        // Cut the power at the 20th flash operation, mid-transfer: the board stops; unlike a refusal it sends
        // no ERROR, so the server's session ends by giving up (RFC 1350 timeout), not on a client error.
        EmulatedLan lan = EmulatedLan.of(Scenario.DEFAULT);
        lan.tftp().serve(Scenario.DEFAULT.servedFile(), image(100_000));
        PowerCutFlash flash = new PowerCutFlash(SimulatedNorFlash.inMemory(PROFILE.flash()), 20,
                PowerCutFlash.Mode.TORN, 1);
        BootSequence boot = EmulatedBoot.addBoard(lan, PROFILE, flash, new BootObserver() {
        });
        boot.start(0);
        lan.simulation().run(boot::finished, 600 * S);
        String m = failure(new Outcome(boot, lan, flash, lan.simulation().now()), "flash");
        assertTrue(m.contains("power cut at flash operation 20"), m);
        lan.simulation().runFor(120 * S); // longer than the server's 20 retries of 1 s
        var session = lan.tftp().sessions().getFirst().stats();
        assertEquals(TftpSession.End.GAVE_UP, session.end());
    }
}
