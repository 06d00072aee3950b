package dev.netboot.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 792 ICMP: echo request and reply, destination unreachable quoting a UDP datagram. */
class IcmpPacketTest {
    /**
     * An echo request, identifier 0x1234, sequence 1, data "abcd".
     *
     * <p>Checksum by hand: 0800 + 0000 (checksum as 0) + 1234 + 0001 + 6162 + 6364 = 0xdefb, no carry;
     * complement 0x2104.
     */
    static final byte[] ECHO_REQUEST = HexFormat.of().parseHex(
            "08"                // type 8, echo request
            + "00"              // code 0
            + "2104"            // checksum (see above)
            + "1234"            // identifier
            + "0001"            // sequence number
            + "61626364");      // data "abcd"

    /** The reply to {@link #ECHO_REQUEST}: type 0, so the sum is 0xd6fb and the checksum 0x2904. */
    static final byte[] ECHO_REPLY = HexFormat.of().parseHex(
            "00"                // type 0, echo reply
            + "00"              // code 0
            + "2904"            // checksum
            + "1234"            // identifier, as requested
            + "0001"            // sequence number, as requested
            + "61626364");      // data, as requested

    /**
     * Port unreachable from 10.77.0.1 about our RRQ 10.77.0.55:49152 → 10.77.0.1:69. The quoted IPv4
     * header carries the original total length (48), longer than what is quoted: only 8 data bytes follow.
     */
    static final byte[] PORT_UNREACHABLE = HexFormat.of().parseHex(
            "03"                // type 3, destination unreachable
            + "03"              // code 3, port unreachable
            + "0000"            // checksum, filled in below
            + "00000000"        // unused
            + "45000030"        // quoted IPv4: version 4, IHL 5, total length 48
            + "00014000"        // identification 1, DF
            + "40110000"        // TTL 64, protocol 17 (UDP), header checksum not checked
            + "0a4d0037"        // source 10.77.0.55 (us)
            + "0a4d0001"        // destination 10.77.0.1
            + "c0000045"        // quoted UDP: source port 49152, destination port 69
            + "001c0000");      // UDP length 28, checksum

    static byte[] withChecksum(byte[] message) {
        ByteBuffer b = ByteBuffer.wrap(message.clone());
        IcmpPacket.emit(b, 0, b.get(0) & 0xFF, b.get(1) & 0xFF, b.getShort(4) & 0xFFFF, b.getShort(6) & 0xFFFF, message.length);
        return b.array();
    }

    private static IcmpPacket wrap(byte[] m, boolean verify) {
        return new IcmpPacket().wrap(ByteBuffer.wrap(m), 0, m.length, verify);
    }

    @Test
    void parseEchoRequest() {
        IcmpPacket p = wrap(ECHO_REQUEST, true);
        assertEquals(IcmpPacket.TYPE_ECHO_REQUEST, p.type());
        assertEquals(0, p.code());
        assertEquals(0x2104, p.checksum());
        assertEquals(0x1234, p.identifier());
        assertEquals(1, p.sequence());
        assertEquals(8, p.dataOffset());
        assertEquals(4, p.dataLength());
        assertTrue(p.checksumOk());
    }

    @Test
    void emitEchoReplyOverTheRequestsData() {
        ByteBuffer b = ByteBuffer.allocate(ECHO_REQUEST.length);
        b.put(0, ECHO_REQUEST);
        IcmpPacket.emit(b, 0, IcmpPacket.TYPE_ECHO_REPLY, 0, 0x1234, 1, ECHO_REQUEST.length);
        assertArrayEquals(ECHO_REPLY, b.array());
    }

    @Test
    void emitAtAnOffsetLeavesTheRestAlone() {
        ByteBuffer b = ByteBuffer.allocate(ECHO_REPLY.length + 10);
        b.put(5, ECHO_REQUEST);
        IcmpPacket.emit(b, 5, IcmpPacket.TYPE_ECHO_REPLY, 0, 0x1234, 1, ECHO_REQUEST.length);
        assertArrayEquals(ECHO_REPLY, Arrays.copyOfRange(b.array(), 5, 5 + ECHO_REPLY.length));
        assertEquals(0, b.get(4));
        assertEquals(0, b.get(5 + ECHO_REPLY.length));
    }

    @Test
    void portUnreachableQuotesTheUdpDatagram() {
        IcmpPacket p = wrap(withChecksum(PORT_UNREACHABLE), true);
        assertEquals(IcmpPacket.TYPE_DEST_UNREACHABLE, p.type());
        assertEquals(IcmpPacket.CODE_PORT_UNREACHABLE, p.code());
        assertTrue(p.quotesTransportHeader());
        assertEquals(Ipv4Packet.PROTO_UDP, p.quotedProtocol());
        assertEquals(Ipv4Address.parse("10.77.0.55").value(), p.quotedSrc());
        assertEquals(Ipv4Address.parse("10.77.0.1").value(), p.quotedDst());
        assertEquals(49152, p.quotedSrcPort());
        assertEquals(69, p.quotedDstPort());
    }

    @Test
    void quoteWithIpOptionsSkipsThem() {
        byte[] m = new byte[PORT_UNREACHABLE.length + 4];
        System.arraycopy(PORT_UNREACHABLE, 0, m, 0, 28);              // header and the quoted IPv4 header
        m[8] = 0x46;                                                    // IHL 6: one word of options
        System.arraycopy(PORT_UNREACHABLE, 28, m, 32, 8);              // the UDP header after the options
        IcmpPacket p = wrap(withChecksum(m), true);
        assertTrue(p.quotesTransportHeader());
        assertEquals(49152, p.quotedSrcPort());
        assertEquals(69, p.quotedDstPort());
    }

    @Test
    void shortOrOddQuotesAreNotTrusted() {
        for (int cut = 8; cut < PORT_UNREACHABLE.length; cut++) {
            byte[] m = withChecksum(Arrays.copyOf(PORT_UNREACHABLE, cut));
            assertFalse(wrap(m, true).quotesTransportHeader(), "cut at " + cut);
        }
        byte[] v6 = PORT_UNREACHABLE.clone();
        v6[8] = 0x65;                                                   // version 6
        assertFalse(wrap(withChecksum(v6), true).quotesTransportHeader());
        byte[] ihl4 = PORT_UNREACHABLE.clone();
        ihl4[8] = 0x44;                                                 // IHL below 5
        assertFalse(wrap(withChecksum(ihl4), true).quotesTransportHeader());
    }

    @Test
    void rejectsTruncationAndBadChecksums() {
        for (int len = 0; len < IcmpPacket.HEADER_LEN; len++) {
            int n = len;
            MalformedPacketException e = assertThrows(MalformedPacketException.class,
                    () -> new IcmpPacket().wrap(ByteBuffer.wrap(ECHO_REQUEST), 0, n, false));
            assertEquals("ICMP header: " + n + " bytes (expected: >= 8)", e.getMessage());
        }
        byte[] bad = ECHO_REQUEST.clone();
        bad[9] ^= 1;                                                    // "b" 0x62 -> 0x63: the sum grows by 1
        MalformedPacketException e = assertThrows(MalformedPacketException.class, () -> wrap(bad, true));
        assertEquals("ICMP checksum: 0x2104 (expected: 0x2103)", e.getMessage());
        assertFalse(wrap(bad, false).checksumOk());
        byte[] zero = ECHO_REQUEST.clone();
        zero[2] = 0;
        zero[3] = 0;
        assertThrows(MalformedPacketException.class, () -> wrap(zero, true)); // ICMP has no "no checksum" value
    }

    @Test
    void randomBytesParseOrThrowMalformed() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int i = 0; i < 20_000; i++) {
            byte[] m = new byte[r.nextInt(40)];
            r.nextBytes(m);
            try {
                IcmpPacket p = wrap(m, r.nextBoolean());
                if (p.quotesTransportHeader()) {
                    p.quotedSrcPort();
                    p.quotedDstPort();
                    p.quotedSrc();
                }
            } catch (MalformedPacketException expected) {
                // the only exception allowed
            }
        }
    }
}
