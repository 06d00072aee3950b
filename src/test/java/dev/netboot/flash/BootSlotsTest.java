package dev.netboot.flash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A/B slots and the redundant metadata record on a strict NOR flash. */
class BootSlotsTest {
    static final FlashGeometry NOR = new FlashGeometry(1 << 20, 4096, 256, 0xFF);
    static final Partition META = new Partition("meta", 0, 2 * 4096);
    static final Partition A = new Partition("slot-a", 0x10000, 0x40000);
    static final Partition B = new Partition("slot-b", 0x50000, 0x40000);

    final Flash flash = SimulatedNorFlash.inMemory(NOR);
    final BootSlots slots = new BootSlots(flash, A, B, META);

    static byte[] image(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] sha(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    /** Writes an image into the target slot the way the device does, and commits it. */
    void install(byte[] img, int trial) throws Exception {
        slots.load();
        int target = slots.updateTarget();
        slots.prepare(target);
        FlashWriter w = new FlashWriter(flash, slots.slot(target));
        w.begin(img.length);
        w.write(ByteBuffer.wrap(img), 0, img.length);
        w.finish();
        slots.commit(target, img.length, sha(img), trial);
    }

    /**
     * A slot taken on a signature says so in the record itself (the record's format: byte 13 of slot 0 is 1, bytes
     * 14..15 the key id big-endian; slot 1 the same at 57..59), through a reload and a confirm, so the board's need for
     * signatures does not rest on its profile's file. A record as written before (zeros there) reads unsigned; a signed
     * byte other than 0 or 1 is what a forged or garbled copy looks like, refused as a bad field.
     */
    @Test
    void noFlashIsNamedInTheRefusal() {
        // A firmware's DeviceProfile.bootSlots(null) said only "null" (the library QA pass).
        assertEquals("flash", assertThrows(NullPointerException.class, () -> new BootSlots(null, A, B, META)).getMessage());
    }

    @Test
    void aSignedSlotRecordsItsKeyIdInTheRecordAndKeepsItThroughAConfirm() throws Exception {
        byte[] img = image(10_001, 1);
        slots.load();
        slots.prepare(0);
        FlashWriter w = new FlashWriter(flash, A);
        w.begin(img.length);
        w.write(ByteBuffer.wrap(img), 0, img.length);
        w.finish();
        slots.commitVerified(0, img.length, sha(img), 2, 0x1a2b);
        slots.confirm();
        SlotMetadata m = new BootSlots(flash, A, B, META).load();
        assertEquals(0x1a2b, m.slot(0).signer());
        assertTrue(m.slot(0).signed());
        assertFalse(m.slot(1).signed());
        byte[] raw = m.encode();
        assertArrayEquals(new byte[] {1, 1, 0x1a, 0x2b}, java.util.Arrays.copyOfRange(raw, 12, 16), "slot 0: valid, signed, key id");
        assertArrayEquals(new byte[4], java.util.Arrays.copyOfRange(raw, 56, 60), "slot 1: empty, unsigned");

        byte[] old = new SlotMetadata(3, 0, SlotMetadata.NONE, false, 0, new SlotMetadata.Slot[] {
            new SlotMetadata.Slot(true, img.length, sha(img)), SlotMetadata.Slot.EMPTY}).encode();
        assertArrayEquals(new byte[3], java.util.Arrays.copyOfRange(old, 13, 16), "unsigned: the bytes reserved before stay zero");
        assertEquals(SlotMetadata.UNSIGNED, SlotMetadata.decode(old).slot(0).signer());

        raw[13] = 2;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(raw, 0, 100);
        ByteBuffer.wrap(raw).putInt(100, (int) crc.getValue());
        assertNull(SlotMetadata.decode(raw), "signed byte 2");
        // The key id: the first two bytes of the raw key's SHA-256.
        byte[] key = image(32, 9);
        byte[] h = sha(key);
        assertEquals((h[0] & 0xFF) * 256 + (h[1] & 0xFF), SlotMetadata.keyId(key));
    }

    @Test
    void freshFlashHasNoBootableSlot() {
        assertEquals(SlotMetadata.EMPTY, slots.load());
        BootSlots.Selection s = slots.select();
        assertEquals(SlotMetadata.NONE, s.slot());
        assertFalse(s.verified());
    }

    @Test
    void firstImageGoesToAAndSurvivesAReload() throws Exception {
        byte[] img = image(10_001, 1);
        install(img, 0);
        BootSlots again = new BootSlots(flash, A, B, META);
        SlotMetadata m = again.load();
        assertEquals(0, m.active());
        assertEquals(1, m.sequence());
        assertTrue(m.slot(0).valid());
        assertEquals(img.length, m.slot(0).length());
        assertArrayEquals(sha(img), m.slot(0).sha256());
        assertEquals(new BootSlots.Selection(0, true, "slot A is active and verified"), again.select());
    }

    @Test
    void updatesAlternateSlotsAndInvalidateTheTargetFirst() throws Exception {
        install(image(5000, 1), 0);               // seq 1: A active
        install(image(6000, 2), 0);               // B was empty: no prepare record; seq 2: B active
        assertEquals(1, slots.current().active());
        assertEquals(2, slots.current().sequence());
        install(image(7000, 3), 0);               // A is valid but inactive: seq 3 marks it empty, seq 4 commits it
        assertEquals(0, slots.current().active());
        assertEquals(4, slots.current().sequence());
        assertEquals(6000, slots.current().slot(1).length(), "B still holds the previous image");
    }

    @Test
    void aTornNewestCopyFallsBackToTheOlderCopy() throws Exception {
        install(image(5000, 1), 0);               // seq 1 in one copy
        install(image(6000, 2), 0);               // seq 2 in the other
        SlotMetadata newest = slots.load();
        assertEquals(2, newest.sequence());
        // Find the copy that holds seq 2 and damage it as a torn program would.
        long copy0 = META.offset();
        long copy1 = META.offset() + 4096;
        byte[] raw = new byte[SlotMetadata.LENGTH];
        flash.read(copy0, raw, 0, raw.length);
        long newestCopy = SlotMetadata.decode(raw) != null && SlotMetadata.decode(raw).sequence() == 2 ? copy0 : copy1;
        flash.program(newestCopy + 1, new byte[] {0}, 0, 1); // magic byte 'B' (0x42) cleared to 0
        SlotMetadata m = new BootSlots(flash, A, B, META).load();
        assertEquals(1, m.sequence());
        assertEquals(0, m.active());
    }

    @Test
    void aSlotWhoseContentFailsItsCheckIsNeverChosen() throws Exception {
        install(image(5000, 1), 0);
        install(image(6000, 2), 0);               // B active
        flash.program(B.offset() + 100, new byte[] {0}, 0, 1);   // damage B
        BootSlots.Selection s = slots.select();
        assertEquals(0, s.slot());
        assertTrue(s.note().contains("falling back to slot A"), s.note());
        flash.program(A.offset() + 100, new byte[] {0}, 0, 1);   // damage A too
        assertEquals(SlotMetadata.NONE, slots.select().slot());
    }

    @Test
    void commitRefusesAnImageThatDoesNotReadBack() throws Exception {
        install(image(5000, 1), 0);
        slots.prepare(1);
        byte[] img = image(3000, 9);
        FlashWriter w = new FlashWriter(flash, B);
        w.begin(img.length);
        w.write(ByteBuffer.wrap(img), 0, img.length);
        w.finish();
        byte[] wrong = sha(image(3000, 10));
        FlashException e = assertThrows(FlashException.class, () -> slots.commit(1, img.length, wrong, 0));
        assertEquals(FlashException.Kind.VERIFY_FAILED, e.kind());
        assertEquals(0, new BootSlots(flash, A, B, META).load().active(), "A stays active");
    }

    @Test
    void theActiveSlotIsNeverATarget() throws Exception {
        install(image(5000, 1), 0);
        assertThrows(IllegalStateException.class, () -> slots.prepare(0));
        assertEquals(1, slots.updateTarget());
    }

    @Test
    void anUnconfirmedTrialFallsBackOnTheSecondBoot() throws Exception {
        install(image(5000, 1), 0);               // A
        install(image(6000, 2), 1);               // B pending, one try
        assertTrue(slots.current().pending());
        assertEquals(1, slots.select().slot(), "first boot tries B");
        BootSlots.Selection second = slots.select();
        assertEquals(0, second.slot(), "not confirmed: back to A");
        assertFalse(slots.current().pending());
        assertEquals(0, slots.current().active());
    }

    @Test
    void aConfirmedTrialStays() throws Exception {
        install(image(5000, 1), 0);
        install(image(6000, 2), 1);
        assertEquals(1, slots.select().slot());
        slots.confirm();
        assertEquals(1, slots.select().slot());
        assertEquals(1, slots.select().slot());
        assertFalse(slots.current().pending());
    }

    /**
     * The bootloader and the booted system are two programs, each with slots of its own over the flash (README: "At
     * power-up your bootloader asks profile.bootSlots(flash).select() which slot to boot, and the booted system confirms a
     * trial image with confirm()"). Before, confirm() acted on the record its own object had last read or written, none
     * on a fresh one: it did nothing, and two power-ups later the confirmed image was dropped for the old one.
     */
    @Test
    void aBootedSystemConfirmsTheTrialOnSlotsOfItsOwn() throws Exception {
        install(image(5000, 1), 0);               // A
        install(image(6000, 2), 2);               // B pending, two tries, A its fallback
        assertEquals(1, new BootSlots(flash, A, B, META).select().slot(), "the bootloader tries B");
        new BootSlots(flash, A, B, META).confirm();
        SlotMetadata confirmed = new BootSlots(flash, A, B, META).load();
        assertFalse(confirmed.pending(), confirmed.toString());
        assertEquals(1, confirmed.active());
        for (int boot = 2; boot <= 4; boot++) {
            assertEquals(1, new BootSlots(flash, A, B, META).select().slot(), "power-up " + boot + " boots the confirmed B");
        }
    }

    /** Zeroes one byte inside slot {@code i}'s image (NOR programs bits 1 -> 0 without an erase): its content no longer checks. */
    void damage(int i) {
        flash.program(slots.slot(i).offset() + 100, new byte[] {0}, 0, 1);
        assertFalse(slots.checks(slots.load(), i), "slot " + BootSlots.name(i) + " damaged");
    }

    /** Replaces the metadata with {@code m} alone (both copies erased, {@code m} in copy 0), as another writer might have left it. */
    void record(SlotMetadata m) {
        flash.erase(META.offset(), (int) META.size());
        byte[] raw = m.encode();
        for (int off = 0; off < raw.length; off += 256) {
            flash.program(META.offset() + off, raw, off, Math.min(256, raw.length - off));
        }
        assertEquals(m, slots.load());
    }

    void assertPlan(int target, int keep) {
        BootSlots.UpdatePlan p = slots.planUpdate();
        assertEquals(target, p.target(), p.note());
        assertEquals(keep, p.keep(), p.note());
    }

    /** After prepare, what a power cut leaves must boot the kept slot: the record names it and calls the target empty. */
    void prepareKeeps(int target, int keep) {
        slots.prepare(target);
        SlotMetadata m = new BootSlots(flash, A, B, META).load();
        assertFalse(m.slot(target).valid(), "target marked empty: " + m);
        assertEquals(keep, m.active(), "the kept slot is active: " + m);
        assertTrue(m.previous() != target, "the target is nobody's fallback: " + m);
        // The target's first sector erased, as the writer's first step does: the board still boots the kept slot.
        flash.erase(slots.slot(target).offset(), 4096);
        assertEquals(keep, new BootSlots(flash, A, B, META).select().slot());
    }

    @Test
    void aFreshBoardWritesSlotAAndKeepsNothing() {
        slots.load();
        assertPlan(0, SlotMetadata.NONE);
    }

    @Test
    void aVerifiedActiveSlotIsKeptAndTheOtherOneWritten() throws Exception {
        install(image(5000, 1), 0);               // A
        assertPlan(1, 0);
        install(image(6000, 2), 0);               // B, A still valid
        assertPlan(0, 1);
        prepareKeeps(0, 1);
    }

    @Test
    void aDamagedActiveSlotIsTheTargetAndTheSlotThatStillBootsIsKept() throws Exception {
        install(image(5000, 1), 0);               // A
        install(image(6000, 2), 0);               // B active
        damage(1);
        assertEquals(0, slots.select().slot(), "the board boots A");
        assertPlan(1, 0);
        prepareKeeps(1, 0);
    }

    @Test
    void aSlotTheMetadataCallsActiveButHoldsNoImageIsTheTarget() throws Exception {
        install(image(5000, 1), 0);               // A valid
        SlotMetadata m = slots.current();
        record(new SlotMetadata(m.sequence() + 1, 1, SlotMetadata.NONE, false, 0, new SlotMetadata.Slot[] {m.slot(0), SlotMetadata.Slot.EMPTY}));
        assertEquals(0, slots.select().slot());
        assertPlan(1, 0);
        prepareKeeps(1, 0);
    }

    @Test
    void withNoVerifiedSlotTheInactiveOneIsWritten() throws Exception {
        install(image(5000, 1), 0);
        install(image(6000, 2), 0);               // B active
        damage(0);
        damage(1);
        assertPlan(0, SlotMetadata.NONE);
    }

    @Test
    void aTrialWithBootsLeftAndAVerifiedFallbackLeavesNoSlotToWrite() throws Exception {
        install(image(5000, 1), 0);               // A
        install(image(6000, 2), 2);               // B pending, 2 tries, fallback A
        SlotMetadata before = slots.load();
        BootSlots.UpdatePlan p = slots.planUpdate();
        assertFalse(p.possible(), p.note());
        assertEquals(1, p.keep());
        assertTrue(p.note().contains("slot B is on trial (2 boots left) and slot A is its fallback"), p.note());
        assertThrows(IllegalStateException.class, () -> slots.prepare(0));
        assertThrows(IllegalStateException.class, () -> slots.prepare(1));
        assertEquals(before, new BootSlots(flash, A, B, META).load(), "nothing written");
        slots.select();                           // one boot used: one left, still both kept
        assertFalse(slots.planUpdate().possible());
        slots.confirm();                          // confirmed: A is an ordinary inactive slot again
        assertPlan(0, 1);
    }

    @Test
    void aTrialOnItsLastTryIsTheTargetAndItsFallbackIsKept() throws Exception {
        install(image(5000, 1), 0);               // A
        install(image(6000, 2), 1);               // B pending, 1 try
        assertEquals(1, slots.select().slot());   // the try is used: the next power-up falls back to A
        assertEquals(0, slots.current().triesLeft());
        assertPlan(1, 0);
        prepareKeeps(1, 0);
        assertFalse(slots.load().pending());
    }

    @Test
    void aTrialWhoseFallbackIsDamagedIsKeptAndTheFallbackWritten() throws Exception {
        install(image(5000, 1), 0);               // A
        install(image(6000, 2), 2);               // B pending, fallback A
        damage(0);
        assertPlan(0, 1);
        prepareKeeps(0, 1);
    }

    @Test
    void aDamagedTrialIsTheTargetAndItsFallbackIsKept() throws Exception {
        install(image(5000, 1), 0);               // A
        install(image(6000, 2), 2);               // B pending, fallback A
        damage(1);
        assertPlan(1, 0);
        prepareKeeps(1, 0);
    }

    @Test
    void aFirstImageOnTrialHasNoFallbackToKeep() throws Exception {
        install(image(5000, 1), 2);               // A, trial-boots 2, but no fallback
        assertEquals(SlotMetadata.NONE, slots.current().previous());
        assertPlan(1, 0);
    }

    /**
     * A first image has nothing to fall back to, so it is not on trial whatever trial-boots says (as the boot's summary
     * says: "slot A is active", no trial): power-ups without a confirm keep it active. Before, it was pending, and the
     * power-up after its tries wrote a record with no slot active: select still booted A ("no active slot; slot A is valid
     * and verified") but flash inspect said "active slot none", exit 1, of a board that boots.
     */
    @Test
    void aFirstImageIsNotOnTrialAndStaysActiveThroughPowerUpsWithoutAConfirm() throws Exception {
        install(image(5000, 1), 2);
        assertFalse(slots.current().pending());
        for (int powerUp = 0; powerUp < 4; powerUp++) {
            assertEquals(new BootSlots.Selection(0, true, "slot A is active and verified"), slots.select());
        }
        assertEquals(0, slots.current().active());
    }

    /** A flash written before that holds such a trial: when its tries run out it stays active (confirmed), not none. */
    @Test
    void aPendingRecordWithNoFallbackKeepsItsSlotActiveWhenItsTriesRunOut() throws Exception {
        install(image(5000, 1), 0);
        SlotMetadata m = slots.current();
        record(new SlotMetadata(m.sequence() + 1, 0, SlotMetadata.NONE, true, 1, m.slots()));
        assertEquals(new BootSlots.Selection(0, true, "slot A is active and verified"), slots.select());
        assertEquals(0, slots.current().triesLeft());
        assertEquals(new BootSlots.Selection(0, true, "slot A is active and verified"), slots.select());
        assertEquals(0, slots.current().active());
        assertFalse(slots.current().pending());
    }

    @Test
    void aTrialCommittedOverANoneActiveRecordFallsBackToTheSlotThatHeldAnImage() throws Exception {
        install(image(5000, 1), 0);               // A valid
        SlotMetadata m = slots.current();
        record(new SlotMetadata(m.sequence() + 1, SlotMetadata.NONE, SlotMetadata.NONE, false, 0, m.slots()));
        install(image(6000, 2), 1);               // B pending
        assertEquals(0, slots.current().previous(), "A is the fallback");
    }

    @Test
    void sequenceNumbersCompareAcrossTheWrap() {
        assertTrue(BootSlots.newer(0, 0xFFFF_FFFFL));
        assertTrue(BootSlots.newer(2, 1));
        assertFalse(BootSlots.newer(1, 2));
        assertFalse(BootSlots.newer(5, 5));
    }

    @Test
    void metadataRecordRoundTripsAndRejectsDamage() {
        SlotMetadata m = new SlotMetadata(7, 1, 0, true, 2, new SlotMetadata.Slot[] {
            new SlotMetadata.Slot(true, 123, new byte[32]), new SlotMetadata.Slot(true, 456, new byte[32])});
        byte[] raw = m.encode();
        assertEquals(SlotMetadata.LENGTH, raw.length);
        assertEquals(m, SlotMetadata.decode(raw));
        for (int i = 0; i < raw.length; i++) {
            byte[] bad = raw.clone();
            bad[i] ^= 0x10;
            assertNull(SlotMetadata.decode(bad), "a flipped bit in byte " + i + " is caught");
        }
        byte[] erased = new byte[SlotMetadata.LENGTH];
        java.util.Arrays.fill(erased, (byte) 0xFF);
        assertNull(SlotMetadata.decode(erased));
    }

    @Test
    void metadataNeedsTwoEraseUnits() {
        assertThrows(IllegalArgumentException.class, () -> new BootSlots(flash, A, B, new Partition("meta", 0, 4096)));
        assertThrows(IllegalArgumentException.class, () -> new BootSlots(flash, A, new Partition("b", 0x20000, 0x1000), META));
    }
}
