package dev.netboot.flash;

/**
 * A NAND chip: the {@link Flash} contract on the main area, plus what only NAND has.
 *
 * <p>Rules beyond {@link Flash}, each with its {@link FlashException.Kind}:
 * <ul>
 *   <li>within a block, pages are programmed in order since the block's erase: programming page
 *       k after page j &gt; k is refused ({@code OUT_OF_ORDER}); programming the same page again
 *       is a partial program;</li>
 *   <li>a page takes at most {@link NandGeometry#maxPartialPrograms()} programs between erases,
 *       main and spare programs alike ({@code TOO_MANY_PARTIAL_PROGRAMS});</li>
 *   <li>a bad block is neither erased nor programmed ({@code BAD_BLOCK}); an erase or program may
 *       report a status failure, after which the block is bad ({@code ERASE_FAILED},
 *       {@code PROGRAM_FAILED});</li>
 *   <li>reads return ECC-corrected data; more errors than ECC corrects in one sector throw
 *       {@code ECC_UNCORRECTABLE}.</li>
 * </ul>
 * Pages are numbered from 0 across the chip: page {@code p} holds main bytes
 * {@code [p × pageSize, (p + 1) × pageSize)}; block {@code b} holds pages
 * {@code [b × pagesPerBlock, (b + 1) × pagesPerBlock)}.
 */
public interface NandFlash extends Flash {
    /** Returns the chip's main geometry, spare size and NOP. */
    NandGeometry nandGeometry();

    /**
     * Returns whether block {@code block} is marked bad: byte 0 of its first page's spare is not 0xFF.
     *
     * @throws IndexOutOfBoundsException if there is no such block
     */
    @Override
    boolean isBad(int block);

    /**
     * Marks block {@code block} bad by programming 0x00 into byte 0 of its first page's spare. This
     * one program ignores page order and NOP, as a driver retiring a worn block must be able to.
     *
     * @throws IndexOutOfBoundsException if there is no such block
     */
    void markBad(int block);

    /**
     * Copies {@code len} spare bytes of page {@code page}, from spare offset {@code spareOff}, into
     * {@code dst[dstOff ..]}, raw: the marker, free bytes and ECC slots as stored, uncorrected.
     *
     * @throws FlashException OUT_OF_RANGE if there is no such page or the range leaves the spare area
     */
    void readSpare(int page, int spareOff, byte[] dst, int dstOff, int len);

    /**
     * Programs {@code src[srcOff ..]} into the free spare bytes of page {@code page} at
     * {@code spareOff}; like a main program it only clears bits, follows page order and counts as
     * one partial program of the page.
     *
     * @throws FlashException OUT_OF_RANGE if the range is empty or leaves the free bytes
     *                        {@code [2, eccOffset)}; NOT_ERASED, OUT_OF_ORDER,
     *                        TOO_MANY_PARTIAL_PROGRAMS, BAD_BLOCK, PROGRAM_FAILED as for a program
     */
    void programSpare(int page, int spareOff, byte[] src, int srcOff, int len);

    /** Returns the ECC counters: bits corrected and sectors found uncorrectable. */
    EccStats eccStats();

    /**
     * ECC counters of a NAND chip, as a snapshot.
     *
     * @param correctedBits       bit errors corrected on read
     * @param uncorrectableErrors sector reads that found more errors than ECC corrects
     */
    record EccStats(long correctedBits, long uncorrectableErrors) {}
}
