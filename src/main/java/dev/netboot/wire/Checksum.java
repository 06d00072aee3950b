package dev.netboot.wire;

import java.nio.ByteBuffer;

/**
 * The Internet checksum of RFC 1071: the 16-bit one's complement of the one's complement sum of
 * the data taken as 16-bit big-endian words, an odd trailing byte padded with zero on the right.
 */
public final class Checksum {
    private Checksum() {
    }

    /**
     * Adds bytes {@code [off, off+len)} of {@code buf} as 16-bit words to {@code sum} and returns the
     * unfolded 32-bit-plus sum. Absolute indexing; the buffer's position is not moved.
     */
    public static long add(long sum, ByteBuffer buf, int off, int len) {
        int i = off;
        int end = off + len;
        // RFC 1071 section 4.1: sum 16-bit words, fold carries at the end.
        while (end - i >= 4) {
            sum += buf.getInt(i) & 0xFFFF_FFFFL;
            i += 4;
        }
        if (end - i >= 2) {
            sum += buf.getShort(i) & 0xFFFF;
            i += 2;
        }
        if (i < end) {
            // "if the total length is odd, the received data is padded with one octet of zeros" (RFC 768)
            sum += (buf.get(i) & 0xFF) << 8;
        }
        return sum;
    }

    /** Folds carries into 16 bits and returns the one's complement: the value to put in a checksum field. */
    public static int finish(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /** Returns the checksum of bytes {@code [off, off+len)}. Over data that includes a correct checksum it is 0. */
    public static int of(ByteBuffer buf, int off, int len) {
        return finish(add(0, buf, off, len));
    }

    /**
     * Returns the unfolded sum of the UDP/TCP pseudo-header of RFC 768: source address, destination
     * address, zero, protocol, and the transport length.
     */
    public static long pseudoHeader(int srcIp, int dstIp, int protocol, int length) {
        return (srcIp >>> 16) + (srcIp & 0xFFFF) + (dstIp >>> 16) + (dstIp & 0xFFFF) + protocol + length;
    }
}
