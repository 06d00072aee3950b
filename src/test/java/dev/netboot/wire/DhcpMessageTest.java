package dev.netboot.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * DHCP messages in the BOOTP frame (RFC 2131 section 2): the real dnsmasq ACK of the corpus, and option
 * overload (RFC 2131 section 4.1, RFC 2132 section 9.3) both ways, byte for byte.
 */
class DhcpMessageTest {
    static final HexFormat HEX = HexFormat.of();
    static final MacAddress BOARD = MacAddress.parse("02:00:00:99:00:10");

    static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s);
    }

    static String zeros(int n) {
        return "00".repeat(n);
    }

    static String ascii(String s) {
        return HEX.formatHex(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void realDnsmasqAckCarriesTheLeaseTimes() {
        CorpusTest.Udp u = CorpusTest.udp(CorpusTest.load("dhcp-ack-dnsmasq"));
        BootpMessage m = BootpMessage.parse(u.buf(), u.off(), u.len());
        assertEquals(DhcpMessageType.Known.ACK, m.options().messageType().orElseThrow());
        assertEquals(3, m.secs());                                           // the client's secs, echoed
        assertEquals(new DhcpOption.LeaseTime(120), m.options().option(51).orElseThrow());
        assertEquals(BOARD, m.chaddr());
        // Re-emitting the parsed message gives the server's bytes back (dnsmasq pads to 300 as we do).
        ByteBuffer b = ByteBuffer.allocate(m.encodedLength());
        m.emit(b, 0);
        assertArrayEquals(Arrays.copyOfRange(u.buf().array(), u.off(), u.off() + u.len()), b.array());
    }

    /** An ACK whose options do not fit a 300-byte message: they continue in the empty file field. */
    static BootpMessage overloadedAck() {
        BootpOptions o = BootpOptions.of(
                new DhcpOption.MessageType(DhcpMessageType.Known.ACK),
                new DhcpOption.ServerId(ip("192.0.2.1")),
                new DhcpOption.LeaseTime(3600),
                new DhcpOption.SubnetMask(ip("255.255.255.0")),
                new DhcpOption.Router(List.of(ip("192.0.2.1"))),
                new DhcpOption.DomainNameServers(List.of(ip("192.0.2.1"))),
                new DhcpOption.BootfileName("pxelinux.0"),
                new DhcpOption.TftpServerName("192.0.2.1"),
                new DhcpOption.HostName("board-7"),
                new DhcpOption.DomainName("example.net"));
        return new BootpMessage(BootpMessage.BOOTREPLY, 1, 6, 0, 0x01020304, 0, BootpMessage.FLAG_BROADCAST, Ipv4Address.ANY,
                ip("192.0.2.42"), Ipv4Address.ANY, Ipv4Address.ANY, BOARD, "", "", o);
    }

    /** {@link #overloadedAck()} emitted for a 300-byte receiver: what RFC 2131 section 4.1 lays out. */
    static final byte[] OVERLOADED = HEX.parseHex(
            "02010600" + "01020304" + "0000" + "8000"   // op, htype, hlen, hops; xid; secs; flags BROADCAST
            + "00000000" + "c000022a" + "00000000" + "00000000" // ciaddr, yiaddr 192.0.2.42, siaddr, giaddr
            + "020000990010" + zeros(10)                   // chaddr
            + zeros(64)                                    // sname: unused
            + "0c07" + ascii("board-7")                    // file field, as options: 12 host name
            + "0f0b" + ascii("example.net")                //   15 domain name
            + "ff" + zeros(128 - 9 - 13 - 1)               //   End, pad
            + "63825363"                                   // magic cookie
            + "340101"                                     // 52 overload: 1, the file field holds options
            + "350105"                                     // 53 DHCPACK
            + "3604c0000201"                               // 54 server identifier
            + "330400000e10"                               // 51 lease time 3600 s
            + "0104ffffff00"                               // 1 subnet mask
            + "0304c0000201"                               // 3 router
            + "0604c0000201"                               // 6 DNS
            + "430a" + ascii("pxelinux.0")                 // 67 boot file name
            + "4209" + ascii("192.0.2.1")                  // 66 TFTP server name
            + "ff");                                       // End: the 60 bytes from offset 240 to 300 are full

    @Test
    void overloadPutsTheOptionsThatDoNotFitIntoTheFileField() {
        BootpMessage m = overloadedAck();
        assertEquals(300, m.encodedLength(300));
        ByteBuffer b = ByteBuffer.allocate(400);
        assertEquals(300, m.emit(b, 0, 300));
        assertArrayEquals(OVERLOADED, Arrays.copyOf(b.array(), 300));
    }

    @Test
    void overloadedMessageParsesBackToEveryOption() {
        BootpMessage m = BootpMessage.parse(ByteBuffer.wrap(OVERLOADED), 0, OVERLOADED.length);
        assertEquals("", m.file());
        assertEquals("", m.sname());
        BootpOptions want = overloadedAck().options();
        for (int code : want.values().keySet()) {
            assertEquals(want.option(code), m.options().option(code), "option " + code);
        }
        assertEquals(new DhcpOption.Overload(1), m.options().option(52).orElseThrow());
    }

    @Test
    void snameIsUsedAfterFileAndANamedFileStaysText() {
        // With the boot file named in the file field, only sname (64 bytes) can take the overflow.
        BootpMessage base = overloadedAck();
        BootpMessage named = new BootpMessage(base.op(), 1, 6, 0, base.xid(), 0, base.flags(), base.ciaddr(), base.yiaddr(),
                base.siaddr(), base.giaddr(), base.chaddr(), "", "pxelinux.0", base.options());
        ByteBuffer b = ByteBuffer.allocate(300);
        named.emit(b, 0, 300);
        BootpMessage back = BootpMessage.parse(b, 0, 300);
        assertEquals("pxelinux.0", back.file());
        assertEquals("", back.sname());
        assertEquals(new DhcpOption.Overload(2), back.options().option(52).orElseThrow());
        assertEquals(new DhcpOption.DomainName("example.net"), back.options().option(15).orElseThrow());
    }

    @Test
    void messagesThatFitAreNotOverloaded() {
        BootpMessage m = overloadedAck();
        ByteBuffer big = ByteBuffer.allocate(576);
        int n = m.emit(big, 0, 576);
        ByteBuffer plain = ByteBuffer.allocate(m.encodedLength());
        assertEquals(m.encodedLength(), n);
        m.emit(plain, 0);
        assertArrayEquals(plain.array(), Arrays.copyOf(big.array(), n));
    }

    @Test
    void optionsThatCannotFitAnywhereAreOurMistake() {
        BootpMessage m = new BootpMessage(2, 1, 6, 0, 1, 0, 0, Ipv4Address.ANY, ip("192.0.2.42"), Ipv4Address.ANY,
                Ipv4Address.ANY, BOARD, "", "", BootpOptions.of(new DhcpOption.VendorSpecific(new byte[200])));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.emit(ByteBuffer.allocate(400), 0, 300));
        assertEquals("options of 203 bytes do not fit a 300-byte message, even in the file and sname fields", e.getMessage());
    }

    @Test
    void randomOptionSetsSurviveOverloadAtEveryLimit() {
        Random r = new Random(52);
        for (int i = 0; i < 3000; i++) {
            BootpMessage m = BootpMessageTest.randomMessage(r);
            m = new BootpMessage(m.op(), m.htype(), m.hlen(), m.hops(), m.xid(), m.secs(), m.flags(), m.ciaddr(), m.yiaddr(),
                    m.siaddr(), m.giaddr(), m.chaddr(), r.nextBoolean() ? "" : m.sname(), r.nextBoolean() ? "" : m.file(), m.options());
            int limit = 300 + r.nextInt(400);
            int n;
            ByteBuffer b = ByteBuffer.allocate(1200);
            try {
                n = m.emit(b, 0, limit);
            } catch (IllegalArgumentException tooBig) {
                continue;
            }
            assertEquals(m.encodedLength(limit), n);
            BootpMessage back = BootpMessage.parse(b, 0, n);
            for (int code : m.options().values().keySet()) {
                assertArrayEquals(m.options().get(code).orElseThrow(), back.options().get(code).orElseThrow(), "option " + code);
            }
            if (back.options().has(BootpOptions.OVERLOAD)) {
                assertEquals(true, n <= limit, "fits the limit");
            }
        }
    }
}
