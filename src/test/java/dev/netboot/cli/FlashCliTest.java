package dev.netboot.cli;

import static dev.netboot.cli.BootCliTest.randomImage;
import static dev.netboot.cli.BootCliTest.run;
import static dev.netboot.cli.BootCliTest.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code boot --flash-timing / --power-cut-at} and {@code flash inspect}, through the command line. */
class FlashCliTest {
    @TempDir
    Path dir;

    @Test
    void flashTimingMakesTheBootAsLongAsTheFlashAndCountsWear() throws Exception {
        byte[] img = randomImage(200_000, 5);
        Path image = Files.write(dir.resolve("img.bin"), img);
        BootCliTest.Run none = run("boot", "--image", image.toString(), "--flash-file", dir.resolve("a.img").toString(),
                "--flash-timing", "none", "--json");
        BootCliTest.Run typical = run("boot", "--image", image.toString(), "--flash-file", dir.resolve("b.img").toString(), "--json");
        assertEquals(0, none.exit(), none.err());
        assertEquals(0, typical.exit(), typical.err());
        JsonNode n = none.json();
        JsonNode t = typical.json();
        assertEquals("none", n.get("flashTiming").asText());
        assertEquals(0.0, n.get("flashSeconds").asDouble());
        assertEquals("typical", t.get("flashTiming").asText());
        // spi-nor-16m typical: 49 sectors x 45 ms + 782 pages x 0.4 ms, plus the metadata: about 2.6 s.
        double flash = t.get("flashSeconds").asDouble();
        assertTrue(flash > 2.5 && flash < 2.7, "flashSeconds " + flash);
        // Before the RRQ the board gets its lease (DHCP, and 0.4 s of RFC 5227 ARP probes): the same in both runs, and
        // no flash work can overlap it. From the RRQ on, the boot takes about as long as the slower of network and flash.
        double startup = n.get("simulatedSeconds").asDouble() - n.get("transferSeconds").asDouble();
        double network = n.get("simulatedSeconds").asDouble() - startup;
        double boot = t.get("simulatedSeconds").asDouble() - startup;
        assertTrue(startup > 0.4 && startup < 0.5, "lease and probe before the RRQ: " + startup + " s");
        assertTrue(boot <= 1.05 * Math.max(network, flash), "boot " + boot + " s vs max(" + network + ", " + flash + ")");
        assertTrue(t.get("acksHeld").asLong() > 0, "the network was paced");
        assertTrue(t.get("flashBufferPeak").asLong() <= t.get("flashBufferBytes").asLong());
        assertEquals(1, t.get("maxEraseCount").asLong());
        // + the commit's metadata copy (a fresh flash: prepare has no valid slot to mark empty)
        assertEquals(t.get("erasedSectors").asLong() + 1, t.get("totalErases").asLong());
        assertEquals(sha256(img), t.get("sha256").asText());
    }

    @Test
    void badTimingOrCutOptionsAreUsageErrors() {
        assertEquals(Main.EXIT_USAGE, run("boot", "--flash-timing", "slow").exit());
        assertEquals(Main.EXIT_USAGE, run("boot", "--power-cut-at", "0").exit());
        assertEquals(Main.EXIT_USAGE, run("boot", "--power-cut-at", "5", "--power-cut-mode", "sideways").exit());
    }

    @Test
    void powerCutStopsTheBoardAndTheOldSlotStaysActive() throws Exception {
        byte[] first = randomImage(50_000, 1);
        byte[] second = randomImage(60_000, 2);
        Path flash = dir.resolve("flash.img");
        assertEquals(0, run("boot", "--image", Files.write(dir.resolve("1.bin"), first).toString(), "--flash-file", flash.toString(),
                "--json").exit());
        Path two = Files.write(dir.resolve("2.bin"), second);
        for (String mode : new String[] {"before", "after", "torn"}) {
            BootCliTest.Run cut = run("boot", "--image", two.toString(), "--flash-file", flash.toString(), "--power-cut-at", "40",
                    "--power-cut-mode", mode, "--json");
            assertEquals(Main.EXIT_FAILED, cut.exit(), cut.err());
            JsonNode j = cut.json();
            assertEquals("error", j.get("result").asText());
            assertTrue(j.get("error").asText().contains("power cut at flash operation 40 (" + mode + ")"), j.get("error").asText());
            assertTrue(j.get("powerCut").asBoolean());
            assertEquals("A", j.get("activeSlot").asText());
            BootCliTest.Run inspect = run("flash", "inspect", "--flash-file", flash.toString(), "--json");
            assertEquals(0, inspect.exit(), inspect.err());
            JsonNode in = inspect.json();
            assertEquals("A", in.get("activeSlot").asText());
            assertTrue(in.get("activeValid").asBoolean());
            assertEquals(sha256(first), in.get("activeSha256").asText());
        }
        // Power back on: the update completes into B.
        BootCliTest.Run again = run("boot", "--image", two.toString(), "--flash-file", flash.toString(), "--json");
        assertEquals(0, again.exit(), again.err());
        JsonNode in = run("flash", "inspect", "--flash-file", flash.toString(), "--json").json();
        assertEquals("B", in.get("activeSlot").asText());
        assertEquals(sha256(second), in.get("activeSha256").asText());
        assertEquals(2, in.get("slots").size());
        assertEquals("A", in.get("slots").get(0).get("slot").asText());
        assertTrue(in.get("slots").get(0).get("checks").asBoolean());
        assertFalse(in.get("slots").get(0).get("active").asBoolean());
        assertTrue(in.get("slots").get(1).get("active").asBoolean());
    }

    /**
     * Issue 8: v1 in A, v1b in B, then 4 bytes of B corrupted: the board boots A. An update must go into B
     * (the damaged slot), never into A, so a power cut in the middle of it still leaves A bootable.
     */
    @Test
    void anUpdateNeverWritesIntoTheOnlySlotThatStillBoots() throws Exception {
        byte[] v1 = randomImage(50_000, 11);
        byte[] v2 = randomImage(70_000, 13);
        Path flash = dir.resolve("flash.img");
        String f = flash.toString();
        assertEquals(0, run("boot", "--image", Files.write(dir.resolve("v1.img"), v1).toString(), "--flash-file", f, "--json").exit());
        assertEquals(0, run("boot", "--image", Files.write(dir.resolve("v1b.img"), randomImage(60_000, 12)).toString(),
                "--flash-file", f, "--json").exit());
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(flash, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 0, 0}), BootCliTest.SLOT_B_OFFSET + 1000); // inside v1b
        }
        BootCliTest.Run select = run("flash", "select", "--flash-file", f);
        assertEquals(0, select.exit(), select.err());
        assertTrue(select.out().contains("active slot B fails its check; falling back to slot A"), select.out());

        Path two = Files.write(dir.resolve("v2.img"), v2);
        BootCliTest.Run cut = run("boot", "--image", two.toString(), "--flash-file", f, "--power-cut-at", "40", "--json");
        assertEquals(Main.EXIT_FAILED, cut.exit(), cut.err());
        assertTrue(cut.json().get("powerCut").asBoolean());
        assertEquals("B", cut.json().get("slot").asText(), "the update went into the damaged slot");
        BootCliTest.Run after = run("flash", "select", "--flash-file", f, "--json");
        assertEquals(0, after.exit(), after.out() + after.err());
        assertEquals("A", after.json().get("bootSlot").asText());
        assertTrue(after.json().get("verified").asBoolean());
        assertEquals(sha256(v1), run("flash", "inspect", "--flash-file", f, "--json").json().get("activeSha256").asText());

        BootCliTest.Run again = run("boot", "--image", two.toString(), "--flash-file", f, "--json");
        assertEquals(0, again.exit(), again.err());
        assertEquals("B", again.json().get("slot").asText());
        JsonNode in = run("flash", "inspect", "--flash-file", f, "--json").json();
        assertEquals("B", in.get("activeSlot").asText());
        assertEquals(sha256(v2), in.get("activeSha256").asText());
        assertEquals(sha256(v1), in.get("slots").get(0).get("sha256").asText(), "v1 stays in A as the fallback");
    }

    /** The record beside a flash file, damaged: its reader says so in words, and boot creates nothing where it cannot record. */
    @Test
    void aRecordThatIsNotTextOrIsAFolderIsOneLineAndCreatesNothing() throws Exception {
        Path flash = dir.resolve("flash.img");
        assertEquals(0, run("boot", "--image", Files.write(dir.resolve("1.bin"), randomImage(5000, 1)).toString(), "--flash-file",
                flash.toString(), "--flash-timing", "none").exit());
        Files.write(FlashProfiles.recordOf(flash), new byte[] {'[', 'b', (byte) 0xC3, (byte) 0x28, ']', '\n'}); // 0xC3 0x28: not UTF-8
        BootCliTest.Run r = run("flash", "inspect", "--flash-file", flash.toString());
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        assertEquals("netboot: " + FlashProfiles.recordOf(flash) + ": not UTF-8 text (expected: a text file)\n", r.err());

        Path other = dir.resolve("other.img");
        Files.createDirectory(FlashProfiles.recordOf(other));
        BootCliTest.Run b = run("boot", "--flash-file", other.toString());
        assertEquals(Main.EXIT_USAGE, b.exit(), b.err());
        assertEquals("netboot: --flash-file " + other + ": " + FlashProfiles.recordOf(other) + " is a directory (expected: nothing"
                + " there, or the profile boot records beside the flash file)\n", b.err());
        assertFalse(Files.exists(other), "no flash file left behind by a usage error");
    }

    /** A trial with boots left and its verified fallback are both kept: the next update is refused, nothing written. */
    @Test
    void anUpdateOverATrialAndItsFallbackIsRefusedUntilTheTrialIsConfirmed() throws Exception {
        String text = Files.readString(Path.of("device-profiles/spi-nor-16m.profile"))
                .replace("name = spi-nor-16m", "name = trial").replace("trial-boots = 0", "trial-boots = 2");
        String p = Files.writeString(dir.resolve("trial.profile"), text).toString();
        Path flash = dir.resolve("flash.img");
        String f = flash.toString();
        byte[] v1 = randomImage(5000, 1);
        byte[] v2 = randomImage(6000, 2);
        Path three = Files.write(dir.resolve("3.bin"), randomImage(7000, 3));
        assertEquals(0, run("boot", "--profile", p, "--image", Files.write(dir.resolve("1.bin"), v1).toString(), "--flash-file", f).exit());
        assertEquals(0, run("flash", "confirm", "--profile", p, "--flash-file", f).exit());
        assertEquals(0, run("boot", "--profile", p, "--image", Files.write(dir.resolve("2.bin"), v2).toString(), "--flash-file", f).exit());
        byte[] before = Files.readAllBytes(flash);

        BootCliTest.Run refused = run("boot", "--profile", p, "--image", three.toString(), "--flash-file", f, "--json");
        assertEquals(Main.EXIT_FAILED, refused.exit(), refused.err());
        JsonNode j = refused.json();
        assertEquals("flash", j.get("stage").asText());
        assertTrue(j.get("error").asText().contains("slot B is on trial (2 boots left) and slot A is its fallback"), j.get("error").asText());
        assertEquals("none", j.get("slot").asText());
        assertTrue(j.get("partition").isNull());
        assertEquals(0, j.get("flashOps").asLong());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(flash)), "nothing written");

        assertEquals(0, run("flash", "confirm", "--profile", p, "--flash-file", f).exit());
        BootCliTest.Run after = run("boot", "--profile", p, "--image", three.toString(), "--flash-file", f, "--json");
        assertEquals(0, after.exit(), after.err());
        assertEquals("A", after.json().get("slot").asText());
    }

    @Test
    void inspectOfAFreshFlashHasNoActiveSlot() throws Exception {
        Path flash = dir.resolve("fresh.img");
        Files.write(flash, new byte[16 << 20]); // zeros: no valid metadata copy
        BootCliTest.Run r = run("flash", "inspect", "--flash-file", flash.toString(), "--json");
        assertEquals(Main.EXIT_FAILED, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals("none", j.get("activeSlot").asText());
        assertFalse(j.get("activeValid").asBoolean());
        assertTrue(j.get("activeSha256").isNull());
        BootCliTest.Run human = run("flash", "inspect", "--flash-file", flash.toString());
        assertTrue(human.out().contains("active slot none"), human.out());
        assertEquals(Main.EXIT_USAGE, run("flash", "inspect", "--flash-file", dir.resolve("missing.img").toString()).exit());
    }

    @Test
    void anUnconfirmedTrialFallsBackAtTheSecondPowerUpAndAConfirmedOneStays() throws Exception {
        // A copy of the default board whose new images are pending for one boot ([boot] trial-boots = 1).
        String text = Files.readString(Path.of("device-profiles/spi-nor-16m.profile"))
                .replace("name = spi-nor-16m", "name = trial").replace("trial-boots = 0", "trial-boots = 1");
        Path prof = Files.writeString(dir.resolve("trial.profile"), text);
        Path flash = dir.resolve("flash.img");
        Path first = Files.write(dir.resolve("1.bin"), randomImage(5000, 1));
        Path second = Files.write(dir.resolve("2.bin"), randomImage(6000, 2));
        String p = prof.toString();
        String f = flash.toString();

        assertEquals(0, run("boot", "--profile", p, "--image", first.toString(), "--flash-file", f, "--json").exit());
        assertEquals("A", run("flash", "select", "--profile", p, "--flash-file", f, "--json").json().get("bootSlot").asText());
        assertEquals(0, run("flash", "confirm", "--profile", p, "--flash-file", f).exit());   // A is healthy: confirmed

        assertEquals(0, run("boot", "--profile", p, "--image", second.toString(), "--flash-file", f, "--json").exit());
        var firstPowerUp = run("flash", "select", "--profile", p, "--flash-file", f, "--json").json();
        assertEquals("B", firstPowerUp.get("bootSlot").asText(), "the new image gets its one try");
        assertEquals(0, firstPowerUp.get("triesLeft").asInt());
        // Never confirmed: the next power-up goes back to A, and says so in the metadata.
        var secondPowerUp = run("flash", "select", "--profile", p, "--flash-file", f, "--json").json();
        assertEquals("A", secondPowerUp.get("bootSlot").asText());
        assertEquals("A", secondPowerUp.get("activeSlot").asText());
        assertEquals("A", run("flash", "inspect", "--profile", p, "--flash-file", f, "--json").json().get("activeSlot").asText());
    }

    @Test
    void aFlashFileRemembersItsProfileSoFlashCommandsNeedNone() throws Exception {
        Path flash = dir.resolve("nand.img");
        byte[] img = randomImage(70_000, 3);
        Path image = Files.write(dir.resolve("img.bin"), img);
        assertEquals(0, run("boot", "--profile", "nand-128m", "--image", image.toString(), "--flash-file", flash.toString(),
                "--flash-timing", "none", "--json").exit());
        assertTrue(Files.isRegularFile(FlashProfiles.recordOf(flash)), "boot recorded the profile beside the flash file");

        BootCliTest.Run inspect = run("flash", "inspect", "--flash-file", flash.toString());
        assertEquals(0, inspect.exit(), inspect.err());
        assertTrue(inspect.out().startsWith(flash + " (profile nand-128m), metadata sequence 1: active slot A (checks)"), inspect.out());
        JsonNode j = run("flash", "inspect", "--flash-file", flash.toString(), "--json").json();
        assertEquals("nand-128m", j.get("profile").asText());
        assertEquals(sha256(img), j.get("activeSha256").asText());

        // boot too: the second image goes into slot B of the same NAND board, without --profile.
        BootCliTest.Run again = run("boot", "--image", image.toString(), "--flash-file", flash.toString(), "--flash-timing", "none",
                "--json");
        assertEquals(0, again.exit(), again.err());
        assertEquals("nand-128m", again.json().get("profile").asText());
        assertEquals("B", again.json().get("slot").asText());
    }

    /**
     * A flash file cut short while the board writes it (another program truncating it; a sparse file whose file
     * system fills up faults alike: the kernel's SIGBUS on the mapping) ends the boot as any flash failure does: one
     * line, exit 1, stage flash, --json's one object; not the JVM's InternalError with a stack trace, the one way out
     * that says nothing to the user. What the board left is a power cut's leftovers, which the A/B slots survive.
     */
    @Test
    void aFlashFileCutShortDuringTheBootIsOneLineNotACrash() throws Exception {
        Path img = Files.write(dir.resolve("v.img"), randomImage(6 << 20, 3));
        Path flash = dir.resolve("f.img");
        Path pcap = dir.resolve("boot.pcap");
        // The capture is opened after the flash file is made and mapped: then cut the file to its first MiB, the
        // loader partition; slot A, slot B and the metadata, everything a boot touches, are past it.
        Thread cutter = Thread.ofPlatform().start(() -> {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.exists(pcap) && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(50_000);
            }
            try (var ch = java.nio.channels.FileChannel.open(flash, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(1 << 20);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        BootCliTest.Run r = run("boot", "--image", img.toString(), "--flash-file", flash.toString(), "--pcap", pcap.toString(), "--json");
        cutter.join();
        assertEquals(Main.EXIT_FAILED, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals("error", j.get("result").asText());
        assertEquals("flash", j.get("stage").asText());
        String message = "the flash file " + flash + " could not be read or written where it is mapped: it was cut short while in"
                + " use, or its file system is full and the file sparse; the boot stopped there, as at a power cut";
        assertEquals(message, j.get("error").asText());
        assertEquals("netboot: " + message + "\n", r.err().lines().filter(l -> l.startsWith("netboot:")).findFirst().orElse("") + "\n");
        assertFalse(r.err().contains("InternalError") || r.err().contains("\tat "), r.err());
    }

    /**
     * A flash file whose profile is recorded beside it but whose size changed since (cut short, grown) cannot be fixed
     * by naming another profile: --profile must fit the recorded layout, which says the size. So the refusal says
     * what size the file should have, not to name another board.
     */
    @Test
    void aRecordedFlashFileOfAnotherSizeSaysItsSizeChanged() throws Exception {
        Path flash = dir.resolve("f.img");
        assertEquals(0, run("boot", "--image", Files.write(dir.resolve("i.bin"), randomImage(5000, 1)).toString(),
                "--flash-file", flash.toString(), "--flash-timing", "none", "--json").exit());
        try (var ch = java.nio.channels.FileChannel.open(flash, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(10 << 20);
        }
        String message = flash + " is 10485760 bytes, but profile spi-nor-16m (recorded in " + FlashProfiles.recordOf(flash)
                + ") has a flash file of 16777216 bytes (expected: 16777216 bytes, as when it was made: the file was cut short or"
                + " grown since)";
        for (String command : new String[] {"inspect", "select", "confirm"}) {
            BootCliTest.Run r = run("flash", command, "--flash-file", flash.toString());
            assertEquals(Main.EXIT_USAGE, r.exit(), command);
            assertEquals("netboot: " + message + "\n", r.err(), command);
        }
        BootCliTest.Run boot = run("boot", "--flash-file", flash.toString(), "--json");
        assertEquals(Main.EXIT_USAGE, boot.exit());
        assertEquals(message, boot.json().get("error").asText());
        // Naming another board, as the message used to advise, is refused: the record says the layout.
        assertEquals(Main.EXIT_USAGE, run("flash", "inspect", "--profile", "spi-nor-64m", "--flash-file", flash.toString()).exit());
    }

    /**
     * "flash confirm" is what the booted system does once healthy: a pending slot whose bytes no longer match their
     * record (the bootloader would not boot it) is not confirmed; nothing is written, so its fallback stays recorded.
     */
    @Test
    void aPendingSlotThatFailsItsCheckIsNotConfirmed() throws Exception {
        String text = Files.readString(Path.of("device-profiles/spi-nor-16m.profile"))
                .replace("name = spi-nor-16m", "name = trial3").replace("trial-boots = 0", "trial-boots = 3");
        Path prof = Files.writeString(dir.resolve("trial3.profile"), text);
        Path flash = dir.resolve("t.img");
        String f = flash.toString();
        assertEquals(0, run("boot", "--profile", prof.toString(), "--image", Files.write(dir.resolve("1.bin"), randomImage(5000, 1)).toString(),
                "--flash-file", f, "--flash-timing", "none").exit());
        assertEquals(0, run("boot", "--image", Files.write(dir.resolve("2.bin"), randomImage(6000, 2)).toString(), "--flash-file", f,
                "--flash-timing", "none").exit());
        JsonNode pending = run("flash", "inspect", "--flash-file", f, "--json").json();
        assertEquals("B", pending.get("activeSlot").asText());
        assertTrue(pending.get("pending").asBoolean());
        // One byte of slot B's image (slot B starts at 7 MiB) changed: it no longer matches its SHA-256.
        try (var ch = java.nio.channels.FileChannel.open(flash, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x00}), (7L << 20) + 100);
        }
        BootCliTest.Run r = run("flash", "confirm", "--flash-file", f, "--json");
        assertEquals(Main.EXIT_FAILED, r.exit(), r.out() + r.err());
        JsonNode j = r.json();
        assertEquals("error", j.get("result").asText());
        assertFalse(j.get("confirmed").asBoolean());
        assertEquals("slot B is pending but fails its check: not confirmed; slot A, its fallback, boots instead", j.get("error").asText());
        JsonNode after = run("flash", "inspect", "--flash-file", f, "--json").json();
        assertEquals(pending.get("sequence").asLong(), after.get("sequence").asLong(), "nothing written");
        assertEquals("A", after.get("fallbackSlot").asText());
        assertTrue(after.get("pending").asBoolean());
    }

    /**
     * The record beside an existing flash file says whose flash it is; a folder in its place is not silently passed over
     * for the default profile (which may be another board's, unsigned where the record had a key): one line, exit 2.
     */
    @Test
    void aFolderWhereAnExistingFlashFilesRecordBelongsIsRefused() throws Exception {
        Path flash = dir.resolve("f.img");
        assertEquals(0, run("boot", "--image", Files.write(dir.resolve("i.bin"), randomImage(5000, 1)).toString(),
                "--flash-file", flash.toString(), "--flash-timing", "none").exit());
        Path record = FlashProfiles.recordOf(flash);
        Files.delete(record);
        Files.createDirectory(record);
        String expected = "netboot: " + record + ": is a directory (expected: the profile recorded beside " + flash + ", a file)\n";
        for (String[] args : List.of(new String[] {"flash", "inspect", "--flash-file", flash.toString()},
                new String[] {"flash", "select", "--flash-file", flash.toString()},
                new String[] {"boot", "--flash-file", flash.toString()})) {
            BootCliTest.Run r = run(args);
            assertEquals(Main.EXIT_USAGE, r.exit(), String.join(" ", args));
            assertEquals(expected, r.err(), String.join(" ", args));
        }
    }

    /**
     * A flash file that holds slot records but lost the record of its profile is some board's: the default profile is
     * not assumed for it (it may be another board's, with other checks), one line, exit 2, nothing written. The
     * profile named with --profile boots it, and boot records it again beside it.
     */
    @Test
    void aFlashFileWithSlotRecordsButNoProfileRecordNeedsTheProfileNamed() throws Exception {
        Path flash = dir.resolve("f.img");
        Path image = Files.write(dir.resolve("i.bin"), randomImage(5000, 1));
        assertEquals(0, run("boot", "--image", image.toString(), "--flash-file", flash.toString(), "--flash-timing", "none").exit());
        Path record = FlashProfiles.recordOf(flash);
        Files.delete(record);
        String before = sha256(Files.readAllBytes(flash));
        String expected = "netboot: " + flash + ": its slot metadata holds boot records, but the record of its profile, " + record
                + ", is missing (expected: --profile naming the board's profile; boot records it again)\n";
        for (String[] args : List.of(new String[] {"flash", "inspect", "--flash-file", flash.toString()},
                new String[] {"flash", "confirm", "--flash-file", flash.toString()},
                new String[] {"boot", "--image", image.toString(), "--flash-file", flash.toString(), "--flash-timing", "none"})) {
            BootCliTest.Run r = run(args);
            assertEquals(Main.EXIT_USAGE, r.exit(), String.join(" ", args));
            assertEquals(expected, r.err(), String.join(" ", args));
            assertEquals(before, sha256(Files.readAllBytes(flash)), "nothing written: " + String.join(" ", args));
        }
        assertEquals(0, run("flash", "inspect", "--profile", "spi-nor-16m", "--flash-file", flash.toString()).exit());
        assertFalse(Files.exists(record), "flash commands read only");
        BootCliTest.Run named = run("boot", "--profile", "spi-nor-16m", "--image", image.toString(), "--flash-file", flash.toString(),
                "--flash-timing", "none", "--json");
        assertEquals(0, named.exit(), named.err());
        assertEquals("B", named.json().get("slot").asText());
        assertTrue(Files.readString(record).contains("name = spi-nor-16m"), "recorded again");
        assertEquals(0, run("flash", "inspect", "--flash-file", flash.toString()).exit());
    }

    /**
     * With trial-boots, a new image that has a slot to fall back to is on trial: the summary says so, and what happens
     * without a confirm (README, "A/B slots"), instead of only "slot B is active".
     */
    @Test
    void theSummarySaysAnImageIsOnTrialAndWhatHappensWithoutAConfirm() throws Exception {
        String text = Files.readString(Path.of("device-profiles/spi-nor-16m.profile"))
                .replace("name = spi-nor-16m", "name = trial4").replace("trial-boots = 0", "trial-boots = 3");
        Path prof = Files.writeString(dir.resolve("trial4.profile"), text);
        String f = dir.resolve("t.img").toString();
        BootCliTest.Run first = run("boot", "--profile", prof.toString(), "--image",
                Files.write(dir.resolve("1.bin"), randomImage(5000, 1)).toString(), "--flash-file", f, "--flash-timing", "none");
        assertEquals(0, first.exit(), first.err());
        // The first image has nothing to fall back to: it keeps booting, confirmed or not; nothing to say.
        assertTrue(first.out().contains("; slot A is active\n"), first.out());
        BootCliTest.Run second = run("boot", "--image", Files.write(dir.resolve("2.bin"), randomImage(6000, 2)).toString(),
                "--flash-file", f, "--flash-timing", "none");
        assertEquals(0, second.exit(), second.err());
        assertTrue(second.out().contains("; slot B is active on trial: 3 boots to confirm it (netboot flash confirm), else slot A"
                + " boots again\n"), second.out());
    }

    /** A --profile whose layout differs from the flash file's record is refused saying what differs in the profile's words. */
    @Test
    void aProfileOfAnotherLayoutIsRefusedSayingWhatDiffersInWords() throws Exception {
        Path flash = dir.resolve("f.img");
        assertEquals(0, run("boot", "--image", Files.write(dir.resolve("i.bin"), randomImage(5000, 1)).toString(),
                "--flash-file", flash.toString(), "--flash-timing", "none").exit());
        String head = "netboot: --profile %s does not fit " + flash + ", made by profile spi-nor-16m (" + FlashProfiles.recordOf(flash)
                + "): %s (expected: that profile's flash layout, or no --profile)\n";
        assertEquals(String.format(head, "spi-nor-64m", "its flash is 16 MiB of 4 KiB erase units and 256-byte pages, erased 0xff,"
                + " not 64 MiB of 4 KiB erase units and 256-byte pages, erased 0xff"),
                run("flash", "inspect", "--profile", "spi-nor-64m", "--flash-file", flash.toString()).err());
        // The data partition one sector later: 0xd02000 + 0x2fe000 = 16 MiB; 0x2fe000 bytes are 2.99 MiB.
        Path moved = Files.writeString(dir.resolve("moved.profile"), Files.readString(Path.of("device-profiles/spi-nor-16m.profile"))
                .replace("name = spi-nor-16m", "name = moved").replace("offset = 0xd02000", "offset = 0xd03000")
                .replace("size = 0x2fe000", "size = 0x2fd000"));
        assertEquals(String.format(head, moved, "its partition data is 0xd02000..0x1000000, 3.0 MiB, not 0xd03000..0x1000000, 3.0 MiB"),
                run("flash", "inspect", "--profile", moved.toString(), "--flash-file", flash.toString()).err());
    }

    @Test
    void aProfileThatDoesNotFitTheFlashFileIsRefusedInOneLine() throws Exception {
        Path flash = dir.resolve("nand.img");
        assertEquals(0, run("boot", "--profile", "nand-128m", "--image", Files.write(dir.resolve("i.bin"), randomImage(5000, 1)).toString(),
                "--flash-file", flash.toString(), "--flash-timing", "none", "--json").exit());
        String expected = "netboot: --profile spi-nor-16m does not fit " + flash + ", made by profile nand-128m ("
                + FlashProfiles.recordOf(flash) + "): its flash is NAND, not NOR (expected: that profile's flash layout, or no --profile)\n";
        BootCliTest.Run inspect = run("flash", "inspect", "--profile", "spi-nor-16m", "--flash-file", flash.toString());
        assertEquals(Main.EXIT_USAGE, inspect.exit());
        assertEquals(expected, inspect.err());
        BootCliTest.Run boot = run("boot", "--profile", "spi-nor-16m", "--flash-file", flash.toString());
        assertEquals(Main.EXIT_USAGE, boot.exit());
        assertEquals(expected, boot.err());

        // Without the record (a file from an older netboot), the size mismatch names the profile assumed.
        Files.delete(FlashProfiles.recordOf(flash));
        BootCliTest.Run bare = run("flash", "inspect", "--flash-file", flash.toString(), "--json");
        assertEquals(Main.EXIT_USAGE, bare.exit());
        // nand-128m: 65536 pages of 2048 + 64 spare bytes = 138412032 bytes; spi-nor-16m: 16 MiB.
        String message = flash + " is 138412032 bytes, but the default profile spi-nor-16m has a flash file of 16777216 bytes"
                + " (expected: --profile naming the board whose flash it is)";
        assertEquals("netboot: " + message + "\n", bare.err());
        assertEquals("usage", bare.json().get("stage").asText());
        assertEquals(message, bare.json().get("error").asText());
        assertEquals(0, run("flash", "inspect", "--profile", "nand-128m", "--flash-file", flash.toString()).exit());
    }

    @Test
    void triesLeftIsSingularForOneAndConfirmSpeaksJson() throws Exception {
        String text = Files.readString(Path.of("device-profiles/spi-nor-16m.profile"))
                .replace("name = spi-nor-16m", "name = trial2").replace("trial-boots = 0", "trial-boots = 2");
        Path prof = Files.writeString(dir.resolve("trial2.profile"), text);
        Path flash = dir.resolve("flash.img");
        String f = flash.toString();
        assertEquals(0, run("boot", "--profile", prof.toString(), "--image", Files.write(dir.resolve("1.bin"), randomImage(5000, 1)).toString(),
                "--flash-file", f, "--json").exit());
        // The first image has nothing to fall back to, so no trial; the second has slot A.
        assertEquals(0, run("boot", "--image", Files.write(dir.resolve("2.bin"), randomImage(6000, 2)).toString(), "--flash-file", f,
                "--json").exit());
        BootCliTest.Run select = run("flash", "select", "--flash-file", f);
        assertEquals(0, select.exit(), select.err());
        assertEquals("boot slot B: slot B is active and verified (pending, 1 try left)\n", select.out());
        BootCliTest.Run confirm = run("flash", "confirm", "--flash-file", f, "--json");
        assertEquals(0, confirm.exit(), confirm.err());
        JsonNode j = confirm.json();
        assertEquals("ok", j.get("result").asText());
        assertEquals("B", j.get("activeSlot").asText());
        assertTrue(j.get("confirmed").asBoolean());
    }

    @Test
    void flashCommandErrorsAreOneObjectWithJson() throws Exception {
        BootCliTest.Run r = run("flash", "select", "--flash-file", dir.resolve("missing.img").toString(), "--json");
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertEquals("netboot: " + dir.resolve("missing.img") + ": no such file\n", r.err());
        assertEquals("error", r.json().get("result").asText());
        // A device is there: before, it was "no such file" too.
        r = run("flash", "inspect", "--flash-file", "/dev/zero");
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertEquals("netboot: /dev/zero: not a regular file (expected: a flash file)\n", r.err());
    }
}
