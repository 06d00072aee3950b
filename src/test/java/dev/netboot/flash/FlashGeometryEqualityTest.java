package dev.netboot.flash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link FlashGeometry} writes its equals and hashCode out (issue 11: the record's own bootstrap spins classes at every
 * start): every component counts, and the hash is a record's of the same components, so hash orders stay as they were.
 */
class FlashGeometryEqualityTest {
    private record Same(long size, int eraseUnit, int pageSize, int erasedValue) {
    }

    @Test
    void everyComponentCountsAndTheHashIsARecords() {
        FlashGeometry g = new FlashGeometry(16 << 20, 4096, 256, 0xFF);
        assertEquals(new FlashGeometry(16 << 20, 4096, 256, 0xFF), g);
        assertEquals(new Same(16 << 20, 4096, 256, 0xFF).hashCode(), g.hashCode());
        assertNotEquals(new FlashGeometry(32 << 20, 4096, 256, 0xFF), g);
        assertNotEquals(new FlashGeometry(16 << 20, 8192, 256, 0xFF), g);
        assertNotEquals(new FlashGeometry(16 << 20, 4096, 512, 0xFF), g);
        assertNotEquals(new FlashGeometry(16 << 20, 4096, 256, 0x00), g);
        assertNotEquals(g, null);
        FlashGeometry nand = new FlashGeometry(1L << 31, 128 << 10, 2048, 0);
        assertEquals(new Same(1L << 31, 128 << 10, 2048, 0).hashCode(), nand.hashCode());
    }
}
