package dev.netboot.flash;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HashMap;

/**
 * The stored bytes of a simulated chip: one flat array of cells, whatever the chip's geometry. {@link #dense}
 * wraps a memory segment (a mapped file); {@link #sparse} keeps only the chunks that were ever made to differ
 * from the erased value, so an in-memory chip costs what was written to it, not its size: a thousand emulated
 * 16 MiB boards that each took a 1 MiB image hold about 1 GiB, not 16; and sparse cells that share a {@link Pool}
 * hold each chunk written alike once, so those thousand boards hold about 1 MiB of image between them.
 */
abstract sealed class Cells permits Cells.Dense, Cells.Sparse {
    /** Returns the cells of {@code segment}, as they are. */
    static Cells dense(MemorySegment segment) {
        return new Dense(segment);
    }

    /** Returns {@code size} cells holding {@code erased}, none of them stored yet. */
    static Cells sparse(long size, int erased) {
        return new Sparse(size, (byte) erased, null);
    }

    /** Returns {@code size} cells holding {@code erased} that share the chunks they complete alike through {@code pool}. */
    static Cells sparse(long size, int erased, Pool pool) {
        return new Sparse(size, (byte) erased, pool);
    }

    /** Returns the byte at {@code at}. */
    abstract byte get(long at);

    /** Sets the byte at {@code at}. */
    abstract void set(long at, byte v);

    /** Copies {@code len} cells from {@code at} into {@code dst[off..]}. */
    abstract void read(long at, byte[] dst, int off, int len);

    /** Copies {@code src[off..off+len)} into the cells from {@code at}. */
    abstract void write(long at, byte[] src, int off, int len);

    /** Sets {@code len} cells from {@code at} to {@code v}. */
    abstract void fill(long at, long len, byte v);

    /** Returns the bytes of heap this store holds for the cells (the whole size when dense and on the heap). */
    abstract long storedBytes();

    /** A memory segment: an array on the heap or a mapped file (one mapped read-only refuses every change, STATE). */
    static final class Dense extends Cells {
        private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
        final MemorySegment segment;

        Dense(MemorySegment segment) {
            this.segment = segment;
        }

        @Override
        byte get(long at) {
            return segment.get(BYTE, at);
        }

        @Override
        void set(long at, byte v) {
            writable();
            segment.set(BYTE, at, v);
        }

        @Override
        void read(long at, byte[] dst, int off, int len) {
            MemorySegment.copy(segment, BYTE, at, dst, off, len);
        }

        @Override
        void write(long at, byte[] src, int off, int len) {
            writable();
            MemorySegment.copy(src, off, segment, BYTE, at, len);
        }

        @Override
        void fill(long at, long len, byte v) {
            writable();
            segment.asSlice(at, len).fill(v);
        }

        private void writable() {
            if (segment.isReadOnly()) {
                throw new FlashException(FlashException.Kind.STATE, "the flash file is open read-only (expected: opened for"
                        + " writing by a run that erases or programs)");
            }
        }

        @Override
        long storedBytes() {
            return segment.isNative() ? 0 : segment.byteSize();
        }
    }

    /**
     * Chunks of {@link #CHUNK} cells, each null (every cell erased) until a write or a fill with another value
     * makes it differ; a chunk once stored is kept (an erase fills it in place). With a {@link Pool}, a chunk a write
     * completes (one that reaches its last cell, as programming a sector page by page does) goes into the pool, or is
     * replaced by the pool's copy of the same bytes: from then on it is shared and never changed in place; a write
     * to it copies it first, an erase of all of it lets it go.
     */
    static final class Sparse extends Cells {
        /** Cells per chunk: a NOR sector, two NAND pages with their spare bytes. */
        static final int CHUNK = 4096;
        private static final int SHIFT = 12;
        /** Chunks per group of the index: 256 KiB of cells. A group is made when a chunk of it is first stored. */
        private static final int GROUP = 64;
        // The index: groups of GROUP chunks, null until one of them is stored, so that a 16 MiB chip that took a 1 MiB
        // image indexes its chunks in 0.5 KiB and 5 groups of 0.25 KiB, not 16 KiB (a fleet has thousands of chips).
        private final byte[][][] groups;
        private int groupsMade;
        private final byte erased;
        private final Pool pool;      // null: nothing shared
        private final long[] shared;  // with a pool: a bit per chunk that is the pool's, never changed in place
        private int stored;           // chunks this store made and still holds, or gave to the pool

        Sparse(long size, byte erased, Pool pool) {
            long n = (size + CHUNK - 1) >>> SHIFT;
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("sparse cells of " + size + " bytes (expected: fewer than 2^43)");
            }
            this.groups = new byte[(int) ((n + GROUP - 1) / GROUP)][][];
            this.erased = erased;
            this.pool = pool;
            this.shared = pool == null ? null : new long[(int) ((n + 63) >>> 6)];
        }

        private byte[] chunk(int i) {
            byte[][] g = groups[i / GROUP];
            return g == null ? null : g[i % GROUP];
        }

        private void put(int i, byte[] c) {
            byte[][] g = groups[i / GROUP];
            if (g == null) {
                g = new byte[GROUP][];
                groups[i / GROUP] = g;
                groupsMade++;
            }
            g[i % GROUP] = c;
        }

        private boolean isShared(int i) {
            return shared != null && (shared[i >>> 6] & (1L << i)) != 0;
        }

        /** Returns chunk {@code i} to change: stored first if it is erased, copied first if it is shared. */
        private byte[] changing(int i) {
            byte[] c = chunk(i);
            if (c == null) {
                return materialise(i);
            }
            if (isShared(i)) {
                shared[i >>> 6] &= ~(1L << i);
                c = c.clone();
                put(i, c);
                stored++;
            }
            return c;
        }

        /** Chunk {@code i} is complete: the pool's copy of its bytes replaces it, or it becomes the pool's. */
        private void share(int i) {
            byte[] c = chunk(i);
            byte[] s = pool.intern(c);
            if (s != c) {
                put(i, s);
                stored--; // ours is dropped: the pool held the same bytes
            }
            shared[i >>> 6] |= 1L << i;
        }

        @Override
        byte get(long at) {
            byte[] c = chunk((int) (at >>> SHIFT));
            return c == null ? erased : c[(int) (at & (CHUNK - 1))];
        }

        @Override
        void set(long at, byte v) {
            int i = (int) (at >>> SHIFT);
            byte[] c = chunk(i);
            if (c == null ? v == erased : c[(int) (at & (CHUNK - 1))] == v) {
                return;
            }
            changing(i)[(int) (at & (CHUNK - 1))] = v;
        }

        @Override
        void read(long at, byte[] dst, int off, int len) {
            while (len > 0) {
                int i = (int) (at >>> SHIFT);
                int in = (int) (at & (CHUNK - 1));
                int n = Math.min(len, CHUNK - in);
                byte[] c = chunk(i);
                if (c == null) {
                    Arrays.fill(dst, off, off + n, erased);
                } else {
                    System.arraycopy(c, in, dst, off, n);
                }
                at += n;
                off += n;
                len -= n;
            }
        }

        @Override
        void write(long at, byte[] src, int off, int len) {
            while (len > 0) {
                int i = (int) (at >>> SHIFT);
                int in = (int) (at & (CHUNK - 1));
                int n = Math.min(len, CHUNK - in);
                System.arraycopy(src, off, changing(i), in, n);
                if (pool != null && in + n == CHUNK) {
                    share(i);
                }
                at += n;
                off += n;
                len -= n;
            }
        }

        @Override
        void fill(long at, long len, byte v) {
            while (len > 0) {
                int i = (int) (at >>> SHIFT);
                int in = (int) (at & (CHUNK - 1));
                int n = (int) Math.min(len, CHUNK - in);
                byte[] c = chunk(i);
                if (c != null && isShared(i) && n == CHUNK && v == erased) {
                    put(i, null); // erased whole: the pool's bytes are let go, not copied
                    shared[i >>> 6] &= ~(1L << i);
                } else if (c != null || v != erased) {
                    // a chunk once stored (and not shared) stays: erasing it again allocates nothing
                    Arrays.fill(changing(i), in, in + n, v);
                }
                at += n;
                len -= n;
            }
        }

        private byte[] materialise(int i) {
            byte[] c = new byte[CHUNK];
            Arrays.fill(c, erased);
            put(i, c);
            stored++;
            return c;
        }

        @Override
        long storedBytes() {
            return (long) stored * CHUNK + (long) groups.length * 8 + (long) groupsMade * GROUP * 8
                    + (shared == null ? 0 : (long) shared.length * 8);
        }
    }

    /**
     * Chunks that sparse cells share, one copy of each content: the chips of a fleet of emulated boards that took the
     * same image hold it once between them. Single-threaded, as the emulator is; it keeps what it was given until it
     * is dropped itself.
     */
    static final class Pool {
        private final HashMap<Content, byte[]> chunks = new HashMap<>();

        /** Returns the pool's chunk of the same bytes as {@code c}, or {@code c}, which from now on must not change. */
        byte[] intern(byte[] c) {
            byte[] s = chunks.putIfAbsent(new Content(c, Arrays.hashCode(c)), c);
            return s == null ? c : s;
        }

        /** Returns how many different chunks the pool holds. */
        int size() {
            return chunks.size();
        }

        /** A chunk's bytes as a key: equal when the bytes are. */
        private record Content(byte[] bytes, int hash) {
            @Override
            public boolean equals(Object o) {
                return o instanceof Content c && c.hash == hash && Arrays.equals(c.bytes, bytes);
            }

            @Override
            public int hashCode() {
                return hash;
            }
        }
    }
}
