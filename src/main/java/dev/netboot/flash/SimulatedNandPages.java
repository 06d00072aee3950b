package dev.netboot.flash;

import java.util.Arrays;

/**
 * What a simulated NAND remembers of each page since its block's last erase, and the two ONFI program rules it
 * keeps with it: pages are programmed in order within a block (a page after a higher one of the same block is
 * refused), and a page takes at most NOP partial programs. {@link SimulatedNandFlash} applies them; a reopened
 * file's state is rebuilt from what its programs left in the spare area ({@link #restore}).
 */
final class SimulatedNandPages {
    private final NandGeometry nand;
    private final byte[] programsInPage;   // partial programs since the block's erase
    private final int[] highestProgrammed; // per block: highest page index in the block programmed, -1 if none

    SimulatedNandPages(NandGeometry nand) {
        this.nand = nand;
        this.programsInPage = new byte[nand.pages()];
        this.highestProgrammed = new int[nand.blocks()];
        Arrays.fill(highestProgrammed, -1);
    }

    /** Returns how many partial programs {@code page} has had since its block's erase: the next program's ECC slot. */
    int programs(int page) {
        return programsInPage[page];
    }

    /** Throws OUT_OF_ORDER or TOO_MANY_PARTIAL_PROGRAMS if a program of {@code page} breaks a rule; changes nothing. */
    void checkProgram(String what, int page) {
        int ppb = nand.pagesPerBlock();
        int block = page / ppb;
        int inBlock = page % ppb;
        if (highestProgrammed[block] > inBlock) {
            throw new FlashException(FlashException.Kind.OUT_OF_ORDER, String.format(
                    "%s: page %d of block %d after page %d (expected: pages in order within a block since its erase)",
                    what, inBlock, block, highestProgrammed[block]));
        }
        if (programsInPage[page] >= nand.maxPartialPrograms()) {
            throw new FlashException(FlashException.Kind.TOO_MANY_PARTIAL_PROGRAMS, String.format(
                    "%s: page %d already has %d programs since erase (expected: at most NOP %d)",
                    what, page, programsInPage[page], nand.maxPartialPrograms()));
        }
    }

    /** Counts a program of {@code page}. */
    void programmed(int page) {
        int ppb = nand.pagesPerBlock();
        programsInPage[page]++;
        highestProgrammed[page / ppb] = Math.max(highestProgrammed[page / ppb], page % ppb);
    }

    /** Forgets the programs of every page of {@code block}. */
    void erased(int block) {
        int ppb = nand.pagesPerBlock();
        Arrays.fill(programsInPage, block * ppb, (block + 1) * ppb, (byte) 0);
        highestProgrammed[block] = -1;
    }

    /**
     * Rebuilds the state of a reopened file from its ECC slots and free spare bytes. A page's program count is one
     * more than its highest written slot; programs of the free spare bytes after the page's last main program leave
     * no slot, so the restored count may be lower than the chip's by those (a reopened page may accept that many
     * extra partial programs).
     */
    void restore(SimulatedNandEcc ecc, Cells cells) {
        int ppb = nand.pagesPerBlock();
        byte[] free = new byte[nand.eccOffset() - NandGeometry.MARKER_BYTES];
        for (int page = 0; page < nand.pages(); page++) {
            int used = 0;
            for (int s = 0; s < nand.sectorsPerPage(); s++) {
                used = Math.max(used, ecc.newestSlot(page, s) + 1);
            }
            if (used == 0) {
                cells.read((long) page * nand.rawPageSize() + nand.flash().pageSize() + NandGeometry.MARKER_BYTES, free, 0,
                        free.length);
                for (byte b : free) {
                    if (b != (byte) 0xFF) {
                        used = 1;
                        break;
                    }
                }
            }
            programsInPage[page] = (byte) used;
            if (used > 0) {
                highestProgrammed[page / ppb] = page % ppb;
            }
        }
    }
}
