package dev.netboot.flash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileFlash}: the contract every flash follows, and what a file adds (created erased, kept, sized). */
class FileFlashTest extends FlashContractTest {
    @TempDir
    Path dir;

    private int files;

    @Override
    protected Flash create(FlashGeometry geometry) {
        return FileFlash.open(dir.resolve("flash-" + files++ + ".bin"), geometry);
    }

    /** The board's own flash in the device-only build: swept at every 8th operation (the NOR simulator, at every one). */
    @Override
    protected int sweepStride() {
        return 8;
    }

    @Test
    void createsFileOfGeometrySizeFilledErased() throws IOException {
        Path file = dir.resolve("new.bin");
        FileFlash.open(file, SMALL).close();
        assertArrayEquals(filled(65536, 0xFF), Files.readAllBytes(file));
    }

    @Test
    void programmedAndErasedBytesReachTheFileAndSurviveReopen() throws IOException {
        Path file = dir.resolve("persist.bin");
        try (Flash f = FileFlash.open(file, SMALL)) {
            f.program(0x1234, new byte[] {0x01, 0x02, 0x03}, 0, 3);
            f.program(0x2010, new byte[] {0x00}, 0, 1);
            f.erase(0x2000, 0x1000);
        }
        byte[] expected = filled(65536, 0xFF);
        expected[0x1234] = 0x01;
        expected[0x1235] = 0x02;
        expected[0x1236] = 0x03;
        assertArrayEquals(expected, Files.readAllBytes(file));
        try (Flash f = FileFlash.open(file, SMALL)) {
            assertArrayEquals(expected, readAll(f));
            // Reopened content is taken as it is: the programmed bytes still refuse 0->1, and nothing is written.
            assertFlash(FlashException.Kind.NOT_ERASED, () -> f.program(0x1234, new byte[] {0x03}, 0, 1));
        }
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void existingFileContentIsReusedNotErased() throws IOException {
        Path file = dir.resolve("given.bin");
        byte[] content = new byte[65536];
        Arrays.fill(content, 0x8000, 0x9000, (byte) 0x3C);
        Files.write(file, content);
        try (Flash f = FileFlash.open(file, SMALL)) {
            assertArrayEquals(content, readAll(f));
        }
        assertArrayEquals(content, Files.readAllBytes(file));
    }

    @Test
    void wrongSizeFileIsRefusedNamingBothSizesAndLeftAlone() throws IOException {
        Path file = dir.resolve("short.bin");
        Files.write(file, new byte[1000]);
        FlashGeometry w25q128 = new FlashGeometry(16 * 1024 * 1024, 4096, 256, 0xFF);
        FlashException e = assertFlash(FlashException.Kind.IO, () -> FileFlash.open(file, w25q128));
        assertEquals("flash file " + file + " is 1000 bytes (expected: 16777216 for profile geometry)", e.getMessage());
        assertArrayEquals(new byte[1000], Files.readAllBytes(file));
    }

    @Test
    void aFileThatCannotBeCreatedIsAnIoError() {
        Path missingDir = dir.resolve("no-such-dir").resolve("flash.bin");
        FlashException e = assertFlash(FlashException.Kind.IO, () -> FileFlash.open(missingDir, SMALL));
        assertEquals("flash file " + missingDir + ": cannot create: no such file or directory", e.getMessage());
    }

    @Test
    void theSameWritesLeaveTheSameBytesAsTheSimulatorsFile() throws IOException {
        Path a = dir.resolve("file-flash.bin");
        Path b = dir.resolve("simulated.bin");
        try (Flash f = FileFlash.open(a, SMALL); Flash s = SimulatedNorFlash.openFile(b, SMALL)) {
            for (Flash x : new Flash[] {f, s}) {
                x.erase(0, 8192);
                x.program(100, new byte[] {1, 2, 3, 4}, 0, 4);
                x.program(4096 + 255, new byte[] {0x7F}, 0, 1);
                x.erase(4096, 4096);
                x.program(60000, new byte[] {0x55, 0x2A}, 0, 2);
            }
            assertEquals(s.stats(), f.stats());
            assertArrayEquals(s.eraseCounts(), f.eraseCounts());
        }
        assertArrayEquals(Files.readAllBytes(b), Files.readAllBytes(a));
        assertTrue(Files.size(a) == 65536);
    }
}
