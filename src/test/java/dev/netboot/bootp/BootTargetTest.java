package dev.netboot.bootp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.DhcpMessageType;
import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a reply says the boot file is, read as {@link BootTarget} documents it. */
class BootTargetTest {
    static final Ipv4Address DHCP = Ipv4Address.parse("198.51.100.1");
    static final Ipv4Address TFTP = Ipv4Address.parse("198.51.100.3");

    /** A DHCPACK from {@link #DHCP} with {@code siaddr}, no file field, and {@code options} after 53 and 54. */
    static BootpMessage ack(Ipv4Address siaddr, DhcpOption... options) {
        List<DhcpOption> all = new ArrayList<>(List.of(new DhcpOption.MessageType(DhcpMessageType.Known.ACK), new DhcpOption.ServerId(DHCP)));
        all.addAll(List.of(options));
        return new BootpMessage(BootpMessage.BOOTREPLY, 1, 6, 0, 7, 0, 0, Ipv4Address.ANY, Ipv4Address.parse("198.51.100.50"), siaddr,
                Ipv4Address.ANY, MacAddress.parse("02:4e:42:00:00:01"), "", "", BootpOptions.of(all));
    }

    @Test
    void dnsmasqsOwnAddressInSiaddrYieldsToTheTftpServerOption66Names() {
        // What dnsmasq 2.90 sends for --dhcp-option=66,198.51.100.3 --dhcp-option=67,boot.img (captured): siaddr is its
        // own address, which it fills in by default; the administrator's option 66 names the TFTP server.
        BootTarget t = BootTarget.of(ack(DHCP, new DhcpOption.TftpServerName("198.51.100.3"), new DhcpOption.BootfileName("boot.img")), DHCP);
        assertEquals("198.51.100.3 (option 66), boot.img (option 67)", t.describe());
        BootTarget l = BootTarget.of(ack(DHCP, new DhcpOption.TftpServers(List.of(TFTP)), new DhcpOption.BootfileName("boot.img")), DHCP);
        assertEquals("198.51.100.3 (option 150), boot.img (option 67)", l.describe());
    }

    @Test
    void aNextServerSetApartFromTheDhcpServerStillWins() {
        // siaddr naming another host than the DHCP server is a next-server someone set (RFC 951, RFC 2131): it stands
        // over option 66, as it always did; so does siaddr when option 66 names the same host, or a host name.
        Ipv4Address next = Ipv4Address.parse("198.51.100.7");
        assertEquals("198.51.100.7 (siaddr), boot.img (option 67)", BootTarget.of(ack(next, new DhcpOption.TftpServerName("198.51.100.3"),
                new DhcpOption.BootfileName("boot.img")), DHCP).describe());
        assertEquals("198.51.100.1 (siaddr), boot.img (option 67)", BootTarget.of(ack(DHCP, new DhcpOption.TftpServerName("198.51.100.1"),
                new DhcpOption.BootfileName("boot.img")), DHCP).describe());
        assertEquals("198.51.100.1 (siaddr), boot.img (option 67)", BootTarget.of(ack(DHCP, new DhcpOption.TftpServerName("tftp.example"),
                new DhcpOption.BootfileName("boot.img")), DHCP).describe());
        // A BOOTP reply has no server identifier: its siaddr is the only word on it.
        assertEquals("198.51.100.1 (siaddr), boot.img (option 67)", BootTarget.of(ack(DHCP, new DhcpOption.TftpServerName("198.51.100.3"),
                new DhcpOption.BootfileName("boot.img")), Ipv4Address.ANY).describe());
    }

    @Test
    void aTftpServerNamedByHostNameFallsBackToTheDhcpServerAndSaysSo() {
        // ISC dhcpd (siaddr 0.0.0.0 unless next-server is set) with option tftp-server-name "tftp.example": no DNS here.
        BootTarget t = BootTarget.of(ack(Ipv4Address.ANY, new DhcpOption.TftpServerName("tftp.example"),
                new DhcpOption.BootfileName("boot.img")), DHCP);
        assertEquals("198.51.100.1 (server id), boot.img (option 67)", t.describe());
        assertEquals(" (the reply named the TFTP server 'tftp.example', a host name; netboot has no DNS resolver and asked the"
                + " DHCP server 198.51.100.1)", t.hostNameNote());
        // An address in option 66 needs no note; nor does a server id chosen with no name given.
        assertEquals("", BootTarget.of(ack(Ipv4Address.ANY, new DhcpOption.TftpServerName("198.51.100.3"),
                new DhcpOption.BootfileName("boot.img")), DHCP).hostNameNote());
        assertEquals("", BootTarget.of(ack(Ipv4Address.ANY, new DhcpOption.BootfileName("boot.img")), DHCP).hostNameNote());
    }

    /** A DHCPACK from {@link #DHCP} naming TFTP in siaddr and {@code file} in the file field. */
    static BootpMessage withFile(String file) {
        BootpMessage a = ack(TFTP);
        return new BootpMessage(a.op(), a.htype(), a.hlen(), a.hops(), a.xid(), a.secs(), a.flags(), a.ciaddr(), a.yiaddr(),
                a.siaddr(), a.giaddr(), a.chaddr(), "", file, a.options());
    }

    @Test
    void aFileFieldFilledToTheLastByteMayHoldANameCutToFitAndSaysSo() {
        // ISC dhcpd puts the first 128 bytes of a longer filename in the 128-byte field, no NUL (it logs "file name
        // longer than packet field truncated"): the board cannot tell, but a "no such file" can say it may be so.
        String full = "d".repeat(60) + "/" + "e".repeat(60) + "/" + "f".repeat(6);
        assertEquals(" (the reply's file field was full, 128 bytes with no NUL: a longer name cut to fit? ISC dhcpd cuts its"
                + " filename so; option 67 holds up to 255 bytes)", BootTarget.of(withFile(full), DHCP).fullFileFieldNote());
        assertEquals("", BootTarget.of(withFile(full.substring(1)), DHCP).fullFileFieldNote());
        // A name of 128 bytes in option 67, which holds 255, was not cut.
        assertEquals("", BootTarget.of(ack(TFTP, new DhcpOption.BootfileName(full)), DHCP).fullFileFieldNote());
    }

    @Test
    void aBootFileNameLeavesInTheRrqAsTheBytesTheServerGave() {
        // Option 67 and the file field as bytes (read one char per byte): UTF-8 "\u00fc\u65e5.bin" = C3 BC E6 97 A5 2E 62 69 6E,
        // and a Latin-1 "\u00fc.bin" from an old server (FC 2E 62 69 6E), which is not UTF-8. The RRQ carries the same bytes.
        byte[] utf8 = java.util.HexFormat.of().parseHex("c3bce697a52e62696e");
        byte[] latin1 = java.util.HexFormat.of().parseHex("fc2e62696e");
        for (byte[] name : List.of(utf8, latin1)) {
            String carried = new String(name, java.nio.charset.StandardCharsets.ISO_8859_1);
            BootTarget inOption = BootTarget.of(ack(TFTP, new DhcpOption.BootfileName(carried)), DHCP);
            BootTarget inField = BootTarget.of(new BootpMessage(BootpMessage.BOOTREPLY, 1, 6, 0, 7, 0, 0, Ipv4Address.ANY,
                    Ipv4Address.parse("198.51.100.50"), TFTP, Ipv4Address.ANY, MacAddress.parse("02:4e:42:00:00:01"), "", carried,
                    BootpOptions.of(List.of())), Ipv4Address.ANY);
            for (BootTarget t : List.of(inOption, inField)) {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(64);
                int n = new dev.netboot.wire.TftpPacket.Rrq(t.file(), "octet", List.of()).emit(buf, 0);
                assertEquals(java.util.HexFormat.of().formatHex(name), java.util.HexFormat.of().formatHex(buf.array(), 2, 2 + name.length));
                assertEquals(2 + name.length + 1 + 6, n);
            }
        }
        // And the UTF-8 name is shown as the text it is.
        assertEquals("\u00fc\u65e5.bin", BootTarget.of(ack(TFTP, new DhcpOption.BootfileName(
                new String(utf8, java.nio.charset.StandardCharsets.ISO_8859_1))), DHCP).file());
    }
}
