package dev.netboot.wire;

import java.nio.ByteBuffer;

/**
 * A reusable view over an Ethernet II frame held in a caller-owned buffer (IEEE 802.3 with an
 * EtherType instead of a length; the FCS is not part of the frame here).
 *
 * <pre>
 *  0                   6                  12        14
 * +-------------------+-------------------+---------+------------------
 * | destination MAC   | source MAC        | type    | payload ...
 * +-------------------+-------------------+---------+------------------
 * </pre>
 *
 * <p>After {@link #wrap} succeeds no accessor throws. Absolute indexing only; the buffer's position
 * and limit are never moved.
 */
public final class EthernetFrame {
    /** Offset of the destination address. */
    public static final int DST = 0;
    /** Offset of the source address. */
    public static final int SRC = 6;
    /** Offset of the EtherType. */
    public static final int ETHER_TYPE = 12;
    /** Length of the header. */
    public static final int HEADER_LEN = 14;
    /** EtherType of IPv4. */
    public static final int TYPE_IPV4 = 0x0800;
    /** EtherType of ARP. */
    public static final int TYPE_ARP = 0x0806;
    /** Smallest EtherType value; below it the field is an 802.3 length. */
    public static final int MIN_ETHER_TYPE = 0x0600;

    private ByteBuffer buf;
    private int len;

    /**
     * Points this view at bytes {@code [0, length)} of {@code frame} after checking the header fits.
     *
     * @throws MalformedPacketException when the frame is shorter than 14 bytes or carries an 802.3 length
     */
    public EthernetFrame wrap(ByteBuffer frame, int length) {
        // Absolute gets are bounded by the limit, not the capacity: a flipped receive buffer holds
        // only [0, limit) of meaningful bytes, and reading past it throws IndexOutOfBoundsException.
        if (length > frame.limit()) {
            throw new MalformedPacketException("Ethernet frame: " + length + " bytes claimed, buffer holds " + frame.limit());
        }
        MalformedPacketException.requireLength("Ethernet frame", length, HEADER_LEN);
        int type = frame.getShort(ETHER_TYPE) & 0xFFFF;
        if (type < MIN_ETHER_TYPE) {
            throw new MalformedPacketException("Ethernet type: 0x" + Integer.toHexString(type) + " (expected: an Ethernet II type >= 0x0600)");
        }
        this.buf = frame;
        this.len = length;
        return this;
    }

    /** Returns the destination address as a 48-bit value (no allocation). */
    public long dstValue() {
        return MacAddress.readLong(buf, DST);
    }

    /** Returns the source address as a 48-bit value (no allocation). */
    public long srcValue() {
        return MacAddress.readLong(buf, SRC);
    }

    /** Returns the destination address. */
    public MacAddress dst() {
        return new MacAddress(dstValue());
    }

    /** Returns the source address. */
    public MacAddress src() {
        return new MacAddress(srcValue());
    }

    /** Returns the EtherType field. */
    public int etherType() {
        return buf.getShort(ETHER_TYPE) & 0xFFFF;
    }

    /** Returns the offset of the payload in the buffer. */
    public int payloadOffset() {
        return HEADER_LEN;
    }

    /** Returns the payload length (including any Ethernet padding of short frames). */
    public int payloadLength() {
        return len - HEADER_LEN;
    }

    /** Writes an Ethernet II header at the start of {@code frame}. */
    public static void emit(ByteBuffer frame, long dst, long src, int etherType) {
        frame.putShort(DST, (short) (dst >>> 32));
        frame.putInt(DST + 2, (int) dst);
        frame.putShort(SRC, (short) (src >>> 32));
        frame.putInt(SRC + 2, (int) src);
        frame.putShort(ETHER_TYPE, (short) etherType);
    }
}
