package dev.netboot.flash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FlashWearTest {
    @Test
    void norCountsEachSectorErase() {
        SimulatedNorFlash f = SimulatedNorFlash.inMemory(FlashContractTest.SMALL);
        f.erase(0x1000, 0x3000);
        f.erase(0x2000, 0x1000);
        long[] counts = f.eraseCounts();
        assertEquals(16, counts.length);
        assertArrayEquals(new long[] {0, 1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, counts);
        counts[0] = 99; // a copy
        assertEquals(0, f.eraseCounts()[0]);
        assertEquals(new FlashWear(4, 2, 2, 0), FlashWear.of(f.eraseCounts()));
    }

    @Test
    void summaryOfNothing() {
        assertEquals(new FlashWear(0, 0, 0, 0), FlashWear.of(new long[0]));
        assertEquals(new FlashWear(0, 0, 0, 0), FlashWear.of(new long[3]));
    }
}
