package dev.netboot.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
