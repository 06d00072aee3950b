package dev.netboot.flash;

import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * A strict simulated NOR flash (W25Q128-class rules), held in memory or mapped from a file.
 *
 * <p>It enforces every rule of {@link Flash}: in-range, erase-unit-aligned erases, programs within
 * one page, and programs that only clear bits. A program that needs a 0→1 bit throws and leaves
 * flash untouched, where a real chip would silently keep the old bits: the simulator is stricter
 * than the hardware so that a writer that forgets to erase fails in tests.
 *
 * <p>The file-backed form maps the file rather than copying it to the heap, so a 64 MiB image costs
 * no heap; writes reach the file through the mapping and {@link #close()} forces them to storage.
 * Per-sector erase counts ({@link #eraseCounts()}) are kept in memory and start at zero on open.
 */
public final class SimulatedNorFlash implements Flash {
    // Heap arrays stop a few bytes short of Integer.MAX_VALUE on HotSpot.
    private static final long MAX_IN_MEMORY = Integer.MAX_VALUE - 8;

    private final FlashGeometry geometry;
    private final Cells cells;
    private final Arena arena; // null for heap-backed flash: the GC frees it
    private final String description;
    private boolean closed;

    private long erases, programs, reads, bytesProgrammed, bytesErased;
    private final int[] eraseCounts;      // ints, not longs: a fleet's thousands of chips hold one a sector each
    private byte[] scratch = new byte[0]; // the cells a program is about to change, read at once
    private final byte[] erasedPage;      // a page of the erased value: over it any program is allowed

    private SimulatedNorFlash(FlashGeometry geometry, Cells cells, Arena arena, String description) {
        this.geometry = geometry;
        this.cells = cells;
        this.arena = arena;
        this.description = description;
        this.eraseCounts = new int[Math.toIntExact(geometry.size() / geometry.eraseUnit())];
        this.erasedPage = new byte[geometry.pageSize()];
        java.util.Arrays.fill(erasedPage, (byte) geometry.erasedValue());
    }

    /**
     * Returns an erased in-memory flash of the given geometry. It holds only the sectors that ever held other
     * bytes than the erased value ({@link #storedBytes()}), so its size costs nothing until it is written.
     *
     * @throws IllegalArgumentException if the size exceeds what one Java array can hold
     */
    public static SimulatedNorFlash inMemory(FlashGeometry geometry) {
        return inMemory(geometry, null);
    }

    /** As {@link #inMemory(FlashGeometry)}, sharing the sectors it writes alike with other chips through {@code pool}. */
    static SimulatedNorFlash inMemory(FlashGeometry geometry, Cells.Pool pool) {
        if (geometry.size() > MAX_IN_MEMORY) {
            throw new IllegalArgumentException("in-memory flash of " + geometry.size()
                    + " bytes (expected: <= " + MAX_IN_MEMORY + "; use openFile)");
        }
        return new SimulatedNorFlash(geometry, Cells.sparse(geometry.size(), geometry.erasedValue(), pool), null, "in memory");
    }

    /** Returns the heap bytes the cells take: what was written (in 4 KiB chunks) for in-memory flash, 0 for a mapped file. */
    public long storedBytes() {
        return cells.storedBytes();
    }

    /**
     * Opens a file-backed flash: creates {@code file} erased if it is missing, else reuses its
     * content as it is.
     *
     * @throws FlashException IO if the file cannot be created or mapped, or if its length is not
     *                        {@code geometry.size()}
     */
    public static SimulatedNorFlash openFile(Path file, FlashGeometry geometry) {
        return openFile(file, geometry, false);
    }

    /** Opens a file-backed flash as {@link #openFile(Path, FlashGeometry)}, or the existing file read-only. */
    static SimulatedNorFlash openFile(Path file, FlashGeometry geometry, boolean readOnly) {
        FlashFiles.Mapped mapped = FlashFiles.map(file, geometry.size(), geometry.erasedValue(), readOnly);
        return new SimulatedNorFlash(geometry, Cells.dense(mapped.cells()), mapped.arena(), "file " + file);
    }

    @Override
    public FlashGeometry geometry() {
        return geometry;
    }

    @Override
    public void read(long offset, byte[] dst, int dstOff, int len) {
        checkOpen();
        FlashRules.checkRead(geometry, offset, dst, dstOff, len);
        cells.read(offset, dst, dstOff, len);
        reads++;
    }

    @Override
    public void erase(long offset, long length) {
        checkOpen();
        FlashRules.checkErase(geometry, offset, length);
        int unit = geometry.eraseUnit();
        cells.fill(offset, length, (byte) geometry.erasedValue());
        erases += length / unit;
        bytesErased += length;
        for (long u = offset / unit; u < (offset + length) / unit; u++) {
            eraseCounts[(int) u]++;
        }
    }

    @Override
    public void program(long offset, byte[] src, int srcOff, int len) {
        checkOpen();
        FlashRules.checkProgram(geometry, offset, src, srcOff, len);
        // Check every byte before changing any, so a refused program leaves flash as it was.
        if (scratch.length < len) {
            scratch = new byte[len];
        }
        cells.read(offset, scratch, 0, len);
        // Erased cells take any data (the usual case: a writer programs what it erased); one bulk compare says
        // so, and only other cells are checked bit by bit.
        boolean allErased = java.util.Arrays.mismatch(scratch, 0, len, erasedPage, 0, len) < 0;
        for (int i = 0; !allErased && i < len; i++) {
            int old = scratch[i] & 0xFF;
            int data = src[srcOff + i] & 0xFF;
            if ((old & data) != data) {
                throw new FlashException(FlashException.Kind.NOT_ERASED, String.format(
                        "program at 0x%x len %d: byte at 0x%x is 0x%02x, data 0x%02x needs bits 0->1 (expected: erase first)",
                        offset, len, offset + i, old, data));
            }
        }
        // old & data == data for every byte, so storing data is the NOR result old & data.
        cells.write(offset, src, srcOff, len);
        programs++;
        bytesProgrammed += len;
    }

    @Override
    public FlashStats stats() {
        return new FlashStats(erases, programs, reads, bytesProgrammed, bytesErased);
    }

    @Override
    public long[] eraseCounts() {
        long[] counts = new long[eraseCounts.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = Integer.toUnsignedLong(eraseCounts[i]);
        }
        return counts;
    }

    /** Forces file-backed content to storage and unmaps it; later calls throw STATE. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (arena != null) {
            FlashFiles.forceAndClose(((Cells.Dense) cells).segment, arena, description);
        }
    }

    @Override
    public String toString() {
        return "SimulatedNorFlash[" + geometry + ", " + description + (closed ? ", closed]" : "]");
    }

    private void checkOpen() {
        if (closed) {
            throw new FlashException(FlashException.Kind.STATE, "flash " + description + " is closed (expected: open)");
        }
    }
}
