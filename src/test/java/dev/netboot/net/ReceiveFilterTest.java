package dev.netboot.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.wire.ArpPacket;
import dev.netboot.wire.Checksum;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.IgmpPacket;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ReceiveFilter}'s contract, checked on twin stacks driven alike: one is handed every frame, the other only the
 * frames its verdict takes, the rest counted with {@link ReceiveFilter#dropped} as the emulator's port does, with the
 * verdict asked when the frame was queued and asked again only when {@link ReceiveFilter#receiveState} has moved
 * since. Between frames both get the same calls (configure, bind and unbind, resolve, watch an address, join and
 * leave groups, time). After every step the twins must agree on everything observable: counters, every frame sent
 * (bytes and time), every datagram and unreachable a port was handed, an address conflict seen, groups joined (what ARP resolved
 * shows in what they send). And a verdict that says a frame
 * is only counted must stand while the receive state does not move.
 */
class ReceiveFilterTest {
    static final long MS = ScriptedLink.MS;
    static final MacAddress OUR_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress[] MACS = {OUR_MAC, MacAddress.parse("02:00:00:00:00:05"),
            MacAddress.parse("02:00:00:00:00:06"), MacAddress.BROADCAST, MacAddress.ZERO,
            new MacAddress(MacAddress.multicastValue(0xEF01_0203)), new MacAddress(MacAddress.multicastValue(0xE000_0001))};
    static final Ipv4Address[] IPS = {Ipv4Address.parse("192.0.2.2"), Ipv4Address.parse("192.0.2.5"),
            Ipv4Address.parse("192.0.2.6"), Ipv4Address.parse("192.0.2.255"), Ipv4Address.parse("255.255.255.255"),
            Ipv4Address.ANY, Ipv4Address.parse("198.51.100.9"), Ipv4Address.parse("239.1.2.3"),
            Ipv4Address.parse("239.9.9.9"), IgmpPacket.ALL_SYSTEMS, Ipv4Address.parse("192.0.2.1")};
    static final Ipv4Address[] GROUPS = {Ipv4Address.parse("239.1.2.3"), Ipv4Address.parse("239.9.9.9")};
    static final int[] PORTS = {67, 68, 69, 5000};
    static final NetConfig CONFIG = new NetConfig(2, 2_000 * MS, 300 * MS, 2, 64, true);

    /**
     * A port's handler that records what it is handed; it ignores (counts only) payloads that start with 0xEE, and,
     * while {@link #repliesIgnored}, a BOOTREPLY for another chaddr than {@link #OUR_MAC} (as a DHCP client does but
     * while it awaits a DHCPACK), telling the stack when that changes.
     */
    static final class Port implements UdpHandler {
        final List<String> seen = new ArrayList<>();
        long ignored;
        boolean repliesIgnored;

        @Override
        public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
            if (ignores(srcIp, srcPort, dstIp, buf, off, len)) {
                ignored++;
                return;
            }
            byte[] p = new byte[len];
            buf.get(off, p);
            seen.add(now + " " + new Ipv4Address(srcIp) + ":" + srcPort + " > " + new Ipv4Address(dstIp) + " "
                    + java.util.HexFormat.of().formatHex(p));
        }

        @Override
        public void onUnreachable(long now, Ipv4Address dst, int dstPort, boolean refused, String reason) {
            seen.add(now + " unreachable " + dst + ":" + dstPort + " " + reason);
        }

        @Override
        public boolean ignores(int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
            return len > 0 && buf.get(off) == (byte) 0xEE
                    || repliesIgnored && dev.netboot.wire.BootpMessage.isReplyForAnother(buf, off, len, OUR_MAC);
        }

        @Override
        public boolean ignoresRepliesForAnother() {
            return repliesIgnored;
        }

        @Override
        public void ignored() {
            ignored++;
        }
    }

    /** One of the twins: its link, stack and ports. */
    static final class Twin {
        final ScriptedLink link = new ScriptedLink(OUR_MAC);
        final NetStack net = new NetStack(link, CONFIG);
        final Port[] ports = new Port[PORTS.length];

        Twin() {
            for (int i = 0; i < ports.length; i++) {
                ports[i] = new Port();
            }
        }
    }

    /** A frame queued for the filtered twin, with the verdict and receive state it was asked in. */
    record Queued(byte[] frame, int verdict, long state) {
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    void aFilteredStackDoesWhatAStackHandedEveryFrameDoes(long seed) {
        Random rnd = new Random(seed);
        Twin all = new Twin();
        Twin filtered = new Twin();
        for (Twin t : new Twin[] {all, filtered}) {
            t.net.bind(PORTS[3], t.ports[3]);
        }
        long now = 0;
        int asked = 0;
        int spared = 0;
        for (int step = 0; step < 3_000; step++) {
            int op = rnd.nextInt(20);
            if (op < 12) {
                byte[] f = frame(rnd);
                Queued q = new Queued(f, filtered.net.verdict(ByteBuffer.wrap(f).asReadOnlyBuffer(), f.length),
                        filtered.net.receiveState());
                asked++;
                // What may happen between the frame's queueing and its arrival: another call, or time.
                if (rnd.nextInt(3) == 0) {
                    now = act(rnd, now, all, filtered);
                }
                all.link.deliver(now, f);
                all.net.poll(now);
                int v = q.verdict();
                if (filtered.net.receiveState() != q.state()) {
                    v = filtered.net.verdict(ByteBuffer.wrap(f).asReadOnlyBuffer(), f.length);
                } else if (v != ReceiveFilter.TAKE) {
                    assertEquals(v, filtered.net.verdict(ByteBuffer.wrap(f).asReadOnlyBuffer(), f.length),
                            "seed " + seed + " step " + step + ": a verdict changed while the receive state stood");
                }
                if (v == ReceiveFilter.TAKE) {
                    filtered.link.deliver(now, f);
                    filtered.net.poll(now);
                } else {
                    long before = filtered.net.receiveState();
                    filtered.net.dropped(v);
                    assertEquals(before, filtered.net.receiveState());
                    spared++;
                }
            } else {
                now = act(rnd, now, all, filtered);
            }
            assertSame(seed, step, all, filtered);
        }
        assertTrue(spared > 300 && spared < asked - 200, "both kinds of verdict exercised: " + spared + " of " + asked
                + " only counted");
    }

    /**
     * {@link ReceiveFilter#verdictOfKind}: where a stack gives a kind of frame ({@link FrameKind}) one verdict, every
     * frame of that kind not from its own MAC gets that verdict from {@link ReceiveFilter#verdict}, in states and on
     * frames drawn as above. Each kind is met, the stack answering for it and not.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void aKindsVerdictIsTheVerdictOfEveryFrameOfIt(long seed) {
        Random rnd = new Random(seed);
        Twin a = new Twin();
        Twin b = new Twin();
        FrameKind kinds = new FrameKind();
        int[] answered = new int[4]; // UDP broadcast, ARP probe, ARP with a sender address, another client's BOOTREPLY
        int[] asked = new int[4];
        int named = 0; // ARP naming an address the stack looks for: asked about itself
        for (int step = 0; step < 20_000; step++) {
            if (step % 200 == 0) { // a stack as it starts (no address, nothing cached): the state a fleet's boards wait in
                a = new Twin();
                b = new Twin();
            }
            if (rnd.nextInt(10) == 0) {
                act(rnd, 0, a, b);
                continue;
            }
            byte[] f = frame(rnd);
            ByteBuffer view = ByteBuffer.wrap(f).asReadOnlyBuffer();
            int kind = kinds.of(view, f.length);
            if (kind == FrameKind.NONE || MacAddress.readLong(view, 6) == OUR_MAC.value()
                    || kind == FrameKind.BOOTREPLY && kinds.addressee() == OUR_MAC.value() // a reply for us: asked itself
                    || (kind == FrameKind.ARP_PROBE || kind == FrameKind.ARP_SENDER) && names(a.net, kinds.addressee())) {
                named += kind == FrameKind.ARP_PROBE || kind == FrameKind.ARP_SENDER ? 1 : 0;
                continue;
            }
            int k = kind == FrameKind.ARP_PROBE ? 1 : kind == FrameKind.ARP_SENDER ? 2 : kind == FrameKind.BOOTREPLY ? 3 : 0;
            asked[k]++;
            int v = a.net.verdictOfKind(kind);
            if (v != ReceiveFilter.TAKE) {
                answered[k]++;
                assertEquals(a.net.verdict(view, f.length), v, "seed " + seed + " step " + step + ": kind " + kind);
            }
        }
        for (int k = 0; k < 4; k++) { // ARP naming none of the stack's addresses has one verdict by kind, always
            assertTrue(answered[k] > 10 && (answered[k] < asked[k] || k == 1 || k == 2), "seed " + seed + " kind " + k
                    + ": " + answered[k] + " of " + asked[k] + " answered by kind");
        }
        assertTrue(named > 10, "seed " + seed + ": " + named + " ARP packets naming the stack's addresses");
    }

    /**
     * Returns whether an ARP packet whose sender and target addresses are {@code addressee} names one the stack looks for:
     * as target one of the first two of {@link NetStack#arpInterests}, as sender one of the rest.
     */
    static boolean names(NetStack net, long addressee) {
        int[] interests = new int[8];
        int n = net.arpInterests(interests);
        assertTrue(n >= 0, "a board's ARP looks for few addresses");
        int tpa = (int) addressee;
        if (tpa != 0 && (tpa == interests[0] || tpa == interests[1])) {
            return true;
        }
        for (int i = 2; i < n; i++) {
            if (interests[i] == (int) (addressee >>> 32)) {
                return true;
            }
        }
        return false;
    }

    /**
     * RFC 5227 section 2.1.1: while a board probes for an address it has not configured, another host's ARP packet
     * with that address as sender, or another host's probe for it, is a conflict, although the packet is for neither
     * the board's address nor a host it seeks; an unrelated host's ARP is only counted.
     */
    @org.junit.jupiter.api.Test
    void whileProbingAnotherHostsArpForTheAddressIsTaken() {
        Twin t = new Twin();
        Ipv4Address probed = IPS[1];
        t.net.watchAddress(probed);
        byte[] claim = Frames.arpRequest(MACS[2], probed, IPS[10]);
        byte[] probe = Frames.arp(MACS[2], MacAddress.BROADCAST,
                new ArpPacket(ArpPacket.REQUEST, MACS[2], Ipv4Address.ANY, MacAddress.ZERO, probed));
        byte[] unrelated = Frames.arpRequest(MACS[2], IPS[2], IPS[10]);
        assertEquals(ReceiveFilter.TAKE, t.net.verdict(ByteBuffer.wrap(claim), claim.length));
        assertEquals(ReceiveFilter.TAKE, t.net.verdict(ByteBuffer.wrap(probe), probe.length));
        assertTrue(t.net.verdict(ByteBuffer.wrap(unrelated), unrelated.length) != ReceiveFilter.TAKE);
        t.link.deliver(0, claim);
        t.net.poll(0);
        assertEquals(MACS[2], t.net.conflict());
    }

    /** A call other than a frame, made on both twins alike; returns the time after it. */
    static long act(Random rnd, long now, Twin a, Twin b) {
        int what = rnd.nextInt(9);
        Ipv4Address ip = IPS[rnd.nextInt(IPS.length)];
        int p = rnd.nextInt(PORTS.length);
        Ipv4Address ours = new Ipv4Address[] {IPS[0], IPS[2], Ipv4Address.ANY}[rnd.nextInt(3)]; // ANY: as before a lease
        Ipv4Address watched = rnd.nextInt(3) == 0 ? Ipv4Address.ANY : ip;
        for (Twin t : new Twin[] {a, b}) {
            switch (what) {
                case 0 -> t.net.configure(ours, Ipv4Address.parse("255.255.255.0"), IPS[10]);
                case 1 -> {
                    if (!t.net.isBound(PORTS[p])) {
                        t.net.bind(PORTS[p], t.ports[p]);
                    } else {
                        t.net.unbind(PORTS[p]);
                    }
                }
                case 2 -> t.net.resolve(now, ip.isMulticast() || ip.value() == -1 || ip.value() == 0 ? IPS[1] : ip);
                case 3 -> t.net.watchAddress(watched);
                case 4 -> t.net.joinGroup(now, GROUPS[p % 2]);
                case 5 -> t.net.leaveGroup(now, GROUPS[p % 2]);
                case 6 -> t.net.sendUdp(now, PORTS[p], IPS[1 + p % 2], 69, 4, (buf, off, len) -> buf.putInt(off, 0x01020304));
                case 8 -> { // port 68's handler starts or stops ignoring the others' replies, and says so
                    t.ports[1].repliesIgnored = !t.ports[1].repliesIgnored;
                    t.net.portChanged();
                }
                default -> {
                }
            }
        }
        // Both twins had the same calls: every random number was drawn before the loop.
        long later = now + (what == 7 ? rnd.nextInt(1_500) * MS : rnd.nextInt(3) * MS);
        a.net.poll(later);
        b.net.poll(later);
        return later;
    }

    static void assertSame(long seed, int step, Twin a, Twin b) {
        String at = "seed " + seed + " step " + step;
        assertEquals(a.net.stats(), b.net.stats(), at);
        assertArrayEquals(a.net.igmpCounters(), b.net.igmpCounters(), at);
        List<ScriptedLink.Tx> ta = a.link.takeTx();
        List<ScriptedLink.Tx> tb = b.link.takeTx();
        assertEquals(ta.size(), tb.size(), at + ": frames sent");
        for (int i = 0; i < ta.size(); i++) {
            assertEquals(ta.get(i).at(), tb.get(i).at(), at);
            assertArrayEquals(ta.get(i).bytes(), tb.get(i).bytes(), at);
        }
        for (int i = 0; i < PORTS.length; i++) {
            assertEquals(a.ports[i].seen, b.ports[i].seen, at + " port " + PORTS[i]);
            assertEquals(a.ports[i].ignored, b.ports[i].ignored, at + " port " + PORTS[i]);
        }
        assertEquals(a.net.conflict(), b.net.conflict(), at);
        for (Ipv4Address g : GROUPS) {
            assertEquals(a.net.isMember(g), b.net.isMember(g), at);
        }
    }

    /** A frame a board may hear on a busy segment: ARP of every kind, UDP, IGMP, ICMP, and broken ones. */
    static byte[] frame(Random rnd) {
        MacAddress src = MACS[rnd.nextInt(MACS.length)];
        MacAddress dst = rnd.nextBoolean() ? MACS[rnd.nextInt(MACS.length)] : rnd.nextBoolean() ? OUR_MAC : MacAddress.BROADCAST;
        Ipv4Address sip = IPS[rnd.nextInt(IPS.length)];
        Ipv4Address dip = IPS[rnd.nextInt(IPS.length)];
        byte[] f = switch (rnd.nextInt(7)) {
            case 0, 1 -> Frames.arp(src, dst, new ArpPacket(rnd.nextBoolean() ? ArpPacket.REQUEST : ArpPacket.REPLY,
                    src, rnd.nextInt(4) == 0 ? Ipv4Address.ANY : sip, MACS[rnd.nextInt(MACS.length)], dip));
            case 2, 3 -> {
                byte[] payload = new byte[rnd.nextInt(6)];
                rnd.nextBytes(payload);
                if (payload.length > 0 && rnd.nextBoolean()) {
                    payload[0] = (byte) 0xEE;
                }
                yield Frames.udp(src, dst, sip, PORTS[rnd.nextInt(PORTS.length)], dip, PORTS[rnd.nextInt(PORTS.length)],
                        payload);
            }
            case 4 -> igmp(src, dst, sip, dip, rnd);
            case 5 -> bootReply(src, dst, sip, dip, rnd);
            default -> icmpEcho(src, dst, sip, dip);
        };
        switch (rnd.nextInt(12)) {
            case 0 -> f[rnd.nextInt(f.length)] ^= (byte) (1 << rnd.nextInt(8));            // a flipped bit anywhere
            case 1 -> f = java.util.Arrays.copyOf(f, rnd.nextInt(f.length + 1));          // cut short
            case 2 -> {
                if (f.length > EthernetFrame.HEADER_LEN + 7) {
                    f[EthernetFrame.HEADER_LEN + 6] |= 0x20;                            // IPv4 "more fragments"
                }
            }
            default -> {
            }
        }
        return f;
    }

    /**
     * A BOOTREPLY (RFC 951's fixed part, some options' room after it) from port 67 to port 68, its chaddr one of
     * {@link #MACS}; now and then a BOOTREQUEST, or htype or hlen not Ethernet's.
     */
    static byte[] bootReply(MacAddress src, MacAddress dst, Ipv4Address sip, Ipv4Address dip, Random rnd) {
        byte[] p = new byte[236 + rnd.nextInt(64)];
        rnd.nextBytes(p);
        p[0] = (byte) (rnd.nextInt(8) == 0 ? 1 : 2);
        p[1] = (byte) (rnd.nextInt(8) == 0 ? 6 : 1);
        p[2] = (byte) (rnd.nextInt(8) == 0 ? 16 : 6);
        MACS[rnd.nextInt(MACS.length)].write(ByteBuffer.wrap(p), 28);
        return Frames.udp(src, dst, sip, 67, dip, 68, p);
    }

    static byte[] igmp(MacAddress src, MacAddress dst, Ipv4Address sip, Ipv4Address dip, Random rnd) {
        int[] types = {IgmpPacket.QUERY, IgmpPacket.V2_REPORT, IgmpPacket.LEAVE};
        ByteBuffer b = ByteBuffer.allocate(EthernetFrame.HEADER_LEN + Ipv4Packet.ROUTER_ALERT_HEADER_LEN + IgmpPacket.LENGTH);
        EthernetFrame.emit(b, dst.value(), src.value(), EthernetFrame.TYPE_IPV4);
        new IgmpPacket(types[rnd.nextInt(types.length)], rnd.nextInt(100), GROUPS[rnd.nextInt(2)])
                .emit(b, EthernetFrame.HEADER_LEN + Ipv4Packet.ROUTER_ALERT_HEADER_LEN);
        Ipv4Packet.emitWithRouterAlert(b, EthernetFrame.HEADER_LEN, IgmpPacket.LENGTH, Ipv4Packet.PROTO_IGMP, sip.value(),
                dip.value(), 1, 7);
        return b.array();
    }

    /** An ICMP echo request (RFC 792: type 8, code 0, identifier, sequence, data) with its checksum. */
    static byte[] icmpEcho(MacAddress src, MacAddress dst, Ipv4Address sip, Ipv4Address dip) {
        int icmpLen = 12;
        ByteBuffer b = ByteBuffer.allocate(EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN + icmpLen);
        EthernetFrame.emit(b, dst.value(), src.value(), EthernetFrame.TYPE_IPV4);
        int off = EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN;
        b.put(off, (byte) 8).putShort(off + 4, (short) 0x0102).putShort(off + 6, (short) 1).putInt(off + 8, 0x61626364);
        b.putShort(off + 2, (short) Checksum.of(b, off, icmpLen));
        Ipv4Packet.emit(b, EthernetFrame.HEADER_LEN, icmpLen, Ipv4Packet.PROTO_ICMP, sip.value(), dip.value(), 64, 9);
        return b.array();
    }
}
