package dev.netboot.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * {@link NicChecksum} on frames built here byte by byte, as the host's kernel hands over a frame whose checksum it
 * left to a NIC: the field holds the pseudo-header sum, folded and not complemented. The sums the tests check are
 * worked out here (RFC 1071), not by the code under test.
 */
class NicChecksumTest {
    static final int SRC = 0xC0000201, DST = 0xC0000202; // 192.0.2.1 -> 192.0.2.2

    /** An untagged IPv4 frame of {@code protocol} with a transport part of {@code transport} bytes (header and payload). */
    static ByteBuffer ipv4(int protocol, byte[] transport) {
        ByteBuffer f = ByteBuffer.allocate(14 + 20 + transport.length);
        f.put(0, new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
        f.putShort(12, (short) 0x0800);
        f.put(14, (byte) 0x45);
        f.putShort(16, (short) (20 + transport.length));
        f.put(22, (byte) 64);
        f.put(23, (byte) protocol);
        f.putInt(26, SRC);
        f.putInt(30, DST);
        f.put(34, transport);
        return f;
    }

    static long pseudo(int protocol, int length) {
        return (SRC >>> 16) + (SRC & 0xFFFF) + (DST >>> 16) + (DST & 0xFFFF) + protocol + length;
    }

    static int fold(long sum) {
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** RFC 1071: the one's complement sum of {@code len} bytes from {@code off}, plus {@code sum}, folded. */
    static int sum(ByteBuffer f, int off, int len, long sum) {
        for (int i = 0; i < len; i += 2) {
            sum += i + 1 < len ? f.getShort(off + i) & 0xFFFF : (f.get(off + i) & 0xFF) << 8;
        }
        return fold(sum);
    }

    static byte[] udp(String payload) {
        byte[] p = payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer u = ByteBuffer.allocate(8 + p.length);
        u.putShort(0, (short) 40000).putShort(2, (short) 69).putShort(4, (short) (8 + p.length));
        u.putShort(6, (short) fold(pseudo(17, 8 + p.length))); // left to the NIC
        u.put(8, p);
        return u.array();
    }

    static byte[] tcp(int payloadLength) {
        ByteBuffer t = ByteBuffer.allocate(20 + payloadLength);
        t.putShort(0, (short) 40000).putShort(2, (short) 9).putInt(4, 0x01020304);
        t.put(12, (byte) 0x50).put(13, (byte) 0x18).putShort(14, (short) 512);
        t.putShort(16, (short) fold(pseudo(6, 20 + payloadLength))); // left to the NIC
        for (int i = 0; i < payloadLength; i++) {
            t.put(20 + i, (byte) (i * 31 + 7));
        }
        return t.array();
    }

    @Test
    void aUdpChecksumLeftToTheNicBecomesNoChecksum() {
        ByteBuffer f = ipv4(17, udp("hello"));
        assertTrue(NicChecksum.finishIpv4(f, f.capacity()));
        assertEquals(0, f.getShort(34 + 6), "RFC 768: 0 is no checksum");
        ByteBuffer g = ipv4(17, udp("hello"));
        assertTrue(NicChecksum.finish(g, 34, 40, g.capacity()), "the same where a virtio_net_hdr says where");
        assertArrayEquals(f.array(), g.array());
    }

    @Test
    void aTcpChecksumLeftToTheNicIsComputedAndVerifies() {
        for (int n : new int[] {0, 1, 2, 999}) { // an odd length pads its last byte (RFC 1071)
            ByteBuffer f = ipv4(6, tcp(n));
            assertTrue(NicChecksum.finishIpv4(f, f.capacity()));
            assertTrue(f.getShort(34 + 16) != 0);
            assertEquals(0xFFFF, sum(f, 34, 20 + n, pseudo(6, 20 + n)), "the TCP checksum verifies, " + n + " bytes of payload");
        }
    }

    @Test
    void aFrameThatIsNotIpv4IsLeftAsItCame() {
        ByteBuffer f = ipv4(17, udp("hello"));
        f.putShort(12, (short) 0x88b5);
        byte[] before = f.array().clone();
        assertTrue(NicChecksum.finishIpv4(f, f.capacity()));
        assertArrayEquals(before, f.array());
        ByteBuffer icmp = ipv4(1, new byte[] {8, 0, 0, 0, 0, 1, 0, 1});
        before = icmp.array().clone();
        assertTrue(NicChecksum.finishIpv4(icmp, icmp.capacity()), "ICMP: no checksum a NIC finishes");
        assertArrayEquals(before, icmp.array());
    }

    @Test
    void offsetsOutsideTheFrameAreRefused() {
        ByteBuffer f = ipv4(17, udp("hello"));
        assertFalse(NicChecksum.finish(f, 34, f.capacity() - 1, f.capacity()), "the field would end past the frame");
        assertFalse(NicChecksum.finish(f, f.capacity() + 1, 34, f.capacity()), "the sum would start past the frame");
        ByteBuffer g = ipv4(17, new byte[4]); // 4 bytes after the IPv4 header: no room for the UDP checksum at 6
        assertFalse(NicChecksum.finishIpv4(g, g.capacity()));
        ByteBuffer h = ipv4(6, tcp(0));
        h.put(14, (byte) 0x4F); // IHL 15: a 60-byte IPv4 header, the TCP checksum past the 54-byte frame
        assertFalse(NicChecksum.finishIpv4(h, h.capacity()));
    }
}
