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

/** RFC 791 IPv4 header. */
class Ipv4PacketTest {
    /**
     * The widely published example header (Wikipedia "IPv4 header checksum"): 192.168.0.1 ->
     * 192.168.0.199, UDP, total length 115.
     *
     * <p>Checksum by hand (RFC 1071), the checksum field taken as 0:
     * 4500 + 0073 + 0000 + 4000 + 4011 + c0a8 + 0001 + c0a8 + 00c7 = 0x2479c;
     * fold: 0x479c + 0x2 = 0x479e; one's complement: 0xb861.
     */
    static final byte[] HEADER = HexFormat.of().parseHex(
            "45"                // version 4, IHL 5
            + "00"              // TOS
            + "0073"            // total length 115
            + "0000"            // identification
            + "4000"            // flags DF, fragment offset 0
            + "40"              // TTL 64
            + "11"              // protocol UDP
            + "b861"            // header checksum (see above)
            + "c0a80001"        // source 192.168.0.1
            + "c0a800c7");      // destination 192.168.0.199

    /**
     * A header with one option word (IHL 6): RFC 2113 Router Alert 94 04 0000. Total length 32.
     * Checksum: 4600 + 0020 + 0000 + 0000 + 4011 + 0a00 + 0001 + 0a00 + 0002 + 9404 + 0000 = 0x12e38;
     * fold 0x2e38 + 1 = 0x2e39; complement 0xd1c6.
     */
    static final byte[] HEADER_IHL6 = HexFormat.of().parseHex(
            "46"                // version 4, IHL 6
            + "00"              // TOS
            + "0020"            // total length 32 = 24 header + 8 payload
            + "0000"            // identification
            + "0000"            // flags, fragment offset
            + "40"              // TTL 64
            + "11"              // protocol UDP
            + "d1c6"            // header checksum (see above)
            + "0a000001"        // source 10.0.0.1
            + "0a000002"        // destination 10.0.0.2
            + "94040000");      // option: Router Alert

    private static ByteBuffer packet(byte[] header, int size) {
        return ByteBuffer.wrap(Arrays.copyOf(header, size));
    }

    private static MalformedPacketException rejects(ByteBuffer b, int len, boolean verify) {
        return assertThrows(MalformedPacketException.class, () -> new Ipv4Packet().wrap(b, 0, len, verify));
    }

    @Test
    void parseGolden() {
        Ipv4Packet p = new Ipv4Packet().wrap(packet(HEADER, 115), 0, 115, true);
        assertEquals(20, p.headerLength());
        assertEquals(115, p.totalLength());
        assertEquals(0, p.identification());
        assertFalse(p.isFragment(), "DF alone is not a fragment");
        assertEquals(64, p.ttl());
        assertEquals(Ipv4Packet.PROTO_UDP, p.protocol());
        assertEquals(0xc0a80001, p.src());
        assertEquals(0xc0a800c7, p.dst());
        assertEquals(20, p.payloadOffset());
        assertEquals(95, p.payloadLength());
    }

    @Test
    void parseAtOffset() {
        byte[] frame = new byte[14 + 115];
        System.arraycopy(HEADER, 0, frame, 14, 20);
        Ipv4Packet p = new Ipv4Packet().wrap(ByteBuffer.wrap(frame), 14, 115, true);
        assertEquals(34, p.payloadOffset());
        assertEquals(0xc0a800c7, p.dst());
    }

    @Test
    void emitGolden() {
        ByteBuffer b = ByteBuffer.allocate(20);
        Ipv4Packet.emit(b, 0, 95, Ipv4Packet.PROTO_UDP, 0xc0a80001, 0xc0a800c7, 64, 0);
        assertArrayEquals(HEADER, b.array());
    }

    @Test
    void badVersionRejected() {
        ByteBuffer b = packet(HEADER, 115);
        b.put(0, (byte) 0x65);
        assertEquals("IPv4 version: 6 (expected: 4)", rejects(b, 115, false).getMessage());
    }

    @Test
    void ihlBelow5Rejected() {
        for (int ihl = 0; ihl < 5; ihl++) {
            ByteBuffer b = packet(HEADER, 115);
            b.put(0, (byte) (0x40 | ihl));
            assertEquals("IPv4 IHL: " + ihl + " words (expected: >= 5)", rejects(b, 115, false).getMessage());
        }
    }

    @Test
    void ihl6OptionsMovePayload() {
        Ipv4Packet p = new Ipv4Packet().wrap(packet(HEADER_IHL6, 32), 0, 32, true);
        assertEquals(24, p.headerLength());
        assertEquals(24, p.payloadOffset());
        assertEquals(8, p.payloadLength());
        assertEquals(0x0a000002, p.dst());
    }

    @Test
    void ihlLongerThanTotalLengthRejected() {
        ByteBuffer b = packet(HEADER, 115);
        b.put(0, (byte) 0x4f); // 60-byte header
        b.putShort(2, (short) 40);
        assertEquals("IPv4 total length: 40 (expected: >= header length 60)", rejects(b, 115, false).getMessage());
    }

    @Test
    void totalLengthBelowIhlRejected() {
        ByteBuffer b = packet(HEADER, 115);
        b.putShort(2, (short) 19);
        assertTrue(rejects(b, 115, false).getMessage().startsWith("IPv4 total length: 19"));
    }

    @Test
    void totalLengthBeyondBytesPresentRejected() {
        assertEquals("IPv4 total length: 115 (expected: <= 114 bytes present)", rejects(packet(HEADER, 115), 114, true).getMessage());
    }

    @Test
    void truncatedHeaderRejected() {
        for (int n = 0; n < 20; n++) {
            assertEquals("IPv4 header: " + n + " bytes (expected: >= 20)", rejects(packet(HEADER, n), n, false).getMessage());
        }
    }

    @Test
    void badChecksumRejectedUnlessVerificationOff() {
        ByteBuffer b = packet(HEADER, 115);
        b.put(8, (byte) 0x3f); // TTL 63 without fixing the checksum
        // Expected after the change: 0xb861 + 0x0100 = 0xb961 (TTL dropped by 1 adds 0x0100 to the complement).
        assertEquals("IPv4 header checksum: 0xb861 (expected: 0xb961)", rejects(b, 115, true).getMessage());
        assertEquals(63, new Ipv4Packet().wrap(b, 0, 115, false).ttl());
    }

    @Test
    void checksumCoversOptions() {
        ByteBuffer b = packet(HEADER_IHL6, 32);
        b.put(21, (byte) 0x05); // corrupt the option word
        rejects(b, 32, true);
    }

    @Test
    void fragmentDetection() {
        ByteBuffer b = packet(HEADER, 115);
        b.putShort(6, (short) Ipv4Packet.FLAG_MF); // first fragment: MF set, offset 0
        assertTrue(new Ipv4Packet().wrap(b, 0, 115, false).isFragment());
        b.putShort(6, (short) 0x0001); // last fragment: offset 1 (8 bytes), MF clear
        assertTrue(new Ipv4Packet().wrap(b, 0, 115, false).isFragment());
        b.putShort(6, (short) 0x1fff); // largest offset
        assertTrue(new Ipv4Packet().wrap(b, 0, 115, false).isFragment());
        b.putShort(6, (short) (0x8000 | Ipv4Packet.FLAG_DF)); // reserved bit + DF: not a fragment
        assertFalse(new Ipv4Packet().wrap(b, 0, 115, false).isFragment());
    }

    @Test
    void ethernetPaddingAfterTotalLengthIgnored() {
        // A 20-byte header + 8-byte UDP header in a minimum 46-byte Ethernet payload: 18 bytes of padding.
        ByteBuffer b = ByteBuffer.allocate(46);
        Ipv4Packet.emit(b, 0, 8, Ipv4Packet.PROTO_UDP, 0x0a000001, 0x0a000002, 64, 7);
        for (int i = 28; i < 46; i++) {
            b.put(i, (byte) 0xAA);
        }
        Ipv4Packet p = new Ipv4Packet().wrap(b, 0, 46, true);
        assertEquals(28, p.totalLength());
        assertEquals(8, p.payloadLength());
        assertEquals(7, p.identification());
    }
}
