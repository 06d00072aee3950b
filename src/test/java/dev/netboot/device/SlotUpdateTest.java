package dev.netboot.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashException;
import dev.netboot.flash.FlashStats;
import dev.netboot.flash.FlashGeometry;
import dev.netboot.flash.FlashWriter;
import dev.netboot.flash.NandFaults;
import dev.netboot.flash.NandGeometry;
import dev.netboot.flash.SimulatedNandFlash;
import dev.netboot.flash.SimulatedNorFlash;
import dev.netboot.flash.SlotMetadata;
import dev.netboot.testkit.FlashContract;
import dev.netboot.testkit.PowerCutSweep;
import dev.netboot.tftp.TftpSinkException;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link SlotUpdate}'s floor on the image size ({@code [boot] min-image-size}): an image under it is refused
 * before flash is touched when the size is announced, and, when it is not, the first bytes wait in RAM so
 * an image that ends under the floor leaves the target slot and the metadata as they were.
 */
class SlotUpdateTest {
    /** The test kit's sweep layout on a 128 KiB NOR: metadata, then slots A and B. */
    static final PowerCutSweep.Layout NOR = PowerCutSweep.Layout.of(FlashContract.SWEEP);

    /** A board with OLD in A and OLDER in B, A active: a valid fallback sits in the slot the next update targets. */
    static Flash twoImages() {
        Flash f = SimulatedNorFlash.inMemory(FlashContract.SWEEP);
        PowerCutSweep.update(NOR, f, PowerCutSweep.OLDER, 0);
        PowerCutSweep.update(NOR, f, PowerCutSweep.OLD, 0);
        PowerCutSweep.update(NOR, f, PowerCutSweep.OLD, 0); // A again: B (OLDER) is the valid fallback
        return f;
    }

    static byte[] contents(Flash f) {
        byte[] all = new byte[(int) f.geometry().size()];
        f.read(0, all, 0, all.length);
        return all;
    }

    static void feed(SlotUpdate u, byte[] img) {
        ByteBuffer src = ByteBuffer.wrap(img);
        for (int off = 0; off < img.length; off += 512) {
            u.write(src, off, Math.min(512, img.length - off));
        }
    }

    @Test
    void anAnnouncedSizeUnderTheFloorIsRefusedInBegin() {
        Flash f = twoImages();
        byte[] before = contents(f);
        FlashStats stats = f.stats();
        for (long size : new long[] {0, 1, 4095}) {
            SlotUpdate u = new SlotUpdate(NOR.slots(f), f, FlashWriter.Options.DEFAULTS, 1 << 20, 4096, new BootObserver() {});
            TftpSinkException e = assertThrows(TftpSinkException.class, () -> u.begin(size));
            assertEquals(TftpWire.ERR_NOT_DEFINED, e.errorCode());
            assertEquals("image of " + size + " bytes refused: this board takes images of at least 4096 bytes ([boot] min-image-size);"
                    + " nothing was written, slot A still boots", e.getMessage());
        }
        assertEquals(stats.erases(), f.stats().erases(), "no erase");
        assertEquals(stats.programs(), f.stats().programs(), "no program");
        assertArrayEquals(before, contents(f));
    }

    @Test
    void withNoAnnouncedSizeAShortImageIsRefusedAtTheEndWithFlashUntouched() {
        Flash f = twoImages();
        byte[] before = contents(f);
        for (int size : new int[] {0, 700, 4095}) {
            SlotUpdate u = new SlotUpdate(NOR.slots(f), f, FlashWriter.Options.DEFAULTS, 1 << 20, 4096, new BootObserver() {});
            u.begin(-1);
            feed(u, PowerCutSweep.image(size, 5));
            FlashException e = assertThrows(FlashException.class, u::finish);
            assertEquals(FlashException.Kind.IMAGE_TOO_SMALL, e.kind());
            assertTrue(e.getMessage().contains("image of " + size + " bytes refused") && e.getMessage().contains("nothing was written"),
                    e.getMessage());
            // The valid fallback in B was not marked empty for an image that turned out to be refused.
            assertArrayEquals(before, contents(f), "flash untouched for " + size + " bytes");
        }
        SlotMetadata m = NOR.slots(f).load();
        assertTrue(m.slot(1).valid(), "B still a valid fallback: " + m);
    }

    @Test
    void withNoAnnouncedSizeAnImageAtTheFloorIsWrittenAfterItsFirstBytesWaited() {
        Flash f = twoImages();
        byte[] img = PowerCutSweep.image(4096, 6);
        SlotUpdate u = new SlotUpdate(NOR.slots(f), f, FlashWriter.Options.DEFAULTS, 1 << 20, 4096, new BootObserver() {});
        u.begin(-1);
        FlashStats start = f.stats();
        ByteBuffer src = ByteBuffer.wrap(img);
        u.write(src, 0, 4000);
        assertEquals(start.erases() + start.programs(), f.stats().erases() + f.stats().programs(),
                "4000 bytes wait in RAM: nothing erased or programmed yet");
        u.write(src, 4000, 96);
        assertTrue(f.stats().erases() > start.erases(), "the floor reached: the target is prepared and written");
        assertEquals(4096, u.finish());
        u.commit(0);
        assertEquals(1, NOR.slots(f).select().slot());
        assertArrayEquals(PowerCutSweep.sha256(img), NOR.slots(f).load().slot(1).sha256());
    }

    @Test
    void aFloorAboveWhatRamHoldsStillRefusesAndCommitsNothing() {
        // A 2 KiB buffer holds at most 1 KiB of early bytes; the floor is 8 KiB: the update must start writing
        // before the floor is known to be met, and the end still refuses. The slot that boots stays.
        Flash f = twoImages();
        SlotUpdate u = new SlotUpdate(NOR.slots(f), f, FlashWriter.Options.DEFAULTS, 2048, 8192, new BootObserver() {});
        u.begin(-1);
        feed(u, PowerCutSweep.image(5000, 7));
        FlashException e = assertThrows(FlashException.class, u::finish);
        assertEquals(FlashException.Kind.IMAGE_TOO_SMALL, e.kind());
        assertTrue(e.getMessage().contains("nothing was committed, slot A still boots"), e.getMessage());
        BootSlots slots = NOR.slots(f);
        assertEquals(0, slots.select().slot());
        assertArrayEquals(PowerCutSweep.sha256(PowerCutSweep.OLD), slots.current().slot(0).sha256());
        assertFalse(slots.current().slot(1).valid());
    }

    /**
     * A NAND slot with a bad block holds less than its partition: an announced size past its good blocks but within the
     * partition is refused in begin as one past the partition is, with flash untouched. Before, begin compared with the
     * partition only; the writer refused the image after prepare had already recorded the target, which held a valid
     * older image, as empty: the boot "lost nothing" but the board's fallback image.
     */
    @Test
    void anAnnouncedSizePastTheGoodBlocksOfANandSlotIsRefusedInBeginWithFlashUntouched() {
        FlashGeometry g = new FlashGeometry(128 * 1024, 4096, 512, 0xFF);
        PowerCutSweep.Layout nand = PowerCutSweep.Layout.of(g);
        // Block 5 (0x5000) is bad: inside slot A (0x4000..0xe000, ten blocks).
        Flash f = SimulatedNandFlash.inMemory(NandGeometry.of(g), new NandFaults(7, List.of(5), 0, 0, 0, 0));
        PowerCutSweep.update(nand, f, PowerCutSweep.OLDER, 0);           // slot A (its 9 good blocks hold it)
        PowerCutSweep.update(nand, f, PowerCutSweep.OLD, 0);             // slot B, active; A, valid, is the next target
        byte[] before = contents(f);
        FlashStats stats = f.stats();
        long good = nand.slotA().size() - 4096;                         // 36864 bytes
        SlotUpdate u = new SlotUpdate(nand.slots(f), f, FlashWriter.Options.DEFAULTS, 1 << 20, 1024, new BootObserver() {});
        assertEquals(0, u.target());
        TftpSinkException e = assertThrows(TftpSinkException.class, () -> u.begin(good + 1));
        assertEquals(TftpWire.ERR_DISK_FULL, e.errorCode());
        assertEquals("image of 36865 bytes does not fit slot A (" + nand.slotA().describe() + ") with 1 bad blocks (36864 good bytes;"
                + " expected: spare blocks reserved)", e.getMessage());
        assertEquals(stats.erases(), f.stats().erases(), "no erase");
        assertEquals(stats.programs(), f.stats().programs(), "no program");
        assertArrayEquals(before, contents(f));
        SlotMetadata m = nand.slots(f).load();
        assertTrue(m.slot(0).valid(), "slot A still holds its valid older image");
        assertArrayEquals(PowerCutSweep.sha256(PowerCutSweep.OLDER), m.slot(0).sha256());
    }
}
