package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.ConfigException;
import dev.netboot.link.PcapWriter;
import dev.netboot.wire.MacAddress;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The link model as a timeline: serialisation time at the link rate, FIFO queueing behind earlier
 * frames of the same sender, the latency after the last bit, tail drop when the queue is full. Every
 * expected instant is derived by hand in the comment next to it.
 */
class LinkModelTest {
    private static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    private static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");
    private static final MacAddress C = MacAddress.parse("02:00:00:00:00:0c");
    private static final long MBIT_100 = 100_000_000L;
    // (1514 + 4 FCS + 8 preamble/SFD + 12 gap) bytes x 8 bits / 100e6 bit/s = 12304 bits / 1e8 = 123.04 us.
    private static final long FULL_FRAME_NS = 123_040;
    // A 60-byte frame: (60 + 24) x 8 / 100e6 = 672 bits / 1e8 = 6.72 us.
    private static final long MIN_FRAME_NS = 6_720;
    private static final long LATENCY = 500_000; // rtt 1 ms

    private static void send(EmulatedPort from, long now, int len, int n) {
        assertTrue(from.transmit(now, len, (buf, l) -> {
            MacAddress.BROADCAST.write(buf, 0);
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

    /** Receives every frame due by {@code until}, each at its own arrival instant. */
    private static List<Rx> drain(EmulatedPort port, long until) {
        List<Rx> out = new ArrayList<>();
        for (long t = port.pollAt(); t <= until; t = port.pollAt()) {
            out.addAll(drainAt(port, t));
        }
        return out;
    }

    private static List<Rx> drainAt(EmulatedPort port, long now) {
        List<Rx> out = new ArrayList<>();
        while (port.receive(now, (t, f, len) -> out.add(new Rx(t, f.getShort(14) & 0xFFFF)))) {
            // one frame per call
        }
        return out;
    }

    @Test
    void wireBytesCountPaddingFcsPreambleAndGap() {
        assertEquals(1538, LinkModel.wireBytes(1514));
        assertEquals(84, LinkModel.wireBytes(60));
        assertEquals(84, LinkModel.wireBytes(42)); // an ARP frame is padded to 60 before the FCS
        LinkModel m = LinkModel.of(MBIT_100);
        assertEquals(FULL_FRAME_NS, m.serialisationNanos(1514));
        assertEquals(MIN_FRAME_NS, m.serialisationNanos(46));
        // 1 Gbit/s: 12304 bits / 1e9 = 12.304 us.
        assertEquals(12_304, LinkModel.of(1_000_000_000L).serialisationNanos(1514));
        assertEquals(2_666_666_667L, new LinkModel(3, 1).nanosFor(1)); // 8 bits at 3 bit/s, rounded up
        assertEquals(0, LinkModel.INFINITE.serialisationNanos(1514));
        // 16 MiB at 100 Mbit/s: 134217728 bits / 1e8 = 1.34217728 s, exact in nanoseconds.
        assertEquals(1_342_177_280L, m.nanosFor(16L << 20));
    }

    @Test
    void aFullFrameArrivesAfterItsSerialisationPlusTheLatency() {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(LATENCY, LinkModel.of(MBIT_100), FaultPlan.NONE, 1);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        send(a, 1_000, 1514, 1);
        // Starts at once on an idle wire: last bit leaves at 1000 + 123040, arrives 500 us later.
        long arrives = 1_000 + FULL_FRAME_NS + LATENCY;
        assertEquals(arrives, b.pollAt());
        assertEquals(List.of(), drain(b, arrives - 1));
        assertEquals(List.of(new Rx(arrives, 1)), drain(b, arrives));
        assertEquals(1_000 + FULL_FRAME_NS, a.txIdleAt());
    }

    @Test
    void framesOfOneSenderQueueBackToBackAndAnIdleWireStartsAtOnce() {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(LATENCY, LinkModel.of(MBIT_100), FaultPlan.NONE, 1);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        send(a, 0, 1514, 1);
        send(a, 0, 1514, 2);           // waits for frame 1: leaves at 2 x 123.04 us
        send(a, 0, 60, 3);             // then 6.72 us more
        assertEquals(3, a.txBacklog(0));
        assertEquals(2, a.txBacklog(FULL_FRAME_NS)); // frame 1 has left
        send(a, 1_000_000, 1514, 4);   // the wire is idle again at 1 ms: no queueing
        assertEquals(List.of(
                new Rx(FULL_FRAME_NS + LATENCY, 1),
                new Rx(2 * FULL_FRAME_NS + LATENCY, 2),
                new Rx(2 * FULL_FRAME_NS + MIN_FRAME_NS + LATENCY, 3),
                new Rx(1_000_000 + FULL_FRAME_NS + LATENCY, 4)), drain(b, 10_000_000));
    }

    @Test
    void eachSenderHasItsOwnQueueSoArrivalsInterleaveByTime() {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(LATENCY, LinkModel.of(MBIT_100), FaultPlan.NONE, 1);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        EmulatedPort c = seg.attach(C);
        for (int i = 1; i <= 3; i++) {
            send(a, 0, 1514, i);       // a's frames leave at 123.04, 246.08, 369.12 us
        }
        send(b, 10_000, 60, 9);        // b's wire is idle: leaves at 16.72 us, so it arrives first at c
        assertEquals(List.of(
                new Rx(10_000 + MIN_FRAME_NS + LATENCY, 9),
                new Rx(FULL_FRAME_NS + LATENCY, 1),
                new Rx(2 * FULL_FRAME_NS + LATENCY, 2),
                new Rx(3 * FULL_FRAME_NS + LATENCY, 3)), drain(c, 10_000_000));
    }

    @Test
    void aFullTransmitQueueDropsAndCounts() {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(LATENCY, new LinkModel(MBIT_100, 2), FaultPlan.NONE, 1);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        send(a, 0, 1514, 1);
        send(a, 0, 1514, 2);
        send(a, 0, 1514, 3);           // two queued (one on the wire): tail drop
        send(a, FULL_FRAME_NS, 1514, 4); // frame 1 has left: room again, queued behind 2
        assertEquals(1, seg.stats().droppedByTxQueue());
        assertEquals(4, seg.stats().framesSent());
        assertEquals(List.of(
                new Rx(FULL_FRAME_NS + LATENCY, 1),
                new Rx(2 * FULL_FRAME_NS + LATENCY, 2),
                new Rx(3 * FULL_FRAME_NS + LATENCY, 4)), drain(b, 10_000_000));
    }

    @Test
    void theSimulationStepsToEachArrival() {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(LATENCY, LinkModel.of(MBIT_100), FaultPlan.NONE, 1);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        List<Rx> got = new ArrayList<>();
        sim.add(new SimNode() {
            @Override
            public void poll(long now) {
                got.addAll(drainAt(b, now));
            }

            @Override
            public long pollAt() {
                return b.pollAt();
            }
        });
        send(a, 0, 1514, 1);
        send(a, 0, 1514, 2);
        sim.run(() -> got.size() == 2, 1_000_000_000L).orThrow();
        assertEquals(List.of(new Rx(FULL_FRAME_NS + LATENCY, 1), new Rx(2 * FULL_FRAME_NS + LATENCY, 2)), got);
        assertEquals(2 * FULL_FRAME_NS + LATENCY, sim.now());
    }

    @Test
    void lossAndDuplicationStillApplyPerReceiver() {
        EthernetSegment seg = new Simulation().newSegment(LATENCY, LinkModel.of(MBIT_100), new FaultPlan(0, 1, 0), 3);
        EmulatedPort a = seg.attach(A);
        EmulatedPort b = seg.attach(B);
        send(a, 0, 1514, 5);
        assertEquals(List.of(new Rx(FULL_FRAME_NS + LATENCY, 5), new Rx(FULL_FRAME_NS + LATENCY, 5)), drain(b, 1_000_000));
        EthernetSegment lossy = new Simulation().newSegment(LATENCY, LinkModel.of(MBIT_100), FaultPlan.loss(1), 3);
        EmulatedPort c = lossy.attach(A);
        lossy.attach(B);
        send(c, 0, 1514, 5);
        assertEquals(1, lossy.stats().droppedByLoss());
        assertEquals(FULL_FRAME_NS, c.txIdleAt()); // a lost frame still took its time on the sender's wire
    }

    @Test
    void sameSeedSameCaptureWithBandwidth() throws Exception {
        assertArrayEquals(capture(7), capture(7));
    }

    private static byte[] capture(long seed) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(LATENCY, LinkModel.of(MBIT_100), new FaultPlan(0.3, 0.1, 0), seed);
        try (PcapWriter pcap = new PcapWriter(out)) {
            seg.capture(pcap);
            EmulatedPort a = seg.attach(A);
            seg.attach(B);
            for (int i = 0; i < 50; i++) {
                send(a, i * 50_000L, 1514, i);
            }
        }
        return out.toByteArray();
    }

    @Test
    void ratesParseWithDecimalUnits() {
        assertEquals(100_000_000L, LinkModel.parseRate("100Mbit"));
        assertEquals(100_000_000L, LinkModel.parseRate("100 Mbit/s"));
        assertEquals(1_000_000_000L, LinkModel.parseRate("1Gbit"));
        assertEquals(1_500_000L, LinkModel.parseRate("1.5mbit"));
        assertEquals(64_000L, LinkModel.parseRate("64Kbit"));
        assertEquals(2_500_000L, LinkModel.parseRate("2500000bit/s"));
        assertEquals(0, LinkModel.parseRate("0"));
        for (String bad : new String[] {"100", "100MB", "fast", "-1Mbit", "Mbit", "10bit", "2000Gbit"}) {
            assertThrows(IllegalArgumentException.class, () -> LinkModel.parseRate(bad), bad);
        }
        assertEquals("100Mbit/s", LinkModel.formatRate(100_000_000L));
        assertEquals("infinite", LinkModel.formatRate(0));
    }

    @Test
    void scenarioFileReadsBandwidthAndTxQueue() {
        Scenario s = ScenarioFile.parse("[segment]\nlatency = 500us\nbandwidth = 100Mbit\ntx-queue = 64\n", "t.scenario");
        assertEquals(new LinkModel(100_000_000L, 64), s.link());
        assertEquals(500_000, s.latencyNanos());
        assertEquals(LinkModel.INFINITE, ScenarioFile.parse("[segment]\nlatency = 1ms\n", "t.scenario").link());
        ConfigException e = assertThrows(ConfigException.class,
                () -> ScenarioFile.parse("[segment]\nbandwidth = 100MB\n", "t.scenario"));
        assertTrue(e.getMessage().contains("t.scenario") && e.getMessage().contains("100MB"), e.getMessage());
        assertThrows(ConfigException.class, () -> ScenarioFile.parse("[segment]\ntx-queue = 0\n", "t.scenario"));
    }

    @Test
    void bothSegmentsOfARelayGetTheLink() {
        Scenario s = Scenario.DEFAULT.withRelay(Scenario.Relay.DEFAULT).withLink(LinkModel.of(MBIT_100));
        EmulatedLan lan = EmulatedLan.of(s);
        assertEquals(2, lan.segments().size());
        for (EthernetSegment seg : lan.segments()) {
            assertEquals(LinkModel.of(MBIT_100), seg.link());
        }
    }
}
