package dev.netboot.net;

import static dev.netboot.net.ScriptedLink.MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.IcmpPacket;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A datagram to a closed port, as timelines: RFC 1122 section 4.1.3.1 (UDP SHOULD answer it with an ICMP port
 * unreachable), section 3.2.2 (the datagrams an ICMP error MUST NOT answer), RFC 792 (the error's layout and quote),
 * RFC 1812 section 4.3.2.3 (at most 576 bytes) and the rate Linux keeps by default (a burst of 6, then one a second).
 */
class NetStackPortUnreachableTest {
    static final MacAddress OUR_MAC = NetStackTest.OUR_MAC;
    static final MacAddress SERVER_MAC = NetStackTest.SERVER_MAC;
    static final Ipv4Address OUR_IP = NetStackTest.OUR_IP;
    static final Ipv4Address SERVER_IP = NetStackTest.SERVER_IP;
    static final int CLOSED = 6000;

    ScriptedLink link;
    NetStack net;
    NetStackTest.Recorder rec;

    @BeforeEach
    void setUp() {
        link = new ScriptedLink(OUR_MAC);
        net = new NetStack(link, NetStackTest.CONFIG);
        rec = new NetStackTest.Recorder();
        net.bind(NetStackTest.PORT, rec);
        net.configure(OUR_IP, NetStackTest.MASK, NetStackTest.GW_IP);
    }

    void deliver(long at, byte[] frame) {
        link.deliver(at, frame);
        net.poll(at);
    }

    static byte[] toClosedPort(MacAddress srcMac, Ipv4Address src, int payloadLength) {
        return Frames.udp(srcMac, OUR_MAC, src, 69, OUR_IP, CLOSED, Frames.pattern(3, payloadLength));
    }

    /** Checks {@code sent} is a port unreachable to {@code dstMac}/{@code dstIp} quoting the first {@code quoted} bytes of {@code datagram}'s IP datagram. */
    static void assertUnreachable(byte[] sent, MacAddress dstMac, Ipv4Address dstIp, byte[] datagram, int quoted) {
        ByteBuffer b = ByteBuffer.wrap(sent);
        EthernetFrame eth = new EthernetFrame().wrap(b, sent.length);
        assertEquals(dstMac, eth.dst()); // back to the MAC it came from, no ARP
        assertEquals(OUR_MAC, eth.src());
        Ipv4Packet ip = new Ipv4Packet().wrap(b, Frames.IP_OFF, eth.payloadLength(), true);
        assertEquals(Ipv4Packet.PROTO_ICMP, ip.protocol());
        assertEquals(OUR_IP.value(), ip.src());
        assertEquals(dstIp.value(), ip.dst());
        assertEquals(Ipv4Packet.HEADER_LEN + IcmpPacket.HEADER_LEN + quoted, ip.totalLength());
        IcmpPacket p = new IcmpPacket().wrap(b, ip.payloadOffset(), ip.payloadLength(), true); // checksum verified
        assertEquals(3, p.type());                       // RFC 792: Destination Unreachable
        assertEquals(3, p.code());                       // port unreachable
        assertEquals(0, b.getInt(ip.payloadOffset() + 4)); // "unused"
        assertArrayEquals(Arrays.copyOfRange(datagram, Frames.IP_OFF, Frames.IP_OFF + quoted),
                Arrays.copyOfRange(sent, p.dataOffset(), p.dataOffset() + p.dataLength()));
    }

    @Test
    void aDatagramToAClosedPortIsAnsweredWithAPortUnreachableQuotingIt() {
        byte[] d = toClosedPort(SERVER_MAC, SERVER_IP, 10);
        deliver(5 * MS, d);

        byte[] sent = link.takeTx().getFirst().bytes();
        assertUnreachable(sent, SERVER_MAC, SERVER_IP, d, 20 + 8 + 10); // the whole datagram: it is short
        assertEquals(0, rec.datagrams.size());
        NetStats s = net.stats();
        assertEquals(1, s.dropNoListener());
        assertEquals(1, s.icmpUnreachablesSent());
        assertEquals(1, s.txFrames());
    }

    @Test
    void aLongDatagramIsQuotedUpTo576BytesOfError() {
        byte[] d = toClosedPort(SERVER_MAC, SERVER_IP, 1400);
        deliver(0, d);
        assertUnreachable(link.takeTx().getFirst().bytes(), SERVER_MAC, SERVER_IP, d, 576 - 20 - 8);
    }

    @Test
    void aDatagramFromBeyondTheGatewayIsAnsweredThroughTheMacItCameFrom() {
        byte[] d = toClosedPort(NetStackTest.GW_MAC, NetStackTest.FAR_IP, 4);
        deliver(0, d);
        assertUnreachable(link.takeTx().getFirst().bytes(), NetStackTest.GW_MAC, NetStackTest.FAR_IP, d, 32);
    }

    @Test
    void noErrorForBroadcastsMulticastsStrangeSourcesBadChecksumsOrBeforeAnAddress() {
        // RFC 1122 section 3.2.2: to an IP broadcast, or in a link-layer broadcast, or to a multicast group...
        deliver(0, Frames.udp(SERVER_MAC, MacAddress.BROADCAST, SERVER_IP, 69, Ipv4Address.parse("255.255.255.255"), CLOSED, new byte[4]));
        deliver(0, Frames.udp(SERVER_MAC, MacAddress.BROADCAST, SERVER_IP, 69, Ipv4Address.parse("10.0.0.255"), CLOSED, new byte[4]));
        deliver(0, Frames.udp(SERVER_MAC, MacAddress.BROADCAST, SERVER_IP, 69, OUR_IP, CLOSED, new byte[4]));
        deliver(0, Frames.udp(SERVER_MAC, OUR_MAC, SERVER_IP, 69, Ipv4Address.parse("10.0.0.255"), CLOSED, new byte[4]));
        // ...or from a source that is no single host: zero, loopback, a broadcast, multicast or Class E address, or us.
        for (String src : new String[] {"0.0.0.0", "0.1.2.3", "127.0.0.1", "10.0.0.255", "255.255.255.255", "224.0.0.1",
                "239.1.2.3", "240.0.0.1", "10.0.0.2"}) {
            deliver(MS, toClosedPort(SERVER_MAC, Ipv4Address.parse(src), 4));
        }
        // A datagram whose checksum fails is dropped as such, unanswered.
        deliver(2 * MS, Frames.flip(toClosedPort(SERVER_MAC, SERVER_IP, 4), Frames.PAYLOAD_OFF, 0x01));
        link.expectNoTx();
        assertEquals(1, net.stats().dropChecksum());
        assertEquals(13, net.stats().dropNoListener());

        // Before the board has an address it answers nothing (a reply unicast to an offered address is taken then).
        NetStack fresh = new NetStack(link, NetStackTest.CONFIG);
        link.deliver(3 * MS, toClosedPort(SERVER_MAC, SERVER_IP, 4));
        fresh.poll(3 * MS);
        link.expectNoTx();
        assertEquals(1, fresh.stats().dropNoListener());
    }

    @Test
    void aBoundPortTakesItsDatagramsAndAnICmpErrorIsNeverAnswered() {
        deliver(0, Frames.udp(SERVER_MAC, OUR_MAC, SERVER_IP, 69, OUR_IP, NetStackTest.PORT, new byte[] {9}));
        assertEquals(1, rec.datagrams.size());
        // An ICMP port unreachable quoting a datagram to one of our closed ports: ICMP, never answered with ICMP.
        byte[] quoted = toClosedPort(SERVER_MAC, SERVER_IP, 4);
        deliver(MS, NetStackIcmpTest.icmp(SERVER_MAC, OUR_MAC, SERVER_IP, OUR_IP, NetStackIcmpTest.unreachable(3, quoted)));
        link.expectNoTx();
        assertEquals(0, net.stats().icmpUnreachablesSent());
    }

    @Test
    void errorsKeepToABurstOfSixThenOneASecond() {
        long t = 1_000 * MS;
        for (int i = 0; i < 10; i++) {
            deliver(t, toClosedPort(SERVER_MAC, SERVER_IP, 4));
        }
        assertEquals(6, link.takeTx().size());
        deliver(t + 999 * MS, toClosedPort(SERVER_MAC, SERVER_IP, 4));
        link.expectNoTx();                                   // the burst is spent; the next is due a second after it
        for (int i = 0; i < 3; i++) {
            deliver(t + 1_000 * MS, toClosedPort(SERVER_MAC, SERVER_IP, 4));
        }
        assertEquals(1, link.takeTx().size());              // one a second
        for (int i = 0; i < 3; i++) {
            deliver(t + 2_500 * MS, toClosedPort(SERVER_MAC, SERVER_IP, 4));
        }
        assertEquals(1, link.takeTx().size());              // 1.5 s on: one more due, not yet two
        for (int i = 0; i < 10; i++) {
            deliver(t + 20_000 * MS, toClosedPort(SERVER_MAC, SERVER_IP, 4));
        }
        assertEquals(6, link.takeTx().size());              // quiet for long: the whole burst again
        NetStats s = net.stats();
        assertEquals(14, s.icmpUnreachablesSent());
        assertEquals(27, s.dropNoListener());
    }
}
