package dev.netboot.device;

import dev.netboot.bootp.BootpConfig;
import dev.netboot.dhcp.DhcpConfig;
import dev.netboot.flash.FlashGeometry;
import dev.netboot.flash.FlashSpec;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.FlashType;
import dev.netboot.flash.NandGeometry;
import dev.netboot.flash.Partition;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds a {@link DeviceProfile} in code, for a board that carries no profile file: the same fields as a
 * {@code .profile} file (device-profiles/README.md), and the same defaults for what is left out, so a profile
 * built here equals the one {@link DeviceProfile#load} reads from a file saying the same. Get one with
 * {@link DeviceProfile#builder}:
 *
 * <pre>{@code
 * DeviceProfile profile = DeviceProfile.builder("my-board")
 *         .ram(64 * 1024)
 *         .norFlash(16 << 20, 4096, 256)                 // size, erase unit (sector), page
 *         .partition("slot-a", 1 << 20, 6 << 20)
 *         .partition("slot-b", 7 << 20, 6 << 20)
 *         .partition("meta", 13 << 20, 8 << 10)
 *         .slots("slot-a", "slot-b", "meta")
 *         .build();
 * }</pre>
 *
 * Sizes are bytes and times nanoseconds. Required: a flash ({@link #norFlash} or {@link #nandFlash}), the
 * partitions and {@link #slots}. Each setter checks what it can at once; {@link #build} checks the whole
 * (partitions inside the flash and on erase units, no overlap, slots and metadata among the partitions, the
 * metadata at least two erase units, the smallest image no larger than a slot, enough RAM) and throws
 * {@link IllegalArgumentException} saying what is wrong: what a profile file saying the same is refused for.
 */
public final class ProfileBuilder {
    /** Winbond W25Q128JV (SPI NOR): page program 0.4 ms / 3 ms, 4 KiB sector erase 45 ms / 400 ms. */
    static final FlashTiming NOR_TIMING = new FlashTiming(400_000L, 3_000_000L, 45_000_000L, 400_000_000L);
    /** Micron MT29F1G08 (SLC NAND): tPROG 200 us / 600 us, tBERS 0.7 ms / 2 ms, tR 25 us. */
    static final FlashTiming NAND_TIMING = new FlashTiming(200_000L, 600_000L, 700_000L, 2_000_000L, 25_000L, 25_000L);

    private final String name;
    private String description = "";
    private MacAddress mac = MacAddress.parse("02:4e:42:00:00:01");
    private boolean macFromProfile;
    private long ram = -1;
    private FlashSpec chip;
    private FlashTiming timing;
    private final List<Partition> partitions = new ArrayList<>();
    private String slotA;
    private String slotB;
    private String metadata;
    private int trialBoots;
    private String publicKey = "";
    private ImageDigest.Policy digest = ImageDigest.Policy.IF_PRESENT;
    private long minImageSize = BootLayout.DEFAULT_MIN_IMAGE_SIZE;
    private boolean minImageSizeSet; // checked against the slots when given, as a file's min-image-size is
    private BootpConfig bootp = BootpConfig.DEFAULTS;
    private DhcpConfig dhcp = DhcpConfig.DEFAULTS;
    private TftpConfig tftp = TftpConfig.DEFAULTS;
    private int window = 1;

    ProfileBuilder(String name) {
        this.name = Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("profile name is empty");
        }
    }

    /** Sets the one line for humans ({@code [board] description}). Default: empty. */
    public ProfileBuilder description(String d) {
        this.description = Objects.requireNonNull(d, "description");
        return this;
    }

    /**
     * Sets the board's MAC address ({@code [board] mac}): the one it has on the emulator, and on a real link
     * when {@link #macFromProfile} is set. Default 02:4e:42:00:00:01.
     */
    public ProfileBuilder mac(MacAddress m) {
        Objects.requireNonNull(m, "mac");
        if (m.isGroup() || m.equals(MacAddress.ZERO)) { // as a profile file's mac (ConfigText.Value#asUnicastMac)
            throw new IllegalArgumentException("mac " + m + " is " + (m.equals(MacAddress.ZERO) ? "all zeros"
                    : m.equals(MacAddress.BROADCAST) ? "a broadcast address" : "a multicast address")
                    + " (expected: a station's own MAC, the first octet even, like 02:00:00:00:00:01)");
        }
        this.mac = m;
        return this;
    }

    /** Sets whether a real link uses the profile's MAC instead of the interface's ({@code mac-source = profile}). Default: no. */
    public ProfileBuilder macFromProfile(boolean on) {
        this.macFromProfile = on;
        return this;
    }

    /**
     * Sets the RAM the boot may use for buffers ({@code [board] ram}; required): at least two flash pages and two
     * Ethernet frames ({@link DeviceProfile#minimumRam}); what is left holds TFTP blocks out of order and the
     * image waiting for the chip.
     */
    public ProfileBuilder ram(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("ram " + bytes + " bytes (expected: the bytes the boot's buffers may use, at least"
                    + " two flash pages and two Ethernet frames)");
        }
        this.ram = bytes;
        return this;
    }

    /** Sets a NOR flash, erased 0xFF, with the timing of a W25Q128 unless {@link #timing} says otherwise. */
    public ProfileBuilder norFlash(long size, int eraseUnit, int page) {
        this.chip = FlashSpec.nor(new FlashGeometry(size, eraseUnit, page, 0xFF));
        return this;
    }

    /**
     * Sets an SLC NAND flash: {@code block} bytes per erase block, {@code page} main bytes and {@code spare} spare
     * bytes per page, {@code nop} partial programs per page; timing of an MT29F1G08 unless {@link #timing} says
     * otherwise.
     */
    public ProfileBuilder nandFlash(long size, int block, int page, int spare, int nop) {
        this.chip = FlashSpec.nand(new NandGeometry(new FlashGeometry(size, block, page, 0xFF), spare, nop), List.of(), 0);
        return this;
    }

    /** Sets the chip's datasheet times (the emulator charges them in virtual time; a real board ignores them). */
    public ProfileBuilder timing(FlashTiming t) {
        this.timing = Objects.requireNonNull(t, "timing");
        return this;
    }

    /** Adds a partition ({@code [partition NAME]}): a named region on erase-unit boundaries, its name its own. */
    public ProfileBuilder partition(String partitionName, long offset, long size) {
        Partition p = new Partition(partitionName, offset, size);
        if (partitions.stream().anyMatch(q -> q.name().equals(partitionName))) {
            throw new IllegalArgumentException("partition " + partitionName + " given twice (expected: one partition of a name, as a"
                    + " profile file has one [partition " + partitionName + "])");
        }
        partitions.add(p);
        return this;
    }

    /** Names the two partitions that take turns holding the image, and the one holding the metadata ({@code [boot]}; required). */
    public ProfileBuilder slots(String a, String b, String meta) {
        this.slotA = Objects.requireNonNull(a, "slot A");
        this.slotB = Objects.requireNonNull(b, "slot B");
        this.metadata = Objects.requireNonNull(meta, "metadata");
        return this;
    }

    /** Sets the boots a new image is tried before it must be confirmed ({@code trial-boots}; 0, the default: active at once). */
    public ProfileBuilder trialBoots(int n) {
        this.trialBoots = n;
        return this;
    }

    /** Sets the smallest image the board accepts ({@code min-image-size}; default 1 KiB). */
    public ProfileBuilder minImageSize(long bytes) {
        this.minImageSize = bytes;
        this.minImageSizeSet = true;
        return this;
    }

    /** Sets when the board checks the image against the server's {@code FILE.sha256} ({@code [boot] digest}). Default: if-present. */
    public ProfileBuilder digest(ImageDigest.Policy d) {
        this.digest = Objects.requireNonNull(d, "digest");
        return this;
    }

    /** Sets the Ed25519 public key images must be signed with, 64 hex digits ({@code [security] public-key}). Default: unsigned. */
    public ProfileBuilder publicKey(String hex) {
        this.publicKey = Objects.requireNonNull(hex, "public key").toLowerCase(java.util.Locale.ROOT);
        return this;
    }

    /** Sets the retransmission of requests for an address ({@code [bootp]}). Default: {@link BootpConfig#DEFAULTS}. */
    public ProfileBuilder bootp(BootpConfig b) {
        this.bootp = Objects.requireNonNull(b, "bootp");
        return this;
    }

    /** Sets how the board gets its address ({@code [dhcp]}). Default: {@link DhcpConfig#DEFAULTS}. */
    public ProfileBuilder dhcp(DhcpConfig d) {
        this.dhcp = Objects.requireNonNull(d, "dhcp");
        return this;
    }

    /**
     * Sets the TFTP client's settings ({@code [tftp]} but for the window). Default: {@link TftpConfig#DEFAULTS}, as a
     * profile file without {@code [tftp]}; {@code TftpConfig.DEFAULTS.withBlockSize(TftpConfig.AUTO)} fills the MTU.
     */
    public ProfileBuilder tftp(TftpConfig t) {
        this.tftp = Objects.requireNonNull(t, "tftp");
        return this;
    }

    /**
     * Sets the RFC 7440 window to ask for ({@code [tftp] windowsize}; default 1, lock-step), or
     * {@link TftpConfig#AUTO}: sized from the path when the transfer starts ({@code windowsize = auto}). Blocks that
     * arrive ahead of a gap are held in the RAM the flash pages and frames leave over.
     */
    public ProfileBuilder window(int blocks) {
        if (blocks != TftpConfig.AUTO && (blocks < 1 || blocks > TftpConfig.MAX_WINDOW_SIZE)) {
            throw new IllegalArgumentException("TFTP window " + blocks + " (expected: 1.." + TftpConfig.MAX_WINDOW_SIZE
                    + ", or TftpConfig.AUTO" + (blocks > TftpConfig.MAX_WINDOW_SIZE ? "; " + TftpConfig.WINDOW_LIMIT_WHY : "") + ")");
        }
        this.window = blocks;
        return this;
    }

    /**
     * Returns the profile.
     *
     * @throws IllegalStateException    when the flash, the RAM or the slots were not given
     * @throws IllegalArgumentException when the parts do not fit together (see the class comment)
     */
    public DeviceProfile build() {
        if (chip == null || ram < 0 || slotA == null) {
            List<String> missing = new ArrayList<>();
            if (chip == null) {
                missing.add("a flash (norFlash or nandFlash)");
            }
            if (ram < 0) {
                missing.add("ram");
            }
            if (slotA == null) {
                missing.add("slots");
            }
            throw new IllegalStateException("profile " + name + " needs " + String.join(", ", missing));
        }
        FlashGeometry flash = chip.geometry();
        long metaSize = partitions.stream().filter(p -> p.name().equals(metadata)).mapToLong(Partition::size).findFirst().orElse(0);
        if (metaSize > 0 && metaSize < 2L * flash.eraseUnit()) {
            throw new IllegalArgumentException("partition " + metadata + " is " + metaSize + " bytes (expected: at least two erase units, "
                    + 2L * flash.eraseUnit() + " bytes, one per metadata copy)");
        }
        long smallerSlot = partitions.stream().filter(p -> p.name().equals(slotA) || p.name().equals(slotB))
                .mapToLong(Partition::size).min().orElse(Long.MAX_VALUE);
        if (minImageSizeSet && minImageSize > smallerSlot) {
            throw new IllegalArgumentException("smallest image " + minImageSize + " bytes (expected: 1.." + smallerSlot
                    + " bytes, at most the smaller boot slot)");
        }
        BootLayout boot = new BootLayout(slotA, slotB, metadata, trialBoots, publicKey, minImageSize, digest);
        TftpConfig t = window != 1 ? tftp.withWindow(window, Math.max(0, ram - DeviceProfile.minimumRam(flash))) : tftp;
        FlashTiming chipTiming = timing != null ? timing : chip.type() == FlashType.NAND ? NAND_TIMING : NOR_TIMING;
        return new DeviceProfile(name, description, mac, ram, flash, chipTiming, chip, partitions, boot, bootp, t, macFromProfile,
                dhcp);
    }
}
