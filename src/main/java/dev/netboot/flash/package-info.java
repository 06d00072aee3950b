/**
 * Flash storage for the device side: the chip, simulated NOR and NAND chips, timing, power cuts,
 * and the image writer.
 *
 * <p>What this layer knows:
 * <ul>
 *   <li>a chip's geometry ({@link dev.netboot.flash.FlashGeometry}: size, erase unit, page size,
 *       erased value) and the rules of programming it: erase in whole units, program within one
 *       page, bits only go from 1 to 0 ({@link dev.netboot.flash.Flash});</li>
 *   <li>NOR flash kept in a file, for a board whose storage the system shows as one, and the flash
 *       of the device-only jar ({@link dev.netboot.flash.FileFlash});</li>
 *   <li>a strict simulated NOR chip, in memory or mapped from a file, that refuses every rule
 *       break and changes nothing when it does ({@link dev.netboot.flash.SimulatedNorFlash});</li>
 *   <li>a strict simulated SLC NAND chip ({@link dev.netboot.flash.SimulatedNandFlash},
 *       {@link dev.netboot.flash.NandFlash}): page + spare, pages in order, NOP, factory and grown
 *       bad blocks, per-sector SEC-DED ECC in the spare area, seeded faults;</li>
 *   <li>datasheet times charged in virtual time ({@link dev.netboot.flash.TimedFlash},
 *       {@link dev.netboot.flash.FlashTiming}), per-unit wear ({@link dev.netboot.flash.FlashWear}),
 *       and power cuts before, after or in the middle of an operation
 *       ({@link dev.netboot.flash.PowerCutFlash});</li>
 *   <li>how to stream an image into one {@link dev.netboot.flash.Partition} in two pages of RAM:
 *       erase ahead, program, read back, verify SHA-256, never touch flash outside the partition,
 *       skip bad units, and optionally skip units that already match
 *       ({@link dev.netboot.flash.FlashWriter}).</li>
 * </ul>
 * {@link dev.netboot.flash.Flashes} opens the simulator a {@link dev.netboot.flash.FlashSpec} names.
 *
 * <p>What it does not know: where the bytes come from (TFTP hands blocks to the writer and never
 * sees geometry), which partition a profile names, or how to boot what was written. Not yet
 * modelled: A/B slots, metadata commit and image signing, which build on these blocks; wear-out
 * (erase counts are kept but never fail a unit by themselves).
 *
 * <p>API (a board's flash driver implements {@code Flash}, and proves it with the test kit's {@code FlashContract},
 * power-cut sweep included): {@link dev.netboot.flash.Flash}, {@link dev.netboot.flash.FlashGeometry},
 * {@link dev.netboot.flash.FlashStats}, {@link dev.netboot.flash.FlashException}, {@link dev.netboot.flash.FileFlash},
 * {@link dev.netboot.flash.Partition}, and {@link dev.netboot.flash.BootSlots} for a bootloader's select and a booted
 * system's confirm. The writer, the slot metadata's encoding and the readers are internal; the simulators, timing and
 * power-cut decorators are the emulator's (its jar, not the device's).
 *
 * <p>Errors are one unchecked {@link dev.netboot.flash.FlashException} with a
 * {@link dev.netboot.flash.FlashException.Kind}; {@link java.lang.IllegalArgumentException} and
 * {@link java.lang.IndexOutOfBoundsException} mean the caller misused the API. Single-threaded.
 */
package dev.netboot.flash;
