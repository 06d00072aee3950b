package dev.netboot.flash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlashesTest {
    @Test
    void opensTheSimulatorOfTheSpec(@TempDir Path dir) throws Exception {
        try (Flash nor = Flashes.open(FlashSpec.nor(FlashContractTest.SMALL), null, 1)) {
            assertInstanceOf(SimulatedNorFlash.class, nor);
        }
        FlashSpec spec = FlashSpec.nand(SimulatedNandFlashTest.G, List.of(3), 2);
        try (Flash nand = Flashes.open(spec, null, 1)) {
            NandFlash n = assertInstanceOf(NandFlash.class, nand);
            assertTrue(n.isBad(3));
            assertEquals(3, IntStream.range(0, 8).filter(n::isBad).count());
        }
        Path file = dir.resolve("nand.bin");
        Flashes.open(spec, file, 1).close();
        assertEquals(512L * 2112, Files.size(file));
        try (Flash f = Flashes.open(FlashType.NAND, SimulatedNandFlashTest.G.flash(), file, 99)) {
            assertTrue(f.isBad(3)); // the file's marks, not a new seed's
        }
    }

    @Test
    void specRejectsNandFieldsOnNor() {
        assertThrows(IllegalArgumentException.class,
                () -> new FlashSpec(FlashType.NOR, FlashContractTest.SMALL, 64, 0, List.of(), 0));
        assertThrows(IllegalStateException.class, () -> FlashSpec.nor(FlashContractTest.SMALL).nandGeometry());
        assertThrows(IndexOutOfBoundsException.class, () -> FlashSpec.nand(SimulatedNandFlashTest.G, List.of(8), 0));
    }
}
