package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.BootSequence;
import dev.netboot.device.DeviceProfile;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link JitWarmup}: whole emulated boots of the board's profile, in the slices it is given, until it has handled
 * the blocks it was asked for; off with {@code -Dnetboot.warmup=false}.
 */
class JitWarmupTest {
    static final DeviceProfile PROFILE = DeviceProfile.load(Path.of("device-profiles/spi-nor-16m.profile"));

    @Test
    void bootsTheProfileInSlicesUntilItHasHandledTheBlocksAskedFor() {
        byte[] image = new byte[300_000];
        new SplittableRandom(5).nextBytes(image);
        JitWarmup w = new JitWarmup(PROFILE, image, 1_000, Long.MAX_VALUE);
        int slices = 0;
        while (w.work(1_000_000)) {  // 1 ms slices
            slices++;
            assertTrue(slices < 1_000_000, "never ends");
        }
        // The profile's block size on the emulator's Ethernet: 1468, so 300,000 bytes are 205 blocks (the last one
        // 528 bytes); 1,000 blocks take 5 boots, each to its end.
        int blocksPerBoot = 300_000 / 1468 + 1;
        assertEquals(205, blocksPerBoot);
        assertEquals(5, w.boots());
        assertEquals(5L * blocksPerBoot, w.blocks());
        assertInstanceOf(BootSequence.State.Done.class, w.lastState());
    }

    @Test
    void stopsAfterItsWallTimeEvenShortOfItsBlocks() {
        JitWarmup w = new JitWarmup(PROFILE, new byte[300_000], Long.MAX_VALUE, 1);
        assertFalse(w.work(1_000_000), "1 ns of work in all: the first slice is the last");
    }

    @Test
    void thePropertyTurnsItOff() {
        String before = System.getProperty(JitWarmup.PROPERTY);
        try {
            System.setProperty(JitWarmup.PROPERTY, "false");
            assertNull(JitWarmup.forProfile(PROFILE));
            System.clearProperty(JitWarmup.PROPERTY);
            assertTrue(JitWarmup.forProfile(PROFILE) != null);
        } finally {
            if (before == null) {
                System.clearProperty(JitWarmup.PROPERTY);
            } else {
                System.setProperty(JitWarmup.PROPERTY, before);
            }
        }
    }
}
