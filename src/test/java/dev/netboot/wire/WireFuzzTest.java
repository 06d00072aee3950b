package dev.netboot.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzz targets for every decoder of the wire package (GUIDE H15). The one property:
 * for any bytes, a decoder returns or throws {@link MalformedPacketException}, nothing else, and once
 * it returned, no accessor of the view or record throws. Where a decoder returns a record, emitting it
 * and decoding again gives the same record.
 *
 * <p>{@code mvn verify} runs these in Jazzer's regression mode: each target once per seed below (the
 * golden vectors of the codec tests and the real-frame corpus) and once per file committed under
 * {@code src/test/resources/dev/netboot/wire/WireFuzzTestInputs/<target>/} (findings, and inputs
 * that reached new code in a fuzzing run). {@code bench/fuzz.sh} fuzzes them.
 */
class WireFuzzTest {

    /** Runs {@code decode}, accepting only {@link MalformedPacketException} as a refusal. */
    private static void refusesOnlyAsMalformed(Runnable decode) {
        try {
            decode.run();
        } catch (MalformedPacketException expected) {
            // the one refusal a decoder may give
        }
    }

    // ------------------------------------------------------------------ Ethernet

    static Stream<Arguments> frames() {
        return CorpusTest.frames().values().stream().map(f -> arguments((Object) f));
    }

    @MethodSource("frames")
    @FuzzTest
    void ethernet(byte[] in) {
        refusesOnlyAsMalformed(() -> {
            EthernetFrame e = new EthernetFrame().wrap(ByteBuffer.wrap(in), in.length);
            e.dst();
            e.src();
            assertTrue(e.etherType() >= EthernetFrame.MIN_ETHER_TYPE);
            assertEquals(in.length, e.payloadOffset() + e.payloadLength());
        });
    }

    // ------------------------------------------------------------------ ARP

    static Stream<Arguments> arpPackets() {
        return Stream.of(ArpPacketTest.REQUEST, ArpPacketTest.REPLY).map(f -> arguments((Object) f));
    }

    @MethodSource("arpPackets")
    @FuzzTest
    void arp(byte[] in) {
        refusesOnlyAsMalformed(() -> {
            ArpPacket p = ArpPacket.parse(ByteBuffer.wrap(in), 0, in.length);
            ByteBuffer b = ByteBuffer.allocate(ArpPacket.LENGTH);
            p.emit(b, 0);
            assertEquals(p, ArpPacket.parse(b, 0, ArpPacket.LENGTH));
        });
    }

    // ------------------------------------------------------------------ IPv4: first byte's low bit says "verify the checksum"

    static Stream<Arguments> ipv4Packets() {
        List<byte[]> s = new ArrayList<>(List.of(Ipv4PacketTest.HEADER, Ipv4PacketTest.HEADER_IHL6));
        for (byte[] f : CorpusTest.frames().values()) {
            s.add(Arrays.copyOfRange(f, EthernetFrame.HEADER_LEN, f.length));
        }
        return s.stream().map(p -> arguments((Object) prefixed(1, p)));
    }

    @MethodSource("ipv4Packets")
    @FuzzTest
    void ipv4(byte[] in) {
        if (in.length == 0) {
            return;
        }
        boolean verify = (in[0] & 1) != 0;
        ByteBuffer b = ByteBuffer.wrap(in);
        int len = in.length - 1;
        refusesOnlyAsMalformed(() -> {
            Ipv4Packet ip = new Ipv4Packet().wrap(b, 1, len, verify);
            assertTrue(!verify || ip.checksumOk(), "a verified header's checksum checks out");
            assertTrue(ip.headerLength() >= Ipv4Packet.HEADER_LEN && ip.payloadLength() >= 0);
            assertTrue(ip.payloadOffset() + ip.payloadLength() <= in.length, "payload within the bytes present");
            ip.identification();
            ip.isFragment();
            ip.ttl();
            ip.protocol();
            ip.src();
            ip.dst();
        });
    }

    // ------------------------------------------------------------------ UDP: [verify flag][source IP][destination IP][datagram]

    static Stream<Arguments> udpDatagrams() {
        List<byte[]> s = new ArrayList<>();
        s.add(udpInput(UdpDatagramTest.CLIENT_IP, UdpDatagramTest.SERVER_IP, UdpDatagramTest.ACK));
        s.add(udpInput(0x0a000001, 0x0a000002, UdpDatagramTest.ODD));
        s.add(udpInput(0x0a000001, 0x0a000002, UdpDatagramTest.COMPUTED_ZERO));
        for (byte[] f : CorpusTest.frames().values()) {
            ByteBuffer b = ByteBuffer.wrap(f);
            if (new EthernetFrame().wrap(b, f.length).etherType() == EthernetFrame.TYPE_IPV4) {
                Ipv4Packet ip = new Ipv4Packet().wrap(b, EthernetFrame.HEADER_LEN, f.length - EthernetFrame.HEADER_LEN, true);
                s.add(udpInput(ip.src(), ip.dst(), Arrays.copyOfRange(f, ip.payloadOffset(), ip.payloadOffset() + ip.payloadLength())));
            }
        }
        return s.stream().map(p -> arguments((Object) p));
    }

    private static byte[] udpInput(int src, int dst, byte[] datagram) {
        return prefixed(1, ByteBuffer.allocate(8).putInt(src).putInt(dst).array(), datagram);
    }

    @MethodSource("udpDatagrams")
    @FuzzTest
    void udp(byte[] in) {
        FuzzInput f = new FuzzInput(in);
        boolean verify = f.bool();
        int src = f.u32();
        int dst = f.u32();
        int off = Math.min(in.length, 9);
        ByteBuffer b = ByteBuffer.wrap(in);
        refusesOnlyAsMalformed(() -> {
            UdpDatagram u = new UdpDatagram().wrap(b, off, in.length - off, src, dst, verify);
            assertTrue(!verify || u.checksumOk(src, dst), "a verified datagram's checksum checks out");
            assertTrue(u.payloadLength() >= 0 && u.payloadOffset() + u.payloadLength() <= in.length);
            u.srcPort();
            u.dstPort();
            u.checksum();
        });
    }

    // ------------------------------------------------------------------ ICMP: first byte's low bit says "verify the checksum"

    static Stream<Arguments> icmpMessages() {
        return Stream.of(IcmpPacketTest.ECHO_REQUEST, IcmpPacketTest.ECHO_REPLY, IcmpPacketTest.withChecksum(IcmpPacketTest.PORT_UNREACHABLE))
                .map(p -> arguments((Object) prefixed(1, p)));
    }

    @MethodSource("icmpMessages")
    @FuzzTest
    void icmp(byte[] in) {
        if (in.length == 0) {
            return;
        }
        boolean verify = (in[0] & 1) != 0;
        ByteBuffer b = ByteBuffer.wrap(in);
        refusesOnlyAsMalformed(() -> {
            IcmpPacket p = new IcmpPacket().wrap(b, 1, in.length - 1, verify);
            assertTrue(!verify || p.checksumOk());
            p.type();
            p.code();
            p.identifier();
            p.sequence();
            assertTrue(p.dataLength() >= 0 && p.dataOffset() + p.dataLength() <= in.length);
            if (p.quotesTransportHeader()) {
                p.quotedProtocol();
                p.quotedSrc();
                p.quotedDst();
                p.quotedSrcPort();
                p.quotedDstPort();
            }
        });
    }

    // ------------------------------------------------------------------ BOOTP and its options

    /** BOOTP and DHCP messages: the codec tests' golden messages and the UDP payloads of the corpus's BOOTP/DHCP frames. */
    static Stream<Arguments> bootpMessages() {
        List<byte[]> s = new ArrayList<>(List.of(BootpMessageTest.REQUEST, BootpMessageTest.REPLY));
        for (Map.Entry<String, byte[]> f : CorpusTest.frames().entrySet()) {
            if (f.getKey().startsWith("bootp") || f.getKey().startsWith("dhcp")) {
                CorpusTest.Udp u = CorpusTest.udp(f.getValue());
                s.add(Arrays.copyOfRange(u.buf().array(), u.off(), u.off() + u.len()));
            }
        }
        return s.stream().map(p -> arguments((Object) p));
    }

    @MethodSource("bootpMessages")
    @FuzzTest
    void bootp(byte[] in) {
        refusesOnlyAsMalformed(() -> {
            BootpMessage m = BootpMessage.parse(ByteBuffer.wrap(in), 0, in.length);
            readEveryOption(m.options());
            ByteBuffer b = ByteBuffer.allocate(m.encodedLength());
            assertEquals(b.capacity(), m.emit(b, 0));
            assertEquals(m, BootpMessage.parse(b, 0, b.capacity()));
            // Emitted for a 576-byte receiver, options may move into file and sname (option 52): the same message.
            int max = 576;
            int n;
            try {
                n = m.encodedLength(max);
            } catch (IllegalArgumentException tooBig) {
                return; // the options do not fit 576 bytes even overloaded: emit refuses, as documented
            }
            ByteBuffer small = ByteBuffer.allocate(n);
            assertEquals(n, m.emit(small, 0, max));
            BootpMessage back = BootpMessage.parse(small, 0, n);
            assertEquals(m.xid(), back.xid());
            assertEquals(m.file(), back.file());
            assertEquals(m.sname(), back.sname());
            for (int code : m.options().values().keySet()) {
                if (code != BootpOptions.OVERLOAD) {
                    assertArrayEquals(m.options().get(code).orElseThrow(), back.options().get(code).orElseThrow(), "option " + code);
                }
            }
        });
    }

    /** Reads every option every way a client may; each read returns or throws MalformedPacketException. */
    static void readEveryOption(BootpOptions o) {
        for (int code : o.values().keySet()) {
            assertTrue(o.has(code));
            o.get(code);
            o.text(code);
            refusesOnlyAsMalformed(() -> o.number(code));
            refusesOnlyAsMalformed(() -> o.address(code));
            refusesOnlyAsMalformed(() -> o.addresses(code));
            refusesOnlyAsMalformed(() -> roundTrips(code, o.option(code).orElseThrow()));
        }
        refusesOnlyAsMalformed(o::messageType);
    }

    /** A decoded DHCP option encodes to bytes that decode to the same option. */
    private static void roundTrips(int code, DhcpOption d) {
        assertEquals(code, d.code());
        byte[] again = d.encode();
        assertEquals(d, DhcpOption.decode(code, again));
    }

    // ------------------------------------------------------------------ one DHCP option: [code][value...]

    static Stream<Arguments> dhcpOptions() {
        List<byte[]> s = new ArrayList<>();
        bootpMessages().forEach(a -> {
            byte[] msg = (byte[]) a.get()[0];
            BootpMessage.parse(ByteBuffer.wrap(msg), 0, msg.length).options().values()
                    .forEach((code, v) -> s.add(prefixed(code, v)));
        });
        return s.stream().map(p -> arguments((Object) p));
    }

    @MethodSource("dhcpOptions")
    @FuzzTest
    void dhcpOption(byte[] in) {
        if (in.length == 0 || in[0] == 0 || in[0] == (byte) 0xFF) {
            return; // pad and end carry no value
        }
        int code = in[0] & 0xFF;
        byte[] value = Arrays.copyOfRange(in, 1, in.length);
        refusesOnlyAsMalformed(() -> roundTrips(code, DhcpOption.decode(code, value)));
    }

    // ------------------------------------------------------------------ TFTP

    static Stream<Arguments> tftpPackets() {
        return Stream.of(TftpPacketTest.RRQ, TftpPacketTest.WRQ, TftpPacketTest.DATA, TftpPacketTest.ACK, TftpPacketTest.ERROR,
                TftpPacketTest.OACK).map(p -> arguments((Object) p));
    }

    @MethodSource("tftpPackets")
    @FuzzTest
    void tftp(byte[] in) {
        ByteBuffer b = ByteBuffer.wrap(in);
        refusesOnlyAsMalformed(() -> {
            int op = TftpWire.opcode(b, 0, in.length);
            if (op == TftpPacket.OP_DATA || op == TftpPacket.OP_ACK) {
                refusesOnlyAsMalformed(() -> TftpWire.block(b, 0, in.length));
            }
            TftpPacket p = TftpWire.parse(b, 0, in.length);
            assertEquals(op, p.opcode());
            ByteBuffer out = ByteBuffer.allocate(p.encodedLength());
            assertEquals(out.capacity(), p.emit(out, 0));
            assertEquals(p, TftpWire.parse(out, 0, out.capacity()));
        });
    }

    // ------------------------------------------------------------------ a whole frame, the way the net layer walks it

    /** First byte's low bit says "verify checksums"; the rest is an Ethernet frame. */
    static Stream<Arguments> wholeFrames() {
        return CorpusTest.frames().values().stream().map(f -> arguments((Object) prefixed(1, f)));
    }

    @MethodSource("wholeFrames")
    @FuzzTest
    void frame(byte[] in) {
        if (in.length == 0) {
            return;
        }
        boolean verify = (in[0] & 1) != 0;
        ByteBuffer b = ByteBuffer.wrap(Arrays.copyOfRange(in, 1, in.length));
        refusesOnlyAsMalformed(() -> walk(b, verify));
    }

    private static void walk(ByteBuffer b, boolean verify) {
        EthernetFrame eth = new EthernetFrame().wrap(b, b.limit());
        switch (eth.etherType()) {
            case EthernetFrame.TYPE_ARP -> ArpPacket.parse(b, eth.payloadOffset(), eth.payloadLength());
            case EthernetFrame.TYPE_IPV4 -> {
                Ipv4Packet ip = new Ipv4Packet().wrap(b, eth.payloadOffset(), eth.payloadLength(), verify);
                if (ip.protocol() == Ipv4Packet.PROTO_ICMP) {
                    IcmpPacket p = new IcmpPacket().wrap(b, ip.payloadOffset(), ip.payloadLength(), verify);
                    if (p.quotesTransportHeader()) {
                        p.quotedSrcPort();
                        p.quotedDstPort();
                    }
                    return;
                }
                if (ip.protocol() != Ipv4Packet.PROTO_UDP) {
                    return;
                }
                UdpDatagram udp = new UdpDatagram().wrap(b, ip.payloadOffset(), ip.payloadLength(), ip.src(), ip.dst(), verify);
                if (udp.srcPort() == BootpMessage.SERVER_PORT || udp.dstPort() == BootpMessage.CLIENT_PORT) {
                    readEveryOption(BootpMessage.parse(b, udp.payloadOffset(), udp.payloadLength()).options());
                } else {
                    TftpWire.parse(b, udp.payloadOffset(), udp.payloadLength());
                }
            }
            default -> {
                // another EtherType: the net layer drops it
            }
        }
    }

    private static byte[] prefixed(int first, byte[]... parts) {
        int n = 1;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n).put((byte) first);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
