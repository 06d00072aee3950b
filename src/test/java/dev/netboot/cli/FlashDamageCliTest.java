package dev.netboot.cli;

import static dev.netboot.cli.BootCliTest.randomImage;
import static dev.netboot.cli.BootCliTest.run;
import static dev.netboot.cli.BootCliTest.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NAND board's flash file with the damage NAND has (charge loss: two bits wrong in one 512-byte sector, more than its
 * SEC-DED code corrects), through {@code flash select}, {@code flash inspect} and a following {@code boot}: the board
 * still has a slot that boots and can be updated, and a slot that cannot be read back is one that fails its check, said
 * as such, not a flash file that cannot be used (exit 2).
 */
class FlashDamageCliTest {
    /** nand-128m's file layout: each 2048-byte page is followed by its 64 spare bytes; 64 pages to a block. */
    static final int PAGE = 2048, RAW_PAGE = 2048 + 64, PAGES_PER_BLOCK = 64;
    static final long SLOT_A = 1L << 20, META = 81L << 20, META_END = 82L << 20;

    @TempDir
    Path dir;
    Path flash;
    byte[] first;
    byte[] second;

    /** Two boots of the nand-128m board: the first image in slot A, the second in slot B, active. */
    @BeforeEach
    void twoImages() throws Exception {
        flash = dir.resolve("nand.img");
        first = randomImage(300_000, 1);
        second = randomImage(310_000, 2);
        assertEquals(0, run("boot", "--profile", "nand-128m", "--image", Files.write(dir.resolve("1.bin"), first).toString(),
                "--flash-file", flash.toString(), "--flash-timing", "none").exit());
        assertEquals(0, run("boot", "--image", Files.write(dir.resolve("2.bin"), second).toString(), "--flash-file", flash.toString(),
                "--flash-timing", "none").exit());
    }

    /** Returns where flash byte {@code offset} (main area) lies in the file. */
    static long rawOffset(long offset) {
        return offset / PAGE * RAW_PAGE + offset % PAGE;
    }

    /** Flips bit {@code bit} of the flash byte at {@code offset}, bypassing the chip, as charge loss does. */
    void flip(long offset, int bit) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(flash.toFile(), "rw")) {
            f.seek(rawOffset(offset));
            int b = f.read();
            f.seek(rawOffset(offset));
            f.write(b ^ (1 << bit));
        }
    }

    /** Returns the flash offset of the metadata copy with the highest sequence: the block of the meta partition starting "NBM1". */
    long newestMetadataCopy() throws Exception {
        long best = -1;
        long bestSequence = -1;
        try (RandomAccessFile f = new RandomAccessFile(flash.toFile(), "r")) {
            for (long at = META; at < META_END; at += PAGE * PAGES_PER_BLOCK) {
                byte[] head = new byte[8];
                f.seek(rawOffset(at));
                f.readFully(head);
                ByteBuffer b = ByteBuffer.wrap(head);
                if (b.getInt(0) == 0x4E424D31 && (b.getInt(4) & 0xFFFF_FFFFL) > bestSequence) {
                    bestSequence = b.getInt(4) & 0xFFFF_FFFFL;
                    best = at;
                }
            }
        }
        assertEquals(2, bestSequence, "two boots wrote two records");
        return best;
    }

    /**
     * The newest metadata copy (slot B active) no longer reads back: it is no record, as a torn copy is, and the older one
     * (slot A active, as after the first boot) rules. Before, the ECC error stopped select, inspect and boot alike with
     * exit 2: a board no bootloader could start and no update could mend.
     */
    @Test
    void aMetadataCopyThatCannotBeReadBackIsPassedOverAndTheBoardBootsAndUpdates() throws Exception {
        long copy = newestMetadataCopy();
        flip(copy + 40, 1);
        flip(copy + 200, 6);

        BootCliTest.Run select = run("flash", "select", "--flash-file", flash.toString(), "--json");
        assertEquals(0, select.exit(), select.err());
        assertEquals("A", select.json().get("bootSlot").asText());
        assertTrue(select.json().get("verified").asBoolean());

        JsonNode inspect = run("flash", "inspect", "--flash-file", flash.toString(), "--json").json();
        assertEquals(1, inspect.get("sequence").asLong());
        assertEquals(sha256(first), inspect.get("activeSha256").asText());

        // An update goes into slot B, and its record over the unreadable copy: the next power-up boots it.
        BootCliTest.Run boot = run("boot", "--image", dir.resolve("2.bin").toString(), "--flash-file", flash.toString(),
                "--flash-timing", "none", "--json");
        assertEquals(0, boot.exit(), boot.err());
        assertEquals("B", boot.json().get("slot").asText());
        BootCliTest.Run after = run("flash", "select", "--flash-file", flash.toString(), "--json");
        assertEquals("B", after.json().get("bootSlot").asText());
        assertEquals(2, run("flash", "inspect", "--flash-file", flash.toString(), "--json").json().get("sequence").asLong());
    }

    /**
     * Slot A (not active) no longer reads back. inspect says the slot fails its check, and why, and answers for the active
     * slot (exit 0); before, the read's ECC error was its answer, exit 2 as for a file that cannot be used.
     */
    @Test
    void inspectSaysASlotThatCannotBeReadBackFailsItsCheck() throws Exception {
        flip(SLOT_A + 10, 0);
        flip(SLOT_A + 100, 3);

        BootCliTest.Run text = run("flash", "inspect", "--flash-file", flash.toString());
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("  slot A  slot-a   at 0x0100000  300000 bytes, sha256 " + sha256(first)
                + ", FAILS its check (it cannot be read back)\n"), text.out());
        BootCliTest.Run json = run("flash", "inspect", "--flash-file", flash.toString(), "--json");
        assertEquals(0, json.exit(), json.err());
        JsonNode a = json.json().get("slots").get(0);
        assertFalse(a.get("checks").asBoolean());
        assertTrue(a.get("sha256").isNull(), a.toString());
        assertEquals(sha256(second), json.json().get("activeSha256").asText());
        assertEquals("B", run("flash", "select", "--flash-file", flash.toString(), "--json").json().get("bootSlot").asText());
    }
}
