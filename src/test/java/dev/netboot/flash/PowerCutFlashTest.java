package dev.netboot.flash;

import static dev.netboot.flash.FlashContractTest.SMALL;
import static dev.netboot.flash.FlashContractTest.assertFlash;
import static dev.netboot.flash.FlashContractTest.filled;
import static dev.netboot.flash.FlashContractTest.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PowerCutFlashTest {
    private final SimulatedNorFlash nor = SimulatedNorFlash.inMemory(SMALL);

    /** The run every cut test replays: erase sectors 1 and 2, then program three pages of 0x00. */
    private static void run(Flash f) {
        f.erase(0x1000, 0x2000);                       // operations 1, 2
        for (int p = 0; p < 3; p++) {
            f.program(0x1000 + p * 256, new byte[256], 0, 256); // operations 3, 4, 5
        }
    }

    private static byte[] expectedAfter(int pagesProgrammed) {
        byte[] e = filled(65536, 0xFF);
        Arrays.fill(e, 0x1000, 0x1000 + pagesProgrammed * 256, (byte) 0);
        return e;
    }

    @Test
    void uncutRunCountsEraseUnitsAndPrograms() {
        PowerCutFlash f = PowerCutFlash.never(nor);
        run(f);
        f.read(0, new byte[16], 0, 16); // reads are not operations
        assertEquals(5, f.operations());
        assertFalse(f.isCut());
    }

    @Test
    void beforeLeavesThePreviousStateAndEverythingAfterFails() {
        PowerCutFlash f = new PowerCutFlash(nor, 4, PowerCutFlash.Mode.BEFORE, 1);
        FlashException e = assertFlash(FlashException.Kind.POWER_CUT, () -> run(f));
        assertEquals("power cut at flash operation 4 (before) during program at 0x1100 len 256", e.getMessage());
        assertTrue(f.isCut());
        assertEquals(4, f.operations());
        assertArrayEquals(expectedAfter(1), readAll(nor));
        assertFlash(FlashException.Kind.POWER_CUT, () -> f.read(0, new byte[1], 0, 1));
        assertFlash(FlashException.Kind.POWER_CUT, () -> f.erase(0, 0x1000));
        assertFlash(FlashException.Kind.POWER_CUT, () -> f.program(0x2000, new byte[1], 0, 1));
        assertArrayEquals(expectedAfter(1), readAll(nor));
        assertEquals(1, f.stats().programs());
    }

    @Test
    void afterCompletesTheCutOperation() {
        PowerCutFlash f = new PowerCutFlash(nor, 4, PowerCutFlash.Mode.AFTER, 1);
        assertFlash(FlashException.Kind.POWER_CUT, () -> run(f));
        assertArrayEquals(expectedAfter(2), readAll(nor));
    }

    @Test
    void cutBetweenTheUnitsOfOneEraseCall() {
        nor.program(0x1000, new byte[4], 0, 4);
        nor.program(0x2000, new byte[4], 0, 4);
        PowerCutFlash f = new PowerCutFlash(nor, 2, PowerCutFlash.Mode.BEFORE, 1);
        assertFlash(FlashException.Kind.POWER_CUT, () -> f.erase(0x1000, 0x2000));
        byte[] all = readAll(nor);
        assertArrayEquals(filled(4, 0xFF), Arrays.copyOfRange(all, 0x1000, 0x1004)); // unit 1 erased
        assertArrayEquals(new byte[4], Arrays.copyOfRange(all, 0x2000, 0x2004));    // unit 2 not
        assertArrayEquals(new long[] {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, f.eraseCounts());
    }

    @Test
    void tornProgramLeavesAPrefixAndOneHalfWrittenByte() {
        byte[] data = new byte[256]; // all zeros: every bit of the page is to be cleared
        int strictlyTorn = 0;
        for (long seed = 0; seed < 50; seed++) {
            SimulatedNorFlash chip = SimulatedNorFlash.inMemory(SMALL);
            PowerCutFlash f = new PowerCutFlash(chip, 1, PowerCutFlash.Mode.TORN, seed);
            assertFlash(FlashException.Kind.POWER_CUT, () -> f.program(0x3000, data, 0, 256));
            byte[] page = new byte[256];
            chip.read(0x3000, page, 0, 256);
            int prefix = 0;
            while (prefix < 256 && page[prefix] == 0) {
                prefix++;
            }
            // After the written prefix: at most one partly cleared byte, then untouched 0xFF.
            int rest = prefix < 256 && page[prefix] != (byte) 0xFF ? prefix + 1 : prefix;
            assertArrayEquals(filled(256 - rest, 0xFF), Arrays.copyOfRange(page, rest, 256), "seed " + seed);
            if (!Arrays.equals(page, data) && !Arrays.equals(page, filled(256, 0xFF))) {
                strictlyTorn++;
            }
        }
        assertTrue(strictlyTorn >= 45, "torn pages: " + strictlyTorn);
    }

    @Test
    void tornProgramIsReproducibleFromTheSeed() {
        byte[][] pages = new byte[2][256];
        for (int run = 0; run < 2; run++) {
            SimulatedNorFlash chip = SimulatedNorFlash.inMemory(SMALL);
            assertFlash(FlashException.Kind.POWER_CUT,
                    () -> new PowerCutFlash(chip, 1, PowerCutFlash.Mode.TORN, 77).program(0, new byte[256], 0, 256));
            chip.read(0, pages[run], 0, 256);
        }
        assertArrayEquals(pages[0], pages[1]);
    }

    @Test
    void tornEraseLeavesSomeBytesErasedAndSomeOld() {
        for (int p = 0; p < 16; p++) {
            nor.program(0x5000 + p * 256, new byte[256], 0, 256); // sector 5 all 0x00
        }
        nor.program(0x6000, new byte[256], 0, 256);
        PowerCutFlash f = new PowerCutFlash(nor, 1, PowerCutFlash.Mode.TORN, 3);
        assertFlash(FlashException.Kind.POWER_CUT, () -> f.erase(0x5000, 0x1000));
        byte[] all = readAll(nor);
        int erased = 0;
        for (int i = 0x5000; i < 0x6000; i++) {
            assertTrue(all[i] == 0 || all[i] == (byte) 0xFF);
            erased += all[i] == (byte) 0xFF ? 1 : 0;
        }
        assertTrue(erased > 1000 && erased < 3096, "erased bytes " + erased);
        assertArrayEquals(new byte[256], Arrays.copyOfRange(all, 0x6000, 0x6100)); // the next sector is untouched
    }

    @Test
    void tornNandPageReadsBackThroughEcc() {
        SimulatedNandFlash chip = SimulatedNandFlash.inMemory(SimulatedNandFlashTest.G, NandFaults.NONE);
        PowerCutFlash f = new PowerCutFlash(chip, 1, PowerCutFlash.Mode.TORN, 5);
        assertFlash(FlashException.Kind.POWER_CUT, () -> f.program(0, new byte[2048], 0, 2048));
        byte[] page = new byte[2048];
        chip.read(0, page, 0, 2048); // consistent content, no ECC error
        assertNotEquals(0, chip.stats().programs());
    }

    @Test
    void fileBackedCutIsWhatTheReopenedFileShows(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("nor.bin");
        PowerCutFlash f = new PowerCutFlash(SimulatedNorFlash.openFile(file, SMALL), 3, PowerCutFlash.Mode.AFTER, 1);
        assertFlash(FlashException.Kind.POWER_CUT, () -> run(f));
        f.close();
        assertArrayEquals(expectedAfter(1), Files.readAllBytes(file));
        try (Flash reopened = SimulatedNorFlash.openFile(file, SMALL)) {
            assertArrayEquals(expectedAfter(1), readAll(reopened));
        }
    }

    @Test
    void sweepOfAWriterRunStopsTheWriterAndNeverTouchesOutsideThePartition() {
        Partition boot = new Partition("boot", 0x4000, 0x8000);
        byte[] img = new byte[10_000];
        new SplittableRandom(1).nextBytes(img);
        PowerCutFlash counting = PowerCutFlash.never(SimulatedNorFlash.inMemory(SMALL));
        writeImage(counting, boot, img);
        long n = counting.operations();
        assertEquals(3 + 40, n); // 3 sector erases, 40 page programs
        for (PowerCutFlash.Mode mode : PowerCutFlash.Mode.values()) {
            for (long k = 1; k <= n; k++) {
                SimulatedNorFlash chip = SimulatedNorFlash.inMemory(SMALL);
                PowerCutFlash f = new PowerCutFlash(chip, k, mode, k);
                assertFlash(FlashException.Kind.POWER_CUT, () -> writeImage(f, boot, img));
                assertEquals(k, f.operations());
                byte[] all = readAll(chip);
                assertArrayEquals(filled(0x4000, 0xFF), Arrays.copyOfRange(all, 0, 0x4000));
                assertArrayEquals(filled(0x4000, 0xFF), Arrays.copyOfRange(all, 0xC000, 0x10000));
            }
        }
    }

    private static void writeImage(Flash f, Partition p, byte[] img) {
        FlashWriter w = new FlashWriter(f, p);
        w.begin(img.length);
        w.write(ByteBuffer.wrap(img), 0, img.length);
        w.finish();
    }
}
