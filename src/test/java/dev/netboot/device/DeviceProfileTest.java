package dev.netboot.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.bootp.BootpConfig;
import dev.netboot.dhcp.DhcpConfig;
import dev.netboot.flash.FlashGeometry;
import dev.netboot.flash.FlashSpec;
import dev.netboot.flash.FlashType;
import dev.netboot.flash.NandGeometry;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.Partition;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.wire.MacAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceProfileTest {
    private static final Path PROFILES = Path.of("device-profiles");
    private static final String SRC = "device-profiles/x.profile";

    /** A small valid profile; the error tests change one line of it. Line numbers are in the comments. */
    private static final String BASE = """
            [board]
            name = x
            mac = 02:4e:42:00:00:09
            ram = 8KiB
            [flash]
            type = nor
            size = 1MiB
            erase-unit = 4KiB
            page = 256
            erased = 0xff
            page-program = 0.4ms / 3ms
            sector-erase = 45ms / 400ms
            [partition loader]
            offset = 0
            size = 64KiB
            [partition boot]
            offset = 64KiB
            size = 512KiB
            [boot]
            slots = boot, spare
            metadata = meta
            [partition spare]
            offset = 640KiB
            size = 128KiB
            [partition meta]
            offset = 768KiB
            size = 256KiB
            """;

    private static String error(String text) {
        return assertThrows(ConfigException.class, () -> DeviceProfile.parse(text, SRC)).getMessage();
    }

    private static String replace(String from, String to) {
        assertTrue(BASE.contains(from), from);
        return BASE.replace(from, to);
    }

    @Test
    void spiNor16mLoadsWithTheValuesInItsFile() {
        DeviceProfile p = DeviceProfile.load(PROFILES.resolve("spi-nor-16m.profile"));
        assertEquals("spi-nor-16m", p.name());
        assertEquals(DeviceProfile.DEFAULT_NAME, p.name());
        assertEquals("16 MiB SPI NOR (W25Q128JV), 64 KiB RAM", p.description());
        assertEquals(new MacAddress(0x02_4e_42_00_00_01L), p.mac());
        assertEquals(65_536, p.ramBudget());
        assertEquals(new FlashGeometry(16_777_216, 4_096, 256, 0xFF), p.flash());
        assertEquals(new FlashTiming(400_000, 3_000_000, 45_000_000, 400_000_000), p.timing());
        assertEquals(FlashType.NOR, p.type());
        assertEquals(FlashSpec.nor(p.flash()), p.chip());
        // 1 MiB loader; slots of 6 MiB at 1 and 7 MiB; two 4 KiB metadata sectors at 13 MiB; data from 0xd02000 to the end.
        assertEquals(List.of(
                new Partition("loader", 0, 1_048_576),
                new Partition("slot-a", 1_048_576, 6_291_456),
                new Partition("slot-b", 7_340_032, 6_291_456),
                new Partition("meta", 13_631_488, 8_192),
                new Partition("data", 13_639_680, 3_137_536)), p.partitions());
        assertEquals(new BootLayout("slot-a", "slot-b", "meta", 0, ""), p.boot());
        assertEquals(new Partition("slot-a", 1_048_576, 6_291_456), p.slot(0));
        assertEquals(new Partition("slot-b", 7_340_032, 6_291_456), p.slot(1));
        assertEquals(new Partition("meta", 13_631_488, 8_192), p.metadataRegion());
        assertEquals(16_777_216, p.partition("data").end());
        assertEquals(new BootpConfig(1_000_000_000L, 16_000_000_000L, 500_000_000L, 60_000_000_000L), p.bootp());
        assertEquals(new DhcpConfig(DhcpConfig.Protocol.AUTO, 500_000_000L, 2, 200_000_000L, 10_000_000_000L, "", true, 22, ""),
                p.dhcp());
        // blksize auto, windowsize auto (sized from the path when the transfer starts); out-of-order blocks get
        // the RAM left after two 256-byte pages and two
        // 1514-byte frames: 65536 - 3540 = 61996 bytes.
        // min-timeout 50 ms: round-trip samples may bring the 1 s timeout down to it; give-up 25 s.
        TftpConfig fixed = new TftpConfig(1_000_000_000L, 8, 512);
        assertEquals(fixed.withBlockSize(TftpConfig.AUTO).withTimeouts(1_000_000_000L, 50_000_000L, fixed.maxTimeout())
                .withWindow(TftpConfig.AUTO, 61_996).withGiveUp(25_000_000_000L), p.tftp());
    }

    @Test
    void spiNor64mLoadsWithTheValuesInItsFile() {
        DeviceProfile p = DeviceProfile.load(PROFILES.resolve("spi-nor-64m.profile"));
        assertEquals("spi-nor-64m", p.name());
        assertEquals(new MacAddress(0x02_4e_42_00_00_02L), p.mac());
        assertEquals(262_144, p.ramBudget());
        assertEquals(new FlashGeometry(67_108_864, 4_096, 256, 0xFF), p.flash());
        assertEquals(new FlashTiming(120_000, 1_800_000, 50_000_000, 400_000_000), p.timing());
        assertEquals(List.of(
                new Partition("loader", 0, 1_048_576),
                new Partition("slot-a", 1_048_576, 25_165_824),
                new Partition("slot-b", 26_214_400, 25_165_824),
                new Partition("meta", 51_380_224, 8_192),
                new Partition("data", 51_388_416, 15_720_448)), p.partitions());
        assertEquals(67_108_864, p.partition("data").end());
        // windowsize auto and min-timeout 50 ms; out-of-order blocks get the RAM left after two 256-byte pages
        // and two 1514-byte frames: 262144 - 3540 = 258604 bytes.
        TftpConfig fixed = new TftpConfig(1_000_000_000L, 8, 1468);
        assertEquals(fixed.withTimeouts(1_000_000_000L, 50_000_000L, fixed.maxTimeout()).withWindow(TftpConfig.AUTO, 258_604)
                .withGiveUp(25_000_000_000L), p.tftp());
    }

    @Test
    void nand128mLoadsWithTheValuesInItsFile() {
        DeviceProfile p = DeviceProfile.load(PROFILES.resolve("nand-128m.profile"));
        assertEquals("nand-128m", p.name());
        assertEquals(FlashType.NAND, p.type());
        assertEquals(new FlashGeometry(134_217_728, 131_072, 2_048, 0xFF), p.flash());
        assertEquals(FlashSpec.nand(NandGeometry.mt29f(134_217_728), List.of(), 20), p.chip());
        assertEquals(new FlashTiming(200_000, 600_000, 700_000, 2_000_000, 25_000, 25_000), p.timing());
        assertEquals(new Partition("slot-a", 1_048_576, 41_943_040), p.slot(0));
        assertEquals(new Partition("slot-b", 42_991_616, 41_943_040), p.slot(1));
        assertEquals(new Partition("meta", 84_934_656, 1_048_576), p.metadataRegion());
        assertEquals(134_217_728, p.partition("data").end());
        assertEquals(262_144, p.ramBudget());
    }

    @Test
    void minImageSizeDefaultsToOneKibAndIsBoundedByTheSmallerSlot() {
        assertEquals(1024, DeviceProfile.parse(BASE, SRC).boot().minImageSize());
        assertEquals(4096, DeviceProfile.parse(replace("metadata = meta", "metadata = meta\nmin-image-size = 4KiB"), SRC)
                .boot().minImageSize());
        // The smaller slot (spare) is 128 KiB: a floor above it could never boot anything.
        assertEquals(131_072, DeviceProfile.parse(replace("metadata = meta", "metadata = meta\nmin-image-size = 128KiB"), SRC)
                .boot().minImageSize());
        assertEquals(SRC + ":22: [boot] min-image-size: '0' (expected: 1..131072 bytes, at most the smaller boot slot)",
                error(replace("metadata = meta", "metadata = meta\nmin-image-size = 0")));
        assertTrue(error(replace("metadata = meta", "metadata = meta\nmin-image-size = 129KiB")).contains("at most the smaller boot slot"));
        for (String name : List.of("spi-nor-16m", "spi-nor-64m", "nand-128m")) {
            assertEquals(1024, DeviceProfile.load(PROFILES.resolve(name + ".profile")).boot().minImageSize(), name);
        }
    }

    private static final String NAND = BASE.replace("type = nor", "type = nand\nspare = 64\nnop = 4")
            .replace("erase-unit = 4KiB", "erase-unit = 128KiB").replace("page = 256", "page = 2KiB")
            .replace("sector-erase = 45ms / 400ms", "block-erase = 0.7ms / 2ms\npage-read = 25us / 25us")
            .replace("size = 64KiB", "size = 128KiB").replace("offset = 64KiB", "offset = 128KiB")
            .replace("ram = 8KiB", "ram = 16KiB");

    @Test
    void nandKeysParse() {
        DeviceProfile p = DeviceProfile.parse(NAND.replace("nop = 4", "nop = 4\nbad-blocks = 3, 0x5\nrandom-bad-blocks = 2"), SRC);
        assertEquals(new FlashSpec(FlashType.NAND, p.flash(), 64, 4, List.of(3, 5), 2), p.chip());
        assertEquals(25_000, p.timing().pageReadTypical());
    }

    @Test
    void nandKeyErrorsNameTheLine() {
        assertTrue(error(NAND.replace("nop = 4", "nop = 9")).contains("[flash] nop:"), error(NAND.replace("nop = 4", "nop = 9")));
        String spare = error(NAND.replace("spare = 64", "spare = 16"));
        assertTrue(spare.contains("[flash] spare: '16': NAND spare size: 16 (expected: 34..2048"), spare);
        String bad = error(NAND.replace("nop = 4", "nop = 4\nbad-blocks = 3, 8"));
        assertTrue(bad.contains("[flash] bad-blocks: '8' (expected: block numbers 0..7 separated by commas)"), bad);
        String erased = error(NAND.replace("erased = 0xff", "erased = 0x00"));
        assertTrue(erased.contains("[flash] erased: '0x00' (expected: 0xff for nand)"), erased);
        String norSpare = error(BASE.replace("type = nor", "type = nor\nspare = 64"));
        assertTrue(norSpare.contains("[flash] unknown key 'spare'"), norSpare);
        String missing = error(NAND.replace("block-erase = 0.7ms / 2ms\n", ""));
        assertTrue(missing.contains("missing required field 'block-erase'"), missing);
    }

    @Test
    void everyShippedProfileLoads() {
        List<String> names = DeviceProfile.available(PROFILES);
        assertTrue(names.contains(DeviceProfile.DEFAULT_NAME), names.toString());
        for (String name : names) {
            assertEquals(name, DeviceProfile.resolve(name, PROFILES).name());
        }
    }

    @Test
    void baseProfileIsValidAndBootpTftpDefault() {
        DeviceProfile p = DeviceProfile.parse(BASE, SRC);
        assertEquals("", p.description());
        assertEquals(BootpConfig.DEFAULTS, p.bootp());
        assertEquals(TftpConfig.DEFAULTS, p.tftp());
        assertEquals(3_540, DeviceProfile.minimumRam(p.flash()));
    }

    @Test
    void missingMac() {
        assertEquals("device-profiles/x.profile:1: [board] missing required field 'mac'",
                error(replace("mac = 02:4e:42:00:00:09\n", "")));
    }

    @Test
    void badMac() {
        assertEquals("device-profiles/x.profile:3: [board] mac: '02:4e:42:00:00' is not a MAC address"
                + " (expected: six hex octets like 02:00:00:00:00:01)", error(replace("02:4e:42:00:00:09", "02:4e:42:00:00")));
    }

    @Test
    void badSize() {
        assertEquals("device-profiles/x.profile:8: [flash] erase-unit: '4KB' is not a size (expected: a number with optional"
                + " KiB/MiB/GiB suffix or 0x hex; KB is ambiguous, write 4KiB for 4 x 1024 bytes)",
                error(replace("erase-unit = 4KiB", "erase-unit = 4KB")));
    }

    @Test
    void missingEraseUnit() {
        assertEquals("device-profiles/x.profile:5: [flash] missing required field 'erase-unit'",
                error(replace("erase-unit = 4KiB\n", "")));
    }

    @Test
    void geometryThatDoesNotNest() {
        assertEquals("device-profiles/x.profile:9: [flash] page: '300' (expected: a power of two up to 1MiB)",
                error(replace("page = 256", "page = 300")));
        assertEquals("device-profiles/x.profile:8: [flash] erase-unit: '128' (expected: a power of two, at least the page size 256)",
                error(replace("erase-unit = 4KiB", "erase-unit = 128")));
        assertEquals("device-profiles/x.profile:7: [flash] size: '1000000' (expected: a positive multiple of the erase unit 4096)",
                error(replace("size = 1MiB", "size = 1000000")));
    }

    @Test
    void unknownFlashTypeNamesAcceptedValues() {
        assertEquals("device-profiles/x.profile:6: [flash] type: 'nand-flash' is not supported (expected: nor or nand)",
                error(replace("type = nor", "type = nand-flash")));
        // nand needs its own keys
        assertEquals("device-profiles/x.profile:5: [flash] missing required field 'block-erase'",
                error(replace("type = nor", "type = nand")));
    }

    @Test
    void timingTypicalAboveMax() {
        assertEquals("device-profiles/x.profile:11: [flash] page-program: '3ms / 0.4ms' (expected: typical / max with 0 < typical <= max)",
                error(replace("0.4ms / 3ms", "3ms / 0.4ms")));
        assertEquals("device-profiles/x.profile:12: [flash] sector-erase: '45' is not a duration: no unit (expected: a number"
                + " with a unit ns, us, ms, s or min, like 250ms or 1.5s)", error(replace("45ms / 400ms", "45 / 400ms")));
    }

    @Test
    void overlappingPartitionsNameBoth() {
        assertEquals("device-profiles/x.profile:16: [partition boot] overlaps [partition loader] (line 13):"
                + " boot is 0xf000..0x8f000, loader is 0x0..0x10000", error(replace("offset = 64KiB", "offset = 60KiB")));
    }

    @Test
    void partitionPastFlashEnd() {
        assertEquals("device-profiles/x.profile:16: [partition boot] ends at 1114112, past the end of flash at 1048576",
                error(replace("size = 512KiB", "size = 1MiB")));
        // A size so large that offset + size passes Long.MAX_VALUE: 0x10000 + 0x7fffffffffff0000 = 2^63, not a negative end.
        assertEquals("device-profiles/x.profile:16: [partition boot] ends at 9223372036854775808, past the end of flash at 1048576",
                error(replace("size = 512KiB", "size = 0x7fffffffffff0000")));
    }

    @Test
    void partitionNotEraseAligned() {
        assertEquals("device-profiles/x.profile:16: [partition boot] offset 66560 and size 524288 must be multiples of the erase unit 4096",
                error(replace("offset = 64KiB", "offset = 65KiB")));
    }

    @Test
    void zeroSizePartition() {
        assertEquals("device-profiles/x.profile:18: [partition boot] size: '0' (expected: more than 0)",
                error(replace("size = 512KiB", "size = 0")));
    }

    @Test
    void noPartitions() {
        String text = BASE.substring(0, BASE.indexOf("[partition loader]")) + "[boot]\npartition = boot\n";
        assertEquals("device-profiles/x.profile: no partitions (expected: at least one [partition NAME] section with offset and size)",
                error(text));
    }

    @Test
    void bootPartitionMissing() {
        assertEquals("device-profiles/x.profile:20: [boot] slots: no partition named 'kernel' (expected one of: loader, boot, spare, meta)",
                error(replace("slots = boot, spare", "slots = kernel, spare")));
    }

    @Test
    void slotsAndMetadataMustBeDistinctAndMetadataHoldsTwoCopies() {
        assertEquals("device-profiles/x.profile:20: [boot] slots: both slots are 'boot' (expected: two different partitions)",
                error(replace("slots = boot, spare", "slots = boot, boot")));
        assertEquals("device-profiles/x.profile:21: [boot] metadata: 'spare' is also a slot (expected: a partition of its own)",
                error(replace("metadata = meta", "metadata = spare")));
        assertTrue(error(replace("size = 256KiB", "size = 4KiB")).contains("at least two erase units, 8192 bytes"));
    }

    @Test
    void macSourceSaysWhoseMacARealInterfaceUses() {
        assertFalse(DeviceProfile.parse(BASE, SRC).macOverridesInterface(), "the interface's own MAC by default");
        assertTrue(DeviceProfile.parse(replace("ram = 8KiB", "ram = 8KiB\nmac-source = profile"), SRC).macOverridesInterface());
        assertTrue(error(replace("ram = 8KiB", "ram = 8KiB\nmac-source = nic")).contains("mac-source"));
    }

    @Test
    void publicKeyMustBe64HexDigits() {
        String key = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
        DeviceProfile p = DeviceProfile.parse(BASE + "[security]\npublic-key = " + key + "\n", SRC);
        assertTrue(p.boot().signed());
        assertEquals(32, p.boot().publicKeyBytes().length);
        assertTrue(error(BASE + "[security]\npublic-key = abc\n").contains("64 hex digits"));
    }

    @Test
    void ramTooSmallSaysTheMinimum() {
        // Without [tftp] the board asks without options: the server sends RFC 1350's 512-byte blocks, two of which, each
        // with a page, must fit beside the fixed buffers: 2 x 256 + 2 x 1514 + 2 x (512 + 256) = 5076.
        assertEquals("device-profiles/x.profile:4: [board] ram: '2KiB' is too small (expected: at least 5076 bytes:"
                + " two 256-byte flash pages, two 1514-byte Ethernet frames and two 512-byte TFTP blocks (no [tftp] options:"
                + " RFC 1350's) with a page each)", error(replace("ram = 8KiB", "ram = 2KiB")));
    }

    /**
     * A constrained board's boot buffers: the largest shipped profile gives 256 KiB; 64 MiB (67,108,864 bytes) is the
     * most a profile may say, whether in a file (at the key's line) or built in code. A slip of the unit is refused.
     */
    @Test
    void ramBeyondWhatABoardHasIsRefusedAtItsLine() {
        assertEquals("device-profiles/x.profile:4: [board] ram: '64GiB' is more than a board's boot buffers take (expected: at"
                + " most 64MiB, 67108864 bytes; the shipped profiles give 64KiB to 256KiB)", error(replace("ram = 8KiB", "ram = 64GiB")));
        assertTrue(error(replace("ram = 8KiB", "ram = 67108865")).startsWith("device-profiles/x.profile:4: [board] ram: '67108865' is more"));
        assertEquals(64L << 20, DeviceProfile.parse(replace("ram = 8KiB", "ram = 64MiB"), SRC).ramBudget(), "64 MiB itself is allowed");
        DeviceProfile p = DeviceProfile.parse(BASE, SRC);
        assertThrows(IllegalArgumentException.class, () -> new DeviceProfile(p.name(), p.description(), p.mac(), (64L << 20) + 1,
                p.flash(), p.timing(), p.chip(), p.partitions(), p.boot(), p.bootp(), p.tftp(), p.macOverridesInterface(), p.dhcp()));
    }

    /**
     * A profile that loads can boot: the RAM check at load is the one the boot's RAM sharing ({@link RamBudget}) needs,
     * so a board is never refused at run time for what its profile said. The least: the fixed buffers (2 pages, 2
     * frames) and two of the smallest blocks the board can be sent with a page each: 8 bytes with options (RFC 2348),
     * 512 without (RFC 1350). NOR 256-byte pages: 3540 + 2 x 264 = 4068; NAND 2 KiB pages: 7124 + 2 x 2056 = 11236.
     */
    @Test
    void theLeastRamAProfileTakesIsTheLeastABootRunsIn() {
        String withOptions = BASE + "[tftp]\nblksize = auto\n";
        assertEquals("device-profiles/x.profile:4: [board] ram: '4067' is too small (expected: at least 4068 bytes: two 256-byte"
                + " flash pages, two 1514-byte Ethernet frames and two 8-byte TFTP blocks, the least a board may ask for, with a"
                + " page each)", error(withOptions.replace("ram = 8KiB", "ram = 4067")));
        DeviceProfile least = DeviceProfile.parse(withOptions.replace("ram = 8KiB", "ram = 4068"), SRC);
        assertEquals(8, RamBudget.of(least, 1472).blockSize(), "the least RAM streams the image in 8-byte blocks");
        assertThrows(ConfigException.class, () -> DeviceProfile.parse(BASE.replace("ram = 8KiB", "ram = 5075"), SRC));
        assertEquals(512, RamBudget.of(DeviceProfile.parse(BASE.replace("ram = 8KiB", "ram = 5076"), SRC), 1472).blockSize());
        String nand = NAND + "[tftp]\nblksize = auto\n";
        assertTrue(error(nand.replace("ram = 16KiB", "ram = 11235")).contains("at least 11236 bytes"),
                error(nand.replace("ram = 16KiB", "ram = 11235")));
        assertEquals(8, RamBudget.of(DeviceProfile.parse(nand.replace("ram = 16KiB", "ram = 11236"), SRC), 1472).blockSize());
        // In code: the builder refuses what the file refuses.
        assertThrows(IllegalArgumentException.class, () -> DeviceProfile.builder("x").ram(4067).norFlash(1 << 20, 4096, 256)
                .partition("a", 0, 256 << 10).partition("b", 256 << 10, 256 << 10).partition("m", 512 << 10, 8 << 10)
                .slots("a", "b", "m").tftp(TftpConfig.DEFAULTS.withBlockSize(TftpConfig.AUTO)).build());
    }

    @Test
    void unknownKey() {
        assertEquals("device-profiles/x.profile:9: [flash] unknown key 'erase-size'"
                + " (expected one of: type, size, erase-unit, page, erased, page-program, sector-erase, page-read)",
                error(replace("erase-unit = 4KiB", "erase-unit = 4KiB\nerase-size = 4KiB")));
        assertEquals("device-profiles/x.profile:10: [flash] unknown key 'pages' (did you mean 'page'?)"
                + " (expected one of: type, size, erase-unit, page, erased, page-program, sector-erase, page-read)",
                error(replace("page = 256", "page = 256\npages = 256")));
    }

    @Test
    void dhcpSectionSetsProtocolProbesAndVendorClass() {
        DhcpConfig d = DeviceProfile.parse(BASE + """
                [dhcp]
                protocol = bootp
                offer-wait = 1s
                arp-probes = 0
                decline-wait = 0s
                vendor-class = acme-board v2
                hostname = board-7
                """, SRC).dhcp();
        assertEquals(new DhcpConfig(DhcpConfig.Protocol.BOOTP, 1_000_000_000L, 0, 200_000_000L, 0, "acme-board v2", false, 22,
                "board-7"), d);
        assertEquals("acme-board v2", d.vendorClassId());
        assertEquals(DhcpConfig.DEFAULTS, DeviceProfile.parse(BASE, SRC).dhcp());
        assertEquals("PXEClient:Arch:00000:UNDI:003016", DeviceProfile.parse(BASE + "[dhcp]\npxe-arch = 0\n", SRC).dhcp().vendorClassId());
    }

    @Test
    void dhcpKeyErrorsNameTheLine() {
        String bad = error(BASE + "[dhcp]\nprotocol = dhcpv6\n");
        assertTrue(bad.startsWith("device-profiles/x.profile:29: [dhcp] protocol: 'dhcpv6'") && bad.contains("auto")
                && bad.contains("bootp"), bad);
        assertTrue(error(BASE + "[dhcp]\narp-probes = 17\n").startsWith("device-profiles/x.profile:29: [dhcp] arp-probes:"));
        assertTrue(error(BASE + "[dhcp]\npxe-arch = 65536\n").startsWith("device-profiles/x.profile:29: [dhcp] pxe-arch:"));
    }

    /**
     * A required section's header with a typo is that typo at its line, as a required key's is, not a section missing
     * from a file that has it (before, "[flsh]" was "missing required section [flash]", with no line). A section of
     * another known kind is no typo: without [boot], [bootp] (one letter more) leaves [boot] missing.
     */
    @Test
    void aTypoInARequiredSectionsHeaderIsReportedAtItsLine() {
        assertEquals("device-profiles/x.profile:5: [flsh] unknown section (did you mean 'flash'? it is required)",
                error(replace("[flash]", "[flsh]")));
        assertEquals("device-profiles/x.profile:1: [baord] unknown section (did you mean 'board'? it is required)",
                error(replace("[board]", "[baord]")));
        assertEquals("device-profiles/x.profile:19: [bot] unknown section (did you mean 'boot'? it is required)",
                error(replace("[boot]", "[bot]")));
        assertEquals("device-profiles/x.profile: missing required section [boot]",
                error(replace("[boot]\nslots = boot, spare\nmetadata = meta\n", "") + "[bootp]\ngive-up = 60s\n"));
    }

    @Test
    void unknownSection() {
        assertEquals("device-profiles/x.profile:28: [tftpd] unknown section (did you mean 'tftp'?)"
                + " (expected one of: board, flash, partition, boot, security, bootp, dhcp, tftp)", error(BASE + "[tftpd]\ntimeout = 1s\n"));
    }

    @Test
    void badNetworkSettingsNameTheSection() {
        assertEquals("device-profiles/x.profile:30: [tftp] blksize: '4' is out of range (expected: 8..65464)",
                error(BASE + "[tftp]\ntimeout = 2s\nblksize = 4\n"));
        assertEquals("device-profiles/x.profile:30: [tftp] windowsize: 'fast' is neither a whole number nor auto (expected: 1..32767 or auto)",
                error(BASE + "[tftp]\ntimeout = 2s\nwindowsize = fast\n"));
        assertEquals("device-profiles/x.profile:30: [tftp] windowsize: '0' is out of range (expected: 1..32767)",
                error(BASE + "[tftp]\ntimeout = 2s\nwindowsize = 0\n"));
        // RFC 7440's 65535 is more than 16-bit block numbers allow once they wrap (BootLinkCliTest says why): 32767 at most.
        assertEquals(32767, DeviceProfile.parse(BASE + "[tftp]\nwindowsize = 32767\n", SRC).tftp().windowSize());
        for (String w : new String[] {"32768", "65535", "65536", "99999999999"}) {
            assertEquals("device-profiles/x.profile:30: [tftp] windowsize: '" + w + "' is out of range (expected: 1..32767 or auto;"
                    + " a larger window spans over half the 16-bit block numbers, so past block 65535 a block sent again would"
                    + " look new)", error(BASE + "[tftp]\ntimeout = 2s\nwindowsize = " + w + "\n"), w);
        }
        assertEquals(TftpConfig.AUTO, DeviceProfile.parse(BASE + "[tftp]\nwindowsize = auto\n", SRC).tftp().windowSize());
    }

    /**
     * A retransmission time that cannot work is reported at the key that says it, in the file's own units, naming the
     * other key it contradicts (and whether that one is the default): device-profiles/README.md's rules for [bootp]
     * (initial <= max, jitter < initial, 0 < give-up, initial <= give-up) and [tftp] (timeout > 0, min-timeout <= timeout, give-up >= timeout).
     */
    @Test
    void timingThatCannotWorkIsReportedAtItsKey() {
        // BASE is 27 lines: the appended section's header is line 28, its first key line 29.
        assertEquals("device-profiles/x.profile:29: [bootp] max-timeout: '500ms' is less than initial-timeout 1s, the default"
                + " (expected: at least initial-timeout)", error(BASE + "[bootp]\nmax-timeout = 500ms\n"));
        assertEquals("device-profiles/x.profile:30: [bootp] max-timeout: '16s' is less than initial-timeout 20s"
                + " (expected: at least initial-timeout)", error(BASE + "[bootp]\ninitial-timeout = 20s\nmax-timeout = 16s\n"));
        assertEquals("device-profiles/x.profile:29: [bootp] initial-timeout: '20s' is more than max-timeout 16s, the default"
                + " (expected: at most max-timeout)", error(BASE + "[bootp]\ninitial-timeout = 20s\n"));
        assertEquals("device-profiles/x.profile:29: [bootp] initial-timeout: '0s' (expected: more than 0)",
                error(BASE + "[bootp]\ninitial-timeout = 0s\n"));
        assertEquals("device-profiles/x.profile:29: [bootp] jitter: '2s' is not less than initial-timeout 1s, the default"
                + " (expected: less than initial-timeout)", error(BASE + "[bootp]\njitter = 2s\n"));
        assertEquals("device-profiles/x.profile:29: [bootp] initial-timeout: '400ms' is not more than jitter 500ms, the default"
                + " (expected: more than jitter)", error(BASE + "[bootp]\ninitial-timeout = 400ms\n"));
        assertEquals("device-profiles/x.profile:29: [bootp] give-up: '0s' (expected: more than 0)",
                error(BASE + "[bootp]\ngive-up = 0s\n"));
        // Found by a QA pass: give-up 500ms with the default initial-timeout 1s was taken, and the board sent its
        // first DHCPDISCOVER once, never again (an emulated boot with it still booted, on a LAN that lost nothing).
        assertEquals("device-profiles/x.profile:29: [bootp] give-up: '500ms' is less than initial-timeout 1s, the default"
                + " (expected: at least initial-timeout: the first request would never go again)",
                error(BASE + "[bootp]\ngive-up = 500ms\n"));
        assertEquals("device-profiles/x.profile:30: [bootp] give-up: '3s' is less than initial-timeout 4s"
                + " (expected: at least initial-timeout: the first request would never go again)",
                error(BASE + "[bootp]\ninitial-timeout = 4s\ngive-up = 3s\n"));
        assertEquals("device-profiles/x.profile:29: [bootp] initial-timeout: '61s' is more than give-up 60s, the default"
                + " (expected: at most give-up)", error(BASE + "[bootp]\ninitial-timeout = 61s\nmax-timeout = 64s\n"));
        assertEquals("device-profiles/x.profile:29: [tftp] timeout: '0s' (expected: more than 0)",
                error(BASE + "[tftp]\ntimeout = 0s\n"));
        assertEquals("device-profiles/x.profile:29: [tftp] min-timeout: '5s' is more than timeout 1s, the default"
                + " (expected: more than 0, at most the timeout)", error(BASE + "[tftp]\nmin-timeout = 5s\n"));
        assertEquals("device-profiles/x.profile:30: [tftp] min-timeout: '0s' (expected: more than 0, at most the timeout)",
                error(BASE + "[tftp]\ntimeout = 2s\nmin-timeout = 0s\n"));
        assertEquals("device-profiles/x.profile:30: [tftp] give-up: '1s' is less than timeout 2s (expected: at least the timeout)",
                error(BASE + "[tftp]\ntimeout = 2s\ngive-up = 1s\n"));
        // What may be said is taken: min-timeout up to the timeout, give-up from it, jitter just under initial.
        DeviceProfile ok = DeviceProfile.parse(BASE + "[bootp]\ninitial-timeout = 2s\nmax-timeout = 2s\njitter = 1999ms\ngive-up = 2s\n"
                + "[tftp]\ntimeout = 2s\nmin-timeout = 2s\ngive-up = 2s\n", SRC);
        assertEquals(2_000_000_000L, ok.tftp().minTimeout());
        assertEquals(2_000_000_000L, ok.tftp().giveUp());
        assertEquals(1_999_000_000L, ok.bootp().jitter());
        assertEquals(2_000_000_000L, ok.bootp().giveUp());
    }

    /** Issue 10: giving up is a time budget; unset, the time the retries take at the timeout, doubling up to 8 x. */
    @Test
    void tftpGiveUpIsABudgetOfTime() {
        // timeout 2 s, 2 retries: 2 + 4 + 8 = 14 s.
        assertEquals(14_000_000_000L, DeviceProfile.parse(BASE + "[tftp]\ntimeout = 2s\nretries = 2\n", SRC).tftp().giveUp());
        // The defaults, 1 s and 8 retries: 1 + 2 + 4 + 8 x 6 = 55 s.
        assertEquals(55_000_000_000L, DeviceProfile.parse(BASE + "[tftp]\nblksize = 1024\n", SRC).tftp().giveUp());
        assertEquals(25_000_000_000L, DeviceProfile.parse(BASE + "[tftp]\ngive-up = 25s\n", SRC).tftp().giveUp());
    }

    @Test
    void resolveByNameAndByPath() {
        assertEquals("spi-nor-64m", DeviceProfile.resolve("spi-nor-64m", PROFILES).name());
        assertEquals("spi-nor-16m", DeviceProfile.resolve("device-profiles/spi-nor-16m.profile", Path.of("elsewhere")).name());
        assertEquals(List.of("nand-128m", "spi-nor-16m", "spi-nor-64m"), DeviceProfile.available(PROFILES));
    }

    @Test
    void unknownProfileNameListsTheAvailableOnes() {
        assertEquals("unknown device profile 'spi-nor-32m' (available in device-profiles: nand-128m, spi-nor-16m, spi-nor-64m;"
                + " or give the path of a .profile file)",
                assertThrows(ConfigException.class, () -> DeviceProfile.resolve("spi-nor-32m", PROFILES)).getMessage());
    }

    @Test
    void aNameOneEditFromOneProfileGetsAHint() {
        assertEquals("unknown device profile 'spi-nor-16' (did you mean 'spi-nor-16m'?) (available in device-profiles: nand-128m,"
                + " spi-nor-16m, spi-nor-64m; or give the path of a .profile file)",
                assertThrows(ConfigException.class, () -> DeviceProfile.resolve("spi-nor-16", PROFILES)).getMessage());
    }

    /**
     * A shipped profile's file name given where it is not ({@code --profile spi-nor-16m.profile} outside device-profiles/):
     * the line names the profile meant and how to name it. Before, "spi-nor-16m.profile: no such file" alone.
     */
    @Test
    void aShippedProfilesFileNameFromAnotherFolderIsPointedTo(@TempDir Path dir) {
        assertEquals("spi-nor-16m.profile: no such file (did you mean the profile 'spi-nor-16m' in device-profiles? it is named"
                + " without .profile)", assertThrows(ConfigException.class, () -> DeviceProfile.resolve("spi-nor-16m.profile", PROFILES))
                .getMessage());
        String elsewhere = dir.resolve("nand-128m.profile").toString();
        assertEquals(elsewhere + ": no such file (did you mean the profile 'nand-128m' in device-profiles? it is named without"
                + " .profile)", assertThrows(ConfigException.class, () -> DeviceProfile.resolve(elsewhere, PROFILES)).getMessage());
    }

    @Test
    void aMissingPathIsNoSuchFileNotAnUnknownName(@TempDir Path dir) {
        String missing = dir.resolve("nonexist.profile").toString();
        assertEquals(missing + ": no such file", assertThrows(ConfigException.class, () -> DeviceProfile.resolve(missing, PROFILES))
                .getMessage());
        assertEquals("nonexist.profile: no such file",
                assertThrows(ConfigException.class, () -> DeviceProfile.resolve("nonexist.profile", PROFILES)).getMessage());
        assertEquals(dir + ": is a directory (expected: a file in the netboot config format)",
                assertThrows(ConfigException.class, () -> DeviceProfile.resolve(dir.toString(), PROFILES)).getMessage());
    }

    @Test
    void aFileWithoutEndIsRefusedAfterTheLimitNotReadUntilTheHeapRunsOut() {
        // /dev/zero says it has 0 bytes (a device has no size) and never ends: before, it was read whole, until
        // "out of memory checking the options" (exit 1). Reading stops one byte past the 1 MiB a config file may have.
        assertEquals("/dev/zero: more than 1024 KiB is too large for a config file (expected: text of at most 1024 KiB)",
                assertThrows(ConfigException.class, () -> DeviceProfile.resolve("/dev/zero", PROFILES)).getMessage());
    }

    @Test
    void aBinaryFileIsNotAProfile(@TempDir Path dir) throws IOException {
        Path bin = Files.write(dir.resolve("image.profile"), new byte[] {'[', 'b', ']', '\n', (byte) 0xC3, 0x28, 0});
        assertEquals(bin + ":2: not a text file: byte 0xc3 at offset 4 is not UTF-8 text (expected: a file in the netboot config format)",
                assertThrows(ConfigException.class, () -> DeviceProfile.resolve(bin.toString(), PROFILES)).getMessage());
    }

    @Test
    void aRequiredKeysTypoIsReportedAtItsLine() {
        assertEquals("device-profiles/x.profile:9: [flash] unknown key 'pgae' (did you mean 'page'? it is required)",
                error(replace("page = 256", "pgae = 256")));
    }

    @Test
    void aGroupOrZeroBoardMacIsRefusedAtItsLine() {
        assertEquals("device-profiles/x.profile:3: [board] mac: '01:00:5e:00:00:01' is a multicast address (expected: a station's own"
                + " MAC, the first octet even, like 02:00:00:00:00:01)", error(replace("02:4e:42:00:00:09", "01:00:5e:00:00:01")));
        assertEquals("device-profiles/x.profile:3: [board] mac: 'ff:ff:ff:ff:ff:ff' is a broadcast address (expected: a station's own"
                + " MAC, the first octet even, like 02:00:00:00:00:01)", error(replace("02:4e:42:00:00:09", "ff:ff:ff:ff:ff:ff")));
        assertEquals("device-profiles/x.profile:3: [board] mac: '00:00:00:00:00:00' is all zeros (expected: a station's own MAC,"
                + " like 02:00:00:00:00:01)", error(replace("02:4e:42:00:00:09", "00:00:00:00:00:00")));
    }

    @Test
    void profileNameMustMatchFileName(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("other.profile");
        Files.writeString(file, BASE);
        assertEquals(file + ":2: [board] name: 'x' does not match the file name other.profile (expected: the same name)",
                assertThrows(ConfigException.class, () -> DeviceProfile.load(file)).getMessage());
        Files.writeString(dir.resolve("x.profile"), BASE);
        assertEquals("x", DeviceProfile.resolve("x", dir).name());
    }

    @Test
    void constructorRejectsOverlapForProgrammaticUse() {
        DeviceProfile p = DeviceProfile.parse(BASE, SRC);
        List<Partition> overlapping = List.of(new Partition("a", 0, 8192), new Partition("boot", 4096, 4096));
        assertThrows(IllegalArgumentException.class, () -> new DeviceProfile(p.name(), p.description(), p.mac(), p.ramBudget(),
                p.flash(), p.timing(), p.chip(), overlapping, p.boot(), p.bootp(), p.tftp()));
    }
}
