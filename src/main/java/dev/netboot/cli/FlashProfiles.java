package dev.netboot.cli;

import dev.netboot.device.ConfigException;
import dev.netboot.device.DeviceProfile;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashException;
import dev.netboot.flash.FlashGeometry;
import dev.netboot.flash.FlashSpec;
import dev.netboot.flash.FlashType;
import dev.netboot.flash.Flashes;
import dev.netboot.flash.Partition;
import dev.netboot.flash.SlotMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Which board a flash file belongs to. When {@code netboot boot} creates a flash file it writes, beside it
 * as {@code FILE.profile}, a copy of the profile text it was created with; {@code netboot flash ...} and a
 * later {@code boot} read it when no {@code --profile} is given, and refuse a {@code --profile} whose flash
 * layout (chip, partitions, slots) differs.
 */
final class FlashProfiles {
    private FlashProfiles() {
    }

    /**
     * The profile to use for a flash file, and how it was chosen.
     *
     * @param profile the profile
     * @param text    its text as loaded (what {@link #record} writes), or null when it came from the record itself
     * @param how     for messages: "the profile recorded in F.profile", "--profile X", "the default profile spi-nor-16m"
     */
    record Choice(DeviceProfile profile, String text, String how) {
    }

    /** Returns where the profile of {@code flashFile} is recorded: {@code FILE.profile} beside it. */
    static Path recordOf(Path flashFile) {
        return flashFile.resolveSibling(flashFile.getFileName() + DeviceProfile.SUFFIX);
    }

    /**
     * Chooses the profile for {@code flashFile} (which may be null: in-memory flash) from {@code option}
     * (--profile, or null when not given) and the record beside an existing flash file.
     *
     * @throws UsageError when a profile does not load, or --profile does not fit the flash file's record
     */
    static Choice choose(String option, Path flashFile) {
        DeviceProfile recorded = null;
        Path record = flashFile == null ? null : recordOf(flashFile);
        if (record != null && Files.isRegularFile(flashFile) && Files.isDirectory(record)) {
            // Not passed over for the default: the record says whose flash this is (its layout, its key).
            throw new UsageError(record + ": is a directory (expected: the profile recorded beside " + flashFile + ", a file)");
        }
        if (record != null && Files.isRegularFile(flashFile) && Files.isRegularFile(record)) {
            try {
                recorded = DeviceProfile.parse(Files.readString(record, StandardCharsets.UTF_8), record.toString());
            } catch (IOException e) {
                throw new UsageError(IoProblems.of(record, e));
            } catch (ConfigException e) {
                throw new UsageError(e.getMessage());
            }
        }
        if (option == null && recorded != null) {
            return new Choice(recorded, null, "profile " + recorded.name() + " (recorded in " + record + ")");
        }
        String name = option != null ? option : DeviceProfile.DEFAULT_NAME;
        DeviceProfile prof;
        String text;
        try {
            Path file = DeviceProfile.locate(name, Home.profiles());
            prof = DeviceProfile.load(file);
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (ConfigException e) {
            throw new UsageError(e.getMessage());
        } catch (IOException e) {
            throw new UsageError(IoProblems.of(Path.of(name), e));
        }
        if (recorded != null) {
            String diff = layoutDifference(recorded, prof);
            if (diff != null) {
                throw new UsageError("--profile " + option + " does not fit " + flashFile + ", made by profile " + recorded.name()
                        + " (" + record + "): " + diff + " (expected: that profile's flash layout, or no --profile)");
            }
        }
        return new Choice(prof, text, option != null ? "profile " + prof.name() : "the default profile " + prof.name());
    }

    /** Returns the first difference in flash layout (chip, partitions, slots) between {@code a} and {@code b}, or null. */
    static String layoutDifference(DeviceProfile a, DeviceProfile b) {
        FlashSpec x = a.chip();
        FlashSpec y = b.chip();
        if (x.type() != y.type()) {
            return "its flash is " + name(x.type()) + ", not " + name(y.type());
        }
        if (!x.geometry().equals(y.geometry())) {
            return "its flash is " + describe(x.geometry()) + ", not " + describe(y.geometry());
        }
        if (!x.equals(y)) {
            return "its NAND chip differs (spare, NOP or factory bad blocks)";
        }
        if (!a.partitions().equals(b.partitions())) {
            return partitionDifference(a.partitions(), b.partitions());
        }
        for (int i = 0; i < 2; i++) {
            if (!Objects.equals(a.slot(i), b.slot(i))) {
                return "its slot " + (i == 0 ? "A" : "B") + " is " + a.slot(i).name() + ", not " + b.slot(i).name();
            }
        }
        if (!a.metadataRegion().equals(b.metadataRegion())) {
            return "its slot metadata is in " + a.metadataRegion().name() + ", not " + b.metadataRegion().name();
        }
        return null;
    }

    /** Returns e.g. "16 MiB of 4 KiB erase units and 256-byte pages, erased 0xff". */
    private static String describe(FlashGeometry g) {
        return BootCommand.sizeOf(g.size()) + " of " + BootCommand.sizeOf(g.eraseUnit()) + " erase units and "
                + BootCommand.sizeOf(g.pageSize()).replace(" bytes", "-byte") + " pages, erased 0x"
                + String.format(Locale.ROOT, "%02x", g.erasedValue());
    }

    /** Names the first partition of the flash file's layout {@code a} that the profile's {@code b} has otherwise, or lacks. */
    private static String partitionDifference(List<Partition> a, List<Partition> b) {
        for (Partition p : a) {
            Partition q = b.stream().filter(o -> o.name().equals(p.name())).findFirst().orElse(null);
            if (q == null) {
                return "its partition " + p.name() + " (" + where(p) + ") is not in the profile";
            }
            if (!q.equals(p)) {
                return "its partition " + p.name() + " is " + where(p) + ", not " + where(q);
            }
        }
        Partition extra = b.stream().filter(q -> !a.contains(q)).findFirst().orElseThrow();
        return "the profile's partition " + extra.name() + " (" + where(extra) + ") is not in it";
    }

    /** Returns e.g. "0x700000..0xd00000, 6 MiB". */
    private static String where(Partition p) {
        return "0x" + Long.toHexString(p.offset()) + "..0x" + Long.toHexString(p.end()) + ", " + BootCommand.sizeOf(p.size());
    }

    private static String name(FlashType t) {
        return t == FlashType.NAND ? "NAND" : "NOR";
    }

    /** Returns the bytes the flash file of {@code p} has: the main area on NOR, pages and their spare areas on NAND. */
    static long fileSize(DeviceProfile p) {
        return p.type() == FlashType.NAND ? (long) p.chip().nandGeometry().pages() * p.chip().nandGeometry().rawPageSize()
                : p.flash().size();
    }

    /**
     * Checks, before anything is created, that the flash of {@code c} can be opened: in memory when
     * {@code flashFile} is null ({@code alternative} then says what to do instead, or is empty), else, when the
     * file does not exist yet, that its folder has the room for it (it is created filled with the erased value).
     *
     * @throws UsageError naming the profile, the flash's size and the limit
     */
    static void checkRoom(Choice c, Path flashFile, String alternative) {
        long size = fileSize(c.profile());
        if (flashFile == null) {
            if (size > dev.netboot.flash.Flashes.MAX_IN_MEMORY) {
                throw new UsageError("profile " + c.profile().name() + " has a flash of " + size + " bytes, more than the"
                        + " emulator holds in memory (at most " + dev.netboot.flash.Flashes.MAX_IN_MEMORY + " bytes)" + alternative);
            }
            return;
        }
        if (Files.exists(flashFile)) {
            return;
        }
        Path folder = flashFile.toAbsolutePath().getParent();
        long free;
        try {
            free = Files.getFileStore(folder).getUsableSpace();
        } catch (IOException e) {
            return; // the creation itself then says what is wrong with the folder
        }
        if (size > free) {
            throw new UsageError("--flash-file " + flashFile + ": profile " + c.profile().name() + " has a flash of " + size
                    + " bytes, more than the " + free + " bytes free in " + folder);
        }
    }

    /**
     * Checks that an existing {@code flashFile} has the size of {@code c}'s flash, before anything opens it.
     *
     * @throws UsageError naming the profile and how it was chosen
     */
    static void checkSize(Path flashFile, Choice c) {
        long size;
        try {
            size = Files.size(flashFile);
        } catch (IOException e) {
            throw new UsageError(IoProblems.of(flashFile, e));
        }
        long expected = fileSize(c.profile());
        if (size != expected) {
            // With a record, --profile must fit it: the file's size changed since it was made, no other board is meant.
            String hint = Files.isRegularFile(recordOf(flashFile))
                    ? expected + " bytes, as when it was made: the file was cut short or grown since"
                    : "--profile naming the board whose flash it is";
            throw new UsageError(flashFile + " is " + size + " bytes, but " + c.how() + " has a flash file of " + expected
                    + " bytes (expected: " + hint + ")");
        }
    }

    /**
     * Checks, before anything writes to the existing {@code flashFile}, what its own slot metadata says against the
     * profile chosen for it ({@code c}; {@code option} is --profile, or null):
     * <ul>
     *   <li>a slot that holds an image taken on its Ed25519 signature makes a profile without a public key a refusal:
     *       the board needs signatures, whatever file held its profile (the slot records the key's id);</li>
     *   <li>with no record beside the file and no --profile, slot records (where the default profile keeps them) make
     *       the default a refusal: the board is someone's, and the record that said whose is gone.</li>
     * </ul>
     * A file whose metadata holds no record (blank, or made by hand) is left to the profile chosen.
     *
     * @throws UsageError naming the slot, the key, the missing record and what to give
     */
    static void checkSlots(Path flashFile, String option, Choice c) {
        DeviceProfile prof = c.profile();
        SlotMetadata m;
        try (Flash flash = Flashes.openReadOnly(prof.chip(), flashFile)) { // a check: it reads, and never creates the file
            m = prof.bootSlots(flash).load();
        } catch (FlashException | IllegalArgumentException e) {
            return; // the command opening it says what is wrong, in its own words
        }
        Path record = recordOf(flashFile);
        boolean noRecord = !Files.isRegularFile(record);
        for (int i = 0; i < 2; i++) {
            SlotMetadata.Slot s = m.slot(i);
            if (s.valid() && s.signed() && !prof.boot().signed()) {
                throw new UsageError(flashFile + ": slot " + BootSlots.name(i) + " holds an image taken on its Ed25519 signature"
                        + " (key " + SlotMetadata.keyIdHex(s.signer()) + ", its slot metadata says), but " + c.how() + " has no"
                        + " [security] public-key and would take unsigned images (expected: "
                        + (noRecord ? "--profile naming the board's profile, with that key: " + record + " is missing"
                                : "the board's profile, with that key, as recorded in " + record) + ")");
            }
        }
        if (noRecord && option == null && (m.sequence() > 0 || m.active() != SlotMetadata.NONE)) {
            throw new UsageError(flashFile + ": its slot metadata holds boot records, but the record of its profile, " + record
                    + ", is missing (expected: --profile naming the board's profile; boot records it again)");
        }
    }

    /**
     * Writes {@code c}'s profile text beside the flash file {@code boot} just created, replacing a stale record;
     * written to a temporary file and moved into place, so a reader never sees half a record.
     *
     * @throws IOException when it cannot be written
     */
    static void record(Path flashFile, Choice c) throws IOException {
        if (c.text() == null) {
            return;
        }
        Path record = recordOf(flashFile);
        Path tmp = record.resolveSibling(record.getFileName() + ".tmp");
        String header = "# The device profile of " + flashFile.getFileName() + ", copied by 'netboot boot' when it created that file.\n"
                + "# 'netboot flash ...' and 'netboot boot' use it when no --profile is given.\n";
        Files.writeString(tmp, header + c.text(), StandardCharsets.UTF_8);
        Files.move(tmp, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
