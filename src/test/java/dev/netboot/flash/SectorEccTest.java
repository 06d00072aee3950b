package dev.netboot.flash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SectorEccTest {
    private static byte[] sector(long seed) {
        byte[] b = new byte[512];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void erasedSectorCodeIsZeroAndFitsThirteenBits() {
        byte[] ff = new byte[512];
        java.util.Arrays.fill(ff, (byte) 0xFF);
        // XOR of 0..4095 is 0 and 4096 ones have even parity.
        assertEquals(0, SectorEcc.encode(ff, 0, 512));
        assertTrue(SectorEcc.encode(sector(1), 0, 512) < 1 << 13);
        assertTrue(SectorEcc.isUsed(SectorEcc.encode(sector(1), 0, 512)));
        assertFalse(SectorEcc.isUsed(0xFFFF));
    }

    @Test
    void everySingleBitErrorIsCorrected() {
        byte[] good = sector(2);
        int code = SectorEcc.encode(good, 0, 512);
        for (int bit = 0; bit < 4096; bit++) {
            byte[] bad = good.clone();
            bad[bit >>> 3] ^= (byte) (1 << (bit & 7));
            assertEquals(bit, SectorEcc.correct(bad, 0, 512, code));
            assertArrayEquals(good, bad);
        }
        assertEquals(SectorEcc.CLEAN, SectorEcc.correct(good.clone(), 0, 512, code));
    }

    @Test
    void doubleBitErrorsAreDetectedNotMiscorrected() {
        byte[] good = sector(3);
        int code = SectorEcc.encode(good, 0, 512);
        SplittableRandom r = new SplittableRandom(4);
        for (int n = 0; n < 20_000; n++) {
            int a = r.nextInt(4096);
            int b = r.nextInt(4096);
            if (a == b) {
                continue;
            }
            byte[] bad = good.clone();
            bad[a >>> 3] ^= (byte) (1 << (a & 7));
            bad[b >>> 3] ^= (byte) (1 << (b & 7));
            byte[] seen = bad.clone();
            assertEquals(SectorEcc.UNCORRECTABLE, SectorEcc.correct(bad, 0, 512, code));
            assertArrayEquals(seen, bad); // nothing "corrected"
        }
    }

    @Test
    void shortSectorRefusesACorrectionPastItsEnd() {
        byte[] good = new byte[256];
        int code = SectorEcc.encode(good, 0, 256);
        // A syndrome pointing past bit 2047 with odd parity can only be 3+ errors.
        assertEquals(SectorEcc.UNCORRECTABLE, SectorEcc.correct(good.clone(), 0, 256, code ^ (1 << 12) ^ 2048));
    }
}
