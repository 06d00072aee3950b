package dev.netboot.cli;

import dev.netboot.emulator.FleetBoot;
import java.io.PrintStream;
import java.util.Locale;

/** A progress bar of a fleet on stderr, when it is a terminal: boards booted and failed, and the virtual time. */
final class FleetProgress implements FleetBoot.Progress {
    private static final int WIDTH = 30;
    private static final long EVERY_NANOS = 100_000_000L; // wall time between two redraws
    private final PrintStream err;
    private final boolean bar;
    private long shownAt;
    private boolean open;
    private volatile String signal; // the signal that asked the run to stop (INT, TERM), or null

    FleetProgress(PrintStream err, boolean bar) {
        this.err = err;
        this.bar = bar;
    }

    @Override
    public void at(long now, int boards, int booted, int ended) {
        if (!bar) {
            return;
        }
        long wall = System.nanoTime();
        if (open && wall - shownAt < EVERY_NANOS && ended < boards) {
            return;
        }
        shownAt = wall;
        int done = (int) ((long) booted * WIDTH / boards);
        int failed = (int) ((long) (ended - booted) * WIDTH / boards);
        String line = "#".repeat(done) + "x".repeat(failed) + " ".repeat(Math.max(0, WIDTH - done - failed));
        err.printf(Locale.ROOT, "\r  [%s] %,d/%,d booted, %,d failed, %.1f s virtual", line, booted, boards, ended - booted, now / 1e9);
        open = true;
    }

    /** Asks the run to stop at its next sample: {@code signal} (INT, TERM) came. */
    void interrupt(String signal) {
        this.signal = signal;
    }

    /** Returns the signal that stopped the run, or null. */
    String signal() {
        return signal;
    }

    @Override
    public boolean stopping() {
        return signal != null;
    }

    /** Ends the bar's line, if one is open. */
    void clear() {
        if (open) {
            err.print("\r\033[K");
            open = false;
        }
    }
}
