package dev.netboot.device;

import dev.netboot.device.ConfigText.Section;
import dev.netboot.device.ConfigText.Value;
import dev.netboot.flash.FlashGeometry;
import dev.netboot.flash.Partition;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a profile's {@code [boot]} section into a {@link BootLayout}, with the optional {@code [security]} key.
 *
 * <pre>
 * [boot]
 * slots = slot-a, slot-b      # the two A/B partitions
 * metadata = meta             # a partition of its own, two erase units at least (one per metadata copy)
 * trial-boots = 3             # optional: boots a new slot gets before it must be confirmed
 * min-image-size = 1KiB       # optional: smaller images are refused before anything is erased
 * digest = if-present         # optional: off | if-present | required (FILE.sha256)
 *
 * [security]
 * public-key = 64 hex digits  # optional: the Ed25519 key images must be signed with
 * </pre>
 */
final class ProfileBoot {
    private ProfileBoot() {
    }

    /** Reads {@code [boot]} (slots, metadata, trial-boots, min-image-size, digest) and the optional {@code [security] public-key}. */
    static BootLayout read(ConfigText text, List<Partition> partitions, FlashGeometry flash) {
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
            key = keyValue.asString().toLowerCase(Locale.ROOT);
            if (key.length() != 64 || !key.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw keyValue.error("'" + keyValue.asString() + "' (expected: 64 hex digits, the raw Ed25519 key 'netboot keygen' prints)");
            }
            security.get().finish();
        }
        boot.finish();
        return new BootLayout(names.get(0).asString(), names.get(1).asString(), meta, trial, key, minImage, digest);
    }
}
