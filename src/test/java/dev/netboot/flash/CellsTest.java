package dev.netboot.flash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Sparse cells behave as a plain array does, and cost what was written to them; cells that share a pool behave as
 * each would alone, and hold what they wrote alike once.
 */
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
        // Only the top of the chunk index: 4096 chunks in groups of 64, 8 bytes a group.
        assertEquals(64 * 8, flash.storedBytes());
        flash.erase(1 << 20, 1 << 20); // erasing erased cells stores nothing
        assertEquals(64 * 8, flash.storedBytes());
        byte[] page = new byte[256];
        new SplittableRandom(1).nextBytes(page);
        for (long off = 1 << 20; off < 2 << 20; off += 256) {
            flash.program(off, page, 0, 256);
        }
        // The 256 sectors written, 4 KiB each, and the 4 groups of the index they fall in (64 references of 8 bytes).
        assertEquals((1 << 20) + 64 * 8 + 4 * 64 * 8, flash.storedBytes());
        byte[] back = new byte[256];
        flash.read((1 << 20) + 4096 * 17, back, 0, 256);
        assertArrayEquals(page, back);
        flash.read(0, back, 0, 256);
        byte[] erased = new byte[256];
        Arrays.fill(erased, (byte) 0xFF);
        assertArrayEquals(erased, back);
        assertTrue(flash.storedBytes() < (16 << 20) / 15);
    }

    @Test
    void sparseCellsSharingAPoolEachMatchAPlainArrayUnderRandomOperations() {
        int size = 6 * Cells.Sparse.CHUNK;
        Cells.Pool pool = new Cells.Pool();
        Cells[] cells = {Cells.sparse(size, 0xFF, pool), Cells.sparse(size, 0xFF, pool), Cells.sparse(size, 0xFF, pool)};
        byte[][] model = new byte[3][size];
        for (byte[] m : model) {
            Arrays.fill(m, (byte) 0xFF);
        }
        SplittableRandom r = new SplittableRandom(7);
        int sharedSeen = 0;
        for (int step = 0; step < 20_000; step++) {
            // Most operations go to every store alike (so that chunks come out the same and are shared), some to one.
            boolean all = r.nextInt(3) > 0;
            int one = r.nextInt(3);
            boolean aligned = r.nextBoolean();
            int at = aligned ? r.nextInt(6) * Cells.Sparse.CHUNK : r.nextInt(size);
            int len = aligned ? Cells.Sparse.CHUNK * (1 + r.nextInt(Math.min(2, (size - at) / Cells.Sparse.CHUNK)))
                    : r.nextInt(Math.min(9000, size - at) + 1);
            int op = r.nextInt(4);
            byte[] src = new byte[len];
            r.nextBytes(src);
            if (r.nextInt(4) == 0) {
                Arrays.fill(src, (byte) 0x5A); // chunks of one value: alike even between different writes
            }
            byte v = r.nextBoolean() ? (byte) 0xFF : (byte) r.nextInt(256);
            for (int k = 0; k < 3; k++) {
                if (!all && k != one) {
                    continue;
                }
                switch (op) {
                    case 0 -> {
                        System.arraycopy(src, 0, model[k], at, len);
                        cells[k].write(at, src, 0, len);
                    }
                    case 1 -> {
                        Arrays.fill(model[k], at, at + len, v);
                        cells[k].fill(at, len, v);
                    }
                    case 2 -> {
                        model[k][at] = v;
                        cells[k].set(at, v);
                    }
                    default -> {
                        byte[] back = new byte[len];
                        cells[k].read(at, back, 0, len);
                        assertArrayEquals(Arrays.copyOfRange(model[k], at, at + len), back, "store " + k + " read at " + at
                                + " step " + step);
                        assertEquals(model[k][at], cells[k].get(at));
                    }
                }
            }
            sharedSeen = Math.max(sharedSeen, pool.size());
        }
        for (int k = 0; k < 3; k++) {
            byte[] back = new byte[size];
            cells[k].read(0, back, 0, size);
            assertArrayEquals(model[k], back, "store " + k + " at the end");
        }
        assertTrue(sharedSeen > 10, "the pool took " + sharedSeen + " chunks: the sharing was not exercised");
    }

    @Test
    void aHundredChipsTakingTheSameImageHoldItOnceAndOneRewrittenLeavesTheOthersAsTheyWere() {
        FlashGeometry g = new FlashGeometry(16 << 20, 4096, 256, 0xFF);
        Flashes.Sharing sharing = new Flashes.Sharing();
        byte[] image = new byte[1 << 20];
        new SplittableRandom(3).nextBytes(image);
        SimulatedNorFlash[] chips = new SimulatedNorFlash[100];
        // The index's top (64 groups), the 4 groups 1 MiB falls in (64 references each), the bit per chunk that says shared.
        long index = 64 * 8 + 4 * 64 * 8 + 4096 / 64 * 8;
        for (int k = 0; k < chips.length; k++) {
            chips[k] = (SimulatedNorFlash) sharing.open(FlashSpec.nor(g), k);
            chips[k].erase(1 << 20, 1 << 20);
            for (int off = 0; off < image.length; off += 256) {
                chips[k].program((1 << 20) + off, image, off, 256);
            }
        }
        assertEquals(256, sharing.chunks()); // 1 MiB in sectors of 4 KiB, random: no two alike
        assertEquals((1 << 20) + index, chips[0].storedBytes()); // the first chip's sectors became the pool's
        for (int k = 1; k < chips.length; k++) {
            assertEquals(index, chips[k].storedBytes(), "chip " + k + " holds no sector of its own");
        }
        // Chip 7 takes another image into the same place: its own again, the others' still the first image.
        byte[] other = image.clone();
        other[5000] ^= 1;
        chips[7].erase(1 << 20, 1 << 20);
        for (int off = 0; off < other.length; off += 256) {
            chips[7].program((1 << 20) + off, other, off, 256);
        }
        byte[] back = new byte[image.length];
        chips[7].read(1 << 20, back, 0, back.length);
        assertArrayEquals(other, back);
        for (int k : new int[] {0, 6, 8, 99}) {
            chips[k].read(1 << 20, back, 0, back.length);
            assertArrayEquals(image, back, "chip " + k);
        }
        assertEquals(257, sharing.chunks()); // one sector differs
        assertEquals(4096 + index, chips[7].storedBytes()); // the sector that differs is the one it gave the pool
    }

    @Test
    void nandChipsSharingWhatTheyWroteReadItBackAsWritten() {
        NandGeometry nand = NandGeometry.of(new FlashGeometry(4 << 20, 128 * 1024, 2048, 0xFF));
        Flashes.Sharing sharing = new Flashes.Sharing();
        FlashSpec spec = FlashSpec.nand(nand, java.util.List.of(), 0);
        Flash a = sharing.open(spec, 1);
        Flash b = sharing.open(spec, 2);
        byte[] data = new byte[256 * 1024];
        new SplittableRandom(9).nextBytes(data);
        for (Flash f : new Flash[] {a, b}) {
            f.erase(0, data.length);
            for (int off = 0; off < data.length; off += 2048) {
                f.program(off, data, off, 2048);
            }
        }
        assertTrue(sharing.chunks() > 0, "no chunk shared");
        byte[] back = new byte[data.length];
        b.read(0, back, 0, back.length);
        assertArrayEquals(data, back);
        a.erase(0, 128 * 1024);
        a.read(0, back, 0, back.length);
        assertArrayEquals(data, readBack(b, data.length));
        byte[] erasedBlock = new byte[128 * 1024];
        Arrays.fill(erasedBlock, (byte) 0xFF);
        assertArrayEquals(erasedBlock, Arrays.copyOf(back, 128 * 1024));
    }

    private static byte[] readBack(Flash f, int len) {
        byte[] back = new byte[len];
        f.read(0, back, 0, len);
        return back;
    }
}
