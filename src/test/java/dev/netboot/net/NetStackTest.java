package dev.netboot.net;

import static dev.netboot.net.ScriptedLink.MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.wire.ArpPacket;
import dev.netboot.wire.Checksum;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** NetStack on a scripted link, as timelines: ARP (RFC 826), routing, UDP demux and drop counters. */
class NetStackTest {
    static final MacAddress OUR_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress SERVER_MAC = MacAddress.parse("02:00:00:00:00:05");
    static final MacAddress GW_MAC = MacAddress.parse("02:00:00:00:00:fe");
    static final MacAddress STRANGER_MAC = MacAddress.parse("02:00:00:00:00:77");
    static final Ipv4Address OUR_IP = Ipv4Address.parse("10.0.0.2");
    static final Ipv4Address MASK = Ipv4Address.parse("255.255.255.0");
    static final Ipv4Address GW_IP = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address SERVER_IP = Ipv4Address.parse("10.0.0.5");
    static final Ipv4Address FAR_IP = Ipv4Address.parse("192.168.7.9");
    static final int PORT = 5000;

    /** 4 cache entries, 5 min lifetime, ARP every 500 ms, 3 requests, TTL 64, checksums on. */
    static final NetConfig CONFIG = new NetConfig(4, 300_000 * MS, 500 * MS, 3, 64, true);

    ScriptedLink link;
    NetStack net;
    Recorder rec;

    record Datagram(long at, Ipv4Address src, int srcPort, Ipv4Address dst, byte[] payload) {
    }

    record Unreachable(long at, Ipv4Address dst, String reason) {
    }

    static final class Recorder implements UdpHandler {
        final List<Datagram> datagrams = new ArrayList<>();
        final List<Unreachable> unreachable = new ArrayList<>();

        @Override
        public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
            byte[] p = new byte[len];
            buf.get(off, p);
            datagrams.add(new Datagram(now, new Ipv4Address(srcIp), srcPort, new Ipv4Address(dstIp), p));
        }

        @Override
        public void onUnreachable(long now, Ipv4Address dst, int dstPort, boolean refused, String reason) {
            unreachable.add(new Unreachable(now, dst, reason));
        }
    }

    @BeforeEach
    void setUp() {
        link = new ScriptedLink(OUR_MAC);
        net = new NetStack(link, CONFIG);
        rec = new Recorder();
        net.bind(PORT, rec);
    }

    void configured() {
        net.configure(OUR_IP, MASK, GW_IP);
    }

    void deliver(long at, byte[] frame) {
        link.deliver(at, frame);
        net.poll(at);
    }

    static PayloadWriter bytes(byte[] p) {
        return (buf, off, len) -> buf.put(off, p, 0, len);
    }

    static byte[] udpToUs(Ipv4Address dst, int dstPort, byte[] payload) {
        return Frames.udp(SERVER_MAC, OUR_MAC, SERVER_IP, 69, dst, dstPort, payload);
    }

    static void assertArpRequest(Frames.Frame f, Ipv4Address target) {
        Frames.Arp a = f.asArp();
        assertEquals(MacAddress.BROADCAST, a.ethDst());
        assertEquals(OUR_MAC, a.ethSrc());
        assertEquals(new ArpPacket(ArpPacket.REQUEST, OUR_MAC, OUR_IP, MacAddress.ZERO, target), a.arp());
    }

    // ---- ARP (RFC 826) ----

    @Test
    void answersArpRequestForOurAddressAndLearnsTheSender() {
        configured();
        deliver(10 * MS, Frames.arpRequest(SERVER_MAC, SERVER_IP, OUR_IP));
        Frames.Arp reply = link.takeOne(10 * MS).asArp();
        // RFC 826: swap sender and target, put our own addresses in the sender fields, opcode to ar$op reply.
        assertEquals(SERVER_MAC, reply.ethDst());
        assertEquals(OUR_MAC, reply.ethSrc());
        assertEquals(new ArpPacket(ArpPacket.REPLY, OUR_MAC, OUR_IP, SERVER_MAC, SERVER_IP), reply.arp());
        assertEquals(1, net.stats().arpRepliesSent());

        // "If Merge_flag is false, add the triplet": the requester is now known, no request needed.
        assertEquals(new ArpStatus.Resolved(SERVER_MAC), net.resolve(20 * MS, SERVER_IP));
        link.expectNoTx();
    }

    // ---- RFC 5227 address conflict detection ----

    @Test
    void anotherHostsProbeForOurAddressGetsTheOrdinaryReplyAndTeachesNothing() {
        configured();
        deliver(10 * MS, Frames.arp(SERVER_MAC, MacAddress.BROADCAST,
                new ArpPacket(ArpPacket.REQUEST, SERVER_MAC, Ipv4Address.ANY, MacAddress.ZERO, OUR_IP)));
        Frames.Arp reply = link.takeOne(10 * MS).asArp();
        assertEquals(SERVER_MAC, reply.ethDst());
        // RFC 826 reply to the prober; its target protocol address is the prober's 0.0.0.0.
        assertEquals(new ArpPacket(ArpPacket.REPLY, OUR_MAC, OUR_IP, SERVER_MAC, Ipv4Address.ANY), reply.arp());
        assertEquals(new ArpStatus.Pending(1), net.resolve(20 * MS, SERVER_IP), "0.0.0.0 taught nothing");
    }

    @Test
    void probeAndAnnouncementHaveTheRfc5227Layout() {
        Ipv4Address candidate = Ipv4Address.parse("10.0.0.42");
        assertTrue(net.sendArpProbe(MS, candidate));
        // "an ARP Request ... with the 'sender hardware address' field set to the hardware address of the interface
        // sending the packet, the 'sender IP address' field set to all zeroes, and the 'target hardware address' field set
        // to all zeroes. The 'target IP address' field MUST be set to the address being probed."
        assertEquals(new ArpPacket(ArpPacket.REQUEST, OUR_MAC, Ipv4Address.ANY, MacAddress.ZERO, candidate),
                link.takeOne(MS).asArp().arp());
        assertTrue(net.sendArpAnnouncement(2 * MS, candidate));
        assertEquals(new ArpPacket(ArpPacket.REQUEST, OUR_MAC, candidate, MacAddress.ZERO, candidate),
                link.takeOne(2 * MS).asArp().arp());
        assertEquals(0, net.stats().arpRequestsSent(), "probes are not address resolutions");
    }

    @Test
    void watchedAddressReportsWhoeverClaimsIt() {
        Ipv4Address candidate = Ipv4Address.parse("10.0.0.42");
        net.watchAddress(candidate);
        deliver(MS, Frames.arpRequest(SERVER_MAC, SERVER_IP, Ipv4Address.parse("10.0.0.9")));
        assertEquals(null, net.conflict(), "traffic of other addresses is no conflict");
        deliver(2 * MS, Frames.arpRequest(STRANGER_MAC, candidate, SERVER_IP)); // a host using the address
        assertEquals(STRANGER_MAC, net.conflict());
        net.watchAddress(Ipv4Address.ANY);
        assertEquals(null, net.conflict());
    }

    @Test
    void ignoresArpRequestForAnotherAddress() {
        configured();
        deliver(10 * MS, Frames.arpRequest(SERVER_MAC, SERVER_IP, Ipv4Address.parse("10.0.0.77")));
        link.expectNoTx();
        assertEquals(0, net.stats().arpRepliesSent());
        assertEquals(1, net.stats().dropNotForUs());
        // Not the target and not in the table: nothing is learned (RFC 826 only merges known senders).
        assertEquals(new ArpStatus.Pending(1), net.resolve(20 * MS, SERVER_IP));
        assertArpRequest(link.takeOne(20 * MS), SERVER_IP);
    }

    @Test
    void resolveRetriesEveryIntervalThenReportsFailedOnce() {
        configured();
        assertEquals(new ArpStatus.Pending(1), net.resolve(0, SERVER_IP));
        assertArpRequest(link.takeOne(0), SERVER_IP);

        net.poll(499 * MS);
        link.expectNoTx();                                           // nothing before the interval
        assertEquals(500 * MS, net.pollAt());
        net.poll(500 * MS);
        assertArpRequest(link.takeOne(500 * MS), SERVER_IP);         // second request, exactly at 500 ms
        assertEquals(new ArpStatus.Pending(2), net.resolve(600 * MS, SERVER_IP));
        link.expectNoTx();                                           // asking again does not send early
        net.poll(net.pollAt());
        assertArpRequest(link.takeOne(1000 * MS), SERVER_IP);        // third and last (arpMaxRequests 3)

        net.poll(1499 * MS);
        assertEquals(new ArpStatus.Pending(3), net.resolve(1499 * MS, SERVER_IP));
        net.poll(1500 * MS);                                         // a full interval after the last: give up
        link.expectNoTx();
        assertEquals(Long.MAX_VALUE, net.pollAt());
        assertEquals(new ArpStatus.Failed(3), net.resolve(1500 * MS, SERVER_IP));
        assertEquals(1, net.stats().arpFailures());
        assertEquals(3, net.stats().arpRequestsSent());

        // Reported once; the next call starts afresh.
        assertEquals(new ArpStatus.Pending(1), net.resolve(2000 * MS, SERVER_IP));
        assertArpRequest(link.takeOne(2000 * MS), SERVER_IP);
    }

    @Test
    void resolveSucceedsOnReplyAndStopsRetrying() {
        configured();
        net.resolve(0, SERVER_IP);
        link.takeTx();
        deliver(700 * MS, Frames.arpReply(SERVER_MAC, SERVER_IP, OUR_MAC, OUR_IP));
        assertEquals(new ArpStatus.Resolved(SERVER_MAC), net.resolve(700 * MS, SERVER_IP));
        assertEquals(Long.MAX_VALUE, net.pollAt());
        net.poll(5000 * MS);
        link.expectNoTx();
    }

    @Test
    void arpCacheIsBoundedAndEvictsTheOldestEntry() {
        configured();
        // Five hosts introduce themselves, one per millisecond; the cache holds four (NetConfig.arpCacheSize).
        for (int i = 1; i <= 5; i++) {
            deliver(i * MS, Frames.arpRequest(host(i).mac, host(i).ip, OUR_IP));
        }
        assertEquals(5, link.takeTx().size());                       // five replies
        for (int i = 2; i <= 5; i++) {
            assertEquals(new ArpStatus.Resolved(host(i).mac), net.resolve(10 * MS, host(i).ip));
        }
        link.expectNoTx();
        // The first learned is the one that went.
        assertEquals(new ArpStatus.Pending(1), net.resolve(10 * MS, host(1).ip));
        assertArpRequest(link.takeOne(10 * MS), host(1).ip);
    }

    record Host(MacAddress mac, Ipv4Address ip) {
    }

    static Host host(int i) {
        return new Host(new MacAddress(0x0200_0000_0100L + i), new Ipv4Address(OUR_IP.value() + 100 + i));
    }

    // ---- UDP sending and routing ----

    @Test
    void udpToUnresolvedOnLinkHostWaitsForArpThenGoes() {
        configured();
        byte[] payload = Frames.pattern(0, 33);
        assertEquals(SendResult.PENDING_ARP, net.sendUdp(0, PORT, SERVER_IP, 69, payload.length, bytes(payload)));
        assertArpRequest(link.takeOne(0), SERVER_IP);

        deliver(3 * MS, Frames.arpReply(SERVER_MAC, SERVER_IP, OUR_MAC, OUR_IP));
        Frames.Udp u = link.takeOne(3 * MS).asUdp();
        assertEquals(SERVER_MAC, u.ethDst());
        assertEquals(OUR_MAC, u.ethSrc());
        assertEquals(OUR_IP, u.srcIp());
        assertEquals(SERVER_IP, u.dstIp());
        assertEquals(PORT, u.srcPort());
        assertEquals(69, u.dstPort());
        assertEquals(64, u.ttl());
        assertArrayEquals(payload, u.payload());

        // Now cached: the next datagram goes at once.
        assertEquals(SendResult.SENT, net.sendUdp(4 * MS, PORT, SERVER_IP, 69, 1, bytes(new byte[] {7})));
        assertEquals(SERVER_MAC, link.takeOne(4 * MS).ethDst());
    }

    @Test
    void offLinkDestinationGoesThroughTheGatewayMac() {
        configured();
        byte[] payload = Frames.pattern(9, 10);
        assertEquals(GW_IP, net.nextHop(FAR_IP));
        assertEquals(SendResult.PENDING_ARP, net.sendUdp(0, PORT, FAR_IP, 69, payload.length, bytes(payload)));
        assertArpRequest(link.takeOne(0), GW_IP);                    // ARP for the gateway, not the far host

        deliver(2 * MS, Frames.arpReply(GW_MAC, GW_IP, OUR_MAC, OUR_IP));
        Frames.Udp u = link.takeOne(2 * MS).asUdp();
        assertEquals(GW_MAC, u.ethDst());
        assertEquals(FAR_IP, u.dstIp());                             // IP destination unchanged
        assertArrayEquals(payload, u.payload());
    }

    @Test
    void noRouteWithoutGatewayOrWithoutAddress() {
        assertEquals(SendResult.NO_ROUTE, net.sendUdp(0, PORT, SERVER_IP, 69, 0, bytes(new byte[0])));  // unconfigured
        net.configure(OUR_IP, MASK, Ipv4Address.ANY);
        assertEquals(SendResult.NO_ROUTE, net.sendUdp(0, PORT, FAR_IP, 69, 0, bytes(new byte[0])));
        link.expectNoTx();
    }

    @Test
    void broadcastGoesToTheEthernetBroadcastFromAddressZeroBeforeConfigure() {
        assertEquals(SendResult.SENT, net.sendUdp(0, 68, Ipv4Address.BROADCAST, 67, 3, bytes(new byte[] {1, 2, 3})));
        Frames.Udp u = link.takeOne(0).asUdp();
        assertEquals(MacAddress.BROADCAST, u.ethDst());
        assertEquals(Ipv4Address.ANY, u.srcIp());
        assertEquals(Ipv4Address.BROADCAST, u.dstIp());
    }

    @Test
    void busyLinkReportsLinkBusyAndSendsNothing() {
        link.setBusy(true);
        assertEquals(SendResult.LINK_BUSY, net.sendUdp(0, 68, Ipv4Address.BROADCAST, 67, 0, bytes(new byte[0])));
        link.expectNoTx();
        assertEquals(0, net.stats().txFrames());
    }

    @Test
    void unreachableHostIsReportedToTheSendingPort() {
        configured();
        net.sendUdp(0, PORT, SERVER_IP, 69, 1, bytes(new byte[] {1}));
        for (long t = 0; t <= 1500 * MS; t += 100 * MS) {
            net.poll(t);
        }
        assertEquals(3, link.takeTx().size());                       // three ARP requests, no datagram
        assertEquals(1, rec.unreachable.size());
        assertEquals(1500 * MS, rec.unreachable.getFirst().at());
        assertEquals(SERVER_IP, rec.unreachable.getFirst().dst());
    }

    @Test
    void fullArpQueueIsReported() {
        configured();
        for (int i = 1; i <= 4; i++) {
            assertEquals(SendResult.PENDING_ARP, net.sendUdp(0, PORT, host(i).ip, 69, 1, bytes(new byte[] {1})));
        }
        assertEquals(SendResult.QUEUE_FULL, net.sendUdp(0, PORT, host(5).ip, 69, 1, bytes(new byte[] {1})));
    }

    @Test
    void sendsToNewHostsAfterEarlierOnesFailed() {
        configured();
        // Four datagrams to hosts that never answer: every ARP resolution gives up.
        for (int i = 1; i <= 4; i++) {
            net.sendUdp(0, PORT, host(i).ip, 69, 1, bytes(new byte[] {1}));
        }
        for (long t = 0; t <= 2000 * MS; t += 100 * MS) {
            net.poll(t);
        }
        assertEquals(4, rec.unreachable.size());
        link.takeTx();
        // A fifth host must still get an ARP request, and its datagram must go on the reply.
        assertEquals(SendResult.PENDING_ARP, net.sendUdp(3000 * MS, PORT, host(5).ip, 69, 1, bytes(new byte[] {9})));
        assertArpRequest(link.takeOne(3000 * MS), host(5).ip);
        deliver(3001 * MS, Frames.arpReply(host(5).mac, host(5).ip, OUR_MAC, OUR_IP));
        assertEquals(host(5).mac, link.takeOne(3001 * MS).ethDst());
    }

    // ---- receiving: demux and drops by reason ----

    @Test
    void deliversToTheBoundPort() {
        configured();
        deliver(1 * MS, udpToUs(OUR_IP, PORT, new byte[] {1, 2, 3}));
        assertEquals(1, rec.datagrams.size());
        Datagram d = rec.datagrams.getFirst();
        assertEquals(SERVER_IP, d.src());
        assertEquals(69, d.srcPort());
        assertEquals(OUR_IP, d.dst());
        assertArrayEquals(new byte[] {1, 2, 3}, d.payload());
    }

    @Test
    void datagramForUnboundPortIsCounted() {
        configured();
        deliver(1 * MS, udpToUs(OUR_IP, 7777, new byte[] {1}));
        assertEquals(0, rec.datagrams.size());
        assertEquals(1, net.stats().dropNoListener());
    }

    @Test
    void dropsAreCountedByReason() {
        configured();
        byte[] good = udpToUs(OUR_IP, PORT, Frames.pattern(0, 20));

        deliver(1 * MS, Frames.flip(good, Frames.IP_OFF + 10, 0x01));           // IPv4 header checksum
        assertEquals(1, net.stats().dropChecksum());
        deliver(2 * MS, Frames.flip(good, Frames.PAYLOAD_OFF + 5, 0x40));       // a payload bit: UDP checksum
        assertEquals(2, net.stats().dropChecksum());
        deliver(3 * MS, withFlags(good, Ipv4Packet.FLAG_MF));                    // first fragment
        deliver(4 * MS, withFlags(good, 0x0010));                                // a later fragment (offset 16)
        assertEquals(2, net.stats().dropFragment());
        byte[] otherMac = good.clone();
        ByteBuffer.wrap(otherMac).putShort(4, (short) 0x0077);                  // Ethernet dst 02:00:00:00:00:77
        deliver(5 * MS, otherMac);
        assertEquals(1, net.stats().dropNotForUs());
        deliver(6 * MS, Frames.udp(OUR_MAC, MacAddress.BROADCAST, OUR_IP, PORT, Ipv4Address.BROADCAST, PORT, new byte[] {1}));
        assertEquals(2, net.stats().dropNotForUs());                             // our own broadcast echoed back
        deliver(7 * MS, udpToUs(Ipv4Address.parse("10.0.0.99"), PORT, new byte[] {1}));
        assertEquals(3, net.stats().dropNotForUs());                             // another IP address
        deliver(8 * MS, Arrays.copyOf(good, 30));
        assertEquals(1, net.stats().dropMalformed());

        assertEquals(0, rec.datagrams.size());
        assertEquals(8, net.stats().rxFrames());
        assertEquals(2, net.stats().dropChecksum());

        deliver(9 * MS, good);
        assertEquals(1, rec.datagrams.size());
    }

    @Test
    void ethernetPaddingOfShortFramesIsIgnored() {
        configured();
        // Ethernet pads frames to 60 bytes; IPv4 Total Length and the ARP layout say where the data ends.
        byte[] udp = Arrays.copyOf(udpToUs(OUR_IP, PORT, new byte[] {42}), 60);
        Arrays.fill(udp, 43, 60, (byte) 0xEE);
        deliver(1 * MS, udp);
        assertEquals(1, rec.datagrams.size());
        assertArrayEquals(new byte[] {42}, rec.datagrams.getFirst().payload());

        byte[] arp = Arrays.copyOf(Frames.arpRequest(SERVER_MAC, SERVER_IP, OUR_IP), 60);
        Arrays.fill(arp, 42, 60, (byte) 0xEE);
        deliver(2 * MS, arp);
        assertEquals(SERVER_IP, link.takeOne(2 * MS).asArp().arp().tpa());
    }

    @Test
    void zeroUdpChecksumMeansNoChecksum() {
        configured();
        byte[] f = udpToUs(OUR_IP, PORT, new byte[] {4, 5});
        f[Frames.UDP_OFF + 6] = 0;
        f[Frames.UDP_OFF + 7] = 0;
        deliver(1 * MS, f);
        assertEquals(1, rec.datagrams.size());                                   // RFC 768: zero = not computed
    }

    @Test
    void aStackToldNotToSumSendsZeroInTheUdpChecksumAndNothingElseChanges() {
        configured();
        byte[] payload = {1, 2, 3, 4, 5};
        deliver(1 * MS, Frames.arpRequest(SERVER_MAC, SERVER_IP, OUR_IP)); // learn the server: the sends go at once
        link.takeTx();
        assertEquals(SendResult.SENT, net.sendUdp(2 * MS, PORT, SERVER_IP, 69, payload.length, bytes(payload)));
        net.sendUdpChecksums(false);
        assertEquals(SendResult.SENT, net.sendUdp(3 * MS, PORT, SERVER_IP, 69, payload.length, bytes(payload)));
        List<ScriptedLink.Tx> tx = link.takeTx();
        byte[] summed = tx.get(0).bytes();
        byte[] unsummed = tx.get(1).bytes();
        // With the sum: the UDP checksum over pseudo-header, header and data verifies (RFC 768).
        int udpLen = 8 + payload.length;
        int sum = (summed[Frames.UDP_OFF + 6] & 0xFF) << 8 | summed[Frames.UDP_OFF + 7] & 0xFF;
        assertTrue(sum != 0);
        byte[] pseudo = new byte[12 + udpLen];
        System.arraycopy(summed, Frames.IP_OFF + 12, pseudo, 0, 8);        // source and destination address
        pseudo[9] = 17;                                                        // zero, protocol 17
        pseudo[10] = (byte) (udpLen >> 8);
        pseudo[11] = (byte) udpLen;
        System.arraycopy(summed, Frames.UDP_OFF, pseudo, 12, udpLen);
        assertEquals(0xFFFF, onesComplementSum(pseudo, 0, pseudo.length), "RFC 1071: the sum over it all is all ones");
        // Without: 0 in the checksum field; every other byte but the IPv4 identification and header checksum the same.
        assertEquals(0, unsummed[Frames.UDP_OFF + 6]);
        assertEquals(0, unsummed[Frames.UDP_OFF + 7]);
        assertEquals(summed.length, unsummed.length);
        for (int i = 0; i < summed.length; i++) {
            boolean ident = i == Frames.IP_OFF + 4 || i == Frames.IP_OFF + 5;
            boolean headerSum = i == Frames.IP_OFF + 10 || i == Frames.IP_OFF + 11;
            boolean udpSum = i == Frames.UDP_OFF + 6 || i == Frames.UDP_OFF + 7;
            if (!ident && !headerSum && !udpSum) {
                assertEquals(summed[i], unsummed[i], "byte " + i);
            }
        }
        assertEquals(0xFFFF, onesComplementSum(unsummed, Frames.IP_OFF, 20), "the IPv4 header checksum is still right");

        // Another stack takes it (RFC 768: zero means the sender computed none).
        ScriptedLink other = new ScriptedLink(SERVER_MAC);
        NetStack server = new NetStack(other, CONFIG);
        server.configure(SERVER_IP, MASK, GW_IP);
        Recorder got = new Recorder();
        server.bind(69, got);
        other.deliver(4 * MS, unsummed);
        server.poll(4 * MS);
        assertEquals(1, got.datagrams.size());
        assertArrayEquals(payload, got.datagrams.getFirst().payload());
    }

    /** RFC 1071's sum, written out here: 16-bit big-endian words (an odd last byte padded), end-around carry. */
    static int onesComplementSum(byte[] b, int off, int len) {
        int sum = 0;
        for (int i = 0; i < len; i += 2) {
            sum += (b[off + i] & 0xFF) << 8 | (i + 1 < len ? b[off + i + 1] & 0xFF : 0);
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return sum;
    }

    @Test
    void broadcastsAreAccepted() {
        configured();
        deliver(1 * MS, Frames.udp(SERVER_MAC, MacAddress.BROADCAST, SERVER_IP, 67, Ipv4Address.BROADCAST, PORT, new byte[] {1}));
        deliver(2 * MS, Frames.udp(SERVER_MAC, MacAddress.BROADCAST, SERVER_IP, 67, Ipv4Address.parse("10.0.0.255"), PORT, new byte[] {2}));
        assertEquals(2, rec.datagrams.size());
        assertEquals(Ipv4Address.parse("10.0.0.255"), rec.datagrams.get(1).dst());
    }

    @Test
    void theSubnetsOwnBroadcastFormFromOption28IsAcceptedBesideTheStandardOnes() {
        // A 4.2BSD-style subnet broadcasts to the all-zeros host part (RFC 1122 3.3.6); DHCP option 28 says so.
        byte[] bsd = Frames.udp(SERVER_MAC, MacAddress.BROADCAST, SERVER_IP, 67, Ipv4Address.parse("10.0.0.0"), PORT, new byte[] {1});
        configured();
        deliver(1 * MS, bsd);
        assertEquals(0, rec.datagrams.size(), "without option 28, 10.0.0.0 is not a broadcast of 10.0.0.0/24");
        net.configure(OUR_IP, MASK, GW_IP, Ipv4Address.parse("10.0.0.0"));
        deliver(2 * MS, bsd);
        deliver(3 * MS, Frames.udp(SERVER_MAC, MacAddress.BROADCAST, SERVER_IP, 67, Ipv4Address.parse("10.0.0.255"), PORT, new byte[] {2}));
        deliver(4 * MS, udpToUs(Ipv4Address.parse("10.0.0.99"), PORT, new byte[] {3}));
        assertEquals(List.of(Ipv4Address.parse("10.0.0.0"), Ipv4Address.parse("10.0.0.255")),
                rec.datagrams.stream().map(Datagram::dst).toList());
    }

    @Test
    void beforeConfigureAnyDestinationAddressIsAccepted() {
        Ipv4Address offered = Ipv4Address.parse("10.9.9.9");
        deliver(1 * MS, udpToUs(offered, PORT, new byte[] {1}));                 // RFC 1542 3.1.1: unicast to yiaddr
        assertEquals(1, rec.datagrams.size());
        assertEquals(offered, rec.datagrams.getFirst().dst());

        configured();
        deliver(2 * MS, udpToUs(offered, PORT, new byte[] {1}));
        assertEquals(1, rec.datagrams.size());
        assertEquals(1, net.stats().dropNotForUs());
    }

    @Test
    void bindRejectsTakenPorts() {
        assertTrue(net.isBound(PORT));
        assertThrows(IllegalStateException.class, () -> net.bind(PORT, rec));
        net.unbind(PORT);
        deliver(1 * MS, udpToUs(Ipv4Address.BROADCAST, PORT, new byte[] {1}));
        assertEquals(1, net.stats().dropNoListener());
    }

    /** Returns a copy of {@code frame} with the IPv4 flags/fragment word replaced and the header checksum redone. */
    static byte[] withFlags(byte[] frame, int flagsFrag) {
        byte[] c = frame.clone();
        ByteBuffer b = ByteBuffer.wrap(c);
        b.putShort(Frames.IP_OFF + 6, (short) flagsFrag);
        b.putShort(Frames.IP_OFF + 10, (short) 0);
        b.putShort(Frames.IP_OFF + 10, (short) Checksum.of(b, Frames.IP_OFF, Ipv4Packet.HEADER_LEN));
        return c;
    }

    /**
     * Settings out of range are named field by field. Before: "net settings out of range: 0, 0, 0, 0, 0, 16", which
     * left a firmware engineer passing NetConfig to Board.Builder.net to count the record's components.
     */
    @Test
    void netSettingsOutOfRangeAreNamed() {
        assertEquals("net settings: ARP cache of 0 entries, entries kept 0 ns, requests 0 ns apart, 0 requests, TTL 0, 16 UDP"
                + " bindings (expected: entries and requests at least 1, times above 0, TTL 1..255, bindings 1..65535)",
                assertThrows(IllegalArgumentException.class, () -> new NetConfig(0, 0, 0, 0, 0, true)).getMessage());
        // RFC 791: TTL is an 8-bit field.
        assertThrows(IllegalArgumentException.class, () -> new NetConfig(16, 1, 1, 1, 256, true));
        new NetConfig(1, 1, 1, 1, 255, true);
    }
}
