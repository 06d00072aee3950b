package dev.netboot.flash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flash file that does not exist yet is made whole under a name of its own ({@code .NAME.creating-PID-N}) and only then
 * given its name. Before, it was created under its own name and then filled: a run killed during the fill (Ctrl-C, a
 * power cut of the host) left a NAND file of zeros, every block marked bad, which the next boot refused ("0 good bytes"),
 * or a NOR file of zeros; a fill that ran out of room left a short file the next run refused as the wrong size, or, mapped,
 * a bare JVM InternalError. Runs as root (the full file system is a 1 MiB tmpfs mounted for the test).
 */
class NewFlashFileTest {
    private static final FlashGeometry SMALL = new FlashGeometry(64 * 1024, 4096, 256, 0xFF);
    private static final FlashGeometry NOR_16M = new FlashGeometry(16 * 1024 * 1024, 64 * 1024, 256, 0xFF);

    @TempDir
    Path dir;

    @Test
    void theNewFileTakesItsNameOnlyWhenWhole() throws IOException {
        Path file = dir.resolve("board.flash");
        Path part = FlashFiles.newFile(file);
        assertFalse(Files.exists(file), "nothing under the flash file's name while it is made");
        assertEquals(".board.flash.creating-" + ProcessHandle.current().pid() + "-", part.getFileName().toString()
                .substring(0, part.getFileName().toString().lastIndexOf('-') + 1));
        assertEquals(dir, part.getParent());
        Files.write(part, new byte[] {1, 2, 3});
        assertTrue(FlashFiles.publish(part, file));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
        assertEquals(List.of(file), list(dir), "the part file has gone");
    }

    @Test
    void aFileAnotherRunMadeFirstIsKeptAndThePartDropped() throws IOException {
        Path file = dir.resolve("board.flash");
        Path part = FlashFiles.newFile(file);
        Files.write(file, new byte[] {9}); // another process finished first
        Files.write(part, new byte[] {1, 2, 3});
        assertFalse(FlashFiles.publish(part, file));
        assertArrayEquals(new byte[] {9}, Files.readAllBytes(file));
        assertEquals(List.of(file), list(dir));
    }

    @Test
    void whatAKilledRunLeftIsRemovedAndTheNandMadeErased() throws Exception {
        Path file = dir.resolve("n.flash");
        NandGeometry nand = NandGeometry.mt29f(8 * 1024 * 1024);
        long raw = (long) nand.pages() * nand.rawPageSize();
        // What a run killed during the fill leaves: its part, at full size, zeros (every block's marker says bad).
        Path dead = dir.resolve(".n.flash.creating-" + endedPid() + "-1");
        Files.write(dead, new byte[(int) raw]);
        // A part of a run still going (this JVM) is not touched.
        Path alive = dir.resolve(".n.flash.creating-" + ProcessHandle.current().pid() + "-999999");
        Files.write(alive, new byte[] {7});
        try (SimulatedNandFlash f = SimulatedNandFlash.openFile(file, nand, NandFaults.NONE)) {
            for (int b = 0; b < nand.blocks(); b++) {
                assertFalse(f.isBad(b), "block " + b);
            }
        }
        assertEquals(raw, Files.size(file));
        assertEquals(List.of(alive, file), list(dir));
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(allAre(bytes, 0xFF), "erased throughout");
    }

    @Test
    void aNameOf255BytesStillGetsAPartFile() {
        String name = "é".repeat(120) + "x.flash"; // 247 bytes of UTF-8
        assertEquals(247, name.getBytes(StandardCharsets.UTF_8).length);
        Path file = dir.resolve(name);
        FileFlash.open(file, SMALL).close();
        assertTrue(Files.exists(file));
    }

    @Test
    void aFillWithNoRoomLeavesNothing_FileFlash() throws Exception {
        Path mount = mountTmpfs();
        try {
            Path file = mount.resolve("board.flash");
            FlashException e = assertThrows(FlashException.class, () -> FileFlash.open(file, NOR_16M));
            assertEquals(FlashException.Kind.IO, e.kind());
            assertTrue(e.getMessage().contains("no space left on device"), e.getMessage());
            assertEquals(List.of(), list(mount), "no short flash file for the next run to refuse");
        } finally {
            umount(mount);
        }
    }

    @Test
    void aFillWithNoRoomLeavesNothing_MappedSimulator() throws Exception {
        Path mount = mountTmpfs();
        try {
            Path file = mount.resolve("board.flash");
            FlashException e = assertThrows(FlashException.class, () -> SimulatedNorFlash.openFile(file, NOR_16M));
            assertEquals(FlashException.Kind.IO, e.kind());
            assertEquals("flash file " + file + ": cannot create: no room for its 16777216 bytes (is the file system full?)",
                    e.getMessage());
            assertEquals(List.of(), list(mount));
        } finally {
            umount(mount);
        }
    }

    private Path mountTmpfs() throws Exception {
        Path mount = Files.createDirectory(dir.resolve("full"));
        run("mount", "-t", "tmpfs", "-o", "size=1m", "netboot-test", mount.toString());
        return mount;
    }

    /** Unmounts; a mount still in use (a mapping left open) is detached all the same, and the test fails. */
    private static void umount(Path mount) throws Exception {
        Process p = new ProcessBuilder("umount", mount.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            run("umount", "-l", mount.toString());
            throw new AssertionError("umount " + mount + ": " + out + " (a mapping of the file was left open)");
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }

    /** Returns the PID of a process that has ended. */
    private static long endedPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertTrue(ProcessHandle.of(p.pid()).isEmpty());
        return p.pid();
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static boolean allAre(byte[] bytes, int value) {
        byte[] expected = new byte[bytes.length];
        Arrays.fill(expected, (byte) value);
        return Arrays.equals(bytes, expected);
    }
}
