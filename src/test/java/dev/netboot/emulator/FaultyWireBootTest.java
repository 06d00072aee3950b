package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.BootLayout;
import dev.netboot.device.BootObserver;
import dev.netboot.device.BootSequence;
import dev.netboot.device.DeviceProfile;
import dev.netboot.device.ImageSignature;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.TimedFlash;
import dev.netboot.flash.SimulatedNorFlash;
import dev.netboot.flash.SlotMetadata;
import dev.netboot.link.PcapWriter;
import dev.netboot.net.NetStats;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: whole boots on a wire that does each thing wrong the emulator can make it do, and the board ends
 * with the served image, bit for bit, or (where only the image's signature can tell) fails with the slot that
 * booted before intact. The same seed gives the same capture, every fault on.
 */
class FaultyWireBootTest {
    static final long MS = 1_000_000L;
    static final long S = 1_000 * MS;
    static final DeviceProfile PROFILE = DeviceProfile.resolve(DeviceProfile.DEFAULT_NAME, Path.of("device-profiles"));
    static final byte[] V1 = image(60_001, 1);
    static final byte[] V2 = image(400_009, 2);

    static byte[] image(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    record Outcome(BootSequence boot, EmulatedLan lan, Flash flash, long end) {
        BootSequence.State.Done done() {
            return assertInstanceOf(BootSequence.State.Done.class, boot.state(), () -> boot.state().toString());
        }
    }

    static Outcome run(Scenario sc, DeviceProfile p, byte[] image, byte[] sig, Flash flash, PcapWriter pcap) {
        EmulatedLan lan = EmulatedLan.of(sc);
        lan.tftp().serve(sc.servedFile(), image);
        if (sig != null) {
            lan.tftp().serve(sc.servedFile() + ".sig", sig);
        }
        if (pcap != null) {
            lan.capture(pcap);
        }
        // The chip takes its datasheet times: the transfer lasts seconds, long enough for faults to come in the middle.
        BootSequence boot = EmulatedBoot.addBoard(lan, p, new TimedFlash(flash, p.timing(), FlashTiming.Mode.TYPICAL),
                new BootObserver() {
                });
        boot.start(0);
        Simulation.RunResult r = lan.simulation().run(boot::finished, 3_600 * S);
        return new Outcome(boot, lan, flash, r.time());
    }

    static Outcome boot(FaultPlan faults, long seed) {
        Flash flash = SimulatedNorFlash.inMemory(PROFILE.flash());
        return run(Scenario.DEFAULT.withSeed(seed).withFaults(faults), PROFILE, V2, null, flash, null);
    }

    static void exact(Outcome o) throws Exception {
        BootSequence.State.Done d = o.done();
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(V2)), d.report().sha256());
        byte[] back = new byte[V2.length];
        o.flash().read(PROFILE.slot(0).offset(), back, 0, back.length);
        assertArrayEquals(V2, back);
    }

    @Test
    void duplicatedFrames() throws Exception {
        Outcome o = boot(FaultPlan.NONE.withDuplicate(0.2), 3);
        exact(o);
        assertTrue(o.lan().wireStats().duplicated() > 0.15 * o.lan().wireStats().framesSent(), o.lan().wireStats().toString());
    }

    @Test
    void framesHeldBackBehindTheNextFew() throws Exception {
        Outcome o = boot(FaultPlan.NONE.withReorder(0.2, FaultPlan.DEFAULT_REORDER_DELAY), 4);
        exact(o);
        assertTrue(o.lan().wireStats().reordered() > 0.15 * o.lan().wireStats().framesSent(), o.lan().wireStats().toString());
        assertTrue(o.boot().tftp().stats().outOfOrderHeld() > 0, "the board kept blocks that came ahead of a held one");
    }

    @Test
    void jitterOf5ms() throws Exception {
        exact(boot(FaultPlan.NONE.withJitter(5 * MS), 5));
    }

    @Test
    void bitsFlippedInFlightAreCaughtByTheChecksums() throws Exception {
        Outcome o = boot(FaultPlan.NONE.withCorrupt(0.05), 6);
        exact(o);
        NetStats n = o.boot().net().stats();
        assertTrue(n.dropChecksum() > 0, n.toString());
        assertTrue(o.lan().wireStats().corrupted() > 10, o.lan().wireStats().toString());
    }

    /** A switch port held by spanning tree for 30 s at power-up: DHCP keeps asking, and gets its answer after. */
    @Test
    void aSwitchPortBlockedForThirtySecondsAtPowerUp() throws Exception {
        Outcome o = boot(FaultPlan.NONE.withLinkDown(0, 30 * S), 7);
        exact(o);
        assertTrue(o.done().report().boundAt() >= 30 * S, "bound at " + o.done().report().boundAt());
        assertTrue(o.lan().wireStats().droppedByLinkDown() >= 5, o.lan().wireStats().toString());
    }

    /** A cable pulled for 5 s in the middle of the transfer: TFTP waits it out (its give-up budget is 25 s). */
    @Test
    void aCablePulledForFiveSecondsMidTransfer() throws Exception {
        Outcome o = boot(FaultPlan.NONE.withLinkDown(1 * S, 5 * S), 8);
        exact(o);
        assertTrue(o.done().report().transferStartedAt() < 1 * S, "the transfer was running when the cable went");
        assertTrue(o.end() > 6 * S, "and finished after it came back: " + o.end());
        assertTrue(o.lan().wireStats().droppedByLinkDown() > 0);
    }

    /** Out for longer than the budget: the transfer fails, and says it heard nothing; the earlier image boots. */
    @Test
    void aCablePulledForGoodFailsTheTransferAndKeepsTheSlotThatBoots() {
        Flash flash = SimulatedNorFlash.inMemory(PROFILE.flash());
        run(Scenario.DEFAULT, PROFILE, V1, null, flash, null);
        Outcome o = run(Scenario.DEFAULT.withFaults(FaultPlan.NONE.withLinkDown(1 * S, 3_600 * S)), PROFILE, V2, null, flash, null);
        BootSequence.State.Failed f = assertInstanceOf(BootSequence.State.Failed.class, o.boot().state());
        assertEquals("tftp", f.failure().stage());
        assertTrue(Pattern.matches("TFTP: no DATA \\d+ from 10\\.0\\.0\\.1:\\d+ in 25 s \\(\\d+ retransmissions of ACK \\d+\\);"
                + " nothing else came", f.failure().message()), f.failure().message());
        previousSlotIntact(flash, PROFILE);
    }

    @Test
    void otherHostsTalkingAndAFloodOf100000Broadcasts() throws Exception {
        Background bg = new Background(200, 50, 20, 100_000, 1 * S, Background.LINE_RATE_100M);
        Outcome o = boot(FaultPlan.NONE.withBackground(bg), 9);
        exact(o);
        long[] sent = o.lan().backgroundSent();
        assertEquals(100_000, sent[3]);
        assertTrue(o.done().report().transferStartedAt() < 1 * S && o.end() > 2 * S, "the flood came during the transfer");
        NetStats n = o.boot().net().stats();
        // Every broadcast and datagram for a port nobody listens on, and every ARP request for someone else: dropped, counted.
        assertEquals(sent[0] + sent[2] + sent[3], n.dropNoListener(), n + " / " + java.util.Arrays.toString(sent));
        assertTrue(n.dropNotForUs() >= sent[1], n + " / " + java.util.Arrays.toString(sent));
        // The board's RAM: blocks ahead of a gap and bytes waiting for the flash stay within what its profile leaves.
        assertTrue(o.boot().update().peakBufferedBytes() + o.boot().ram().reorderBytes()
                <= PROFILE.ramBudget() - DeviceProfile.minimumRam(PROFILE.flash()));
        assertTrue(o.lan().boardPort().queuedPeak() <= 16, "frames waiting at the board's port: " + o.lan().boardPort().queuedPeak());
    }

    /**
     * A peer that sends wrong bytes with right checksums: the network cannot tell, the read-back cannot tell (it
     * checks what came), only the signature can. A signed board refuses the image and boots the one it had.
     */
    @Test
    void wrongBytesWithRightChecksumsAreCaughtByTheSignatureAndTheEarlierSlotBoots() throws Exception {
        KeyPair key = SignedImageRefusalTest.keyPair();
        DeviceProfile signed = PROFILE.withBoot(new BootLayout(PROFILE.boot().slotA(), PROFILE.boot().slotB(), PROFILE.boot().metadata(),
                0, HexFormat.of().formatHex(ImageSignature.rawKey(key.getPublic()))));
        Flash flash = SimulatedNorFlash.inMemory(signed.flash());
        run(Scenario.DEFAULT, signed, V1, SignedImageRefusalTest.sign(V1, key.getPrivate()), flash, null);
        Outcome o = run(Scenario.DEFAULT.withFaults(FaultPlan.NONE.withTamper(0.01)), signed, V2,
                SignedImageRefusalTest.sign(V2, key.getPrivate()), flash, null);
        assertTrue(o.lan().wireStats().tampered() > 0);
        BootSequence.State.Failed f = assertInstanceOf(BootSequence.State.Failed.class, o.boot().state());
        assertEquals("signature", f.failure().stage(), f.failure().message());
        assertTrue(f.failure().message().endsWith("; slot A stays active"), f.failure().message());
        previousSlotIntact(flash, signed);
    }

    /** Without a signature the board cannot tell: it commits what it received, and only the served file's digest differs. */
    @Test
    void wrongBytesWithRightChecksumsPassAnUnsignedBoard() throws Exception {
        Outcome o = boot(FaultPlan.NONE.withTamper(0.01), 10);
        assertNotEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(V2)), o.done().report().sha256());
    }

    static void previousSlotIntact(Flash flash, DeviceProfile p) {
        BootSlots slots = p.bootSlots(flash);
        SlotMetadata m = slots.load();
        assertEquals(0, m.active(), "slot A stays active");
        assertTrue(slots.checks(m, 0), "slot A checks out");
        byte[] back = new byte[V1.length];
        flash.read(p.slot(0).offset(), back, 0, back.length);
        assertArrayEquals(V1, back);
    }

    static FaultPlan everything() {
        return new FaultPlan(0.05, 0.05, 0, 0.05, FaultPlan.DEFAULT_REORDER_DELAY, 2 * MS, 0.02, 0, 300 * MS, 2 * S,
                new Background(100, 20, 10, 5_000, 600 * MS, Background.LINE_RATE_100M));
    }

    static byte[] capture(long seed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapWriter pcap = new PcapWriter(out);
        Outcome o = run(Scenario.DEFAULT.withSeed(seed).withFaults(everything()), PROFILE, V2, null,
                SimulatedNorFlash.inMemory(PROFILE.flash()), pcap);
        pcap.close();
        exactQuietly(o);
        return out.toByteArray();
    }

    private static void exactQuietly(Outcome o) {
        try {
            exact(o);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyFaultAtOnceBootsAndTheSameSeedGivesTheSameCapture() {
        byte[] a = capture(21);
        byte[] b = capture(21);
        byte[] c = capture(22);
        assertArrayEquals(a, b, "same seed, same capture, byte for byte");
        assertFalse(java.util.Arrays.equals(a, c), "another seed, another capture");
    }
}
