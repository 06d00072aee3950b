package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A segment as a learning switch: unicast to the port a MAC was last seen on, flooding for the rest, and on a
 * link with a rate store-and-forward timing with a queue per port toward the receiver. Expected instants are
 * worked out by hand next to each assertion.
 */
class SwitchedSegmentTest {
    private static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    private static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");
    private static final MacAddress C = MacAddress.parse("02:00:00:00:00:0c");
    private static final MacAddress GROUP = MacAddress.parse("01:00:5e:7f:00:01");
    private static final long LATENCY = 100_000;
    private static final long MBIT_100 = 100_000_000L;
    // (1514 + 24) bytes x 8 / 100e6 bit/s = 123.04 us on each wire.
    private static final long FULL_FRAME_NS = 123_040;

    private static void send(EmulatedPort from, MacAddress to, long now, int len, int n) {
        assertTrue(from.transmit(now, len, (buf, l) -> {
            to.write(buf, 0);
            from.macAddress().write(buf, 6);
            buf.putShort(12, (short) 0x88b5);
            for (int i = 14; i < l; i++) {
                buf.put(i, (byte) 0);
            }
            buf.putShort(14, (short) n);
        }));
    }

    private record Rx(long at, int n) {
    }

    private static List<Rx> drain(EmulatedPort port, long until) {
        List<Rx> out = new ArrayList<>();
        for (long t = port.pollAt(); t <= until; t = port.pollAt()) {
            long at = t;
            port.receive(at, (time, f, len) -> out.add(new Rx(at, f.getShort(14) & 0xFFFF)));
        }
        return out;
    }

    @Test
    void unicastGoesToTheLearnedPortAloneOnceItsMacWasSeen() {
        EthernetSegment seg = new Simulation().newSegment(LATENCY, FaultPlan.NONE, 1).switched(true);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        EmulatedPort c = seg.attach(C);
        send(a, B, 0, 60, 1);       // B not learned yet: flooded to B and C
        send(b, A, 10, 60, 2);      // A was learned from frame 1: to A alone
        send(a, B, 20, 60, 3);      // B was learned from frame 2: to B alone
        send(c, MacAddress.BROADCAST, 30, 60, 4);
        send(c, GROUP, 40, 60, 5);  // a multicast MAC: flooded (no IGMP snooping)
        assertEquals(List.of(new Rx(10 + LATENCY, 2), new Rx(30 + LATENCY, 4), new Rx(40 + LATENCY, 5)), drain(a, Long.MAX_VALUE - 1));
        assertEquals(List.of(new Rx(LATENCY, 1), new Rx(20 + LATENCY, 3), new Rx(30 + LATENCY, 4), new Rx(40 + LATENCY, 5)),
                drain(b, Long.MAX_VALUE - 1));
        assertEquals(List.of(new Rx(LATENCY, 1)), drain(c, Long.MAX_VALUE - 1));
        assertEquals(3, seg.flooded()); // frames 1, 4 and 5
    }

    @Test
    void aHubStillDeliversEveryFrameToEveryOtherPort() {
        EthernetSegment seg = new Simulation().newSegment(LATENCY, FaultPlan.NONE, 1);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        EmulatedPort c = seg.attach(C);
        send(b, A, 0, 60, 1);
        send(a, B, 10, 60, 2);
        assertEquals(List.of(new Rx(LATENCY, 1), new Rx(10 + LATENCY, 2)), drain(c, Long.MAX_VALUE - 1));
    }

    @Test
    void storeAndForwardTakesTheFrameTimeOnBothWiresAndQueuesTowardABusyReceiver() {
        EthernetSegment seg = new Simulation().newSegment(LATENCY, LinkModel.of(MBIT_100), FaultPlan.NONE, 1).switched(true);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        EmulatedPort c = seg.attach(C);
        send(c, A, 0, 60, 0);  // teaches the switch where C is (flooded; A and B ignore it here)
        drain(a, Long.MAX_VALUE - 1);
        drain(b, Long.MAX_VALUE - 1);
        // A and B send a full frame to C at the same instant. Each leaves its sender's wire at 123.04 us; the
        // switch sends A's on toward C from then until 246.08 us, B's after it until 369.12 us; C gets each
        // the latency after its last bit.
        send(a, C, 1_000_000, 1514, 1);
        send(b, C, 1_000_000, 1514, 2);
        assertEquals(List.of(new Rx(1_000_000 + 2 * FULL_FRAME_NS + LATENCY, 1),
                new Rx(1_000_000 + 3 * FULL_FRAME_NS + LATENCY, 2)), drain(c, Long.MAX_VALUE - 1));
    }

    @Test
    void aFullQueueTowardAPortDropsTheTail() {
        MacAddress d = MacAddress.parse("02:00:00:00:00:0d");
        EthernetSegment seg = new Simulation().newSegment(LATENCY, new LinkModel(MBIT_100, 2), FaultPlan.NONE, 1)
                .switched(true);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        EmulatedPort c = seg.attach(C);
        EmulatedPort dp = seg.attach(d);
        send(dp, A, 0, 60, 0); // teaches the switch where D is
        // A, B and C each send D a full frame at once: all three reach the switch at 123.04 us. The port toward D
        // holds two (one on its wire, one waiting): the third is dropped there.
        send(a, d, 1_000_000, 1514, 1);
        send(b, d, 1_000_000, 1514, 2);
        send(c, d, 1_000_000, 1514, 3);
        assertEquals(List.of(new Rx(1_000_000 + 2 * FULL_FRAME_NS + LATENCY, 1),
                new Rx(1_000_000 + 3 * FULL_FRAME_NS + LATENCY, 2)), drain(dp, Long.MAX_VALUE - 1));
        assertEquals(1, seg.switchDrops());
        assertEquals(4, seg.stats().framesSent()); // the first taught the switch where D is
    }
}
