package dev.netboot.flash;

/**
 * The shape of a flash chip: how big it is and in which units it is erased and programmed.
 *
 * @param size        total bytes
 * @param eraseUnit   bytes in the smallest erasable unit (a NOR sector, a NAND block)
 * @param pageSize    bytes in one program unit; one program operation never crosses a page
 * @param erasedValue the byte value of erased flash (0xFF on NOR and NAND)
 */
public record FlashGeometry(long size, int eraseUnit, int pageSize, int erasedValue) {
    /** Checks that units are powers of two that nest: page divides erase unit divides size. */
    public FlashGeometry {
        if (pageSize <= 0 || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("flash page size: " + pageSize + " (expected: a power of two)");
        }
        if (eraseUnit < pageSize || Integer.bitCount(eraseUnit) != 1) {
            throw new IllegalArgumentException("flash erase unit: " + eraseUnit + " (expected: a power of two >= page size " + pageSize + ")");
        }
        if (size <= 0 || size % eraseUnit != 0) {
            throw new IllegalArgumentException("flash size: " + size + " (expected: a positive multiple of the erase unit " + eraseUnit + ")");
        }
        if (erasedValue < 0 || erasedValue > 0xFF) {
            throw new IllegalArgumentException("flash erased value: " + erasedValue + " (expected: 0..255)");
        }
    }

    // Written out, as the record's own would compute them: its ObjectMethods bootstrap spins method-handle classes
    // that the AOT cache does not keep, milliseconds of every boot's start (issue 11).
    @Override
    public boolean equals(Object o) {
        return o instanceof FlashGeometry g && g.size == size && g.eraseUnit == eraseUnit && g.pageSize == pageSize
                && g.erasedValue == erasedValue;
    }

    @Override
    public int hashCode() {
        return ((Long.hashCode(size) * 31 + eraseUnit) * 31 + pageSize) * 31 + erasedValue;
    }
}
