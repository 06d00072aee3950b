package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStack;
import dev.netboot.net.NetStats;
import dev.netboot.net.UdpHandler;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: the faults an {@link EthernetSegment} makes besides loss and duplication, as timelines in virtual
 * time: a frame held back behind later ones, jitter that keeps order, bits flipped where checksums catch them,
 * bytes changed with the checksum made right, a board whose link goes down for a while.
 */
class SegmentFaultsTest {
    static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");
    static final Ipv4Address IP_A = Ipv4Address.parse("10.0.0.10");
    static final Ipv4Address IP_B = Ipv4Address.parse("10.0.0.11");
    static final long US = 1_000L;
    static final long MS = 1_000_000L;
    static final long LATENCY = 100 * US;

    /** A broadcast frame of 60 bytes numbered {@code n} (type 0x88b5, local experimental). */
    static void send(EmulatedPort from, long now, int n) {
        from.transmit(now, 60, (buf, len) -> {
            MacAddress.BROADCAST.write(buf, 0);
            from.macAddress().write(buf, 6);
            buf.putShort(12, (short) 0x88b5);
            for (int i = 14; i < len; i++) {
                buf.put(i, (byte) 0);
            }
            buf.putShort(14, (short) n);
        });
    }

    record Rx(long at, int n) {
    }

    static List<Rx> drain(EmulatedPort port) {
        List<Rx> out = new ArrayList<>();
        while (port.pollAt() != Long.MAX_VALUE) {
            long t = port.pollAt();
            port.receive(t, (now, f, len) -> out.add(new Rx(now, f.getShort(14) & 0xFFFF)));
        }
        return out;
    }

    @Test
    void aReorderedFrameIsHeldBackBehindTheNextFew() {
        EthernetSegment seg = new Simulation().newSegment(LATENCY, FaultPlan.NONE.withReorder(0.3, 25 * US), 5);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        for (int i = 0; i < 40; i++) {
            send(a, i * 10 * US, i);
        }
        List<Rx> got = drain(b);
        assertEquals(40, got.size());
        long held = 0;
        for (Rx r : got) {
            long due = r.n() * 10 * US + LATENCY;
            assertTrue(r.at() == due || r.at() == due + 25 * US, r.toString());
            held += r.at() == due ? 0 : 1;
        }
        assertEquals(seg.stats().reordered(), held);
        assertTrue(held > 5 && held < 20, "about 30% of 40: " + held);
        // A held frame is overtaken by the next two (sent 10 and 20 us after it, sooner than its 25 us) unless held too.
        List<Integer> order = got.stream().map(Rx::n).toList();
        for (Rx r : got) {
            if (r.at() != r.n() * 10 * US + LATENCY) {
                for (int j = r.n() + 1; j <= r.n() + 2 && j < 40; j++) {
                    Rx later = got.get(order.indexOf(j));
                    if (later.at() == j * 10 * US + LATENCY) {
                        assertTrue(order.indexOf(j) < order.indexOf(r.n()), "frame " + j + " overtakes held frame " + r.n());
                    }
                }
            }
        }
        assertNotEquals(got.stream().map(Rx::n).sorted().toList(), got.stream().map(Rx::n).toList(), "out of order");
    }

    @Test
    void jitterDelaysFramesUpToItsBoundAndKeepsTheirOrder() {
        EthernetSegment seg = new Simulation().newSegment(LATENCY, FaultPlan.NONE.withJitter(50 * US), 6);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        for (int i = 0; i < 200; i++) {
            send(a, i * US, i);
        }
        List<Rx> got = drain(b);
        assertEquals(200, got.size());
        long last = 0;
        long maxDelay = 0;
        for (int i = 0; i < 200; i++) {
            Rx r = got.get(i);
            assertEquals(i, r.n(), "order kept");
            long sent = i * US;
            assertTrue(r.at() >= sent + LATENCY && r.at() >= last, r.toString());
            // Never later than the bound, or than the frame before it (which it waits behind).
            assertTrue(r.at() <= Math.max(sent + LATENCY + 50 * US, last), r.toString());
            maxDelay = Math.max(maxDelay, r.at() - sent - LATENCY);
            last = r.at();
        }
        assertTrue(maxDelay > 40 * US, "the bound is reached, nearly: " + maxDelay);
    }

    /** A small host: a NetStack on a port that records the UDP payloads it gets on port 7. */
    static final class Host {
        final EmulatedPort port;
        final NetStack stack;
        final List<byte[]> got = new ArrayList<>();

        Host(EthernetSegment seg, MacAddress mac, Ipv4Address ip) {
            port = seg.attach(mac);
            stack = new NetStack(port, NetConfig.DEFAULTS);
            stack.configure(ip, Ipv4Address.parse("255.255.255.0"), Ipv4Address.ANY);
            stack.bind(7, new UdpHandler() {
                @Override
                public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
                    byte[] b = new byte[len];
                    buf.get(off, b);
                    got.add(b);
                }
            });
        }

        void sendTo(long now, Ipv4Address to, byte[] payload) {
            stack.sendUdp(now, 7, to, 7, payload.length, (buf, off, len) -> buf.put(off, payload, 0, len));
        }
    }

    static byte[] tftpData(int block, int n) {
        byte[] d = new byte[4 + n];
        ByteBuffer.wrap(d).putShort((short) 3).putShort((short) block);
        for (int i = 0; i < n; i++) {
            d[4 + i] = (byte) (i * 7);
        }
        return d;
    }

    /** Resolves each host's MAC at the other on a perfect wire first: ARP has no checksum to corrupt. */
    static void introduce(Host x, Host y, Ipv4Address ipX, Ipv4Address ipY) {
        x.stack.resolve(0, ipY);
        x.stack.poll(0);
        y.stack.poll(LATENCY);
        x.stack.poll(2 * LATENCY);
        y.stack.resolve(2 * LATENCY, ipX);
        assertTrue(x.stack.resolve(2 * LATENCY, ipY) instanceof dev.netboot.net.ArpStatus.Resolved);
    }

    @Test
    void flippedBitsAreCaughtByTheChecksumsAndNothingCorruptGetsThrough() {
        EthernetSegment seg = new Simulation().newSegment(LATENCY, FaultPlan.NONE.withCorrupt(1.0), 7);
        Host a = new Host(seg, A, IP_A);
        Host b = new Host(seg, B, IP_B);
        // ARP frames are left alone (no checksum to catch a flip; the Ethernet FCS would): resolution works.
        introduce(a, b, IP_A, IP_B);
        NetStats before = b.stack.stats();
        for (int i = 0; i < 300; i++) {
            a.sendTo(MS + i * US, IP_B, tftpData(i, 100));
        }
        for (long t = MS; t < 2 * MS; t += US) {
            b.stack.poll(t);
        }
        assertEquals(List.of(), b.got, "every datagram had a bit flipped, and every one was refused");
        NetStats s = b.stack.stats();
        long refused = (s.dropChecksum() - before.dropChecksum()) + (s.dropMalformed() - before.dropMalformed())
                + (s.dropNotForUs() - before.dropNotForUs()) + (s.dropFragment() - before.dropFragment())
                + (s.dropUnsupported() - before.dropUnsupported()) + (s.dropNoListener() - before.dropNoListener());
        assertEquals(300, refused, s.toString());
        assertTrue(s.dropChecksum() - before.dropChecksum() > 200, "mostly by a checksum: " + s);
        assertEquals(300, seg.stats().corrupted());
    }

    /** A peer that sends wrong bytes with right checksums: the stack cannot tell; each DATA block differs in one byte. */
    @Test
    void tamperedTftpDataPassesTheChecksumsWithOneByteWrong() {
        EthernetSegment seg = new Simulation().newSegment(LATENCY, FaultPlan.NONE.withTamper(1.0), 8);
        Host a = new Host(seg, A, IP_A);
        Host b = new Host(seg, B, IP_B);
        introduce(a, b, IP_A, IP_B);
        byte[] other = {0, 4, 0, 1};                                   // an ACK: not DATA, left alone
        a.sendTo(MS, IP_B, other);
        for (int i = 0; i < 50; i++) {
            a.sendTo(MS + (i + 1) * US, IP_B, tftpData(i, 512));
        }
        for (long t = MS; t < 2 * MS; t += US) {
            b.stack.poll(t);
        }
        assertEquals(51, b.got.size(), "checksums right: all delivered");
        assertArrayEquals(other, b.got.get(0));
        for (int i = 0; i < 50; i++) {
            byte[] sent = tftpData(i, 512);
            byte[] got = b.got.get(i + 1);
            int diff = 0;
            for (int j = 0; j < sent.length; j++) {
                diff += sent[j] != got[j] ? 1 : 0;
                if (j < 4) {
                    assertEquals(sent[j], got[j], "the header stays: opcode and block number");
                }
            }
            assertEquals(1, diff, "block " + i);
        }
        assertEquals(0, b.stack.stats().dropChecksum());
        assertEquals(50, seg.stats().tampered());
    }

    /** The board's cable out from 1 ms to 3 ms: nothing to or from it in between, everything else as usual. */
    @Test
    void theBoardsLinkGoesDownForAWhile() {
        EthernetSegment seg = new Simulation().newSegment(LATENCY, FaultPlan.NONE.withLinkDown(1 * MS, 2 * MS), 9);
        EmulatedPort a = seg.attach(A);
        EmulatedPort board = seg.attach(B);
        seg.boardPort(board);
        long[] sendAt = {500 * US, 899 * US, 900 * US, 1500 * US, 2 * MS, 2899 * US, 2900 * US, 3500 * US};
        for (int i = 0; i < sendAt.length; i++) {
            send(a, sendAt[i], i);
        }
        // Frames arrive 100 us later: those arriving in [1 ms, 3 ms) are lost.
        assertEquals(List.of(new Rx(600 * US, 0), new Rx(999 * US, 1), new Rx(3000 * US, 6), new Rx(3600 * US, 7)), drain(board));
        send(board, 999 * US, 100);
        send(board, 1 * MS, 101);
        send(board, 2999 * US, 102);
        send(board, 3 * MS, 103);
        assertEquals(List.of(new Rx(1099 * US, 100), new Rx(3100 * US, 103)), drain(a));
        EthernetSegment.Stats s = seg.stats();
        assertEquals(4 + 2, s.droppedByLinkDown());
        assertEquals(8 + 2, s.framesSent(), "what the board sent with its cable out never reached the wire");
    }

    /** Other machines' traffic: a flood exactly on its schedule, the other streams at their mean rates, one seed one traffic. */
    @Test
    void backgroundTrafficKeepsItsScheduleAndItsSeed() {
        List<Long> first = background(11);
        assertEquals(first, background(11));
        assertNotEquals(first, background(12));
    }

    private static List<Long> background(long seed) {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(LATENCY, FaultPlan.NONE, 1);
        EmulatedPort board = seg.attach(B);
        Background bg = new Background(1000, 200, 100, 500, 1 * MS, 1_000_000);
        BackgroundTraffic t = sim.add(new BackgroundTraffic(seg.attach(BackgroundTraffic.MAC), bg, IP_A,
                Ipv4Address.parse("255.255.255.0"), IP_B, () -> B, seed));
        List<Long> arrivals = new ArrayList<>();
        List<Long> flood = new ArrayList<>();
        sim.add(new SimNode() {
            @Override
            public void poll(long now) {
                while (board.receive(now, (at, f, len) -> {
                    arrivals.add(at);
                    boolean udp9 = len > 37 && f.get(0) == (byte) 0xff && f.get(12) == 8 && f.get(23) == 17 && f.getShort(36) == 9;
                    if (udp9) {
                        flood.add(at);
                    }
                })) {
                    // one frame per call
                }
            }

            @Override
            public long pollAt() {
                return board.pollAt();
            }
        });
        sim.runUntil(10_000 * MS);
        // The flood: 500 broadcasts to the discard port, one every microsecond from 1 ms on.
        assertEquals(500, flood.size());
        for (int k = 0; k < 500; k++) {
            assertEquals(1 * MS + k * US + LATENCY, flood.get(k));
        }
        long[] sent = t.sent();
        assertEquals(500, sent[3]);
        // 10 s at 1000, 200 and 100 per second, exponential intervals (Poisson counts): within 4 standard deviations
        // of 10000, 2000 and 1000 (sqrt(n) each; the datagrams skip 3 of 1023 ports, 67-69).
        assertTrue(Math.abs(sent[0] - 10_000) < 400, java.util.Arrays.toString(sent));
        assertTrue(Math.abs(sent[1] - 2_000) < 180, java.util.Arrays.toString(sent));
        assertTrue(Math.abs(sent[2] - 1_000) < 130, java.util.Arrays.toString(sent));
        assertEquals(sent[0] + sent[1] + sent[2] + sent[3], arrivals.size());
        return arrivals;
    }

    @Test
    void newFaultsLeaveTheLossPatternOfASeedAsItWas() {
        boolean[] plain = arrivals(FaultPlan.loss(0.3), 42);
        boolean[] busy = arrivals(FaultPlan.loss(0.3).withReorder(0.5, MS).withJitter(10 * US).withCorrupt(0.2).withTamper(0.2), 42);
        assertArrayEquals(plain, busy);
    }

    private static boolean[] arrivals(FaultPlan plan, long seed) {
        EthernetSegment seg = new Simulation().newSegment(LATENCY, plan, seed);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        for (int i = 0; i < 500; i++) {
            send(a, i * US, i);
        }
        boolean[] arrived = new boolean[500];
        for (Rx r : drain(b)) {
            arrived[r.n()] = true;
        }
        return arrived;
    }
}
