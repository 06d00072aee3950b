package dev.netboot.flash;

import java.util.Objects;

/**
 * A flash chip as the device sees it: raw reads, erases in erase units and programs within a page.
 *
 * <p>Rules every implementation enforces, each with its {@link FlashException.Kind}:
 * <ul>
 *   <li>every range lies inside {@code [0, geometry().size())} ({@code OUT_OF_RANGE});</li>
 *   <li>erase offset and length are multiples of the erase unit ({@code MISALIGNED_ERASE});</li>
 *   <li>a program lies within one page ({@code CROSSES_PAGE});</li>
 *   <li>a program only turns bits from 1 to 0 ({@code NOT_ERASED}).</li>
 * </ul>
 * A call that breaks a rule throws and changes nothing. Caller-side array bounds are our own
 * misuse and throw {@link IndexOutOfBoundsException}. Implementations are single-threaded.
 *
 * <p>The same contract holds for NOR and NAND: on NAND the main data area is what these methods
 * address (the spare area is reached through {@link NandFlash}), the erase unit is a block, and
 * NAND adds its own refusals (pages in order, at most NOP partial programs, bad blocks). What a
 * caller may rely on for both: erase whole units, program within a page, never raise a bit, and
 * skip units for which {@link #isBad(int)} is true. Implementations: {@link FileFlash} (a board's NOR in
 * a file), {@link SimulatedNorFlash}, {@link SimulatedNandFlash}; decorators: {@link TimedFlash},
 * {@link PowerCutFlash}.
 */
public interface Flash extends AutoCloseable {
    /** Returns the chip's size, erase unit, page size and erased value. */
    FlashGeometry geometry();

    /**
     * Copies {@code len} bytes at flash {@code offset} into {@code dst[dstOff ..]}.
     *
     * @throws FlashException OUT_OF_RANGE if the range is negative or reaches past the end of flash
     */
    void read(long offset, byte[] dst, int dstOff, int len);

    /**
     * Sets {@code length} bytes at {@code offset} to the erased value.
     *
     * @throws FlashException MISALIGNED_ERASE if offset or length is not a multiple of the erase
     *                        unit; OUT_OF_RANGE if the range is empty or past the end of flash
     */
    void erase(long offset, long length);

    /**
     * Programs {@code src[srcOff ..]} into flash at {@code offset}; each flash byte becomes
     * {@code old & data}, so the data must only clear bits.
     *
     * @throws FlashException OUT_OF_RANGE if the range is empty or past the end of flash;
     *                        CROSSES_PAGE if it does not lie within one page; NOT_ERASED if some
     *                        byte of data has a 1 where flash already holds a 0
     */
    void program(long offset, byte[] src, int srcOff, int len);

    /** Returns a snapshot of the operation counters. */
    FlashStats stats();

    /**
     * Returns how often each erase unit has been erased, indexed by {@code offset / eraseUnit}; a
     * fresh copy. Counters live in memory: a file-backed flash starts them at zero when opened.
     * {@link FlashWear#of(long[])} summarises them.
     */
    long[] eraseCounts();

    /**
     * Returns whether erase unit {@code unit} ({@code offset / eraseUnit}) is bad: a writer must not
     * erase or program it. NOR has no bad units, so the default is false; NAND reads the marker.
     *
     * @throws IndexOutOfBoundsException if {@code unit} is not a unit of this flash
     */
    default boolean isBad(int unit) {
        Objects.checkIndex(unit, Math.toIntExact(geometry().size() / geometry().eraseUnit()));
        return false;
    }

    /**
     * Tells a timed flash the caller's current virtual time: the next operation starts no earlier than
     * {@code nowNanos}, and no earlier than {@link #busyUntil()}. Untimed flash ignores it; decorators
     * pass it on.
     *
     * @throws IllegalArgumentException if a timed flash's time would go backwards
     */
    default void at(long nowNanos) {
    }

    /**
     * Returns the instant the chip finishes the operations issued so far, in the virtual time of
     * {@link #at(long)}; {@link Long#MIN_VALUE} for untimed flash, which is always ready.
     */
    default long busyUntil() {
        return Long.MIN_VALUE;
    }

    /** Flushes and releases the backing store; later calls throw FlashException STATE. */
    @Override
    void close();
}
