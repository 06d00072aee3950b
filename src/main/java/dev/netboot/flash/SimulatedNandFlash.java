package dev.netboot.flash;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A strict simulated SLC NAND flash (Micron MT29F-class rules), held in memory or mapped from a file.
 *
 * <p>It enforces the {@link Flash} rules on the main area and the {@link NandFlash} rules: pages
 * in order within a block, at most NOP programs per page, no erase or program of a bad block. A
 * refused call changes nothing. Faults come from {@link NandFaults}, drawn from its seed: factory
 * bad blocks marked in the spare area at creation, erase and program status failures that mark
 * the block bad (grown bad blocks), and read disturb of at most one bit per sector per read.
 *
 * <p>ECC (kept by {@link SimulatedNandEcc}): every program computes a {@link SectorEcc} code (SEC-DED, 13
 * bits) for each 512-byte sector it touches, over the sector's resulting content, and stores it in that sector's ECC slot
 * number k, where this is the page's k-th program since erase (see {@link NandGeometry} for the
 * layout); reads use a sector's highest written slot. A real
 * controller cannot overwrite ECC bytes without raising bits, so partial programs need a slot
 * each; with NOP slots per sector a page can take NOP programs. A read checks each sector it
 * touches against its newest slot, corrects one bad bit and throws {@code ECC_UNCORRECTABLE} for
 * two. A sector without a written slot has never been programmed since erase and must read as
 * erased; one stray 0 bit there is corrected too (Linux's {@code nand_check_erased_ecc_chunk}
 * does the same). {@link #flipStoredBit} damages the stored cells for tests: one flip is corrected
 * on every read, two in one sector are uncorrectable.
 *
 * <p>Storage is the raw layout of a NAND dump with OOB ({@code nanddump --oob}): each page's main
 * bytes followed by its spare bytes. The file-backed form maps the file; reopening it restores
 * bad-block marks and the programmed state of each page (partial programs used, highest programmed
 * page of each block) from the ECC slots and free spare bytes. Erase counts are kept in memory
 * only and start at zero on open.
 */
public final class SimulatedNandFlash implements NandFlash {
    // Heap arrays stop a few bytes short of Integer.MAX_VALUE on HotSpot.
    private static final long MAX_IN_MEMORY = Integer.MAX_VALUE - 8;

    private final NandGeometry nand;
    private final FlashGeometry geometry;
    private final NandFaults faults;
    private final SplittableRandom random;
    private final Cells cells;
    private final Arena arena; // null for heap-backed flash: the GC frees it
    private final String description;
    private boolean closed;

    private final SimulatedNandPages pages;
    private final long[] eraseCounts;
    private final SimulatedNandEcc ecc;

    private long erases, programs, reads, bytesProgrammed, bytesErased;

    private SimulatedNandFlash(NandGeometry nand, NandFaults faults, Cells cells, Arena arena, String description,
                               boolean created) {
        this.nand = nand;
        this.geometry = nand.flash();
        this.faults = Objects.requireNonNull(faults, "faults");
        this.random = new SplittableRandom(faults.seed());
        this.cells = cells;
        this.arena = arena;
        this.description = description;
        this.pages = new SimulatedNandPages(nand);
        this.eraseCounts = new long[nand.blocks()];
        this.ecc = new SimulatedNandEcc(nand, cells, this.faults, random);
        if (created) {
            markFactoryBad();
        } else {
            pages.restore(ecc, cells);
        }
    }

    /**
     * Returns an erased in-memory NAND with the factory bad blocks of {@code faults} marked.
     *
     * @throws IllegalArgumentException if the raw size exceeds one Java array, or a factory bad block
     *                                  does not exist
     */
    public static SimulatedNandFlash inMemory(NandGeometry nand, NandFaults faults) {
        return inMemory(nand, faults, null);
    }

    static SimulatedNandFlash inMemory(NandGeometry nand, NandFaults faults, Cells.Pool pool) {
        long raw = (long) nand.pages() * nand.rawPageSize();
        if (raw > MAX_IN_MEMORY) {
            throw new IllegalArgumentException("in-memory NAND of " + raw + " raw bytes (expected: <= " + MAX_IN_MEMORY + "; use openFile)");
        }
        return new SimulatedNandFlash(nand, faults, Cells.sparse(raw, 0xFF, pool), null, "in memory", true);
    }

    /**
     * Opens a file-backed NAND in the raw layout: creates {@code file} erased, with the factory bad
     * blocks of {@code faults} marked, if it is missing; else reuses its content and marks as they are.
     *
     * @throws FlashException IO if the file cannot be created or mapped, or its length is not
     *                        {@code pages × (pageSize + spareSize)}
     */
    public static SimulatedNandFlash openFile(Path file, NandGeometry nand, NandFaults faults) {
        return openFile(file, nand, faults, false);
    }

    /** Opens a file-backed NAND as {@link #openFile(Path, NandGeometry, NandFaults)}, or the existing file read-only. */
    static SimulatedNandFlash openFile(Path file, NandGeometry nand, NandFaults faults, boolean readOnly) {
        FlashFiles.Mapped mapped = FlashFiles.map(file, (long) nand.pages() * nand.rawPageSize(), 0xFF, readOnly);
        try {
            return new SimulatedNandFlash(nand, faults, Cells.dense(mapped.cells()), mapped.arena(), "file " + file, mapped.created());
        } catch (RuntimeException e) {
            mapped.arena().close();
            throw e;
        }
    }

    @Override
    public FlashGeometry geometry() {
        return geometry;
    }

    /** Returns the heap bytes the cells take: what was written (in 4 KiB chunks) in memory, 0 for a mapped file. */
    public long storedBytes() {
        return cells.storedBytes();
    }

    @Override
    public NandGeometry nandGeometry() {
        return nand;
    }

    @Override
    public void read(long offset, byte[] dst, int dstOff, int len) {
        checkOpen();
        FlashRules.checkRead(geometry, offset, dst, dstOff, len);
        int sectorSize = nand.sectorSize();
        long at = offset;
        int done = 0;
        while (done < len) {
            int page = (int) (at / geometry.pageSize());
            int sectorInPage = (int) (at % geometry.pageSize()) / sectorSize;
            ecc.load(offset, page, sectorInPage);
            int from = (int) (at % sectorSize);
            int n = Math.min(len - done, sectorSize - from);
            System.arraycopy(ecc.sector(), from, dst, dstOff + done, n);
            done += n;
            at += n;
        }
        reads++;
    }

    @Override
    public void erase(long offset, long length) {
        checkOpen();
        FlashRules.checkErase(geometry, offset, length);
        int unit = geometry.eraseUnit();
        int first = (int) (offset / unit);
        int end = (int) ((offset + length) / unit);
        for (int b = first; b < end; b++) {
            if (isBadRaw(b)) {
                throw new FlashException(FlashException.Kind.BAD_BLOCK, String.format(
                        "erase at 0x%x len %d: block %d at 0x%x is marked bad (expected: good blocks only)",
                        offset, length, b, (long) b * unit));
            }
        }
        // Blocks are erased one after the other, as one BLOCK ERASE command each: a status failure
        // leaves the blocks before it erased.
        for (int b = first; b < end; b++) {
            if (faults.eraseFailRate() > 0 && random.nextDouble() < faults.eraseFailRate()) {
                markBadRaw(b);
                throw new FlashException(FlashException.Kind.ERASE_FAILED, String.format(
                        "erase of block %d at 0x%x: status FAIL; block marked bad (expected: status PASS)", b, (long) b * unit));
            }
            int ppb = nand.pagesPerBlock();
            cells.fill((long) b * ppb * nand.rawPageSize(), (long) ppb * nand.rawPageSize(), (byte) 0xFF);
            pages.erased(b);
            eraseCounts[b]++;
            erases++;
            bytesErased += unit;
        }
    }

    @Override
    public void program(long offset, byte[] src, int srcOff, int len) {
        checkOpen();
        FlashRules.checkProgram(geometry, offset, src, srcOff, len);
        int pageSize = geometry.pageSize();
        long pageStart = offset & -pageSize;
        int page = (int) (offset / pageSize);
        long raw = rawPage(page) + (offset - pageStart);
        String what = String.format("program at 0x%x len %d", offset, len);
        checkProgrammable(what, page, raw, src, srcOff, len, offset);
        cells.write(raw, src, srcOff, len);
        // New ECC for every sector the program touched, over the sector's resulting content.
        int sectorSize = nand.sectorSize();
        int firstSector = (int) (offset - pageStart) / sectorSize;
        int lastSector = (int) (offset - pageStart + len - 1) / sectorSize;
        for (int s = firstSector; s <= lastSector; s++) {
            ecc.encode(page, s, pages.programs(page));
        }
        programmed(page);
        bytesProgrammed += len;
    }

    @Override
    public FlashStats stats() {
        return new FlashStats(erases, programs, reads, bytesProgrammed, bytesErased);
    }

    @Override
    public long[] eraseCounts() {
        return eraseCounts.clone();
    }

    @Override
    public boolean isBad(int block) {
        checkOpen();
        Objects.checkIndex(block, nand.blocks());
        return isBadRaw(block);
    }

    @Override
    public void markBad(int block) {
        checkOpen();
        Objects.checkIndex(block, nand.blocks());
        markBadRaw(block);
    }

    @Override
    public void readSpare(int page, int spareOff, byte[] dst, int dstOff, int len) {
        checkOpen();
        Objects.checkFromIndexSize(dstOff, len, dst.length);
        if (page < 0 || page >= nand.pages() || spareOff < 0 || len < 0 || len > nand.spareSize() - spareOff) {
            throw new FlashException(FlashException.Kind.OUT_OF_RANGE, String.format(
                    "spare read of page %d at %d len %d: outside the spare area (expected: page 0..%d, within 0..%d)",
                    page, spareOff, len, nand.pages() - 1, nand.spareSize()));
        }
        cells.read(rawPage(page) + geometry.pageSize() + spareOff, dst, dstOff, len);
    }

    @Override
    public void programSpare(int page, int spareOff, byte[] src, int srcOff, int len) {
        checkOpen();
        Objects.checkFromIndexSize(srcOff, len, src.length);
        int free = NandGeometry.MARKER_BYTES;
        if (page < 0 || page >= nand.pages() || spareOff < free || len <= 0 || len > nand.eccOffset() - spareOff) {
            throw new FlashException(FlashException.Kind.OUT_OF_RANGE, String.format(
                    "spare program of page %d at %d len %d: outside the free spare bytes (expected: page 0..%d, non-empty, within %d..%d)",
                    page, spareOff, len, nand.pages() - 1, free, nand.eccOffset()));
        }
        long raw = rawPage(page) + geometry.pageSize() + spareOff;
        String what = String.format("spare program of page %d at %d len %d", page, spareOff, len);
        checkProgrammable(what, page, raw, src, srcOff, len, -1);
        cells.write(raw, src, srcOff, len);
        programmed(page);
        bytesProgrammed += len;
    }

    @Override
    public EccStats eccStats() {
        return ecc.stats();
    }

    /**
     * Flips bit {@code bit} (0..7) of the stored main-area byte at {@code offset}, as charge loss
     * would, bypassing every rule; the next reads see it through ECC.
     *
     * @throws IndexOutOfBoundsException if the byte or bit does not exist
     */
    public void flipStoredBit(long offset, int bit) {
        checkOpen();
        Objects.checkIndex(offset, geometry.size());
        Objects.checkIndex(bit, 8);
        int page = (int) (offset / geometry.pageSize());
        long raw = rawPage(page) + offset % geometry.pageSize();
        cells.set(raw, (byte) (cells.get(raw) ^ (1 << bit)));
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
        return "SimulatedNandFlash[" + nand + ", " + description + (closed ? ", closed]" : "]");
    }

    // ---------------------------------------------------------------- internals

    private long rawPage(int page) {
        return (long) page * nand.rawPageSize();
    }

    private long markerAt(int block) {
        return rawPage(block * nand.pagesPerBlock()) + geometry.pageSize();
    }

    private boolean isBadRaw(int block) {
        return cells.get(markerAt(block)) != (byte) 0xFF;
    }

    private void markBadRaw(int block) {
        cells.set(markerAt(block), (byte) 0);
    }

    /** Applies every rule of a program of {@code len} bytes at raw offset {@code raw} in {@code page}; changes nothing. */
    private void checkProgrammable(String what, int page, long raw, byte[] src, int srcOff, int len, long mainOffset) {
        int block = page / nand.pagesPerBlock();
        if (isBadRaw(block)) {
            throw new FlashException(FlashException.Kind.BAD_BLOCK, String.format(
                    "%s: block %d is marked bad (expected: good blocks only)", what, block));
        }
        for (int i = 0; i < len; i++) {
            int old = cells.get(raw + i) & 0xFF;
            int data = src[srcOff + i] & 0xFF;
            if ((old & data) != data) {
                String where = mainOffset >= 0 ? String.format("0x%x", mainOffset + i) : "spare byte " + (raw + i - rawPage(page) - geometry.pageSize());
                throw new FlashException(FlashException.Kind.NOT_ERASED, String.format(
                        "%s: byte at %s is 0x%02x, data 0x%02x needs bits 0->1 (expected: erase first)", what, where, old, data));
            }
        }
        pages.checkProgram(what, page);
        if (faults.programFailRate() > 0 && random.nextDouble() < faults.programFailRate()) {
            markBadRaw(block);
            throw new FlashException(FlashException.Kind.PROGRAM_FAILED, String.format(
                    "%s: status FAIL; block %d marked bad (expected: status PASS)", what, block));
        }
    }

    private void programmed(int page) {
        pages.programmed(page);
        programs++;
    }

    private void markFactoryBad() {
        int blocks = nand.blocks();
        for (int b : faults.factoryBad()) {
            if (b < 0 || b >= blocks) {
                throw new IllegalArgumentException("factory bad block " + b + " (expected: 0.." + (blocks - 1) + ")");
            }
            markBadRaw(b);
        }
        int more = faults.randomFactoryBad();
        long candidates = java.util.stream.IntStream.range(1, blocks).filter(b -> !isBadRaw(b)).count();
        if (more > candidates) {
            throw new IllegalArgumentException("random factory bad blocks: " + more + " (expected: at most " + candidates
                    + " good blocks besides block 0)");
        }
        while (more > 0) {
            int b = 1 + random.nextInt(blocks - 1); // block 0 is guaranteed good
            if (!isBadRaw(b)) {
                markBadRaw(b);
                more--;
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new FlashException(FlashException.Kind.STATE, "flash " + description + " is closed (expected: open)");
        }
    }
}
