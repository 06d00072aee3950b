package dev.netboot.kit;

import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashException;
import dev.netboot.flash.FlashGeometry;
import dev.netboot.flash.FlashStats;
import java.util.Arrays;
import java.util.Objects;

/**
 * The smallest honest {@link Flash}: NOR in a byte array, written from the interface's Javadoc alone (as a user of
 * the test kit would), with two ways to get it wrong on purpose, so the kit's tests can be seen to fail.
 */
final class ArrayFlash implements Flash {
    /** What this flash does wrong. */
    enum Fault {
        /** Nothing. */
        NONE,
        /** A program writes the data as it is: bits rise without an erase. */
        PROGRAM_RAISES_BITS,
        /** An erase counts but changes nothing. */
        ERASE_DOES_NOTHING,
        /** A new flash holds zeros, not the erased value. */
        CREATED_ZEROED,
        /** An erase sets its units to 0x00 whatever the erased value. */
        ERASE_WRITES_ZEROS,
        /** A program across a page's end is carried out, as if the chip had no pages. */
        PROGRAM_IGNORES_PAGES,
        /** close() does nothing: the flash goes on working. */
        CLOSE_DOES_NOTHING,
        /** stats() counts nothing. */
        STATS_COUNT_NOTHING,
        /** eraseCounts() hands out the flash's own counters, not a copy. */
        ERASE_COUNTS_SHARED
    }

    private final FlashGeometry g;
    private final Fault fault;
    private final byte[] cells;
    private final long[] eraseCounts;
    private long erases, programs, reads, bytesProgrammed, bytesErased;
    private boolean closed;

    ArrayFlash(FlashGeometry g, Fault fault) {
        this.g = g;
        this.fault = fault;
        this.cells = new byte[Math.toIntExact(g.size())];
        Arrays.fill(cells, (byte) (fault == Fault.CREATED_ZEROED ? 0 : g.erasedValue()));
        this.eraseCounts = new long[(int) (g.size() / g.eraseUnit())];
    }

    @Override
    public FlashGeometry geometry() {
        return g;
    }

    private void open() {
        if (closed) {
            throw new FlashException(FlashException.Kind.STATE, "closed");
        }
    }

    private static FlashException outside(long offset, long len) {
        return new FlashException(FlashException.Kind.OUT_OF_RANGE, "0x" + Long.toHexString(offset) + " len " + len + " is outside flash");
    }

    @Override
    public void read(long offset, byte[] dst, int dstOff, int len) {
        open();
        Objects.checkFromIndexSize(dstOff, len, dst.length);
        if (offset < 0 || len > g.size() - offset) {
            throw outside(offset, len);
        }
        System.arraycopy(cells, (int) offset, dst, dstOff, len);
        reads++;
    }

    @Override
    public void erase(long offset, long length) {
        open();
        if (offset % g.eraseUnit() != 0 || length % g.eraseUnit() != 0) {
            throw new FlashException(FlashException.Kind.MISALIGNED_ERASE, "erase not on erase units");
        }
        if (offset < 0 || length <= 0 || length > g.size() - offset) {
            throw outside(offset, length);
        }
        if (fault != Fault.ERASE_DOES_NOTHING) {
            Arrays.fill(cells, (int) offset, (int) (offset + length), (byte) (fault == Fault.ERASE_WRITES_ZEROS ? 0 : g.erasedValue()));
        }
        for (long at = offset; at < offset + length; at += g.eraseUnit()) {
            eraseCounts[(int) (at / g.eraseUnit())]++;
            erases++;
        }
        bytesErased += length;
    }

    @Override
    public void program(long offset, byte[] src, int srcOff, int len) {
        open();
        Objects.checkFromIndexSize(srcOff, len, src.length);
        if (offset < 0 || len <= 0 || len > g.size() - offset) {
            throw outside(offset, len);
        }
        if (fault != Fault.PROGRAM_IGNORES_PAGES && offset / g.pageSize() != (offset + len - 1) / g.pageSize()) {
            throw new FlashException(FlashException.Kind.CROSSES_PAGE, "program crosses a page");
        }
        for (int i = 0; i < len; i++) {
            if (fault != Fault.PROGRAM_RAISES_BITS && (src[srcOff + i] & ~cells[(int) offset + i]) != 0) {
                throw new FlashException(FlashException.Kind.NOT_ERASED, "bits would rise at 0x" + Long.toHexString(offset + i));
            }
        }
        for (int i = 0; i < len; i++) {
            cells[(int) offset + i] = fault == Fault.PROGRAM_RAISES_BITS ? src[srcOff + i] : (byte) (cells[(int) offset + i] & src[srcOff + i]);
        }
        programs++;
        bytesProgrammed += len;
    }

    @Override
    public FlashStats stats() {
        return fault == Fault.STATS_COUNT_NOTHING ? new FlashStats(0, 0, 0, 0, 0)
                : new FlashStats(erases, programs, reads, bytesProgrammed, bytesErased);
    }

    @Override
    public long[] eraseCounts() {
        return fault == Fault.ERASE_COUNTS_SHARED ? eraseCounts : eraseCounts.clone();
    }

    @Override
    public void close() {
        closed = fault != Fault.CLOSE_DOES_NOTHING;
    }
}
