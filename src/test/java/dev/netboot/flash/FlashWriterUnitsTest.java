package dev.netboot.flash;

import static dev.netboot.flash.FlashContractTest.assertFlash;
import static dev.netboot.flash.FlashContractTest.filled;
import static dev.netboot.flash.FlashContractTest.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The writer's unit-level features: skipping unchanged units, NAND pages, bad blocks. */
class FlashWriterUnitsTest {
    private static final Partition BOOT = new Partition("boot", 0x4000, 0x8000);
    private static final int BLOCK = 128 * 1024;
    /** Blocks 1..6 of the 1 MiB test NAND. */
    private static final Partition NAND_BOOT = new Partition("boot", BLOCK, 6 * BLOCK);

    private static FlashWriter write(Flash f, Partition p, FlashWriter.Options o, byte[] img) {
        FlashWriter w = new FlashWriter(f, p, o);
        w.begin(img.length);
        FlashWriterTest.feed(w, ByteBuffer.wrap(img), 0, img.length, 512);
        assertEquals(img.length, w.finish());
        return w;
    }

    @Test
    void skipUnchangedLeavesMatchingSectorsAlone() throws Exception {
        SimulatedNorFlash nor = SimulatedNorFlash.inMemory(FlashContractTest.SMALL);
        byte[] img = FlashWriterTest.image(10_000, 1);
        FlashWriter first = write(nor, BOOT, FlashWriter.Options.SKIP_UNCHANGED, img);
        assertEquals(3, first.erasedSectors());
        assertEquals(0, first.skippedSectors());
        assertEquals(4096 + 256, first.ramBytes());

        FlashStats before = nor.stats();
        FlashWriter again = write(nor, BOOT, FlashWriter.Options.SKIP_UNCHANGED, img);
        assertEquals(0, again.erasedSectors());
        assertEquals(3, again.skippedSectors());
        assertEquals(before.erases(), nor.stats().erases());
        assertEquals(before.programs(), nor.stats().programs());
        assertArrayEquals(FlashWriterTest.sha256(img), again.sha256());

        img[5000] ^= 1; // in the second sector
        FlashWriter changed = write(nor, BOOT, FlashWriter.Options.SKIP_UNCHANGED, img);
        assertEquals(1, changed.erasedSectors());
        assertEquals(2, changed.skippedSectors());
        assertArrayEquals(img, Arrays.copyOfRange(readAll(nor), 0x4000, 0x4000 + 10_000));
        assertArrayEquals(new long[] {0, 0, 0, 0, 1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, nor.eraseCounts());
    }

    @Test
    void defaultModeErasesEverySectorItWrites() {
        SimulatedNorFlash nor = SimulatedNorFlash.inMemory(FlashContractTest.SMALL);
        byte[] img = FlashWriterTest.image(10_000, 1);
        write(nor, BOOT, FlashWriter.Options.DEFAULTS, img);
        FlashWriter again = write(nor, BOOT, FlashWriter.Options.DEFAULTS, img);
        assertEquals(3, again.erasedSectors());
        assertEquals(0, again.skippedSectors());
        assertEquals(512, again.ramBytes());
    }

    @Test
    void nandImageBuffersWholePagesAndSkipsAFactoryBadBlock() throws Exception {
        SimulatedNandFlash nand = SimulatedNandFlash.inMemory(SimulatedNandFlashTest.G, NandFaults.factoryBad(2));
        byte[] img = FlashWriterTest.image(300_000, 2); // 2.29 blocks: logical units 0, 1, 2
        FlashWriter w = write(nand, NAND_BOOT, FlashWriter.Options.DEFAULTS, img);
        assertEquals(4096, w.ramBytes());
        assertEquals(147, nand.stats().programs()); // 146 whole pages and one of 1 088 bytes, never 512-byte pieces
        assertEquals(1, w.badSectorsSkipped());
        assertEquals(3, w.erasedSectors());
        byte[] all = readAll(nand);
        assertArrayEquals(Arrays.copyOfRange(img, 0, BLOCK), Arrays.copyOfRange(all, BLOCK, 2 * BLOCK));
        assertArrayEquals(filled(BLOCK, 0xFF), Arrays.copyOfRange(all, 2 * BLOCK, 3 * BLOCK)); // the bad block
        assertArrayEquals(Arrays.copyOfRange(img, BLOCK, 300_000), Arrays.copyOfRange(all, 3 * BLOCK, 3 * BLOCK + 300_000 - BLOCK));
        assertArrayEquals(new long[] {0, 1, 0, 1, 1, 0, 0, 0}, nand.eraseCounts());
        assertArrayEquals(FlashWriterTest.sha256(img), w.sha256());

        // Writing it again with skipping: the same good blocks, none erased.
        FlashWriter again = write(nand, NAND_BOOT, FlashWriter.Options.SKIP_UNCHANGED, img);
        assertEquals(3, again.skippedSectors());
        assertEquals(BLOCK + 2048, again.ramBytes());
    }

    @Test
    void eraseFailureMovesToTheNextGoodBlock() {
        SimulatedNandFlash nand = SimulatedNandFlash.inMemory(SimulatedNandFlashTest.G, NandFaults.NONE);
        Flash failing = new ForwardingFlash(nand) {
            @Override
            public void erase(long offset, long length) {
                if (offset == 2 * BLOCK) {
                    nand.markBad(2);
                    throw new FlashException(FlashException.Kind.ERASE_FAILED, "erase of block 2: status FAIL");
                }
                super.erase(offset, length);
            }
        };
        byte[] img = FlashWriterTest.image(200_000, 3);
        FlashWriter w = write(failing, NAND_BOOT, FlashWriter.Options.DEFAULTS, img);
        assertEquals(1, w.badSectorsSkipped());
        assertTrue(nand.isBad(2));
        byte[] back = new byte[200_000 - BLOCK];
        nand.read(3 * BLOCK, back, 0, back.length);
        assertArrayEquals(Arrays.copyOfRange(img, BLOCK, 200_000), back);
    }

    @Test
    void badBlocksReduceThePartitionsCapacity() {
        SimulatedNandFlash nand = SimulatedNandFlash.inMemory(SimulatedNandFlashTest.G, NandFaults.factoryBad(2, 5));
        FlashWriter w = new FlashWriter(nand, NAND_BOOT);
        FlashException e = assertFlash(FlashException.Kind.IMAGE_TOO_LARGE, () -> w.begin(4L * BLOCK + 1));
        assertEquals("image of 524289 bytes does not fit partition boot of 786432 bytes at 0x20000 with 2 bad blocks"
                + " (524288 good bytes; expected: spare blocks reserved)", e.getMessage());
        FlashWriter fits = new FlashWriter(nand, NAND_BOOT);
        fits.begin(-1);
        byte[] img = FlashWriterTest.image(4 * BLOCK, 4);
        fits.write(ByteBuffer.wrap(img), 0, img.length);
        assertFlash(FlashException.Kind.IMAGE_TOO_LARGE, () -> fits.write(ByteBuffer.wrap(img), 0, 1));
    }
}
