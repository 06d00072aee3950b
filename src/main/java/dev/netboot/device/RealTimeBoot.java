package dev.netboot.device;

import dev.netboot.link.WaitableLink;
import java.util.function.LongSupplier;

/**
 * Runs a {@link BootSequence} in real time on a real link: the one place in the device code that reads a
 * clock. The loop is smoltcp's: poll with the current time, then wait on the link until a frame arrives or
 * the boot's next deadline ({@link BootSequence#pollAt}) comes, never sleeping and never spinning.
 *
 * <p>Time starts at 0 when the boot starts, so stage times and captures read like the emulator's.
 *
 * <p><b>Idle work.</b> While the board is still getting its address (DHCP's exchanges and its RFC 5227 check of the
 * address wait on other hosts for seconds), the loop may give the time it would wait to an {@link IdleWork}, in
 * slices of at most {@link #IDLE_SLICE}, polling the boot between slices: a frame then waits at most a slice. It
 * stops for good once the boot has its lease (or the work says it is done, or throws: the work is optional and its
 * failure is not the boot's), so nothing runs beside the transfer.
 */
public final class RealTimeBoot {
    /**
     * How the run ended.
     *
     * @param state        the boot's final state: Done, Failed, or the stage it was in when the run gave up
     * @param elapsedNanos time from the start of the boot to the end of the run
     * @param gaveUp       true when the wall-time bound ended the run before the boot finished
     */
    public record Result(BootSequence.State state, long elapsedNanos, boolean gaveUp) {
    }

    /** The longest slice of idle work between two polls of the boot: 2 ms. */
    public static final long IDLE_SLICE = 2_000_000;

    /** Work the loop may do while the boot waits for its lease. */
    @FunctionalInterface
    public interface IdleWork {
        /**
         * Works for about {@code budgetNanos} (it should return soon after); returns false once it has nothing more
         * to do, and is not called again.
         */
        boolean work(long budgetNanos);
    }

    private RealTimeBoot() {
    }

    /**
     * Starts {@code boot} and drives it until it is done or failed, or {@code limitNanos} of wall time passed.
     *
     * @param boot       a boot not yet started, whose link is {@code link} (or a decorator of it)
     * @param link       the link to wait on for frames
     * @param limitNanos the wall-time bound of the whole boot
     */
    public static Result run(BootSequence boot, WaitableLink link, long limitNanos) {
        return run(boot, link, limitNanos, (IdleWork) null);
    }

    /**
     * Like {@link #run(BootSequence, WaitableLink, long)}, giving the time the boot waits for its lease to
     * {@code idle} (null: none).
     */
    public static Result run(BootSequence boot, WaitableLink link, long limitNanos, IdleWork idle) {
        return run(boot, link, limitNanos, System::nanoTime, idle);
    }

    /** Like {@link #run(BootSequence, WaitableLink, long)} on the given monotonic nanosecond clock (for tests). */
    static Result run(BootSequence boot, WaitableLink link, long limitNanos, LongSupplier clock) {
        return run(boot, link, limitNanos, clock, null);
    }

    /** Like {@link #run(BootSequence, WaitableLink, long, IdleWork)} on the given monotonic nanosecond clock (for tests). */
    static Result run(BootSequence boot, WaitableLink link, long limitNanos, LongSupplier clock, IdleWork idle) {
        long origin = clock.getAsLong();
        long now = 0;
        boot.start(now);
        while (true) {
            boot.poll(now);
            if (boot.finished()) {
                return new Result(boot.state(), now, false);
            }
            now = clock.getAsLong() - origin;
            if (now >= limitNanos) {
                return new Result(boot.state(), now, true);
            }
            // pollAt() may already be past (work left over from this poll): then only check the socket.
            long until = Math.min(boot.pollAt(), limitNanos);
            if (idle != null && !(boot.state() instanceof BootSequence.State.Leasing)) {
                idle = null; // the lease is here: the rest of the boot has the machine to itself
            }
            if (idle != null && until - now > 0) {
                try {
                    if (!idle.work(Math.min(until - now, IDLE_SLICE))) {
                        idle = null;
                    }
                } catch (RuntimeException e) {
                    idle = null; // the work is optional: its failure is not the boot's
                }
                now = clock.getAsLong() - origin;
                continue; // poll the boot: a frame may have come meanwhile
            }
            link.awaitFrame(Math.max(0, until - now));
            now = clock.getAsLong() - origin;
        }
    }
}
