package dev.netboot.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Seeded random-input properties (GUIDE H15): every parser either returns or throws
 * {@link MalformedPacketException}, and for valid values {@code parse(emit(x)).equals(x)}.
 * Checksums are verified in half the random runs and a quarter of the mutated ones; skipping
 * them lets mutated frames reach the length logic behind the checksum.
 */
class FuzzTest {
    private static final long SEED = 0x6e6574626f6f74L; // "netboot"

    /** Each parser, fed [0, len) of a buffer whose limit is exactly len. */
    private static final List<Parser> PARSERS = List.of(
            new Parser("EthernetFrame.wrap", (b, v) -> new EthernetFrame().wrap(b, b.limit())),
            new Parser("ArpPacket.parse", (b, v) -> ArpPacket.parse(b, 0, b.limit())),
            new Parser("Ipv4Packet.wrap", (b, v) -> new Ipv4Packet().wrap(b, 0, b.limit(), v)),
            new Parser("UdpDatagram.wrap", (b, v) -> new UdpDatagram().wrap(b, 0, b.limit(), 0x0a000001, 0x0a000002, v)),
            new Parser("BootpMessage.parse", (b, v) -> BootpMessage.parse(b, 0, b.limit())),
            new Parser("TftpWire.parse", (b, v) -> TftpWire.parse(b, 0, b.limit())),
            new Parser("Ethernet->IPv4->UDP->app", FuzzTest::fullPath));

    record Parser(String name, ParseFn fn) {
    }

    @FunctionalInterface
    interface ParseFn {
        void parse(ByteBuffer buf, boolean verify);
    }

    /** Walks a frame the way the net layer will; every accessor after a successful check must not throw. */
    static void fullPath(ByteBuffer b, boolean verify) {
        EthernetFrame eth = new EthernetFrame().wrap(b, b.limit());
        switch (eth.etherType()) {
            case EthernetFrame.TYPE_ARP -> ArpPacket.parse(b, eth.payloadOffset(), eth.payloadLength());
            case EthernetFrame.TYPE_IPV4 -> {
                Ipv4Packet ip = new Ipv4Packet().wrap(b, eth.payloadOffset(), eth.payloadLength(), verify);
                ip.isFragment();
                ip.ttl();
                if (ip.protocol() != Ipv4Packet.PROTO_UDP) {
                    return;
                }
                UdpDatagram udp = new UdpDatagram().wrap(b, ip.payloadOffset(), ip.payloadLength(), ip.src(), ip.dst(), verify);
                if (udp.srcPort() == BootpMessage.SERVER_PORT || udp.dstPort() == BootpMessage.CLIENT_PORT) {
                    BootpMessage m = BootpMessage.parse(b, udp.payloadOffset(), udp.payloadLength());
                    m.options().values().keySet().forEach(m.options()::text);
                    m.options().messageType();
                    m.options().values().keySet().forEach(m.options()::option); // typed DHCP decoding
                } else {
                    TftpWire.parse(b, udp.payloadOffset(), udp.payloadLength());
                }
            }
            default -> {
                // unknown EtherType: dropped by the net layer
            }
        }
    }

    /** Golden inputs whose mutations get past the first checks. */
    static List<byte[]> seeds() {
        List<byte[]> s = new ArrayList<>(List.of(ArpPacketTest.REQUEST, ArpPacketTest.REPLY, Ipv4PacketTest.HEADER,
                Ipv4PacketTest.HEADER_IHL6, UdpDatagramTest.ACK, UdpDatagramTest.ODD, UdpDatagramTest.COMPUTED_ZERO,
                BootpMessageTest.REQUEST, BootpMessageTest.REPLY, TftpPacketTest.RRQ, TftpPacketTest.WRQ,
                TftpPacketTest.DATA, TftpPacketTest.ACK, TftpPacketTest.ERROR, TftpPacketTest.OACK, DhcpMessageTest.OVERLOADED));
        s.addAll(CorpusTest.frames().values());
        return s;
    }

    private static void check(Parser p, byte[] input, boolean verify) {
        ByteBuffer b = ByteBuffer.wrap(input.clone());
        try {
            p.fn().parse(b, verify);
        } catch (MalformedPacketException expected) {
            // the one allowed outcome besides success
        } catch (RuntimeException e) {
            AssertionError err = new AssertionError(p.name() + " threw " + e + " for " + HexFormat.of().formatHex(input), e);
            throw err;
        }
    }

    @Test
    void randomBytesOnlyEverThrowMalformedPacketException() {
        Random r = new Random(SEED);
        for (int i = 0; i < 80_000; i++) {
            byte[] in = new byte[r.nextInt(r.nextBoolean() ? 64 : 700)];
            r.nextBytes(in);
            if (in.length > 14 && r.nextBoolean()) {
                // Point random frames at IPv4 with a plausible first byte, so deeper code runs.
                in[12] = 0x08;
                in[13] = (byte) (r.nextBoolean() ? 0x00 : 0x06);
                in[14] = (byte) (0x45 + r.nextInt(3));
            }
            for (Parser p : PARSERS) {
                check(p, in, r.nextBoolean());
            }
        }
    }

    @Test
    void mutatedGoldenInputsOnlyEverThrowMalformedPacketException() {
        Random r = new Random(SEED + 1);
        List<byte[]> seeds = seeds();
        for (int i = 0; i < 80_000; i++) {
            byte[] in = mutate(r, seeds.get(r.nextInt(seeds.size())));
            for (Parser p : PARSERS) {
                check(p, in, r.nextInt(4) == 0);
            }
        }
    }

    /** Flips bits, overwrites bytes with edge values, truncates, extends, deletes bytes or spans. */
    static byte[] mutate(Random r, byte[] seed) {
        byte[] in = seed.clone();
        int rounds = 1 + r.nextInt(4);
        for (int k = 0; k < rounds; k++) {
            switch (r.nextInt(7)) {
                case 0 -> {
                    if (in.length > 0) {
                        in[r.nextInt(in.length)] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 1 -> {
                    if (in.length > 0) {
                        byte[] edge = {0, (byte) 0xff, 0x7f, (byte) 0x80, 1, 0x34, 0x63};
                        in[r.nextInt(in.length)] = edge[r.nextInt(edge.length)];
                    }
                }
                case 2 -> in = java.util.Arrays.copyOf(in, r.nextInt(in.length + 1));
                case 3 -> {
                    int old = in.length;
                    in = java.util.Arrays.copyOf(in, old + r.nextInt(40));
                    for (int j = old; j < in.length; j++) {
                        in[j] = (byte) r.nextInt(256);
                    }
                }
                case 4 -> {
                    if (in.length > 1) {
                        int at = r.nextInt(in.length - 1);
                        System.arraycopy(in, at + 1, in, at, in.length - at - 1);
                        in = java.util.Arrays.copyOf(in, in.length - 1);
                    }
                }
                case 5 -> {
                    // Cut a span out, e.g. a whole NUL-terminated TFTP string or a BOOTP option.
                    if (in.length > 1) {
                        int at = r.nextInt(in.length);
                        int n = 1 + r.nextInt(Math.min(12, in.length - at));
                        byte[] cut = new byte[in.length - n];
                        System.arraycopy(in, 0, cut, 0, at);
                        System.arraycopy(in, at + n, cut, at, in.length - at - n);
                        in = cut;
                    }
                }
                default -> {
                    if (in.length >= 2) {
                        int at = r.nextInt(in.length - 1);
                        in[at] = (byte) r.nextInt(256);
                        in[at + 1] = (byte) r.nextInt(256);
                    }
                }
            }
        }
        return in;
    }

    @Test
    void arpRoundTrip() {
        Random r = new Random(SEED + 2);
        ByteBuffer b = ByteBuffer.allocate(ArpPacket.LENGTH);
        for (int i = 0; i < 20_000; i++) {
            ArpPacket p = new ArpPacket(r.nextInt(0x10000), new MacAddress(r.nextLong() & 0xFFFF_FFFF_FFFFL),
                    new Ipv4Address(r.nextInt()), new MacAddress(r.nextLong() & 0xFFFF_FFFF_FFFFL), new Ipv4Address(r.nextInt()));
            p.emit(b, 0);
            assertEquals(p, ArpPacket.parse(b, 0, ArpPacket.LENGTH));
        }
    }

    @Test
    void bootpRoundTrip() {
        Random r = new Random(SEED + 3);
        for (int i = 0; i < 5_000; i++) {
            BootpMessage m = BootpMessageTest.randomMessage(r);
            ByteBuffer b = ByteBuffer.allocate(m.encodedLength() + 10);
            int n = m.emit(b, 10);
            assertEquals(m, BootpMessage.parse(b, 10, n));
        }
    }

    @Test
    void tftpRoundTripForEveryKind() {
        Random r = new Random(SEED + 4);
        int[] seen = new int[7];
        for (int i = 0; i < 20_000; i++) {
            TftpPacket p = randomTftp(r);
            seen[p.opcode()]++;
            ByteBuffer b = ByteBuffer.allocate(p.encodedLength());
            assertEquals(b.capacity(), p.emit(b, 0));
            TftpPacket back = TftpWire.parse(b, 0, b.capacity());
            if (!p.equals(back)) {
                fail("round trip of " + p + " gave " + back);
            }
        }
        for (int op = 1; op <= 6; op++) {
            assertEquals(true, seen[op] > 1000, "opcode " + op + " generated " + seen[op] + " times");
        }
    }

    static TftpPacket randomTftp(Random r) {
        return switch (1 + r.nextInt(6)) {
            case 1 -> new TftpPacket.Rrq(text(r, 1, 40), text(r, 1, 10), options(r));
            case 2 -> new TftpPacket.Wrq(text(r, 1, 40), text(r, 1, 10), options(r));
            case 3 -> {
                byte[] d = new byte[r.nextInt(r.nextInt(8) == 0 ? 1469 : 17)];
                r.nextBytes(d);
                yield new TftpPacket.Data(r.nextInt(0x10000), d);
            }
            case 4 -> new TftpPacket.Ack(r.nextInt(0x10000));
            case 5 -> new TftpPacket.Error(r.nextInt(0x10000), text(r, 0, 60));
            default -> new TftpPacket.Oack(options(r));
        };
    }

    private static List<TftpPacket.Option> options(Random r) {
        List<TftpPacket.Option> o = new ArrayList<>();
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            // Parsing lower-cases names (RFC 2347: case-insensitive), so generate them lower-case.
            o.add(new TftpPacket.Option(text(r, 1, 12).toLowerCase(java.util.Locale.ROOT), text(r, 0, 12)));
        }
        return o;
    }

    /** Latin-1 text without NUL. */
    private static String text(Random r, int min, int max) {
        char[] c = new char[min + r.nextInt(max - min + 1)];
        for (int i = 0; i < c.length; i++) {
            c[i] = (char) (1 + r.nextInt(255));
        }
        return new String(c);
    }
}
