package dev.netboot.flash;

/**
 * A named region of flash.
 *
 * @param name   the partition's name in the profile, e.g. "boot"
 * @param offset first byte, aligned to the erase unit
 * @param size   length in bytes, a multiple of the erase unit
 */
public record Partition(String name, long offset, long size) {
    /** Checks that the region is non-empty and non-negative. */
    public Partition {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("partition name is empty");
        }
        if (offset < 0 || size <= 0) {
            throw new IllegalArgumentException("partition " + name + ": offset " + offset + ", size " + size + " (expected: offset >= 0, size > 0)");
        }
    }

    /** Returns how an error line names the partition: {@code partition boot of 32768 bytes at 0x4000}. */
    public String describe() {
        return "partition " + name + " of " + size + " bytes at 0x" + Long.toHexString(offset);
    }

    /** Returns the first byte past the partition. */
    public long end() {
        return offset + size;
    }

    /** Checks that the partition lies inside {@code g} on erase-unit boundaries. */
    public void checkFits(FlashGeometry g) {
        if (offset % g.eraseUnit() != 0 || size % g.eraseUnit() != 0) {
            throw new IllegalArgumentException("partition " + name + ": offset " + offset + " and size " + size
                    + " must be multiples of the erase unit " + g.eraseUnit());
        }
        if (size > g.size() - offset) {
            // Both are at most Long.MAX_VALUE, so their sum, which may pass it, is exact read unsigned: 0x8000000000000000
            // for a size of 0x7fffffffffff0000 at 64 KiB, not a negative number.
            throw new IllegalArgumentException("partition " + name + ": ends at " + Long.toUnsignedString(offset + size)
                    + ", past the end of flash at " + g.size());
        }
    }
}
