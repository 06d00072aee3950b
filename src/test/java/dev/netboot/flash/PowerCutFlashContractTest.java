package dev.netboot.flash;

/** An uncut {@link PowerCutFlash} is the flash it wraps: the whole contract holds through it. */
class PowerCutFlashContractTest extends FlashContractTest {
    @Override
    protected Flash create(FlashGeometry geometry) {
        return PowerCutFlash.never(SimulatedNorFlash.inMemory(geometry));
    }

    /** The simulator it wraps is swept at every operation; through an uncut decorator, every 8th. */
    @Override
    protected int sweepStride() {
        return 8;
    }
}
