package dev.netboot.wire;

import java.nio.ByteBuffer;

/**
 * A reusable view over an ICMP message (RFC 792) in a caller-owned buffer: the echo request and reply
 * an operator's {@code ping} uses, and the destination-unreachable error that quotes a datagram we sent.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Identifier (echo) / unused  | Sequence Number (echo)/unused |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data: echo data, or (errors) Internet Header + 64 bits of      |
 * |  Original Data Datagram                                         |
 * </pre>
 *
 * <p>The checksum is "the 16-bit ones's complement of the one's complement sum of the ICMP message
 * starting with the ICMP Type" (RFC 792), with no pseudo-header. {@link #wrap} checks the length and,
 * if asked, the checksum; after it succeeds no accessor throws. The {@code quoted*} accessors of an error
 * message may be used only after {@link #quotesTransportHeader()} returned true.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc792">RFC 792</a>
 */
public final class IcmpPacket {
    static final int TYPE = 0, CODE = 1, CHECKSUM = 2, IDENTIFIER = 4, SEQUENCE = 6;
    /** Length of the header: type, code, checksum and the 4-byte rest of header. */
    public static final int HEADER_LEN = 8;
    /** Type of an echo reply. */
    public static final int TYPE_ECHO_REPLY = 0;
    /** Type of a destination-unreachable error. */
    public static final int TYPE_DEST_UNREACHABLE = 3;
    /** Type of an echo request. */
    public static final int TYPE_ECHO_REQUEST = 8;
    /** Destination-unreachable code: the destination host does not speak the protocol. */
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    /** Destination-unreachable code: nothing listens on the destination port. */
    public static final int CODE_PORT_UNREACHABLE = 3;

    private ByteBuffer buf;
    private int off;
    private int len;

    /**
     * Points this view at the message at {@code off} of {@code len} bytes (the IP payload length).
     *
     * @param verifyChecksum false to skip checksum verification
     * @throws MalformedPacketException when shorter than the header or the checksum is wrong
     */
    public IcmpPacket wrap(ByteBuffer buf, int off, int len, boolean verifyChecksum) {
        MalformedPacketException.requireLength("ICMP header", len, HEADER_LEN);
        if (verifyChecksum && Checksum.of(buf, off, len) != 0) {
            throw new MalformedPacketException("ICMP checksum: 0x" + Integer.toHexString(buf.getShort(off + CHECKSUM) & 0xFFFF)
                    + " (expected: 0x" + Integer.toHexString(compute(buf, off, len)) + ")");
        }
        this.buf = buf;
        this.off = off;
        this.len = len;
        return this;
    }

    /** Returns true when the checksum over the whole message verifies. */
    public boolean checksumOk() {
        return Checksum.of(buf, off, len) == 0;
    }

    /** Returns the Type field. */
    public int type() {
        return buf.get(off + TYPE) & 0xFF;
    }

    /** Returns the Code field. */
    public int code() {
        return buf.get(off + CODE) & 0xFF;
    }

    /** Returns the Checksum field as sent. */
    public int checksum() {
        return buf.getShort(off + CHECKSUM) & 0xFFFF;
    }

    /** Returns the Identifier of an echo request or reply. */
    public int identifier() {
        return buf.getShort(off + IDENTIFIER) & 0xFFFF;
    }

    /** Returns the Sequence Number of an echo request or reply. */
    public int sequence() {
        return buf.getShort(off + SEQUENCE) & 0xFFFF;
    }

    /** Returns the message length: header plus data. */
    public int length() {
        return len;
    }

    /** Returns the absolute offset of the data after the 8-byte header. */
    public int dataOffset() {
        return off + HEADER_LEN;
    }

    /** Returns the length of the data after the header. */
    public int dataLength() {
        return len - HEADER_LEN;
    }

    /**
     * Returns true when the data of this error message holds an IPv4 header (version 4, IHL at least 5)
     * and the 8 bytes that followed it: "the internet header plus the first 64 bits of the original
     * datagram's data" (RFC 792), enough for the UDP ports.
     */
    public boolean quotesTransportHeader() {
        int have = len - HEADER_LEN;
        if (have < Ipv4Packet.HEADER_LEN) {
            return false;
        }
        int verIhl = buf.get(dataOffset()) & 0xFF;
        int ihl = (verIhl & 0x0F) * 4;
        return verIhl >>> 4 == 4 && ihl >= Ipv4Packet.HEADER_LEN && have - ihl >= 8;
    }

    /** Returns the Protocol field of the quoted IPv4 header. */
    public int quotedProtocol() {
        return buf.get(dataOffset() + Ipv4Packet.PROTOCOL) & 0xFF;
    }

    /** Returns the source address of the quoted datagram (ours, if we sent it). */
    public int quotedSrc() {
        return buf.getInt(dataOffset() + Ipv4Packet.SRC);
    }

    /** Returns the destination address of the quoted datagram. */
    public int quotedDst() {
        return buf.getInt(dataOffset() + Ipv4Packet.DST);
    }

    /** Returns the first 16 bits after the quoted IPv4 header: the UDP or TCP source port. */
    public int quotedSrcPort() {
        return buf.getShort(quotedTransportOffset()) & 0xFFFF;
    }

    /** Returns the second 16 bits after the quoted IPv4 header: the UDP or TCP destination port. */
    public int quotedDstPort() {
        return buf.getShort(quotedTransportOffset() + 2) & 0xFFFF;
    }

    private int quotedTransportOffset() {
        return dataOffset() + (buf.get(dataOffset()) & 0x0F) * 4;
    }

    /**
     * Writes the header of a {@code length}-byte message at {@code off} (type, code, the two 16-bit halves of
     * the rest of the header) and the checksum over it and the data that must already follow it.
     */
    public static void emit(ByteBuffer buf, int off, int type, int code, int identifier, int sequence, int length) {
        buf.put(off + TYPE, (byte) type);
        buf.put(off + CODE, (byte) code);
        buf.putShort(off + CHECKSUM, (short) 0);
        buf.putShort(off + IDENTIFIER, (short) identifier);
        buf.putShort(off + SEQUENCE, (short) sequence);
        buf.putShort(off + CHECKSUM, (short) Checksum.of(buf, off, length));
    }

    /** Returns the checksum to transmit for the message at {@code off}, ignoring the checksum field's content. */
    static int compute(ByteBuffer buf, int off, int len) {
        long sum = Checksum.add(0, buf, off, CHECKSUM);
        return Checksum.finish(Checksum.add(sum, buf, off + CHECKSUM + 2, len - CHECKSUM - 2));
    }
}
