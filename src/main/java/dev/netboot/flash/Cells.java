package dev.netboot.flash;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The stored bytes of a simulated chip: one flat array of cells, whatever the chip's geometry. {@link #dense}
 * wraps a memory segment (a mapped file); {@link #sparse} keeps only the chunks that were ever made to differ
 * from the erased value, so an in-memory chip costs what was written to it, not its size: a thousand emulated
 * 16 MiB boards that each took a 1 MiB image hold about 1 GiB, not 16.
 */
abstract sealed class Cells permits Cells.Dense, Cells.Sparse {
    /** Returns the cells of {@code segment}, as they are. */
    static Cells dense(MemorySegment segment) {
        return new Dense(segment);
    }

    /** Returns {@code size} cells holding {@code erased}, none of them stored yet. */
    static Cells sparse(long size, int erased) {
        return new Sparse(size, (byte) erased);
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

    /** A memory segment: an array on the heap or a mapped file. */
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
            segment.set(BYTE, at, v);
        }

        @Override
        void read(long at, byte[] dst, int off, int len) {
            MemorySegment.copy(segment, BYTE, at, dst, off, len);
        }

        @Override
        void write(long at, byte[] src, int off, int len) {
            MemorySegment.copy(src, off, segment, BYTE, at, len);
        }

        @Override
        void fill(long at, long len, byte v) {
            segment.asSlice(at, len).fill(v);
        }

        @Override
        long storedBytes() {
            return segment.isNative() ? 0 : segment.byteSize();
        }
    }

    /**
     * Chunks of {@link #CHUNK} cells, each null (every cell erased) until a write or a fill with another value
     * makes it differ; a chunk once stored is kept (an erase fills it in place).
     */
    static final class Sparse extends Cells {
        /** Cells per chunk: a NOR sector, two NAND pages with their spare bytes. */
        static final int CHUNK = 4096;
        private static final int SHIFT = 12;
        private final byte[][] chunks;
        private final byte erased;
        private int stored;

        Sparse(long size, byte erased) {
            long n = (size + CHUNK - 1) >>> SHIFT;
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("sparse cells of " + size + " bytes (expected: fewer than 2^43)");
            }
            this.chunks = new byte[(int) n][];
            this.erased = erased;
        }

        @Override
        byte get(long at) {
            byte[] c = chunks[(int) (at >>> SHIFT)];
            return c == null ? erased : c[(int) (at & (CHUNK - 1))];
        }

        @Override
        void set(long at, byte v) {
            byte[] c = chunks[(int) (at >>> SHIFT)];
            if (c == null) {
                if (v == erased) {
                    return;
                }
                c = materialise((int) (at >>> SHIFT));
            }
            c[(int) (at & (CHUNK - 1))] = v;
        }

        @Override
        void read(long at, byte[] dst, int off, int len) {
            while (len > 0) {
                int i = (int) (at >>> SHIFT);
                int in = (int) (at & (CHUNK - 1));
                int n = Math.min(len, CHUNK - in);
                byte[] c = chunks[i];
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
                byte[] c = chunks[i];
                if (c == null) {
                    c = materialise(i);
                }
                System.arraycopy(src, off, c, in, n);
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
                byte[] c = chunks[i];
                if (c == null && v != erased) {
                    c = materialise(i);
                }
                if (c != null) {
                    Arrays.fill(c, in, in + n, v); // a chunk once stored stays: erasing it again allocates nothing
                }
                at += n;
                len -= n;
            }
        }

        private byte[] materialise(int i) {
            byte[] c = new byte[CHUNK];
            Arrays.fill(c, erased);
            chunks[i] = c;
            stored++;
            return c;
        }

        @Override
        long storedBytes() {
            return (long) stored * CHUNK + (long) chunks.length * 8;
        }
    }
}
