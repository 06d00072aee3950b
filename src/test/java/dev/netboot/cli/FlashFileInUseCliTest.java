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

    /**
     * A process's lock on a file (fcntl, as the JDK takes it on Linux) goes when the process closes any descriptor of that
     * file, not only the one it locked through. The flash commands took the lock, then opened the flash file to check its
     * slot records and closed it: from then on the kernel showed the file unlocked to every other process for the rest of
     * the run, so a boot started during a {@code flash select} could write the slots the select was writing. Here another
     * process (a JVM of its own) asks for the lock while the command works, after its checks and with its flash open.
     */
    @Test
    void theFlashCommandsHoldTheLockAgainstOtherProcessesWhileTheyWork() throws Exception {
        Path flash = dir.resolve("f.img");
        assertEquals(0, run("boot", "--image", Files.write(dir.resolve("1.bin"), randomImage(5000, 1)).toString(), "--flash-file",
                flash.toString(), "--flash-timing", "none").exit());
        assertEquals("FREE", probe(flash), "no run holds it now");
        for (boolean readsOnly : new boolean[] {false, true}) { // select and confirm; inspect, whose shared lock bars writers
            FlashCommand.FlashFile command = new FlashCommand.FlashFile();
            command.flashFile = flash;
            String[] seen = new String[1];
            int exit = command.run((profile, slots, json) -> {
                seen[0] = probe(flash);
                return new FlashCommand.Done(true, "");
            }, readsOnly);
            assertEquals(0, exit);
            assertEquals("HELD", seen[0], readsOnly ? "inspect" : "select/confirm");
        }
        assertEquals("FREE", probe(flash), "the lock went with the command");
    }

    /** Asks, from another process, for the write lock of {@code file}: HELD when some process holds a lock on it, else FREE. */
    private static String probe(Path file) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), LockProbe.class.getName(), file.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            assertEquals(0, p.waitFor(), out);
            return out;
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The other process of {@link #probe}. */
    static final class LockProbe {
        public static void main(String[] args) throws Exception {
            try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                FileLock lock = ch.tryLock();
                System.out.println(lock == null ? "HELD" : "FREE");
            }
        }
    }
}
