package dev.netboot.flash;

/**
 * A summary of per-unit erase counts ({@link Flash#eraseCounts()}), for a run's report. NOR sectors
 * and SLC NAND blocks are rated for about 100 000 erase cycles; {@code max} is what wears out first.
 *
 * @param total   erases over all units
 * @param max     erases of the most-erased unit
 * @param maxUnit index of the most-erased unit (the lowest such index), 0 if nothing was erased
 * @param min     erases of the least-erased unit
 */
public record FlashWear(long total, long max, int maxUnit, long min) {
    /** Summarises {@code counts}, one entry per erase unit. */
    public static FlashWear of(long[] counts) {
        long total = 0;
        long max = 0;
        int maxUnit = 0;
        long min = counts.length == 0 ? 0 : Long.MAX_VALUE;
        for (int i = 0; i < counts.length; i++) {
            total += counts[i];
            if (counts[i] > max) {
                max = counts[i];
                maxUnit = i;
            }
            min = Math.min(min, counts[i]);
        }
        return new FlashWear(total, max, maxUnit, min);
    }
}
