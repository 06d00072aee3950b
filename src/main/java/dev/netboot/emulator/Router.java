package dev.netboot.emulator;

import dev.netboot.wire.ArpPacket;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.Checksum;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.UdpDatagram;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

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
 *     when the next hop never answers. Entries do not expire (a run is short).</li>
 * <li><b>Forwarding</b> (RFC 791, RFC 1812 section 5.2/5.3): a unicast datagram arriving at an
 *     interface's MAC and addressed to none of the router's addresses is routed by the connected
 *     subnets, else the default route. TTL is decremented and the header checksum recomputed; a datagram
 *     arriving with TTL &lt;= 1 is dropped ({@link Stats#ttlExpired()}). No ICMP is sent (no Time
 *     Exceeded, no Destination Unreachable, no Redirect): each such case is counted instead. Options
 *     and fragments pass unchanged; both emulated links have MTU 1500, so nothing needs fragmenting.</li>
 * <li><b>Local delivery</b>: broadcasts and datagrams to the router's own addresses go to the relay
 *     agent when they are UDP to port 67 (RFC 1542 section 4.1), and are dropped and counted otherwise.</li>
 * <li><b>BOOTP relay</b> (RFC 1542 section 4.1.1, disabled by default, enabled per interface with
 *     {@link #relayBootp}): a BOOTREQUEST arriving on a relay interface with hops above the limit is
 *     dropped; otherwise a zero giaddr becomes that interface's address, hops is incremented, every
 *     other field is kept, and the request goes unicast from the egress interface's address, UDP 67 to
 *     67, to the configured server, with the TTL of the request decremented by one (the RFC's
 *     preferred choice against loops). A BOOTREPLY to port 67 whose giaddr is a relay interface's
 *     address (RFC 1542 section 4.1.2) leaves that interface unchanged, from giaddr port 67 to port 68:
 *     broadcast (255.255.255.255 at ff:ff:ff:ff:ff:ff) when the BROADCAST flag is set, else unicast to
 *     yiaddr at chaddr without ARP; TTL 64.</li>
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
    private Ipv4Address defaultRoute = Ipv4Address.ANY;
    private Ipv4Address bootpServer = Ipv4Address.ANY;
    private int maxHops = DEFAULT_MAX_HOPS;
    private int ident;
    private long framesReceived, notForUs, malformed, unsupported, arpHandled, forwarded, ttlExpired, noRoute,
            arpFailed, queueFull, localDropped, relayedRequests, relayedReplies, hopsExceeded, relayDisabled,
            unknownGiaddr, bootpcDiscarded, arpRequestsSent, arpRepliesSent;

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
        private final Map<Integer, MacAddress> arp = new HashMap<>();
        private final List<Waiting> waiting = new ArrayList<>();
        private final Map<Integer, Query> queries = new HashMap<>();
        private boolean relay;

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
            return relay;
        }

        /** Returns the MAC learned for {@code ip} on this interface, or null. */
        public MacAddress arpEntry(Ipv4Address ip) {
            return arp.get(ip.value());
        }

        /** Returns the number of datagrams waiting for address resolution. */
        public int waiting() {
            return waiting.size();
        }

        private boolean onLink(int ip) {
            return (ip & netmask.value()) == (address.value() & netmask.value());
        }

        private int subnetBroadcast() {
            return address.value() | ~netmask.value();
        }
    }

    /** A datagram (IPv4 header onward, TTL already decremented) going to its next hop; relayed: a BOOTREQUEST. */
    private record Waiting(int nextHop, byte[] datagram, boolean relayed) {
    }

    /** An ARP resolution in progress. */
    private record Query(long nextAt, int sent) {
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
        if (!gateway.isAny() && egressFor(gateway.value()) == null) {
            throw new IllegalArgumentException("default route " + gateway + " is on no connected subnet");
        }
        this.defaultRoute = gateway;
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
        on.relay = true;
        this.bootpServer = server;
        this.maxHops = maxHops;
        return this;
    }

    /** Returns the interfaces in the order they were added. */
    public List<Interface> interfaces() {
        return List.copyOf(interfaces);
    }

    /** Returns a snapshot of the counters. */
    public Stats stats() {
        return new Stats(framesReceived, notForUs, malformed, unsupported, arpHandled, forwarded, ttlExpired, noRoute,
                arpFailed, queueFull, localDropped, relayedRequests, relayedReplies, hopsExceeded, relayDisabled,
                unknownGiaddr, bootpcDiscarded, arpRequestsSent, arpRepliesSent);
    }

    @Override
    public void poll(long now) {
        for (Interface i : interfaces) {
            while (i.port.receive(now, (t, frame, len) -> onFrame(t, i, frame, len))) {
                // each frame is handled in onFrame
            }
        }
        for (Interface i : interfaces) {
            runQueries(now, i);
        }
    }

    @Override
    public long pollAt() {
        long at = Long.MAX_VALUE;
        for (Interface i : interfaces) {
            at = Math.min(at, i.port.pollAt());
            for (Query q : i.queries.values()) {
                at = Math.min(at, q.nextAt());
            }
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
        boolean known = in.arp.containsKey(spa) || in.queries.containsKey(spa);
        boolean target = p.tpa().equals(in.address);
        if (known || target) {
            in.arp.put(spa, p.sha());
            flush(now, in, spa);
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
        boolean local = l2Broadcast || dst == Ipv4Address.BROADCAST.value() || isOurs(dst) || dst == in.subnetBroadcast();
        if (local) {
            onLocal(now, in, frame);
            return;
        }
        // RFC 1812 section 5.3.1: "a router MUST decrement the TTL by at least one"; one at or below 1 cannot go on.
        if (rxIp.ttl() <= 1) {
            ttlExpired++;
            return;
        }
        byte[] datagram = new byte[rxIp.totalLength()]; // without any Ethernet padding
        frame.get(off, datagram);
        ByteBuffer d = ByteBuffer.wrap(datagram);
        d.put(8, (byte) (rxIp.ttl() - 1)); // TTL, offset 8 of RFC 791's header
        d.putShort(10, (short) 0);         // header checksum, offset 10: recomputed over the changed header
        d.putShort(10, (short) Checksum.of(d, 0, rxIp.headerLength()));
        route(now, dst, datagram, false);
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
            case BootpMessage.SERVER_PORT -> onBootp(now, in, frame);
            case BootpMessage.CLIENT_PORT -> bootpcDiscarded++; // RFC 1542 section 4.1: "MUST silently discard"
            default -> localDropped++;
        }
    }

    private void onBootp(long now, Interface in, ByteBuffer frame) {
        BootpMessage m;
        try {
            m = BootpMessage.parse(frame, rxUdp.payloadOffset(), rxUdp.payloadLength());
        } catch (MalformedPacketException e) {
            malformed++;
            return;
        }
        if (m.op() == BootpMessage.BOOTREQUEST) {
            relayRequest(now, in, m, rxIp.ttl());
        } else if (m.op() == BootpMessage.BOOTREPLY) {
            relayReply(now, m);
        } else {
            malformed++;
        }
    }

    // ---------------------------------------------------------------- BOOTP relay

    private void relayRequest(long now, Interface in, BootpMessage m, int ttl) {
        if (!in.relay || bootpServer.isAny()) {
            relayDisabled++;
            return;
        }
        // RFC 1542 section 4.1.1: "The relay agent MUST silently discard BOOTREQUEST messages whose 'hops'
        // field exceeds the value 16", or a smaller configured threshold.
        if (m.hops() > maxHops) {
            hopsExceeded++;
            return;
        }
        if (ttl <= 1) {
            ttlExpired++;
            return;
        }
        // "If this field is zero, the relay agent MUST fill this field with the IP address of the interface
        // on which the request was received. ... If the 'giaddr' field contains some non-zero value, the
        // 'giaddr' field MUST NOT be modified." "The value of the 'hops' field MUST be incremented."
        Ipv4Address giaddr = m.giaddr().isAny() ? in.address : m.giaddr();
        BootpMessage out = new BootpMessage(m.op(), m.htype(), m.hlen(), m.hops() + 1, m.xid(), m.secs(), m.flags(),
                m.ciaddr(), m.yiaddr(), m.siaddr(), giaddr, m.chaddr(), m.sname(), m.file(), m.options());
        Interface egress = egressFor(nextHopOf(bootpServer.value()));
        if (egress == null) {
            noRoute++;
            return;
        }
        // "the relay agent may set the IP Time-To-Live field to ... the TTL of the original BOOTREQUEST
        // decremented by (at least) one", the RFC's preferred choice against loops.
        byte[] datagram = udpDatagram(egress.address.value(), bootpServer.value(), BootpMessage.SERVER_PORT,
                BootpMessage.SERVER_PORT, ttl - 1, out);
        route(now, bootpServer.value(), datagram, true);
    }

    private void relayReply(long now, BootpMessage m) {
        // RFC 1542 section 4.1.2: "If the content of the 'giaddr' field does not match one of the relay
        // agent's directly-connected logical interfaces, the BOOTREPLY message MUST be silently discarded."
        Interface out = null;
        for (Interface i : interfaces) {
            if (i.relay && i.address.equals(m.giaddr())) {
                out = i;
            }
        }
        if (out == null) {
            unknownGiaddr++;
            return;
        }
        // "If this flag is set to 1, the reply SHOULD be sent as an IP broadcast using the IP limited broadcast
        // address 255.255.255.255 ... and the link-layer broadcast address. If the BROADCAST flag is cleared
        // (0), the reply SHOULD be sent as an IP unicast to ... 'yiaddr' and the link-layer address ... 'chaddr'."
        // "If unicasting is not possible, the reply MAY be sent as a broadcast": a non-Ethernet chaddr, or no yiaddr.
        boolean unicast = !m.broadcast() && !m.yiaddr().isAny() && m.htype() == 1 && m.hlen() == MacAddress.LENGTH;
        int dstIp = unicast ? m.yiaddr().value() : Ipv4Address.BROADCAST.value();
        MacAddress dstMac = unicast ? m.chaddr() : MacAddress.BROADCAST;
        // "All BOOTP fields MUST be preserved intact." "The reply MUST have its UDP destination port set to BOOTPC (68)."
        byte[] datagram = udpDatagram(out.address.value(), dstIp, BootpMessage.SERVER_PORT, BootpMessage.CLIENT_PORT,
                TTL, m);
        sendFrame(now, out, dstMac, EthernetFrame.TYPE_IPV4, datagram.length, (b, o) -> b.put(o, datagram));
        relayedReplies++;
    }

    /** Returns a whole IPv4/UDP datagram carrying {@code m}, with both checksums. */
    private byte[] udpDatagram(int src, int dst, int srcPort, int dstPort, int ttl, BootpMessage m) {
        int payload = m.encodedLength();
        int udpLen = UdpDatagram.HEADER_LEN + payload;
        byte[] b = new byte[Ipv4Packet.HEADER_LEN + udpLen];
        ByteBuffer buf = ByteBuffer.wrap(b);
        m.emit(buf, Ipv4Packet.HEADER_LEN + UdpDatagram.HEADER_LEN);
        UdpDatagram.emit(buf, Ipv4Packet.HEADER_LEN, srcPort, dstPort, payload, src, dst);
        Ipv4Packet.emit(buf, 0, udpLen, Ipv4Packet.PROTO_UDP, src, dst, ttl, ident++);
        return b;
    }

    // ---------------------------------------------------------------- routing and ARP

    private boolean isOurs(int ip) {
        for (Interface i : interfaces) {
            if (i.address.value() == ip) {
                return true;
            }
        }
        return false;
    }

    /** Returns the interface whose subnet holds {@code ip}, or null. */
    private Interface egressFor(int ip) {
        for (Interface i : interfaces) {
            if (i.onLink(ip)) {
                return i;
            }
        }
        return null;
    }

    /** Returns the next hop toward {@code dst}: itself when on a connected subnet, else the default route (0 when none). */
    private int nextHopOf(int dst) {
        return egressFor(dst) != null ? dst : defaultRoute.value();
    }

    /**
     * Sends {@code datagram} (to {@code dst}) toward its next hop, or queues it behind an ARP resolution;
     * counts it as forwarded (or as a relayed request) once it leaves, or by its drop reason.
     */
    private void route(long now, int dst, byte[] datagram, boolean relayed) {
        int hop = nextHopOf(dst);
        Interface out = hop == 0 ? null : egressFor(hop);
        if (out == null) {
            noRoute++;
            return;
        }
        Waiting w = new Waiting(hop, datagram, relayed);
        MacAddress mac = out.arp.get(hop);
        if (mac != null) {
            sendDatagram(now, out, mac, w);
            return;
        }
        if (out.waiting.size() >= PENDING_LIMIT) {
            queueFull++;
            return;
        }
        out.waiting.add(w);
        if (!out.queries.containsKey(hop)) {
            out.queries.put(hop, new Query(now, 0));
            runQueries(now, out);
        }
    }

    private void sendDatagram(long now, Interface out, MacAddress mac, Waiting w) {
        sendFrame(now, out, mac, EthernetFrame.TYPE_IPV4, w.datagram().length, (b, o) -> b.put(o, w.datagram()));
        if (w.relayed()) {
            relayedRequests++;
        } else {
            forwarded++;
        }
    }

    /** Sends the ARP requests that are due on {@code in}, and gives up on next hops that had all theirs. */
    private void runQueries(long now, Interface in) {
        for (Iterator<Map.Entry<Integer, Query>> it = in.queries.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Query> e = it.next();
            Query q = e.getValue();
            if (now < q.nextAt()) {
                continue;
            }
            int hop = e.getKey();
            if (q.sent() >= ARP_REQUESTS) {
                it.remove();
                int before = in.waiting.size();
                in.waiting.removeIf(w -> w.nextHop() == hop);
                arpFailed += before - in.waiting.size();
                continue;
            }
            ArpPacket req = new ArpPacket(ArpPacket.REQUEST, in.mac(), in.address, MacAddress.ZERO, new Ipv4Address(hop));
            sendFrame(now, in, MacAddress.BROADCAST, EthernetFrame.TYPE_ARP, ArpPacket.LENGTH, (b, o) -> req.emit(b, o));
            arpRequestsSent++;
            e.setValue(new Query(now + ARP_RETRY_NANOS, q.sent() + 1));
        }
    }

    /** Sends the datagrams that waited for {@code ip}, now that its MAC is known. */
    private void flush(long now, Interface in, int ip) {
        in.queries.remove(ip);
        MacAddress mac = in.arp.get(ip);
        for (Iterator<Waiting> it = in.waiting.iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            if (w.nextHop() == ip) {
                it.remove();
                sendDatagram(now, in, mac, w);
            }
        }
    }

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
