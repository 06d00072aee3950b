package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.wire.ArpPacket;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.Checksum;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The router and BOOTP relay agent as timelines on two segments, each with a 100 µs one-way latency:
 * client side 10.0.1.0/24 (router 10.0.1.1), server side 10.0.0.0/24 (router 10.0.0.254, BOOTP server
 * 10.0.0.1). Expected values from RFC 826, RFC 791/1812 (TTL, header checksum) and RFC 1542 section 4.
 */
class RouterTest {
    static final long L = 100_000L;
    static final long MS = 1_000_000L;
    static final MacAddress ROUTER_C = MacAddress.parse("02:00:00:00:01:01");
    static final MacAddress ROUTER_S = MacAddress.parse("02:00:00:00:00:fe");
    static final MacAddress CLIENT = MacAddress.parse("02:00:00:00:01:42");
    static final MacAddress SERVER = MacAddress.parse("02:00:00:00:00:01");
    static final Ipv4Address R_C = Ipv4Address.parse("10.0.1.1");
    static final Ipv4Address R_S = Ipv4Address.parse("10.0.0.254");
    static final Ipv4Address CLIENT_IP = Ipv4Address.parse("10.0.1.42");
    static final Ipv4Address SERVER_IP = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address MASK = Ipv4Address.parse("255.255.255.0");
    static final int XID = 0x5eed1542;
    /** A BOOTREQUEST as a client broadcasts it: nothing known yet, no flags. */
    static final BootpMessage REQUEST = new BootpMessage(BootpMessage.BOOTREQUEST, 1, 6, 0, XID, 2, 0, Ipv4Address.ANY,
            Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY, CLIENT, "", "boot.img", BootpOptions.NONE);
    /** The server's reply to it, sent to the relay (giaddr). */
    static final BootpMessage REPLY = new BootpMessage(BootpMessage.BOOTREPLY, 1, 6, 1, XID, 2, 0, Ipv4Address.ANY,
            CLIENT_IP, SERVER_IP, R_C, CLIENT, "", "boot.img", BootpOptions.NONE);

    Simulation sim;
    EthernetSegment clientSeg, serverSeg;
    Router router;
    Router.Interface clientSide, serverSide;
    RawStation client, server;

    @BeforeEach
    void setUp() {
        sim = new Simulation();
        clientSeg = sim.newSegment(L, FaultPlan.NONE, 1);
        serverSeg = sim.newSegment(L, FaultPlan.NONE, 2);
        router = sim.add(new Router());
        clientSide = router.addInterface(clientSeg, ROUTER_C, R_C, MASK);
        serverSide = router.addInterface(serverSeg, ROUTER_S, R_S, MASK);
        router.relayBootp(clientSide, SERVER_IP, Router.DEFAULT_MAX_HOPS);
        client = sim.add(new RawStation(clientSeg, CLIENT));
        server = sim.add(new RawStation(serverSeg, SERVER).answeringArpFor(SERVER_IP));
    }

    static BootpMessage withHopsAndGiaddr(BootpMessage m, int hops, Ipv4Address giaddr) {
        return new BootpMessage(m.op(), m.htype(), m.hlen(), hops, m.xid(), m.secs(), m.flags(), m.ciaddr(), m.yiaddr(),
                m.siaddr(), giaddr, m.chaddr(), m.sname(), m.file(), m.options());
    }

    static BootpMessage withFlags(BootpMessage m, int flags) {
        return new BootpMessage(m.op(), m.htype(), m.hlen(), m.hops(), m.xid(), m.secs(), flags, m.ciaddr(), m.yiaddr(),
                m.siaddr(), m.giaddr(), m.chaddr(), m.sname(), m.file(), m.options());
    }

    byte[] clientToServer(int ttl, Ipv4Address dst) {
        return RawStation.udpFrame(ROUTER_C, CLIENT, CLIENT_IP, dst, ttl, 0x1234, 2000, 69, "hello".getBytes());
    }

    /** Sends a BOOTREQUEST broadcast from the client (source 0.0.0.0:68, RFC 951 section 4). */
    void broadcastRequest(long at, BootpMessage m) {
        client.send(at, RawStation.udpFrame(MacAddress.BROADCAST, CLIENT, Ipv4Address.ANY, Ipv4Address.BROADCAST, 64, 1,
                68, 67, RawStation.bytes(m)));
    }

    @Test
    void answersArpForEachAddressOnlyOnItsOwnSide() {
        client.send(0, RawStation.arpFrame(new ArpPacket(ArpPacket.REQUEST, CLIENT, CLIENT_IP, MacAddress.ZERO, R_C),
                MacAddress.BROADCAST));
        client.send(0, RawStation.arpFrame(new ArpPacket(ArpPacket.REQUEST, CLIENT, CLIENT_IP, MacAddress.ZERO, R_S),
                MacAddress.BROADCAST));
        sim.runFor(10 * MS);
        List<RawStation.Frame> arps = client.heard(EthernetFrame.TYPE_ARP);
        assertEquals(1, arps.size(), "only 10.0.1.1 is answered on the client side");
        RawStation.Frame f = arps.getFirst();
        assertEquals(2 * L, f.at());
        assertEquals(CLIENT, f.dst());
        assertEquals(new ArpPacket(ArpPacket.REPLY, ROUTER_C, R_C, CLIENT, CLIENT_IP), f.arp());
        assertEquals(CLIENT, clientSide.arpEntry(CLIENT_IP), "RFC 826: the target learns the sender");
        assertTrue(server.heard.isEmpty(), "nothing crosses to the server side");
        assertEquals(2, router.stats().arpHandled());
        assertEquals(1, router.stats().arpRepliesSent());
    }

    @Test
    void forwardsWithTtlDecrementedAndTheHeaderChecksumRecomputed() {
        byte[] sent = clientToServer(64, SERVER_IP);
        client.send(0, sent);
        sim.runFor(10 * MS);
        // t=L the router has the datagram and ARPs for 10.0.0.1; the reply is back at 3L; the datagram arrives at 4L.
        List<RawStation.Frame> ip = server.heard(EthernetFrame.TYPE_IPV4);
        assertEquals(1, ip.size());
        RawStation.Frame f = ip.getFirst();
        assertEquals(4 * L, f.at());
        assertEquals(SERVER, f.dst());
        assertEquals(ROUTER_S, f.src());
        assertEquals(63, f.ip().ttl());
        assertEquals(CLIENT_IP.value(), f.ip().src());
        assertEquals(SERVER_IP.value(), f.ip().dst());

        // The header checksum, computed independently: the sent header with TTL 63 and the field zeroed.
        ByteBuffer expected = ByteBuffer.wrap(Arrays.copyOfRange(sent, 14, 34));
        expected.put(8, (byte) 63).putShort(10, (short) 0);
        int checksum = Checksum.of(expected, 0, 20);
        ByteBuffer got = f.buf();
        assertEquals(checksum, got.getShort(14 + 10) & 0xFFFF);
        assertEquals(0, Checksum.of(got, 14, 20), "the header sums to zero with its checksum");
        // RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), for the 16-bit word TTL/protocol going from 0x4011 to 0x3f11.
        int hc = ByteBuffer.wrap(sent).getShort(14 + 10) & 0xFFFF;
        long sum = (~hc & 0xFFFF) + (~0x4011 & 0xFFFF) + 0x3f11;
        assertEquals(checksum, Checksum.finish(sum));
        // Everything but TTL and checksum is untouched: the rest of the header, UDP header and payload.
        assertArrayEquals(Arrays.copyOfRange(sent, 34, sent.length), Arrays.copyOfRange(f.bytes(), 34, f.bytes().length));
        assertArrayEquals(Arrays.copyOfRange(sent, 14, 22), Arrays.copyOfRange(f.bytes(), 14, 22));
        assertEquals(1, router.stats().forwarded());
        assertEquals(1, router.stats().arpRequestsSent());

        // The next hop is cached now: a second datagram crosses in two latencies, no ARP.
        client.send(sim.now(), clientToServer(64, SERVER_IP));
        long t = sim.now();
        sim.runFor(10 * MS);
        assertEquals(t + 2 * L, server.heard(EthernetFrame.TYPE_IPV4).get(1).at());
        assertEquals(1, server.heard(EthernetFrame.TYPE_ARP).size());
    }

    @Test
    void ttlOfOneIsDroppedAndCountedTwoLeavesWithOne() {
        client.send(0, clientToServer(1, SERVER_IP));
        client.send(0, clientToServer(0, SERVER_IP));
        sim.runFor(10 * MS);
        assertTrue(server.heard.isEmpty(), "no ARP either: the datagrams die before routing");
        assertEquals(2, router.stats().ttlExpired());

        client.send(sim.now(), clientToServer(2, SERVER_IP));
        sim.runFor(10 * MS);
        assertEquals(1, server.heard(EthernetFrame.TYPE_IPV4).getFirst().ip().ttl());
    }

    @Test
    void offSubnetDestinationNeedsTheDefaultRoute() {
        Ipv4Address far = Ipv4Address.parse("192.168.9.9");
        client.send(0, clientToServer(64, far));
        sim.runFor(10 * MS);
        assertEquals(1, router.stats().noRoute());
        assertTrue(server.heard.isEmpty());

        router.defaultRoute(SERVER_IP);
        client.send(sim.now(), clientToServer(64, far));
        sim.runFor(10 * MS);
        RawStation.Frame f = server.heard(EthernetFrame.TYPE_IPV4).getFirst();
        assertEquals(SERVER, f.dst(), "sent to the gateway's MAC");
        assertEquals(far.value(), f.ip().dst(), "with the far destination kept");
        assertThrows(IllegalArgumentException.class, () -> router.defaultRoute(Ipv4Address.parse("172.16.0.1")));
    }

    @Test
    void unansweredNextHopGetsThreeArpRequestsThenItsQueueIsDropped() {
        Ipv4Address nobody = Ipv4Address.parse("10.0.0.77");
        client.send(0, clientToServer(64, nobody));
        client.send(0, clientToServer(64, nobody));
        sim.runFor(L + Router.ARP_REQUESTS * Router.ARP_RETRY_NANOS - 1);
        assertEquals(2, serverSide.waiting());
        assertEquals(0, router.stats().arpFailed());
        sim.runFor(1);
        assertEquals(0, serverSide.waiting());
        assertEquals(2, router.stats().arpFailed());
        assertEquals(0, router.stats().forwarded(), "nothing left the router");
        List<Long> times = server.heard(EthernetFrame.TYPE_ARP).stream().map(RawStation.Frame::at).toList();
        assertEquals(List.of(2 * L, 2 * L + 500 * MS, 2 * L + 1000 * MS), times);
    }

    @Test
    void relaySetsGiaddrAndHopsAndUnicastsToTheServerFromPort67() {
        broadcastRequest(0, REQUEST);
        sim.runFor(10 * MS);
        List<RawStation.Frame> ip = server.heard(EthernetFrame.TYPE_IPV4);
        assertEquals(1, ip.size());
        RawStation.Frame f = ip.getFirst();
        assertEquals(4 * L, f.at()); // received at L, ARP round trip for 10.0.0.1, then one latency
        assertEquals(SERVER, f.dst());
        assertEquals(ROUTER_S, f.src());
        assertEquals(R_S.value(), f.ip().src(), "from the egress interface's address");
        assertEquals(SERVER_IP.value(), f.ip().dst());
        assertEquals(63, f.ip().ttl(), "RFC 1542 4.1.1: the request's TTL decremented by one");
        assertEquals(0, Checksum.of(f.buf(), 14, 20));
        assertEquals(67, f.udp().srcPort());
        assertEquals(67, f.udp().dstPort());
        assertTrue(f.udp().checksum() != 0 && f.udp().checksumOk(f.ip().src(), f.ip().dst()), "UDP checksum recomputed");
        // giaddr := the receiving interface's address, hops + 1, every other field intact.
        assertEquals(withHopsAndGiaddr(REQUEST, 1, R_C), f.bootp());
        assertEquals(1, router.stats().relayedRequests());
        assertEquals(0, router.stats().forwarded());
    }

    @Test
    void relayKeepsANonZeroGiaddrAndDropsRequestsAboveTheHopsLimit() {
        Ipv4Address other = Ipv4Address.parse("10.0.9.1");
        broadcastRequest(0, withHopsAndGiaddr(REQUEST, 4, other)); // 4 = the limit: relayed with 5
        broadcastRequest(0, withHopsAndGiaddr(REQUEST, 5, other)); // above: "MUST silently discard"
        sim.runFor(10 * MS);
        List<RawStation.Frame> ip = server.heard(EthernetFrame.TYPE_IPV4);
        assertEquals(1, ip.size());
        assertEquals(withHopsAndGiaddr(REQUEST, 5, other), ip.getFirst().bootp());
        assertEquals(1, router.stats().hopsExceeded());
        assertEquals(1, router.stats().relayedRequests());
    }

    /** Sends {@code m} from the server to the relay's giaddr, port 67 to 67, at the router's server-side MAC. */
    void replyFromServer(long at, BootpMessage m) {
        server.send(at, RawStation.udpFrame(ROUTER_S, SERVER, SERVER_IP, R_C, 64, 7, 67, 67, RawStation.bytes(m)));
    }

    @Test
    void replyWithTheBroadcastFlagIsBroadcastOnTheClientSide() {
        BootpMessage m = withFlags(REPLY, BootpMessage.FLAG_BROADCAST);
        replyFromServer(0, m);
        sim.runFor(10 * MS);
        List<RawStation.Frame> ip = client.heard(EthernetFrame.TYPE_IPV4);
        assertEquals(1, ip.size());
        RawStation.Frame f = ip.getFirst();
        assertEquals(2 * L, f.at());
        assertEquals(MacAddress.BROADCAST, f.dst());
        assertEquals(ROUTER_C, f.src());
        assertEquals(R_C.value(), f.ip().src());
        assertEquals(Ipv4Address.BROADCAST.value(), f.ip().dst());
        assertEquals(67, f.udp().srcPort());
        assertEquals(68, f.udp().dstPort());
        assertTrue(f.udp().checksumOk(f.ip().src(), f.ip().dst()));
        assertEquals(m, f.bootp(), "RFC 1542 4.1.2: all BOOTP fields preserved intact");
        assertEquals(1, router.stats().relayedReplies());
    }

    @Test
    void replyWithoutTheFlagIsUnicastToYiaddrAtChaddrWithoutArp() {
        replyFromServer(0, REPLY);
        sim.runFor(10 * MS);
        assertEquals(1, client.heard.size(), "no ARP on the client side: the client has no address to answer with yet");
        RawStation.Frame f = client.heard.getFirst();
        assertEquals(2 * L, f.at());
        assertEquals(CLIENT, f.dst());
        assertEquals(CLIENT_IP.value(), f.ip().dst());
        assertEquals(68, f.udp().dstPort());
        assertEquals(REPLY, f.bootp());
    }

    @Test
    void replyForAGiaddrThatIsNotARelayInterfaceIsDiscarded() {
        replyFromServer(0, withHopsAndGiaddr(REPLY, 1, Ipv4Address.parse("10.0.5.1")));
        replyFromServer(0, withHopsAndGiaddr(REPLY, 1, R_S)); // ours, but relaying is off on the server side
        sim.runFor(10 * MS);
        assertTrue(client.heard.isEmpty());
        assertEquals(2, router.stats().unknownGiaddr());
    }

    @Test
    void requestsOnTheServerSideAndClientPortDatagramsAreNotRelayed() {
        server.send(0, RawStation.udpFrame(MacAddress.BROADCAST, SERVER, Ipv4Address.ANY, Ipv4Address.BROADCAST, 64, 1,
                68, 67, RawStation.bytes(REQUEST)));
        client.send(0, RawStation.udpFrame(MacAddress.BROADCAST, CLIENT, Ipv4Address.ANY, Ipv4Address.BROADCAST, 64, 1,
                67, 68, RawStation.bytes(REPLY)));
        client.send(0, RawStation.udpFrame(ROUTER_C, CLIENT, CLIENT_IP, R_C, 64, 1, 5000, 7, new byte[4]));
        sim.runFor(10 * MS);
        Router.Stats s = router.stats();
        assertEquals(1, s.relayDisabled());
        assertEquals(1, s.bootpcDiscarded(), "RFC 1542 4.1: UDP to port 68 MUST be silently discarded");
        assertEquals(1, s.localDropped(), "no service on UDP 5000, and no ICMP either");
        assertEquals(0, s.relayedRequests() + s.relayedReplies() + s.forwarded());
        assertTrue(client.heard.isEmpty());
    }

    @Test
    void framesForOtherStationsAndBadChecksumsAreCounted() {
        byte[] bad = clientToServer(64, SERVER_IP);
        bad[14 + 10] ^= 1; // corrupt the IPv4 header checksum
        client.send(0, bad);
        client.send(0, RawStation.udpFrame(MacAddress.parse("02:00:00:00:01:99"), CLIENT, CLIENT_IP, SERVER_IP, 64, 1, 1, 2,
                new byte[1]));
        sim.runFor(10 * MS);
        assertEquals(1, router.stats().malformed());
        assertEquals(1, router.stats().notForUs());
        assertTrue(server.heard.isEmpty());
        assertNull(serverSide.arpEntry(SERVER_IP));
    }

    @Test
    void rejectsOverlappingInterfacesAndABadHopsLimit() {
        assertThrows(IllegalArgumentException.class, () -> router.addInterface(clientSeg, MacAddress.parse("02:00:00:00:09:09"),
                Ipv4Address.parse("10.0.1.200"), MASK));
        assertThrows(IllegalArgumentException.class, () -> router.relayBootp(clientSide, SERVER_IP, 17));
    }
}
