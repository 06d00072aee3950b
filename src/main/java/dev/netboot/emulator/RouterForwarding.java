package dev.netboot.emulator;

import dev.netboot.wire.Checksum;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The forwarding of a {@link Router} (RFC 791, RFC 1812 section 5.2/5.3), the "Forwarding" item of the router's class
 * comment: the routing table (the connected subnets of the interfaces, then the default route), the TTL a datagram
 * passing through loses and the header checksum computed again over it, and whether a routed datagram goes to its next
 * hop's MAC at once or waits behind that hop's resolution on the egress interface ({@link RouterArp}). The router
 * receives, parses, frames and delivers locally; this says where a datagram goes and counts what became of those it
 * routed: sent on (forwarded, or relayed for a BOOTREQUEST), or dropped for their TTL, for want of a route or for a
 * full ARP queue.
 */
final class RouterForwarding {
    /** What forwarding needs of its router: a frame to carry a datagram to its next hop. */
    @FunctionalInterface
    interface Wire {
        /** Sends {@code datagram} (IPv4 header onward) on {@code out} to {@code mac}. */
        void send(long now, Router.Interface out, MacAddress mac, byte[] datagram);
    }

    private final List<Router.Interface> interfaces;
    private final Wire wire;
    private Ipv4Address defaultRoute = Ipv4Address.ANY;
    private long forwarded, ttlExpired, noRoute, queueFull, relayedRequests;

    /** Forwarding between {@code interfaces} (the router's own list, as it grows), sending through {@code wire}. */
    RouterForwarding(List<Router.Interface> interfaces, Wire wire) {
        this.interfaces = interfaces;
        this.wire = wire;
    }

    /** Sets the default route, which must be on a connected subnet; {@link Ipv4Address#ANY} removes it. */
    void defaultRoute(Ipv4Address gateway) {
        if (!gateway.isAny() && egressFor(gateway.value()) == null) {
            throw new IllegalArgumentException("default route " + gateway + " is on no connected subnet");
        }
        this.defaultRoute = gateway;
    }

    /** Returns true when {@code ip} is the address of one of the router's interfaces. */
    boolean isOurs(int ip) {
        for (Router.Interface i : interfaces) {
            if (i.address().value() == ip) {
                return true;
            }
        }
        return false;
    }

    /** Returns the egress interface toward {@code dst}, or null when no connected subnet or default route leads there. */
    Router.Interface egressToward(int dst) {
        return egressFor(nextHopOf(dst));
    }

    /**
     * Forwards the datagram {@code ip} (parsed at {@code off} of {@code frame}, not for the router): one arriving with
     * TTL 1 or 0 is dropped, else a copy goes on with the TTL one less and the header checksum computed again.
     */
    void forward(long now, Ipv4Packet ip, ByteBuffer frame, int off) {
        // RFC 1812 section 5.3.1: "a router MUST decrement the TTL by at least one"; one at or below 1 cannot go on.
        if (ip.ttl() <= 1) {
            ttlExpired++;
            return;
        }
        byte[] datagram = new byte[ip.totalLength()]; // without any Ethernet padding
        frame.get(off, datagram);
        ByteBuffer d = ByteBuffer.wrap(datagram);
        d.put(8, (byte) (ip.ttl() - 1)); // TTL, offset 8 of RFC 791's header
        d.putShort(10, (short) 0);         // header checksum, offset 10: recomputed over the changed header
        d.putShort(10, (short) Checksum.of(d, 0, ip.headerLength()));
        route(now, ip.dst(), datagram, false);
    }

    /**
     * Sends {@code datagram} (to {@code dst}) toward its next hop, or queues it behind an ARP resolution;
     * counts it as forwarded (or as a relayed request) once it leaves, or by its drop reason.
     */
    void route(long now, int dst, byte[] datagram, boolean relayed) {
        int hop = nextHopOf(dst);
        Router.Interface out = hop == 0 ? null : egressFor(hop);
        if (out == null) {
            noRoute++;
            return;
        }
        RouterArp.Waiting w = new RouterArp.Waiting(hop, datagram, relayed);
        MacAddress mac = out.arp().lookup(hop);
        if (mac != null) {
            send(now, out, mac, w);
            return;
        }
        if (!out.arp().hold(now, w)) {
            queueFull++;
        }
    }

    /** Sends {@code w} on {@code out} to {@code mac}, its next hop's, and counts it. */
    void send(long now, Router.Interface out, MacAddress mac, RouterArp.Waiting w) {
        wire.send(now, out, mac, w.datagram());
        if (w.relayed()) {
            relayedRequests++;
        } else {
            forwarded++;
        }
    }

    /** Counts a BOOTREQUEST the relay agent could not route on: its TTL ran out (TTL_EXPIRED), or no route leads on. */
    void relayDropped(BootpRelay.Drop reason) {
        if (reason == BootpRelay.Drop.TTL_EXPIRED) {
            ttlExpired++;
        } else {
            noRoute++;
        }
    }

    /** Returns the interface whose subnet holds {@code ip}, or null. */
    private Router.Interface egressFor(int ip) {
        for (Router.Interface i : interfaces) {
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

    /** Returns the datagrams sent on toward their destination (relayed BOOTP not included). */
    long forwarded() {
        return forwarded;
    }

    /** Returns the datagrams (forwarded or relayed) dropped because their TTL was 1 or 0. */
    long ttlExpired() {
        return ttlExpired;
    }

    /** Returns the datagrams to a destination no connected subnet or default route covers. */
    long noRoute() {
        return noRoute;
    }

    /** Returns the datagrams dropped because too many already waited for ARP on the egress interface. */
    long queueFull() {
        return queueFull;
    }

    /** Returns the BOOTREQUESTs sent on to the BOOTP server. */
    long relayedRequests() {
        return relayedRequests;
    }
}
