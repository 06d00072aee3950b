package dev.netboot.flash;

import java.util.List;

class SimulatedNandFlashInMemoryTest extends FlashContractTest {
    @Override
    protected Flash create(FlashGeometry geometry) {
        return SimulatedNandFlash.inMemory(NandGeometry.of(geometry), NandFaults.NONE);
    }

    /** 512-byte pages, 8 to a 4 KiB block: small-page NAND, as the sweep has always run on it. */
    @Override
    protected FlashGeometry sweepGeometry() {
        return new FlashGeometry(128 * 1024, 4096, 512, 0xFF);
    }

    /** A factory bad block inside slot B (block 20, 0x14000): the writer and the metadata must step around it. */
    @Override
    protected Flash createForSweep(FlashGeometry geometry) {
        return SimulatedNandFlash.inMemory(NandGeometry.of(geometry), new NandFaults(7, List.of(20), 0, 0, 0, 0));
    }

    @Override
    protected boolean acceptsAnyErasedValue() {
        return false;
    }
}
