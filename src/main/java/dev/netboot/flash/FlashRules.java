package dev.netboot.flash;

import java.util.Objects;

/**
 * The argument rules every simulated chip enforces the same way, NOR or NAND: reads and programs
 * inside the chip, programs within one page, erases of whole, aligned erase units. Bounds are
 * written as subtractions so huge values cannot overflow past a check.
 */
final class FlashRules {
    private FlashRules() {
    }

    /** Checks a read of {@code len} bytes at {@code offset} into {@code dst} at {@code dstOff}. */
    static void checkRead(FlashGeometry g, long offset, byte[] dst, int dstOff, int len) {
        Objects.checkFromIndexSize(dstOff, len, dst.length);
        if (offset < 0 || len > g.size() - offset) {
            throw new FlashException(FlashException.Kind.OUT_OF_RANGE, String.format(
                    "read at 0x%x len %d: outside flash (expected: within 0x0..0x%x)", offset, len, g.size()));
        }
    }

    /** Checks an erase of {@code length} bytes at {@code offset}: whole erase units, inside the chip. */
    static void checkErase(FlashGeometry g, long offset, long length) {
        int unit = g.eraseUnit();
        if (offset % unit != 0) {
            throw new FlashException(FlashException.Kind.MISALIGNED_ERASE, String.format(
                    "erase at 0x%x len %d: offset not on a %d-byte erase unit (expected: 0x%x or 0x%x)",
                    offset, length, unit, Math.floorDiv(offset, unit) * unit, (Math.floorDiv(offset, unit) + 1) * unit));
        }
        if (length % unit != 0) {
            throw new FlashException(FlashException.Kind.MISALIGNED_ERASE, String.format(
                    "erase at 0x%x len %d: length not a multiple of the %d-byte erase unit", offset, length, unit));
        }
        if (offset < 0 || length <= 0 || length > g.size() - offset) {
            throw new FlashException(FlashException.Kind.OUT_OF_RANGE, String.format(
                    "erase at 0x%x len %d: outside flash (expected: non-empty, within 0x0..0x%x)", offset, length, g.size()));
        }
    }

    /** Checks a program of {@code len} bytes of {@code src} at {@code offset}: non-empty, inside the chip, within one page. */
    static void checkProgram(FlashGeometry g, long offset, byte[] src, int srcOff, int len) {
        Objects.checkFromIndexSize(srcOff, len, src.length);
        if (offset < 0 || len <= 0 || len > g.size() - offset) {
            throw new FlashException(FlashException.Kind.OUT_OF_RANGE, String.format(
                    "program at 0x%x len %d: outside flash (expected: non-empty, within 0x0..0x%x)", offset, len, g.size()));
        }
        int page = g.pageSize();
        long pageStart = offset & -page; // page size is a power of two
        if (len > page - (offset - pageStart)) {
            throw new FlashException(FlashException.Kind.CROSSES_PAGE, String.format(
                    "program at 0x%x len %d crosses the %d-byte page at 0x%x (expected: within one page)",
                    offset, len, page, pageStart));
        }
    }
}
