package dev.netboot.cli;

import static dev.netboot.cli.BootCliTest.randomImage;
import static dev.netboot.cli.BootCliTest.run;
import static dev.netboot.cli.BootCliTest.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One run at a time on a board's flash file ({@link FlashLock}). Two {@code boot}s started together on one flash file
 * (two terminals, a script run twice) both planned slot B, wrote their 6 MB images over each other, and both said
 * "slot B is active" with their own SHA-256, exit 0; {@code flash inspect} then showed one of them. Here the other run
 * is this test holding the file's lock (as a second process does, which the kernel's advisory lock shows to every
 * other one): each command is refused in one line, exit 2, with the flash file as it was.
 */
class FlashFileInUseCliTest {
    @TempDir
    Path dir;

    @Test
    void aFlashFileAnotherRunIsUsingIsRefusedInOneLineAndLeftAsItWas() throws Exception {
        Path flash = dir.resolve("f.img");
        String f = flash.toString();
        byte[] second = randomImage(6000, 2);
        Path v2 = Files.write(dir.resolve("2.bin"), second);
        assertEquals(0, run("boot", "--image", Files.write(dir.resolve("1.bin"), randomImage(5000, 1)).toString(), "--flash-file", f,
                "--flash-timing", "none").exit());
        byte[] before = Files.readAllBytes(flash);
        String busy = "netboot: " + f + ": another netboot run is using this flash file (expected: one boot, flash select or flash"
                + " confirm at a time on a board's flash; run this once that one has ended)\n";

        try (FileChannel other = FileChannel.open(flash, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileLock held = other.lock()) {
            BootCliTest.Run boot = run("boot", "--image", v2.toString(), "--flash-file", f, "--flash-timing", "none");
            assertEquals(Main.EXIT_USAGE, boot.exit(), boot.out());
            assertEquals(busy, boot.err());
            for (String command : new String[] {"select", "confirm", "inspect"}) {
                BootCliTest.Run r = run("flash", command, "--flash-file", f);
                assertEquals(Main.EXIT_USAGE, r.exit(), command + ": " + r.out());
                assertEquals(busy, r.err(), command);
            }
            JsonNode j = run("flash", "select", "--flash-file", f, "--json").json();
            assertEquals("error", j.get("result").asText());
            assertEquals("usage", j.get("stage").asText());
        }
        assertArrayEquals(before, Files.readAllBytes(flash), "nothing written while the other run held the file");

        // The other run ended: the lock went with it.
        BootCliTest.Run boot = run("boot", "--image", v2.toString(), "--flash-file", f, "--flash-timing", "none", "--json");
        assertEquals(0, boot.exit(), boot.err());
        assertEquals("B", boot.json().get("slot").asText());
        JsonNode inspect = run("flash", "inspect", "--flash-file", f, "--json").json();
        assertEquals(sha256(second), inspect.get("activeSha256").asText());
    }
}
