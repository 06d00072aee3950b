package dev.netboot.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A discrete-event simulator on a virtual clock in nanoseconds. Each step polls every node, in the
 * order they were added, at the current instant; then the clock jumps to the earliest of every
 * node's {@link SimNode#pollAt()} and every segment's next frame delivery. Nothing waits in real
 * time and nothing reads a wall clock, so a run is a pure function of its inputs.
 */
public final class Simulation {
    /** Steps allowed at one instant before the run is declared a livelock (a node that never stops asking). */
    static final int MAX_STEPS_PER_INSTANT = 100_000;

    private final List<SimNode> nodes = new ArrayList<>();
    private final List<EthernetSegment> segments = new ArrayList<>();
    private long now;
    private long steps;

    /** How a {@link #run} ended. */
    public enum Outcome {
        /** The goal was met. */
        DONE,
        /** The virtual-time budget ran out first. */
        TIMED_OUT,
        /** Nothing was scheduled any more and the goal was not met. */
        STALLED
    }

    /**
     * The end of a {@link #run}.
     *
     * @param outcome why it ended
     * @param time    the virtual time then (ns)
     */
    public record RunResult(Outcome outcome, long time) {
        /** Returns true when the goal was met. */
        public boolean done() {
            return outcome == Outcome.DONE;
        }

        /**
         * Returns this result when the goal was met.
         *
         * @throws IllegalStateException naming the outcome and virtual time otherwise
         */
        public RunResult orThrow() {
            return switch (outcome) {
                case DONE -> this;
                case TIMED_OUT -> throw new IllegalStateException("simulation timed out at t=" + time + " ns: goal not met");
                case STALLED -> throw new IllegalStateException("simulation stalled at t=" + time
                        + " ns: nothing scheduled and the goal is not met");
            };
        }
    }

    /** Returns the current virtual time (ns); 0 at the start. */
    public long now() {
        return now;
    }

    /** Returns the number of polling steps taken so far. */
    public long steps() {
        return steps;
    }

    /** Adds {@code node}; it is polled after the nodes added before it. */
    public <N extends SimNode> N add(N node) {
        nodes.add(node);
        return node;
    }

    /**
     * Creates a broadcast segment in this simulation; its deliveries are scheduled events.
     *
     * @param latencyNanos one-way delay of every frame
     * @param faults       loss, duplication and queue limit
     * @param seed         seed of the segment's fault decisions
     */
    public EthernetSegment newSegment(long latencyNanos, FaultPlan faults, long seed) {
        return newSegment(latencyNanos, LinkModel.INFINITE, faults, seed);
    }

    /**
     * Creates a broadcast segment whose ports send at {@code link}'s rate; see {@link #newSegment(long, FaultPlan, long)}.
     *
     * @param latencyNanos one-way delay of every frame, after its last bit left the sender
     * @param link         rate and transmit queue of every port
     * @param faults       loss, duplication and queue limit
     * @param seed         seed of the segment's fault decisions
     */
    public EthernetSegment newSegment(long latencyNanos, LinkModel link, FaultPlan faults, long seed) {
        EthernetSegment s = new EthernetSegment(this, latencyNanos, link, faults, seed);
        segments.add(s);
        return s;
    }

    /**
     * Runs until {@code done} holds (checked after every step), nothing is scheduled, or
     * {@code maxVirtualNanos} of virtual time have passed since the call.
     */
    public RunResult run(BooleanSupplier done, long maxVirtualNanos) {
        if (maxVirtualNanos < 0) {
            throw new IllegalArgumentException("time budget " + maxVirtualNanos + " ns (expected: >= 0)");
        }
        long deadline = saturatedAdd(now, maxVirtualNanos);
        return loop(done, deadline, false);
    }

    /**
     * Advances the clock to {@code time}, handling everything scheduled up to and including it. Idle
     * stretches are skipped, not reported as a stall.
     *
     * @throws IllegalArgumentException when {@code time} is in the past
     */
    public void runUntil(long time) {
        if (time < now) {
            throw new IllegalArgumentException("cannot run back to t=" + time + " ns from t=" + now + " ns");
        }
        loop(() -> false, time, true);
    }

    /** Advances the clock by {@code nanos}; see {@link #runUntil}. */
    public void runFor(long nanos) {
        runUntil(saturatedAdd(now, nanos));
    }

    private RunResult loop(BooleanSupplier done, long deadline, boolean idleOk) {
        int stepsHere = 0;
        long stepTime = now;
        while (true) {
            if (done.getAsBoolean()) {
                return new RunResult(Outcome.DONE, now);
            }
            for (EthernetSegment s : segments) {
                s.stepAt(now);
            }
            for (SimNode n : nodes) {
                n.poll(now);
            }
            steps++;
            if (done.getAsBoolean()) {
                return new RunResult(Outcome.DONE, now);
            }
            long next = nextEventAt();
            if (next == Long.MAX_VALUE && !idleOk) {
                return new RunResult(Outcome.STALLED, now);
            }
            if (next > deadline || next == Long.MAX_VALUE) {
                now = deadline;
                return new RunResult(Outcome.TIMED_OUT, now);
            }
            long at = Math.max(next, now); // a deadline in the past is due now
            if (at == stepTime) {
                if (++stepsHere > MAX_STEPS_PER_INSTANT) {
                    throw new IllegalStateException("simulation livelock at t=" + now + " ns: still work due after "
                            + MAX_STEPS_PER_INSTANT + " steps at this instant");
                }
            } else {
                stepsHere = 0;
                stepTime = at;
            }
            now = at;
        }
    }

    /** Returns the earliest scheduled instant: a node's deadline or a frame delivery. */
    long nextEventAt() {
        long next = Long.MAX_VALUE;
        for (SimNode n : nodes) {
            next = Math.min(next, n.pollAt());
        }
        for (EthernetSegment s : segments) {
            next = Math.min(next, s.nextDeliveryAt());
        }
        return next;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < a ? Long.MAX_VALUE : r;
    }
}
