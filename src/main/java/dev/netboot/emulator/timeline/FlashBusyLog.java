package dev.netboot.emulator.timeline;

import dev.netboot.flash.Flash;
import dev.netboot.flash.ForwardingFlash;
import dev.netboot.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A board's flash as the timeline sees it: every operation passes through unchanged, and the chip's busy periods
 * ({@link Flash#busyUntil()} after each operation, from when the operation started) are noted, a period that begins
 * before the last one ended joining it. On a flash that takes no time ({@code busyUntil()} is
 * {@link Long#MIN_VALUE}) there are none.
 */
public final class FlashBusyLog extends ForwardingFlash {
    private final List<long[]> periods = new ArrayList<>();
    private long now;

    public FlashBusyLog(Flash flash) {
        super(flash);
    }

    @Override
    public void at(long nowNanos) {
        now = nowNanos;
        super.at(nowNanos);
    }

    @Override
    public void read(long offset, byte[] dst, int dstOff, int len) {
        long before = busyUntil();
        try {
            super.read(offset, dst, dstOff, len);
        } finally {
            charged(before);
        }
    }

    @Override
    public void erase(long offset, long length) {
        long before = busyUntil();
        try {
            super.erase(offset, length);
        } finally {
            charged(before);
        }
    }

    @Override
    public void program(long offset, byte[] src, int srcOff, int len) {
        long before = busyUntil();
        try {
            super.program(offset, src, srcOff, len);
        } finally {
            charged(before);
        }
    }

    /** Returns how many periods were noted so far. */
    public int size() {
        return periods.size();
    }

    /** Draws the periods from the {@code from}-th on (0: all of them) on {@code lane}'s lane of {@code recorder}. */
    public void drawOn(TimelineRecorder recorder, MacAddress lane, int from) {
        for (long[] p : periods.subList(from, periods.size())) {
            recorder.busy(lane, p[0], p[1]);
        }
    }

    private void charged(long before) {
        long until = busyUntil();
        long start = Math.max(now, before);
        if (until == Long.MIN_VALUE || until <= start) {
            return; // no time taken: an untimed chip, or an operation that costs nothing (a read without a page-read time)
        }
        long[] last = periods.isEmpty() ? null : periods.getLast();
        if (last != null && start <= last[1]) {
            last[1] = until;
        } else {
            periods.add(new long[] {start, until});
        }
    }
}
