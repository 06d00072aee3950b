package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end boots through the command line, in process. Expected values come from the inputs: the
 * image's bytes and digest (computed here with MessageDigest), the default profile's layout
 * (device-profiles/spi-nor-16m.profile: 16 MiB flash; slot A at 1 MiB and slot B at 7 MiB, 6 MiB each;
 * two 4 KiB metadata copies at 13 MiB) and the default
 * scenario (emulator/default.scenario: client 10.0.0.42/24, server and router 10.0.0.1, file boot.img).
 */
class BootCliTest {
    static final long PARTITION_OFFSET = 1L << 20;          // slot A, where the first image of a fresh flash goes
    static final long PARTITION_SIZE = 6L << 20;
    static final long SLOT_B_OFFSET = 7L << 20;
    static final long META_OFFSET = 13L << 20;
    static final long META_SIZE = 8L << 10;
    static final long FLASH_SIZE = 16L << 20;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return JSON.readTree(out);
        }
    }

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static byte[] randomImage(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Boots an image into a fresh flash file and checks the flash holds exactly that image at the partition. */
    void bootsExactly(int size, long seed) throws Exception {
        byte[] image = randomImage(size, seed);
        Path img = Files.write(dir.resolve("image-" + size + ".bin"), image);
        Path flash = dir.resolve("flash-" + size + ".img");
        Run r = run("boot", "--image", img.toString(), "--flash-file", flash.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals("ok", j.get("result").asText());
        assertEquals(size, j.get("bytes").asLong());
        assertEquals(sha256(image), j.get("sha256").asText());
        assertEquals(PARTITION_OFFSET, j.get("partitionOffset").asLong());
        assertEquals("10.0.0.42", j.get("ip").asText());
        assertEquals("255.255.255.0", j.get("netmask").asText());
        assertEquals("10.0.0.1", j.get("gateway").asText());
        assertEquals("10.0.0.1", j.get("server").asText());
        assertEquals("boot.img", j.get("bootFile").asText());
        // The default profile (spi-nor-16m) asks blksize auto and windowsize 8: on the emulator's 1500-byte MTU
        // that is 1500 - 20 (IP) - 8 (UDP) - 4 (TFTP) = 1468 (RFC 2348), and the server grants both.
        assertEquals(1468, j.get("blockSize").asInt());
        assertEquals(8, j.get("windowSize").asInt());
        assertTrue(j.get("transferSeconds").asDouble() > 0);
        assertEquals(0, j.get("retransmissions").asLong());
        assertTrue(j.get("flashOps").asLong() > 0);
        assertTrue(j.get("simulatedSeconds").asDouble() > 0);
        assertTrue(j.has("wallSeconds"));

        assertEquals("A", j.get("slot").asText());
        assertEquals("A", j.get("activeSlot").asText());
        byte[] f = Files.readAllBytes(flash);
        assertEquals(FLASH_SIZE, f.length);
        long off = j.get("partitionOffset").asLong();
        assertArrayEquals(image, Arrays.copyOfRange(f, (int) off, (int) off + size));
        // The metadata names slot A with the image's length and digest (layout: dev.netboot.flash.SlotMetadata).
        try (var fl = dev.netboot.flash.SimulatedNorFlash.openFile(flash, new dev.netboot.flash.FlashGeometry(FLASH_SIZE, 4096, 256, 0xFF))) {
            var slots = new dev.netboot.flash.BootSlots(fl, new dev.netboot.flash.Partition("a", PARTITION_OFFSET, PARTITION_SIZE),
                    new dev.netboot.flash.Partition("b", SLOT_B_OFFSET, PARTITION_SIZE),
                    new dev.netboot.flash.Partition("meta", META_OFFSET, META_SIZE));
            var m = slots.load();
            assertEquals(0, m.active());
            assertEquals(size, m.slot(0).length());
            assertEquals(sha256(image), m.slot(0).sha256Hex());
        }
        // Everything else is still erased: a fresh file starts at 0xFF and only the image and one metadata
        // record (104 bytes in one of the two copies) were written.
        for (int i = 0; i < f.length; i++) {
            if (i == off) {
                i += size - 1;
                continue;
            }
            if (i == META_OFFSET) {
                i += (int) META_SIZE - 1;
                continue;
            }
            if (f[i] != (byte) 0xFF) {
                throw new AssertionError("byte at 0x" + Integer.toHexString(i) + " outside the image is 0x"
                        + Integer.toHexString(f[i] & 0xFF) + " (expected: 0xff, erased)");
            }
        }
    }

    @Test
    void oddSizedImageLandsExactlyAtThePartitionOffset() throws Exception {
        bootsExactly(200_003, 1);
    }

    @Test
    void imageThatIsAMultipleOf512EndsWithAnEmptyBlockAndLandsExactly() throws Exception {
        bootsExactly(512 * 300, 2);
    }

    @Test
    void lossyLinkStillBootsAndReportsRetransmissions() throws Exception {
        byte[] image = randomImage(300_001, 3);
        Path img = Files.write(dir.resolve("img.bin"), image);
        Path flash = dir.resolve("flash.img");
        Run r = run("boot", "--image", img.toString(), "--flash-file", flash.toString(), "--loss", "0.1", "--seed", "42", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals("ok", j.get("result").asText());
        assertEquals(sha256(image), j.get("sha256").asText());
        // ~600 DATA/ACK exchanges at 10% loss each way: losing none has probability 0.81^600, i.e. never.
        assertTrue(j.get("retransmissions").asLong() > 0, "retransmissions: " + j.get("retransmissions"));
        byte[] f = Files.readAllBytes(flash);
        assertArrayEquals(image, Arrays.copyOfRange(f, (int) PARTITION_OFFSET, (int) PARTITION_OFFSET + image.length));
    }

    @Test
    void sameSeedGivesTheSameCaptureByteForByte() throws Exception {
        Path a = dir.resolve("a.pcap");
        Path b = dir.resolve("b.pcap");
        Path c = dir.resolve("c.pcap");
        assertEquals(0, run("boot", "--loss", "0.2", "--seed", "9", "--pcap", a.toString(), "--json").exit());
        assertEquals(0, run("boot", "--loss", "0.2", "--seed", "9", "--pcap", b.toString(), "--json").exit());
        assertEquals(0, run("boot", "--loss", "0.2", "--seed", "10", "--pcap", c.toString(), "--json").exit());
        byte[] pa = Files.readAllBytes(a);
        assertTrue(pa.length > 24, "capture holds frames");
        assertArrayEquals(pa, Files.readAllBytes(b));
        assertFalse(Arrays.equals(pa, Files.readAllBytes(c)), "another seed gives another capture");
    }

    @Test
    void secondBootSeesWhatTheFirstWrote() throws Exception {
        byte[] first = randomImage(10_000, 5);
        byte[] second = randomImage(7_000, 6);
        Path flash = dir.resolve("flash.img");
        assertEquals(0, run("boot", "--image", Files.write(dir.resolve("1.bin"), first).toString(), "--flash-file", flash.toString(), "--json").exit());
        Run r = run("boot", "--image", Files.write(dir.resolve("2.bin"), second).toString(), "--flash-file", flash.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        // The second image goes into the slot that was not active (B) and becomes active; A keeps the first.
        JsonNode j = r.json();
        assertEquals("B", j.get("slot").asText());
        assertEquals("B", j.get("activeSlot").asText());
        assertEquals(SLOT_B_OFFSET, j.get("partitionOffset").asLong());
        byte[] f = Files.readAllBytes(flash);
        int o = (int) SLOT_B_OFFSET;
        assertArrayEquals(second, Arrays.copyOfRange(f, o, o + second.length));
        int a = (int) PARTITION_OFFSET;
        assertArrayEquals(first, Arrays.copyOfRange(f, a, a + first.length));
    }

    @Test
    void reflashingTheSameImageSkipsEverySectorThatAlreadyMatches() throws Exception {
        // spi-nor-16m has the RAM for one 4 KiB erase unit, so its writer compares before erasing (sf update).
        byte[] image = randomImage(10_000, 8);
        Path img = Files.write(dir.resolve("same.bin"), image);
        Path flash = dir.resolve("flash.img");
        for (String expectedSlot : new String[] {"A", "B"}) {
            JsonNode j = run("boot", "--image", img.toString(), "--flash-file", flash.toString(), "--json").json();
            assertEquals(expectedSlot, j.get("slot").asText());
            assertEquals(3, j.get("erasedSectors").asLong(), "10,000 bytes span 3 sectors of 4 KiB, all erased");
            assertEquals(0, j.get("skippedSectors").asLong());
        }
        // The third boot writes slot A again, which already holds these bytes: nothing to erase or program.
        JsonNode j = run("boot", "--image", img.toString(), "--flash-file", flash.toString(), "--json").json();
        assertEquals("ok", j.get("result").asText());
        assertEquals("A", j.get("slot").asText());
        assertEquals(0, j.get("erasedSectors").asLong());
        assertEquals(3, j.get("skippedSectors").asLong());
        assertEquals(sha256(image), j.get("sha256").asText());
    }

    @Test
    void imageLargerThanThePartitionFailsCleanlyAndTouchesNothingOutside() throws Exception {
        byte[] image = randomImage((int) PARTITION_SIZE + 1, 7);
        Path img = Files.write(dir.resolve("big.bin"), image);
        Path flash = dir.resolve("flash.img");
        Run r = run("boot", "--image", img.toString(), "--flash-file", flash.toString(), "--json");
        assertEquals(1, r.exit());
        JsonNode j = r.json();
        assertEquals("error", j.get("result").asText());
        assertTrue(j.get("error").asText().contains("does not fit"), j.get("error").asText());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("netboot: boot failed:")), r.err());
        // The default profile asks for tsize (RFC 2349), so the size is known before the first block and the
        // image is refused before anything is written: not the slot, not the metadata.
        assertEquals(0, j.get("flashOps").asLong());
        byte[] f = Files.readAllBytes(flash);
        for (int i = 0; i < f.length; i++) {
            assertEquals((byte) 0xFF, f[i], "byte at " + i);
        }
    }

    /**
     * Issue 8: after a good image, an empty one was committed into slot B and booted. An image under the
     * profile's [boot] min-image-size (1 KiB by default) is refused before anything is erased: the boot
     * fails in stage flash, the flash file is byte for byte what it was, and slot A still boots.
     */
    @Test
    void anEmptyOrImplausiblySmallImageIsRefusedBeforeAnythingIsErased() throws Exception {
        byte[] good = randomImage(10_000, 21);
        Path flash = dir.resolve("flash.img");
        assertEquals(0, run("boot", "--image", Files.write(dir.resolve("good.bin"), good).toString(), "--flash-file", flash.toString())
                .exit());
        byte[] before = Files.readAllBytes(flash);
        for (int size : new int[] {0, 1, 1023}) {
            Path img = Files.write(dir.resolve("small-" + size + ".bin"), randomImage(size, size));
            Run r = run("boot", "--image", img.toString(), "--flash-file", flash.toString(), "--json");
            assertEquals(Main.EXIT_FAILED, r.exit(), r.err());
            JsonNode j = r.json();
            assertEquals("error", j.get("result").asText());
            assertEquals("flash", j.get("stage").asText());
            assertEquals("image of " + size + " bytes refused: this board takes images of at least 1024 bytes"
                    + " ([boot] min-image-size); nothing was written, slot A still boots", j.get("error").asText());
            assertEquals(0, j.get("flashOps").asLong());
            assertEquals("A", j.get("activeSlot").asText());
            assertTrue(r.err().contains("netboot: boot failed: [flash] image of " + size + " bytes refused"), r.err());
            assertArrayEquals(before, Files.readAllBytes(flash), "nothing written for " + size + " bytes");
            Run human = run("boot", "--image", img.toString(), "--flash-file", flash.toString());
            assertEquals("", human.out(), "no summary of a boot that did not happen");
        }
        JsonNode select = run("flash", "select", "--flash-file", flash.toString(), "--json").json();
        assertEquals("A", select.get("bootSlot").asText());
        // 1024 bytes, the default floor, is an image.
        byte[] least = randomImage(1024, 22);
        Run r = run("boot", "--image", Files.write(dir.resolve("least.bin"), least).toString(), "--flash-file", flash.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        assertEquals(sha256(least), r.json().get("sha256").asText());
    }

    @Test
    void unknownProfileIsAUsageError() throws IOException {
        Run r = run("boot", "--profile", "no-such-board", "--json");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("no-such-board"), r.err());
        assertTrue(r.err().contains("spi-nor-16m"), "lists the available profiles: " + r.err());
        // --json: one object, even for a usage error.
        assertEquals("error", r.json().get("result").asText());
        assertEquals("usage", r.json().get("stage").asText());
    }

    @Test
    void badLossIsAUsageError() {
        Run r = run("boot", "--loss", "1.5");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--loss"), r.err());
    }

    @Test
    void flashFileOfTheWrongSizeIsRefused() throws Exception {
        Path flash = Files.write(dir.resolve("small.img"), new byte[4096]);
        Run r = run("boot", "--flash-file", flash.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("16777216"), r.err());
        assertEquals(4096, Files.size(flash), "the file is left as it was");
    }

    @Test
    void humanSummaryNamesTheEssentials() {
        Run r = run("boot");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("10.0.0.42/24"), r.out());
        assertTrue(r.out().contains("boot.img"), r.out());
        assertTrue(r.out().contains("sha256"), r.out());
        assertTrue(r.out().contains("retransmissions"), r.out());
        assertNotEquals("", r.err(), "stages are shown on stderr");
    }
}
