package dev.netboot.flash;

/** The kind of flash chip: which simulator models it and which rules it follows. */
public enum FlashType {
    /** SPI NOR: byte-programmable within a page, sectors erase, no bad blocks ({@link SimulatedNorFlash}). */
    NOR,
    /** SLC NAND: page + spare, blocks erase, pages in order, NOP, bad blocks, ECC ({@link SimulatedNandFlash}). */
    NAND
}
