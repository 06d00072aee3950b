package dev.netboot.cli;

import java.util.Locale;

/**
 * The time stamp that starts a progress line on stderr, {@code [    12.345 s] }, as {@code String.format("[%W.3f s] ",
 * nanos / 1e9)} writes it (milliseconds rounded half up, right-aligned in W characters), made without a
 * {@link java.util.Formatter}, so that the line is built whole and printed with one call. Printed piece by piece, as a
 * Formatter prints to a stream, each piece was a system call of its own (stderr flushes every write), eight or more a
 * line, and the Formatter's parsing and float formatting cost more than the rest of handling the frame behind the line:
 * under a flood of DHCPDISCOVERs, {@code serve} prints a line for each (issue 11; README, "Under a flood").
 */
final class LineStamp {
    /** Below this (about 11.6 days), {@code nanos / 1e9} prints its exact decimal digits, so integer rounding is the Formatter's. */
    private static final long EXACT = 1_000_000_000_000_000L;

    private LineStamp() {
    }

    /** Returns a builder holding {@code "[" + seconds, right-aligned in width characters + " s] "}. */
    static StringBuilder of(long nanos, int width) {
        StringBuilder b = new StringBuilder(96).append('[');
        if (nanos < 0 || nanos >= EXACT) {
            return b.append(String.format(Locale.ROOT, "%" + width + ".3f", nanos / 1e9)).append(" s] ");
        }
        long millis = (nanos + 500_000) / 1_000_000;
        long whole = millis / 1000;
        int frac = (int) (millis % 1000);
        int digits = 1;
        for (long w = whole; w >= 10; w /= 10) {
            digits++;
        }
        for (int pad = width - (digits + 4); pad > 0; pad--) {
            b.append(' ');
        }
        b.append(whole).append('.');
        if (frac < 100) {
            b.append('0');
        }
        if (frac < 10) {
            b.append('0');
        }
        return b.append(frac).append(" s] ");
    }
}
