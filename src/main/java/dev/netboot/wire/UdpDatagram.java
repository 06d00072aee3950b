package dev.netboot.wire;

import java.nio.ByteBuffer;

/**
 * A reusable view over a UDP datagram (RFC 768) in a caller-owned buffer.
 *
 * <pre>
 *  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |   Source Port   | Destination Port|
 * +--------+--------+--------+--------+
 * |     Length      |    Checksum     |
 * +--------+--------+--------+--------+
 * |          data octets ...
 * </pre>
 *
 * <p>The checksum covers a pseudo-header (source and destination address, zero, protocol 17, UDP
 * length), the header and the data padded to an even length. A transmitted checksum of zero means
 * "no checksum"; a computed zero is sent as 0xFFFF (RFC 768).
 */
public final class UdpDatagram {
    static final int SRC_PORT = 0, DST_PORT = 2, LENGTH = 4, CHECKSUM = 6;
    /** Length of the UDP header. */
    public static final int HEADER_LEN = 8;

    private ByteBuffer buf;
    private int off;

    /**
     * Points this view at the datagram at {@code off}, {@code len} bytes available (the IP payload length).
     *
     * @param srcIp          IP source address, for the pseudo-header
     * @param dstIp          IP destination address, for the pseudo-header
     * @param verifyChecksum false to skip checksum verification
     * @throws MalformedPacketException on a bad length or checksum
     */
    public UdpDatagram wrap(ByteBuffer buf, int off, int len, int srcIp, int dstIp, boolean verifyChecksum) {
        MalformedPacketException.requireLength("UDP header", len, HEADER_LEN);
        int length = buf.getShort(off + LENGTH) & 0xFFFF;
        if (length < HEADER_LEN) {
            throw new MalformedPacketException("UDP length: " + length + " (expected: >= 8)");
        }
        if (length > len) {
            throw new MalformedPacketException("UDP length: " + length + " (expected: <= " + len + " bytes present)");
        }
        int sent = buf.getShort(off + CHECKSUM) & 0xFFFF;
        if (verifyChecksum && sent != 0) {
            long sum = Checksum.pseudoHeader(srcIp, dstIp, Ipv4Packet.PROTO_UDP, length);
            if (Checksum.finish(Checksum.add(sum, buf, off, length)) != 0) {
                throw new MalformedPacketException("UDP checksum: 0x" + Integer.toHexString(sent) + " (expected: 0x"
                        + Integer.toHexString(compute(buf, off, length, srcIp, dstIp)) + ")");
            }
        }
        this.buf = buf;
        this.off = off;
        return this;
    }

    /** Returns true when the checksum is absent (zero) or verifies against the pseudo-header of {@code srcIp}, {@code dstIp}. */
    public boolean checksumOk(int srcIp, int dstIp) {
        if (checksum() == 0) {
            return true;
        }
        long sum = Checksum.pseudoHeader(srcIp, dstIp, Ipv4Packet.PROTO_UDP, length());
        return Checksum.finish(Checksum.add(sum, buf, off, length())) == 0;
    }

    /** Returns the source port. */
    public int srcPort() {
        return buf.getShort(off + SRC_PORT) & 0xFFFF;
    }

    /** Returns the destination port. */
    public int dstPort() {
        return buf.getShort(off + DST_PORT) & 0xFFFF;
    }

    /** Returns the Length field (header plus data). */
    public int length() {
        return buf.getShort(off + LENGTH) & 0xFFFF;
    }

    /** Returns the Checksum field as sent. */
    public int checksum() {
        return buf.getShort(off + CHECKSUM) & 0xFFFF;
    }

    /** Returns the absolute offset of the data. */
    public int payloadOffset() {
        return off + HEADER_LEN;
    }

    /** Returns the data length. */
    public int payloadLength() {
        return length() - HEADER_LEN;
    }

    /**
     * Writes the header at {@code off} and the checksum over it and the {@code payloadLen} data bytes
     * that must already follow it.
     */
    public static void emit(ByteBuffer buf, int off, int srcPort, int dstPort, int payloadLen, int srcIp, int dstIp) {
        int length = HEADER_LEN + payloadLen;
        buf.putShort(off + SRC_PORT, (short) srcPort);
        buf.putShort(off + DST_PORT, (short) dstPort);
        buf.putShort(off + LENGTH, (short) length);
        buf.putShort(off + CHECKSUM, (short) 0);
        buf.putShort(off + CHECKSUM, (short) compute(buf, off, length, srcIp, dstIp));
    }

    /**
     * Writes the header at {@code off} with a checksum of 0: none was computed (RFC 768: "An all zero transmitted
     * checksum value means that the transmitter generated no checksum").
     */
    public static void emitWithoutChecksum(ByteBuffer buf, int off, int srcPort, int dstPort, int payloadLen) {
        buf.putShort(off + SRC_PORT, (short) srcPort);
        buf.putShort(off + DST_PORT, (short) dstPort);
        buf.putShort(off + LENGTH, (short) (HEADER_LEN + payloadLen));
        buf.putShort(off + CHECKSUM, (short) 0);
    }

    /**
     * Writes into this datagram, whose checksum field is 0, the checksum its sender left to the NIC: what it carries
     * once on a wire (a veth's or a tap's frame arrives without it).
     */
    public void fillChecksum(int srcIp, int dstIp) {
        buf.putShort(off + CHECKSUM, (short) compute(buf, off, length(), srcIp, dstIp));
    }

    /** Returns the checksum to transmit for the datagram at {@code off} whose checksum field is zero. */
    static int compute(ByteBuffer buf, int off, int length, int srcIp, int dstIp) {
        long sum = Checksum.pseudoHeader(srcIp, dstIp, Ipv4Packet.PROTO_UDP, length);
        sum = Checksum.add(sum, buf, off, CHECKSUM);
        sum = Checksum.add(sum, buf, off + CHECKSUM + 2, length - CHECKSUM - 2);
        int c = Checksum.finish(sum);
        // RFC 768: "If the computed checksum is zero, it is transmitted as all ones."
        return c == 0 ? 0xFFFF : c;
    }
}
