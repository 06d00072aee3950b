package dev.netboot.flash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Erase ahead with a known size: the first unit at begin, unit k + 1 right after unit k's first page. */
class FlashWriterEraseAheadTest {
    private static final FlashGeometry NOR = new FlashGeometry(64 * 1024, 4096, 256, 0xFF);
    private static final Partition SLOT = new Partition("slot", 0x4000, 0x8000);

    @Test
    void knownSizeErasesTheFirstUnitAtBeginAndTheNextOneAheadOfItsData() {
        SimulatedNorFlash flash = SimulatedNorFlash.inMemory(NOR);
        byte[] img = new byte[4096 + 4096 + 100];
        new SplittableRandom(3).nextBytes(img);
        FlashWriter w = new FlashWriter(flash, SLOT);
        w.begin(img.length);
        assertEquals(1, flash.stats().erases()); // unit 0, before any byte
        ByteBuffer src = ByteBuffer.wrap(img);
        w.write(src, 0, 256);
        assertEquals(2, flash.stats().erases()); // unit 1 erased as soon as unit 0 starts
        w.write(src, 256, 4096);
        assertEquals(3, flash.stats().erases()); // unit 2 as soon as unit 1 starts
        w.write(src, 4352, img.length - 4352);
        assertEquals(img.length, w.finish());
        assertEquals(3, w.erasedSectors());
        assertEquals(3, flash.stats().erases()); // never past the image's last unit
        byte[] back = new byte[img.length];
        flash.read(SLOT.offset(), back, 0, back.length);
        assertArrayEquals(img, back);
    }

    @Test
    void anImageOfOneUnitErasesOnlyThatUnit() {
        SimulatedNorFlash flash = SimulatedNorFlash.inMemory(NOR);
        FlashWriter w = new FlashWriter(flash, SLOT);
        w.begin(4096);
        w.write(ByteBuffer.wrap(new byte[4096]), 0, 4096);
        w.finish();
        assertEquals(1, flash.stats().erases());
    }
}
