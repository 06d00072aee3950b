package dev.netboot.flash;

import java.util.Objects;

/**
 * The shape of an SLC NAND chip: the main area as a {@link FlashGeometry} (erase unit = block,
 * page = main bytes of a page) plus each page's spare ("out of band") bytes and the number of
 * partial programs a page allows between erases (NOP).
 *
 * <p>Spare layout, the same for every page, as {@link SimulatedNandFlash} uses it:
 * <pre>
 *  0      1      2 ............ eccOffset-1   eccOffset ............ spareSize-1
 * +------+------+------------------------+-----------------------------------+
 * | BBM  | rsvd | free: user metadata    | ECC: sectors × NOP slots × 2 bytes|
 * +------+------+------------------------+-----------------------------------+
 * </pre>
 * Byte 0 of the first page of a block is the bad-block marker (0xFF = good, as the ONFI factory
 * marking); byte 1 is reserved with it, as Linux's large-page layout does. ECC is computed per
 * {@link #sectorSize()} bytes of main area (512, or the page if smaller); each sector has one
 * 2-byte ECC slot per allowed partial program, so every program can store fresh ECC without
 * raising a bit (see {@link SectorEcc}). For 2048 + 64 and NOP 4: 4 sectors × 4 slots × 2 bytes =
 * 32 ECC bytes at 32..63, and 30 free bytes at 2..31.
 *
 * @param flash              main-area geometry; the erased value must be 0xFF
 * @param spareSize          spare bytes per page
 * @param maxPartialPrograms NOP: programs allowed per page between erases, at least 1
 */
public record NandGeometry(FlashGeometry flash, int spareSize, int maxPartialPrograms) {
    /** Bytes of main area one ECC code word covers, at most. */
    public static final int MAX_SECTOR = 512;
    /** Spare bytes reserved at the start of every page: the bad-block marker and one more. */
    public static final int MARKER_BYTES = 2;
    /** Bytes of one ECC slot: 12 syndrome bits, 1 parity bit, 3 used-marker bits. */
    public static final int ECC_SLOT_BYTES = 2;

    /** Checks that the erased value is 0xFF and the spare holds the marker and every ECC slot. */
    public NandGeometry {
        Objects.requireNonNull(flash, "flash");
        if (flash.erasedValue() != 0xFF) {
            throw new IllegalArgumentException("NAND erased value: " + flash.erasedValue()
                    + " (expected: 0xff; ECC and the bad-block marker rely on erased bits being 1)");
        }
        if (maxPartialPrograms < 1 || maxPartialPrograms > 8) {
            throw new IllegalArgumentException("NAND partial programs per page: " + maxPartialPrograms + " (expected: 1..8)");
        }
        int needed = MARKER_BYTES + (flash.pageSize() / Math.min(MAX_SECTOR, flash.pageSize())) * maxPartialPrograms * ECC_SLOT_BYTES;
        if (spareSize < needed || spareSize > flash.pageSize()) {
            throw new IllegalArgumentException("NAND spare size: " + spareSize + " (expected: " + needed + ".." + flash.pageSize()
                    + " for the bad-block marker and ECC of a " + flash.pageSize() + "-byte page with NOP " + maxPartialPrograms + ")");
        }
    }

    /** Returns a geometry with NOP 4 and the usual spare of 1/32 of the page, or the least that fits. */
    public static NandGeometry of(FlashGeometry flash) {
        int sectors = flash.pageSize() / Math.min(MAX_SECTOR, flash.pageSize());
        int least = MARKER_BYTES + sectors * 4 * ECC_SLOT_BYTES;
        return new NandGeometry(flash, Math.max(flash.pageSize() / 32, least), 4);
    }

    /** Returns an MT29F-class SLC NAND of {@code size} bytes: 2048 + 64 byte pages, 128 KiB blocks, NOP 4. */
    public static NandGeometry mt29f(long size) {
        return new NandGeometry(new FlashGeometry(size, 128 * 1024, 2048, 0xFF), 64, 4);
    }

    /** Returns the main bytes per page. */
    public int pageSize() {
        return flash.pageSize();
    }

    /** Returns the pages in one block. */
    public int pagesPerBlock() {
        return flash.eraseUnit() / flash.pageSize();
    }

    /** Returns the number of blocks. */
    public int blocks() {
        return Math.toIntExact(flash.size() / flash.eraseUnit());
    }

    /** Returns the number of pages. */
    public int pages() {
        return Math.toIntExact(flash.size() / flash.pageSize());
    }

    /** Returns the main-area bytes one ECC code word covers. */
    public int sectorSize() {
        return Math.min(MAX_SECTOR, flash.pageSize());
    }

    /** Returns the ECC sectors per page. */
    public int sectorsPerPage() {
        return flash.pageSize() / sectorSize();
    }

    /** Returns the spare offset of the first ECC slot; spare bytes {@code [2, eccOffset())} are free for users. */
    public int eccOffset() {
        return spareSize - sectorsPerPage() * maxPartialPrograms * ECC_SLOT_BYTES;
    }

    /** Returns the bytes of one raw page: main area then spare, as a raw dump (nanddump --oob) lays them out. */
    public int rawPageSize() {
        return flash.pageSize() + spareSize;
    }
}
