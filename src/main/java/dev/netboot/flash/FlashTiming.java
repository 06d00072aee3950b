package dev.netboot.flash;

/**
 * How long a flash chip takes to program a page, erase a unit and read a page, from its datasheet.
 * Times are nanoseconds. {@link TimedFlash} charges them in virtual time; typical times drive the
 * emulator's clock and maximum times bound a writer's timeouts.
 *
 * <p>Examples from datasheets:
 * <ul>
 *   <li>Winbond W25Q128JV (SPI NOR), "AC Electrical Characteristics": page program tPP 0.4 ms
 *       typical, 3 ms max; 4 KiB sector erase tSE 45 ms typical, 400 ms max. Reads stream at the
 *       SPI clock and are not charged (read times 0).</li>
 *   <li>Micron MT29F1G08 (SLC NAND): page program tPROG 200 µs typical, 600 µs max; block erase
 *       tBERS 0.7 ms typical, 2 ms max; page read into the cache register tR 25 µs max.</li>
 * </ul>
 *
 * @param pageProgramTypical typical time to program one page (a partial program costs a whole one)
 * @param pageProgramMax     worst-case time to program one page
 * @param eraseTypical       typical time to erase one erase unit (a NOR sector, a NAND block)
 * @param eraseMax           worst-case time to erase one erase unit
 * @param pageReadTypical    typical time to read one page, 0 when reads are not charged
 * @param pageReadMax        worst-case time to read one page
 */
public record FlashTiming(long pageProgramTypical, long pageProgramMax, long eraseTypical, long eraseMax,
                          long pageReadTypical, long pageReadMax) {

    /** Which of the datasheet's times an operation takes. */
    public enum Mode {
        /** Every operation takes its typical time. */
        TYPICAL,
        /** Every operation takes its worst-case time. */
        MAX,
        /** Operations take no time: the functional model alone. */
        NONE
    }

    /** Checks that program and erase times are positive, read times non-negative, typical <= max. */
    public FlashTiming {
        if (pageProgramTypical <= 0 || pageProgramMax < pageProgramTypical) {
            throw new IllegalArgumentException("page program time: typical " + pageProgramTypical + " ns, max " + pageProgramMax
                    + " ns (expected: 0 < typical <= max)");
        }
        if (eraseTypical <= 0 || eraseMax < eraseTypical) {
            throw new IllegalArgumentException("erase time: typical " + eraseTypical + " ns, max " + eraseMax
                    + " ns (expected: 0 < typical <= max)");
        }
        if (pageReadTypical < 0 || pageReadMax < pageReadTypical) {
            throw new IllegalArgumentException("page read time: typical " + pageReadTypical + " ns, max " + pageReadMax
                    + " ns (expected: 0 <= typical <= max)");
        }
    }

    /** Returns program and erase times with reads not charged, as for SPI NOR. */
    public FlashTiming(long pageProgramTypical, long pageProgramMax, long eraseTypical, long eraseMax) {
        this(pageProgramTypical, pageProgramMax, eraseTypical, eraseMax, 0, 0);
    }

    /** Returns the time of one page program in {@code mode}. */
    public long pageProgram(Mode mode) {
        return pick(mode, pageProgramTypical, pageProgramMax);
    }

    /** Returns the time of one erase unit's erase in {@code mode}. */
    public long erase(Mode mode) {
        return pick(mode, eraseTypical, eraseMax);
    }

    /** Returns the time of one page read in {@code mode}. */
    public long pageRead(Mode mode) {
        return pick(mode, pageReadTypical, pageReadMax);
    }

    private static long pick(Mode mode, long typical, long max) {
        return switch (mode) {
            case TYPICAL -> typical;
            case MAX -> max;
            case NONE -> 0;
        };
    }
}
