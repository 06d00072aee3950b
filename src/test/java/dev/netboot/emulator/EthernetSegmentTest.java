package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.link.PcapWriter;
import dev.netboot.wire.MacAddress;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EthernetSegmentTest {
    private static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    private static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");
    private static final MacAddress C = MacAddress.parse("02:00:00:00:00:0c");
    private static final long LATENCY = 100_000;

    /** A frame of 60 bytes numbered {@code n}: broadcast, from {@code src}, type 0x88b5 (local experimental), n in byte 14. */
    private static void send(EmulatedPort from, long now, int n) {
        assertTrue(from.transmit(now, 60, (buf, len) -> {
            MacAddress.BROADCAST.write(buf, 0);
            from.macAddress().write(buf, 6);
            buf.putShort(12, (short) 0x88b5);
            for (int i = 14; i < len; i++) {
                buf.put(i, (byte) 0);
            }
            buf.putShort(14, (short) n);
        }));
    }

    /** A received frame: arrival time and number. */
    private record Rx(long at, int n) {
    }

    /** Drains {@code port} at {@code now}. */
    private static List<Rx> drain(EmulatedPort port, long now) {
        List<Rx> out = new ArrayList<>();
        while (port.receive(now, (t, f, len) -> out.add(new Rx(t, f.getShort(14) & 0xFFFF)))) {
            // one frame per call
        }
        return out;
    }

    @Test
    void hubDeliversToEveryOtherPortAfterTheLatencyAndNotBefore() {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(LATENCY, FaultPlan.NONE, 1);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        EmulatedPort c = seg.attach(C);
        assertEquals(1500, a.mtu());
        assertEquals(A, a.macAddress());
        send(a, 1_000, 7);
        assertEquals(1_000 + LATENCY, b.pollAt());
        assertEquals(Long.MAX_VALUE, a.pollAt()); // no echo to the sender
        assertEquals(List.of(), drain(b, 1_000 + LATENCY - 1));
        assertEquals(List.of(new Rx(1_000 + LATENCY, 7)), drain(b, 1_000 + LATENCY));
        assertEquals(List.of(new Rx(2_000_000, 7)), drain(c, 2_000_000));
        assertEquals(List.of(), drain(a, 2_000_000));
        assertEquals(new EthernetSegment.Stats(1, 2, 0, 0, 0), seg.stats());
        assertEquals(1, a.framesSent());
        assertEquals(1, b.framesReceived());
    }

    @Test
    void simulationStepsToEachDelivery() {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(LATENCY, FaultPlan.NONE, 1);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        List<Rx> got = new ArrayList<>();
        sim.add(new SimNode() {
            @Override
            public void poll(long now) {
                got.addAll(drain(b, now));
            }

            @Override
            public long pollAt() {
                return b.pollAt();
            }
        });
        send(a, 0, 1);
        send(a, 0, 2);
        assertTrue(sim.run(() -> got.size() == 2, 1_000_000_000).done());
        assertEquals(LATENCY, sim.now());
        assertEquals(List.of(new Rx(LATENCY, 1), new Rx(LATENCY, 2)), got);
    }

    @Test
    void rejectsFramesOutsideEthernetSizes() {
        EthernetSegment seg = new Simulation().newSegment(0, FaultPlan.NONE, 1);
        EmulatedPort a = seg.attach(A);
        assertThrows(IllegalArgumentException.class, () -> a.transmit(0, 1515, (b, l) -> { }));
        assertThrows(IllegalArgumentException.class, () -> a.transmit(0, 13, (b, l) -> { }));
    }

    /** Sends {@code n} frames from A to B on a segment with {@code plan} and returns which arrived. */
    private static boolean[] pattern(FaultPlan plan, long seed, int n) {
        EthernetSegment seg = new Simulation().newSegment(LATENCY, plan, seed);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        for (int i = 0; i < n; i++) {
            send(a, i, i);
        }
        boolean[] arrived = new boolean[n];
        for (Rx r : drain(b, Long.MAX_VALUE)) {
            arrived[r.n()] = true;
        }
        EthernetSegment.Stats s = seg.stats();
        assertEquals(n, s.framesSent());
        assertEquals(n, s.framesDelivered() + s.droppedByLoss());
        return arrived;
    }

    @Test
    void lossIsDeterministicPerSeed() {
        boolean[] first = pattern(FaultPlan.loss(0.3), 42, 1000);
        assertArrayEquals(first, pattern(FaultPlan.loss(0.3), 42, 1000));
        assertFalse(java.util.Arrays.equals(first, pattern(FaultPlan.loss(0.3), 43, 1000)));
        int lost = 0;
        for (boolean b : first) {
            lost += b ? 0 : 1;
        }
        assertTrue(lost > 240 && lost < 360, "about 30% of 1000 lost, got " + lost); // 5+ sigma around 300
    }

    @Test
    void lossZeroDropsNothingAndLossOneDropsAll() {
        for (boolean b : pattern(FaultPlan.loss(0), 7, 500)) {
            assertTrue(b);
        }
        for (boolean b : pattern(FaultPlan.loss(1), 7, 500)) {
            assertFalse(b);
        }
    }

    @Test
    void higherLossUnderOneSeedLosesASuperset() {
        boolean[] low = pattern(FaultPlan.loss(0.1), 9, 500);
        boolean[] high = pattern(FaultPlan.loss(0.2), 9, 500);
        for (int i = 0; i < low.length; i++) {
            assertTrue(low[i] || !high[i], "frame " + i + " lost at 10% but not at 20%");
        }
    }

    @Test
    void duplicateOneDeliversEveryFrameTwice() {
        EthernetSegment seg = new Simulation().newSegment(LATENCY, new FaultPlan(0, 1, 0), 3);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        send(a, 0, 5);
        assertEquals(List.of(new Rx(LATENCY, 5), new Rx(LATENCY, 5)), drain(b, LATENCY));
        assertEquals(new EthernetSegment.Stats(1, 2, 0, 0, 1), seg.stats());
    }

    @Test
    void fullQueueDropsTheTail() {
        EthernetSegment seg = new Simulation().newSegment(LATENCY, new FaultPlan(0, 0, 2), 3);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        send(a, 0, 1);
        send(a, 0, 2);
        send(a, 0, 3);
        assertEquals(List.of(new Rx(LATENCY, 1), new Rx(LATENCY, 2)), drain(b, LATENCY));
        assertEquals(1, seg.stats().droppedByQueue());
    }

    @Test
    void captureRecordsEachFrameOnceAtItsTransmitTimeEvenWhenLost() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapWriter pcap = new PcapWriter(out);
        EthernetSegment seg = new Simulation().newSegment(LATENCY, FaultPlan.loss(1), 3);
        seg.capture(pcap);
        EmulatedPort a = seg.attach(A);
        seg.attach(B);
        seg.attach(C);
        send(a, 1_234_567_890L, 9);
        pcap.close();
        ByteBuffer b = ByteBuffer.wrap(out.toByteArray()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(24 + 16 + 60, b.capacity()); // one record although two ports were to receive it
        assertEquals(1, b.getInt(24));            // ts_sec
        assertEquals(234_567_890, b.getInt(28));  // ts_nsec: the transmit time, not the delivery time
        assertEquals(60, b.getInt(32));
        assertNotEquals(0, seg.stats().droppedByLoss());
    }
}
