package dev.netboot.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/** {@code netboot tftp}'s one-line progress bar on a terminal, redrawn on each tick of {@link HostTftp#run}. */
final class TftpProgress implements HostTftp.Ticker {
    private final PrintStream err;
    private final LongSupplier done;
    private final LongSupplier total;
    private final long start = System.nanoTime();
    private boolean drawn;

    /** Draws {@code done} of {@code total} bytes (total 0 or less: unknown) on {@code err}. */
    TftpProgress(PrintStream err, LongSupplier done, LongSupplier total) {
        this.err = err;
        this.done = done;
        this.total = total;
    }

    @Override
    public void tick(long now) {
        long d = done.getAsLong();
        long t = total.getAsLong();
        double rate = d / Math.max(1e-9, (now - start) / 1e9) / (1 << 20);
        String line;
        if (t > 0) {
            int width = 30;
            int fill = (int) Math.min(width, d * width / t);
            line = String.format(Locale.ROOT, "\r%3d%% [%s%s] %.1f/%.1f MiB %.1f MiB/s ", d * 100 / t, "#".repeat(fill),
                    ".".repeat(width - fill), d / 1048576.0, t / 1048576.0, rate);
        } else {
            line = String.format(Locale.ROOT, "\r%.1f MiB %.1f MiB/s ", d / 1048576.0, rate);
        }
        err.print(line);
        err.flush();
        drawn = true;
    }

    /** Erases the bar, if one was drawn. */
    void clear() {
        if (drawn) {
            err.print("\r\033[K");
            err.flush();
        }
    }
}
