package dev.netboot.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RFC 951 BOOTP with RFC 1542 flags and RFC 2132 options (overload: section 9.3). */
class BootpMessageTest {
    static final HexFormat HEX = HexFormat.of();
    static final MacAddress CLIENT = MacAddress.parse("00:1a:2b:3c:4d:5e");

    private static String zeros(int n) {
        return "00".repeat(n);
    }

    private static String ascii(String s, int field) {
        return HEX.formatHex(s.getBytes(StandardCharsets.US_ASCII)) + zeros(field - s.length());
    }

    /** A broadcast BOOTREQUEST as a client sends it: 300 bytes, cookie then End, zero padding. */
    static final byte[] REQUEST = HEX.parseHex(
            "01"                        // op BOOTREQUEST
            + "01"                      // htype Ethernet
            + "06"                      // hlen
            + "00"                      // hops
            + "3903f326"                // xid
            + "0004"                    // secs 4
            + "8000"                    // flags: BROADCAST (RFC 1542 section 3.1.1)
            + "00000000"                // ciaddr
            + "00000000"                // yiaddr
            + "00000000"                // siaddr
            + "00000000"                // giaddr
            + "001a2b3c4d5e" + zeros(10) // chaddr, padded to 16
            + zeros(64)                 // sname
            + zeros(128)                // file
            + "63825363"                // magic cookie 99.130.83.99
            + "ff"                      // End
            + zeros(59));               // pad to the RFC 1542 minimum of 300

    /** The BOOTP payload of corpus/bootp-reply.hex (tshark: "Boot Reply", options 1 3 6 12 66 67 End). */
    static final byte[] REPLY = HEX.parseHex(
            "02"                        // op BOOTREPLY
            + "01"                      // htype Ethernet
            + "06"                      // hlen
            + "00"                      // hops
            + "3903f326"                // xid
            + "0000"                    // secs
            + "8000"                    // flags: BROADCAST
            + "00000000"                // ciaddr
            + "c0a8010a"                // yiaddr 192.168.1.10
            + "c0a80101"                // siaddr 192.168.1.1
            + "00000000"                // giaddr
            + "001a2b3c4d5e" + zeros(10) // chaddr
            + ascii("bootsrv", 64)      // sname
            + ascii("boot.img", 128)    // file
            + "63825363"                // magic cookie
            + "0104ffffff00"            // 1 subnet mask 255.255.255.0
            + "0304c0a80101"            // 3 router 192.168.1.1
            + "0608c0a8010108080808"    // 6 DNS 192.168.1.1, 8.8.8.8
            + "0c05" + "626f617264"     // 12 host name "board"
            + "420b" + "3139322e3136382e312e31" // 66 TFTP server "192.168.1.1"
            + "4308" + "626f6f742e696d67" // 67 bootfile "boot.img"
            + "ff"                      // End
            + zeros(7));                // pad to 300

    private static BootpMessage parse(byte[] b) {
        return BootpMessage.parse(ByteBuffer.wrap(b), 0, b.length);
    }

    private static MalformedPacketException rejects(byte[] b) {
        return assertThrows(MalformedPacketException.class, () -> parse(b));
    }

    /** Returns REQUEST with its options area (after the cookie) replaced by {@code hex}. */
    private static byte[] withOptions(String hex) {
        byte[] o = HEX.parseHex(hex);
        byte[] b = Arrays.copyOf(REQUEST, Math.max(300, 240 + o.length));
        Arrays.fill(b, 240, b.length, (byte) 0);
        System.arraycopy(o, 0, b, 240, o.length);
        return b;
    }

    private static void put(byte[] b, int off, String hex) {
        byte[] v = HEX.parseHex(hex);
        System.arraycopy(v, 0, b, off, v.length);
    }

    private static String text(BootpMessage m, int code) {
        return m.options().text(code).orElseThrow();
    }

    @Test
    void parseRequest() {
        assertEquals(300, REQUEST.length);
        BootpMessage m = parse(REQUEST);
        assertEquals(BootpMessage.BOOTREQUEST, m.op());
        assertEquals(1, m.htype());
        assertEquals(6, m.hlen());
        assertEquals(0x3903f326, m.xid());
        assertEquals(4, m.secs());
        assertTrue(m.broadcast());
        assertEquals(CLIENT, m.chaddr());
        assertEquals(Ipv4Address.ANY, m.ciaddr());
        assertEquals("", m.sname());
        assertEquals("", m.file());
        assertTrue(m.options().values().isEmpty());
    }

    @Test
    void emitRequest() {
        BootpMessage m = new BootpMessage(1, 1, 6, 0, 0x3903f326, 4, BootpMessage.FLAG_BROADCAST, Ipv4Address.ANY,
                Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY, CLIENT, "", "", BootpOptions.NONE);
        assertEquals(300, m.encodedLength());
        ByteBuffer b = ByteBuffer.allocate(300);
        assertEquals(300, m.emit(b, 0));
        assertArrayEquals(REQUEST, b.array());
    }

    @Test
    void parseReply() {
        assertEquals(300, REPLY.length);
        BootpMessage m = parse(REPLY);
        assertEquals(BootpMessage.BOOTREPLY, m.op());
        assertEquals(0x3903f326, m.xid());
        assertEquals(Ipv4Address.parse("192.168.1.10"), m.yiaddr());
        assertEquals(Ipv4Address.parse("192.168.1.1"), m.siaddr());
        assertEquals("bootsrv", m.sname());
        assertEquals("boot.img", m.file());
        BootpOptions o = m.options();
        assertEquals(List.of(1, 3, 6, 12, 66, 67), List.copyOf(o.values().keySet()));
        assertEquals(Ipv4Address.parse("255.255.255.0"), o.address(BootpOptions.SUBNET_MASK).orElseThrow());
        assertEquals(List.of(Ipv4Address.parse("192.168.1.1")), o.addresses(BootpOptions.ROUTER));
        assertEquals(List.of(Ipv4Address.parse("192.168.1.1"), Ipv4Address.parse("8.8.8.8")), o.addresses(BootpOptions.DNS));
        assertEquals("board", text(m, BootpOptions.HOST_NAME));
        assertEquals("192.168.1.1", text(m, BootpOptions.TFTP_SERVER_NAME));
        assertEquals("boot.img", text(m, BootpOptions.BOOTFILE_NAME));
    }

    @Test
    void parseAtOffset() {
        byte[] b = new byte[42 + 300];
        System.arraycopy(REPLY, 0, b, 42, 300);
        BootpMessage m = BootpMessage.parse(ByteBuffer.wrap(b), 42, 300);
        assertEquals("boot.img", m.file());
        assertEquals("board", text(m, BootpOptions.HOST_NAME));
    }

    @Test
    void padAndEnd() {
        // Pads anywhere, End stops parsing; anything after End (here a would-be option 12) is ignored.
        BootpMessage m = parse(withOptions("00" + "00" + "0c0161" + "00" + "ff" + "0c0162"));
        assertEquals("a", text(m, 12));
        // No End at all: the area runs out and parsing stops (RFC 1542 section 3.3 leniency).
        byte[] noEnd = withOptions("0c0161");
        Arrays.fill(noEnd, 243, noEnd.length, (byte) 0);
        assertEquals("a", text(parse(noEnd), 12));
        assertEquals("a", text(parse(Arrays.copyOf(noEnd, 243)), 12));
    }

    @Test
    void repeatedOptionIsConcatenated() {
        BootpMessage m = parse(withOptions("0c026162" + "0104ffffff00" + "0c026364" + "ff"));
        assertEquals("abcd", text(m, 12));
        assertEquals(List.of(12, 1), List.copyOf(m.options().values().keySet()), "first appearance keeps its place");
    }

    @Test
    void overloadFile() {
        byte[] b = withOptions("340101" + "ff");           // 52 overload = 1: file holds options
        put(b, 108, "0c0466696c65" + "ff");                 // file: 12 "file", End
        put(b, 44, HEX.formatHex("srv".getBytes(StandardCharsets.US_ASCII)));
        BootpMessage m = parse(b);
        assertEquals("", m.file());
        assertEquals("srv", m.sname());
        assertEquals("file", text(m, 12));
    }

    @Test
    void overloadSname() {
        byte[] b = withOptions("340102" + "ff");           // 52 overload = 2: sname holds options
        put(b, 44, "0c04736e6d65" + "ff");                  // sname: 12 "snme", End
        put(b, 108, HEX.formatHex("boot.img".getBytes(StandardCharsets.US_ASCII)));
        BootpMessage m = parse(b);
        assertEquals("", m.sname());
        assertEquals("boot.img", m.file());
        assertEquals("snme", text(m, 12));
    }

    @Test
    void overloadBothReadsFileBeforeSname() {
        byte[] b = withOptions("340103" + "0c026162" + "ff"); // 52 overload = 3; 12 "ab"
        put(b, 108, "0c026364" + "43026b31" + "ff");          // file: 12 "cd", 67 "k1"
        put(b, 44, "0c026566" + "ff");                        // sname: 12 "ef"
        BootpMessage m = parse(b);
        assertEquals("", m.sname());
        assertEquals("", m.file());
        // RFC 2132 section 9.3 / RFC 3396: options field, then file, then sname.
        assertEquals("abcdef", text(m, 12));
        assertEquals("k1", text(m, 67));
        assertEquals(3, m.options().number(BootpOptions.OVERLOAD).orElseThrow());
    }

    @Test
    void overloadAreaWithoutEndRunsToItsFieldEnd() {
        byte[] b = withOptions("340101" + "ff");
        put(b, 108, "0c7e" + "61".repeat(126));             // 12 with 126 bytes fills file exactly (128)
        assertEquals("a".repeat(126), text(parse(b), 12));
        put(b, 108, "0c7f");                                // 127 bytes claimed, 126 left
        assertTrue(rejects(b).getMessage().startsWith("BOOTP file: option 12 length 127"));
    }

    @Test
    void badOverloadValuesRejected() {
        for (String v : new String[] {"340100", "340104", "3401ff", "34020101", "3400"}) {
            MalformedPacketException e = rejects(withOptions(v + "ff"));
            assertTrue(e.getMessage().startsWith("BOOTP option 52 (overload)"), e.getMessage());
        }
    }

    @Test
    void truncatedRejected() {
        for (int n : new int[] {0, 1, 100, 235}) {
            assertEquals("BOOTP message: " + n + " bytes (expected: >= 236)", rejects(Arrays.copyOf(REQUEST, n)).getMessage());
        }
    }

    @Test
    void withoutMagicCookieOptionsAreNone() {
        assertSame(BootpOptions.NONE, parse(Arrays.copyOf(REPLY, 236)).options());
        assertSame(BootpOptions.NONE, parse(Arrays.copyOf(REPLY, 239)).options());
        byte[] b = REPLY.clone();
        b[239] = 0x64; // 99.130.83.100
        BootpMessage m = parse(b);
        assertSame(BootpOptions.NONE, m.options());
        assertEquals("boot.img", m.file());
        // Cookie and nothing else: an empty option set, not NONE's meaning of "no cookie" (same value).
        assertTrue(parse(Arrays.copyOf(REPLY, 240)).options().values().isEmpty());
    }

    @Test
    void optionRunningPastTheEndRejected() {
        byte[] b = Arrays.copyOf(withOptions("0c0a6162"), 244); // 12, length 10, only 2 bytes present
        assertEquals("BOOTP options: option 12 length 10 (expected: <= 2 bytes left)", rejects(b).getMessage());
    }

    @Test
    void optionWithoutLengthByteRejected() {
        byte[] b = Arrays.copyOf(withOptions("00000c"), 243);   // pads then a code at the last byte
        assertEquals("BOOTP options: option 12 has no length byte at offset 2", rejects(b).getMessage());
    }

    @Test
    void typedAccessorsRejectBadLengths() {
        BootpOptions o = parse(withOptions("0103ffffff" + "0305c0a8010101" + "0d03010203" + "ff")).options();
        assertThrows(MalformedPacketException.class, () -> o.address(1));
        assertThrows(MalformedPacketException.class, () -> o.addresses(3));
        assertThrows(MalformedPacketException.class, () -> o.number(13));
        assertEquals(List.of(), parse(withOptions("0300" + "ff")).options().addresses(3)); // empty: none given (kea)
    }

    @Test
    void longOptionValueSplitsOnEmitAndConcatenatesOnParse() {
        Map<Integer, byte[]> v = new LinkedHashMap<>();
        byte[] big = new byte[300];
        Arrays.fill(big, (byte) 'x');
        v.put(BootpOptions.DOMAIN_NAME, big);
        BootpMessage m = new BootpMessage(2, 1, 6, 0, 1, 0, 0, Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY,
                Ipv4Address.ANY, CLIENT, "", "", new BootpOptions(v));
        ByteBuffer b = ByteBuffer.allocate(m.encodedLength());
        int n = m.emit(b, 0);
        assertEquals(240 + 2 + 255 + 2 + 45 + 1, n);
        assertEquals(255, b.get(240 + 1) & 0xFF);
        assertArrayEquals(big, BootpMessage.parse(b, 0, n).options().get(BootpOptions.DOMAIN_NAME).orElseThrow());
    }

    @Test
    void noOptionsFlagClear() {
        byte[] b = REQUEST.clone();
        b[10] = 0;
        assertFalse(parse(b).broadcast());
    }

    /** Returns a random message that emit can represent: Latin-1 text without NUL, no option 52. */
    static BootpMessage randomMessage(Random r) {
        Map<Integer, byte[]> v = new LinkedHashMap<>();
        int n = r.nextInt(6);
        for (int i = 0; i < n; i++) {
            int code = 1 + r.nextInt(254);
            if (code == BootpOptions.OVERLOAD) {
                continue; // would turn file/sname into option areas on parse
            }
            byte[] val = new byte[r.nextInt(r.nextInt(10) == 0 ? 600 : 20)];
            r.nextBytes(val);
            v.put(code, val);
        }
        return new BootpMessage(1 + r.nextInt(2), r.nextInt(256), r.nextInt(256), r.nextInt(256), r.nextInt(),
                r.nextInt(0x10000), r.nextInt(0x10000), new Ipv4Address(r.nextInt()), new Ipv4Address(r.nextInt()),
                new Ipv4Address(r.nextInt()), new Ipv4Address(r.nextInt()), new MacAddress(r.nextLong() & 0xFFFF_FFFF_FFFFL),
                randomText(r, 63), randomText(r, 127), new BootpOptions(v));
    }

    static String randomText(Random r, int max) {
        char[] c = new char[r.nextInt(max + 1)];
        for (int i = 0; i < c.length; i++) {
            c[i] = (char) (1 + r.nextInt(255));
        }
        return new String(c);
    }

    @Test
    void roundTripOfTheGoldenReply() {
        BootpMessage m = parse(REPLY);
        ByteBuffer b = ByteBuffer.allocate(m.encodedLength());
        m.emit(b, 0);
        assertArrayEquals(REPLY, b.array());
        assertEquals(m, parse(b.array()));
        assertEquals(m.hashCode(), parse(b.array()).hashCode());
    }

    @Test
    void roundTripOfRandomMessages() {
        Random r = new Random(951);
        for (int i = 0; i < 2_000; i++) {
            BootpMessage m = randomMessage(r);
            ByteBuffer b = ByteBuffer.allocate(m.encodedLength());
            assertEquals(b.capacity(), m.emit(b, 0));
            assertEquals(m, BootpMessage.parse(b, 0, b.capacity()), "iteration " + i);
        }
    }

    /**
     * RFC 951 calls sname and file "null terminated string"s, but ISC dhcpd fills the 128-byte file field with a
     * {@code filename} of 128 characters (or the first 128 of a longer one) and no NUL, busybox udhcpd's
     * {@code boot_file} likewise, and ISC's own dhclient reads such a field whole ("Don't count on the NUL
     * terminator"), as U-Boot, busybox udhcpc and Wireshark do. Refusing it left a board with no usable offer at all.
     */
    @Test
    void aFullSnameOrFileWithoutNulIsReadWholeAsDhclientReadsIt() {
        byte[] b = REPLY.clone();
        Arrays.fill(b, 44, 108, (byte) 'a');                // sname: 64 bytes, no NUL
        assertEquals("a".repeat(64), parse(b).sname());
        byte[] f = REPLY.clone();
        Arrays.fill(f, 108, 236, (byte) 'b');               // file: 128 bytes, no NUL
        assertEquals("b".repeat(128), parse(f).file());
        f[235] = 0;                                         // 127 characters and a NUL
        assertEquals("b".repeat(127), parse(f).file());
        // Written back as ISC dhcpd writes it: the whole field, no NUL.
        BootpMessage full = parse(b);
        BootpMessage both = new BootpMessage(full.op(), full.htype(), full.hlen(), full.hops(), full.xid(), full.secs(),
                full.flags(), full.ciaddr(), full.yiaddr(), full.siaddr(), full.giaddr(), full.chaddr(), "a".repeat(64),
                "b".repeat(128), full.options());
        ByteBuffer out = ByteBuffer.allocate(both.encodedLength());
        both.emit(out, 0);
        assertEquals(both, parse(out.array()));
        assertThrows(IllegalArgumentException.class, () -> new BootpMessage(full.op(), full.htype(), full.hlen(),
                full.hops(), full.xid(), full.secs(), full.flags(), full.ciaddr(), full.yiaddr(), full.siaddr(),
                full.giaddr(), full.chaddr(), "", "b".repeat(129), full.options()));
    }

    @Test
    void overloadedFieldNeedsNoNul() {
        byte[] b = withOptions("340101" + "ff");
        Arrays.fill(b, 108, 236, (byte) 0);                 // file: all pads, read as options
        put(b, 108, "0c7e" + "61".repeat(126));
        assertEquals("", parse(b).file());
    }
}
