package dev.netboot.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real-frame corpus in {@code src/test/resources/corpus/}: each frame goes through Ethernet,
 * then ARP or IPv4 → UDP (checksums verified) → BOOTP or TFTP, the path the net layer takes.
 */
public class CorpusTest {
    static final List<String> NAMES = List.of("arp-request", "arp-reply", "bootp-reply", "tftp-rrq", "tftp-oack",
            "tftp-data", "tftp-error", "dhcp-discover-udhcpc", "dhcp-offer-dnsmasq", "dhcp-ack-dnsmasq",
            "dhcp-offer-dnsmasq-proxy", "dhcp-ack-dnsmasq-proxy");

    /** Loads one corpus file: hex bytes, whitespace ignored, '#' to end of line is a comment. */
    public static byte[] load(String name) {
        try (InputStream in = CorpusTest.class.getResourceAsStream("/corpus/" + name + ".hex")) {
            assertNotNull(in, "corpus/" + name + ".hex");
            StringBuilder hex = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                int hash = line.indexOf('#');
                hex.append((hash < 0 ? line : line.substring(0, hash)).replaceAll("\\s+", ""));
            }
            return HexFormat.of().parseHex(hex);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, byte[]> frames() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        NAMES.forEach(n -> m.put(n, load(n)));
        return m;
    }

    /** The application payload of an IPv4/UDP frame, after all three layers checked out. */
    public record Udp(int srcIp, int dstIp, int srcPort, int dstPort, ByteBuffer buf, int off, int len) {
    }

    public static Udp udp(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        EthernetFrame eth = new EthernetFrame().wrap(b, frame.length);
        assertEquals(EthernetFrame.TYPE_IPV4, eth.etherType());
        Ipv4Packet ip = new Ipv4Packet().wrap(b, eth.payloadOffset(), eth.payloadLength(), true);
        assertEquals(Ipv4Packet.PROTO_UDP, ip.protocol());
        UdpDatagram u = new UdpDatagram().wrap(b, ip.payloadOffset(), ip.payloadLength(), ip.src(), ip.dst(), true);
        return new Udp(ip.src(), ip.dst(), u.srcPort(), u.dstPort(), b, u.payloadOffset(), u.payloadLength());
    }

    static ArpPacket arp(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        EthernetFrame eth = new EthernetFrame().wrap(b, frame.length);
        assertEquals(EthernetFrame.TYPE_ARP, eth.etherType());
        assertEquals(60, frame.length, "minimum Ethernet frame (without FCS), padded");
        return ArpPacket.parse(b, eth.payloadOffset(), eth.payloadLength());
    }

    static TftpPacket tftp(byte[] frame) {
        Udp u = udp(frame);
        return TftpWire.parse(u.buf(), u.off(), u.len());
    }

    @Test
    void arpRequest() {
        byte[] f = load("arp-request");
        assertEquals(MacAddress.BROADCAST, new EthernetFrame().wrap(ByteBuffer.wrap(f), f.length).dst());
        assertEquals(ArpPacketTest.REQUEST_REC, arp(f));
    }

    @Test
    void arpReply() {
        assertEquals(ArpPacketTest.REPLY_REC, arp(load("arp-reply")));
    }

    @Test
    void bootpReply() {
        Udp u = udp(load("bootp-reply"));
        assertEquals(BootpMessage.SERVER_PORT, u.srcPort());
        assertEquals(BootpMessage.CLIENT_PORT, u.dstPort());
        assertEquals(300, u.len());
        assertArrayEquals(BootpMessageTest.REPLY, Arrays.copyOfRange(u.buf().array(), u.off(), u.off() + u.len()));
        BootpMessage m = BootpMessage.parse(u.buf(), u.off(), u.len());
        assertEquals(0x3903f326, m.xid());
        assertEquals("boot.img", m.options().text(BootpOptions.BOOTFILE_NAME).orElseThrow());
    }

    @Test
    void tftpRrq() {
        Udp u = udp(load("tftp-rrq"));
        assertEquals(TftpWire.SERVER_PORT, u.dstPort());
        assertEquals(TftpPacketTest.RRQ_REC, TftpWire.parse(u.buf(), u.off(), u.len()));
    }

    @Test
    void tftpOack() {
        TftpPacket.Oack o = assertInstanceOf(TftpPacket.Oack.class, tftp(load("tftp-oack")));
        assertEquals("1468", o.option("blksize").orElseThrow());
        assertEquals("123456", o.option("tsize").orElseThrow());
        assertEquals("4", o.option("windowsize").orElseThrow());
    }

    @Test
    void tftpData() {
        TftpPacket.Data d = assertInstanceOf(TftpPacket.Data.class, tftp(load("tftp-data")));
        assertEquals(1, d.block());
        assertEquals(512, d.data().length);
        for (int i = 0; i < 512; i++) {
            assertEquals(i & 0xFF, d.data()[i] & 0xFF);
        }
    }

    @Test
    void tftpError() {
        assertEquals(new TftpPacket.Error(TftpWire.ERR_FILE_NOT_FOUND, "File not found"), tftp(load("tftp-error")));
    }

    @Test
    void anyCorruptedFrameByteIsCaughtByAChecksumOrALengthRule() {
        // IPv4 header bytes are covered by the header checksum, UDP bytes by the UDP checksum.
        byte[] f = load("tftp-oack");
        for (int i = 14; i < f.length; i++) {
            byte[] c = f.clone();
            c[i] ^= 0x20;
            int at = i;
            org.junit.jupiter.api.Assertions.assertThrows(MalformedPacketException.class, () -> udp(c), "byte " + at);
        }
    }
}
