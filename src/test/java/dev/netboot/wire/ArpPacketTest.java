package dev.netboot.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 826 ARP, Ethernet/IPv4. Fixtures dissected by tshark 4.0 as "Who has 192.168.1.1? Tell 192.168.1.10". */
class ArpPacketTest {
    static final MacAddress CLIENT = MacAddress.parse("00:1a:2b:3c:4d:5e");
    static final MacAddress SERVER = MacAddress.parse("52:54:00:12:34:56");
    static final Ipv4Address CLIENT_IP = Ipv4Address.parse("192.168.1.10");
    static final Ipv4Address SERVER_IP = Ipv4Address.parse("192.168.1.1");

    static final byte[] REQUEST = HexFormat.of().parseHex(
            "0001"              // ar$hrd: Ethernet
            + "0800"            // ar$pro: IPv4
            + "06"              // ar$hln
            + "04"              // ar$pln
            + "0001"            // ar$op: request
            + "001a2b3c4d5e"    // ar$sha
            + "c0a8010a"        // ar$spa 192.168.1.10
            + "000000000000"    // ar$tha: unknown
            + "c0a80101");      // ar$tpa 192.168.1.1

    static final byte[] REPLY = HexFormat.of().parseHex(
            "0001"              // ar$hrd: Ethernet
            + "0800"            // ar$pro: IPv4
            + "06"              // ar$hln
            + "04"              // ar$pln
            + "0002"            // ar$op: reply
            + "525400123456"    // ar$sha
            + "c0a80101"        // ar$spa 192.168.1.1
            + "001a2b3c4d5e"    // ar$tha
            + "c0a8010a");      // ar$tpa 192.168.1.10

    static final ArpPacket REQUEST_REC = new ArpPacket(ArpPacket.REQUEST, CLIENT, CLIENT_IP, MacAddress.ZERO, SERVER_IP);
    static final ArpPacket REPLY_REC = new ArpPacket(ArpPacket.REPLY, SERVER, SERVER_IP, CLIENT, CLIENT_IP);

    @Test
    void parseRequest() {
        assertEquals(REQUEST_REC, ArpPacket.parse(ByteBuffer.wrap(REQUEST), 0, 28));
    }

    @Test
    void parseReplyAtOffsetWithEthernetPadding() {
        byte[] frame = new byte[60];
        System.arraycopy(REPLY, 0, frame, 14, 28);
        assertEquals(REPLY_REC, ArpPacket.parse(ByteBuffer.wrap(frame), 14, 46));
    }

    @Test
    void emitGolden() {
        ByteBuffer b = ByteBuffer.allocate(28);
        REQUEST_REC.emit(b, 0);
        assertArrayEquals(REQUEST, b.array());
        ByteBuffer r = ByteBuffer.allocate(30);
        REPLY_REC.emit(r, 2);
        assertArrayEquals(REPLY, Arrays.copyOfRange(r.array(), 2, 30));
    }

    @Test
    void roundTrip() {
        for (ArpPacket p : new ArpPacket[] {REQUEST_REC, REPLY_REC, new ArpPacket(0xFFFF, MacAddress.BROADCAST, Ipv4Address.BROADCAST, SERVER, Ipv4Address.ANY)}) {
            ByteBuffer b = ByteBuffer.allocate(28);
            p.emit(b, 0);
            assertEquals(p, ArpPacket.parse(b, 0, 28));
        }
    }

    @Test
    void truncationAtEveryLengthRejected() {
        for (int n = 0; n < 28; n++) {
            int len = n;
            MalformedPacketException e = assertThrows(MalformedPacketException.class,
                    () -> ArpPacket.parse(ByteBuffer.wrap(Arrays.copyOf(REQUEST, len)), 0, len));
            assertEquals("ARP packet: " + n + " bytes (expected: >= 28)", e.getMessage());
        }
    }

    private static String rejected(int index, int value) {
        byte[] b = REQUEST.clone();
        b[index] = (byte) value;
        return assertThrows(MalformedPacketException.class, () -> ArpPacket.parse(ByteBuffer.wrap(b), 0, 28)).getMessage();
    }

    @Test
    void wrongHardwareTypeRejected() {
        String m = rejected(1, 6); // IEEE 802 networks
        assertTrue(m.contains("hardware type") && m.contains("6"), m);
    }

    @Test
    void wrongProtocolTypeRejected() {
        String m = rejected(2, 0x86); // 0x8600
        assertTrue(m.contains("protocol type") && m.contains("0x8600"), m);
    }

    @Test
    void wrongHardwareLengthRejected() {
        String m = rejected(4, 8);
        assertTrue(m.contains("hln 8"), m);
    }

    @Test
    void wrongProtocolLengthRejected() {
        String m = rejected(5, 16);
        assertTrue(m.contains("pln 16"), m);
    }

    @Test
    void unknownOpIsKept() {
        byte[] b = REQUEST.clone();
        b[7] = 9; // RFC 5494 InARP-ish values are not ours; the net layer decides
        assertEquals(9, ArpPacket.parse(ByteBuffer.wrap(b), 0, 28).op());
    }
}
