package dev.netboot.tftp;

import java.nio.ByteBuffer;

/**
 * Blocks that arrived ahead of a gap, held until the gap fills (barebox keeps such a cache; U-Boot drops
 * them and has the whole window sent again). Its RAM is preallocated once: {@code min(window × blksize,
 * budget)} bytes, cut into slots of one block; a block that has no slot is dropped and comes again
 * with the sender's next window. No allocation after construction.
 */
final class ReorderBuffer {
    private final ByteBuffer store;
    private final long[] seqs;
    private final int[] lengths;
    private int slots;
    private int blockSize;
    private int held;

    /** Creates a buffer of {@code capacity} bytes for at most {@code maxSlots} blocks. */
    ReorderBuffer(int capacity, int maxSlots) {
        this.store = ByteBuffer.allocate(capacity);
        this.seqs = new long[Math.max(0, maxSlots)];
        this.lengths = new int[seqs.length];
    }

    /** Cuts the store into slots of {@code size} bytes and empties it. */
    void configure(int size) {
        blockSize = size;
        slots = Math.min(seqs.length, store.capacity() / size);
        clear();
    }

    /** Returns how many blocks ahead of the next expected one fit. */
    int slots() {
        return slots;
    }

    /** Returns the blocks held. */
    int held() {
        return held;
    }

    /** Empties the buffer. */
    void clear() {
        for (int i = 0; i < slots; i++) {
            seqs[i] = -1;
        }
        held = 0;
    }

    /**
     * Holds block {@code seq} ({@code n} bytes at {@code off}) while {@code expected} is missing; returns
     * false when it does not fit (too far ahead) and so was dropped, true when held (or already held).
     */
    boolean hold(long seq, long expected, ByteBuffer buf, int off, int n) {
        if (seq - expected > slots || seq <= expected || n > blockSize) {
            return false;
        }
        int slot = (int) (seq % slots);
        if (seqs[slot] != seq) {
            buf.get(off, store.array(), slot * blockSize, n); // absolute bulk copy: positions untouched
            seqs[slot] = seq;
            lengths[slot] = n;
            held++;
        }
        return true;
    }

    /** Returns true when block {@code seq} is held. */
    boolean has(long seq) {
        return slots > 0 && seqs[(int) (seq % slots)] == seq;
    }

    /** Returns the store; block {@code seq} is at {@link #offset(long)}, {@link #length(long)} bytes. */
    ByteBuffer store() {
        return store;
    }

    /** Returns where held block {@code seq} starts in {@link #store()}. */
    int offset(long seq) {
        return (int) (seq % slots) * blockSize;
    }

    /** Returns the length of held block {@code seq}. */
    int length(long seq) {
        return lengths[(int) (seq % slots)];
    }

    /** Releases block {@code seq} after it went to the sink. */
    void release(long seq) {
        seqs[(int) (seq % slots)] = -1;
        held--;
    }
}
