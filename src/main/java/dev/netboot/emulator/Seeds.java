package dev.netboot.emulator;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Derives independent, reproducible seeds for the components of one scenario, so adding a component
 * (or creating them in another order) leaves every other component's random stream unchanged.
 */
public final class Seeds {
    private Seeds() {
    }

    /** Returns the seed of {@code component} (e.g. "segment", "tftp-ports") under scenario seed {@code seed}. */
    public static long derive(long seed, String component) {
        long h = 0xcbf29ce484222325L; // FNV-1a over the UTF-8 name: specified, unlike a JVM hash
        for (byte b : component.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        return new SplittableRandom(seed ^ h).nextLong();
    }

    /** Returns a generator for {@code component}, seeded with {@link #derive}. */
    public static SplittableRandom random(long seed, String component) {
        return new SplittableRandom(derive(seed, component));
    }
}
