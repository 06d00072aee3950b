package dev.netboot.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class EthernetFrameTest {
    /** The Ethernet header of a broadcast ARP request (IEEE 802.3 Ethernet II layout). */
    static final byte[] HEADER = HexFormat.of().parseHex(
            "ffffffffffff"      // destination: broadcast
            + "001a2b3c4d5e"    // source
            + "0806");          // EtherType: ARP

    @Test
    void parseGolden() {
        byte[] frame = Arrays.copyOf(HEADER, 60);
        EthernetFrame f = new EthernetFrame().wrap(ByteBuffer.wrap(frame), 60);
        assertEquals(MacAddress.BROADCAST, f.dst());
        assertEquals(0xffff_ffff_ffffL, f.dstValue());
        assertEquals(MacAddress.parse("00:1a:2b:3c:4d:5e"), f.src());
        assertEquals(0x001a_2b3c_4d5eL, f.srcValue());
        assertEquals(EthernetFrame.TYPE_ARP, f.etherType());
        assertEquals(14, f.payloadOffset());
        assertEquals(46, f.payloadLength());
    }

    @Test
    void emitGolden() {
        ByteBuffer b = ByteBuffer.allocate(14);
        EthernetFrame.emit(b, 0xffff_ffff_ffffL, 0x001a_2b3c_4d5eL, EthernetFrame.TYPE_ARP);
        assertArrayEquals(HEADER, b.array());
        assertEquals(0, b.position());
    }

    @Test
    void headerOnlyIsAccepted() {
        assertEquals(0, new EthernetFrame().wrap(ByteBuffer.wrap(HEADER.clone()), 14).payloadLength());
    }

    @Test
    void shorterThan14Rejected() {
        for (int n = 0; n < 14; n++) {
            int len = n;
            MalformedPacketException e = assertThrows(MalformedPacketException.class,
                    () -> new EthernetFrame().wrap(ByteBuffer.wrap(Arrays.copyOf(HEADER, len)), len));
            assertTrue(e.getMessage().startsWith("Ethernet frame: " + n + " bytes"), e.getMessage());
        }
        assertThrows(MalformedPacketException.class, () -> new EthernetFrame().wrap(ByteBuffer.wrap(HEADER.clone()), -1));
    }

    @Test
    void ieee8023LengthTypeRejected() {
        byte[] f = HEADER.clone();
        f[12] = 0x05;
        f[13] = (byte) 0xdc; // 1500: an 802.3 length, not an EtherType
        MalformedPacketException e = assertThrows(MalformedPacketException.class, () -> new EthernetFrame().wrap(ByteBuffer.wrap(f), 14));
        assertTrue(e.getMessage().contains("0x5dc"), e.getMessage());
        f[12] = 0x06;
        f[13] = 0x00; // 0x0600 is the smallest EtherType
        assertEquals(0x0600, new EthernetFrame().wrap(ByteBuffer.wrap(f), 14).etherType());
    }

    @Test
    void lengthGreaterThanBufferRejected() {
        byte[] f = Arrays.copyOf(HEADER, 60);
        assertThrows(MalformedPacketException.class, () -> new EthernetFrame().wrap(ByteBuffer.wrap(f), 61));
        assertThrows(MalformedPacketException.class, () -> new EthernetFrame().wrap(ByteBuffer.wrap(f), Integer.MAX_VALUE));
    }

    @Test
    void lengthGreaterThanBufferLimitRejected() {
        // A received frame in a larger buffer, flipped: only [0, limit) may be read by absolute gets.
        ByteBuffer b = ByteBuffer.allocate(1518);
        b.put(HEADER).flip();
        assertThrows(MalformedPacketException.class, () -> new EthernetFrame().wrap(b, 60));
        assertEquals(14, new EthernetFrame().wrap(b, 14).payloadOffset());
    }
}
