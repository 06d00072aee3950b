package dev.netboot.flash;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SimulatedNorFlashInMemoryTest extends FlashContractTest {
    @Override
    protected Flash create(FlashGeometry geometry) {
        return SimulatedNorFlash.inMemory(geometry);
    }

    @Test
    void refusesSizesBeyondOneArray() {
        FlashGeometry fourGiB = new FlashGeometry(1L << 32, 4096, 256, 0xFF);
        assertThrows(IllegalArgumentException.class, () -> SimulatedNorFlash.inMemory(fourGiB));
    }
}
