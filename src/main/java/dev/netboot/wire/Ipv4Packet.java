package dev.netboot.wire;

import java.nio.ByteBuffer;

/**
 * A reusable view over an IPv4 datagram (RFC 791) in a caller-owned buffer.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * |         Identification        |Flags|      Fragment Offset    |
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * |                    Options (IHL > 5)                          |
 * </pre>
 *
 * <p>{@link #wrap} checks version, IHL, total length against the bytes present and the header
 * checksum; after it succeeds no accessor throws. Bytes past Total Length (Ethernet padding) are
 * ignored.
 */
public final class Ipv4Packet {
    static final int VER_IHL = 0, TOS = 1, TOTAL_LEN = 2, IDENT = 4, FLAGS_FRAG = 6, TTL = 8, PROTOCOL = 9,
            CHECKSUM = 10, SRC = 12, DST = 16;
    /** Length of a header without options. */
    public static final int HEADER_LEN = 20;
    /** Protocol number of ICMP. */
    public static final int PROTO_ICMP = 1;
    /** Protocol number of IGMP. */
    public static final int PROTO_IGMP = 2;
    /** Length of a header carrying the 4-byte Router Alert option. */
    public static final int ROUTER_ALERT_HEADER_LEN = 24;
    /** Protocol number of UDP. */
    public static final int PROTO_UDP = 17;
    /** The Don't Fragment flag bit in the flags/fragment-offset word. */
    public static final int FLAG_DF = 0x4000;
    /** The More Fragments flag bit in the flags/fragment-offset word. */
    public static final int FLAG_MF = 0x2000;

    private ByteBuffer buf;
    private int off;

    /**
     * Points this view at the datagram starting at {@code off} with at most {@code len} bytes available.
     *
     * @param verifyChecksum false to skip the header checksum (fuzzing, checksum offload)
     * @throws MalformedPacketException on a bad version, IHL, length or checksum
     */
    public Ipv4Packet wrap(ByteBuffer buf, int off, int len, boolean verifyChecksum) {
        MalformedPacketException.requireLength("IPv4 header", len, HEADER_LEN);
        int verIhl = buf.get(off + VER_IHL) & 0xFF;
        if ((verIhl >>> 4) != 4) {
            throw new MalformedPacketException("IPv4 version: " + (verIhl >>> 4) + " (expected: 4)");
        }
        int ihlBytes = (verIhl & 0x0F) * 4;
        if (ihlBytes < HEADER_LEN) {
            throw new MalformedPacketException("IPv4 IHL: " + (ihlBytes / 4) + " words (expected: >= 5)");
        }
        int total = buf.getShort(off + TOTAL_LEN) & 0xFFFF;
        if (total < ihlBytes) {
            throw new MalformedPacketException("IPv4 total length: " + total + " (expected: >= header length " + ihlBytes + ")");
        }
        if (total > len) {
            throw new MalformedPacketException("IPv4 total length: " + total + " (expected: <= " + len + " bytes present)");
        }
        if (verifyChecksum && Checksum.of(buf, off, ihlBytes) != 0) {
            throw new MalformedPacketException("IPv4 header checksum: 0x" + Integer.toHexString(buf.getShort(off + CHECKSUM) & 0xFFFF)
                    + " (expected: 0x" + Integer.toHexString(expectedChecksum(buf, off, ihlBytes)) + ")");
        }
        this.buf = buf;
        this.off = off;
        return this;
    }

    private static int expectedChecksum(ByteBuffer buf, int off, int ihlBytes) {
        long sum = Checksum.add(0, buf, off, CHECKSUM) ;
        sum = Checksum.add(sum, buf, off + CHECKSUM + 2, ihlBytes - CHECKSUM - 2);
        return Checksum.finish(sum);
    }

    /** Returns true when the header checksum verifies (the sum over the header is zero). */
    public boolean checksumOk() {
        return Checksum.of(buf, off, headerLength()) == 0;
    }

    /** Returns the header length in bytes (IHL × 4). */
    public int headerLength() {
        return (buf.get(off + VER_IHL) & 0x0F) * 4;
    }

    /** Returns the Total Length field. */
    public int totalLength() {
        return buf.getShort(off + TOTAL_LEN) & 0xFFFF;
    }

    /** Returns the Identification field. */
    public int identification() {
        return buf.getShort(off + IDENT) & 0xFFFF;
    }

    /** Returns true when this datagram is a fragment (MF set or a non-zero offset). */
    public boolean isFragment() {
        return (buf.getShort(off + FLAGS_FRAG) & (FLAG_MF | 0x1FFF)) != 0;
    }

    /** Returns the Time to Live field. */
    public int ttl() {
        return buf.get(off + TTL) & 0xFF;
    }

    /** Returns the Protocol field. */
    public int protocol() {
        return buf.get(off + PROTOCOL) & 0xFF;
    }

    /** Returns the source address as an int. */
    public int src() {
        return buf.getInt(off + SRC);
    }

    /** Returns the destination address as an int. */
    public int dst() {
        return buf.getInt(off + DST);
    }

    /** Returns the absolute offset of the payload. */
    public int payloadOffset() {
        return off + headerLength();
    }

    /** Returns the payload length according to Total Length. */
    public int payloadLength() {
        return totalLength() - headerLength();
    }

    /**
     * Writes a 20-byte header (no options, DF set, TOS 0) at {@code off} with its checksum.
     *
     * @param payloadLen bytes that follow the header
     */
    public static void emit(ByteBuffer buf, int off, int payloadLen, int protocol, int src, int dst, int ttl, int ident) {
        buf.put(off + VER_IHL, (byte) 0x45);
        buf.put(off + TOS, (byte) 0);
        buf.putShort(off + TOTAL_LEN, (short) (HEADER_LEN + payloadLen));
        buf.putShort(off + IDENT, (short) ident);
        buf.putShort(off + FLAGS_FRAG, (short) FLAG_DF);
        buf.put(off + TTL, (byte) ttl);
        buf.put(off + PROTOCOL, (byte) protocol);
        buf.putShort(off + CHECKSUM, (short) 0);
        buf.putInt(off + SRC, src);
        buf.putInt(off + DST, dst);
        buf.putShort(off + CHECKSUM, (short) Checksum.of(buf, off, HEADER_LEN));
    }

    /**
     * Writes a 24-byte header carrying the Router Alert option (RFC 2113: type 148, length 4, value 0, "every router
     * examines this packet"), DF clear, TOS 0x00, with its checksum: the header IGMP messages go out with (RFC 2236).
     *
     * @param payloadLen bytes that follow the header
     */
    public static void emitWithRouterAlert(ByteBuffer buf, int off, int payloadLen, int protocol, int src, int dst, int ttl,
                                           int ident) {
        buf.put(off + VER_IHL, (byte) 0x46);
        buf.put(off + TOS, (byte) 0);
        buf.putShort(off + TOTAL_LEN, (short) (ROUTER_ALERT_HEADER_LEN + payloadLen));
        buf.putShort(off + IDENT, (short) ident);
        buf.putShort(off + FLAGS_FRAG, (short) 0);
        buf.put(off + TTL, (byte) ttl);
        buf.put(off + PROTOCOL, (byte) protocol);
        buf.putShort(off + CHECKSUM, (short) 0);
        buf.putInt(off + SRC, src);
        buf.putInt(off + DST, dst);
        buf.putInt(off + HEADER_LEN, 0x9404_0000); // copied flag set, class 0, number 20; length 4; value 0
        buf.putShort(off + CHECKSUM, (short) Checksum.of(buf, off, ROUTER_ALERT_HEADER_LEN));
    }
}
