package dev.netboot.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 768 UDP with the pseudo-header checksum. */
class UdpDatagramTest {
    static final int CLIENT_IP = 0xc0a8010a; // 192.168.1.10
    static final int SERVER_IP = 0xc0a80101; // 192.168.1.1

    /**
     * A TFTP ACK of block 1 from 192.168.1.10:49152 to 192.168.1.1:50001.
     *
     * <p>Checksum by hand: pseudo-header c0a8 + 010a + c0a8 + 0101 + 0011 (zero, protocol 17) + 000c
     * (UDP length), header c000 + c351 + 000c + 0000 (checksum field as 0), data 0004 + 0001
     * = 0x306da; fold 0x06da + 0x3 = 0x06dd; complement 0xf922.
     */
    static final byte[] ACK = HexFormat.of().parseHex(
            "c000"              // source port 49152
            + "c351"            // destination port 50001
            + "000c"            // length 12
            + "f922"            // checksum (see above)
            + "0004"            // TFTP opcode ACK
            + "0001");          // block 1

    /**
     * Odd payload "abc" from 10.0.0.1:1000 to 10.0.0.2:2000. The last byte is padded with a zero
     * octet: 0a00 + 0001 + 0a00 + 0002 + 0011 + 000b + 03e8 + 07d0 + 000b + 0000 + 6162 + 6300
     * = 0xe444 (no carry); complement 0x1bbb.
     */
    static final byte[] ODD = HexFormat.of().parseHex(
            "03e8"              // source port 1000
            + "07d0"            // destination port 2000
            + "000b"            // length 11
            + "1bbb"            // checksum (see above)
            + "616263");        // "abc"

    private static UdpDatagram wrap(byte[] d, int len, int src, int dst, boolean verify) {
        return new UdpDatagram().wrap(ByteBuffer.wrap(d), 0, len, src, dst, verify);
    }

    private static MalformedPacketException rejects(byte[] d, int len, boolean verify) {
        return assertThrows(MalformedPacketException.class, () -> wrap(d, len, CLIENT_IP, SERVER_IP, verify));
    }

    @Test
    void parseGolden() {
        UdpDatagram u = wrap(ACK, 12, CLIENT_IP, SERVER_IP, true);
        assertEquals(49152, u.srcPort());
        assertEquals(50001, u.dstPort());
        assertEquals(12, u.length());
        assertEquals(0xf922, u.checksum());
        assertEquals(8, u.payloadOffset());
        assertEquals(4, u.payloadLength());
    }

    @Test
    void emitGolden() {
        ByteBuffer b = ByteBuffer.wrap(Arrays.copyOf(ACK, 12));
        b.putInt(0, 0).putInt(4, 0); // wipe the header, keep the payload
        UdpDatagram.emit(b, 0, 49152, 50001, 4, CLIENT_IP, SERVER_IP);
        assertArrayEquals(ACK, b.array());
    }

    @Test
    void oddPayloadLength() {
        UdpDatagram u = wrap(ODD, 11, 0x0a000001, 0x0a000002, true);
        assertEquals(3, u.payloadLength());
        ByteBuffer b = ByteBuffer.wrap(Arrays.copyOf(ODD, 11));
        b.putShort(6, (short) 0);
        UdpDatagram.emit(b, 0, 1000, 2000, 3, 0x0a000001, 0x0a000002);
        assertArrayEquals(ODD, b.array());
    }

    @Test
    void oddPayloadIgnoresTheByteAfterTheDatagram() {
        // The pad octet is a zero, not whatever follows in the buffer (IP padding, another packet).
        byte[] d = Arrays.copyOf(ODD, 12);
        d[11] = (byte) 0x99;
        assertEquals(3, wrap(d, 12, 0x0a000001, 0x0a000002, true).payloadLength());
    }

    @Test
    void pseudoHeaderIsCovered() {
        // Same bytes, a different destination address: the checksum no longer matches.
        assertThrows(MalformedPacketException.class, () -> wrap(ACK, 12, CLIENT_IP, 0xc0a80102, true));
    }

    @Test
    void zeroChecksumMeansNone() {
        byte[] d = ACK.clone();
        d[6] = 0;
        d[7] = 0;
        d[11] = 9; // payload changed, still accepted: no checksum was sent
        assertEquals(0, wrap(d, 12, CLIENT_IP, SERVER_IP, true).checksum());
    }

    /**
     * 10.0.0.1:1000 -> 10.0.0.2:2000 with a 2-byte payload X. Without X the sum is
     * 0a00 + 0001 + 0a00 + 0002 + 0011 + 000a + 03e8 + 07d0 + 000a + 0000 = 0x1fe0. Choosing
     * X = 0xffff - 0x1fe0 = 0xe01f makes the sum 0xffff, whose complement is 0: RFC 768 then
     * transmits all ones, 0xffff. The receiver sums 0xffff + 0xffff = 0x1fffe -> 0xffff -> ~ = 0, valid.
     */
    static final byte[] COMPUTED_ZERO = HexFormat.of().parseHex(
            "03e8"              // source port 1000
            + "07d0"            // destination port 2000
            + "000a"            // length 10
            + "ffff"            // checksum: computed 0 sent as all ones
            + "e01f");          // payload chosen to make the sum 0xffff

    @Test
    void computedZeroIsSentAsFfff() {
        ByteBuffer b = ByteBuffer.wrap(COMPUTED_ZERO.clone());
        b.putShort(6, (short) 0x1234);
        UdpDatagram.emit(b, 0, 1000, 2000, 2, 0x0a000001, 0x0a000002);
        assertArrayEquals(COMPUTED_ZERO, b.array());
        assertEquals(0xffff, wrap(COMPUTED_ZERO, 10, 0x0a000001, 0x0a000002, true).checksum());
    }

    @Test
    void lengthBelow8Rejected() {
        for (int l = 0; l < 8; l++) {
            byte[] d = ACK.clone();
            d[5] = (byte) l;
            assertEquals("UDP length: " + l + " (expected: >= 8)", rejects(d, 12, false).getMessage());
        }
    }

    @Test
    void truncatedHeaderRejected() {
        for (int n = 0; n < 8; n++) {
            assertEquals("UDP header: " + n + " bytes (expected: >= 8)", rejects(Arrays.copyOf(ACK, n), n, false).getMessage());
        }
    }

    @Test
    void lengthBeyondBytesPresentRejected() {
        assertEquals("UDP length: 12 (expected: <= 11 bytes present)", rejects(ACK, 11, false).getMessage());
        byte[] d = ACK.clone();
        d[4] = (byte) 0xff;
        d[5] = (byte) 0xff;
        assertEquals("UDP length: 65535 (expected: <= 12 bytes present)", rejects(d, 12, false).getMessage());
    }

    @Test
    void bytesAfterLengthIgnored() {
        byte[] d = Arrays.copyOf(ACK, 30);
        Arrays.fill(d, 12, 30, (byte) 0x55);
        assertEquals(4, wrap(d, 30, CLIENT_IP, SERVER_IP, true).payloadLength());
    }

    @Test
    void corruptedByteRejected() {
        for (int i = 0; i < 12; i++) {
            if (i == 4 || i == 5) {
                continue; // length byte changes are caught by the length checks
            }
            byte[] d = ACK.clone();
            d[i] ^= 0x01;
            if (i == 6 || i == 7) {
                rejects(d, 12, true);
                continue;
            }
            MalformedPacketException e = rejects(d, 12, true);
            assertEquals("UDP checksum: 0xf922", e.getMessage().substring(0, 20));
            assertEquals(d.length, wrap(d, 12, CLIENT_IP, SERVER_IP, false).length());
        }
    }
}
