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
import dev.netboot.flash.NandGeometry;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.Partition;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.wire.MacAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
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

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    /**
     * Checks the invariants {@link #load} reports with line numbers; here a violation is a programming error.
     *
     * @throws IllegalArgumentException when partitions overlap or leave the flash, the boot partition does
     *                                  not exist, or the RAM budget is below {@link #minimumRam}
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
        partitions = partitions.stream().sorted(Comparator.comparingLong(Partition::offset)).toList();
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
        if (ramBudget < minimumRam(flash)) {
            throw new IllegalArgumentException("RAM budget " + ramBudget + " is below the minimum " + minimumRam(flash));
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
        boolean name = NAME.matcher(nameOrPath).matches() && !nameOrPath.endsWith(SUFFIX);
        if (name) {
            Path named = profilesDir.resolve(nameOrPath + SUFFIX);
            if (Files.isRegularFile(named)) {
                return named;
            }
        }
        Path path = Path.of(nameOrPath);
        if (!name || Files.exists(path)) {
            return path; // load says "no such file", "is a directory", ... itself
        }
        List<String> names = available(profilesDir);
        // A hint only when one name is clearly meant: spi-nor-32m is as near spi-nor-16m as spi-nor-64m.
        List<String> near = names.stream().filter(n -> ConfigText.similar(nameOrPath, n)).toList();
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

    private static DeviceProfile read(ConfigText text) {
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

        Section flashSection = text.section("flash");
        Value typeValue = flashSection.require("type");
        FlashType type = typeValue.asOneOf("nor", "nand").equals("nand") ? FlashType.NAND : FlashType.NOR;
        Value sizeValue = flashSection.require("size");
        long size = sizeValue.asSize();
        Value eraseValue = flashSection.require("erase-unit");
        long eraseUnit = eraseValue.asSize();
        Value pageValue = flashSection.require("page");
        long page = pageValue.asSize();
        Value erasedValue = flashSection.require("erased");
        int erased = erasedValue.asInt(0, 0xFF);
        FlashGeometry flash = geometry(sizeValue, eraseValue, pageValue, size, eraseUnit, page, erased);
        long[] program = typicalMax(flashSection.require("page-program"));
        long[] erase = typicalMax(flashSection.require(type == FlashType.NAND ? "block-erase" : "sector-erase"));
        long[] read = flashSection.optional("page-read").map(DeviceProfile::typicalMax).orElse(new long[] {0, 0});
        FlashTiming timing = new FlashTiming(program[0], program[1], erase[0], erase[1], read[0], read[1]);
        FlashSpec chip = type == FlashType.NAND ? nand(flashSection, flash, erasedValue) : nor(flashSection, flash);

        List<Partition> partitions = partitions(text, flash);

        BootLayout boot = bootLayout(text, partitions, flash);

        long minimum = minimumRam(flash);
        if (ram < minimum) {
            throw ramValue.error("'" + ramValue.text() + "' is too small (expected: at least " + minimum + " bytes: two "
                    + flash.pageSize() + "-byte flash pages and two " + MAX_FRAME + "-byte Ethernet frames)");
        }

        BootpConfig bootp = bootp(text.optionalSection("bootp"));
        DhcpConfig dhcp = ProfileDhcp.read(text.optionalSection("dhcp"));
        TftpConfig tftp = tftp(text.optionalSection("tftp"), ram - minimumRam(flash));
        text.finish();
        return new DeviceProfile(name, description, mac, ram, flash, timing, chip, partitions, boot, bootp, tftp, macOverrides, dhcp);
    }

    private static FlashGeometry geometry(Value sizeValue, Value eraseValue, Value pageValue, long size, long eraseUnit,
                                          long page, int erased) {
        // FlashGeometry checks the nesting too, but its message cannot point at a line.
        if (page <= 0 || page > 1 << 20 || Long.bitCount(page) != 1) {
            throw pageValue.error("'" + pageValue.text() + "' (expected: a power of two up to 1MiB)");
        }
        if (eraseUnit < page || eraseUnit > 1 << 30 || Long.bitCount(eraseUnit) != 1) {
            throw eraseValue.error("'" + eraseValue.text() + "' (expected: a power of two, at least the page size " + page + ")");
        }
        if (size <= 0 || size % eraseUnit != 0) {
            throw sizeValue.error("'" + sizeValue.text() + "' (expected: a positive multiple of the erase unit " + eraseUnit + ")");
        }
        return new FlashGeometry(size, (int) eraseUnit, (int) page, erased);
    }

    // A NAND key in a nor profile is reported by finish() as unknown, listing the keys nor takes.
    private static FlashSpec nor(Section s, FlashGeometry flash) {
        return FlashSpec.nor(flash);
    }

    private static FlashSpec nand(Section s, FlashGeometry flash, Value erasedValue) {
        if (flash.erasedValue() != 0xFF) {
            throw erasedValue.error("'" + erasedValue.text() + "' (expected: 0xff for nand)");
        }
        Value spareValue = s.require("spare");
        long spare = spareValue.asSize();
        int nop = s.require("nop").asInt(1, 8);
        int blocks = (int) (flash.size() / flash.eraseUnit());
        List<Integer> bad = new ArrayList<>();
        s.optional("bad-blocks").ifPresent(v -> {
            for (String part : v.text().split(",")) {
                try {
                    bad.add((int) ConfigText.parseLong(part.trim(), 0, blocks - 1));
                } catch (ConfigException e) {
                    throw v.error("'" + part.trim() + "' (expected: block numbers 0.." + (blocks - 1) + " separated by commas)");
                }
            }
        });
        int random = s.optional("random-bad-blocks").map(v -> v.asInt(0, blocks - 1 - bad.size())).orElse(0);
        NandGeometry nand;
        try {
            nand = new NandGeometry(flash, (int) Math.min(spare, Integer.MAX_VALUE), nop);
        } catch (IllegalArgumentException e) {
            throw spareValue.error("'" + spareValue.text() + "': " + e.getMessage());
        }
        return FlashSpec.nand(nand, bad, random);
    }

    /** Reads {@code typical / max}, e.g. {@code 0.4ms / 3ms}. */
    private static long[] typicalMax(Value value) {
        List<Value> parts = value.split("/", 2, "typical / max, like 0.4ms / 3ms");
        long typical = parts.get(0).asDuration();
        long max = parts.get(1).asDuration();
        if (typical <= 0 || max < typical) {
            throw value.error("'" + value.text() + "' (expected: typical / max with 0 < typical <= max)");
        }
        return new long[] {typical, max};
    }

    /** Reads {@code [boot]} (slots, metadata, trial-boots, min-image-size, digest) and the optional {@code [security] public-key}. */
    private static BootLayout bootLayout(ConfigText text, List<Partition> partitions, FlashGeometry flash) {
        Section boot = text.section("boot");
        Value slotsValue = boot.require("slots");
        List<Value> names = slotsValue.split(",", 2, "two partition names, like slot-a, slot-b");
        Value metaValue = boot.require("metadata");
        List<String> known = partitions.stream().map(Partition::name).toList();
        for (Value v : List.of(names.get(0), names.get(1), metaValue)) {
            if (!known.contains(v.asString())) {
                throw v.error("no partition named '" + v.asString() + "' (expected one of: " + String.join(", ", known) + ")");
            }
        }
        if (names.get(0).asString().equals(names.get(1).asString())) {
            throw slotsValue.error("both slots are '" + names.get(0).asString() + "' (expected: two different partitions)");
        }
        String meta = metaValue.asString();
        if (names.stream().anyMatch(v -> v.asString().equals(meta))) {
            throw metaValue.error("'" + meta + "' is also a slot (expected: a partition of its own)");
        }
        long metaSize = partitions.stream().filter(p -> p.name().equals(meta)).findFirst().orElseThrow().size();
        if (metaSize < 2L * flash.eraseUnit()) {
            throw metaValue.error("partition '" + meta + "' is " + metaSize + " bytes (expected: at least two erase units, "
                    + 2L * flash.eraseUnit() + " bytes, one per metadata copy)");
        }
        int trial = boot.optional("trial-boots").map(v -> v.asInt(0, 255)).orElse(0);
        List<String> slotNames = List.of(names.get(0).asString(), names.get(1).asString());
        long smallestSlot = partitions.stream().filter(p -> slotNames.contains(p.name())).mapToLong(Partition::size).min().orElseThrow();
        long minImage = BootLayout.DEFAULT_MIN_IMAGE_SIZE;
        Optional<Value> minValue = boot.optional("min-image-size");
        if (minValue.isPresent()) {
            minImage = minValue.get().asSize();
            if (minImage < 1 || minImage > smallestSlot) {
                throw minValue.get().error("'" + minValue.get().text() + "' (expected: 1.." + smallestSlot
                        + " bytes, at most the smaller boot slot)");
            }
        }
        ImageDigest.Policy digest = boot.optional("digest").map(v -> ImageDigest.Policy.of(v.asOneOf("off", "if-present", "required")))
                .orElse(ImageDigest.Policy.IF_PRESENT);
        String key = "";
        Optional<Section> security = text.optionalSection("security");
        if (security.isPresent()) {
            Value keyValue = security.get().require("public-key");
            key = keyValue.asString().toLowerCase(java.util.Locale.ROOT);
            if (key.length() != 64 || !key.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw keyValue.error("'" + keyValue.asString() + "' (expected: 64 hex digits, the raw Ed25519 key 'netboot keygen' prints)");
            }
            security.get().finish();
        }
        boot.finish();
        return new BootLayout(names.get(0).asString(), names.get(1).asString(), meta, trial, key, minImage, digest);
    }

    private static List<Partition> partitions(ConfigText text, FlashGeometry flash) {
        List<Section> sections = text.namedSections("partition");
        if (sections.isEmpty()) {
            throw text.error("no partitions (expected: at least one [partition NAME] section with offset and size)");
        }
        List<Partition> partitions = new ArrayList<>();
        List<Section> sectionOf = new ArrayList<>();
        for (Section s : sections) {
            String pname = s.name().orElseThrow();
            Partition p = new Partition(pname, s.require("offset").asSize(), checkPositive(s.require("size")));
            try {
                p.checkFits(flash);
            } catch (IllegalArgumentException e) {
                // checkFits says "partition boot: ..."; the location already names the section.
                String msg = e.getMessage();
                String prefix = "partition " + pname + ": ";
                throw s.error(msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg);
            }
            partitions.add(p);
            sectionOf.add(s);
        }
        for (int i = 0; i < partitions.size(); i++) {
            for (int j = i + 1; j < partitions.size(); j++) {
                Partition a = partitions.get(i);
                Partition b = partitions.get(j);
                if (a.offset() < b.end() && b.offset() < a.end()) {
                    throw sectionOf.get(j).error("overlaps " + sectionOf.get(i).label() + " (line " + sectionOf.get(i).line()
                            + "): " + b.name() + " is 0x" + Long.toHexString(b.offset()) + "..0x" + Long.toHexString(b.end())
                            + ", " + a.name() + " is 0x" + Long.toHexString(a.offset()) + "..0x" + Long.toHexString(a.end()));
                }
            }
        }
        return partitions;
    }

    private static long checkPositive(Value v) {
        long n = v.asSize();
        if (n <= 0) {
            throw v.error("'" + v.text() + "' (expected: more than 0)");
        }
        return n;
    }

    private static BootpConfig bootp(Optional<Section> section) {
        if (section.isEmpty()) {
            return BootpConfig.DEFAULTS;
        }
        Section s = section.get();
        BootpConfig d = BootpConfig.DEFAULTS;
        long initial = s.optional("initial-timeout").map(Value::asDuration).orElse(d.initialTimeout());
        long max = s.optional("max-timeout").map(Value::asDuration).orElse(d.maxTimeout());
        long jitter = s.optional("jitter").map(Value::asDuration).orElse(d.jitter());
        long giveUp = s.optional("give-up").map(Value::asDuration).orElse(d.giveUp());
        try {
            return new BootpConfig(initial, max, jitter, giveUp);
        } catch (IllegalArgumentException e) {
            throw s.error(e.getMessage());
        }
    }

    private static TftpConfig tftp(Optional<Section> section, long spareRam) {
        if (section.isEmpty()) {
            return TftpConfig.DEFAULTS;
        }
        Section s = section.get();
        TftpConfig d = TftpConfig.DEFAULTS;
        long timeout = s.optional("timeout").map(Value::asDuration).orElse(d.timeout());
        int retries = s.optional("retries").map(v -> v.asInt(0, 1000)).orElse(d.maxRetries());
        // RFC 2348: "valid values range between 8 and 65464 octets, inclusive"; auto: the largest the MTU carries.
        int blksize = s.optional("blksize").map(v -> v.text().equals("auto") ? TftpConfig.AUTO : v.asInt(8, 65464))
                .orElse(d.blockSize());
        // RFC 7440; auto: sized from the path when the transfer starts (PathWindow).
        int window = s.optional("windowsize").map(DeviceProfile::windowSize).orElse(1);
        // RFC 6298 lets round-trip samples bring the timeout down to this; unset, it is the timeout itself (fixed).
        long minTimeout = s.optional("min-timeout").map(Value::asDuration).orElse(-1L);
        // How long to wait for the next packet before failing; unset, as long as the retries take at the timeout.
        long giveUp = s.optional("give-up").map(Value::asDuration).orElse(-1L);
        // RFC 2090: ask for the image by multicast; a server that does not offer it sends it as usual.
        boolean multicast = s.optional("multicast").map(Value::asBoolean).orElse(false);
        try {
            TftpConfig c = new TftpConfig(timeout, retries, blksize == TftpConfig.AUTO ? 512 : blksize);
            if (blksize == TftpConfig.AUTO) {
                c = c.withBlockSize(TftpConfig.AUTO);
            }
            if (minTimeout >= 0) {
                c = c.withTimeouts(c.timeout(), minTimeout, c.maxTimeout());
            }
            if (giveUp >= 0) {
                c = c.withGiveUp(giveUp);
            }
            // Blocks held out of order live in the RAM the flash pages and frames leave over.
            c = window != 1 ? c.withWindow(window, Math.max(0, spareRam)) : c;
            return multicast ? c.withMulticast(true) : c;
        } catch (IllegalArgumentException e) {
            throw s.error(e.getMessage());
        }
    }

    /** {@code [tftp] windowsize}: 1..65535, or auto ({@link TftpConfig#AUTO}). */
    private static int windowSize(Value v) {
        if (v.text().equals("auto")) {
            return TftpConfig.AUTO;
        }
        if (v.text().isEmpty() || !v.text().chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw v.error("'" + v.text() + "' is neither a whole number nor auto (expected: 1..65535 or auto)");
        }
        return v.asInt(1, 65535);
    }
}
