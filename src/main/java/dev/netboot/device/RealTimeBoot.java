package dev.netboot.device;

import dev.netboot.link.WaitableLink;
import java.util.function.LongSupplier;

/**
 * Runs a {@link BootSequence} in real time on a real link: the one place in the device code that reads a
 * clock. The loop is smoltcp's: poll with the current time, then wait on the link until a frame arrives or
 * the boot's next deadline ({@link BootSequence#pollAt}) comes, never sleeping and never spinning.
 *
 * <p>Time starts at 0 when the boot starts, so stage times and captures read like the emulator's.
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
        return run(boot, link, limitNanos, System::nanoTime);
    }

    /** Like {@link #run(BootSequence, WaitableLink, long)} on the given monotonic nanosecond clock (for tests). */
    static Result run(BootSequence boot, WaitableLink link, long limitNanos, LongSupplier clock) {
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
            link.awaitFrame(Math.max(0, until - now));
            now = clock.getAsLong() - origin;
        }
    }
}
