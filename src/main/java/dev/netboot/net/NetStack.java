package dev.netboot.net;

import dev.netboot.link.Link;
import dev.netboot.wire.ArpPacket;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.UdpDatagram;
import java.nio.ByteBuffer;

/**
 * ARP, IPv4 and UDP over one {@link Link}: a single-threaded stack advanced by {@link #poll(long)}
 * with the time passed in, reporting its next deadline through {@link #pollAt()}. Its parts: the receive checks
 * ({@link ReceiveVerdict}) and what is done with the frames they take ({@link FrameReceiver}), the frames it
 * writes ({@link FrameSender}), ARP ({@link ArpResolver}), ICMP ({@link IcmpResponder}), multicast groups
 * ({@link GroupMembership}) and the UDP ports ({@link UdpPorts}).
 *
 * <p>What it does: answers ARP requests for its address and learns from ARP traffic (RFC 826
 * merge rules); resolves next hops with bounded retries; routes on-link destinations directly and the
 * rest through the gateway; demultiplexes UDP by destination port; answers ICMP echo requests (so an
 * operator can ping the board), reports ICMP port and protocol unreachable errors that quote a
 * datagram we sent to the port that sent it, and answers a datagram to our address on a closed port with a port
 * unreachable, at a bounded rate; drops and counts everything else by reason. What it doesn't: fragments (counted and dropped), TCP, IP options on send.
 *
 * <p>The data path allocates nothing: frames are parsed with reusable views, the stack fills
 * frames the link lends ({@link FrameSender}), and payloads are written by the caller's {@link PayloadWriter}. Only a
 * datagram waiting for ARP is copied, into one of a few preallocated slots.
 */
public final class NetStack implements Link.FrameHandler, UdpTransport, ReceiveFilter {
    /** Bytes of Ethernet, IPv4 and UDP headers before a UDP payload. */
    public static final int UDP_PAYLOAD_OFFSET = EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN + UdpDatagram.HEADER_LEN;
    private static final int MAX_FRAMES_PER_POLL = 256;
    /** Multicast groups a stack can be a member of at once (a board needs one per multicast transfer). */
    public static final int MAX_GROUPS = 4;

    private final Link link;
    private final NetConfig config;
    private final long mac;
    private final ArpResolver arp;
    private final IcmpResponder icmp;

    private int address;
    private int netmask;
    private int subnetBroadcast = -1;
    private int gateway;

    private final UdpPorts ports;

    // Multicast groups joined (RFC 1112 level 2) and their IGMPv2 state (RFC 2236 section 6).
    private final GroupMembership groups;

    // The receive path (its checks, its counters), and the checks a link asks (ReceiveFilter), with views of their own.
    private final FrameReceiver rx;
    private ReceiveVerdict asked;

    private final FrameSender tx;

    // Moves whenever what verdict() reads of the stack itself may have changed (ReceiveFilter.receiveState).
    private long receiveState;

    /** Creates a stack on {@code link} with the link's own MAC address. */
    public NetStack(Link link, NetConfig config) {
        this(link, config, link.macAddress());
    }

    /** Creates a stack on {@code link} that uses {@code mac} as its own address (a profile may override the port's). */
    public NetStack(Link link, NetConfig config, MacAddress mac) {
        this.link = link;
        this.config = config;
        this.mac = mac.value();
        this.tx = new FrameSender(link, this.mac);
        this.ports = new UdpPorts(config.udpBindings());
        StackWire wire = new StackWire(this, config, tx, ports);
        this.arp = new ArpResolver(config, this.mac, maxUdpPayload(link.mtu()), wire);
        this.icmp = new IcmpResponder(config, this.mac, link.mtu() - Ipv4Packet.HEADER_LEN, wire);
        this.groups = new GroupMembership(link, this.mac, MAX_GROUPS, config.verifyChecksums(),
                (now, type, group, dstIp) -> tx.igmp(now, type, group, address, dstIp));
        this.rx = new FrameReceiver(new ReceiveVerdict(this, config, this.mac, arp, groups, ports), arp, groups, icmp,
                ports);
    }

    /** Returns the largest UDP payload that fits an IP datagram of {@code mtu} bytes without fragmentation. */
    public static int maxUdpPayload(int mtu) {
        return mtu - Ipv4Packet.HEADER_LEN - UdpDatagram.HEADER_LEN;
    }

    /** Returns the largest UDP payload this stack sends. */
    @Override
    public int maxUdpPayload() {
        return maxUdpPayload(link.mtu());
    }

    /** Returns our MAC address. */
    public MacAddress macAddress() {
        return new MacAddress(mac);
    }

    /**
     * Sets whether the UDP datagrams this stack sends carry a checksum (the default) or 0, "no checksum", which
     * RFC 768 allows over IPv4 and RFC 1122 section 4.1.3.4 lets a host offer as an option ("MUST default to
     * checksumming on"). A receiver accepts both. The emulator's servers use it to stand for a server behind a
     * NIC that fills the checksum in, whose frames a packet socket on the same host reads with 0 in it.
     */
    public void sendUdpChecksums(boolean on) {
        tx.udpChecksums(on);
    }

    /**
     * Sets our address, netmask and gateway ({@link Ipv4Address#ANY} for none); the subnet's broadcast address is
     * the all-ones host part.
     */
    public void configure(Ipv4Address address, Ipv4Address netmask, Ipv4Address gateway) {
        configure(address, netmask, gateway, new Ipv4Address(address.value() | ~netmask.value()));
    }

    /**
     * Sets our address, netmask, gateway and the subnet's broadcast address (DHCP option 28). Datagrams to
     * 255.255.255.255, to the all-ones host part of the subnet and to {@code broadcast} are taken as broadcasts
     * (RFC 1122 section 3.3.6: a host recognizes the broadcast forms its subnet uses).
     */
    public void configure(Ipv4Address address, Ipv4Address netmask, Ipv4Address gateway, Ipv4Address broadcast) {
        receiveState++;
        this.address = address.value();
        this.netmask = netmask.value();
        this.gateway = gateway.value();
        this.subnetBroadcast = broadcast.value() == address.value() ? address.value() | ~netmask.value() : broadcast.value();
    }

    /** Returns our address, {@link Ipv4Address#ANY} before {@link #configure}. */
    public Ipv4Address address() {
        return new Ipv4Address(address);
    }

    /**
     * Binds {@code handler} to UDP {@code port}.
     *
     * @throws IllegalStateException when the port is taken or the binding table is full
     */
    @Override
    public void bind(int port, UdpHandler handler) {
        receiveState++;
        ports.bind(port, handler);
    }

    /** Removes the binding of {@code port}, if any. */
    @Override
    public void unbind(int port) {
        receiveState++;
        ports.unbind(port);
    }

    /**
     * A bound port's handler now answers {@link UdpHandler#ignores} otherwise (a DHCP client that starts or stops
     * waiting for a transaction's DHCPACK): the verdicts given before may not stand ({@link #receiveState}).
     */
    public void portChanged() {
        receiveState++;
    }

    /** Returns true when another UDP port can be bound: the binding table has room. */
    public boolean canBind() {
        return ports.hasRoom();
    }

    /** Returns true when {@code port} is bound. */
    @Override
    public boolean isBound(int port) {
        return ports.handler(port) != null;
    }

    /**
     * Sends a UDP datagram of {@code len} payload bytes from our address. Broadcasts go to the
     * Ethernet broadcast address; unicasts to the next hop's MAC, resolving it with ARP first when
     * needed (the datagram then waits in a slot and is sent on the reply).
     */
    @Override
    public SendResult sendUdp(long now, int srcPort, Ipv4Address dst, int dstPort, int len, PayloadWriter writer) {
        checkPayload(len);
        int d = dst.value();
        if (isBroadcast(d)) {
            return transmitUdp(now, MacAddress.BROADCAST.value(), address, d, srcPort, dstPort, len, writer);
        }
        if (dst.isMulticast()) {
            // RFC 1112 section 6.4: to the group's Ethernet address, no ARP; TTL 1 unless told otherwise (section 6.1).
            return transmitUdp(now, MacAddress.multicastValue(d), address, d, srcPort, dstPort, len, writer, 1);
        }
        if (address == 0) {
            return SendResult.NO_ROUTE;
        }
        int hop = nextHop(d);
        if (hop == 0) {
            return SendResult.NO_ROUTE;
        }
        long hopMac = arp.lookup(now, hop);
        if (hopMac >= 0) {
            return transmitUdp(now, hopMac, address, d, srcPort, dstPort, len, writer);
        }
        return arp.hold(now, hop, d, srcPort, dstPort, len, writer);
    }

    /**
     * Sends a UDP datagram straight to {@code dstMac} without ARP: how a BOOTP server answers a
     * client that has no address yet (RFC 951 section 4; RFC 1542 section 5.4).
     */
    public SendResult sendUdpTo(long now, MacAddress dstMac, int srcPort, Ipv4Address dst, int dstPort, int len,
                                PayloadWriter writer) {
        checkPayload(len);
        return transmitUdp(now, dstMac.value(), address, dst.value(), srcPort, dstPort, len, writer);
    }

    private void checkPayload(int len) {
        if (len < 0 || len > maxUdpPayload()) {
            throw new IllegalArgumentException("UDP payload of " + len + " bytes (expected: 0.." + maxUdpPayload() + " for MTU " + link.mtu() + ")");
        }
    }

    /** Returns the next hop for {@code dst}: itself when on-link, else the gateway (0 when none). */
    public Ipv4Address nextHop(Ipv4Address dst) {
        return new Ipv4Address(nextHop(dst.value()));
    }

    private int nextHop(int dst) {
        return (dst & netmask) == (address & netmask) ? dst : gateway;
    }

    /** Our address as an int, 0 before {@link #configure} (for {@link ReceiveVerdict}). */
    int addressValue() {
        return address;
    }

    /** Returns whether {@code ip} is a broadcast address here: all ones, or our subnet's (RFC 1122 section 3.3.6). */
    boolean isBroadcast(int ip) {
        return ip == -1 || (address != 0 && netmask != -1 && (ip == (address | ~netmask) || ip == subnetBroadcast));
    }

    /**
     * Resolves {@code ip} (ask for the next hop: see {@link #nextHop}), sending ARP requests as needed.
     * Call again on later polls to see progress.
     */
    public ArpStatus resolve(long now, Ipv4Address ip) {
        return arp.resolve(now, ip.value());
    }

    /**
     * Sends an ARP Probe for {@code target} (RFC 5227 section 2.1.1): a broadcast request with our MAC as sender
     * hardware address and 0.0.0.0 as sender IP, so no host's cache learns an address we do not have yet.
     * Returns false when the link had no room.
     */
    public boolean sendArpProbe(long now, Ipv4Address target) {
        return sendArp(now, ArpPacket.REQUEST, MacAddress.BROADCAST.value(), 0, 0, target.value());
    }

    /**
     * Sends an ARP Announcement of {@code claimed} (RFC 5227 section 2.3): a broadcast request whose sender and
     * target IP are both the address, so other hosts update stale cache entries. Returns false when the link had no room.
     */
    public boolean sendArpAnnouncement(long now, Ipv4Address claimed) {
        return sendArp(now, ArpPacket.REQUEST, MacAddress.BROADCAST.value(), claimed.value(), 0, claimed.value());
    }

    /**
     * Watches ARP traffic for another host using {@code ip} (RFC 5227 section 2.1.1), forgetting any conflict seen
     * before; {@link Ipv4Address#ANY} stops watching.
     */
    public void watchAddress(Ipv4Address ip) {
        arp.watch(ip.value());
    }

    /** Returns the MAC of the host that claimed the watched address, or null when none did since {@link #watchAddress}. */
    public MacAddress conflict() {
        return arp.conflict();
    }

    /** Receives pending frames and runs ARP timers. */
    public void poll(long now) {
        for (int i = 0; i < MAX_FRAMES_PER_POLL && link.receive(now, rx); i++) {
            // each frame is handled in FrameReceiver.onFrame
        }
        arp.poll(now);
        groups.poll(now);
    }

    /** Returns the earliest time at which {@link #poll} has work, or {@link Long#MAX_VALUE}. */
    public long pollAt() {
        return Math.min(link.pollAt(), Math.min(arp.pollAt(), groups.pollAt()));
    }

    private boolean sendArp(long now, int op, long dstMac, int spa, long tha, int tpa) {
        return tx.arp(now, op, dstMac, spa, tha, tpa);
    }

    private SendResult transmitUdp(long now, long dstMac, int srcIp, int dstIp, int srcPort, int dstPort, int len,
                                   PayloadWriter writer) {
        return transmitUdp(now, dstMac, srcIp, dstIp, srcPort, dstPort, len, writer, config.ttl());
    }

    private SendResult transmitUdp(long now, long dstMac, int srcIp, int dstIp, int srcPort, int dstPort, int len,
                                   PayloadWriter writer, int ttl) {
        return tx.udp(now, dstMac, srcIp, dstIp, srcPort, dstPort, len, writer, ttl) ? SendResult.SENT : SendResult.LINK_BUSY;
    }

    /** Handles one received frame: {@link FrameReceiver}'s work ({@link #poll} hands the link that directly). */
    @Override
    public void onFrame(long now, ByteBuffer frame, int length) {
        rx.onFrame(now, frame, length);
    }

    /**
     * {@inheritDoc} {@link ReceiveVerdict}'s checks, with views of their own: asking changes nothing the stack reads
     * when it acts.
     */
    @Override
    public int verdict(ByteBuffer frame, int length) {
        if (asked == null) {
            asked = new ReceiveVerdict(this, config, mac, arp, groups, ports);
        }
        return asked.of(frame, length);
    }

    /** {@inheritDoc} Bindings, address, groups and ARP's state: everything {@link #verdict} reads that may change. */
    @Override
    public long receiveState() {
        return receiveState + arp.version() + groups.version();
    }

    @Override
    public void dropped(int verdict) {
        rx.dropped(verdict);
    }

    /** {@inheritDoc} {@link ReceiveVerdict#ofKind}. */
    @Override
    public int verdictOfKind(int kind) {
        if (asked == null) {
            asked = new ReceiveVerdict(this, config, mac, arp, groups, ports);
        }
        return asked.ofKind(kind);
    }

    /** {@inheritDoc} {@link ArpResolver#interests}. */
    @Override
    public int arpInterests(int[] into) {
        return arp.interests(into);
    }

    /**
     * Joins multicast group {@code group} (RFC 1112 level 2): its frames and datagrams are taken from now on, the
     * link is asked to pass the group's Ethernet address up, and a Version 2 Membership Report goes out at once
     * and once more after the Unsolicited Report Interval (RFC 2236 section 3), so that a snooping switch or a
     * router forwards the group here. Returns false when the stack is in {@link #MAX_GROUPS} groups already, or
     * has no address to report from.
     *
     * @throws IllegalArgumentException when {@code group} is not a multicast address, or is 224.0.0.1 (all hosts
     *                                  are in it, nobody joins it)
     */
    @Override
    public boolean joinGroup(long now, Ipv4Address group) {
        return groups.join(now, group, address);
    }

    /**
     * Leaves {@code group}: its traffic is no longer taken, and when ours was the last report heard for it a Leave
     * Group goes to all-routers (RFC 2236 section 3: "If the host's flag is set, the host sends a Leave Group").
     */
    @Override
    public void leaveGroup(long now, Ipv4Address group) {
        groups.leave(now, group.value());
    }

    /** Returns true: this stack joins groups ({@link #joinGroup}). */
    @Override
    public boolean multicast() {
        return true;
    }

    /** Returns whether the stack is in {@code group}. */
    public boolean isMember(Ipv4Address group) {
        return groups.isMember(group.value());
    }

    /** Returns the IGMP membership reports sent and the queries heard. */
    public long[] igmpCounters() {
        return groups.counters();
    }

    /** Returns the IPv4 fragments dropped so far ({@link NetStats#dropFragment()}), without a snapshot of every counter. */
    @Override
    public long fragmentsDropped() {
        return rx.fragments;
    }

    /** Returns a snapshot of the counters. */
    public NetStats stats() {
        return new NetStats(rx.frames, tx.frames(), rx.notForUs, rx.malformed + icmp.malformed(),
                rx.badChecksum + icmp.badChecksums(), rx.fragments, rx.unsupported, rx.noListener, arp.requestsSent(),
                arp.repliesSent(), arp.failures(), icmp.echoReplies(), icmp.unreachables(), icmp.ignored(),
                icmp.unreachablesSent());
    }
}
