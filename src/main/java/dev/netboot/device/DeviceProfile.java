package dev.netboot.device;

import dev.netboot.bootp.BootpConfig;
import dev.netboot.dhcp.DhcpConfig;
import dev.netboot.device.ConfigText.Section;
import dev.netboot.device.ConfigText.Value;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashGeometry;
import dev.netboot.flash.FlashSpec;
import dev.netboot.flash.FlashType;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.Partition;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.wire.MacAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Everything netboot knows about one kind of board: its address, RAM, flash chip, partition map and
 * network retry settings. Profiles live as text files in {@code device-profiles/}; see the README there
 * for the format and {@link #load} for the checks.
 *
 * @param name          short name, equal to the file name without {@code .profile}, e.g. {@code spi-nor-16m}
 * @param description   one line for humans
 * @param mac           the board's Ethernet address
 * @param ramBudget     bytes of RAM the boot client may use for buffers
 * @param flash         chip geometry (the main area on NAND)
 * @param timing        chip program, erase and read times
 * @param chip          chip type and, for NAND, spare size, NOP and factory bad blocks; its geometry is {@code flash}
 * @param partitions    partition map, sorted by offset, non-overlapping, erase-aligned
 * @param boot          the A/B slots, their metadata partition, trial boots and the signing key
 * @param bootp         retransmission policy of every request for an address (DHCP and BOOTP), {@code [bootp]}
 * @param tftp          TFTP retransmission and block size
 * @param macOverridesInterface on a real interface, use {@code mac} instead of the interface's own address
 *                      ({@code [board] mac-source = profile}); the emulator always uses {@code mac}
 * @param dhcp          what the board speaks to get its address and how ({@code [dhcp]}: protocol, offer window,
 *                      ARP probes, vendor class)
 */
public record DeviceProfile(String name, String description, MacAddress mac, long ramBudget, FlashGeometry flash,
                            FlashTiming timing, FlashSpec chip, List<Partition> partitions, BootLayout boot, BootpConfig bootp,
                            TftpConfig tftp, boolean macOverridesInterface, DhcpConfig dhcp) {

    /** The profile {@code ./netboot boot} uses when none is given. */
    public static final String DEFAULT_NAME = "spi-nor-16m";
    /** File name suffix of profiles in a profiles folder. */
    public static final String SUFFIX = ".profile";
    /** Largest Ethernet frame without FCS: 14-byte header + 1500-byte payload. */
    public static final int MAX_FRAME = 1514;

    /**
     * The most RAM a profile may give the boot's buffers ({@code [board] ram}): 64 MiB. The boards are constrained: the
     * largest shipped profile gives 256 KiB, the 1 MiB of {@code bench/link-bench.profile} holds a window of 256 blocks
     * of 1468 bytes out of order, and a bootloader's whole heap is a few MiB (U-Boot's {@code SYS_MALLOC_LEN}: 256 KiB
     * on an Octeon running from its L2 cache, 16 to 24 MiB on boards with DRAM). The emulator holds each board's
     * buffers in the JVM's heap, a fleet many boards at once; more than this is a slip of the unit ({@code 64GiB} for
     * {@code 64KiB}), not a board.
     */
    public static final long MAX_RAM = 64L << 20;

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    /**
     * Checks the invariants {@link #load} reports with line numbers; here a violation is a programming error.
     *
     * @throws IllegalArgumentException when partitions overlap or leave the flash, the boot partition does
     *                                  not exist, or the RAM budget is below {@link #minimumRam} or above {@link #MAX_RAM}
     */
    public DeviceProfile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(flash, "flash");
        Objects.requireNonNull(timing, "timing");
        Objects.requireNonNull(chip, "chip");
        if (!chip.geometry().equals(flash)) {
            throw new IllegalArgumentException("chip geometry " + chip.geometry() + " differs from flash geometry " + flash);
        }
        Objects.requireNonNull(boot, "boot");
        Objects.requireNonNull(bootp, "bootp");
        Objects.requireNonNull(tftp, "tftp");
        Objects.requireNonNull(dhcp, "dhcp");
        // A lambda of this class, which the AOT cache keeps; Comparator.comparingLong's own would be spun at every start.
        partitions = partitions.stream().sorted((a, b) -> Long.compare(a.offset(), b.offset())).toList();
        for (Partition p : partitions) {
            p.checkFits(flash);
        }
        overlap(partitions).ifPresent(pair -> {
            throw new IllegalArgumentException("partitions " + pair[0].name() + " and " + pair[1].name() + " overlap");
        });
        for (String part : List.of(boot.slotA(), boot.slotB(), boot.metadata())) {
            if (partitions.stream().noneMatch(p -> p.name().equals(part))) {
                throw new IllegalArgumentException("boot partition " + part + " is not in the partition map");
            }
        }
        if (ramBudget > MAX_RAM) {
            throw new IllegalArgumentException("RAM budget " + ramBudget + " is more than a board's boot buffers take, " + MAX_RAM
                    + " bytes (64 MiB)");
        }
        if (ramBudget < leastRam(flash, tftp)) {
            throw new IllegalArgumentException("RAM budget " + ramBudget + " is below the least a boot runs in, " + leastRam(flash, tftp)
                    + " (two flash pages, two Ethernet frames, two of the smallest TFTP blocks with a page each)");
        }
    }

    /** Returns a builder of a profile called {@code name}, for a board that builds its profile in code. */
    public static ProfileBuilder builder(String name) {
        return new ProfileBuilder(name);
    }

    /** Returns whether the chip is NOR or NAND. */
    public FlashType type() {
        return chip.type();
    }

    /**
     * Returns the partition called {@code name}.
     *
     * @throws IllegalArgumentException when there is none
     */
    public Partition partition(String name) {
        return partitions.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("profile " + this.name + " has no partition " + name));
    }

    /** Creates a profile whose MAC is used on the emulator only (a real interface keeps its own). */
    public DeviceProfile(String name, String description, MacAddress mac, long ramBudget, FlashGeometry flash, FlashTiming timing,
                         FlashSpec chip, List<Partition> partitions, BootLayout boot, BootpConfig bootp, TftpConfig tftp) {
        this(name, description, mac, ramBudget, flash, timing, chip, partitions, boot, bootp, tftp, false, DhcpConfig.DEFAULTS);
    }

    /** Creates a profile with the default DHCP settings. */
    public DeviceProfile(String name, String description, MacAddress mac, long ramBudget, FlashGeometry flash, FlashTiming timing,
                         FlashSpec chip, List<Partition> partitions, BootLayout boot, BootpConfig bootp, TftpConfig tftp,
                         boolean macOverridesInterface) {
        this(name, description, mac, ramBudget, flash, timing, chip, partitions, boot, bootp, tftp, macOverridesInterface,
                DhcpConfig.DEFAULTS);
    }

    /** Returns this profile with other BOOTP settings. */
    public DeviceProfile withBootp(BootpConfig b) {
        return new DeviceProfile(name, description, mac, ramBudget, flash, timing, chip, partitions, boot, b, tftp, macOverridesInterface, dhcp);
    }

    /** Returns this profile with other TFTP settings. */
    public DeviceProfile withTftp(TftpConfig t) {
        return new DeviceProfile(name, description, mac, ramBudget, flash, timing, chip, partitions, boot, bootp, t, macOverridesInterface, dhcp);
    }

    /** Returns this profile with other DHCP settings. */
    public DeviceProfile withDhcp(DhcpConfig d) {
        return new DeviceProfile(name, description, mac, ramBudget, flash, timing, chip, partitions, boot, bootp, tftp, macOverridesInterface, d);
    }

    /** Returns this profile with another boot layout (slots, trial boots, signing key). */
    public DeviceProfile withBoot(BootLayout b) {
        return new DeviceProfile(name, description, mac, ramBudget, flash, timing, chip, partitions, b, bootp, tftp, macOverridesInterface, dhcp);
    }

    /** Returns the partition of boot slot {@code i} (0 is A, 1 is B). */
    public Partition slot(int i) {
        return partition(boot.slot(i));
    }

    /** Returns the partition that holds the slot metadata. */
    public Partition metadataRegion() {
        return partition(boot.metadata());
    }

    /** Returns the A/B slots of this board on {@code flash}. */
    public BootSlots bootSlots(Flash flash) {
        return new BootSlots(flash, slot(0), slot(1), metadataRegion());
    }

    /**
     * Returns the least RAM a board needs: two flash pages (one being programmed while the next fills)
     * and two full Ethernet frames (one received, one being sent).
     */
    public static long minimumRam(FlashGeometry flash) {
        return 2L * flash.pageSize() + 2L * MAX_FRAME;
    }

    /**
     * Returns the least RAM a board with {@code tftp}'s settings boots in: {@link #minimumRam}, the fixed buffers, and
     * beyond them two of the smallest TFTP blocks it can be sent, each with a flash page (what {@link RamBudget} needs
     * to stream the image): 8 bytes (RFC 2348's least, asked for when the RAM holds no more) when the board asks with
     * options, 512 (RFC 1350) when it does not.
     */
    public static long leastRam(FlashGeometry flash, TftpConfig tftp) {
        int block = tftp.options() ? TftpConfig.MIN_BLOCK_SIZE : 512;
        return minimumRam(flash) + 2L * (block + flash.pageSize());
    }

    /** Returns the first pair of overlapping partitions in a list sorted by offset. */
    private static Optional<Partition[]> overlap(List<Partition> sorted) {
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).offset() < sorted.get(i - 1).end()) {
                return Optional.of(new Partition[] {sorted.get(i - 1), sorted.get(i)});
            }
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- loading

    /**
     * Finds a profile by name in {@code profilesDir} ({@code spi-nor-16m} means
     * {@code profilesDir/spi-nor-16m.profile}) or, failing that, loads {@code nameOrPath} as a file path.
     * Something that can only be a path (a folder in it, or the {@code .profile} suffix) is loaded as one.
     *
     * @throws ConfigException when neither exists (a name: listing the available names; a path: "no such
     *                         file") or the profile is invalid
     */
    public static DeviceProfile resolve(String nameOrPath, Path profilesDir) {
        return load(locate(nameOrPath, profilesDir));
    }

    /**
     * Returns the file {@link #resolve} loads for {@code nameOrPath}: the named profile in {@code profilesDir},
     * else the path itself (which {@link #load} then reports if it is missing or not a file).
     *
     * @throws ConfigException for a name that is neither a profile in {@code profilesDir} nor a file
     */
    public static Path locate(String nameOrPath, Path profilesDir) {
        if (nameOrPath.isBlank()) {
            // Path.of("") is the current folder: "is a directory" would say nothing of the empty name given.
            List<String> names = available(profilesDir);
            throw new ConfigException("an empty profile name (expected: a profile in " + profilesDir + ": "
                    + (names.isEmpty() ? "none" : String.join(", ", names)) + "; or the path of a .profile file)");
        }
        boolean name = NAME.matcher(nameOrPath).matches() && !nameOrPath.endsWith(SUFFIX);
        if (name) {
            Path named = profilesDir.resolve(nameOrPath + SUFFIX);
            if (Files.isRegularFile(named)) {
                return named;
            }
        }
        Path path = Path.of(nameOrPath);
        if (!name && nameOrPath.endsWith(SUFFIX) && Files.notExists(path) && path.getFileName() != null) {
            // A shipped profile's file name given from another folder: say the name that finds it.
            String bare = path.getFileName().toString();
            bare = bare.substring(0, bare.length() - SUFFIX.length());
            if (NAME.matcher(bare).matches() && Files.isRegularFile(profilesDir.resolve(bare + SUFFIX))) {
                throw new ConfigException(nameOrPath + ": no such file (did you mean the profile '" + bare + "' in " + profilesDir
                        + "? it is named without " + SUFFIX + ")");
            }
        }
        if (!name || Files.exists(path)) {
            return path; // load says "no such file", "is a directory", ... itself
        }
        List<String> names = available(profilesDir);
        // A hint only when one name is clearly meant: spi-nor-32m is as near spi-nor-16m as spi-nor-64m.
        List<String> near = names.stream().filter(n -> ConfigValues.similar(nameOrPath, n)).toList();
        String hint = near.size() == 1 ? " (did you mean '" + near.getFirst() + "'?)" : "";
        throw new ConfigException("unknown device profile '" + nameOrPath + "'" + hint + " (available in " + profilesDir + ": "
                + (names.isEmpty() ? "none" : String.join(", ", names)) + "; or give the path of a .profile file)");
    }

    /** Returns the names of the profiles in {@code profilesDir}, sorted; empty if the folder does not exist. */
    public static List<String> available(Path profilesDir) {
        if (!Files.isDirectory(profilesDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(profilesDir)) {
            return files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(SUFFIX))
                    .map(f -> f.substring(0, f.length() - SUFFIX.length())).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException(profilesDir + ": cannot list profiles: " + e.getMessage(), e);
        }
    }

    /**
     * Loads and checks a profile file. When the file name ends in {@code .profile}, the {@code [board] name}
     * must match it, so that {@code --profile NAME} always finds the profile called NAME.
     *
     * @throws ConfigException naming the file, line, section and field of the first problem
     */
    public static DeviceProfile load(Path file) {
        ConfigText text = ConfigText.load(file);
        DeviceProfile profile = read(text);
        String fileName = file.getFileName().toString();
        if (fileName.endsWith(SUFFIX) && !fileName.equals(profile.name + SUFFIX)) {
            throw text.section("board").require("name")
                    .error("'" + profile.name + "' does not match the file name " + fileName + " (expected: the same name)");
        }
        return profile;
    }

    /**
     * Parses and checks profile text; {@code sourceName} names it in messages.
     *
     * @throws ConfigException naming the source, line, section and field of the first problem
     */
    public static DeviceProfile parse(String text, String sourceName) {
        return read(ConfigText.parse(text, sourceName));
    }

    /** The sections only an emulator scenario has (its others, [bootp], [dhcp] and [tftp], a profile has too). */
    private static final String[] SCENARIO_ONLY = {"emulator", "segment", "faults", "server", "relay", "dhcp-server", "proxy-dhcp",
            "host", "tftp-server"};

    private static DeviceProfile read(ConfigText text) {
        text.knownKinds("board", "flash", "partition", "boot", "security", "bootp", "dhcp", "tftp");
        for (String kind : text.has("board") ? new String[0] : SCENARIO_ONLY) {
            if (text.has(kind)) {
                // An emulator scenario given where a profile goes: say so, not only that [board] is missing.
                throw text.error("an emulator scenario, not a device profile (it has [" + kind + "] and no [board]; give it"
                        + " with --scenario)");
            }
        }
        Section board = text.section("board");
        Value nameValue = board.require("name");
        String name = nameValue.asString();
        if (!NAME.matcher(name).matches()) {
            throw nameValue.error("'" + name + "' (expected: lowercase letters, digits, '.', '_' and '-', like spi-nor-16m)");
        }
        String description = board.optional("description").map(Value::text).orElse("");
        MacAddress mac = board.require("mac").asUnicastMac();
        boolean macOverrides = board.optional("mac-source").map(v -> v.asOneOf("interface", "profile")).orElse("interface")
                .equals("profile");
        Value ramValue = board.require("ram");
        long ram = ramValue.asSize();
        if (ram > MAX_RAM) {
            throw ramValue.error("'" + ramValue.text() + "' is more than a board's boot buffers take (expected: at most 64MiB,"
                    + " " + MAX_RAM + " bytes; the shipped profiles give 64KiB to 256KiB)");
        }

        ProfileFlash chipSection = ProfileFlash.read(text.section("flash"));
        FlashGeometry flash = chipSection.geometry();
        List<Partition> partitions = ProfileFlash.partitions(text, flash);

        BootLayout boot = ProfileBoot.read(text, partitions, flash);

        BootpConfig bootp = ProfileDhcp.retry(text.optionalSection("bootp"));
        DhcpConfig dhcp = ProfileDhcp.read(text.optionalSection("dhcp"));
        TftpConfig tftp = ProfileTftp.read(text.optionalSection("tftp"), Math.max(0, ram - minimumRam(flash)));
        long least = leastRam(flash, tftp);
        if (ram < least) {
            int block = tftp.options() ? TftpConfig.MIN_BLOCK_SIZE : 512;
            throw ramValue.error("'" + ramValue.text() + "' is too small (expected: at least " + least + " bytes: two "
                    + flash.pageSize() + "-byte flash pages, two " + MAX_FRAME + "-byte Ethernet frames and two " + block
                    + "-byte TFTP blocks" + (tftp.options() ? ", the least a board may ask for," : " (no [tftp] options: RFC 1350's)")
                    + " with a page each)");
        }
        text.finish();
        return new DeviceProfile(name, description, mac, ram, flash, chipSection.timing(), chipSection.chip(), partitions, boot,
                bootp, tftp, macOverrides, dhcp);
    }
}
