package dev.netboot.emulator;

/**
 * When each frame of a transmit queue leaves it, in order: a ring of longs, so queueing a frame allocates nothing. It
 * grows as a burst needs and, once the burst has left, goes back to its first size (as {@link ArrivalQueue} does).
 */
final class LeaveTimes {
    private long[] t = new long[ArrivalQueue.INITIAL];
    private int head;
    private int size;
    private long freeAt; // when the last frame queued has left: the wire is idle from then

    /**
     * Queues a frame reaching the queue at {@code arrives} and taking {@code nanos} on the wire, behind the frames
     * queued before it; returns when its last bit has left, or -1 (the frame dropped) when {@code limit} are queued.
     */
    long queue(long arrives, long nanos, int limit) {
        if (backlog(arrives) >= limit) {
            return -1;
        }
        long leaves = Math.max(arrives, freeAt) + nanos;
        freeAt = leaves;
        add(leaves);
        return leaves;
    }

    /** Returns when the last frame queued has left (its wire is idle from then), 0 before the first. */
    long freeAt() {
        return freeAt;
    }

    /** Forgets the frames that have left by {@code now}; returns how many remain. */
    int backlog(long now) {
        while (size > 0 && t[head] <= now) {
            head = (head + 1) & (t.length - 1);
            size--;
        }
        if (size == 0 && t.length >= ArrivalQueue.SHRINK_FROM) {
            t = new long[ArrivalQueue.INITIAL];
            head = 0;
        }
        return size;
    }

    /** Returns when the first frame leaves, or {@link Long#MIN_VALUE} when none is queued. */
    long first() {
        return size == 0 ? Long.MIN_VALUE : t[head];
    }

    /** Returns the ring's room, for a test that it goes back to its first size. */
    int capacity() {
        return t.length;
    }

    /** Adds a frame that leaves at {@code leaves}, after every frame already queued. */
    void add(long leaves) {
        if (size == t.length) {
            long[] n = new long[size * 2];
            for (int i = 0; i < size; i++) {
                n[i] = t[(head + i) & (t.length - 1)];
            }
            t = n;
            head = 0;
        }
        t[(head + size) & (t.length - 1)] = leaves;
        size++;
    }
}
