package dev.netboot.emulator;

import dev.netboot.link.Link;
import dev.netboot.link.PcapWriter;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
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
    // Switched: which port each source MAC was last seen on (a learning switch's table).
    private boolean switched;
    private final Map<Long, EmulatedPort> learned = new HashMap<>();
    private long switchDrops, flooded;

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

    /**
     * Makes this segment a learning switch instead of a hub: a frame to a unicast MAC last seen as the source
     * of a frame from one port goes to that port alone; broadcasts, multicasts and unknown MACs go to every other
     * port. On a link with a rate the switch stores and forwards: each frame takes its serialisation time again
     * on the port toward its receiver, behind the frames queued there (at most the link's transmit queue; one
     * more is dropped, {@link #switchDrops()}). Frames are queued at a switch port in the order they were handed
     * to their senders' ports. Call before the first frame.
     */
    public EthernetSegment switched(boolean on) {
        this.switched = on;
        return this;
    }

    /** Returns whether this segment is a learning switch ({@link #switched(boolean)}), not a hub. */
    public boolean isSwitched() {
        return switched;
    }

    /** Returns the frames a switch dropped because its queue toward a port was full. */
    public long switchDrops() {
        return switchDrops;
    }

    /** Returns the frames a switch sent to every other port: broadcasts, multicasts and MACs it had not learned. */
    public long flooded() {
        return flooded;
    }

    /** Returns the ports attached, in attach order. */
    public java.util.List<EmulatedPort> ports() {
        return java.util.List.copyOf(ports);
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
        if (switched) {
            long src = MacAddress.readLong(txBuffer, 6);
            learned.put(src, from);
            long dst = MacAddress.readLong(txBuffer, 0);
            EmulatedPort to = (dst & GROUP_BIT) == 0 ? learned.get(dst) : null;
            if (to != null) {
                if (to != from) {
                    forward(to, at, frame);
                }
                return true;
            }
            flooded++; // broadcast, multicast (no IGMP snooping) or a MAC not learned yet: every other port
        }
        for (EmulatedPort to : ports) {
            if (to == from) {
                continue; // a hub does not echo a frame to its sender, nor does a switch
            }
            forward(to, at, frame);
        }
        return true;
    }

    /** The group bit of a destination MAC as {@link MacAddress#readLong} reads it: broadcast and multicast. */
    private static final long GROUP_BIT = 1L << 40;

    /** Hands {@code frame}, on the wire from {@code at}, to {@code to}: through a switch's port queue when switched, then faults. */
    private void forward(EmulatedPort to, long at, byte[] frame) {
        boolean lost = lossRandom.nextDouble() < faults.loss();
        boolean twice = duplicateRandom.nextDouble() < faults.duplicate();
        if (lost) {
            droppedByLoss++;
            return;
        }
        long arrives = at;
        if (switched && !link.infinite()) {
            // Store and forward: the frame has reached the switch when its last bit left the sender; it then
            // waits for the port toward its receiver and takes its time on that wire too.
            long leaves = to.queueForEgress(at - latency, link.serialisationNanos(frame.length), link.txQueue());
            if (leaves < 0) {
                switchDrops++;
                return;
            }
            arrives = leaves + latency;
        }
        enqueue(to, arrives, frame);
        if (twice) {
            duplicated++;
            enqueue(to, arrives, frame);
        }
    }

    private void enqueue(EmulatedPort to, long at, byte[] frame) {
        if (faults.maxQueue() > 0 && to.queued() >= faults.maxQueue()) {
            droppedByQueue++;
            return;
        }
        to.enqueue(at, frame);
    }

    void delivered() {
        framesDelivered++;
    }
}
