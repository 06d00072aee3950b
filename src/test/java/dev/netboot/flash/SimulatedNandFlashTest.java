package dev.netboot.flash;

import static dev.netboot.flash.FlashContractTest.assertFlash;
import static dev.netboot.flash.FlashContractTest.filled;
import static dev.netboot.flash.FlashContractTest.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What only NAND does: page order, NOP, bad blocks, ECC, the spare area. */
class SimulatedNandFlashTest {
    /** 1 MiB of MT29F-class NAND: 8 blocks of 64 pages of 2048 + 64 bytes, NOP 4. */
    static final NandGeometry G = NandGeometry.mt29f(1 << 20);
    static final int PAGE = 2048;
    static final int BLOCK = 128 * 1024;

    private static SimulatedNandFlash nand(NandFaults faults) {
        return SimulatedNandFlash.inMemory(G, faults);
    }

    private static byte[] random(int len, long seed) {
        byte[] b = new byte[len];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void geometryAndSpareLayout() {
        assertEquals(64, G.pagesPerBlock());
        assertEquals(8, G.blocks());
        assertEquals(4, G.sectorsPerPage());
        assertEquals(32, G.eccOffset()); // free spare bytes 2..31, ECC 32..63
        assertEquals(2112, G.rawPageSize());
        assertThrows(IllegalArgumentException.class, () -> new NandGeometry(G.flash(), 33, 4)); // ECC needs 32 + 2
        assertThrows(IllegalArgumentException.class, () -> new NandGeometry(new FlashGeometry(1 << 20, BLOCK, PAGE, 0xA5), 64, 4));
    }

    @Test
    void outOfOrderPageProgramIsRefusedUntilErase() {
        SimulatedNandFlash f = nand(NandFaults.NONE);
        f.program(BLOCK + 3 * PAGE, new byte[16], 0, 16); // block 1, page 3
        byte[] before = readAll(f);
        FlashException e = assertFlash(FlashException.Kind.OUT_OF_ORDER, () -> f.program(BLOCK + PAGE, new byte[1], 0, 1));
        assertEquals("program at 0x20800 len 1: page 1 of block 1 after page 3 (expected: pages in order within a block since its erase)",
                e.getMessage());
        assertArrayEquals(before, readAll(f));
        f.program(BLOCK + 3 * PAGE + 16, new byte[1], 0, 1); // the same page again: a partial program
        f.program(BLOCK + 5 * PAGE, new byte[1], 0, 1);      // a later page
        f.program(2 * BLOCK, new byte[1], 0, 1);             // another block has its own order
        f.erase(BLOCK, BLOCK);
        f.program(BLOCK + PAGE, new byte[1], 0, 1);          // after erase, any page may come first
        assertEquals(5, f.stats().programs());
    }

    @Test
    void atMostFourPartialProgramsPerPage() {
        SimulatedNandFlash f = nand(NandFaults.NONE);
        for (int i = 0; i < 3; i++) {
            f.program(i * 512, new byte[] {(byte) i}, 0, 1); // three sectors of page 0
        }
        f.programSpare(0, 2, new byte[] {0x42}, 0, 1);     // a spare program counts too
        FlashException e = assertFlash(FlashException.Kind.TOO_MANY_PARTIAL_PROGRAMS, () -> f.program(1536, new byte[1], 0, 1));
        assertEquals("program at 0x600 len 1: page 0 already has 4 programs since erase (expected: at most NOP 4)", e.getMessage());
        assertFlash(FlashException.Kind.TOO_MANY_PARTIAL_PROGRAMS, () -> f.programSpare(0, 3, new byte[1], 0, 1));
        f.program(PAGE, new byte[1], 0, 1); // the next page has its own count
        f.erase(0, BLOCK);
        for (int i = 0; i < 4; i++) {
            f.program(i, new byte[1], 0, 1);
        }
    }

    @Test
    void factoryBadBlocksAreMarkedInTheSpareAndRefused() {
        SimulatedNandFlash f = nand(NandFaults.factoryBad(2));
        assertTrue(f.isBad(2));
        byte[] marker = new byte[1];
        f.readSpare(2 * 64, 0, marker, 0, 1);
        assertEquals(0x00, marker[0]);
        assertEquals(List.of(2), IntStream.range(0, 8).filter(f::isBad).boxed().toList());
        assertFlash(FlashException.Kind.BAD_BLOCK, () -> f.erase(2 * BLOCK, BLOCK));
        assertFlash(FlashException.Kind.BAD_BLOCK, () -> f.erase(BLOCK, 2 * BLOCK)); // refused whole: block 1 untouched
        assertFlash(FlashException.Kind.BAD_BLOCK, () -> f.program(2 * BLOCK + 5, new byte[1], 0, 1));
        assertEquals(0, f.stats().erases());
        f.erase(BLOCK, BLOCK);
        assertThrows(IndexOutOfBoundsException.class, () -> f.isBad(8));
    }

    @Test
    void randomFactoryBadBlocksComeFromTheSeedAndSpareBlockZero() {
        NandFaults faults = new NandFaults(7, List.of(), 3, 0, 0, 0);
        List<Integer> bad = IntStream.range(0, 8).filter(nand(faults)::isBad).boxed().toList();
        assertEquals(3, bad.size());
        assertFalse(bad.contains(0));
        assertEquals(bad, IntStream.range(0, 8).filter(nand(faults)::isBad).boxed().toList());
        assertThrows(IllegalArgumentException.class, () -> nand(new NandFaults(7, List.of(), 8, 0, 0, 0)));
        assertThrows(IllegalArgumentException.class, () -> nand(NandFaults.factoryBad(8)));
    }

    @Test
    void eraseStatusFailureGrowsABadBlock() {
        SimulatedNandFlash f = nand(new NandFaults(1, List.of(), 0, 0, 1.0, 0));
        FlashException e = assertFlash(FlashException.Kind.ERASE_FAILED, () -> f.erase(3 * BLOCK, BLOCK));
        assertEquals("erase of block 3 at 0x60000: status FAIL; block marked bad (expected: status PASS)", e.getMessage());
        assertTrue(f.isBad(3));
        assertFlash(FlashException.Kind.BAD_BLOCK, () -> f.erase(3 * BLOCK, BLOCK));
        assertEquals(0, f.eraseCounts()[3]);
    }

    @Test
    void programStatusFailureGrowsABadBlockAndLeavesThePage() {
        SimulatedNandFlash f = nand(new NandFaults(1, List.of(), 0, 1.0, 0, 0));
        assertFlash(FlashException.Kind.PROGRAM_FAILED, () -> f.program(4 * BLOCK + PAGE, new byte[4], 0, 4));
        assertTrue(f.isBad(4));
        byte[] back = new byte[4];
        f.read(4 * BLOCK + PAGE, back, 0, 4);
        assertArrayEquals(filled(4, 0xFF), back);
        assertEquals(0, f.stats().programs());
    }

    @Test
    void seededFailuresRepeat() {
        NandFaults faults = new NandFaults(42, List.of(), 0, 0, 0.5, 0);
        List<Integer> first = failingErases(nand(faults));
        assertEquals(first, failingErases(nand(faults)));
        assertFalse(first.isEmpty());
        assertTrue(first.size() < 8);
    }

    private static List<Integer> failingErases(SimulatedNandFlash f) {
        return IntStream.range(0, 8).filter(b -> {
            try {
                f.erase((long) b * BLOCK, BLOCK);
                return false;
            } catch (FlashException e) {
                return true;
            }
        }).boxed().toList();
    }

    @Test
    void eccCorrectsOneStoredBitFlipAndReportsTwoAsUncorrectable() {
        SimulatedNandFlash f = nand(NandFaults.NONE);
        byte[] data = random(PAGE, 1);
        f.program(0, data, 0, PAGE);
        f.flipStoredBit(700, 3); // sector 1 (512..1023)
        byte[] back = new byte[PAGE];
        f.read(0, back, 0, PAGE);
        assertArrayEquals(data, back);
        assertEquals(new NandFlash.EccStats(1, 0), f.eccStats());

        f.flipStoredBit(1000, 0); // a second error in sector 1
        FlashException e = assertFlash(FlashException.Kind.ECC_UNCORRECTABLE, () -> f.read(0, back, 0, PAGE));
        assertEquals("read at 0x0: sector at 0x200 (page 0) has an uncorrectable ECC error (expected: at most 1 bit error per 512 bytes)",
                e.getMessage());
        assertEquals(1, f.eccStats().uncorrectableErrors());
        // Other sectors of the page still read.
        byte[] part = new byte[512];
        f.read(1024, part, 0, 512);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 1024, 1536), part);
    }

    @Test
    void eccFollowsPartialProgramsOfOneSector() {
        SimulatedNandFlash f = nand(NandFaults.NONE);
        f.program(10, new byte[] {(byte) 0xF0}, 0, 1);
        f.program(11, new byte[] {0x0F}, 0, 1);
        f.program(10, new byte[] {0x30}, 0, 1); // clears more bits of an already programmed byte
        f.flipStoredBit(12, 7);
        byte[] back = new byte[3];
        f.read(10, back, 0, 3);
        assertArrayEquals(new byte[] {0x30, 0x0F, (byte) 0xFF}, back);
        assertEquals(1, f.eccStats().correctedBits());
    }

    @Test
    void erasedSectorsToleratesOneStrayZero() {
        SimulatedNandFlash f = nand(NandFaults.NONE);
        f.flipStoredBit(5 * PAGE + 4, 1);
        byte[] back = new byte[PAGE];
        f.read(5 * PAGE, back, 0, PAGE);
        assertArrayEquals(filled(PAGE, 0xFF), back);
        f.flipStoredBit(5 * PAGE + 9, 1);
        assertFlash(FlashException.Kind.ECC_UNCORRECTABLE, () -> f.read(5 * PAGE, back, 0, PAGE));
    }

    @Test
    void readDisturbIsCorrectedOnEveryRead() {
        SimulatedNandFlash f = nand(new NandFaults(9, List.of(), 0, 0, 0, 1.0));
        byte[] data = random(PAGE, 2);
        f.program(0, data, 0, PAGE);
        byte[] back = new byte[PAGE];
        for (int i = 0; i < 10; i++) {
            f.read(0, back, 0, PAGE);
            assertArrayEquals(data, back);
        }
        assertEquals(40, f.eccStats().correctedBits()); // 4 sectors × 10 reads, one flip each
        f.read(PAGE, back, 0, PAGE); // erased sectors are not disturbed
        assertEquals(40, f.eccStats().correctedBits());
    }

    @Test
    void spareAreaAccess() {
        SimulatedNandFlash f = nand(NandFaults.NONE);
        byte[] spare = new byte[64];
        f.readSpare(7, 0, spare, 0, 64);
        assertArrayEquals(filled(64, 0xFF), spare);
        f.programSpare(7, 2, new byte[] {1, 2, 3}, 0, 3);
        f.readSpare(7, 0, spare, 0, 64);
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xFF, 1, 2, 3, (byte) 0xFF}, java.util.Arrays.copyOf(spare, 6));
        // The marker bytes and the ECC slots are not the user's.
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.programSpare(8, 0, new byte[1], 0, 1));
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.programSpare(8, 31, new byte[2], 0, 2));
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.programSpare(512, 2, new byte[1], 0, 1));
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.readSpare(0, 60, spare, 0, 5));
        assertFlash(FlashException.Kind.NOT_ERASED, () -> f.programSpare(7, 2, new byte[] {3}, 0, 1));
        assertFlash(FlashException.Kind.OUT_OF_ORDER, () -> f.programSpare(6, 2, new byte[1], 0, 1));
        // A main program writes ECC slot 0 of each sector it touches, nothing else of the spare.
        f.program(8 * PAGE, new byte[600], 0, 600); // sectors 0 and 1
        f.readSpare(8, 0, spare, 0, 64);
        assertArrayEquals(filled(32, 0xFF), java.util.Arrays.copyOf(spare, 32));
        assertTrue(SectorEcc.isUsed(spare[32] & 0xFF | (spare[33] & 0xFF) << 8));  // sector 0, slot 0
        assertTrue(SectorEcc.isUsed(spare[40] & 0xFF | (spare[41] & 0xFF) << 8));  // sector 1, slot 0
        assertArrayEquals(filled(6, 0xFF), java.util.Arrays.copyOfRange(spare, 34, 40));   // sector 0, slots 1..3
        assertArrayEquals(filled(22, 0xFF), java.util.Arrays.copyOfRange(spare, 42, 64));  // the rest
        // The page's second program writes slot 1 of the sectors it touches.
        f.program(8 * PAGE + 1600, new byte[1], 0, 1); // sector 3
        f.readSpare(8, 0, spare, 0, 64);
        assertTrue(SectorEcc.isUsed(spare[58] & 0xFF | (spare[59] & 0xFF) << 8));  // sector 3, slot 1
        assertArrayEquals(filled(2, 0xFF), java.util.Arrays.copyOfRange(spare, 56, 58)); // sector 3, slot 0 unused
    }

    @Test
    void markBadIgnoresOrderAndStaysAfterItsBlockIsFull() {
        SimulatedNandFlash f = nand(NandFaults.NONE);
        f.program(BLOCK + 63 * PAGE, new byte[1], 0, 1);
        f.markBad(1);
        assertTrue(f.isBad(1));
        assertFlash(FlashException.Kind.BAD_BLOCK, () -> f.erase(BLOCK, BLOCK));
    }
}
