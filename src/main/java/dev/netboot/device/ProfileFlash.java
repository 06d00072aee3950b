package dev.netboot.device;

import dev.netboot.device.ConfigText.Section;
import dev.netboot.device.ConfigText.Value;
import dev.netboot.flash.FlashGeometry;
import dev.netboot.flash.FlashSpec;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.FlashType;
import dev.netboot.flash.NandGeometry;
import dev.netboot.flash.Partition;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a profile's {@code [flash]} section (the chip: geometry, timing, NAND spare, NOP and bad blocks) and its
 * {@code [partition NAME]} sections, each message pointing at the line at fault.
 *
 * <pre>
 * [flash]
 * type = nor                  # nor | nand
 * size = 16MiB
 * erase-unit = 4KiB           # sector (NOR) or block (NAND)
 * page = 256
 * erased = 0xff
 * page-program = 0.4ms / 3ms  # typical / max
 * sector-erase = 45ms / 400ms # block-erase on nand
 * </pre>
 *
 * @param geometry the chip's geometry (the main area on NAND)
 * @param timing   program, erase and read times
 * @param chip     the chip's type and, for NAND, spare size, NOP and factory bad blocks
 */
record ProfileFlash(FlashGeometry geometry, FlashTiming timing, FlashSpec chip) {
    /** Reads {@code [flash]}: geometry first, so that the timing and NAND keys can be checked against it. */
    static ProfileFlash read(Section flashSection) {
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
        long[] read = flashSection.optional("page-read").map(ProfileFlash::typicalMax).orElse(new long[] {0, 0});
        FlashTiming timing = new FlashTiming(program[0], program[1], erase[0], erase[1], read[0], read[1]);
        FlashSpec chip = type == FlashType.NAND ? nand(flashSection, flash, erasedValue) : nor(flashSection, flash);
        return new ProfileFlash(flash, timing, chip);
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
                    bad.add((int) ConfigValues.parseLong(part.trim(), 0, blocks - 1));
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

    /** Reads the {@code [partition NAME]} sections: each within the flash, none overlapping another. */
    static List<Partition> partitions(ConfigText text, FlashGeometry flash) {
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
}
