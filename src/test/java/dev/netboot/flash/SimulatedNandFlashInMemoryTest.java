package dev.netboot.flash;

class SimulatedNandFlashInMemoryTest extends FlashContractTest {
    @Override
    Flash create(FlashGeometry geometry) {
        return SimulatedNandFlash.inMemory(NandGeometry.of(geometry), NandFaults.NONE);
    }

    @Override
    boolean acceptsAnyErasedValue() {
        return false;
    }
}
