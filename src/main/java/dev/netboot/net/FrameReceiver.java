package dev.netboot.net;

import dev.netboot.link.Link;
import dev.netboot.wire.ArpPacket;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MalformedPacketException;
import java.nio.ByteBuffer;

/**
 * A {@link NetStack}'s receive path: a frame {@link ReceiveVerdict} takes is demultiplexed by its EtherType (RFC 894:
 * ARP or IPv4) and then by the IPv4 protocol field (RFC 791 section 3.1; RFC 1122 section 3.2.1): IGMP to the group
 * membership, ICMP to the responder, UDP to the handler bound to its destination port (RFC 768), or, for one to our
 * address on a port nobody listens on, to the responder for a port unreachable. A frame the checks
 * drop is counted by reason, here or by a link that asked first ({@link ReceiveFilter#dropped}); the stack's
 * {@link NetStats} read the counters. The stack hands this object to its link itself: a frame comes here with no call
 * in between, and is read through the verdict's views, parsed once.
 */
final class FrameReceiver implements Link.FrameHandler {
    private final ReceiveVerdict rx;
    private final ArpResolver arp;
    private final GroupMembership groups;
    private final IcmpResponder icmp;
    private final UdpPorts ports;

    // Frames received, and those dropped by reason (NetStack.stats reads them).
    long frames, notForUs, malformed, badChecksum, fragments, unsupported, noListener;

    FrameReceiver(ReceiveVerdict rx, ArpResolver arp, GroupMembership groups, IcmpResponder icmp, UdpPorts ports) {
        this.rx = rx;
        this.arp = arp;
        this.groups = groups;
        this.icmp = icmp;
        this.ports = ports;
    }

    @Override
    public void onFrame(long now, ByteBuffer frame, int length) {
        // What the stack only counts, ReceiveVerdict says (as it tells a link that asks first: ReceiveFilter); what
        // it takes, it leaves parsed in its views for the code below.
        int v = rx.of(frame, length);
        if (v != ReceiveFilter.TAKE) {
            dropped(v);
            return;
        }
        frames++;
        if (rx.eth.etherType() == EthernetFrame.TYPE_ARP) {
            onArp(now, frame, rx.eth.payloadOffset(), rx.eth.payloadLength());
            return;
        }
        Ipv4Packet ip = rx.ip;
        int dst = ip.dst();
        switch (ip.protocol()) {
            case Ipv4Packet.PROTO_IGMP -> {
                if (!groups.onMessage(now, frame, ip.payloadOffset(), ip.payloadLength(), rx.eth.srcValue())) {
                    malformed++;
                }
            }
            case Ipv4Packet.PROTO_ICMP ->
                    icmp.onIcmp(now, frame, ip.payloadOffset(), ip.payloadLength(), rx.eth.srcValue(), ip.src(), dst);
            default -> {
                UdpHandler h = ports.handler(rx.udp.dstPort());
                if (h == null) { // a closed port the datagram earns an answer from (ReceiveVerdict.earnsUnreachable)
                    noListener++;
                    icmp.portUnreachable(now, frame, rx.eth.payloadOffset(), ip.totalLength(), rx.eth.srcValue(), ip.src());
                } else {
                    h.onDatagram(now, ip.src(), rx.udp.srcPort(), dst, frame, rx.udp.payloadOffset(), rx.udp.payloadLength());
                }
            }
        }
    }

    /** Counts one frame of verdict {@code verdict} (not {@link ReceiveFilter#TAKE}): {@link ReceiveFilter#dropped}. */
    void dropped(int verdict) {
        frames++;
        switch (verdict) {
            case ReceiveVerdict.DROP_MALFORMED -> malformed++;
            case ReceiveVerdict.DROP_NOT_FOR_US -> notForUs++;
            case ReceiveVerdict.DROP_UNSUPPORTED -> unsupported++;
            case ReceiveVerdict.DROP_CHECKSUM -> badChecksum++;
            case ReceiveVerdict.DROP_FRAGMENT -> fragments++;
            case ReceiveVerdict.DROP_NO_LISTENER -> noListener++;
            case ReceiveVerdict.ARP_NOTHING -> {
            }
            default -> {
                if (verdict < ReceiveVerdict.PORT_IGNORED || verdict > ReceiveVerdict.PORT_IGNORED + 0xFFFF) {
                    throw new IllegalArgumentException("verdict " + verdict);
                }
                ports.handler(verdict - ReceiveVerdict.PORT_IGNORED).ignored();
            }
        }
    }

    private void onArp(long now, ByteBuffer frame, int off, int len) {
        ArpPacket p;
        try {
            p = ArpPacket.parse(frame, off, len);
        } catch (MalformedPacketException e) {
            malformed++;
            return;
        }
        if (!arp.onArp(now, p)) {
            notForUs++;
        }
    }
}
