package dev.netboot.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.flash.FlashWriter;
import dev.netboot.net.NetStack;
import dev.netboot.tftp.TftpConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How {@link RamBudget} shares a board's RAM. The bound is checked against the profile's {@code ram} less
 * what the README calls fixed: two Ethernet frames of 1514 bytes, two flash pages, and the rest of an
 * erase unit when the writer skips unchanged units.
 */
class RamBudgetTest {
    static final int MTU_PAYLOAD = NetStack.maxUdpPayload(1500); // 1472: blocks of up to 1468
    static final List<String> PROFILES = List.of("spi-nor-16m", "spi-nor-64m", "nand-128m");

    static DeviceProfile profile(String name) {
        return DeviceProfile.resolve(name, Path.of("device-profiles"));
    }

    /** The profile asking for {@code window} blocks of {@code blksize}, as --windowsize/--blksize do. */
    static DeviceProfile asking(DeviceProfile p, int blksize, int window) {
        TftpConfig t = p.tftp().withBlockSize(blksize);
        return p.withTftp(window == 1 ? t.withWindow(1, 0) : t.withWindow(window, p.ramBudget() - 2L * p.flash().pageSize() - 2 * 1514));
    }

    static long sharedRam(DeviceProfile p, RamBudget b) {
        long fixed = 2L * 1514 + 2L * p.flash().pageSize();
        long unit = b.writer().skipUnchanged() ? p.flash().eraseUnit() - p.flash().pageSize() : 0;
        return p.ramBudget() - fixed - unit;
    }

    @Test
    void whateverTheWindowAndBlockTheBuffersStayWithinTheRam() {
        for (String name : PROFILES) {
            for (int blksize : new int[] {8, 512, 1024, TftpConfig.AUTO, 65464}) {
                for (int window : new int[] {1, 2, 8, 21, 22, 64, 256, 4096, 32767}) {
                    DeviceProfile p = asking(profile(name), blksize, window);
                    RamBudget b = RamBudget.of(p, MTU_PAYLOAD);
                    String what = name + " blksize " + blksize + " window " + window + ": " + b;
                    assertTrue(b.reorderBytes() >= 0 && b.flashBuffer() > 0, what);
                    assertTrue(b.reorderBytes() + b.flashBuffer() <= sharedRam(p, b), what);
                    assertTrue(b.total(p) <= p.ramBudget(), what);
                    int block = b.blockSize();
                    assertTrue(block <= Math.min(blksize == TftpConfig.AUTO ? 1468 : blksize, 1468), what);
                    assertTrue(b.window() >= 1 && b.window() <= window, what);
                    // What is asked for fits: a whole window out of order, another waiting for the chip.
                    assertEquals(b.window() > 1 ? (long) b.window() * block : 0, b.reorderBytes(), what);
                    assertTrue(b.flashBuffer() >= (long) b.window() * block + p.flash().pageSize(), what);
                    // Lowered only with a note that says so.
                    assertEquals(b.window() < window, b.note() != null, what);
                    if (b.note() != null) {
                        assertTrue(b.note().contains("asking for windowsize " + b.window() + " instead of " + window), b.note());
                    }
                }
            }
        }
    }

    @Test
    void withAnUntimedFlashTheWindowIsAsAskedAndOnlyTheReorderBufferIsBoundedByTheRam() {
        for (String name : PROFILES) {
            for (int blksize : new int[] {8, 512, TftpConfig.AUTO}) {
                for (int window : new int[] {TftpConfig.AUTO, 2, 8, 64, 527, 4096, 32767}) {
                    DeviceProfile p = asking(profile(name), blksize, window);
                    RamBudget b = RamBudget.of(p, MTU_PAYLOAD, false);
                    String what = name + " blksize " + blksize + " window " + window + ": " + b;
                    int asked = window == TftpConfig.AUTO ? TftpConfig.MAX_WINDOW_SIZE : window;
                    assertEquals(asked, b.window(), what);                // no note: nothing is lowered
                    assertNull(b.note(), what);
                    assertTrue(b.reorderBytes() + b.flashBuffer() <= sharedRam(p, b), what);
                    assertTrue(b.total(p) <= p.ramBudget(), what);
                    assertEquals(0, b.reorderBytes() % b.blockSize(), what); // whole blocks
                    long fill = b.writer().skipUnchanged() ? p.flash().eraseUnit() : p.flash().pageSize();
                    assertTrue(b.flashBuffer() >= 2L * (b.blockSize() + fill), what);
                    for (int w : new int[] {1, 8, 527}) {
                        RamBudget n = b.withWindow(w);
                        assertEquals(Math.min(w, asked), n.window(), what);
                        assertTrue(n.reorderBytes() <= (long) n.window() * n.blockSize() && n.reorderBytes() <= b.reorderBytes(), what);
                        assertEquals(b.reorderBytes() + b.flashBuffer(), n.reorderBytes() + n.flashBuffer(), what);
                    }
                }
            }
        }
        // The default board: 61996 shared; with a sector buffer 58156, less the least chip buffer 2 x (1468 + 4096)
        // = 11128 leaves 47028 = 32 whole blocks out of order (46976); the chip's buffer gets the rest.
        RamBudget b = RamBudget.of(profile("spi-nor-16m"), MTU_PAYLOAD, false);
        assertEquals(new RamBudget(65_536, FlashWriter.Options.SKIP_UNCHANGED, 1468, 32767, 32 * 1468, 58_156 - 32 * 1468, null), b);
    }

    @Test
    void theDefaultBoardKeepsItsWindowAndLowersAnyItCannotHold() {
        DeviceProfile p = profile("spi-nor-16m");
        RamBudget own = RamBudget.of(p, MTU_PAYLOAD);
        // windowsize auto on a flash that takes time: the largest window that fits once out of order and twice waiting
        // for the chip, beside the sector buffer. 64 KiB - 3540 fixed - 3840 for a whole 4 KiB sector = 58156;
        // (58156 - 256) / (3 x 1468) = 13 blocks.
        assertEquals(new RamBudget(65_536, FlashWriter.Options.SKIP_UNCHANGED, 1468, 13, 13 * 1468, 58_156 - 13 * 1468, null), own);
        assertTrue(own.flashBuffer() >= 2L * 13 * 1468 + 256);
        // Asked for a smaller window (the path needs less): the reorder buffer shrinks, the chip's buffer gets the rest.
        assertEquals(new RamBudget(65_536, FlashWriter.Options.SKIP_UNCHANGED, 1468, 8, 8 * 1468, 58_156 - 8 * 1468, null),
                own.withWindow(8));
        assertEquals(own, own.withWindow(527));                         // never more than the RAM holds
        RamBudget fixedEight = RamBudget.of(asking(p, TftpConfig.AUTO, 8), MTU_PAYLOAD);
        // An explicit 8: 8 x 1468 = 11744 out of order, the rest for the chip.
        assertEquals(new RamBudget(65_536, FlashWriter.Options.SKIP_UNCHANGED, 1468, 8, 11_744, 46_412, null), fixedEight);
        for (int window : new int[] {64, 32767}) {
            RamBudget b = RamBudget.of(asking(p, TftpConfig.AUTO, window), MTU_PAYLOAD);
            // Streaming (no sector buffer): 61996 shared; a window twice over plus a page: (61996 - 256) / 2936 = 21.
            assertEquals(21, b.window());
            assertEquals(FlashWriter.Options.DEFAULTS, b.writer());
            assertEquals(21 * 1468, b.reorderBytes());
            assertEquals(61_996 - 21 * 1468, b.flashBuffer());
            assertEquals("ram 65536 bytes holds a window of 21 blocks of 1468 bytes out of order and another waiting for the flash:"
                    + " asking for windowsize 21 instead of " + window, b.note());
        }
        // The 256 KiB boards hold 64 blocks twice over: (258604 - 256) / 2936 = 87 at most.
        assertNull(RamBudget.of(asking(profile("spi-nor-64m"), TftpConfig.AUTO, 64), MTU_PAYLOAD).note());
        assertEquals(87, RamBudget.of(asking(profile("spi-nor-64m"), TftpConfig.AUTO, 32767), MTU_PAYLOAD).window());
    }

    @Test
    void ramForLessThanOneBlockAsksForSmallerBlocksAndTooLittleIsRefused() {
        String small = """
                [board]
                name = small
                mac = 02:4e:42:00:00:09
                ram = RAM
                [flash]
                type = nor
                size = 1MiB
                erase-unit = 4KiB
                page = 256
                erased = 0xff
                page-program = 0.4ms / 3ms
                sector-erase = 45ms / 400ms
                [partition a]
                offset = 64KiB
                size = 256KiB
                [partition b]
                offset = 320KiB
                size = 256KiB
                [partition meta]
                offset = 576KiB
                size = 8KiB
                [boot]
                slots = a, b
                metadata = meta
                [tftp]
                blksize = 1468
                """;
        // 3540 fixed + 1000: twice (block + page) must fit, so blocks of 1000 / 2 - 256 = 244 bytes.
        RamBudget b = RamBudget.of(DeviceProfile.parse(small.replace("RAM", "4540"), "small.profile"), MTU_PAYLOAD);
        assertEquals(244, b.blockSize());
        assertEquals(1, b.window());
        assertEquals(1000, b.flashBuffer());
        assertEquals("ram 4540 bytes: asking for 244-byte blocks instead of 1468", b.note());
        assertEquals(244, b.apply(DeviceProfile.parse(small.replace("RAM", "4540"), "small.profile").tftp()).blockSize());
        // 3540 + 500 leaves 250 / 2 - 256 < 8 bytes a block: no boot can fit, so the profile itself is refused, at its line.
        ConfigException e = assertThrows(ConfigException.class, () -> DeviceProfile.parse(small.replace("RAM", "4040"), "small.profile"));
        assertTrue(e.getMessage().contains("ram: '4040' is too small (expected: at least 4068 bytes"), e.getMessage());
    }
}
