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
}
