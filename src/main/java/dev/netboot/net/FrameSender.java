package dev.netboot.net;

import dev.netboot.link.Link;
import dev.netboot.wire.ArpPacket;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.IgmpPacket;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.UdpDatagram;
import java.nio.ByteBuffer;

/**
 * The frames a {@link NetStack} sends, written into the buffer its link lends: ARP in Ethernet (RFC 826, RFC 894's
 * EtherType), UDP in IPv4 (RFC 768, RFC 791) and IGMP with the Router Alert option (RFC 2236 section 2). It keeps
 * the IPv4 identification counter every datagram of the stack draws from, and counts the frames the link took. What
 * {@link #fill} writes is set just before each {@code link.transmit}, which fills the frame at once: nothing is
 * copied or allocated for a UDP datagram (an ARP or IGMP message builds its small record).
 */
final class FrameSender implements Link.FrameFiller {
    private static final int IP_OFF = EthernetFrame.HEADER_LEN;
    private static final int UDP_OFF = IP_OFF + Ipv4Packet.HEADER_LEN;
    private static final int UDP = 0, ARP = 1, IGMP = 2;

    private final Link link;
    private final long mac;

    // What fill() writes next.
    private int kind;
    private long dstMac;
    private int srcIp;
    private int dstIp;
    private int srcPort;
    private int dstPort;
    private int payloadLen;
    private int ttl;
    private PayloadWriter writer;
    private IgmpPacket igmp;
    private int arpOp;
    private int arpSpa;
    private long arpTha;
    private int arpTpa;

    private int ident;
    private boolean udpChecksums = true;
    private long frames;

    FrameSender(Link link, long mac) {
        this.link = link;
        this.mac = mac;
    }

    /** Sets whether UDP datagrams carry a checksum (RFC 768 lets IPv4 send 0, "none"); see NetStack.sendUdpChecksums. */
    void udpChecksums(boolean on) {
        udpChecksums = on;
    }

    /** Returns the next IPv4 identification (RFC 791), for a datagram another part of the stack writes. */
    int nextIdent() {
        return ident++;
    }

    /** Returns the frames the link took. */
    long frames() {
        return frames;
    }

    /** Transmits a frame {@code filler} writes, counted; false when the link had no room. */
    boolean transmit(long now, int length, Link.FrameFiller filler) {
        boolean sent = link.transmit(now, length, filler);
        if (sent) {
            frames++;
        }
        return sent;
    }

    /** Sends ARP {@code op} to {@code dstMac} from our MAC and {@code spa}, about {@code tha}/{@code tpa}. */
    boolean arp(long now, int op, long dstMac, int spa, long tha, int tpa) {
        kind = ARP;
        this.dstMac = dstMac;
        arpOp = op;
        arpSpa = spa;
        arpTha = tha;
        arpTpa = tpa;
        return transmit(now, EthernetFrame.HEADER_LEN + ArpPacket.LENGTH, this);
    }

    /** Sends a UDP datagram of {@code len} payload bytes, written by {@code writer}, to {@code dstMac}. */
    boolean udp(long now, long dstMac, int srcIp, int dstIp, int srcPort, int dstPort, int len, PayloadWriter writer,
                int ttl) {
        kind = UDP;
        this.ttl = ttl;
        this.dstMac = dstMac;
        this.srcIp = srcIp;
        this.dstIp = dstIp;
        this.srcPort = srcPort;
        this.dstPort = dstPort;
        payloadLen = len;
        this.writer = writer;
        boolean sent = transmit(now, NetStack.UDP_PAYLOAD_OFFSET + len, this);
        this.writer = null;
        return sent;
    }

    /** Sends IGMP {@code type} about {@code group} from {@code srcIp} to {@code dstIp}'s group address, TTL 1. */
    boolean igmp(long now, int type, int group, int srcIp, int dstIp) {
        kind = IGMP;
        igmp = new IgmpPacket(type, 0, new Ipv4Address(group));
        dstMac = MacAddress.multicastValue(dstIp);
        this.srcIp = srcIp;
        this.dstIp = dstIp;
        boolean sent = transmit(now, EthernetFrame.HEADER_LEN + Ipv4Packet.ROUTER_ALERT_HEADER_LEN + IgmpPacket.LENGTH, this);
        igmp = null;
        return sent;
    }

    @Override
    public void fill(ByteBuffer frame, int length) {
        switch (kind) {
            case ARP -> {
                EthernetFrame.emit(frame, dstMac, mac, EthernetFrame.TYPE_ARP);
                new ArpPacket(arpOp, new MacAddress(mac), new Ipv4Address(arpSpa), new MacAddress(arpTha),
                        new Ipv4Address(arpTpa)).emit(frame, EthernetFrame.HEADER_LEN);
            }
            case IGMP -> {
                EthernetFrame.emit(frame, dstMac, mac, EthernetFrame.TYPE_IPV4);
                igmp.emit(frame, IP_OFF + Ipv4Packet.ROUTER_ALERT_HEADER_LEN);
                Ipv4Packet.emitWithRouterAlert(frame, IP_OFF, IgmpPacket.LENGTH, Ipv4Packet.PROTO_IGMP, srcIp, dstIp, 1,
                        ident++);
            }
            default -> {
                EthernetFrame.emit(frame, dstMac, mac, EthernetFrame.TYPE_IPV4);
                writer.writePayload(frame, NetStack.UDP_PAYLOAD_OFFSET, payloadLen);
                if (udpChecksums) {
                    UdpDatagram.emit(frame, UDP_OFF, srcPort, dstPort, payloadLen, srcIp, dstIp);
                } else {
                    UdpDatagram.emitWithoutChecksum(frame, UDP_OFF, srcPort, dstPort, payloadLen);
                }
                Ipv4Packet.emit(frame, IP_OFF, UdpDatagram.HEADER_LEN + payloadLen, Ipv4Packet.PROTO_UDP, srcIp, dstIp,
                        ttl, ident++);
            }
        }
    }
}
