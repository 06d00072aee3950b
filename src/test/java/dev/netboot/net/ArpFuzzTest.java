package dev.netboot.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.netboot.wire.ArpPacket;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.FuzzInput;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes ARP resolution in {@link NetStack} (RFC 826): the fuzzer interleaves {@code resolve} calls, UDP
 * sends that must wait for ARP, ARP requests and replies with any addresses, raw frames, IPv4 frames of
 * any protocol, and time.
 *
 * <p>Properties: nothing throws; {@code pollAt()} moves past now within a few polls; a resolution ends
 * (resolved or failed) once the segment is silent; {@code resolve} reports an address only as the MAC a
 * delivered ARP packet gave for it within the entry lifetime; every datagram held for ARP is either sent
 * to its destination or reported unreachable to its port, never dropped unsaid; the stack sends at
 * most one ARP request per address at one instant until an answer for that address arrives; and an ICMP port
 * unreachable it sends answers the frame just delivered, once, only if that was a UDP datagram to our address and
 * MAC on a port nobody listens on from a source that is a single host (RFC 1122 sections 4.1.3.1 and 3.2.2), quotes
 * it exactly (up to 576 bytes of error, RFC 1812 section 4.3.2.3) and goes back where it came from, at most 6 plus
 * one per whole second in any stretch of time.
 */
class ArpFuzzTest {
    static final long MS = ScriptedLink.MS;
    static final long SEC = ScriptedLink.SEC;
    static final MacAddress OUR_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final Ipv4Address OUR_IP = Ipv4Address.parse("192.0.2.2");
    static final Ipv4Address[] IPS = {Ipv4Address.parse("192.0.2.1"), Ipv4Address.parse("192.0.2.5"),
            Ipv4Address.parse("192.0.2.6"), Ipv4Address.parse("198.51.100.9"), OUR_IP, Ipv4Address.parse("192.0.2.255"),
            Ipv4Address.ANY, Ipv4Address.parse("192.0.2.7"), Ipv4Address.parse("192.0.2.8")};
    static final MacAddress[] MACS = {MacAddress.parse("02:00:00:00:00:0a"), MacAddress.parse("02:00:00:00:00:0b"),
            MacAddress.parse("02:00:00:00:00:0c"), OUR_MAC, MacAddress.BROADCAST, MacAddress.ZERO};
    static final int PORT = 5000;

    enum Op { WAIT, RESOLVE, SEND, ARP, RAW, IPV4 }

    static Stream<Arguments> seeds() {
        FuzzInput.Script resolveAndReply = new FuzzInput.Script().u8(2).u8(0).u8(4)  // header: 3 entries, 300 s, 5 requests
                .u8(Op.RESOLVE.ordinal()).u8(1)                                      // resolve 192.0.2.5
                .u8(Op.SEND.ordinal()).u8(3).u16(100)                                // send to 198.51.100.9 (via the gateway)
                .u8(Op.WAIT.ordinal()).u8(0).u8(100)
                .u8(Op.ARP.ordinal()).u8(2).u8(1).u8(1).u8(3).u8(4).u8(0)             // reply 192.0.2.5 is-at 0b to us
                .u8(Op.ARP.ordinal()).u8(2).u8(0).u8(0).u8(3).u8(4).u8(0)             // reply 192.0.2.1 is-at 0a to us
                .u8(Op.RESOLVE.ordinal()).u8(1)
                .u8(Op.ARP.ordinal()).u8(1).u8(2).u8(2).u8(5).u8(4).u8(1);            // request from .6 for us, broadcast
        FuzzInput.Script unanswered = new FuzzInput.Script().u8(0).u8(0).u8(2)        // 1 entry, 300 s, 3 requests
                .u8(Op.SEND.ordinal()).u8(7).u16(10).u8(Op.SEND.ordinal()).u8(8).u16(10)
                .u8(Op.WAIT.ordinal()).u8(2).u8(5);
        return Stream.of(resolveAndReply.build(), unanswered.build()).map(b -> arguments((Object) b));
    }

    /** The first seed resolves the server and sends the held datagram through the gateway; the second reports both unreachable. */
    @Test
    void seedsResolveOrReport() {
        List<Arguments> s = seeds().toList();
        Run r = new Run(new FuzzInput((byte[]) s.get(0).get()[0]));
        r.run();
        assertEquals(new ArpStatus.Resolved(MACS[1]), r.net.resolve(r.now, IPS[1]));
        assertEquals(1, r.sentTo.getOrDefault(IPS[3].value(), 0));
        Run u = new Run(new FuzzInput((byte[]) s.get(1).get()[0]));
        u.run();
        assertEquals(2, u.unreachable.size());
        assertInstanceOf(ArpStatus.Failed.class, u.net.resolve(u.now, IPS[7]));   // the failure, reported once
        assertInstanceOf(ArpStatus.Pending.class, u.net.resolve(u.now, IPS[7]));  // then a fresh start
    }

    @MethodSource("seeds")
    @FuzzTest
    void resolution(byte[] input) {
        new Run(new FuzzInput(input)).run();
    }

    /** One fuzzed run and its checks. */
    static final class Run implements UdpHandler {
        final FuzzInput in;
        final ScriptedLink link = new ScriptedLink(OUR_MAC);
        final NetConfig config;
        final NetStack net;
        final Map<Integer, Integer> held = new HashMap<>();       // destination -> datagrams waiting for ARP
        final Map<Integer, Integer> sentTo = new HashMap<>();     // destination -> datagrams sent
        final List<Ipv4Address> unreachable = new ArrayList<>();
        final List<long[]> learned = new ArrayList<>();           // {time, ip, mac} of every ARP packet delivered to us
        final Map<Integer, Long> lastRequest = new HashMap<>();   // address -> time of our last ARP request for it
        final List<Long> errorsAt = new ArrayList<>();            // times of the port unreachable errors sent
        byte[] lastFrame;                                         // the frame delivered last, until an error answers it
        long now = 10 * SEC;

        Run(FuzzInput in) {
            this.in = in;
            int cache = 1 + in.below(16);
            long lifetime = in.u8() == 0 ? 300 * SEC : (1 + in.below(30)) * SEC;
            int requests = 1 + in.below(5);
            config = new NetConfig(cache, lifetime, 500 * MS, requests, 64, false);
            net = new NetStack(link, config);
            net.configure(OUR_IP, Ipv4Address.parse("255.255.255.0"), IPS[0]);
            net.bind(PORT, this);
        }

        @Override
        public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
        }

        @Override
        public void onUnreachable(long at, Ipv4Address dst, int dstPort, boolean refused, String reason) {
            unreachable.add(dst);
            if (held.merge(dst.value(), -1, Integer::sum) < 0) {
                throw new AssertionError("reported " + dst + " unreachable for a datagram that was not held: " + reason);
            }
        }

        void run() {
            for (int steps = 0; in.more() && steps < 1_000; steps++) {
                switch (Op.values()[in.below(Op.values().length)]) {
                    case WAIT -> {
                        int scale = in.below(3);
                        now += in.u8() * (scale == 0 ? MS : scale == 1 ? 100 * MS : SEC);
                        pollUntilQuiet();
                    }
                    case RESOLVE -> checkResolve(IPS[in.below(IPS.length)]);
                    case SEND -> {
                        Ipv4Address dst = IPS[in.below(IPS.length)];
                        int len = in.u16() % (net.maxUdpPayload() + 1);
                        SendResult r = net.sendUdp(now, PORT, dst, 69, len, (b, off, n) -> {
                            for (int i = 0; i < n; i++) {
                                b.put(off + i, (byte) i);
                            }
                        });
                        if (r == SendResult.PENDING_ARP) {
                            held.merge(dst.value(), 1, Integer::sum);
                        }
                        check();
                    }
                    case ARP -> deliver(arp());
                    case RAW -> deliver(in.bytes(in.u16() % 1515));
                    case IPV4 -> deliver(ipv4());
                }
            }
            silence();
        }

        byte[] arp() {
            int op = switch (in.below(3)) {
                case 0 -> in.u16();
                case 1 -> ArpPacket.REQUEST;
                default -> ArpPacket.REPLY;
            };
            MacAddress sha = MACS[in.below(MACS.length)];
            Ipv4Address spa = IPS[in.below(IPS.length)];
            MacAddress tha = MACS[in.below(MACS.length)];
            Ipv4Address tpa = IPS[in.below(IPS.length)];
            MacAddress ethDst = switch (in.below(3)) {
                case 0 -> OUR_MAC;
                case 1 -> MacAddress.BROADCAST;
                default -> MACS[0];
            };
            return Frames.arp(sha, ethDst, new ArpPacket(op, sha, spa, tha, tpa));
        }

        byte[] ipv4() {
            int protocol = switch (in.below(3)) {
                case 0 -> Ipv4Packet.PROTO_ICMP;
                case 1 -> Ipv4Packet.PROTO_UDP;
                default -> in.u8();
            };
            byte[] payload = in.bytes(in.u16() % 1481);
            ByteBuffer b = ByteBuffer.allocate(EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN + payload.length);
            EthernetFrame.emit(b, in.bool() ? OUR_MAC.value() : MacAddress.BROADCAST.value(), MACS[in.below(3)].value(),
                    EthernetFrame.TYPE_IPV4);
            b.put(Frames.UDP_OFF, payload);
            Ipv4Packet.emit(b, Frames.IP_OFF, payload.length, protocol, IPS[in.below(IPS.length)].value(),
                    in.bool() ? OUR_IP.value() : -1, 64, 1);
            return b.array();
        }

        void deliver(byte[] frame) {
            lastFrame = frame;
            record(frame);
            link.deliver(now, frame);
            net.poll(now);
            check();
        }

        /** Decodes a delivered ARP frame independently: what it could teach the stack. */
        void record(byte[] frame) {
            try {
                ByteBuffer b = ByteBuffer.wrap(frame);
                EthernetFrame eth = new EthernetFrame().wrap(b, frame.length);
                boolean forUs = eth.dstValue() == OUR_MAC.value() || eth.dstValue() == MacAddress.BROADCAST.value();
                if (eth.etherType() == EthernetFrame.TYPE_ARP && forUs && eth.srcValue() != OUR_MAC.value()) {
                    ArpPacket p = ArpPacket.parse(b, eth.payloadOffset(), eth.payloadLength());
                    learned.add(new long[] {now, p.spa().value(), p.sha().value()});
                    // An answer ends a resolution: a later request (the entry evicted from a small cache) is a new one.
                    lastRequest.remove(p.spa().value());
                }
            } catch (MalformedPacketException e) {
                // nothing to learn
            }
        }

        /** A resolved address must be what a delivered ARP packet said, within the entry lifetime. */
        void checkResolve(Ipv4Address ip) {
            ArpStatus s = net.resolve(now, ip);
            if (s instanceof ArpStatus.Resolved(MacAddress mac)) {
                boolean told = learned.stream().anyMatch(l -> l[1] == ip.value() && l[2] == mac.value() && now - l[0] < config.arpEntryLifetime());
                if (!told) {
                    throw new AssertionError(ip + " resolved to " + mac + ", which no ARP packet of the last "
                            + config.arpEntryLifetime() / SEC + " s said");
                }
            }
            check();
        }

        void pollUntilQuiet() {
            for (int i = 0; net.pollAt() <= now; i++) {
                if (i == 64) {
                    throw new AssertionError("no progress: pollAt() " + net.pollAt() + " at or before now " + now + " after 64 polls");
                }
                net.poll(now);
                check();
            }
        }

        /** The segment falls silent: every resolution ends, and every held datagram went out or was reported. */
        void silence() {
            long start = now;
            for (int i = 0; net.pollAt() != Long.MAX_VALUE; i++) {
                if (i == 1_000 || net.pollAt() - start > (config.arpMaxRequests() + 1) * config.arpRetryInterval()) {
                    throw new AssertionError("ARP still busy " + (net.pollAt() - start) / MS + " ms into a silence");
                }
                now = Math.max(now, net.pollAt());
                net.poll(now);
                check();
            }
            held.forEach((dst, n) -> {
                if (n != 0) {
                    throw new AssertionError(n + " datagram(s) to " + new Ipv4Address(dst) + " held for ARP were neither sent nor reported");
                }
            });
        }

        void check() {
            for (ScriptedLink.Tx t : link.takeTx()) {
                ByteBuffer b = ByteBuffer.wrap(t.bytes());
                EthernetFrame eth = new EthernetFrame().wrap(b, t.bytes().length);
                if (eth.etherType() == EthernetFrame.TYPE_ARP) {
                    ArpPacket a = ArpPacket.parse(b, eth.payloadOffset(), eth.payloadLength());
                    if (a.op() == ArpPacket.REQUEST) {
                        if (lastRequest.put(a.tpa().value(), t.at()) instanceof Long at && at == t.at()) {
                            throw new AssertionError("two ARP requests for " + a.tpa() + " at " + t.at());
                        }
                    } else if (!a.sha().equals(OUR_MAC) || !a.spa().equals(OUR_IP) || !eth.dst().equals(a.tha())) {
                        throw new AssertionError("ARP reply " + a + " to " + eth.dst());
                    }
                    continue;
                }
                Ipv4Packet ip = new Ipv4Packet().wrap(b, eth.payloadOffset(), eth.payloadLength(), true);
                if (ip.protocol() == Ipv4Packet.PROTO_ICMP && b.get(ip.payloadOffset()) == 3) {
                    checkPortUnreachable(t, eth, ip);
                }
                if (ip.protocol() == Ipv4Packet.PROTO_UDP) {
                    sentTo.merge(ip.dst(), 1, Integer::sum);
                    Integer h = held.get(ip.dst());
                    if (h != null && h > 0) {
                        held.put(ip.dst(), h - 1);
                    }
                }
            }
        }

        /** A port unreachable the stack sent: what it answers, its quote, its rate. */
        void checkPortUnreachable(ScriptedLink.Tx t, EthernetFrame eth, Ipv4Packet ip) {
            byte[] d = lastFrame;
            lastFrame = null; // one error per datagram
            if (d == null || t.at() != now) {
                throw new AssertionError("a port unreachable at " + t.at() + " answering no frame just delivered");
            }
            ByteBuffer f = ByteBuffer.wrap(d);
            int ihl = (d[Frames.IP_OFF] & 0x0F) * 4;
            int src = f.getInt(Frames.IP_OFF + 12);
            int first = src >>> 24;
            boolean earned = d.length >= Frames.IP_OFF + ihl + 8 && MacAddress.readLong(f, 0) == OUR_MAC.value()
                    && f.getShort(12) == EthernetFrame.TYPE_IPV4 && d[Frames.IP_OFF + 9] == Ipv4Packet.PROTO_UDP
                    && (f.getShort(Frames.IP_OFF + 6) & 0x3FFF) == 0 // not a fragment (MF clear, offset 0)
                    && f.getInt(Frames.IP_OFF + 16) == OUR_IP.value() && first != 0 && first != 127 && first < 224
                    && src != Ipv4Address.parse("192.0.2.255").value() && src != OUR_IP.value()
                    && (f.getShort(Frames.IP_OFF + ihl + 2) & 0xFFFF) != PORT;
            if (!earned) {
                throw new AssertionError("a port unreachable for a frame that must not get one: " + java.util.HexFormat.of().formatHex(d));
            }
            int total = f.getShort(Frames.IP_OFF + 2) & 0xFFFF;
            int quoted = Math.min(total, 576 - 20 - 8);
            byte[] quote = java.util.Arrays.copyOfRange(t.bytes(), ip.payloadOffset() + 8, ip.payloadOffset() + ip.payloadLength());
            if (b(t.bytes(), ip.payloadOffset() + 1) != 3 || ip.dst() != src || eth.dstValue() != MacAddress.readLong(f, 6)
                    || !java.util.Arrays.equals(quote, java.util.Arrays.copyOfRange(d, Frames.IP_OFF, Frames.IP_OFF + quoted))) {
                throw new AssertionError("port unreachable " + java.util.HexFormat.of().formatHex(t.bytes()) + " for "
                        + java.util.HexFormat.of().formatHex(d));
            }
            errorsAt.add(t.at());
            for (int i = 0; i < errorsAt.size(); i++) {
                long stretch = t.at() - errorsAt.get(i);
                if (errorsAt.size() - i > 6 + stretch / SEC) {
                    throw new AssertionError((errorsAt.size() - i) + " port unreachable errors in " + stretch / MS + " ms");
                }
            }
        }

        static int b(byte[] bytes, int at) {
            return bytes[at] & 0xFF;
        }
    }
}
