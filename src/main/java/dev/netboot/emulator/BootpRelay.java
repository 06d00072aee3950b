package dev.netboot.emulator;

import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.UdpDatagram;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The BOOTP relay agent of a {@link Router} (RFC 1542 section 4), disabled until enabled on an interface
 * with {@link Router#relayBootp}. It decides and builds datagrams but sends nothing itself: for each BOOTP
 * message the router hands it, it answers with one {@link Outcome}, which the router carries out (routing a
 * request, ARP included; putting a reply on its interface) and counts.
 *
 * <ul>
 * <li><b>BOOTREQUEST</b> (section 4.1.1): dropped when it arrived on an interface without relaying, when
 *     hops is above the limit, or when its TTL is 1 or 0; otherwise a zero giaddr becomes the arrival
 *     interface's address, hops is incremented, every other field is kept, and the request goes unicast
 *     from the egress interface's address, UDP 67 to 67, to the configured server, with the TTL of the
 *     request decremented by one (the RFC's preferred choice against loops).</li>
 * <li><b>BOOTREPLY</b> (section 4.1.2): one whose giaddr is a relay interface's address leaves that
 *     interface unchanged, from giaddr port 67 to port 68: broadcast (255.255.255.255 at
 *     ff:ff:ff:ff:ff:ff) when the BROADCAST flag is set, else unicast to yiaddr at chaddr without ARP;
 *     TTL {@link Router#TTL}. Any other giaddr is dropped.</li>
 * </ul>
 *
 * <p>The agent knows the relay interfaces, the server and the hops limit; it knows nothing of ARP, queues
 * or counters, and asks its router only which interface leads toward the server.
 */
final class BootpRelay {
    /** Why a BOOTP message was not relayed; each maps to one counter of {@link Router.Stats}. */
    enum Drop {
        /** The message did not parse, or its op is neither BOOTREQUEST nor BOOTREPLY. */
        MALFORMED,
        /** A BOOTREQUEST on an interface without relaying, or with no server set. */
        RELAY_DISABLED,
        /** A BOOTREQUEST whose hops is above the limit. */
        HOPS_EXCEEDED,
        /** A BOOTREQUEST whose TTL was 1 or 0. */
        TTL_EXPIRED,
        /** A BOOTREQUEST for a server no interface or default route leads to. */
        NO_ROUTE,
        /** A BOOTREPLY whose giaddr is not a relay interface's address. */
        UNKNOWN_GIADDR
    }

    /** What the router does with one BOOTP message. */
    sealed interface Outcome {
        /** Route {@code datagram} (IPv4 header onward) to {@code server}: a relayed BOOTREQUEST. */
        record ToServer(int server, byte[] datagram) implements Outcome {
        }

        /** Send {@code datagram} on {@code out} to {@code mac} as it is: a relayed BOOTREPLY. */
        record ToClient(Router.Interface out, MacAddress mac, byte[] datagram) implements Outcome {
        }

        /** Drop the message, counted by {@code reason}. */
        record Dropped(Drop reason) implements Outcome {
        }
    }

    /** Which interface leads toward an address (the router's routing table). */
    @FunctionalInterface
    interface Routes {
        /** Returns the egress interface toward {@code dst}, or null when there is none. */
        Router.Interface egressToward(int dst);
    }

    /** Offsets of the two fields a relay changes (RFC 951's layout). */
    private static final int HOPS = 3, GIADDR = 24;

    private final Routes routes;
    private final List<Router.Interface> on = new ArrayList<>();
    private Ipv4Address server = Ipv4Address.ANY;
    private int maxHops = Router.DEFAULT_MAX_HOPS;
    private int ident;

    BootpRelay(Routes routes) {
        this.routes = routes;
    }

    /** Relays requests arriving on {@code in} to {@code server}; the server and limit serve every relay interface. */
    void enable(Router.Interface in, Ipv4Address server, int maxHops) {
        if (!on.contains(in)) {
            on.add(in);
        }
        this.server = server;
        this.maxHops = maxHops;
    }

    /** Returns true when relaying is enabled on {@code in}. */
    boolean enabledOn(Router.Interface in) {
        return on.contains(in);
    }

    /**
     * Decides what becomes of the BOOTP message at {@code off} (UDP payload, {@code len} bytes) of a datagram
     * for the router's port 67 that arrived on {@code in} with TTL {@code ttl}.
     */
    Outcome onMessage(Router.Interface in, ByteBuffer frame, int off, int len, int ttl) {
        BootpMessage m;
        try {
            m = BootpMessage.parse(frame, off, len);
        } catch (MalformedPacketException e) {
            return new Outcome.Dropped(Drop.MALFORMED);
        }
        // The message travels as it came, byte for byte (RFC 1542 4.1.2: "All BOOTP fields MUST be preserved intact"):
        // option overload, padding and unknown options included. Only giaddr and hops change on the way to the server.
        byte[] raw = new byte[len];
        frame.get(off, raw);
        return switch (m.op()) {
            case BootpMessage.BOOTREQUEST -> request(in, m, raw, ttl);
            case BootpMessage.BOOTREPLY -> reply(m, raw);
            default -> new Outcome.Dropped(Drop.MALFORMED);
        };
    }

    private Outcome request(Router.Interface in, BootpMessage m, byte[] raw, int ttl) {
        if (!enabledOn(in) || server.isAny()) {
            return new Outcome.Dropped(Drop.RELAY_DISABLED);
        }
        // RFC 1542 section 4.1.1: "The relay agent MUST silently discard BOOTREQUEST messages whose 'hops'
        // field exceeds the value 16", or a smaller configured threshold.
        if (m.hops() > maxHops) {
            return new Outcome.Dropped(Drop.HOPS_EXCEEDED);
        }
        if (ttl <= 1) {
            return new Outcome.Dropped(Drop.TTL_EXPIRED);
        }
        // "If this field is zero, the relay agent MUST fill this field with the IP address of the interface
        // on which the request was received. ... If the 'giaddr' field contains some non-zero value, the
        // 'giaddr' field MUST NOT be modified." "The value of the 'hops' field MUST be incremented."
        Ipv4Address giaddr = m.giaddr().isAny() ? in.address() : m.giaddr();
        ByteBuffer out = ByteBuffer.wrap(raw);
        out.put(HOPS, (byte) (m.hops() + 1));
        giaddr.write(out, GIADDR);
        Router.Interface egress = routes.egressToward(server.value());
        if (egress == null) {
            return new Outcome.Dropped(Drop.NO_ROUTE);
        }
        // "the relay agent may set the IP Time-To-Live field to ... the TTL of the original BOOTREQUEST
        // decremented by (at least) one", the RFC's preferred choice against loops.
        byte[] datagram = udpDatagram(egress.address().value(), server.value(), BootpMessage.SERVER_PORT,
                BootpMessage.SERVER_PORT, ttl - 1, raw);
        return new Outcome.ToServer(server.value(), datagram);
    }

    private Outcome reply(BootpMessage m, byte[] raw) {
        // RFC 1542 section 4.1.2: "If the content of the 'giaddr' field does not match one of the relay
        // agent's directly-connected logical interfaces, the BOOTREPLY message MUST be silently discarded."
        Router.Interface out = null;
        for (Router.Interface i : on) {
            if (i.address().equals(m.giaddr())) {
                out = i;
            }
        }
        if (out == null) {
            return new Outcome.Dropped(Drop.UNKNOWN_GIADDR);
        }
        // "If this flag is set to 1, the reply SHOULD be sent as an IP broadcast using the IP limited broadcast
        // address 255.255.255.255 ... and the link-layer broadcast address. If the BROADCAST flag is cleared
        // (0), the reply SHOULD be sent as an IP unicast to ... 'yiaddr' and the link-layer address ... 'chaddr'."
        // "If unicasting is not possible, the reply MAY be sent as a broadcast": a non-Ethernet chaddr, or no yiaddr.
        boolean unicast = !m.broadcast() && !m.yiaddr().isAny() && m.htype() == 1 && m.hlen() == MacAddress.LENGTH;
        int dstIp = unicast ? m.yiaddr().value() : Ipv4Address.BROADCAST.value();
        MacAddress dstMac = unicast ? m.chaddr() : MacAddress.BROADCAST;
        // "All BOOTP fields MUST be preserved intact." "The reply MUST have its UDP destination port set to BOOTPC (68)."
        byte[] datagram = udpDatagram(out.address().value(), dstIp, BootpMessage.SERVER_PORT, BootpMessage.CLIENT_PORT,
                Router.TTL, raw);
        return new Outcome.ToClient(out, dstMac, datagram);
    }

    /** Returns a whole IPv4/UDP datagram carrying the BOOTP message {@code m}, with both checksums. */
    private byte[] udpDatagram(int src, int dst, int srcPort, int dstPort, int ttl, byte[] m) {
        int payload = m.length;
        int udpLen = UdpDatagram.HEADER_LEN + payload;
        byte[] b = new byte[Ipv4Packet.HEADER_LEN + udpLen];
        ByteBuffer buf = ByteBuffer.wrap(b);
        buf.put(Ipv4Packet.HEADER_LEN + UdpDatagram.HEADER_LEN, m);
        UdpDatagram.emit(buf, Ipv4Packet.HEADER_LEN, srcPort, dstPort, payload, src, dst);
        Ipv4Packet.emit(buf, 0, udpLen, Ipv4Packet.PROTO_UDP, src, dst, ttl, ident++);
        return b;
    }
}
