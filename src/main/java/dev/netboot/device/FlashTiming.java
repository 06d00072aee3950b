package dev.netboot.device;

/**
 * How long a flash chip takes to program a page and erase a unit, from its datasheet. Times are
 * nanoseconds. Typical times drive the emulator's clock; maximum times bound the writer's timeouts.
 *
 * <p>Example, Winbond W25Q128JV (SPI NOR), datasheet table "AC Electrical Characteristics":
 * page program tPP 0.4 ms typical, 3 ms max; 4 KiB sector erase tSE 45 ms typical, 400 ms max.
 *
 * @param pageProgramTypical typical time to program one page
 * @param pageProgramMax     worst-case time to program one page
 * @param eraseTypical       typical time to erase one erase unit (a NOR sector)
 * @param eraseMax           worst-case time to erase one erase unit
 */
public record FlashTiming(long pageProgramTypical, long pageProgramMax, long eraseTypical, long eraseMax) {
    /** Checks that times are positive and typical does not exceed max. */
    public FlashTiming {
        if (pageProgramTypical <= 0 || pageProgramMax < pageProgramTypical) {
            throw new IllegalArgumentException("page program time: typical " + pageProgramTypical + " ns, max " + pageProgramMax
                    + " ns (expected: 0 < typical <= max)");
        }
        if (eraseTypical <= 0 || eraseMax < eraseTypical) {
            throw new IllegalArgumentException("erase time: typical " + eraseTypical + " ns, max " + eraseMax
                    + " ns (expected: 0 < typical <= max)");
        }
    }
}
