package dev.netboot.flash;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The ECC of a {@link SimulatedNandFlash} (its class comment's "ECC" paragraph): a {@link SectorEcc} code (SEC-DED,
 * 13 bits) per 512-byte sector, kept in the spare area's ECC slots, slot k of a sector holding the code written by
 * the page's k-th program since erase ({@link NandGeometry} lays the slots out), and the read side: a sector is
 * checked against its newest slot, one bad bit corrected, two uncorrectable; a sector with no written slot must
 * read as erased, one stray 0 bit corrected (as Linux's {@code nand_check_erased_ecc_chunk}). Read disturb, drawn
 * from the chip's {@link NandFaults}, flips at most one bit per sector read. The cells are the chip's.
 */
final class SimulatedNandEcc {
    private final NandGeometry nand;
    private final int pageSize;
    private final Cells cells;
    private final NandFaults faults;
    private final SplittableRandom random;
    private final byte[] sector;           // scratch: one ECC sector being read or encoded
    private long correctedBits, uncorrectable;

    /** The ECC of the chip laid out by {@code nand} on {@code cells}; {@code random} is the chip's fault generator. */
    SimulatedNandEcc(NandGeometry nand, Cells cells, NandFaults faults, SplittableRandom random) {
        this.nand = nand;
        this.pageSize = nand.flash().pageSize();
        this.cells = cells;
        this.faults = faults;
        this.random = random;
        this.sector = new byte[nand.sectorSize()];
    }

    /** Returns the sector {@link #load} filled. */
    byte[] sector() {
        return sector;
    }

    /** Returns the bits corrected and the uncorrectable sectors read so far. */
    NandFlash.EccStats stats() {
        return new NandFlash.EccStats(correctedBits, uncorrectable);
    }

    private long rawPage(int page) {
        return (long) page * nand.rawPageSize();
    }

    private long slotAt(int page, int sectorInPage, int slot) {
        return rawPage(page) + pageSize + nand.eccOffset()
                + (long) (sectorInPage * nand.maxPartialPrograms() + slot) * NandGeometry.ECC_SLOT_BYTES;
    }

    private int slotValue(long at) {
        return (cells.get(at) & 0xFF) | (cells.get(at + 1) & 0xFF) << 8;
    }

    /** Returns the highest written ECC slot of a sector, -1 if none: slot k holds the code of the page's k-th program. */
    int newestSlot(int page, int sectorInPage) {
        for (int k = nand.maxPartialPrograms() - 1; k >= 0; k--) {
            if (SectorEcc.isUsed(slotValue(slotAt(page, sectorInPage, k)))) {
                return k;
            }
        }
        return -1;
    }

    /**
     * Writes the code of a sector's content as it now stands in the cells into slot {@code program}, the page's
     * program number: so every sector shows how many programs the page had when it was last touched, and a reopened
     * file can restore the NOP count.
     */
    void encode(int page, int sectorInPage, int program) {
        int sectorSize = nand.sectorSize();
        cells.read(rawPage(page) + (long) sectorInPage * sectorSize, sector, 0, sectorSize);
        int code = SectorEcc.encode(sector, 0, sectorSize);
        long at = slotAt(page, sectorInPage, program);
        cells.set(at, (byte) code);
        cells.set(at + 1, (byte) (code >>> 8));
    }

    /** Copies one sector into {@link #sector}, ECC-corrected; {@code readOffset} names the read in messages. */
    void load(long readOffset, int page, int sectorInPage) {
        int sectorSize = nand.sectorSize();
        long raw = rawPage(page) + (long) sectorInPage * sectorSize;
        cells.read(raw, sector, 0, sectorSize);
        int newest = newestSlot(page, sectorInPage);
        int result;
        if (newest < 0) {
            // Never programmed since erase: must be all 1s; correct a single stray 0.
            int zeros = 0;
            for (byte b : sector) {
                zeros += 8 - Integer.bitCount(b & 0xFF);
            }
            result = zeros == 0 ? SectorEcc.CLEAN : zeros == 1 ? 0 : SectorEcc.UNCORRECTABLE;
            if (zeros == 1) {
                Arrays.fill(sector, (byte) 0xFF);
            }
        } else {
            if (faults.readFlipRate() > 0 && random.nextDouble() < faults.readFlipRate()) {
                int bit = random.nextInt(sectorSize * 8);
                sector[bit >>> 3] ^= (byte) (1 << (bit & 7));
            }
            result = SectorEcc.correct(sector, 0, sectorSize, slotValue(slotAt(page, sectorInPage, newest)));
        }
        if (result == SectorEcc.UNCORRECTABLE) {
            uncorrectable++;
            long sectorOffset = (long) page * pageSize + (long) sectorInPage * sectorSize;
            throw new FlashException(FlashException.Kind.ECC_UNCORRECTABLE, String.format(
                    "read at 0x%x: sector at 0x%x (page %d) has an uncorrectable ECC error (expected: at most 1 bit error per %d bytes)",
                    readOffset, sectorOffset, page, sectorSize));
        }
        if (result != SectorEcc.CLEAN) {
            correctedBits++;
        }
    }
}
