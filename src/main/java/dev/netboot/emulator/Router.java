package dev.netboot.emulator;

import dev.netboot.wire.ArpPacket;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.UdpDatagram;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An IPv4 router between emulated segments, and optionally a BOOTP relay agent (RFC 1542 section 4):
 * the seed's "router as a proxy for a true BOOTP server", the emulated twin of a Linux box with IP
 * forwarding and {@code dnsmasq --dhcp-relay}.
 *
 * <p>It works on raw frames through its own {@link EmulatedPort}s, one per {@link Interface}, with the
 * wire views; it does not use {@code NetStack}, which is a host stack (one address, no forwarding).
 *
 * <ul>
 * <li><b>ARP</b> (RFC 826): answers requests for an interface's own address on that interface, learns
 *     the sender of every request or reply aimed at it, and resolves next hops itself: a request at
 *     once, again every {@link #ARP_RETRY_NANOS} up to {@link #ARP_REQUESTS} in all; datagrams wait in a
 *     queue of at most {@link #PENDING_LIMIT} per interface and are dropped ({@link Stats#arpFailed()})
 *     when the next hop never answers. Entries do not expire (a run is short). Each interface's is a {@link RouterArp}.</li>
 * <li><b>Forwarding</b> (RFC 791, RFC 1812 section 5.2/5.3): a unicast datagram arriving at an
 *     interface's MAC and addressed to none of the router's addresses is routed by the connected
 *     subnets, else the default route. TTL is decremented and the header checksum recomputed; a datagram
 *     arriving with TTL &lt;= 1 is dropped ({@link Stats#ttlExpired()}). No ICMP is sent (no Time
 *     Exceeded, no Destination Unreachable, no Redirect): each such case is counted instead. Options
 *     and fragments pass unchanged; both emulated links have MTU 1500, so nothing needs fragmenting. The
 *     routing table and what becomes of a datagram routed on are {@link RouterForwarding}'s.</li>
 * <li><b>Local delivery</b>: broadcasts and datagrams to the router's own addresses go to the relay
 *     agent when they are UDP to port 67 (RFC 1542 section 4.1), and are dropped and counted otherwise;
 *     UDP to port 68 is discarded (section 4.1: "MUST silently discard").</li>
 * <li><b>BOOTP relay</b> (RFC 1542 section 4, disabled by default, enabled per interface with
 *     {@link #relayBootp}): the {@link BootpRelay} agent decides what becomes of each BOOTP message; the
 *     router routes the relayed requests (ARP included) and sends the relayed replies.</li>
 * </ul>
 *
 * <p>Every received frame ends in exactly one of the counters of {@link Stats} (after {@code framesReceived}).
 */
public final class Router implements SimNode {
    /** RFC 1542 section 4.1.1: "The default setting for a configurable threshold SHOULD be 4." */
    public static final int DEFAULT_MAX_HOPS = 4;
    /** RFC 1542 section 4.1.1: hops above 16 are always discarded. */
    public static final int MAX_HOPS_LIMIT = 16;
    /** TTL of datagrams the router originates (relayed replies). */
    public static final int TTL = 64;
    /** Interval between ARP requests for one next hop. */
    public static final long ARP_RETRY_NANOS = 500_000_000L;
    /** ARP requests sent for one next hop before its waiting datagrams are dropped. */
    public static final int ARP_REQUESTS = 3;
    /** Datagrams that may wait for address resolution on one interface. */
    public static final int PENDING_LIMIT = 16;

    private final List<Interface> interfaces = new ArrayList<>();
    private final Ipv4Packet rxIp = new Ipv4Packet();
    private final UdpDatagram rxUdp = new UdpDatagram();
    private final EthernetFrame rxEth = new EthernetFrame();
    private final RouterForwarding forwarding = new RouterForwarding(interfaces, (now, out, mac, datagram) ->
            sendFrame(now, out, mac, EthernetFrame.TYPE_IPV4, datagram.length, (b, o) -> b.put(o, datagram)));
    private final BootpRelay bootpRelay = new BootpRelay(forwarding::egressToward);
    private long framesReceived, notForUs, malformed, unsupported, arpHandled, arpFailed, localDropped, relayedReplies,
            hopsExceeded, relayDisabled, unknownGiaddr, bootpcDiscarded, arpRequestsSent, arpRepliesSent;

    /**
     * Counters of the router. After {@code framesReceived}, each received frame lands in exactly one of
     * the counters up to {@code bootpcDiscarded}; a datagram routed on counts as forwarded (or as a relayed
     * request) when it leaves, possibly after waiting for ARP, or as noRoute, queueFull or arpFailed.
     *
     * @param framesReceived   frames handed to the router by its ports
     * @param notForUs         frames to another station's MAC (the segments are hubs), or our own echoed
     * @param malformed        frames whose Ethernet, ARP, IPv4 (checksum included), UDP or BOOTP part did not parse
     * @param unsupported      frames of another EtherType, or ARP other than request/reply
     * @param arpHandled       ARP packets processed (answered, learned from, or ignored as not for us)
     * @param forwarded        datagrams sent on toward their destination (relayed BOOTP not included)
     * @param ttlExpired       datagrams (forwarded or relayed) dropped because their TTL was 1 or 0
     * @param noRoute          datagrams to a destination no connected subnet or default route covers
     * @param arpFailed        datagrams dropped because their next hop never answered ARP
     * @param queueFull        datagrams dropped because too many already waited for ARP on the egress interface
     * @param localDropped     datagrams for the router itself (or broadcast) that no service takes: not UDP 67
     * @param relayedRequests  BOOTREQUESTs sent on to the BOOTP server
     * @param relayedReplies   BOOTREPLYs delivered to clients
     * @param hopsExceeded     BOOTREQUESTs dropped because hops was above the limit
     * @param relayDisabled    BOOTREQUESTs that arrived on an interface without relaying (or with no server set)
     * @param unknownGiaddr    BOOTREPLYs whose giaddr is not one of our relay interfaces
     * @param bootpcDiscarded  datagrams for the router to UDP port 68 (RFC 1542 section 4.1: MUST discard)
     * @param arpRequestsSent  ARP requests the router sent for next hops
     * @param arpRepliesSent   ARP replies the router sent for its own addresses
     */
    public record Stats(long framesReceived, long notForUs, long malformed, long unsupported, long arpHandled,
                        long forwarded, long ttlExpired, long noRoute, long arpFailed, long queueFull, long localDropped,
                        long relayedRequests, long relayedReplies, long hopsExceeded, long relayDisabled,
                        long unknownGiaddr, long bootpcDiscarded, long arpRequestsSent, long arpRepliesSent) {
    }

    /** One interface: a port on a segment with its MAC, address and subnet. */
    public final class Interface {
        private final EmulatedPort port;
        private final Ipv4Address address;
        private final Ipv4Address netmask;
        private final RouterArp arp = new RouterArp(new RouterArp.Wire() {
            @Override
            public void send(long now, MacAddress mac, RouterArp.Waiting w) {
                forwarding.send(now, Interface.this, mac, w);
            }

            @Override
            public void request(long now, int hop) {
                ArpPacket req = new ArpPacket(ArpPacket.REQUEST, mac(), address, MacAddress.ZERO, new Ipv4Address(hop));
                sendFrame(now, Interface.this, MacAddress.BROADCAST, EthernetFrame.TYPE_ARP, ArpPacket.LENGTH, (b, o) -> req.emit(b, o));
                arpRequestsSent++;
            }

            @Override
            public void failed(int datagrams) {
                arpFailed += datagrams;
            }
        });

        private Interface(EmulatedPort port, Ipv4Address address, Ipv4Address netmask) {
            this.port = port;
            this.address = address;
            this.netmask = netmask;
        }

        /** Returns the interface's port. */
        public EmulatedPort port() {
            return port;
        }

        /** Returns the interface's MAC address. */
        public MacAddress mac() {
            return port.macAddress();
        }

        /** Returns the interface's address. */
        public Ipv4Address address() {
            return address;
        }

        /** Returns the interface's netmask. */
        public Ipv4Address netmask() {
            return netmask;
        }

        /** Returns true when BOOTP relaying is enabled on this interface. */
        public boolean relaysBootp() {
            return bootpRelay.enabledOn(this);
        }

        /** Returns the MAC learned for {@code ip} on this interface, or null. */
        public MacAddress arpEntry(Ipv4Address ip) {
            return arp.lookup(ip.value());
        }

        /** Returns the number of datagrams waiting for address resolution. */
        public int waiting() {
            return arp.waiting();
        }

        /** Returns the interface's ARP: its table, and the next hops being resolved with the datagrams waiting. */
        RouterArp arp() {
            return arp;
        }

        /** Returns true when {@code ip} is on this interface's subnet. */
        boolean onLink(int ip) {
            return (ip & netmask.value()) == (address.value() & netmask.value());
        }

        private int subnetBroadcast() {
            return address.value() | ~netmask.value();
        }
    }

    /**
     * Adds an interface on {@code segment} with its own {@code mac}, {@code address} and {@code netmask};
     * its subnet becomes a connected route.
     *
     * @throws IllegalArgumentException when the mask is not contiguous or the subnet overlaps another interface's
     */
    public Interface addInterface(EthernetSegment segment, MacAddress mac, Ipv4Address address, Ipv4Address netmask) {
        if (netmask.prefixLength() < 0) {
            throw new IllegalArgumentException("router interface " + address + ": netmask " + netmask + " is not contiguous");
        }
        for (Interface i : interfaces) {
            Ipv4Address shorter = i.netmask.compareTo(netmask) < 0 ? i.netmask : netmask;
            if (i.address.sameSubnet(address, shorter)) {
                throw new IllegalArgumentException("router interface " + address + "/" + netmask.prefixLength()
                        + " overlaps " + i.address + "/" + i.netmask.prefixLength() + " (expected: distinct subnets)");
            }
        }
        Interface i = new Interface(segment.attach(mac), address, netmask);
        interfaces.add(i);
        return i;
    }

    /**
     * Sets the default route: datagrams to destinations off every connected subnet go to {@code gateway},
     * which must be on one of them; {@link Ipv4Address#ANY} removes it.
     */
    public Router defaultRoute(Ipv4Address gateway) {
        forwarding.defaultRoute(gateway);
        return this;
    }

    /**
     * Enables the BOOTP relay agent on {@code on}: BOOTREQUESTs received there go to {@code server}
     * (RFC 1542 section 4.1.1: relaying "MUST be disabled by default" and its destination "MUST be
     * configurable"). One server and one hops limit serve every relay interface.
     *
     * @param maxHops requests arriving with more hops than this are dropped (1..16; RFC default 4)
     */
    public Router relayBootp(Interface on, Ipv4Address server, int maxHops) {
        if (maxHops < 0 || maxHops > MAX_HOPS_LIMIT) {
            throw new IllegalArgumentException("BOOTP relay hops limit " + maxHops + " (expected: 0..16)");
        }
        if (!interfaces.contains(on) || server.isAny()) {
            throw new IllegalArgumentException("BOOTP relay: interface of this router and a server address expected");
        }
        bootpRelay.enable(on, server, maxHops);
        return this;
    }

    /** Returns the interfaces in the order they were added. */
    public List<Interface> interfaces() {
        return List.copyOf(interfaces);
    }

    /** Returns a snapshot of the counters. */
    public Stats stats() {
        return new Stats(framesReceived, notForUs, malformed, unsupported, arpHandled, forwarding.forwarded(),
                forwarding.ttlExpired(), forwarding.noRoute(), arpFailed, forwarding.queueFull(), localDropped,
                forwarding.relayedRequests(), relayedReplies, hopsExceeded, relayDisabled, unknownGiaddr, bootpcDiscarded,
                arpRequestsSent, arpRepliesSent);
    }

    @Override
    public void poll(long now) {
        for (Interface i : interfaces) {
            while (i.port.receive(now, (t, frame, len) -> onFrame(t, i, frame, len))) {
                // each frame is handled in onFrame
            }
        }
        for (Interface i : interfaces) {
            i.arp.run(now);
        }
    }

    @Override
    public long pollAt() {
        long at = Long.MAX_VALUE;
        for (Interface i : interfaces) {
            at = Math.min(at, i.port.pollAt());
            at = Math.min(at, i.arp.nextAt());
        }
        return at;
    }

    // ---------------------------------------------------------------- receive

    private void onFrame(long now, Interface in, ByteBuffer frame, int length) {
        framesReceived++;
        try {
            rxEth.wrap(frame, length);
        } catch (MalformedPacketException e) {
            malformed++;
            return;
        }
        long dst = rxEth.dstValue();
        long mac = in.mac().value();
        if ((dst != mac && dst != MacAddress.BROADCAST.value()) || rxEth.srcValue() == mac) {
            notForUs++;
            return;
        }
        switch (rxEth.etherType()) {
            case EthernetFrame.TYPE_ARP -> onArp(now, in, frame, rxEth.payloadOffset(), rxEth.payloadLength());
            case EthernetFrame.TYPE_IPV4 -> onIpv4(now, in, frame, rxEth.payloadOffset(), rxEth.payloadLength(),
                    dst == MacAddress.BROADCAST.value());
            default -> unsupported++;
        }
    }

    private void onArp(long now, Interface in, ByteBuffer frame, int off, int len) {
        ArpPacket p;
        try {
            p = ArpPacket.parse(frame, off, len);
        } catch (MalformedPacketException e) {
            malformed++;
            return;
        }
        if (p.op() != ArpPacket.REQUEST && p.op() != ArpPacket.REPLY) {
            unsupported++;
            return;
        }
        arpHandled++;
        int spa = p.spa().value();
        if (spa == 0) {
            return; // an ARP probe (RFC 5227): nothing to learn
        }
        // RFC 826 "Packet Reception": merge the sender if known; if we are the target, add it and answer a request.
        boolean known = in.arp.knows(spa);
        boolean target = p.tpa().equals(in.address);
        if (known || target) {
            in.arp.learn(now, spa, p.sha());
        }
        if (target && p.op() == ArpPacket.REQUEST) {
            ArpPacket reply = new ArpPacket(ArpPacket.REPLY, in.mac(), in.address, p.sha(), p.spa());
            sendFrame(now, in, p.sha(), EthernetFrame.TYPE_ARP, ArpPacket.LENGTH, (b, o) -> reply.emit(b, o));
            arpRepliesSent++;
        }
    }

    private void onIpv4(long now, Interface in, ByteBuffer frame, int off, int len, boolean l2Broadcast) {
        try {
            rxIp.wrap(frame, off, len, true);
        } catch (MalformedPacketException e) {
            malformed++;
            return;
        }
        int dst = rxIp.dst();
        boolean local = l2Broadcast || dst == Ipv4Address.BROADCAST.value() || forwarding.isOurs(dst)
                || dst == in.subnetBroadcast();
        if (local) {
            onLocal(now, in, frame);
        } else {
            forwarding.forward(now, rxIp, frame, off);
        }
    }

    /** Handles a datagram for the router itself: only the relay agent listens (UDP 67). */
    private void onLocal(long now, Interface in, ByteBuffer frame) {
        if (rxIp.protocol() != Ipv4Packet.PROTO_UDP || rxIp.isFragment()) {
            localDropped++;
            return;
        }
        try {
            rxUdp.wrap(frame, rxIp.payloadOffset(), rxIp.payloadLength(), rxIp.src(), rxIp.dst(), true);
        } catch (MalformedPacketException e) {
            malformed++;
            return;
        }
        switch (rxUdp.dstPort()) {
            case BootpMessage.SERVER_PORT -> onBootp(now, in, frame, rxIp.ttl());
            case BootpMessage.CLIENT_PORT -> bootpcDiscarded++; // RFC 1542 section 4.1: "MUST silently discard"
            default -> localDropped++;
        }
    }

    /** Carries out the relay agent's decision on a BOOTP message, and counts it. */
    private void onBootp(long now, Interface in, ByteBuffer frame, int ttl) {
        switch (bootpRelay.onMessage(in, frame, rxUdp.payloadOffset(), rxUdp.payloadLength(), ttl)) {
            case BootpRelay.Outcome.ToServer(int server, byte[] datagram) -> forwarding.route(now, server, datagram, true);
            case BootpRelay.Outcome.ToClient(Interface out, MacAddress mac, byte[] datagram) -> {
                sendFrame(now, out, mac, EthernetFrame.TYPE_IPV4, datagram.length, (b, o) -> b.put(o, datagram));
                relayedReplies++;
            }
            case BootpRelay.Outcome.Dropped(BootpRelay.Drop reason) -> {
                switch (reason) {
                    case MALFORMED -> malformed++;
                    case RELAY_DISABLED -> relayDisabled++;
                    case HOPS_EXCEEDED -> hopsExceeded++;
                    case TTL_EXPIRED, NO_ROUTE -> forwarding.relayDropped(reason);
                    case UNKNOWN_GIADDR -> unknownGiaddr++;
                }
            }
        }
    }

    // ---------------------------------------------------------------- transmit

    @FunctionalInterface
    private interface PayloadFiller {
        void fill(ByteBuffer frame, int off);
    }

    private void sendFrame(long now, Interface out, MacAddress dst, int etherType, int payloadLen, PayloadFiller payload) {
        out.port.transmit(now, EthernetFrame.HEADER_LEN + payloadLen, (b, len) -> {
            EthernetFrame.emit(b, dst.value(), out.mac().value(), etherType);
            payload.fill(b, EthernetFrame.HEADER_LEN);
        });
    }
}
