package dev.netboot.flash;

import java.util.Objects;

/**
 * A decorator that charges every flash operation its datasheet time in virtual time.
 *
 * <p>The chip is a single busy resource. The caller tells the flash what time it is with
 * {@link #at(long)}; an operation then starts at {@code max(now, busyUntil())} (a chip that is
 * still programming cannot start the next command) and keeps the chip busy for its duration:
 * <ul>
 *   <li>erase: one {@link FlashTiming#erase erase time} per erase unit in the range;</li>
 *   <li>program: one {@link FlashTiming#pageProgram page program time} per call, whatever its
 *       length (a partial program costs a whole tPROG on real chips);</li>
 *   <li>read: one {@link FlashTiming#pageRead page read time} per page the range touches
 *       (0 for NOR profiles, whose reads stream at the bus clock).</li>
 * </ul>
 * The data effect happens at once, as in the functional model; what the timing adds is
 * {@link #busyUntil()}, which a device uses to hold a TFTP ACK until the flash is ready, and
 * {@link #busyNanos()}, the total chip time for a report. Refused operations (rule violations)
 * take no time; status failures ({@code PROGRAM_FAILED}, {@code ERASE_FAILED}) and
 * {@code ECC_UNCORRECTABLE} reads take the full time, as the chip ran before it reported them.
 *
 * <p>Example, W25Q128JV at {@link FlashTiming.Mode#TYPICAL}: three page programs and one 4 KiB
 * sector erase keep the chip busy 3 × 0.4 ms + 45 ms = 46.2 ms.
 */
public final class TimedFlash extends ForwardingFlash {
    private final FlashTiming timing;
    private final FlashTiming.Mode mode;
    private long now;
    private long busyUntil;
    private long busyNanos;
    private long lastOperationNanos;

    /** Wraps {@code delegate}, charging {@code timing} in {@code mode}; the clock starts at 0, idle. */
    public TimedFlash(Flash delegate, FlashTiming timing, FlashTiming.Mode mode) {
        super(delegate);
        this.timing = Objects.requireNonNull(timing, "timing");
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    /**
     * Sets the caller's current virtual time; the next operation starts no earlier.
     *
     * @throws IllegalArgumentException if time goes backwards
     */
    @Override
    public void at(long nowNanos) {
        if (nowNanos < now) {
            throw new IllegalArgumentException("flash clock: " + nowNanos + " ns is before " + now + " ns (expected: time moves forward)");
        }
        now = nowNanos;
    }

    /** Returns the instant the last operation ends: the chip is ready from then on. */
    @Override
    public long busyUntil() {
        return busyUntil;
    }

    /** Returns whether the chip is still busy at {@code nowNanos}. */
    public boolean isBusy(long nowNanos) {
        return nowNanos < busyUntil;
    }

    /** Returns the total time the chip has been busy, summed over all charged operations. */
    public long busyNanos() {
        return busyNanos;
    }

    /** Returns the duration of the most recent charged operation, 0 if none. */
    public long lastOperationNanos() {
        return lastOperationNanos;
    }

    /** Returns the timing table and the mode this flash charges. */
    public FlashTiming timing() {
        return timing;
    }

    /** Returns which of the table's times is charged. */
    public FlashTiming.Mode mode() {
        return mode;
    }


    @Override
    public void read(long offset, byte[] dst, int dstOff, int len) {
        try {
            delegate.read(offset, dst, dstOff, len);
        } catch (FlashException e) {
            if (e.kind() == FlashException.Kind.ECC_UNCORRECTABLE) {
                charge(pagesTouched(offset, len) * timing.pageRead(mode));
            }
            throw e;
        }
        charge(pagesTouched(offset, len) * timing.pageRead(mode));
    }

    @Override
    public void erase(long offset, long length) {
        try {
            delegate.erase(offset, length);
        } catch (FlashException e) {
            if (e.kind() == FlashException.Kind.ERASE_FAILED) {
                charge(timing.erase(mode));
            }
            throw e;
        }
        charge(length / geometry().eraseUnit() * timing.erase(mode));
    }

    @Override
    public void program(long offset, byte[] src, int srcOff, int len) {
        try {
            delegate.program(offset, src, srcOff, len);
        } catch (FlashException e) {
            if (e.kind() == FlashException.Kind.PROGRAM_FAILED) {
                charge(timing.pageProgram(mode));
            }
            throw e;
        }
        charge(timing.pageProgram(mode));
    }





    @Override
    public String toString() {
        return "TimedFlash[" + mode + ", busy until " + busyUntil + " ns, " + delegate + "]";
    }

    private void charge(long nanos) {
        long start = Math.max(now, busyUntil);
        busyUntil = start + nanos;
        busyNanos += nanos;
        lastOperationNanos = nanos;
    }

    /** Returns the number of pages {@code [offset, offset + len)} touches; the range was checked by the delegate. */
    private long pagesTouched(long offset, int len) {
        if (len <= 0) {
            return 0;
        }
        int page = geometry().pageSize();
        return Math.floorDiv(offset + len - 1, page) - Math.floorDiv(offset, page) + 1;
    }
}
