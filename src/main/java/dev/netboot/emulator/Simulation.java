package dev.netboot.emulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A discrete-event simulator on a virtual clock in nanoseconds. A step polls, at one instant and in
 * the order they were added, every node that has work then; the clock then jumps to the next instant
 * at which a node has work: its {@link SimNode#pollAt()}, or a frame reaching one of its ports. Nothing
 * waits in real time and nothing reads a wall clock, so a run is a pure function of its inputs.
 *
 * <p><b>Cost.</b> Each node's next instant sits in a heap, so a step costs the nodes due then, not every
 * node: a thousand boards on one segment cost per frame what one board costs. A node's deadline is
 * taken after each of its polls; between its polls it can only move earlier by a frame reaching one of
 * its ports, and a segment wakes the port's owner then. The simulation learns which node owns a port
 * when that node first reads it; a frame for a port nobody has read yet wakes every node. The first step
 * of every {@link #run} or {@link #runUntil} polls every node, so whatever a caller changed between runs
 * is seen.
 *
 * <p>Within one instant the order is the one a poll-everything loop would give: nodes in the order they
 * were added; a node that becomes due again at this instant after its turn (a frame with no latency, a
 * deadline at once) is polled in the next step at the same instant, one that becomes due before its turn
 * in this one.
 */
public final class Simulation {
    /** Steps allowed at one instant before the run is declared a livelock (a node that never stops asking). */
    static final int MAX_STEPS_PER_INSTANT = 100_000;

    private final List<SimNode> nodes = new ArrayList<>();
    private final List<EthernetSegment> segments = new ArrayList<>();
    private boolean[] inRound = new boolean[16]; // per node: due in this step
    private boolean[] inNext = new boolean[16];  // per node: due in the next step at this instant
    private EmulatedPort[] filtered = new EmulatedPort[16]; // per node: its port that skips frames its stack only counts
    private final TimeHeap heap = new TimeHeap();
    private final IntHeap round = new IntHeap();
    private final IntHeap next = new IntHeap();
    // Instants at which every node is polled: frames due then at ports no node has read yet.
    private final java.util.PriorityQueue<Long> everyoneAt = new java.util.PriorityQueue<>();
    private int current = -1;  // the node being polled, or -1
    private long now;
    private long steps;
    private long polls;

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

    /** Returns the number of node polls so far (a step polls the nodes due at its instant). */
    public long polls() {
        return polls;
    }

    /** Returns the number of nodes. */
    public int nodeCount() {
        return nodes.size();
    }

    /** Adds {@code node}; it is polled after the nodes added before it, first at the next step. */
    public <N extends SimNode> N add(N node) {
        int i = nodes.size();
        nodes.add(node);
        if (i == inRound.length) {
            int n = i * 2;
            inRound = Arrays.copyOf(inRound, n);
            inNext = Arrays.copyOf(inNext, n);
            filtered = Arrays.copyOf(filtered, n);
        }
        heap.ensure(i + 1);
        if (current >= 0) {
            wake(i, now); // added by a node during a step: its turn comes in this one
        } // else the first step of the next run polls it
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
        return loop(done, deadline, false, true);
    }

    /**
     * Runs on like {@link #run}, until {@code done} holds, nothing is scheduled, or the clock reaches {@code until};
     * but the first step polls only the nodes due, not all: for a caller that changed no node since the last run
     * and calls this often (a progress display, samples every few milliseconds).
     */
    public RunResult advance(BooleanSupplier done, long until) {
        if (until < now) {
            throw new IllegalArgumentException("cannot run back to t=" + until + " ns from t=" + now + " ns");
        }
        return loop(done, until, false, false);
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
        loop(() -> false, time, true, true);
    }

    /** Advances the clock by {@code nanos}; see {@link #runUntil}. */
    public void runFor(long nanos) {
        runUntil(saturatedAdd(now, nanos));
    }

    private RunResult loop(BooleanSupplier done, long deadline, boolean idleOk, boolean everyone) {
        if (done.getAsBoolean()) {
            return new RunResult(Outcome.DONE, now);
        }
        if (everyone) {
            // The first step polls everyone: a caller may have changed any node since the last run.
            while (!next.isEmpty()) {
                inNext[next.poll()] = false;
            }
            for (int i = 0; i < nodes.size(); i++) {
                if (!inRound[i]) {
                    inRound[i] = true;
                    round.add(i);
                }
            }
        } else {
            collectDue();
        }
        int stepsHere = 0;
        long stepTime = now;
        while (true) {
            step();
            if (done.getAsBoolean()) {
                return new RunResult(Outcome.DONE, now);
            }
            long at;
            if (!next.isEmpty()) {
                at = now; // nodes due again at this instant
            } else {
                at = nextEventAt();
                if (at == Long.MAX_VALUE && !idleOk) {
                    return new RunResult(Outcome.STALLED, now);
                }
                if (at > deadline || at == Long.MAX_VALUE) {
                    now = deadline;
                    return new RunResult(Outcome.TIMED_OUT, now);
                }
            }
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
            collectDue();
        }
    }

    /** Moves the nodes due at {@code now} into this step: those due again at this instant, then the heap's. */
    private void collectDue() {
        while (!next.isEmpty()) {
            int i = next.poll();
            inNext[i] = false;
            if (!inRound[i]) {
                inRound[i] = true;
                round.add(i);
            }
        }
        if (!everyoneAt.isEmpty() && everyoneAt.peek() <= now) {
            while (!everyoneAt.isEmpty() && everyoneAt.peek() <= now) {
                everyoneAt.poll();
            }
            for (int i = 0; i < nodes.size(); i++) {
                heap.set(i, Long.MAX_VALUE);
                if (!inRound[i]) {
                    inRound[i] = true;
                    round.add(i);
                }
            }
        }
        while (!heap.isEmpty() && heap.peekTime() <= now) {
            int i = heap.poll();
            if (!inRound[i]) {
                inRound[i] = true;
                round.add(i);
            }
        }
    }

    /** Polls this step's nodes in the order they were added, then schedules each at its next instant. */
    private void step() {
        while (!round.isEmpty()) {
            int i = round.poll();
            inRound[i] = false;
            SimNode n = nodes.get(i);
            current = i;
            EmulatedPort fp = filtered[i];
            if (fp != null) {
                fp.catchUp(now, false); // the broadcasts it deferred, then
                fp.settle(now, false); // frames its stack only counts, arrived since its last poll
            }
            n.poll(now);
            polls++;
            long at = n.pollAt();
            if (fp != null) {
                at = Math.min(at, fp.reclassify()); // its state may have changed: frames on their way asked again
            }
            current = -1;
            schedule(i, at);
        }
        steps++;
    }

    /** Schedules node {@code i} at {@code at}: due now (the next step, it has had its turn), later, or never. */
    private void schedule(int i, long at) {
        if (at <= now) {
            heap.set(i, Long.MAX_VALUE);
            if (!inNext[i]) {
                inNext[i] = true;
                next.add(i);
            }
        } else {
            heap.set(i, at); // its poll told us its next instant exactly: earlier or later than before
        }
    }

    /**
     * Wakes node {@code i} at {@code at}: a frame reaches one of its ports then. At the current instant a node
     * whose turn has not come yet in this step is polled in it, any other in the next.
     */
    void wake(int i, long at) {
        if (at <= now) {
            if (i > current && !inRound[i] && current >= 0) {
                inRound[i] = true;
                round.add(i);
            } else if (!inRound[i] && !inNext[i]) {
                inNext[i] = true;
                next.add(i);
            }
        } else if (at < heap.at(i)) {
            heap.set(i, at);
        }
    }

    /** Wakes the owner of a port at {@code at}, or every node when no node has read the port yet. */
    void wakeOwner(int owner, long at) {
        if (owner >= 0) {
            wake(owner, at);
        } else if (at <= now) {
            for (int i = 0; i < nodes.size(); i++) {
                wake(i, at);
            }
        } else {
            everyoneAt.add(at);
        }
    }

    /** Node {@code node} reads {@code port}, which does not wake it for frames its stack only counts ({@link EmulatedPort#filterWith}). */
    void filtering(int node, EmulatedPort port) {
        if (filtered[node] != null && filtered[node] != port) {
            throw new IllegalStateException("node " + node + " reads two filtered ports");
        }
        filtered[node] = port;
    }

    /** Returns the node being polled (or asked for its next instant), -1 outside a poll. */
    int currentNode() {
        return current;
    }

    /** Returns the earliest scheduled instant of a node, or {@link Long#MAX_VALUE}. */
    private long nextEventAt() {
        long t = heap.isEmpty() ? Long.MAX_VALUE : heap.peekTime();
        return everyoneAt.isEmpty() ? t : Math.min(t, everyoneAt.peek());
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < a ? Long.MAX_VALUE : r;
    }
}
