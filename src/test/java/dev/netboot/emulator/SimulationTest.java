package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulationTest {
    /** A node with a fixed list of deadlines; records the instants it is polled at while work is due. */
    private static final class Alarms implements SimNode {
        final ArrayDeque<Long> deadlines;
        final List<Long> fired = new ArrayList<>();
        final List<String> log;
        final String name;

        Alarms(String name, List<String> log, long... at) {
            this.name = name;
            this.log = log;
            this.deadlines = new ArrayDeque<>();
            for (long t : at) {
                deadlines.add(t);
            }
        }

        @Override
        public void poll(long now) {
            while (!deadlines.isEmpty() && deadlines.peek() <= now) {
                deadlines.poll();
                fired.add(now);
                log.add(name + "@" + now);
            }
        }

        @Override
        public long pollAt() {
            return deadlines.isEmpty() ? Long.MAX_VALUE : deadlines.peek();
        }
    }

    @Test
    void jumpsStraightToEachDeadlineInAddOrder() {
        Simulation sim = new Simulation();
        List<String> log = new ArrayList<>();
        Alarms a = sim.add(new Alarms("a", log, 5_000, 1_000_000_000));
        Alarms b = sim.add(new Alarms("b", log, 5_000, 7));
        Simulation.RunResult r = sim.run(() -> a.deadlines.isEmpty() && b.deadlines.isEmpty(), 2_000_000_000L);
        assertEquals(Simulation.Outcome.DONE, r.outcome());
        assertEquals(1_000_000_000, r.time());
        assertEquals(List.of("a@5000", "b@5000", "b@5000", "a@1000000000"), log); // b's 7 queued behind its 5000
        // Steps: t=0, 5000, 1e9: no spinning through the idle second.
        assertEquals(3, sim.steps());
    }

    @Test
    void stallsWhenNothingIsScheduled() {
        Simulation sim = new Simulation();
        sim.add(new Alarms("a", new ArrayList<>(), 10));
        Simulation.RunResult r = sim.run(() -> false, 1_000);
        assertEquals(new Simulation.RunResult(Simulation.Outcome.STALLED, 10), r);
        IllegalStateException e = assertThrows(IllegalStateException.class, r::orThrow);
        assertEquals("simulation stalled at t=10 ns: nothing scheduled and the goal is not met", e.getMessage());
    }

    @Test
    void timesOutAtTheBudgetWithoutRunningLaterEvents() {
        Simulation sim = new Simulation();
        Alarms a = sim.add(new Alarms("a", new ArrayList<>(), 100, 2_000));
        Simulation.RunResult r = sim.run(() -> false, 1_000);
        assertEquals(new Simulation.RunResult(Simulation.Outcome.TIMED_OUT, 1_000), r);
        assertFalse(r.done());
        assertEquals(List.of(100L), a.fired);
        assertEquals(1_000, sim.now());
        // The budget is relative to the call.
        assertTrue(sim.run(() -> a.deadlines.isEmpty(), 1_000).done());
        assertEquals(2_000, sim.now());
    }

    @Test
    void runUntilSkipsIdleTimeAndRefusesToGoBack() {
        Simulation sim = new Simulation();
        sim.runUntil(42);
        assertEquals(42, sim.now());
        sim.runFor(8);
        assertEquals(50, sim.now());
        assertThrows(IllegalArgumentException.class, () -> sim.runUntil(49));
    }

    @Test
    void aNodeThatIsAlwaysDueIsReportedAsLivelock() {
        Simulation sim = new Simulation();
        sim.add(new SimNode() {
            @Override
            public void poll(long now) {
            }

            @Override
            public long pollAt() {
                return 0;
            }
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sim.run(() -> false, 1));
        assertTrue(e.getMessage().startsWith("simulation livelock at t=0 ns"), e.getMessage());
    }

    /** A node that reads its port and counts the frames and polls. */
    private static final class Reader implements SimNode {
        final EmulatedPort port;
        int frames;
        int polls;

        Reader(EmulatedPort port) {
            this.port = port;
        }

        @Override
        public void poll(long now) {
            polls++;
            while (port.receive(now, (t, f, len) -> frames++)) {
                // one per call
            }
        }

        @Override
        public long pollAt() {
            return port.pollAt();
        }
    }

    private static void frame(EmulatedPort from, dev.netboot.wire.MacAddress to, long now) {
        from.transmit(now, 60, (buf, len) -> {
            to.write(buf, 0);
            from.macAddress().write(buf, 6);
            buf.putShort(12, (short) 0x88b5);
        });
    }

    @Test
    void aFrameWakesOnlyTheNodeThatReadsItsPort() {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(1_000, FaultPlan.NONE, 1).switched(true);
        List<Reader> readers = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            readers.add(sim.add(new Reader(seg.attach(new dev.netboot.wire.MacAddress(0x0200_0000_0000L + i)))));
        }
        sim.runFor(10); // the first step polls all 1000: each node reads its port, so the simulation learns who owns it
        assertEquals(1000, sim.polls());
        frame(readers.get(7).port, dev.netboot.wire.MacAddress.BROADCAST, sim.now()); // a broadcast: all 999 others
        sim.run(() -> readers.get(999).frames == 1, 1_000_000).orThrow();
        long before = sim.polls();
        assertEquals(1000 + 999, before - 1000); // the run's first step polls everyone, the broadcast wakes 999
        frame(readers.get(500).port, readers.get(7).port.macAddress(), sim.now()); // 7's MAC is learned: to 7 alone
        sim.run(() -> readers.get(7).frames == 1, 1_000_000).orThrow();
        // Again everyone in the run's first step, then node 7 alone when the frame arrives.
        assertEquals(1000 + 1, sim.polls() - before);
        assertEquals(1, readers.get(500).frames); // the broadcast only
        assertEquals(1, readers.get(999).frames);
    }

    @Test
    void aFrameForAPortNobodyReadYetWakesEveryNode() {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(1_000, FaultPlan.NONE, 1).switched(true);
        EmulatedPort silent = seg.attach(new dev.netboot.wire.MacAddress(0x0200_0000_0001L));
        EmulatedPort sender = seg.attach(new dev.netboot.wire.MacAddress(0x0200_0000_0002L));
        Reader other = sim.add(new Reader(seg.attach(new dev.netboot.wire.MacAddress(0x0200_0000_0003L))));
        Alarms a = sim.add(new Alarms("a", new ArrayList<>(), 5_000_000));
        frame(sender, silent.macAddress(), 0); // not learned: flooded to the silent port and to other's
        sim.run(() -> false, 2_000);
        // Step 1 at t=0 polls both nodes; at t=1000 the silent port's frame has no known reader, so both are
        // polled again (other once for its own copy, which it was woken for anyway).
        assertEquals(4, sim.polls());
        assertEquals(1, other.frames);
        assertTrue(a.fired.isEmpty());
    }
}
