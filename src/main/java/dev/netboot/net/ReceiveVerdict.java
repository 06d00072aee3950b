package dev.netboot.net;

import dev.netboot.wire.ArpPacket;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.IgmpPacket;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.UdpDatagram;
import java.nio.ByteBuffer;

/**
 * A {@link NetStack}'s receive checks, up to the point where it acts on a frame: Ethernet destination (RFC 894),
 * ARP (RFC 826's merge, RFC 5227's probes), the IPv4 header, destination and protocol (RFC 1122 section 3.2.1,
 * broadcasts as 3.3.6 has them), the UDP port and checksum (RFC 768), and the bound port's own early drop
 * ({@link UdpHandler#ignores}). It reads the frame and the stack's state and changes neither; a frame it takes is
 * left parsed in its views ({@link #eth}, {@link #ip}, {@link #udp}) for the stack to act on. The stack keeps one for
 * its receive path and, only when a link asks ({@link ReceiveFilter}), another whose views that path never reads.
 */
final class ReceiveVerdict {
    // Verdicts of frames the stack drops (ReceiveFilter): the counter each moves (FrameReceiver.dropped). A UDP port's own
    // drop is PORT_IGNORED + the port.
    static final int DROP_MALFORMED = 0;
    static final int DROP_NOT_FOR_US = 1;
    static final int DROP_UNSUPPORTED = 2;
    static final int DROP_CHECKSUM = 3;
    static final int DROP_FRAGMENT = 4;
    static final int DROP_NO_LISTENER = 5;
    static final int ARP_NOTHING = 6; // an ARP probe, or our own address elsewhere: nothing to learn, no drop counted
    static final int PORT_IGNORED = 0x10000;

    final EthernetFrame eth = new EthernetFrame();
    final Ipv4Packet ip = new Ipv4Packet();
    final UdpDatagram udp = new UdpDatagram();

    private final NetStack stack;
    private final NetConfig config;
    private final long mac;
    private final ArpResolver arp;
    private final GroupMembership groups;
    private final UdpPorts ports;

    ReceiveVerdict(NetStack stack, NetConfig config, long mac, ArpResolver arp, GroupMembership groups, UdpPorts ports) {
        this.stack = stack;
        this.config = config;
        this.mac = mac;
        this.arp = arp;
        this.groups = groups;
        this.ports = ports;
    }

    /** Returns {@link ReceiveFilter#TAKE} for a frame the stack acts on, or the drop (a constant above) it only counts. */
    int of(ByteBuffer frame, int length) {
        try {
            eth.wrap(frame, length);
        } catch (MalformedPacketException e) {
            return DROP_MALFORMED;
        }
        long dst = eth.dstValue();
        if ((dst != mac && dst != MacAddress.BROADCAST.value() && !groups.wantsMac(dst)) || eth.srcValue() == mac) {
            return DROP_NOT_FOR_US; // another station's unicast, a group we are not in, or our own frame echoed back
        }
        return switch (eth.etherType()) {
            case EthernetFrame.TYPE_ARP -> arp(frame, eth.payloadOffset(), eth.payloadLength());
            case EthernetFrame.TYPE_IPV4 -> ipv4(frame, eth.payloadOffset(), eth.payloadLength());
            default -> DROP_UNSUPPORTED;
        };
    }

    /**
     * Returns the verdict of every frame of {@link FrameKind} {@code kind} not from our own MAC, or
     * {@link ReceiveFilter#TAKE} when it depends on more. A datagram to 255.255.255.255 passes {@link #of}'s Ethernet
     * and IPv4 checks (a broadcast here whatever our address, {@link NetStack#isBroadcast}), and to a port nobody
     * listens on it is dropped as such: it cannot earn a port unreachable, which needs a frame to our own MAC. An ARP
     * packet passes the same Ethernet check, and {@link #arp}'s own are the kind's; the resolver says the rest, for a
     * packet naming none of its {@link ArpResolver#interests} (the caller sees to that). A
     * {@link FrameKind#BOOTREPLY} (for another client: the caller sees to that) passes the UDP checksum too, and port
     * 68's handler says whether it ignores every such reply ({@link UdpHandler#ignoresRepliesForAnother}).
     */
    int ofKind(int kind) {
        if (kind == FrameKind.ARP_PROBE || kind == FrameKind.ARP_SENDER) { // naming none of ArpResolver.interests
            return kind == FrameKind.ARP_PROBE ? ARP_NOTHING : DROP_NOT_FOR_US;
        }
        if (mac == MacAddress.BROADCAST.value()) {
            return ReceiveFilter.TAKE;
        }
        if (kind == FrameKind.BOOTREPLY) { // another client's: its checksum right, so the port's own verdict says
            UdpHandler h = ports.handler(BootpMessage.CLIENT_PORT);
            return h == null ? DROP_NO_LISTENER : h.ignoresRepliesForAnother() ? PORT_IGNORED + BootpMessage.CLIENT_PORT
                    : ReceiveFilter.TAKE;
        }
        if (kind < 0 || kind > 0xFFFF || ports.handler(kind) != null) {
            return ReceiveFilter.TAKE;
        }
        return DROP_NO_LISTENER;
    }

    /** ARP's part: ArpPacket.parse's checks, then the resolver's ({@link ArpResolver#verdictOf}), fields read in place. */
    private int arp(ByteBuffer frame, int off, int len) {
        // RFC 826 layout: hrd 0, pro 2, hln 4, pln 5, op 6, sha 8, spa 14, tha 18, tpa 24.
        if (len < ArpPacket.LENGTH || (frame.getShort(off) & 0xFFFF) != 1
                || (frame.getShort(off + 2) & 0xFFFF) != EthernetFrame.TYPE_IPV4
                || (frame.get(off + 4) & 0xFF) != MacAddress.LENGTH || (frame.get(off + 5) & 0xFF) != Ipv4Address.LENGTH) {
            return DROP_MALFORMED;
        }
        int op = frame.getShort(off + 6) & 0xFFFF;
        return switch (arp.verdictOf(op, MacAddress.readLong(frame, off + 8), frame.getInt(off + 14), frame.getInt(off + 24))) {
            case ArpResolver.ARP_NOTHING -> ARP_NOTHING;
            case ArpResolver.ARP_NOT_FOR_US -> DROP_NOT_FOR_US;
            default -> ReceiveFilter.TAKE;
        };
    }

    /** IPv4's and UDP's part; a frame it takes is left in {@link #ip} (and {@link #udp}). */
    private int ipv4(ByteBuffer frame, int off, int len) {
        try {
            ip.wrap(frame, off, len, false);
        } catch (MalformedPacketException e) {
            return DROP_MALFORMED;
        }
        if (config.verifyChecksums() && !ip.checksumOk()) {
            return DROP_CHECKSUM;
        }
        if (ip.isFragment()) {
            return DROP_FRAGMENT;
        }
        int dst = ip.dst();
        int address = stack.addressValue();
        // Before BOOTP gives us an address we take any destination: the reply may be unicast to the
        // address we are being offered (RFC 1542 section 3.1.1).
        if (address != 0 && dst != address && !stack.isBroadcast(dst) && !groups.isMember(dst)
                && !(dst == IgmpPacket.ALL_SYSTEMS.value() && groups.count() > 0)) {
            return DROP_NOT_FOR_US;
        }
        if (ip.protocol() == Ipv4Packet.PROTO_IGMP) {
            return ReceiveFilter.TAKE;
        }
        if ((dst >>> 28) == 0xE && dst != IgmpPacket.ALL_SYSTEMS.value() && !groups.isMember(dst)) {
            return DROP_NOT_FOR_US; // before we have an address any destination goes, but not a group we did not join
        }
        if (ip.protocol() == Ipv4Packet.PROTO_ICMP) {
            return ReceiveFilter.TAKE;
        }
        if (ip.protocol() != Ipv4Packet.PROTO_UDP) {
            return DROP_UNSUPPORTED;
        }
        int src = ip.src();
        try {
            udp.wrap(frame, ip.payloadOffset(), ip.payloadLength(), src, dst, false);
        } catch (MalformedPacketException e) {
            return DROP_MALFORMED;
        }
        // A datagram to a port nobody listens on is dropped whatever its checksum: look before summing it (on a
        // busy segment most broadcasts are other hosts' DHCP requests to port 67). One that earns a port unreachable
        // is taken, if its checksum holds, for the stack to answer (IcmpResponder.portUnreachable).
        int port = udp.dstPort();
        UdpHandler h = ports.handler(port);
        if (h == null) {
            if (!earnsUnreachable(src, dst)) {
                return DROP_NO_LISTENER;
            }
            return config.verifyChecksums() && !udp.checksumOk(src, dst) ? DROP_CHECKSUM : ReceiveFilter.TAKE;
        }
        if (config.verifyChecksums() && !udp.checksumOk(src, dst)) {
            return DROP_CHECKSUM;
        }
        if (h.ignores(src, udp.srcPort(), dst, frame, udp.payloadOffset(), udp.payloadLength())) {
            return PORT_IGNORED + port;
        }
        return ReceiveFilter.TAKE;
    }

    /**
     * Returns whether a UDP datagram from {@code src} to {@code dst} on a closed port is answered with an ICMP port
     * unreachable. RFC 1122 section 3.2.2: "An ICMP error message MUST NOT be sent as the result of receiving" a
     * datagram destined to an IP broadcast or multicast address, one sent as a link-layer broadcast (or multicast),
     * a non-initial fragment (dropped before this), or one "whose source address does not define a single host --
     * e.g., a zero address, a loopback address, a broadcast address, a multicast address, or a Class E address".
     * Only a datagram to our own unicast address, in a frame to our own MAC, is answered.
     */
    private boolean earnsUnreachable(int src, int dst) {
        int address = stack.addressValue();
        int first = src >>> 24;
        return address != 0 && dst == address && eth.dstValue() == mac && src != address && first != 0 && first != 127
                && first < 224 && !stack.isBroadcast(src);
    }
}
