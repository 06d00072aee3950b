package dev.netboot.flash;

import java.util.List;
import java.util.Objects;

/**
 * Everything needed to build a simulated chip: its type, geometry and, for NAND, spare size, NOP
 * and factory bad blocks. A device profile's {@code [flash]} section reads into one.
 *
 * @param type               NOR or NAND
 * @param geometry           main-area geometry
 * @param spareSize          NAND spare bytes per page; 0 for NOR
 * @param maxPartialPrograms NAND NOP; 0 for NOR
 * @param badBlocks          NAND factory bad blocks by index; empty for NOR
 * @param randomBadBlocks    NAND factory bad blocks chosen from the seed; 0 for NOR
 */
public record FlashSpec(FlashType type, FlashGeometry geometry, int spareSize, int maxPartialPrograms, List<Integer> badBlocks,
                        int randomBadBlocks) {
    /** Checks that NOR carries no NAND fields and that a NAND's fields make a valid {@link NandGeometry}. */
    public FlashSpec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(geometry, "geometry");
        badBlocks = List.copyOf(badBlocks);
        if (type == FlashType.NOR && (spareSize != 0 || maxPartialPrograms != 0 || !badBlocks.isEmpty() || randomBadBlocks != 0)) {
            throw new IllegalArgumentException("NOR flash with NAND fields: spare " + spareSize + ", NOP " + maxPartialPrograms
                    + ", bad blocks " + badBlocks + " + " + randomBadBlocks + " (expected: 0, 0, none)");
        }
        if (type == FlashType.NAND) {
            NandGeometry nand = new NandGeometry(geometry, spareSize, maxPartialPrograms);
            if (randomBadBlocks < 0) { // as NandFaults says it; checked here so FlashSpec needs no simulator class
                throw new IllegalArgumentException("random factory bad blocks: " + randomBadBlocks + " (expected: >= 0)");
            }
            for (int b : badBlocks) {
                Objects.checkIndex(b, nand.blocks());
            }
        }
    }

    /** Returns a NOR spec of the given geometry. */
    public static FlashSpec nor(FlashGeometry geometry) {
        return new FlashSpec(FlashType.NOR, geometry, 0, 0, List.of(), 0);
    }

    /** Returns a NAND spec of the given geometry and factory bad blocks. */
    public static FlashSpec nand(NandGeometry nand, List<Integer> badBlocks, int randomBadBlocks) {
        return new FlashSpec(FlashType.NAND, nand.flash(), nand.spareSize(), nand.maxPartialPrograms(), badBlocks, randomBadBlocks);
    }

    /**
     * Returns the NAND geometry.
     *
     * @throws IllegalStateException for NOR
     */
    public NandGeometry nandGeometry() {
        if (type != FlashType.NAND) {
            throw new IllegalStateException("NOR flash has no NAND geometry");
        }
        return new NandGeometry(geometry, spareSize, maxPartialPrograms);
    }
}
