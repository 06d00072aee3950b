package dev.netboot.flash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Flash contents {@code FlashFuzzTest.slots} found that made the slot reader throw instead of choosing a
 * slot: the board must still boot the slot that checks out. A small NAND (4 KiB blocks of 512-byte pages):
 * slot A blocks 0..5, slot B 6..11, metadata 12 (copy 0) and 13 (copy 1).
 */
class BootSlotsDamagedFlashTest {
    static final FlashGeometry G = new FlashGeometry(64 * 1024, 4096, 512, 0xFF);
    static final Partition A = new Partition("slot-a", 0, 6 * 4096);
    static final Partition B = new Partition("slot-b", 6 * 4096, 6 * 4096);
    static final Partition META = new Partition("meta", 12 * 4096, 2 * 4096);
    static final byte[] IMAGE = new byte[5000];

    static {
        new Random(5).nextBytes(IMAGE);
    }

    static SimulatedNandFlash nand(Integer... bad) {
        return SimulatedNandFlash.inMemory(NandGeometry.of(G), new NandFaults(0, List.of(bad), 0, 0, 0, 0));
    }

    /** Writes {@link #IMAGE} into slot A as the board does. */
    static void imageInA(Flash flash) {
        FlashWriter w = new FlashWriter(flash, A);
        w.begin(IMAGE.length);
        w.write(ByteBuffer.wrap(IMAGE), 0, IMAGE.length);
        w.finish();
    }

    static SlotMetadata.Slot verified(byte[] image) throws Exception {
        return new SlotMetadata.Slot(true, image.length, MessageDigest.getInstance("SHA-256").digest(image));
    }

    /** Programs {@code m} into metadata copy {@code copy} (its only block). */
    static void record(Flash flash, int copy, SlotMetadata m) {
        byte[] page = new byte[G.pageSize()];
        java.util.Arrays.fill(page, (byte) 0xFF);
        System.arraycopy(m.encode(), 0, page, 0, SlotMetadata.LENGTH);
        flash.program(META.offset() + copy * 4096L, page, 0, page.length);
    }

    @Test
    void aRecordThatNamesASlotLongerThanItsGoodBlocksDoesNotCheckAndTheOtherSlotBoots() throws Exception {
        SimulatedNandFlash flash = nand(8);                  // slot B has 5 good blocks, 20480 bytes
        imageInA(flash);
        // B active, "valid" with 6 blocks' worth of bytes: more than its good blocks hold, so it cannot check out.
        SlotMetadata.Slot tooLong = new SlotMetadata.Slot(true, B.size(), new byte[32]);
        record(flash, 0, new SlotMetadata(3, 1, SlotMetadata.NONE, false, 0, new SlotMetadata.Slot[] {verified(IMAGE), tooLong}));
        BootSlots slots = new BootSlots(flash, A, B, META);
        slots.load();
        assertFalse(slots.checks(slots.current(), 1));
        assertEquals(new BootSlots.Selection(0, true, "active slot B fails its check; falling back to slot A"), slots.select());
    }

    @Test
    void aTrialRecordWithNoActiveSlotIsNotARecordAndTheOlderCopyRules() throws Exception {
        SimulatedNandFlash flash = nand();
        imageInA(flash);
        SlotMetadata.Slot[] aValid = {verified(IMAGE), SlotMetadata.Slot.EMPTY};
        record(flash, 0, new SlotMetadata(4, 0, SlotMetadata.NONE, false, 0, aValid));
        // Newer and CRC-correct, but a trial of no slot with no tries left: nothing this stack writes.
        record(flash, 1, new SlotMetadata(5, SlotMetadata.NONE, SlotMetadata.NONE, true, 0, aValid));
        BootSlots slots = new BootSlots(flash, A, B, META);
        assertEquals(4, slots.load().sequence());
        assertEquals(new BootSlots.Selection(0, true, "slot A is active and verified"), slots.select());
    }

    @Test
    void aMetadataCopyWhoseBlocksAreAllBadIsSkippedAndTheOtherCopyRead() throws Exception {
        SimulatedNandFlash flash = nand(12);                 // copy 0's only block is bad
        imageInA(flash);
        record(flash, 1, new SlotMetadata(9, 0, SlotMetadata.NONE, false, 0,
                new SlotMetadata.Slot[] {verified(IMAGE), SlotMetadata.Slot.EMPTY}));
        BootSlots slots = new BootSlots(flash, A, B, META);
        assertEquals(9, slots.load().sequence());
        assertEquals(new BootSlots.Selection(0, true, "slot A is active and verified"), slots.select());
    }

    /**
     * Charge loss of two bits in one 512-byte sector of the newer metadata copy: its SEC-DED code cannot correct
     * them, so the read fails. That copy is no record, as a torn one is; the older copy says which slot boots, and
     * the next record goes over the unreadable copy. Before, the read's ECC_UNCORRECTABLE came out of load(): the
     * bootloader chose no slot, and boot and every flash command stopped at it.
     */
    @Test
    void aMetadataCopyThatReadsBackWithAnUncorrectableEccErrorIsSkippedAndTheOtherCopyRead() throws Exception {
        SimulatedNandFlash flash = nand();
        imageInA(flash);
        SlotMetadata.Slot[] aValid = {verified(IMAGE), SlotMetadata.Slot.EMPTY};
        record(flash, 0, new SlotMetadata(6, 0, SlotMetadata.NONE, false, 0, aValid));
        record(flash, 1, new SlotMetadata(7, 0, SlotMetadata.NONE, false, 0, aValid));
        flash.flipStoredBit(META.offset() + 4096 + 10, 2);  // copy 1's first sector: two bad bits
        flash.flipStoredBit(META.offset() + 4096 + 300, 5);
        BootSlots slots = new BootSlots(flash, A, B, META);
        assertEquals(6, slots.load().sequence());
        assertEquals(new BootSlots.Selection(0, true, "slot A is active and verified"), slots.select());
        slots.prepare(slots.updateTarget());                   // nothing to mark: slot B is empty, so nothing written
        slots.confirm();                                        // nothing pending: nothing written
        // A record written now goes into the unreadable copy (erased and programmed anew) and is read back as the newest.
        FlashWriter w = new FlashWriter(flash, B);
        w.begin(IMAGE.length);
        w.write(ByteBuffer.wrap(IMAGE), 0, IMAGE.length);
        w.finish();
        slots.commit(1, IMAGE.length, verified(IMAGE).sha256(), 0);
        BootSlots after = new BootSlots(flash, A, B, META);
        assertEquals(7, after.load().sequence());
        assertEquals(new BootSlots.Selection(1, true, "slot B is active and verified"), after.select());
    }
}
