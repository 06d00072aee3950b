package dev.netboot.device;

import dev.netboot.flash.Flash;
import dev.netboot.flash.ForwardingFlash;

/**
 * The image bytes a board holds in RAM because its flash chip is still busy, in virtual time: a
 * decorator that notes when each page program starts on the chip ({@code max(now, busyUntil)}, the
 * chip runs one command at a time) and how many image bytes it takes out of RAM. Bytes received and
 * not yet started on the chip are the backlog; {@link #readyAt} says when the backlog leaves room for
 * more, which is when the TFTP client may ask for the next window.
 *
 * <p>On an untimed flash every program starts at once and the backlog is only the writer's partly
 * filled page. The notes live in a preallocated ring; nothing here allocates per block.
 */
final class FlashBacklog extends ForwardingFlash {
    private final long budget;
    private final long[] starts;
    private final int[] lengths;
    private int head;
    private int size;
    private long now = Long.MIN_VALUE;
    private long received;   // image bytes handed to the writer
    private long started;    // image bytes whose program has started on the chip by now
    private long peak;
    private long overflows;

    /** Wraps {@code delegate} for a RAM budget of {@code budget} bytes of backlog. */
    FlashBacklog(Flash delegate, long budget) {
        super(delegate);
        this.budget = budget;
        int page = delegate.geometry().pageSize();
        // Room for the budget in whole pages, twice over: a gap ACK may let a window more arrive.
        int capacity = (int) Math.min(1 << 16, 2 * Math.max(1, budget / page) + 64);
        this.starts = new long[capacity];
        this.lengths = new int[capacity];
    }

    /** Sets the current virtual time and drops the notes of programs that have started by then. */
    void time(long nowNanos) {
        now = Math.max(now, nowNanos);
        while (size > 0 && starts[head] <= now) {
            started += lengths[head];
            head = (head + 1) % starts.length;
            size--;
        }
    }

    /** Counts {@code n} image bytes received into RAM. */
    void received(int n) {
        received += n;
        peak = Math.max(peak, backlog());
    }

    /** Counts {@code n} image bytes the writer is done with without a program (a unit that already matched). */
    void skipped(long n) {
        started += n;
    }

    /** Returns the image bytes in RAM and not yet started on the chip, as of the last {@link #time}. */
    long backlog() {
        return received - started;
    }

    /** Returns the largest backlog seen. */
    long peak() {
        return peak;
    }

    /** Returns the RAM budget for the backlog. */
    long budget() {
        return budget;
    }

    /** Returns whether {@code bytes} more fit in the budget now. */
    boolean hasRoom(long nowNanos, int bytes) {
        time(nowNanos);
        return backlog() + bytes <= budget;
    }

    /**
     * Returns the earliest instant from which {@code bytes} more fit in the budget: {@code now} if they
     * fit already, else the start of the program that frees enough room. More bytes than the whole budget
     * (a window larger than the buffer) wait for room for half of it: the rest will not fit when it comes
     * and is dropped, while the chip works through the other half. When queued programs cannot free
     * enough (what is left is the writer's partly filled buffer) it returns the start of the last one.
     */
    long readyAt(long nowNanos, long bytes) {
        time(nowNanos);
        long want = bytes <= budget ? bytes : budget / 2;
        long over = backlog() + want - budget;
        if (over <= 0) {
            return now;
        }
        long freed = 0;
        int k = head;
        for (int i = 0; i < size; i++) {
            k = (head + i) % starts.length;
            freed += lengths[k];
            if (freed >= over) {
                return starts[k];
            }
        }
        return size == 0 ? now : starts[k];
    }

    @Override
    public void program(long offset, byte[] src, int srcOff, int len) {
        long start = Math.max(now, delegate.busyUntil());
        delegate.program(offset, src, srcOff, len);
        if (start <= now) {
            started += len; // the chip takes it at once
            return;
        }
        if (size == starts.length) {
            overflows++; // count the oldest as started: the backlog is then under-reported by its bytes
            started += lengths[head];
            head = (head + 1) % starts.length;
            size--;
        }
        int k = (head + size) % starts.length;
        starts[k] = start;
        lengths[k] = len;
        size++;
    }

    /** Does nothing: the board's flash outlives one update and is closed by its owner. */
    @Override
    public void close() {
    }
}
