package dev.netboot.flash;

import java.nio.file.Path;

/** Opens the simulator that fits a {@link FlashSpec}, in memory or backed by a file. */
public final class Flashes {
    /** The largest chip, in raw bytes (a NAND's spare areas included), {@link #open} holds in memory: one Java array. */
    public static final long MAX_IN_MEMORY = Integer.MAX_VALUE - 8;

    private Flashes() {}

    /**
     * Opens a simulated chip: {@link SimulatedNorFlash} or {@link SimulatedNandFlash}, mapped from
     * {@code file} (created erased if missing) or in memory if {@code file} is null. For NAND, the
     * factory bad blocks of {@code spec} are chosen with {@code seed} and marked when the chip is
     * created; a reopened file keeps the marks it has.
     *
     * @throws FlashException IO if the file cannot be created, mapped or has the wrong size
     */
    public static Flash open(FlashSpec spec, Path file, long seed) {
        return switch (spec.type()) {
            case NOR -> file == null ? SimulatedNorFlash.inMemory(spec.geometry()) : SimulatedNorFlash.openFile(file, spec.geometry());
            case NAND -> file == null
                    ? SimulatedNandFlash.inMemory(spec.nandGeometry(), factoryFaults(spec, seed))
                    : SimulatedNandFlash.openFile(file, spec.nandGeometry(), factoryFaults(spec, seed));
        };
    }

    /**
     * Opens the existing {@code file} of a simulated chip for reading only, as {@link #open(FlashSpec, Path, long)} would
     * open it: what only looks at a board's flash (netboot's {@code flash inspect}) works on a file it may not write (a
     * user's read-only copy, an immutable file, a read-only mount) and cannot change one. An erase or program throws
     * STATE and changes nothing.
     *
     * @throws FlashException IO if the file is missing, cannot be opened or mapped, or has the wrong size
     */
    public static Flash openReadOnly(FlashSpec spec, Path file) {
        return switch (spec.type()) {
            case NOR -> SimulatedNorFlash.openFile(file, spec.geometry(), true);
            case NAND -> SimulatedNandFlash.openFile(file, spec.nandGeometry(), factoryFaults(spec, 0), true);
        };
    }

    /**
     * In-memory chips opened together ({@link #open(FlashSpec, long)}) that keep the chunks of 4 KiB they write alike in
     * one copy: a fleet of emulated boards that take the same image holds it once, not once a board. What each chip
     * reads, and its timing and wear, are as they would be alone. Single-threaded, as the emulator is.
     */
    public static final class Sharing {
        private final Cells.Pool pool = new Cells.Pool();

        /** Opens an in-memory simulated chip as {@link Flashes#open(FlashSpec, Path, long)} does with no file, sharing. */
        public Flash open(FlashSpec spec, long seed) {
            return switch (spec.type()) {
                case NOR -> SimulatedNorFlash.inMemory(spec.geometry(), pool);
                case NAND -> SimulatedNandFlash.inMemory(spec.nandGeometry(), factoryFaults(spec, seed), pool);
            };
        }

        /** Returns how many different chunks of 4 KiB the chips share. */
        public int chunks() {
            return pool.size();
        }
    }

    /**
     * Returns the simulator's faults for {@code spec} with {@code seed}: its factory bad blocks only, no
     * failures or flips. Here, not in {@link FlashSpec}, so the device-only jar's FlashSpec needs no simulator.
     */
    static NandFaults factoryFaults(FlashSpec spec, long seed) {
        return new NandFaults(seed, spec.badBlocks(), spec.randomBadBlocks(), 0, 0, 0);
    }

    /**
     * Opens a chip of {@code type} and {@code geometry}; NAND gets {@link NandGeometry#of} (spare 1/32
     * of the page, NOP 4) and no bad blocks.
     *
     * @throws FlashException IO as {@link #open(FlashSpec, Path, long)}
     */
    public static Flash open(FlashType type, FlashGeometry geometry, Path file, long seed) {
        return open(switch (type) {
            case NOR -> FlashSpec.nor(geometry);
            case NAND -> FlashSpec.nand(NandGeometry.of(geometry), java.util.List.of(), 0);
        }, file, seed);
    }
}
