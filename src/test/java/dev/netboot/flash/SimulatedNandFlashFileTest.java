package dev.netboot.flash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedNandFlashFileTest extends FlashContractTest {
    @TempDir
    Path dir;

    private int files;

    @Override
    protected Flash create(FlashGeometry geometry) {
        return SimulatedNandFlash.openFile(dir.resolve("nand-" + files++ + ".bin"), NandGeometry.of(geometry), NandFaults.NONE);
    }

    /** The in-memory simulators are swept at every operation; this one, the same code over a file, at every 8th. */
    @Override
    protected int sweepStride() {
        return 8;
    }

    @Override
    protected boolean acceptsAnyErasedValue() {
        return false;
    }

    @Test
    void readOnlyKeepsTheMarksAndRefusesEveryChangeLeavingTheFileAsItWas() throws IOException {
        NandGeometry g = SimulatedNandFlashTest.G;
        Path file = dir.resolve("ro.bin");
        try (SimulatedNandFlash f = SimulatedNandFlash.openFile(file, g, NandFaults.factoryBad(5))) {
            f.program(3 * 2048 + 10, new byte[] {0x12, 0x34}, 0, 2);
        }
        byte[] before = Files.readAllBytes(file);
        FlashSpec spec = FlashSpec.nand(g, java.util.List.of(6), 0); // factory marks apply to a new file only
        try (NandFlash f = (NandFlash) Flashes.openReadOnly(spec, file)) {
            assertTrue(f.isBad(5));
            assertFalse(f.isBad(6));
            byte[] back = new byte[2];
            f.read(3 * 2048 + 10, back, 0, 2);
            assertArrayEquals(new byte[] {0x12, 0x34}, back);
            assertFlash(FlashException.Kind.STATE, () -> f.erase(64 * 2048, 64 * 2048));
            assertFlash(FlashException.Kind.STATE, () -> f.program(4 * 2048, new byte[] {0x00}, 0, 1));
            assertFlash(FlashException.Kind.STATE, () -> f.programSpare(4, 2, new byte[] {0x00}, 0, 1));
            assertFlash(FlashException.Kind.STATE, () -> f.markBad(2));
        }
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void rawLayoutIsPageThenSpareAndStateSurvivesReopen() throws IOException {
        NandGeometry g = SimulatedNandFlashTest.G;
        Path file = dir.resolve("raw.bin");
        try (SimulatedNandFlash f = SimulatedNandFlash.openFile(file, g, NandFaults.factoryBad(5))) {
            f.program(3 * 2048 + 10, new byte[] {0x12, 0x34}, 0, 2); // page 3 of block 0
            f.programSpare(3, 2, new byte[] {0x56}, 0, 1);
            f.program(3 * 2048 + 1500, new byte[] {0x78}, 0, 1); // sector 2, the page's third program: slot 2
        }
        byte[] raw = Files.readAllBytes(file);
        assertEquals(512 * 2112, raw.length); // 8 blocks × 64 pages × (2048 + 64)
        assertEquals(0x12, raw[3 * 2112 + 10]);
        assertEquals(0x34, raw[3 * 2112 + 11]);
        assertEquals(0x56, raw[3 * 2112 + 2048 + 2]);
        assertEquals(0x00, raw[5 * 64 * 2112 + 2048]); // block 5's bad-block marker
        assertTrue(raw[3 * 2112 + 2048 + g.eccOffset() + 1] != (byte) 0xFF); // sector 0's first ECC slot

        // The reopened chip knows its bad block, its data, and which pages are programmed.
        try (SimulatedNandFlash f = SimulatedNandFlash.openFile(file, g, NandFaults.factoryBad(6))) {
            assertTrue(f.isBad(5));
            assertEquals(false, f.isBad(6)); // factory marks only apply to a new file
            byte[] back = new byte[2];
            f.read(3 * 2048 + 10, back, 0, 2);
            assertArrayEquals(new byte[] {0x12, 0x34}, back);
            assertFlash(FlashException.Kind.OUT_OF_ORDER, () -> f.program(2048, new byte[1], 0, 1));
            // Page 3 has used 3 of its 4 partial programs: one more, then the limit.
            f.program(3 * 2048 + 100, new byte[1], 0, 1);
            assertFlash(FlashException.Kind.TOO_MANY_PARTIAL_PROGRAMS, () -> f.program(3 * 2048 + 102, new byte[1], 0, 1));
        }
    }
}
