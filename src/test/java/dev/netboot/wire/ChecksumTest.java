package dev.netboot.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 1071 Internet checksum; expected values from the RFC's worked example or by hand. */
class ChecksumTest {
    private static ByteBuffer hex(String h) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(h));
    }

    @Test
    void rfc1071Section3Example() {
        // RFC 1071 section 3: words 0001 f203 f4f5 f6f7 -> one's complement sum ddf2, checksum ~ddf2 = 220d.
        ByteBuffer b = hex("0001" + "f203" + "f4f5" + "f6f7");
        long unfolded = Checksum.add(0, b, 0, 8);
        // Two 32-bit reads: 0x0001f203 + 0xf4f5f6f7 = 0xf4f7e8fa; fold: 0xe8fa + 0xf4f7 = 0x1ddf1 -> 0xddf2.
        assertEquals(0xddf2, ~Checksum.finish(unfolded) & 0xFFFF);
        assertEquals(0x220d, Checksum.of(b, 0, 8));
        assertEquals(0, b.position(), "absolute indexing: position untouched");
    }

    @Test
    void oddLengthPadsTheLastByteOnTheRight() {
        // 0001 + f2(00) = f201 -> ~ = 0dfe
        assertEquals(0x0dfe, Checksum.of(hex("0001f2"), 0, 3));
        // ab(00) -> ~ab00 = 54ff
        assertEquals(0x54ff, Checksum.of(hex("ab"), 0, 1));
        // 7 bytes exercise the 4-, 2- and 1-byte steps: 0102+0304+0506+0700 = 0x100c -> ~ = eff3
        assertEquals(0xeff3, Checksum.of(hex("01020304050607"), 0, 7));
    }

    @Test
    void offsetIsHonoured() {
        // Same RFC 1071 words behind 3 junk bytes.
        ByteBuffer b = hex("ffffff" + "0001f203f4f5f6f7" + "ee");
        assertEquals(0x220d, Checksum.of(b, 3, 8));
    }

    @Test
    void allZeroAndEmptyGiveFfff() {
        assertEquals(0xFFFF, Checksum.of(ByteBuffer.allocate(20), 0, 20));
        assertEquals(0xFFFF, Checksum.of(ByteBuffer.allocate(0), 0, 0));
    }

    @Test
    void dataContainingItsOwnChecksumSumsToZero() {
        ByteBuffer b = hex("0001f203f4f5f6f7" + "220d");
        assertEquals(0, Checksum.of(b, 0, 10));
        // And the Wikipedia/RFC 791 style IPv4 header with its checksum b861 in place.
        ByteBuffer ip = hex("45000073" + "00004000" + "4011b861" + "c0a80001" + "c0a800c7");
        assertEquals(0, Checksum.of(ip, 0, 20));
    }

    @Test
    void foldsLargeSums() {
        // 0x10000 words of ffff: sum 0xffff * 0x10000 = 0xffff0000 -> fold 0xffff -> checksum 0.
        ByteBuffer b = ByteBuffer.allocate(2 * 0x10000);
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) 0xFF);
        }
        assertEquals(0, Checksum.of(b, 0, b.capacity()));
    }

    @Test
    void pseudoHeaderSum() {
        // 192.168.1.10 -> 192.168.1.1, UDP, length 12: c0a8 + 010a + c0a8 + 0101 + 0011 + 000c = 0x18378
        int src = 0xc0a8010a, dst = 0xc0a80101;
        assertEquals(0x18378, Checksum.pseudoHeader(src, dst, 17, 12));
    }
}
