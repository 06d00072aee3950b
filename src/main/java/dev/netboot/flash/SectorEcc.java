package dev.netboot.flash;

/**
 * A single-error-correcting, double-error-detecting (SEC-DED) code over one NAND sector of up to
 * 512 bytes, in 13 bits: the extended Hamming code in its positional form.
 *
 * <p>Number the sector's bits {@code i = 8 × byte + bit} (bit 0 = least significant), 0..4095. The
 * code is {@code S}, the XOR of the indices of all 1 bits (12 bits), and {@code P}, the parity of
 * the number of 1 bits. Flipping bit {@code i} changes {@code S} by {@code i} and toggles
 * {@code P}. On read, with {@code d = S_stored ^ S_read} and {@code p = P_stored ^ P_read}:
 * <ul>
 *   <li>{@code d = 0, p = 0}: no error;</li>
 *   <li>{@code p = 1}: one error, at bit {@code d}: flip it back;</li>
 *   <li>{@code d ≠ 0, p = 0}: an even number of errors, at least two: uncorrectable.</li>
 * </ul>
 * Every column {@code (i, 1)} of the parity-check matrix is distinct and has the parity row set,
 * so any two columns differ and no three sum to zero: minimum distance 4, the SEC-DED bound. Three
 * or more errors can be miscorrected, as with any Hamming code; the simulator never injects them
 * by itself. The code protects the main area only; the stored ECC bytes are assumed intact (the
 * simulator never flips spare bits). This is the same strength as the 1-bit Hamming ECC of
 * Linux's {@code nand_ecc.c} (3 bytes per 256 or 512 bytes), packed into 13 bits.
 *
 * <p>Stored form, 2 bytes little-endian: bits 0..11 {@code S}, bit 12 {@code P}, bits 13..15 zero.
 * An erased slot reads 0xFFFF, whose top bits are 1, so a written slot is always told apart from
 * an unused one.
 */
final class SectorEcc {
    /** Returned by {@link #correct} when the sector has no error. */
    static final int CLEAN = -1;
    /** Returned by {@link #correct} when the sector has more errors than the code corrects. */
    static final int UNCORRECTABLE = -2;

    // For each byte value: the XOR of its set bit numbers (0..7), and its parity.
    private static final int[] XOR_OF_BITS = new int[256];
    private static final int[] PARITY = new int[256];

    static {
        for (int v = 0; v < 256; v++) {
            int x = 0;
            for (int b = 0; b < 8; b++) {
                if ((v >>> b & 1) != 0) {
                    x ^= b;
                }
            }
            XOR_OF_BITS[v] = x;
            PARITY[v] = Integer.bitCount(v) & 1;
        }
    }

    private SectorEcc() {}

    /** Returns the 13-bit code of {@code data[off, off + len)}, {@code len <= 512}. */
    static int encode(byte[] data, int off, int len) {
        int s = 0;
        int p = 0;
        for (int i = 0; i < len; i++) {
            int v = data[off + i] & 0xFF;
            // A byte's set bits each contribute (8 × i + b); the 8 × i part survives an odd count only.
            s ^= XOR_OF_BITS[v] ^ (PARITY[v] != 0 ? i << 3 : 0);
            p ^= PARITY[v];
        }
        return s | p << 12;
    }

    /**
     * Checks {@code data[off, off + len)} against the stored 13-bit {@code code} and corrects one bit
     * error in place.
     *
     * @return {@link #CLEAN}, the corrected bit's index, or {@link #UNCORRECTABLE}
     */
    static int correct(byte[] data, int off, int len, int code) {
        int now = encode(data, off, len);
        int d = (now ^ code) & 0xFFF;
        int p = (now ^ code) >>> 12 & 1;
        if (d == 0 && p == 0) {
            return CLEAN;
        }
        if (p == 0 || d >= len * 8) {
            return UNCORRECTABLE;
        }
        data[off + (d >>> 3)] ^= (byte) (1 << (d & 7));
        return d;
    }

    /** Returns whether a stored slot value (2 bytes, little-endian) has been written. */
    static boolean isUsed(int slot) {
        return (slot & 0xE000) == 0;
    }
}
