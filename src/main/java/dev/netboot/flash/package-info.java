/**
 * Flash storage for the device side: the chip, a simulated chip, and the image writer.
 *
 * <p>What this layer knows:
 * <ul>
 *   <li>a chip's geometry ({@link dev.netboot.flash.FlashGeometry}: size, erase unit, page size,
 *       erased value) and the rules of programming it: erase in whole units, program within one
 *       page, bits only go from 1 to 0 ({@link dev.netboot.flash.Flash});</li>
 *   <li>a strict simulated NOR chip, in memory or mapped from a file, that refuses every rule
 *       break and changes nothing when it does ({@link dev.netboot.flash.SimulatedNorFlash});</li>
 *   <li>how to stream an image into one {@link dev.netboot.flash.Partition} in two pages of RAM:
 *       erase ahead, program, read back, verify SHA-256, never touch flash outside the partition
 *       ({@link dev.netboot.flash.FlashWriter}).</li>
 * </ul>
 *
 * <p>What it does not know: where the bytes come from (TFTP hands blocks to the writer and never
 * sees geometry), which partition a profile names, or how to boot what was written. Not yet
 * modelled: NAND (spare areas, bad blocks, ECC, in-order page programming), power cuts mid
 * operation, operation timing, wear, and A/B slots; the {@link dev.netboot.flash.Flash} interface
 * is small so that these can arrive as other implementations and decorators.
 *
 * <p>Errors are one unchecked {@link dev.netboot.flash.FlashException} with a
 * {@link dev.netboot.flash.FlashException.Kind}; {@link java.lang.IllegalArgumentException} and
 * {@link java.lang.IndexOutOfBoundsException} mean the caller misused the API. Single-threaded.
 */
package dev.netboot.flash;
