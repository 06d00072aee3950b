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
 * {@link FaultPlan} are decided per frame per receiving port, ports taken in attach order, each kind from
 * its own seeded generator, so one seed gives one pattern of each. A generator is drawn from for every
 * decision even at probability 0 or 1, which keeps the patterns of two loss rates under one seed
 * nested (a frame lost at 10% is also lost at 20%), and turning one fault on leaves the others' patterns
 * as they were. In order: the board's link being down (the sender's at sending, the receiver's at arrival),
 * loss, a bit flipped (corrupt), a TFTP DATA byte changed with its checksum fixed (tamper), jitter (order kept
 * per sender and receiver), a frame held back (reorder), duplication.
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
    // Loss is drawn by index: a broadcast a port takes late from the log draws what it would have drawn as sent.
    private final LossDraws lossDraws;
    private final SplittableRandom duplicateRandom;
    private final SplittableRandom reorderRandom;
    private final SplittableRandom jitterRandom;
    private final SplittableRandom corruptRandom;
    private final SplittableRandom tamperRandom;
    // The board's port: the one FaultPlan.linkDown takes down (EmulatedLan.attach marks it); null for none.
    private EmulatedPort board;
    // With jitter, when the last frame from one port to another arrives: later ones never overtake it.
    private final java.util.Map<Long, Long> lastArrival = new java.util.HashMap<>();
    private final List<EmulatedPort> ports = new ArrayList<>();
    private final List<PcapWriter> taps = new ArrayList<>();
    private final List<LossListener> lossListeners = new ArrayList<>();
    private final ByteBuffer txBuffer = ByteBuffer.allocate(MAX_FRAME);
    // Switched: which port each source MAC was last seen on (a learning switch's table).
    private boolean switched;
    private final Map<Long, EmulatedPort> learned = new HashMap<>();
    private long switchDrops, flooded;
    // Broadcasts the ports whose stacks only count them take later (EmulatedPort.catchUp); with faults drawn per
    // receiver in order (all but loss, which is drawn by index), or a loss listener told in order, every port takes
    // every frame as it is sent.
    private final BroadcastLog log = new BroadcastLog();
    private final boolean faultless;

    private long framesSent, framesDelivered, droppedByLoss, droppedByQueue, duplicated, droppedByTxQueue;
    private long droppedByLinkDown, corrupted, tampered, reordered;

    /**
     * Counters of one segment.
     *
     * @param framesSent      frames put on the wire (each counted once, whatever the number of receivers)
     * @param framesDelivered frames handed to receiving ports (one per port per copy)
     * @param droppedByLoss   receptions lost to {@link FaultPlan#loss()}
     * @param droppedByQueue  receptions dropped because the port's queue was full
     * @param duplicated      extra copies made by {@link FaultPlan#duplicate()}
     * @param droppedByTxQueue frames a sender dropped because its transmit queue was full ({@link LinkModel#txQueue()})
     * @param droppedByLinkDown frames the board sent, or would have received, while its link was down ({@link FaultPlan#linkDown})
     * @param corrupted       receptions with a bit flipped in flight ({@link FaultPlan#corrupt()})
     * @param tampered        receptions of TFTP DATA with a byte changed and the checksum fixed ({@link FaultPlan#tamper()})
     * @param reordered       receptions held back behind later frames ({@link FaultPlan#reorder()})
     */
    public record Stats(long framesSent, long framesDelivered, long droppedByLoss, long droppedByQueue, long duplicated,
                        long droppedByTxQueue, long droppedByLinkDown, long corrupted, long tampered, long reordered) {
        /** Counters without transmit-queue drops (an infinitely fast link never queues) nor the other faults. */
        public Stats(long framesSent, long framesDelivered, long droppedByLoss, long droppedByQueue, long duplicated) {
            this(framesSent, framesDelivered, droppedByLoss, droppedByQueue, duplicated, 0, 0, 0, 0, 0);
        }

        /** Counters without the faults beyond loss, duplication and queues. */
        public Stats(long framesSent, long framesDelivered, long droppedByLoss, long droppedByQueue, long duplicated,
                     long droppedByTxQueue) {
            this(framesSent, framesDelivered, droppedByLoss, droppedByQueue, duplicated, droppedByTxQueue, 0, 0, 0, 0);
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
        root.split(); // the loss stream, read by index (LossDraws): split so that the streams after it stay as they were
        this.lossDraws = new LossDraws(seed);
        this.duplicateRandom = root.split();
        // Split after the first two, so adding these left the loss and duplication patterns of every seed as they were.
        this.reorderRandom = root.split();
        this.jitterRandom = root.split();
        this.corruptRandom = root.split();
        this.tamperRandom = root.split();
        this.faultless = faults.duplicate() == 0 && faults.maxQueue() == 0 && faults.reorder() == 0
                && faults.jitter() == 0 && faults.corrupt() == 0 && faults.tamper() == 0;
    }

    /** Attaches a new port with address {@code mac} (MTU 1500). */
    public EmulatedPort attach(MacAddress mac) {
        EmulatedPort p = new EmulatedPort(this, mac, ports.size());
        ports.add(p);
        return p;
    }

    /** Marks {@code port} as the board's: the one whose link {@link FaultPlan#linkDown} takes down. */
    public void boardPort(EmulatedPort port) {
        this.board = port;
    }

    /**
     * Records every frame put on the wire from now on into {@code pcap}, once, at its transmit time and
     * before any loss: the capture shows what was sent, not what arrived.
     */
    public void capture(PcapWriter pcap) {
        taps.add(pcap);
    }

    /**
     * Told of each reception that never reaches its receiver (a timeline marks the frame lost on its way to {@code to}): the
     * fault plan's loss drops it, the board's link is down when it would arrive, or a queue on its way is full.
     */
    @FunctionalInterface
    public interface LossListener {
        /** Frame {@code frame} (as sent; not to be changed) from {@code from} never reaches {@code to}. */
        void lost(MacAddress from, MacAddress to, byte[] frame);
    }

    /** Tells {@code listener} of every reception the wire drops from now on ({@link LossListener}), in the order frames are sent. */
    public void onLoss(LossListener listener) {
        if (log.end() > 0) {
            throw new IllegalStateException("onLoss after broadcasts were left for ports to take later");
        }
        lossListeners.add(listener);
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
        settle();
        return switchDrops;
    }

    /** A frame taken late from the broadcast log found the switch's queue toward its port full. */
    void switchDropped() {
        switchDrops++;
    }

    /** Returns the broadcasts ports whose stacks only count them take later ({@link EmulatedPort#catchUp}). */
    BroadcastLog broadcastLog() {
        return log;
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
        settle();
        return new Stats(framesSent, framesDelivered, droppedByLoss, droppedByQueue, duplicated, droppedByTxQueue,
                droppedByLinkDown, corrupted, tampered, reordered);
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
        if (from == board && faults.linkDown(now)) {
            droppedByLinkDown++; // the cable is out: the frame never reaches the segment (nor a capture of it)
            return true;
        }
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
                    forward(from, to, at, frame, lossDraws.next(1));
                }
                return true;
            }
            flooded++; // broadcast, multicast (no IGMP snooping) or a MAC not learned yet: every other port
            boolean logs = faultless && !link.infinite() && lossListeners.isEmpty() && log.hasReaders();
            int kind = logs ? log.kindIndex(view(frame), length) : -1;
            if (kind >= 0) {
                // Logged: a port whose stack drops every frame of its kind takes it later; the others now, in order.
                long addressee = log.addressee();
                long draws = lossDraws.next(ports.size() - 1);
                long n = log.append(from, at, frame, kind, addressee, draws);
                for (EmulatedPort p : ports) {
                    if (p != from && (p == board || !p.defers(kind, src, addressee))) {
                        p.catchUp(n, now, false);
                        p.taken(n); // this one it takes now
                        forward(from, p, at, frame, draws + LossDraws.rank(from, p));
                    }
                }
                return true;
            }
        }
        long draws = lossDraws.next(ports.size() - 1);
        for (EmulatedPort to : ports) {
            if (to == from) {
                continue; // a hub does not echo a frame to its sender, nor does a switch
            }
            forward(from, to, at, frame, draws + LossDraws.rank(from, to));
        }
        return true;
    }

    /**
     * Returns whether the fault plan's loss drops the frame from {@code from} whose loss draws began at {@code draws}
     * on its way to {@code to}, a broadcast taken late from the log, counting it so (no loss listener: none with the log).
     */
    boolean lostLate(long draws, EmulatedPort from, EmulatedPort to) {
        if (faults.loss() > 0 && lossDraws.at(draws + LossDraws.rank(from, to)) < faults.loss()) {
            droppedByLoss++;
            return true;
        }
        return false;
    }

    /** The group bit of a destination MAC as {@link MacAddress#readLong} reads it: broadcast and multicast. */
    private static final long GROUP_BIT = 1L << 40;

    /**
     * Hands {@code frame}, on the wire from {@code at}, from {@code from} to {@code to}: through a switch's port queue
     * when switched, then the faults (each kind drawn from its own seeded stream, once per frame and receiver; loss
     * draw number {@code lossDraw}).
     */
    private void forward(EmulatedPort from, EmulatedPort to, long at, byte[] frame, long lossDraw) {
        to.catchUp(sim.now(), false); // the broadcasts it deferred first: the switch's queue toward it takes frames in order
        // A kind of fault the plan does not have draws nothing: its stream is its own, so the run is the same, and a
        // broadcast to a thousand ports costs six draws fewer per port (issue 12: the fleet's wall time).
        boolean lost = faults.loss() > 0 && lossDraws.at(lossDraw) < faults.loss();
        boolean twice = faults.duplicate() > 0 && duplicateRandom.nextDouble() < faults.duplicate();
        boolean held = faults.reorder() > 0 && reorderRandom.nextDouble() < faults.reorder();
        long delay = faults.jitter() > 0 ? (long) (jitterRandom.nextDouble() * (faults.jitter() + 1)) : 0;
        double c = faults.corrupt() > 0 ? corruptRandom.nextDouble() : 1;
        double t = faults.tamper() > 0 ? tamperRandom.nextDouble() : 1;
        long when = at + (faults.jitter() > 0 ? Math.min(delay, faults.jitter()) : 0);
        if (to == board && faults.linkDown(when)) {
            droppedByLinkDown++;
            told(from, to, frame);
            return;
        }
        if (lost) {
            droppedByLoss++;
            told(from, to, frame);
            return;
        }
        if (switched && !link.infinite()) {
            // Store and forward: the frame has reached the switch when its last bit left the sender; it then
            // waits for the port toward its receiver and takes its time on that wire too.
            long leaves = to.queueForEgress(at - latency, link.serialisationNanos(frame.length), link.txQueue());
            if (leaves < 0) {
                switchDrops++;
                told(from, to, frame);
                return;
            }
            when += leaves + latency - at;
        }
        byte[] copy = frame;
        if (c < faults.corrupt() && FrameDamage.isIpv4(frame)) {
            copy = frame.clone();
            FrameDamage.flipBit(copy, corruptRandom);
            corrupted++;
        }
        if (t < faults.tamper() && FrameDamage.tftpDataOffset(copy) > 0) {
            copy = copy == frame ? frame.clone() : copy;
            FrameDamage.tamper(copy, tamperRandom);
            tampered++;
        }
        if (faults.jitter() > 0) {
            // A queue that varies: later frames from this sender wait behind earlier ones, never pass them.
            long key = (long) from.id() << 32 | to.id();
            when = Math.max(when, lastArrival.getOrDefault(key, Long.MIN_VALUE));
            lastArrival.put(key, when);
        }
        if (held) {
            when += faults.reorderDelay(); // held back: the frames sent next overtake it
            reordered++;
        }
        if (!enqueue(to, when, copy)) {
            told(from, to, frame);
        }
        if (twice) {
            duplicated++;
            enqueue(to, when, copy); // a copy that finds the queue full is not the frame lost: the first one arrives
        }
    }

    private void told(EmulatedPort from, EmulatedPort to, byte[] frame) {
        for (LossListener l : lossListeners) {
            l.lost(from.macAddress(), to.macAddress(), frame);
        }
    }

    /** Queues {@code frame} at {@code to}; returns false when its queue is full and the frame dropped. */
    private boolean enqueue(EmulatedPort to, long at, byte[] frame) {
        if (faults.maxQueue() > 0 && to.queued() >= faults.maxQueue()) {
            droppedByQueue++;
            return false;
        }
        to.enqueue(at, frame);
        return true;
    }

    void delivered() {
        framesDelivered++;
    }

    /** Counts, on every port that spares its board frames (EmulatedPort.filterWith), those arrived by now. */
    void settle() {
        for (EmulatedPort p : ports) {
            p.settleForStats(sim.now());
        }
    }

    // One read-only view of the frame being forwarded, shared by the receivers' stacks that are asked about it.
    private byte[] viewed;
    private ByteBuffer view;

    /** Returns a read-only view of {@code frame} (one for all the ports asked about it). */
    ByteBuffer view(byte[] frame) {
        if (frame != viewed) {
            viewed = frame;
            view = ByteBuffer.wrap(frame).asReadOnlyBuffer();
        }
        return view;
    }
}
