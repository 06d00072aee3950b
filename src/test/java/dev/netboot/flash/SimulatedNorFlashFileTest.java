package dev.netboot.flash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedNorFlashFileTest extends FlashContractTest {
    @TempDir
    Path dir;

    private int files;

    @Override
    protected Flash create(FlashGeometry geometry) {
        return SimulatedNorFlash.openFile(dir.resolve("flash-" + files++ + ".bin"), geometry);
    }

    /** The in-memory simulators are swept at every operation; this one, the same code over a file, at every 8th. */
    @Override
    protected int sweepStride() {
        return 8;
    }

    @Test
    void createsFileOfGeometrySizeFilledErased() throws IOException {
        Path file = dir.resolve("new.bin");
        SimulatedNorFlash.openFile(file, SMALL).close();
        byte[] content = Files.readAllBytes(file);
        assertEquals(65536, content.length);
        assertArrayEquals(filled(65536, 0xFF), content);
    }

    @Test
    void readOnlyOpensTheFileAsItIsAndRefusesEveryChangeLeavingItAsItWas() throws IOException {
        Path file = dir.resolve("ro.bin");
        try (Flash f = SimulatedNorFlash.openFile(file, SMALL)) {
            f.program(0x1234, new byte[] {0x01, 0x02}, 0, 2);
        }
        byte[] before = Files.readAllBytes(file);
        try (Flash f = Flashes.openReadOnly(FlashSpec.nor(SMALL), file)) {
            assertArrayEquals(before, readAll(f));
            assertFlash(FlashException.Kind.STATE, () -> f.erase(0x1000, 0x1000));
            assertFlash(FlashException.Kind.STATE, () -> f.program(0x3000, new byte[] {0x00}, 0, 1));
            assertArrayEquals(before, readAll(f));
        }
        assertArrayEquals(before, Files.readAllBytes(file));
        // Reading only never creates: a missing file is an IO error and stays missing.
        Path missing = dir.resolve("missing.bin");
        assertFlash(FlashException.Kind.IO, () -> Flashes.openReadOnly(FlashSpec.nor(SMALL), missing));
        assertFalse(Files.exists(missing));
        // Nor does it grow a short file to the geometry's size, as a mapping for writing would.
        Path shorter = dir.resolve("short.bin");
        Files.write(shorter, new byte[4096]);
        assertFlash(FlashException.Kind.IO, () -> Flashes.openReadOnly(FlashSpec.nor(SMALL), shorter));
        assertEquals(4096, Files.size(shorter));
    }

    @Test
    void programmedBytesReachTheFileAndSurviveReopen() throws IOException {
        Path file = dir.resolve("persist.bin");
        try (Flash f = SimulatedNorFlash.openFile(file, SMALL)) {
            f.program(0x1234, new byte[] {0x01, 0x02, 0x03}, 0, 3);
            f.erase(0x2000, 0x1000);
        }
        byte[] expected = filled(65536, 0xFF);
        expected[0x1234] = 0x01;
        expected[0x1235] = 0x02;
        expected[0x1236] = 0x03;
        assertArrayEquals(expected, Files.readAllBytes(file));

        try (Flash f = SimulatedNorFlash.openFile(file, SMALL)) {
            assertArrayEquals(expected, readAll(f));
            // Reopened content is reused as it is: the programmed bytes still refuse 0->1.
            assertFlash(FlashException.Kind.NOT_ERASED, () -> f.program(0x1234, new byte[] {0x03}, 0, 1));
        }
    }

    @Test
    void existingFileContentIsReusedNotErased() throws IOException {
        Path file = dir.resolve("given.bin");
        byte[] content = new byte[65536];
        Arrays.fill(content, 0x8000, 0x9000, (byte) 0x3C);
        Files.write(file, content);
        try (Flash f = SimulatedNorFlash.openFile(file, SMALL)) {
            assertArrayEquals(content, readAll(f));
        }
        assertArrayEquals(content, Files.readAllBytes(file));
    }

    @Test
    void wrongSizeFileIsRefusedNamingBothSizes() throws IOException {
        Path file = dir.resolve("short.bin");
        Files.write(file, new byte[1000]);
        FlashGeometry w25q128 = new FlashGeometry(16 * 1024 * 1024, 4096, 256, 0xFF);
        FlashException e = assertFlash(FlashException.Kind.IO, () -> SimulatedNorFlash.openFile(file, w25q128));
        assertEquals("flash file " + file + " is 1000 bytes (expected: 16777216 for profile geometry)", e.getMessage());
        // The refused file is left exactly as it was.
        assertArrayEquals(new byte[1000], Files.readAllBytes(file));
    }

    @Test
    void unopenableFileIsAnIoError() {
        Path missingDir = dir.resolve("no-such-dir").resolve("flash.bin");
        FlashException e = assertFlash(FlashException.Kind.IO, () -> SimulatedNorFlash.openFile(missingDir, SMALL));
        assertTrue(e.getMessage().startsWith("flash file " + missingDir + ": cannot create"), e.getMessage());
    }
}
