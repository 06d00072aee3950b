package dev.netboot.flash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Sparse cells behave as a plain array does, and cost what was written to them. */
class CellsTest {
    @Test
    void sparseCellsMatchAPlainArrayUnderRandomOperations() {
        int size = 3 * Cells.Sparse.CHUNK + 1000; // a last chunk cut short
        byte[] model = new byte[size];
        Arrays.fill(model, (byte) 0xFF);
        Cells sparse = Cells.sparse(size, 0xFF);
        Cells dense = Cells.dense(MemorySegment.ofArray(model.clone()));
        SplittableRandom r = new SplittableRandom(5);
        for (int step = 0; step < 20_000; step++) {
            int at = r.nextInt(size);
            int len = r.nextInt(Math.min(9000, size - at) + 1);
            switch (r.nextInt(4)) {
                case 0 -> {
                    byte[] src = new byte[len];
                    r.nextBytes(src);
                    System.arraycopy(src, 0, model, at, len);
                    sparse.write(at, src, 0, len);
                    dense.write(at, src, 0, len);
                }
                case 1 -> {
                    byte v = r.nextBoolean() ? (byte) 0xFF : (byte) r.nextInt(256);
                    Arrays.fill(model, at, at + len, v);
                    sparse.fill(at, len, v);
                    dense.fill(at, len, v);
                }
                case 2 -> {
                    byte v = (byte) r.nextInt(256);
                    model[at] = v;
                    sparse.set(at, v);
                    dense.set(at, v);
                }
                default -> {
                    byte[] a = new byte[len];
                    byte[] b = new byte[len];
                    sparse.read(at, a, 0, len);
                    dense.read(at, b, 0, len);
                    assertArrayEquals(Arrays.copyOfRange(model, at, at + len), a, "sparse read at " + at + " step " + step);
                    assertArrayEquals(a, b);
                    assertEquals(model[at], sparse.get(at));
                }
            }
        }
    }

    @Test
    void aSixteenMebibyteChipWrittenWithOneMebibyteHoldsAboutOneMebibyte() {
        FlashGeometry g = new FlashGeometry(16 << 20, 4096, 256, 0xFF);
        SimulatedNorFlash flash = SimulatedNorFlash.inMemory(g);
        // Only the chunk index: 4096 chunks x 8 bytes.
        assertEquals(4096 * 8, flash.storedBytes());
        flash.erase(1 << 20, 1 << 20); // erasing erased cells stores nothing
        assertEquals(4096 * 8, flash.storedBytes());
        byte[] page = new byte[256];
        new SplittableRandom(1).nextBytes(page);
        for (long off = 1 << 20; off < 2 << 20; off += 256) {
            flash.program(off, page, 0, 256);
        }
        assertEquals((1 << 20) + 4096 * 8, flash.storedBytes()); // the 256 sectors written, 4 KiB each
        byte[] back = new byte[256];
        flash.read((1 << 20) + 4096 * 17, back, 0, 256);
        assertArrayEquals(page, back);
        flash.read(0, back, 0, 256);
        byte[] erased = new byte[256];
        Arrays.fill(erased, (byte) 0xFF);
        assertArrayEquals(erased, back);
        assertTrue(flash.storedBytes() < (16 << 20) / 15);
    }
}
