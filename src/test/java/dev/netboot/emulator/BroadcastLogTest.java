package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.net.ReceiveFilter;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.UdpDatagram;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * {@link BroadcastLog} on a 1 Gbit/s switch: one station sends DHCP-request-like broadcasts (UDP to
 * 255.255.255.255:67), two boards whose stacks drop every such datagram take them from the log only when they are
 * polled or their counters read, each counting every frame once; and the log forgets what both have taken, so it
 * holds what the slower one has not, not every frame ever sent. When it is full, a board behind takes what it has not
 * (as it would when polled), so the log stays as small with a board never polled, and the board counts what it would
 * have counted had each frame been forwarded to it as sent.
 */
class BroadcastLogTest {
    static final int NO_LISTENER = 5; // the verdict the stub gives the kind, as NetStack's DROP_NO_LISTENER

    /** A board's stack that listens on no port: every broadcast to 67 is only counted. */
    static final class Deaf implements ReceiveFilter {
        long dropped;

        @Override
        public int verdict(ByteBuffer frame, int length) {
            return NO_LISTENER;
        }

        @Override
        public long receiveState() {
            return 0;
        }

        @Override
        public void dropped(int verdict) {
            assertEquals(NO_LISTENER, verdict);
            dropped++;
        }

        @Override
        public int verdictOfKind(int kind) {
            return kind == 67 ? NO_LISTENER : TAKE;
        }
    }

    /**
     * A board that reads its port when polled, its stack {@link Deaf} at the given rank; it has work at {@code due},
     * then every {@code period} (0: never again).
     */
    static final class Board implements SimNode {
        final EmulatedPort port;
        final Deaf stack = new Deaf();
        long due = Long.MAX_VALUE;
        long period;

        Board(EmulatedPort port, int rank) {
            this.port = port;
            port.filterWith(stack, rank);
        }

        @Override
        public void poll(long now) {
            while (port.receive(now, (t, f, len) -> { })) {
                // the stack would drop it
            }
            if (now >= due) {
                due = period > 0 ? now + period : Long.MAX_VALUE;
            }
        }

        @Override
        public long pollAt() {
            return Math.min(due, port.pollAt());
        }
    }

    /** Keeps the clock going: work every millisecond. */
    static final class Ticker implements SimNode {
        long next;

        @Override
        public void poll(long now) {
            next = now + MS;
        }

        @Override
        public long pollAt() {
            return next;
        }
    }

    static final long MS = 1_000_000;

    static byte[] request(MacAddress src, int xid) {
        int udpLen = UdpDatagram.HEADER_LEN + 300;
        ByteBuffer b = ByteBuffer.allocate(EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN + udpLen);
        EthernetFrame.emit(b, MacAddress.BROADCAST.value(), src.value(), EthernetFrame.TYPE_IPV4);
        int udp = EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN;
        b.putInt(udp + UdpDatagram.HEADER_LEN + 4, xid);
        UdpDatagram.emit(b, udp, 68, 67, 300, 0, -1);
        Ipv4Packet.emit(b, EthernetFrame.HEADER_LEN, udpLen, Ipv4Packet.PROTO_UDP, 0, -1, 64, xid);
        return b.array();
    }

    @Test
    void boardsTakeTheBroadcastsTheyOnlyCountLateOnceEachAndTheLogForgetsWhatBothTook() {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(100_000, LinkModel.of(1_000_000_000L), FaultPlan.NONE, 1).switched(true);
        MacAddress senderMac = MacAddress.parse("02:00:00:00:00:01");
        EmulatedPort sender = seg.attach(senderMac);
        Board a = sim.add(new Board(seg.attach(MacAddress.parse("02:00:00:00:00:0a")), 0));
        Board b = sim.add(new Board(seg.attach(MacAddress.parse("02:00:00:00:00:0b")), 1));
        BroadcastLog log = seg.broadcastLog();
        sim.add(new Ticker());
        a.due = 150 * MS; // a is polled at 0 (every node is, at a run's start) and next at 150 ms; b not again
        sim.runFor(MS);

        // 50 frames 1 ms apart (the log has room for 64): neither board wakes, so each frame waits in the log.
        int sent = 0;
        for (int i = 0; i < 50; i++) {
            byte[] f = request(senderMac, i);
            sender.transmit(sim.now(), f.length, (buf, len) -> buf.put(0, f));
            sent++;
            sim.advance(() -> false, sim.now() + MS);
        }
        assertEquals(50, log.held(), "kept while the boards have not taken them");
        assertEquals(0, a.port.framesReceived());
        assertEquals(0, a.stack.dropped);

        // Board a is polled: it takes the 50 (all arrived), counted once each. Board b still has them to take.
        sim.advance(() -> false, 160 * MS);
        assertEquals(50, a.port.framesReceived());
        assertEquals(50, a.port.framesFiltered());
        assertEquals(50, a.port.framesTakenLate());
        assertEquals(50, a.stack.dropped);
        assertEquals(0, b.port.framesReceived());

        // Reading the counters takes b's too; then frames sent while both keep up are forgotten as the log fills.
        EthernetSegment.Stats stats = seg.stats();
        assertEquals(100, stats.framesDelivered());
        assertEquals(50, b.stack.dropped);
        for (Board x : new Board[] {a, b}) {
            x.due = sim.now() + 10 * MS;
            x.period = 10 * MS;
        }
        sim.runFor(MS); // every node polled: the new schedule seen
        for (int i = 0; i < 1_000; i++) {
            byte[] f = request(senderMac, 1_000 + i);
            sender.transmit(sim.now(), f.length, (buf, len) -> buf.put(0, f));
            sent++;
            sim.advance(() -> false, sim.now() + MS);
        }
        assertTrue(log.held() <= 128, log.held() + " entries held after " + sent + " sent");
        seg.stats();
        assertEquals(sent, a.stack.dropped);
        assertEquals(sent, b.stack.dropped);
        assertEquals(sent, a.port.framesReceived());
        assertEquals(0, a.port.framesHanded());
        assertEquals(0, seg.switchDrops());
    }

    /** A station that reads its port (so that frames to it wake it alone) and sends what the test has it send. */
    static final class Station implements SimNode {
        final EmulatedPort port;

        Station(EmulatedPort port) {
            this.port = port;
        }

        @Override
        public void poll(long now) {
            while (port.receive(now, (t, f, len) -> { })) {
                // not for it
            }
        }

        @Override
        public long pollAt() {
            return port.pollAt();
        }
    }

    /** What a never-polled board and the segment counted, and the most the log and the board's queue held meanwhile. */
    record Counted(long received, long filtered, long dropped, long delivered, long switchDrops, int mostHeld,
                   int mostQueued) {
    }

    /**
     * Three stations send 100 bursts of 16 broadcasts each at once, 1 ms apart, through a switch whose queue toward a
     * port holds 16 frames (so the switch drops some toward each board in each burst); board b is never polled after
     * the start, board a every millisecond. Returns what b and the segment counted, with the log ({@code logged}) or
     * without it (a loss listener turns it off: every frame reaches b's port as it is sent).
     */
    static Counted neverPolled(boolean logged) {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(100_000, new LinkModel(1_000_000_000L, 16), FaultPlan.NONE, 1).switched(true);
        if (!logged) {
            seg.onLoss((from, to, frame) -> { });
        }
        Station[] stations = new Station[3];
        for (int s = 0; s < stations.length; s++) {
            stations[s] = sim.add(new Station(seg.attach(MacAddress.parse("02:00:00:00:00:0" + (s + 1)))));
        }
        Board a = sim.add(new Board(seg.attach(MacAddress.parse("02:00:00:00:00:0a")), 3));
        Board b = sim.add(new Board(seg.attach(MacAddress.parse("02:00:00:00:00:0b")), 4));
        a.due = MS;
        a.period = MS;
        sim.add(new Ticker());
        sim.runFor(MS);
        int mostHeld = 0;
        int mostQueued = 0;
        for (int round = 0; round < 100; round++) {
            for (int i = 0; i < 16; i++) {
                for (Station st : stations) {
                    byte[] f = request(st.port.macAddress(), round * 100 + i);
                    st.port.transmit(sim.now(), f.length, (buf, len) -> buf.put(0, f));
                    mostHeld = Math.max(mostHeld, seg.broadcastLog().held());
                    mostQueued = Math.max(mostQueued, b.port.queued());
                }
            }
            sim.advance(() -> false, sim.now() + MS);
        }
        EthernetSegment.Stats stats = seg.stats();
        assertEquals(a.stack.dropped, a.port.framesFiltered());
        assertEquals(0, b.port.framesHanded(), "b is not polled: every frame is counted for its stack");
        return new Counted(b.port.framesReceived(), b.port.framesFiltered(), b.stack.dropped, stats.framesDelivered(),
                seg.switchDrops(), mostHeld, mostQueued);
    }

    @Test
    void aBoardNeverPolledTakesTheLogAsItFillsCountingWhatItWouldHaveCountedAsSent() {
        Counted direct = neverPolled(false);
        Counted logged = neverPolled(true);
        assertEquals(0, direct.mostHeld(), "without the log nothing is kept");
        assertTrue(direct.switchDrops() > 0, "the switch's queue toward each board overflows in each burst");
        assertTrue(direct.received() > 1_000 && direct.received() < 4_800, direct.received() + " of 4,800 reach b");
        assertEquals(direct.received(), direct.dropped());
        assertEquals(new Counted(direct.received(), direct.filtered(), direct.dropped(), direct.delivered(),
                direct.switchDrops(), logged.mostHeld(), logged.mostQueued()), logged);
        // b would pin all 4,800 entries: it takes the older ones when the log is full (64 entries for two readers).
        assertTrue(logged.mostHeld() <= 64, logged.mostHeld() + " entries held");
        // What waits at b's port is at most a burst's frames still on their way, not the log's backlog behind them.
        assertTrue(logged.mostQueued() <= 48, logged.mostQueued() + " frames queued at the port never polled");
    }
}
