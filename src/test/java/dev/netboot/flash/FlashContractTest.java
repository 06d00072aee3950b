package dev.netboot.flash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The rules every {@link Flash} follows; each implementation's test extends this class. */
abstract class FlashContractTest {
    /** 64 KiB chip: 16 sectors of 4 KiB, 256-byte pages, erased 0xFF. */
    static final FlashGeometry SMALL = new FlashGeometry(64 * 1024, 4096, 256, 0xFF);

    private final List<Flash> opened = new ArrayList<>();

    /** Returns a new flash of the given geometry, erased. */
    abstract Flash create(FlashGeometry geometry);

    Flash open(FlashGeometry geometry) {
        Flash f = create(geometry);
        opened.add(f);
        return f;
    }

    /** Returns whether the implementation takes an erased value other than 0xFF; NAND does not. */
    boolean acceptsAnyErasedValue() {
        return true;
    }

    @AfterEach
    void closeAll() {
        opened.forEach(Flash::close);
    }

    static byte[] readAll(Flash f) {
        byte[] all = new byte[(int) f.geometry().size()];
        f.read(0, all, 0, all.length);
        return all;
    }

    static byte[] filled(int len, int value) {
        byte[] b = new byte[len];
        Arrays.fill(b, (byte) value);
        return b;
    }

    static FlashException assertFlash(FlashException.Kind kind, Executable call) {
        FlashException e = assertThrows(FlashException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }

    @Test
    void createdFlashIsErasedAndUnused() {
        Flash f = open(SMALL);
        assertEquals(SMALL, f.geometry());
        assertEquals(FlashStats.ZERO, f.stats());
        assertArrayEquals(filled(64 * 1024, 0xFF), readAll(f));
    }

    @Test
    void erasedValueComesFromGeometry() {
        FlashGeometry g = new FlashGeometry(8192, 4096, 256, 0xA5);
        if (!acceptsAnyErasedValue()) {
            assertThrows(IllegalArgumentException.class, () -> create(g));
            return;
        }
        Flash f = open(g);
        assertArrayEquals(filled(8192, 0xA5), readAll(f));
        f.program(4096, new byte[] {0x21}, 0, 1); // 0xA5 & 0x21 == 0x21: only clears bits
        f.erase(4096, 4096);
        assertArrayEquals(filled(8192, 0xA5), readAll(f));
    }

    @Test
    void programClearsBitsAndReadsBack() {
        Flash f = open(SMALL);
        byte[] data = {0x00, 0x12, (byte) 0xFE, 0x7F};
        f.program(0x1234, data, 0, 4);
        byte[] back = new byte[6];
        f.read(0x1233, back, 1, 5);
        assertArrayEquals(new byte[] {0, (byte) 0xFF, 0x00, 0x12, (byte) 0xFE, 0x7F}, back);
    }

    @Test
    void programHonoursSourceOffset() {
        Flash f = open(SMALL);
        f.program(0x100, new byte[] {1, 2, 3, 4, 5}, 2, 3);
        byte[] back = new byte[4];
        f.read(0x100, back, 0, 4);
        assertArrayEquals(new byte[] {3, 4, 5, (byte) 0xFF}, back);
    }

    @Test
    void programIsAndOfOldAndNew() {
        Flash f = open(SMALL);
        f.program(0x10, new byte[] {(byte) 0xF0, 0x3C}, 0, 2);
        // Same data again is allowed: no bit needs to rise.
        f.program(0x10, new byte[] {(byte) 0xF0, 0x3C}, 0, 2);
        // Clearing more bits is allowed: 0xF0 -> 0x30, 0x3C -> 0x0C.
        f.program(0x10, new byte[] {0x30, 0x0C}, 0, 2);
        byte[] back = new byte[2];
        f.read(0x10, back, 0, 2);
        assertArrayEquals(new byte[] {0x30, 0x0C}, back);
        assertEquals(3, f.stats().programs());
    }

    @Test
    void programNeedingZeroToOneIsRefusedAndChangesNothing() {
        Flash f = open(SMALL);
        f.program(0x200, new byte[] {0x0F, 0x0F, 0x0F}, 0, 3);
        byte[] before = readAll(f);
        FlashStats statsBefore = f.stats();
        // First two bytes only clear bits; the third needs 0x0F -> 0x1F, bit 4 going 0->1.
        FlashException e = assertFlash(FlashException.Kind.NOT_ERASED,
                () -> f.program(0x200, new byte[] {0x0E, 0x00, 0x1F}, 0, 3));
        assertEquals("program at 0x200 len 3: byte at 0x202 is 0x0f, data 0x1f needs bits 0->1 (expected: erase first)",
                e.getMessage());
        assertArrayEquals(before, readAll(f));
        assertEquals(statsBefore.programs(), f.stats().programs());
        assertEquals(statsBefore.bytesProgrammed(), f.stats().bytesProgrammed());
    }

    @Test
    void eraseThenReprogram() {
        Flash f = open(SMALL);
        f.program(0x1000, filled(256, 0x00), 0, 256);
        f.program(0x1F00, filled(256, 0x00), 0, 256);
        assertFlash(FlashException.Kind.NOT_ERASED, () -> f.program(0x1000, filled(1, 0x01), 0, 1));
        f.erase(0x1000, 0x1000);
        byte[] sector = new byte[0x1000];
        f.read(0x1000, sector, 0, sector.length);
        assertArrayEquals(filled(0x1000, 0xFF), sector);
        f.program(0x1000, filled(256, 0x5A), 0, 256);
        byte[] back = new byte[256];
        f.read(0x1000, back, 0, 256);
        assertArrayEquals(filled(256, 0x5A), back);
    }

    @Test
    void eraseTouchesOnlyItsUnits() {
        Flash f = open(SMALL);
        for (long page = 0; page < SMALL.size(); page += 256) {
            f.program(page, filled(256, 0x00), 0, 256);
        }
        f.erase(0x2000, 0x2000); // sectors 2 and 3
        byte[] expected = new byte[64 * 1024];
        Arrays.fill(expected, 0x2000, 0x4000, (byte) 0xFF);
        assertArrayEquals(expected, readAll(f));
    }

    @Test
    void eraseAlignmentViolations() {
        Flash f = open(SMALL);
        f.program(0, filled(256, 0x00), 0, 256);
        byte[] before = readAll(f);
        FlashException e = assertFlash(FlashException.Kind.MISALIGNED_ERASE, () -> f.erase(0x1001, 0x1000));
        assertEquals("erase at 0x1001 len 4096: offset not on a 4096-byte erase unit (expected: 0x1000 or 0x2000)",
                e.getMessage());
        assertFlash(FlashException.Kind.MISALIGNED_ERASE, () -> f.erase(0, 0x800));
        assertFlash(FlashException.Kind.MISALIGNED_ERASE, () -> f.erase(0, 0x1001));
        assertFlash(FlashException.Kind.MISALIGNED_ERASE, () -> f.erase(0x100, 0x100));
        assertArrayEquals(before, readAll(f));
        assertEquals(0, f.stats().erases());
    }

    @Test
    void eraseRangeViolations() {
        Flash f = open(SMALL);
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.erase(0x1000, 0)); // empty
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.erase(-0x1000, 0x1000));
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.erase(0x10000, 0x1000)); // starts at the end
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.erase(0xF000, 0x2000)); // one sector too many
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.erase(0x1000, -0x1000));
        // offset + length would overflow to a small number if the check added instead of subtracted
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.erase(0x1000, Long.MAX_VALUE - 0xFFF));
        f.erase(0, 0x10000); // the whole chip is in range
        assertEquals(16, f.stats().erases());
    }

    @Test
    void programCrossingPageIsRefused() {
        Flash f = open(SMALL);
        FlashException e = assertFlash(FlashException.Kind.CROSSES_PAGE, () -> f.program(0xf0, new byte[32], 0, 32));
        assertEquals("program at 0xf0 len 32 crosses the 256-byte page at 0x0 (expected: within one page)", e.getMessage());
        assertFlash(FlashException.Kind.CROSSES_PAGE, () -> f.program(0x1000, new byte[257], 0, 257));
        assertFlash(FlashException.Kind.CROSSES_PAGE, () -> f.program(0x10ff, new byte[2], 0, 2));
        assertArrayEquals(filled(64 * 1024, 0xFF), readAll(f));
        // The largest program that fits: exactly one page, and the last byte of a page.
        f.program(0x1000, new byte[256], 0, 256);
        f.program(0x11ff, new byte[1], 0, 1);
        assertEquals(2, f.stats().programs());
    }

    @Test
    void programOutOfRangeIsRefused() {
        Flash f = open(SMALL);
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.program(0x10000, new byte[1], 0, 1));
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.program(-1, new byte[1], 0, 1));
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.program(0xFFFF, new byte[2], 0, 2));
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.program(0x100, new byte[1], 0, 0)); // empty
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.program(Long.MAX_VALUE, new byte[1], 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> f.program(0, new byte[4], 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> f.program(0, new byte[4], 0, -1));
        assertArrayEquals(filled(64 * 1024, 0xFF), readAll(f));
        assertEquals(0, f.stats().programs());
        f.program(0xFFFF, new byte[1], 0, 1); // the last byte is in range
    }

    @Test
    void readRangeChecks() {
        Flash f = open(SMALL);
        byte[] dst = new byte[16];
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.read(-1, dst, 0, 1));
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.read(0xFFF8, dst, 0, 9));
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.read(0x10001, dst, 0, 0));
        assertFlash(FlashException.Kind.OUT_OF_RANGE, () -> f.read(Long.MAX_VALUE, dst, 0, 16));
        assertThrows(IndexOutOfBoundsException.class, () -> f.read(0, dst, 8, 9));
        assertThrows(IndexOutOfBoundsException.class, () -> f.read(0, dst, -1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> f.read(0, dst, 0, -1));
        f.read(0xFFF8, dst, 0, 8); // up to the last byte
        f.read(0x10000, dst, 0, 0); // empty read at the end
        assertEquals(2, f.stats().reads());
    }

    @Test
    void statsCountEraseUnitsAndProgrammedBytes() {
        Flash f = open(SMALL);
        f.erase(0x3000, 0x3000); // 3 sectors in one call
        f.erase(0, 0x1000);
        f.program(0x3000, new byte[100], 0, 100);
        f.program(0x3100, new byte[256], 0, 256);
        f.read(0, new byte[10], 0, 10);
        assertEquals(new FlashStats(4, 2, 1, 356, 0x4000), f.stats());
    }

    @Test
    void eraseCountsPerUnitAndNoBadUnitsOnAFreshChip() {
        Flash f = open(SMALL);
        f.erase(0x1000, 0x2000);
        f.erase(0x2000, 0x1000);
        long[] expected = new long[16];
        expected[1] = 1;
        expected[2] = 2;
        assertArrayEquals(expected, f.eraseCounts());
        for (int unit = 0; unit < 16; unit++) {
            assertEquals(false, f.isBad(unit));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> f.isBad(16));
        assertThrows(IndexOutOfBoundsException.class, () -> f.isBad(-1));
    }

    @Test
    void closedFlashRefusesEveryOperation() {
        Flash f = create(SMALL);
        f.close();
        f.close(); // idempotent
        assertFlash(FlashException.Kind.STATE, () -> f.read(0, new byte[1], 0, 1));
        assertFlash(FlashException.Kind.STATE, () -> f.erase(0, 0x1000));
        assertFlash(FlashException.Kind.STATE, () -> f.program(0, new byte[1], 0, 1));
    }
}
