package dev.netboot.tftp;

/**
 * TFTP's 16-bit block numbers against a transfer's 64-bit block sequence (1, 2, ... for DATA; 0 is the
 * ACK of a request or OACK). RFC 1350 says nothing past 65535; servers wrap to 0 (most, and tftpd-hpa
 * with {@code rollover=0}) or to 1 ({@code rollover=1}, some old bootloaders' servers). Both directions
 * of the mapping are pure functions, so a sender and a receiver agree by construction (GUIDE H7: explicit
 * wrap-around handling).
 */
public final class BlockNumbers {
    private BlockNumbers() {
    }

    /** Returns the wire number of block {@code seq} when the server wraps to {@code rolloverTo} (0 or 1). */
    public static int wire(long seq, int rolloverTo) {
        if (rolloverTo == 1 && seq > 0xFFFF) {
            return (int) ((seq - 0x10000) % 0xFFFF) + 1; // 65535, then 1, 2, ...: the cycle skips 0
        }
        return (int) (seq & 0xFFFF);
    }

    /**
     * Returns the block sequence number closest to {@code near} whose wire number is {@code wire}, or -1
     * when no block can have that number (0 after a wrap to 1).
     */
    public static long seq(int wire, long near, int rolloverTo) {
        if (rolloverTo == 1) {
            if (wire == 0) {
                return near <= 0x8000 ? 0 : -1;
            }
            if (near <= 0x8000) {
                return seqMod(wire, near, 0x10000); // before any wrap both numberings agree
            }
            // Index blocks 1.. as 0.. in a cycle of 65535 numbers.
            return seqMod(wire - 1, near - 1, 0xFFFF) + 1;
        }
        return seqMod(wire, near, 0x10000);
    }

    private static long seqMod(int index, long near, int modulus) {
        long nearIndex = Math.floorMod(near, (long) modulus);
        long d = Math.floorMod(index - nearIndex, (long) modulus);
        if (d >= modulus / 2) {
            d -= modulus;
        }
        return near + d;
    }
}
