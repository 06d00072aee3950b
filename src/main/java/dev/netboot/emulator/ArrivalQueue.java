package dev.netboot.emulator;

import java.util.Arrays;

/**
 * The frames on their way to one port, earliest arrival first, frames due at the same instant in the order they
 * were handed over. Arrivals mostly come in order (a switch's port toward the receiver sends one frame after
 * another), so this is a ring of parallel arrays appended at the tail, a frame that overtakes others being moved
 * into place: O(1) for the usual case, no comparator, no object per frame but the frame itself. The ring grows as a
 * burst needs and, once the burst has drained, goes back to its first size: a fleet's thousands of ports each queue a
 * thousand broadcasts in the first seconds, and would keep room for them to the end.
 */
final class ArrivalQueue {
    /** The ring's first size, and the size it goes back to when it empties. */
    static final int INITIAL = 16;
    /** A ring this large or larger goes back to {@link #INITIAL} when it empties. */
    static final int SHRINK_FROM = 256;
    private long[] at = new long[INITIAL];
    private byte[][] frames = new byte[INITIAL][];
    // Per frame: ReceiveFilter.TAKE, or the verdict of a frame the receiver's stack would only count (EmulatedPort).
    private int[] verdicts = new int[INITIAL];
    private int head;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Returns the arrival of the first frame; the queue must not be empty. */
    long peekAt() {
        return at[head];
    }

    /** Returns how many frames have arrived by {@code now}: the leading ones, the queue being in arrival order. */
    int dueBy(long now) {
        int mask = at.length - 1;
        int n = 0;
        while (n < size && at[(head + n) & mask] <= now) {
            n++;
        }
        return n;
    }

    /** Returns the verdict of the first frame; the queue must not be empty. */
    int peekVerdict() {
        return verdicts[head];
    }

    /** Returns the arrival of the frame {@code i} places after the first. */
    long atOf(int i) {
        return at[(head + i) & (at.length - 1)];
    }

    /** Returns the frame {@code i} places after the first. */
    byte[] frameOf(int i) {
        return frames[(head + i) & (at.length - 1)];
    }

    /** Returns the verdict of the frame {@code i} places after the first. */
    int verdictOf(int i) {
        return verdicts[(head + i) & (at.length - 1)];
    }

    /** Sets the verdict of the frame {@code i} places after the first. */
    void verdict(int i, int v) {
        verdicts[(head + i) & (at.length - 1)] = v;
    }

    /** Takes the first frame out. */
    byte[] poll() {
        byte[] f = frames[head];
        frames[head] = null;
        head = (head + 1) & (at.length - 1);
        size--;
        if (size == 0 && at.length >= SHRINK_FROM) {
            at = new long[INITIAL];
            frames = new byte[INITIAL][];
            verdicts = new int[INITIAL];
            head = 0;
        }
        return f;
    }

    /** Returns the ring's room, for a test that it goes back to its first size. */
    int capacity() {
        return at.length;
    }

    /** Adds {@code frame} arriving at {@code t}: after every frame arriving at or before {@code t}. */
    void add(long t, byte[] frame) {
        add(t, frame, dev.netboot.net.ReceiveFilter.TAKE);
    }

    /** Adds {@code frame} arriving at {@code t} with verdict {@code verdict}: after every frame arriving at or before {@code t}. */
    void add(long t, byte[] frame, int verdict) {
        if (size == at.length) {
            grow();
        }
        int mask = at.length - 1;
        int k = size;
        // Move later arrivals one place back until the frame's place is found (rare: a frame that overtakes).
        while (k > 0 && at[(head + k - 1) & mask] > t) {
            int from = (head + k - 1) & mask;
            int to = (head + k) & mask;
            at[to] = at[from];
            frames[to] = frames[from];
            verdicts[to] = verdicts[from];
            k--;
        }
        int slot = (head + k) & mask;
        at[slot] = t;
        frames[slot] = frame;
        verdicts[slot] = verdict;
        size++;
    }

    private void grow() {
        int n = at.length;
        long[] a = new long[n * 2];
        byte[][] f = new byte[n * 2][];
        int[] v = new int[n * 2];
        for (int i = 0; i < size; i++) {
            a[i] = at[(head + i) & (n - 1)];
            f[i] = frames[(head + i) & (n - 1)];
            v[i] = verdicts[(head + i) & (n - 1)];
        }
        at = a;
        frames = f;
        verdicts = v;
        head = 0;
        Arrays.fill(frames, size, frames.length, null);
    }
}
