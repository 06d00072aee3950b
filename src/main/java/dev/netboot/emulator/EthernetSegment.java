package dev.netboot.emulator;

import dev.netboot.link.Link;
import dev.netboot.link.PcapWriter;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * One broadcast domain, wired like a hub: every frame a port sends goes to every other attached port
 * after a fixed one-way latency, and the receivers filter by address themselves. With a finite
 * {@link LinkModel} rate, a frame first waits in its sender's transmit queue and takes its
 * serialisation time on the wire; it reaches the receivers the latency after its last bit left (see
 * {@link LinkModel} for what is counted). A sender whose queue is full drops the frame, counted in
 * {@link Stats#droppedByTxQueue()}. Faults from a
 * {@link FaultPlan} are decided per frame per receiving port, ports taken in attach order, each from
 * its own seeded generator, so one seed gives one drop pattern. A generator is drawn from for every
 * decision even at probability 0 or 1, which keeps the patterns of two loss rates under one seed
 * nested (a frame lost at 10% is also lost at 20%).
 *
 * <p>Create segments with {@link Simulation#newSegment}, which schedules their deliveries.
 */
public final class EthernetSegment {
    /** Largest frame a port accepts: 14-byte header plus the 1500-byte MTU (no FCS, no VLAN tag). */
    public static final int MAX_FRAME = EthernetFrame.HEADER_LEN + EmulatedPort.MTU;

    private final Simulation sim;
    private final long latency;
    private final LinkModel link;
    private final FaultPlan faults;
    private final SplittableRandom lossRandom;
    private final SplittableRandom duplicateRandom;
    private final List<EmulatedPort> ports = new ArrayList<>();
    private final List<PcapWriter> taps = new ArrayList<>();
    private final ByteBuffer txBuffer = ByteBuffer.allocate(MAX_FRAME);
    // Delivery instants not yet reached by a simulation step. Two senders' queues can deliver out of
    // the order they were handed over, so this is a heap, not a list in time order.
    private final PriorityQueue<Long> schedule = new PriorityQueue<>();

    private long framesSent, framesDelivered, droppedByLoss, droppedByQueue, duplicated, droppedByTxQueue;

    /**
     * Counters of one segment.
     *
     * @param framesSent      frames put on the wire (each counted once, whatever the number of receivers)
     * @param framesDelivered frames handed to receiving ports (one per port per copy)
     * @param droppedByLoss   receptions lost to {@link FaultPlan#loss()}
     * @param droppedByQueue  receptions dropped because the port's queue was full
     * @param duplicated      extra copies made by {@link FaultPlan#duplicate()}
     * @param droppedByTxQueue frames a sender dropped because its transmit queue was full ({@link LinkModel#txQueue()})
     */
    public record Stats(long framesSent, long framesDelivered, long droppedByLoss, long droppedByQueue, long duplicated,
                        long droppedByTxQueue) {
        /** Counters without transmit-queue drops (an infinitely fast link never queues). */
        public Stats(long framesSent, long framesDelivered, long droppedByLoss, long droppedByQueue, long duplicated) {
            this(framesSent, framesDelivered, droppedByLoss, droppedByQueue, duplicated, 0);
        }
    }

    EthernetSegment(Simulation sim, long latency, LinkModel link, FaultPlan faults, long seed) {
        if (latency < 0) {
            throw new IllegalArgumentException("latency " + latency + " ns (expected: >= 0)");
        }
        this.sim = sim;
        this.latency = latency;
        this.link = link;
        this.faults = faults;
        SplittableRandom root = new SplittableRandom(seed);
        this.lossRandom = root.split();
        this.duplicateRandom = root.split();
    }

    /** Attaches a new port with address {@code mac} (MTU 1500). */
    public EmulatedPort attach(MacAddress mac) {
        EmulatedPort p = new EmulatedPort(this, mac);
        ports.add(p);
        return p;
    }

    /**
     * Records every frame put on the wire from now on into {@code pcap}, once, at its transmit time and
     * before any loss: the capture shows what was sent, not what arrived.
     */
    public void capture(PcapWriter pcap) {
        taps.add(pcap);
    }

    /** Returns the one-way latency (ns). */
    public long latency() {
        return latency;
    }

    /** Returns the link rate and transmit queue of every port. */
    public LinkModel link() {
        return link;
    }

    /** Returns the fault plan. */
    public FaultPlan faults() {
        return faults;
    }

    /** Returns the simulation this segment runs in. */
    public Simulation simulation() {
        return sim;
    }

    /** Returns a snapshot of the counters. */
    public Stats stats() {
        return new Stats(framesSent, framesDelivered, droppedByLoss, droppedByQueue, duplicated, droppedByTxQueue);
    }

    /**
     * Returns the earliest delivery the simulation has not yet stepped to, or {@link Long#MAX_VALUE}.
     * A frame left unread in a port nobody polls is not rescheduled forever: it was offered once.
     */
    long nextDeliveryAt() {
        Long next = schedule.peek();
        return next == null ? Long.MAX_VALUE : next;
    }

    /** Marks every delivery due by {@code now} as offered: the step at {@code now} polls every node. */
    void stepAt(long now) {
        while (!schedule.isEmpty() && schedule.peek() <= now) {
            schedule.poll();
        }
    }

    /**
     * Lets {@code from}'s filler write a frame, then puts it on the wire: at once on an infinite link,
     * else behind the frames already in {@code from}'s transmit queue (or dropped when that is full).
     * Always reports the frame as taken, as a NIC hands a frame to its queue and forgets it.
     */
    boolean transmit(EmulatedPort from, long now, int length, Link.FrameFiller filler) {
        if (length < EthernetFrame.HEADER_LEN || length > MAX_FRAME) {
            throw new IllegalArgumentException("frame of " + length + " bytes (expected: "
                    + EthernetFrame.HEADER_LEN + ".." + MAX_FRAME + ")");
        }
        filler.fill(txBuffer, length);
        byte[] frame = new byte[length];
        txBuffer.get(0, frame);
        framesSent++;
        for (PcapWriter tap : taps) {
            tap.write(now, frame);
        }
        long at;
        if (link.infinite()) {
            at = now + latency;
        } else {
            long leaves = from.queueForWire(now, link.serialisationNanos(length), link.txQueue());
            if (leaves < 0) {
                droppedByTxQueue++;
                return true; // tail drop: the sender cannot tell, as with a full qdisc
            }
            at = leaves + latency;
        }
        for (EmulatedPort to : ports) {
            if (to == from) {
                continue; // a hub does not echo a frame to its sender
            }
            boolean lost = lossRandom.nextDouble() < faults.loss();
            boolean twice = duplicateRandom.nextDouble() < faults.duplicate();
            if (lost) {
                droppedByLoss++;
                continue;
            }
            enqueue(to, at, frame);
            if (twice) {
                duplicated++;
                enqueue(to, at, frame);
            }
        }
        return true;
    }

    private void enqueue(EmulatedPort to, long at, byte[] frame) {
        if (faults.maxQueue() > 0 && to.queued() >= faults.maxQueue()) {
            droppedByQueue++;
            return;
        }
        to.enqueue(at, frame);
        schedule.add(at);
    }

    void delivered() {
        framesDelivered++;
    }
}
