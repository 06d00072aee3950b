package dev.netboot.flash;

/** An uncut {@link PowerCutFlash} is the flash it wraps: the whole contract holds through it. */
class PowerCutFlashContractTest extends FlashContractTest {
    @Override
    Flash create(FlashGeometry geometry) {
        return PowerCutFlash.never(SimulatedNorFlash.inMemory(geometry));
    }
}
