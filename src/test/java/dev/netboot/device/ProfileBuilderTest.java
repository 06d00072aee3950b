package dev.netboot.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.flash.FlashType;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.wire.MacAddress;
import org.junit.jupiter.api.Test;

/** {@link ProfileBuilder}: a profile built in code equals the one a file saying the same gives, and says what is wrong. */
class ProfileBuilderTest {
    static final long MS = 1_000_000L;

    /** Every section a board usually sets; [bootp] and [dhcp] left out, so both take their defaults. */
    static final String NOR_TEXT = """
            [board]
            name = my-board
            description = a board built in code
            mac = 02:4e:42:00:00:07
            ram = 64KiB
            [flash]
            type = nor
            size = 16MiB
            erase-unit = 4KiB
            page = 256
            erased = 0xff
            page-program = 0.4ms / 3ms
            sector-erase = 45ms / 400ms
            [partition slot-a]
            offset = 1MiB
            size = 6MiB
            [partition slot-b]
            offset = 7MiB
            size = 6MiB
            [partition meta]
            offset = 13MiB
            size = 8KiB
            [boot]
            slots = slot-a, slot-b
            metadata = meta
            trial-boots = 2
            min-image-size = 4KiB
            [tftp]
            timeout = 1s
            retries = 8
            blksize = auto
            windowsize = 8
            min-timeout = 50ms
            """;

    @Test
    void aNorProfileBuiltInCodeEqualsTheFileSayingTheSame() {
        DeviceProfile built = DeviceProfile.builder("my-board")
                .description("a board built in code")
                .mac(MacAddress.parse("02:4e:42:00:00:07"))
                .ram(64 * 1024)
                .norFlash(16 << 20, 4096, 256)
                .partition("slot-a", 1 << 20, 6 << 20)
                .partition("slot-b", 7 << 20, 6 << 20)
                .partition("meta", 13 << 20, 8 << 10)
                .slots("slot-a", "slot-b", "meta")
                .trialBoots(2)
                .minImageSize(4096)
                .tftp(TftpConfig.DEFAULTS.withBlockSize(TftpConfig.AUTO).withTimeouts(1000 * MS, 50 * MS, 8000 * MS))
                .window(8)
                .build();
        assertEquals(DeviceProfile.parse(NOR_TEXT, "my-board.profile"), built);
    }

    @Test
    void aWindowSizedFromThePathIsTheFilesWindowsizeAuto() {
        DeviceProfile built = DeviceProfile.builder("my-board")
                .description("a board built in code")
                .mac(MacAddress.parse("02:4e:42:00:00:07"))
                .ram(64 * 1024)
                .norFlash(16 << 20, 4096, 256)
                .partition("slot-a", 1 << 20, 6 << 20)
                .partition("slot-b", 7 << 20, 6 << 20)
                .partition("meta", 13 << 20, 8 << 10)
                .slots("slot-a", "slot-b", "meta")
                .trialBoots(2)
                .minImageSize(4096)
                .tftp(TftpConfig.DEFAULTS.withBlockSize(TftpConfig.AUTO).withTimeouts(1000 * MS, 50 * MS, 8000 * MS))
                .window(TftpConfig.AUTO)
                .build();
        assertEquals(DeviceProfile.parse(NOR_TEXT.replace("windowsize = 8", "windowsize = auto"), "my-board.profile"), built);
        assertEquals(TftpConfig.AUTO, built.tftp().windowSize());
    }

    @Test
    void aNandProfileTakesTheMt29fTimingAndTheDefaults() {
        String text = """
                [board]
                name = nand-board
                mac = 02:4e:42:00:00:01
                ram = 256KiB
                [flash]
                type = nand
                size = 128MiB
                erase-unit = 128KiB
                page = 2KiB
                spare = 64
                nop = 4
                erased = 0xff
                page-program = 200us / 600us
                block-erase = 0.7ms / 2ms
                page-read = 25us / 25us
                [partition slot-a]
                offset = 1MiB
                size = 40MiB
                [partition slot-b]
                offset = 41MiB
                size = 40MiB
                [partition meta]
                offset = 81MiB
                size = 1MiB
                [boot]
                slots = slot-a, slot-b
                metadata = meta
                """;
        DeviceProfile built = DeviceProfile.builder("nand-board").ram(256 * 1024).nandFlash(128 << 20, 128 << 10, 2048, 64, 4)
                .partition("slot-a", 1 << 20, 40 << 20).partition("slot-b", 41 << 20, 40 << 20).partition("meta", 81 << 20, 1 << 20)
                .slots("slot-a", "slot-b", "meta").build();
        assertEquals(FlashType.NAND, built.type());
        assertEquals(DeviceProfile.parse(text, "nand-board.profile"), built);
    }

    @Test
    void whatIsMissingOrWrongIsSaid() {
        assertEquals("profile x needs a flash (norFlash or nandFlash), ram, slots",
                assertThrows(IllegalStateException.class, () -> DeviceProfile.builder("x").build()).getMessage());
        ProfileBuilder b = DeviceProfile.builder("x").ram(64 * 1024).norFlash(1 << 20, 4096, 256)
                .partition("a", 0x10000, 0x40000).partition("b", 0x50000, 0x40000).partition("m", 0, 0x1000).slots("a", "b", "m");
        assertEquals("partition m is 4096 bytes (expected: at least two erase units, 8192 bytes, one per metadata copy)",
                assertThrows(IllegalArgumentException.class, b::build).getMessage());
        assertEquals("partitions a and b overlap", assertThrows(IllegalArgumentException.class,
                () -> DeviceProfile.builder("x").ram(64 * 1024).norFlash(1 << 20, 4096, 256).partition("a", 0x10000, 0x40000)
                        .partition("b", 0x40000, 0x40000).partition("m", 0, 0x2000).slots("a", "b", "m").build()).getMessage());
        assertEquals("boot partition c is not in the partition map", assertThrows(IllegalArgumentException.class,
                () -> DeviceProfile.builder("x").ram(64 * 1024).norFlash(1 << 20, 4096, 256).partition("a", 0x10000, 0x40000)
                        .partition("b", 0x50000, 0x40000).partition("m", 0, 0x2000).slots("a", "c", "m").build()).getMessage());
        // No [tftp] options: RFC 1350's 512-byte blocks, two with a page each beside 2 pages and 2 frames: 3540 + 1536.
        assertEquals("RAM budget 1024 is below the least a boot runs in, 5076 (two flash pages, two Ethernet frames, two of the"
                + " smallest TFTP blocks with a page each)", assertThrows(IllegalArgumentException.class,
                () -> DeviceProfile.builder("x").ram(1024).norFlash(1 << 20, 4096, 256).partition("a", 0x10000, 0x40000)
                        .partition("b", 0x50000, 0x40000).partition("m", 0, 0x2000).slots("a", "b", "m").build()).getMessage());
        assertEquals("TFTP window -1 (expected: 1..32767, or TftpConfig.AUTO)",
                assertThrows(IllegalArgumentException.class, () -> DeviceProfile.builder("x").window(-1)).getMessage());
        // Half the 16-bit block numbers at most (BootLinkCliTest says why), not RFC 7440's 65535.
        for (int w : new int[] {32768, 65535}) {
            assertEquals("TFTP window " + w + " (expected: 1..32767, or TftpConfig.AUTO; a larger window spans over half the 16-bit"
                    + " block numbers, so past block 65535 a block sent again would look new)",
                    assertThrows(IllegalArgumentException.class, () -> DeviceProfile.builder("x").window(w)).getMessage());
        }
    }

    /** The builder of {@link #NOR_TEXT}'s board, but for its trial boots and [tftp]. */
    static ProfileBuilder norBoard() {
        return DeviceProfile.builder("my-board").mac(MacAddress.parse("02:4e:42:00:00:07")).ram(64 * 1024)
                .norFlash(16 << 20, 4096, 256).partition("slot-a", 1 << 20, 6 << 20).partition("slot-b", 7 << 20, 6 << 20)
                .partition("meta", 13 << 20, 8 << 10).slots("slot-a", "slot-b", "meta");
    }

    /** Asserts that {@link #NOR_TEXT} with {@code from} replaced by {@code to} is refused as a file. */
    static void fileRefuses(String from, String to) {
        assertTrue(NOR_TEXT.contains(from), from);
        assertThrows(ConfigException.class, () -> DeviceProfile.parse(NOR_TEXT.replace(from, to), "my-board.profile"),
                "a file with '" + to.strip() + "'");
    }

    @Test
    void whatAFileSayingTheSameIsRefusedForTheBuilderRefusesToo() {
        // Before, the builder took each of these, and the file saying the same was refused.
        // IEEE 802: a station's own address has the I/G bit (the first octet's lowest) clear, and is not all zeros.
        for (String[] m : new String[][] {{"ff:ff:ff:ff:ff:ff", "a broadcast address"}, {"01:00:5e:00:00:01", "a multicast address"},
            {"00:00:00:00:00:00", "all zeros"}}) {
            fileRefuses("mac = 02:4e:42:00:00:07", "mac = " + m[0]);
            assertEquals("mac " + m[0] + " is " + m[1] + " (expected: a station's own MAC, the first octet even, like"
                    + " 02:00:00:00:00:01)", assertThrows(IllegalArgumentException.class,
                    () -> norBoard().mac(MacAddress.parse(m[0]))).getMessage());
        }
        // Two partitions of one name: which one is the slot, the metadata?
        fileRefuses("[partition meta]\noffset = 13MiB\nsize = 8KiB\n",
                "[partition meta]\noffset = 13MiB\nsize = 8KiB\n[partition meta]\noffset = 14MiB\nsize = 8KiB\n");
        assertEquals("partition meta given twice (expected: one partition of a name, as a profile file has one [partition meta])",
                assertThrows(IllegalArgumentException.class, () -> norBoard().partition("meta", 14 << 20, 8 << 10)).getMessage());
        // An image larger than a slot fits in neither: 6 MiB slots, 6 MiB + 1 bytes the smallest image.
        fileRefuses("min-image-size = 4KiB", "min-image-size = 6291457");
        assertEquals("smallest image 6291457 bytes (expected: 1..6291456 bytes, at most the smaller boot slot)",
                assertThrows(IllegalArgumentException.class, () -> norBoard().minImageSize((6 << 20) + 1).build()).getMessage());
        assertEquals(6 << 20, norBoard().minImageSize(6 << 20).build().boot().minImageSize(), "a slot's size fits");
        // A negative RAM budget was taken for none given: "profile my-board needs ram".
        fileRefuses("ram = 64KiB", "ram = -5");
        assertEquals("ram -5 bytes (expected: the bytes the boot's buffers may use, at least two flash pages and two Ethernet"
                + " frames)", assertThrows(IllegalArgumentException.class, () -> norBoard().ram(-5)).getMessage());
    }
}
