package dev.netboot.net;

import dev.netboot.wire.ArpPacket;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.Checksum;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import dev.netboot.wire.UdpDatagram;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * Builds test frames with the wire package's emit methods (so checksums are right) and decodes
 * captured frames back into records. Independent of {@link NetStack}: the decoder re-checks every
 * checksum the stack wrote.
 */
public final class Frames {
    /** Offset of the IPv4 header in a frame. */
    public static final int IP_OFF = EthernetFrame.HEADER_LEN;
    /** Offset of the UDP header in a frame with a 20-byte IPv4 header. */
    public static final int UDP_OFF = IP_OFF + Ipv4Packet.HEADER_LEN;
    /** Offset of the UDP payload. */
    public static final int PAYLOAD_OFF = UDP_OFF + UdpDatagram.HEADER_LEN;

    private Frames() {
    }

    /** Returns an Ethernet/IPv4/UDP frame around {@code payload}, with correct IPv4 and UDP checksums. */
    public static byte[] udp(MacAddress srcMac, MacAddress dstMac, Ipv4Address srcIp, int srcPort, Ipv4Address dstIp,
                             int dstPort, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(PAYLOAD_OFF + payload.length);
        EthernetFrame.emit(b, dstMac.value(), srcMac.value(), EthernetFrame.TYPE_IPV4);
        b.put(PAYLOAD_OFF, payload);
        UdpDatagram.emit(b, UDP_OFF, srcPort, dstPort, payload.length, srcIp.value(), dstIp.value());
        Ipv4Packet.emit(b, IP_OFF, UdpDatagram.HEADER_LEN + payload.length, Ipv4Packet.PROTO_UDP, srcIp.value(),
                dstIp.value(), 64, 0x1234);
        return b.array();
    }

    /** Returns an Ethernet frame carrying {@code arp}. */
    public static byte[] arp(MacAddress srcMac, MacAddress dstMac, ArpPacket arp) {
        ByteBuffer b = ByteBuffer.allocate(EthernetFrame.HEADER_LEN + ArpPacket.LENGTH);
        EthernetFrame.emit(b, dstMac.value(), srcMac.value(), EthernetFrame.TYPE_ARP);
        arp.emit(b, EthernetFrame.HEADER_LEN);
        return b.array();
    }

    /** Returns a broadcast ARP request from {@code sha}/{@code spa} asking for {@code tpa}. */
    public static byte[] arpRequest(MacAddress sha, Ipv4Address spa, Ipv4Address tpa) {
        return arp(sha, MacAddress.BROADCAST, new ArpPacket(ArpPacket.REQUEST, sha, spa, MacAddress.ZERO, tpa));
    }

    /** Returns a unicast ARP reply from {@code sha}/{@code spa} to {@code tha}/{@code tpa}. */
    public static byte[] arpReply(MacAddress sha, Ipv4Address spa, MacAddress tha, Ipv4Address tpa) {
        return arp(sha, tha, new ArpPacket(ArpPacket.REPLY, sha, spa, tha, tpa));
    }

    /** Returns the encoded BOOTP message. */
    public static byte[] bootp(BootpMessage m) {
        ByteBuffer b = ByteBuffer.allocate(m.encodedLength());
        m.emit(b, 0);
        return b.array();
    }

    /** Returns the encoded TFTP packet. */
    public static byte[] tftp(TftpPacket p) {
        ByteBuffer b = ByteBuffer.allocate(p.encodedLength());
        p.emit(b, 0);
        return b.array();
    }

    /** Returns {@code n} bytes of a recognisable pattern starting at file offset {@code from}. */
    public static byte[] pattern(long from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            long x = from + i;
            b[i] = (byte) (x * 31 + (x >>> 8));
        }
        return b;
    }

    /** Returns a copy of {@code frame} with the byte at {@code off} XOR-ed with {@code mask}. */
    public static byte[] flip(byte[] frame, int off, int mask) {
        byte[] c = frame.clone();
        c[off] ^= (byte) mask;
        return c;
    }

    /** Decodes a frame; fails the test on anything this stack never sends. */
    public static Frame decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        EthernetFrame eth = new EthernetFrame().wrap(b, bytes.length);
        return switch (eth.etherType()) {
            case EthernetFrame.TYPE_ARP -> new Arp(eth.dst(), eth.src(),
                    ArpPacket.parse(b, eth.payloadOffset(), eth.payloadLength()));
            case EthernetFrame.TYPE_IPV4 -> {
                Ipv4Packet ip = new Ipv4Packet().wrap(b, IP_OFF, eth.payloadLength(), true);
                if (ip.protocol() != Ipv4Packet.PROTO_UDP) {
                    throw new AssertionError("not UDP: protocol " + ip.protocol());
                }
                UdpDatagram u = new UdpDatagram().wrap(b, ip.payloadOffset(), ip.payloadLength(), ip.src(), ip.dst(), true);
                if (u.checksum() == 0) {
                    throw new AssertionError("UDP sent without a checksum");
                }
                byte[] payload = new byte[u.payloadLength()];
                b.get(u.payloadOffset(), payload);
                boolean df = (b.getShort(IP_OFF + 6) & Ipv4Packet.FLAG_DF) != 0;
                yield new Udp(eth.dst(), eth.src(), new Ipv4Address(ip.src()), u.srcPort(), new Ipv4Address(ip.dst()),
                        u.dstPort(), ip.ttl(), df, payload);
            }
            default -> throw new AssertionError("unexpected EtherType 0x" + Integer.toHexString(eth.etherType()));
        };
    }

    /** A decoded frame. */
    public sealed interface Frame {
        /** Ethernet destination. */
        MacAddress ethDst();

        /** Ethernet source. */
        MacAddress ethSrc();

        /** Returns this frame as ARP, failing the test otherwise. */
        default Arp asArp() {
            if (this instanceof Arp a) {
                return a;
            }
            throw new AssertionError("expected ARP, got " + this);
        }

        /** Returns this frame as UDP, failing the test otherwise. */
        default Udp asUdp() {
            if (this instanceof Udp u) {
                return u;
            }
            throw new AssertionError("expected UDP, got " + this);
        }
    }

    /** An ARP frame. */
    public record Arp(MacAddress ethDst, MacAddress ethSrc, ArpPacket arp) implements Frame {
    }

    /** A UDP datagram in IPv4 in Ethernet, checksums verified. */
    public record Udp(MacAddress ethDst, MacAddress ethSrc, Ipv4Address srcIp, int srcPort, Ipv4Address dstIp,
                      int dstPort, int ttl, boolean dontFragment, byte[] payload) implements Frame {
        /** Parses the payload as BOOTP. */
        public BootpMessage bootp() {
            return BootpMessage.parse(ByteBuffer.wrap(payload), 0, payload.length);
        }

        /** Parses the payload as TFTP. */
        public TftpPacket tftp() {
            return TftpWire.parse(ByteBuffer.wrap(payload), 0, payload.length);
        }

        @Override
        public String toString() {
            return "Udp[" + ethSrc + " -> " + ethDst + ", " + srcIp + ":" + srcPort + " -> " + dstIp + ":" + dstPort
                    + ", " + payload.length + " bytes: " + HexFormat.of().formatHex(payload, 0, Math.min(24, payload.length)) + "]";
        }
    }

    /** Returns the Internet checksum over {@code [off, off+len)} of {@code bytes} (0 over data with a correct checksum). */
    public static int checksum(byte[] bytes, int off, int len) {
        return Checksum.of(ByteBuffer.wrap(bytes), off, len);
    }
}
