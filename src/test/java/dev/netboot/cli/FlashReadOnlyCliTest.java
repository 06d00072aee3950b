package dev.netboot.cli;

import static dev.netboot.cli.BootCliTest.randomImage;
import static dev.netboot.cli.BootCliTest.run;
import static dev.netboot.cli.BootCliTest.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code flash inspect} only reads, so it works on a flash file netboot may not write: a copy a user keeps read-only, a
 * file on a read-only mount, an immutable file. The tests run as root, to whom a file's mode denies nothing, so the file
 * is made immutable ({@code chattr +i}: no process may open it for writing, root included) for the run. Before, inspect
 * mapped the file for writing and said "cannot open: operation not permitted", exit 2.
 */
class FlashReadOnlyCliTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"spi-nor-16m", "nand-128m"})
    void inspectReadsAnImmutableFlashFileAndSelectIsStillRefusedInOneLine(String profile) throws Exception {
        Path flash = dir.resolve("board.img");
        byte[] first = randomImage(70_000, 1);
        byte[] second = randomImage(50_000, 2);
        for (byte[] img : new byte[][] {first, second}) {
            Path image = Files.write(dir.resolve("img.bin"), img);
            BootCliTest.Run boot = run("boot", "--profile", profile, "--image", image.toString(), "--flash-file", flash.toString(),
                    "--flash-timing", "none");
            assertEquals(0, boot.exit(), boot.err());
        }
        byte[] before = Files.readAllBytes(flash);
        immutable(flash, true);
        try {
            // What the test stands on: nobody may open the file for writing now.
            assertThrows(IOException.class, () -> Files.newOutputStream(flash, StandardOpenOption.APPEND).close());

            BootCliTest.Run inspect = run("flash", "inspect", "--flash-file", flash.toString(), "--json");
            assertEquals(0, inspect.exit(), inspect.err());
            JsonNode j = inspect.json();
            assertEquals(profile, j.get("profile").asText());
            assertEquals("B", j.get("activeSlot").asText()); // the second boot wrote the other slot
            assertTrue(j.get("activeValid").asBoolean());
            assertEquals(sha256(second), j.get("activeSha256").asText());

            // select writes the slot metadata: refused, one line, exit 2, as for any flash file it cannot open.
            BootCliTest.Run select = run("flash", "select", "--flash-file", flash.toString());
            assertEquals(Main.EXIT_USAGE, select.exit(), select.err());
            assertEquals(1, select.err().strip().lines().count(), select.err());
            assertTrue(select.err().contains("operation not permitted"), select.err());
        } finally {
            immutable(flash, false);
        }
        assertArrayEquals(before, Files.readAllBytes(flash));
    }

    private static void immutable(Path file, boolean on) throws Exception {
        Process p = new ProcessBuilder("chattr", on ? "+i" : "-i", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "chattr " + (on ? "+i " : "-i ") + file + ": " + out);
    }
}
