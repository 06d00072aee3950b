package dev.netboot.net;

import static dev.netboot.net.ScriptedLink.MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.tftp.TftpClient;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.tftp.TftpFailure;
import dev.netboot.tftp.TftpSink;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.IcmpPacket;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ICMP in NetStack, as timelines: echo requests answered, destination-unreachable errors reported to the sending port. */
class NetStackIcmpTest {
    static final MacAddress OUR_MAC = NetStackTest.OUR_MAC;
    static final MacAddress SERVER_MAC = NetStackTest.SERVER_MAC;
    static final Ipv4Address OUR_IP = NetStackTest.OUR_IP;
    static final Ipv4Address SERVER_IP = NetStackTest.SERVER_IP;
    static final int PORT = NetStackTest.PORT;

    ScriptedLink link;
    NetStack net;
    NetStackTest.Recorder rec;

    @BeforeEach
    void setUp() {
        link = new ScriptedLink(OUR_MAC);
        net = new NetStack(link, NetStackTest.CONFIG);
        rec = new NetStackTest.Recorder();
        net.bind(PORT, rec);
    }

    void configured() {
        net.configure(OUR_IP, NetStackTest.MASK, NetStackTest.GW_IP);
    }

    void deliver(long at, byte[] frame) {
        link.deliver(at, frame);
        net.poll(at);
    }

    /** Returns an Ethernet/IPv4 frame around the ICMP {@code message}, whose checksum is computed here. */
    static byte[] icmp(MacAddress srcMac, MacAddress dstMac, Ipv4Address src, Ipv4Address dst, byte[] message) {
        ByteBuffer b = ByteBuffer.allocate(Frames.UDP_OFF + message.length);
        EthernetFrame.emit(b, dstMac.value(), srcMac.value(), EthernetFrame.TYPE_IPV4);
        b.put(Frames.UDP_OFF, message);
        IcmpPacket.emit(b, Frames.UDP_OFF, message[0] & 0xFF, message[1] & 0xFF, b.getShort(Frames.UDP_OFF + 4) & 0xFFFF,
                b.getShort(Frames.UDP_OFF + 6) & 0xFFFF, message.length);
        Ipv4Packet.emit(b, Frames.IP_OFF, message.length, Ipv4Packet.PROTO_ICMP, src.value(), dst.value(), 64, 7);
        return b.array();
    }

    static byte[] echoRequest(int id, int seq, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(IcmpPacket.HEADER_LEN + data.length);
        b.put(0, (byte) IcmpPacket.TYPE_ECHO_REQUEST).putShort(4, (short) id).putShort(6, (short) seq).put(8, data);
        return b.array();
    }

    /** Destination unreachable with {@code code}, quoting the first 28 bytes of the IPv4/UDP datagram in {@code sent}. */
    static byte[] unreachable(int code, byte[] sent) {
        byte[] m = new byte[IcmpPacket.HEADER_LEN + 28];
        m[0] = (byte) IcmpPacket.TYPE_DEST_UNREACHABLE;
        m[1] = (byte) code;
        System.arraycopy(sent, Frames.IP_OFF, m, IcmpPacket.HEADER_LEN, 28);
        return m;
    }

    /** Sends a datagram from {@code srcPort} to the server (whose MAC is known) and returns the frame that left. */
    byte[] sentDatagram(long at, int srcPort) {
        deliver(at, Frames.arpRequest(SERVER_MAC, SERVER_IP, OUR_IP));
        link.takeTx();
        assertEquals(SendResult.SENT, net.sendUdp(at, srcPort, SERVER_IP, 69, 3, (buf, off, len) -> buf.put(off, new byte[] {1, 2, 3})));
        return link.takeTx().getFirst().bytes();
    }

    @Test
    void echoRequestIsAnsweredWithTheSameIdentifierSequenceAndData() {
        configured();
        byte[] data = Frames.pattern(0, 56);
        deliver(10 * MS, icmp(SERVER_MAC, OUR_MAC, SERVER_IP, OUR_IP, echoRequest(0x4242, 7, data)));

        byte[] reply = link.takeTx().getFirst().bytes();
        ByteBuffer b = ByteBuffer.wrap(reply);
        EthernetFrame eth = new EthernetFrame().wrap(b, reply.length);
        assertEquals(SERVER_MAC, eth.dst());                            // straight back to the sender, no ARP
        assertEquals(OUR_MAC, eth.src());
        Ipv4Packet ip = new Ipv4Packet().wrap(b, Frames.IP_OFF, eth.payloadLength(), true);
        assertEquals(Ipv4Packet.PROTO_ICMP, ip.protocol());
        assertEquals(OUR_IP.value(), ip.src());
        assertEquals(SERVER_IP.value(), ip.dst());
        IcmpPacket p = new IcmpPacket().wrap(b, ip.payloadOffset(), ip.payloadLength(), true);
        assertEquals(IcmpPacket.TYPE_ECHO_REPLY, p.type());
        assertEquals(0, p.code());
        assertEquals(0x4242, p.identifier());
        assertEquals(7, p.sequence());
        assertArrayEquals(data, Arrays.copyOfRange(reply, p.dataOffset(), p.dataOffset() + p.dataLength()));
        NetStats s = net.stats();
        assertEquals(1, s.icmpEchoReplies());
        assertEquals(1, s.txFrames());
    }

    @Test
    void echoRequestsNotForOurAddressAreIgnored() {
        deliver(0, icmp(SERVER_MAC, OUR_MAC, SERVER_IP, OUR_IP, echoRequest(1, 1, new byte[8])));  // no address yet
        configured();
        deliver(MS, icmp(SERVER_MAC, MacAddress.BROADCAST, SERVER_IP, Ipv4Address.parse("10.0.0.255"), echoRequest(1, 2, new byte[8])));
        deliver(2 * MS, icmp(SERVER_MAC, MacAddress.BROADCAST, SERVER_IP, Ipv4Address.parse("255.255.255.255"), echoRequest(1, 3, new byte[8])));
        link.expectNoTx();
        assertEquals(3, net.stats().icmpIgnored());
        assertEquals(0, net.stats().icmpEchoReplies());
    }

    @Test
    void echoRequestWithABadChecksumIsDroppedAndCounted() {
        configured();
        byte[] frame = icmp(SERVER_MAC, OUR_MAC, SERVER_IP, OUR_IP, echoRequest(1, 1, new byte[8]));
        deliver(0, Frames.flip(frame, frame.length - 1, 0x10));
        link.expectNoTx();
        assertEquals(1, net.stats().dropChecksum());
        deliver(MS, Arrays.copyOf(frame, Frames.UDP_OFF + 4));          // shorter than an ICMP header: IPv4 length check
        assertEquals(1, net.stats().dropMalformed());
    }

    @Test
    void portUnreachableReachesThePortThatSentTheDatagram() {
        configured();
        byte[] sent = sentDatagram(0, PORT);
        deliver(5 * MS, icmp(SERVER_MAC, OUR_MAC, SERVER_IP, OUR_IP, unreachable(IcmpPacket.CODE_PORT_UNREACHABLE, sent)));
        assertEquals(1, rec.unreachable.size());
        NetStackTest.Unreachable u = rec.unreachable.getFirst();
        assertEquals(5 * MS, u.at());
        assertEquals(SERVER_IP, u.dst());
        assertEquals("ICMP port unreachable from 10.0.0.5 for 10.0.0.5:69", u.reason());
        assertEquals(1, net.stats().icmpUnreachables());
        link.expectNoTx();                                              // never an ICMP error about an ICMP error
    }

    @Test
    void otherUnreachablesAndQuotesOfOtherTrafficAreIgnored() {
        configured();
        byte[] sent = sentDatagram(0, PORT);
        deliver(MS, icmp(SERVER_MAC, OUR_MAC, SERVER_IP, OUR_IP, unreachable(1, sent)));                      // host unreachable: soft
        byte[] otherPort = sent.clone();
        otherPort[Frames.UDP_OFF + 1] ^= 1;                                                                      // a port nobody bound
        deliver(2 * MS, icmp(SERVER_MAC, OUR_MAC, SERVER_IP, OUR_IP, unreachable(3, otherPort)));
        byte[] notOurs = sent.clone();
        notOurs[Frames.IP_OFF + 12] ^= 1;                                                                        // someone else's source
        deliver(3 * MS, icmp(SERVER_MAC, OUR_MAC, SERVER_IP, OUR_IP, unreachable(3, notOurs)));
        deliver(4 * MS, icmp(SERVER_MAC, OUR_MAC, SERVER_IP, OUR_IP, Arrays.copyOf(unreachable(3, sent), 20))); // quote too short
        deliver(5 * MS, icmp(SERVER_MAC, OUR_MAC, SERVER_IP, OUR_IP, new byte[] {13, 0, 0, 0, 0, 0, 0, 0}));  // timestamp request
        assertEquals(0, rec.unreachable.size());
        assertEquals(5, net.stats().icmpIgnored());
        link.expectNoTx();
    }

    /** A configured stack that knows the server's MAC, and a TFTP client reading boot.img from it into {@code got}. */
    private TftpClient readingFromTheServer(ByteBuffer got) {
        configured();
        deliver(0, Frames.arpRequest(SERVER_MAC, SERVER_IP, OUR_IP));
        link.takeTx();
        TftpClient client = new TftpClient(net, new TftpConfig(5_000 * MS, 5, 512), new SplittableRandom(3));
        client.startRead(MS, SERVER_IP, 69, "boot.img", new TftpSink() {
            @Override
            public void begin(long expectedSize) {
            }

            @Override
            public void write(ByteBuffer buf, int off, int len) {
                got.put(buf.slice(off, len));
            }
        });
        return client;
    }

    @Test
    void tftpTransferEndsAtOnceWhenTheServerHasNoTftpService() {
        TftpClient client = readingFromTheServer(ByteBuffer.allocate(1024));
        byte[] rrq = link.takeTx().getFirst().bytes();
        deliver(2 * MS, icmp(SERVER_MAC, OUR_MAC, SERVER_IP, OUR_IP, unreachable(IcmpPacket.CODE_PORT_UNREACHABLE, rrq)));
        client.poll(2 * MS);
        TftpFailure f = assertInstanceOf(TftpClient.State.Failed.class, client.state()).failure();
        assertEquals(TftpFailure.Kind.UNREACHABLE, f.kind());
        assertTrue(f.message().contains("ICMP port unreachable from 10.0.0.5 for 10.0.0.5:69"), f.message());
    }

    /**
     * RFC 1350 section 4: a stranger's packet gets ERROR 5 "while not disturbing the transfer". A stranger whose port
     * is gone by then (an old session, a late duplicate) makes its host answer that ERROR with a port unreachable;
     * it speaks of the stranger's port, not the transfer ID's, and the transfer goes on (it used to end it: found on a
     * real wire by the second QA pass).
     */
    @Test
    void anUnreachableAboutTheError5ToAStrangerLeavesTheTransferAlone() {
        ByteBuffer got = ByteBuffer.allocate(1024);
        TftpClient client = readingFromTheServer(got);
        int ours = Frames.decode(link.takeTx().getFirst().bytes()).asUdp().srcPort();
        byte[] block1 = Frames.pattern(0, 512);
        deliver(2 * MS, Frames.udp(SERVER_MAC, OUR_MAC, SERVER_IP, 40_000, OUR_IP, ours, Frames.tftp(new TftpPacket.Data(1, block1))));
        link.takeTx();                                                                                            // ACK 1
        deliver(3 * MS, Frames.udp(SERVER_MAC, OUR_MAC, SERVER_IP, 40_001, OUR_IP, ours, Frames.tftp(new TftpPacket.Data(2, new byte[9]))));
        byte[] error5 = link.takeTx().getFirst().bytes();
        assertEquals(40_001, Frames.decode(error5).asUdp().dstPort(), "ERROR 5 to the stranger");
        deliver(4 * MS, icmp(SERVER_MAC, OUR_MAC, SERVER_IP, OUR_IP, unreachable(IcmpPacket.CODE_PORT_UNREACHABLE, error5)));
        client.poll(4 * MS);
        assertInstanceOf(TftpClient.State.Receiving.class, client.state());
        byte[] block2 = Frames.pattern(512, 100);
        deliver(5 * MS, Frames.udp(SERVER_MAC, OUR_MAC, SERVER_IP, 40_000, OUR_IP, ours, Frames.tftp(new TftpPacket.Data(2, block2))));
        client.poll(5 * MS);
        assertInstanceOf(TftpClient.State.Done.class, client.state());
        byte[] want = new byte[612];
        System.arraycopy(block1, 0, want, 0, 512);
        System.arraycopy(block2, 0, want, 512, 100);
        assertArrayEquals(want, Arrays.copyOf(got.array(), got.position()));
        assertEquals(1, client.stats().strayPackets());
    }

    /**
     * The same for a stranger on another address that never answers ARP: the ERROR 5 to it waits for its next hop, ARP
     * gives up, and that says nothing about the server either: the transfer goes on (it used to fail "server ...
     * unreachable: ARP: no reply").
     */
    @Test
    void anArpGiveUpForAStrangersAddressLeavesTheTransferAlone() {
        TftpClient client = readingFromTheServer(ByteBuffer.allocate(1024));
        int ours = Frames.decode(link.takeTx().getFirst().bytes()).asUdp().srcPort();
        deliver(2 * MS, Frames.udp(SERVER_MAC, OUR_MAC, SERVER_IP, 40_000, OUR_IP, ours, Frames.tftp(new TftpPacket.Data(1, new byte[512]))));
        Ipv4Address stranger = Ipv4Address.parse("10.0.0.77");
        deliver(3 * MS, Frames.udp(MacAddress.parse("02:00:00:00:00:77"), OUR_MAC, stranger, 40_001, OUR_IP, ours,
                Frames.tftp(new TftpPacket.Data(2, new byte[9]))));
        for (long t = 3 * MS; t <= 1_600 * MS; t += 100 * MS) {         // three ARP requests for 10.0.0.77, 500 ms apart
            net.poll(t);
            client.poll(t);
        }
        assertEquals(1, net.stats().arpFailures(), net.stats().toString());
        assertInstanceOf(TftpClient.State.Receiving.class, client.state());
        deliver(1_601 * MS, Frames.udp(SERVER_MAC, OUR_MAC, SERVER_IP, 40_000, OUR_IP, ours, Frames.tftp(new TftpPacket.Data(2, new byte[7]))));
        client.poll(1_601 * MS);
        assertInstanceOf(TftpClient.State.Done.class, client.state());
    }
}
