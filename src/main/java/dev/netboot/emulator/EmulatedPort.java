package dev.netboot.emulator;

import dev.netboot.link.Link;
import dev.netboot.net.ReceiveFilter;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;

/**
 * A port on an {@link EthernetSegment}: the emulator's {@link Link}. {@link #transmit} copies the
 * frame onto the segment, to be delivered to the other ports after the latency (and, on a link with a
 * rate, after the frames queued before it and its own serialisation time); {@link #receive}
 * hands over, one per call, the frames whose delivery time has come, earliest first. The port does no address
 * filtering: like a NIC in promiscuous mode on a hub, it passes every frame up.
 *
 * <p><b>Frames a stack would only count.</b> A fleet's board hears every other board's broadcasts (DHCP requests,
 * ARP probes, the server's broadcast replies to the others), and its stack drops nearly all of them at once. With
 * {@link #filterWith} the port asks the board's stack ({@link ReceiveFilter}) what it would do with each frame: one it
 * would only count does not wake the board; once it has arrived (and the board has not been polled since, so its
 * state is the one it had then) the port counts it for the stack ({@link ReceiveFilter#dropped}) without handing it
 * over. After each poll of the board (which may change its state) the frames still on their way are asked again, and
 * one the stack would now take wakes it at its arrival as any other. A broadcast the stack drops for its kind alone
 * ({@link ReceiveFilter#verdictOfKind}) is not even queued when sent: the port takes it from the switch's
 * {@link BroadcastLog} later ({@link #catchUp}). So the board's counters, state and everything it sends are those of a
 * board handed every frame, as are this port's counters; what goes is the work, which grows as N x N broadcasts.
 */
public final class EmulatedPort implements Link {
    /** The MTU of every emulated port. */
    public static final int MTU = 1500;

    private final EthernetSegment segment;
    private final MacAddress mac;
    // Frames from different senders' transmit queues can arrive in another order than they were sent.
    private final ArrivalQueue queue = new ArrivalQueue();
    // When each frame of this port's transmit queue (waiting or on the wire) has left it; in order.
    private final LeaveTimes txLeaves = new LeaveTimes();
    // The simulation's index of the node that reads this port (-1 until it first does): a frame wakes it.
    private int owner = -1;
    // A switch's queue toward this port (switched segments): when each frame waiting or on the wire has left.
    private final LeaveTimes egressLeaves = new LeaveTimes();
    private final ByteBuffer rxBuffer = ByteBuffer.allocate(EthernetSegment.MAX_FRAME);
    private long received, sent, bytesSent;
    private int peak;
    // The stack that says which frames it would only count (null: every frame wakes the reader), the frames queued
    // that it would take (all of them without a filter), and the frames counted for it without being handed over.
    private ReceiveFilter filter;
    private long verdictsOf; // the filter's receiveState() the queued verdicts were given in
    private int takes;
    private long filtered;
    // The segment's broadcast log as this port reads it, when it may defer its entries (filterWith); else null.
    private LogReader reader;
    private long late; // entries taken from the log, not when they were sent

    private final int id;

    EmulatedPort(EthernetSegment segment, MacAddress mac, int id) {
        this.segment = segment;
        this.mac = mac;
        this.id = id;
    }

    /** Returns the port's number on its segment, in attach order. */
    int id() {
        return id;
    }

    @Override
    public MacAddress macAddress() {
        return mac;
    }

    @Override
    public int mtu() {
        return MTU;
    }

    /** {@inheritDoc} The segment's rate ({@link LinkModel}); 0 on the infinitely fast default wire. */
    @Override
    public long bitsPerSecond() {
        return segment.link().bitsPerSecond();
    }

    /** {@inheritDoc} Never refuses: the segment queues at the receivers. */
    @Override
    public boolean transmit(long now, int length, FrameFiller filler) {
        sent++;
        bytesSent += length;
        return segment.transmit(this, now, length, filler);
    }

    @Override
    public boolean receive(long now, FrameHandler handler) {
        learnOwner();
        if (filter != null) {
            catchUp(now, false);
            settle(now, false);
        }
        if (queue.isEmpty() || queue.peekAt() > now) {
            return false;
        }
        if (queue.size() > peak) {
            // Frames in flight count only once they have arrived; the queue holds both.
            peak = Math.max(peak, queue.dueBy(now));
        }
        if (queue.peekVerdict() == ReceiveFilter.TAKE) {
            takes--;
        }
        byte[] frame = queue.poll();
        received++;
        segment.delivered();
        rxBuffer.clear();
        rxBuffer.put(0, frame);
        handler.onFrame(now, rxBuffer, frame.length);
        return true;
    }

    /**
     * Asks {@code stack} from now on which frames it would only count ({@link ReceiveFilter}): those do not wake node
     * {@code owner} (the simulation's index of the node that reads this port). Call before the first frame for it.
     */
    void filterWith(ReceiveFilter stack, int owner) {
        if (this.owner >= 0 && this.owner != owner || !queue.isEmpty()) {
            throw new IllegalStateException("filterWith after port " + mac + " was read or sent to");
        }
        this.owner = owner;
        filter = stack;
        verdictsOf = stack.receiveState();
        segment.simulation().filtering(owner, this);
        reader = new LogReader(segment.broadcastLog(), stack, mac.value());
        segment.broadcastLog().reader(this);
    }

    /** Entry {@code n} of the broadcast log, and every one before it, has been taken (forwarded to this port as sent). */
    void taken(long n) {
        if (reader != null) {
            reader.position = n + 1;
        }
    }

    /** Returns the number of the first entry of the segment's broadcast log this port has not taken. */
    long logPosition() {
        return reader.position;
    }

    /**
     * Returns whether this port leaves a frame of the log's kind {@code kindIndex} from MAC {@code src}, for
     * {@code addressee}, in the log ({@link LogReader#defers}).
     */
    boolean defers(int kindIndex, long src, long addressee) {
        return reader != null && reader.defers(kindIndex, src, addressee);
    }

    /** Takes the log's entries up to its end: {@link #catchUp(long, long, boolean)} up to {@link BroadcastLog#end()}. */
    long catchUp(long now, boolean inclusive) {
        return reader == null ? Long.MAX_VALUE : catchUp(reader.log.end(), now, inclusive);
    }

    /**
     * Takes the log's entries before number {@code to} that this port deferred (all it has not taken; its own frames
     * skipped), each as {@link EthernetSegment} would have forwarded it when it was sent: through the switch's queue
     * toward this port (or dropped there), then queued with the stack's verdict, in its state then (which is its state
     * now: it changes only while the reader is polled, and the reader is caught up before). One that has arrived before
     * {@code now} (at or before, {@code inclusive}) while nothing waits before it is counted at once, as
     * {@link #settle} would count it; {@link #settle} first counts what has arrived and waits, else every entry taken
     * behind it would be queued (a board waiting 16 s for its next DHCPDISCOVER queued 16 s of the fleet's broadcasts).
     * Returns the earliest arrival of a frame the stack takes, or {@link Long#MAX_VALUE}.
     */
    long catchUp(long to, long now, boolean inclusive) {
        if (reader != null && reader.position < to) {
            settle(now, inclusive);
        }
        return take(to, now, inclusive);
    }

    /** {@link #catchUp(long, long, boolean)} without settling first: after a poll, for {@link #reclassify}. */
    private long take(long to, long now, boolean inclusive) {
        long earliest = Long.MAX_VALUE;
        if (reader == null || reader.position >= to) {
            return earliest;
        }
        BroadcastLog log = reader.log;
        LinkModel link = segment.link();
        long latency = segment.latency();
        for (long n = reader.position; n < to; n++) {
            if (log.sender(n) == this) {
                continue;
            }
            late++;
            if (segment.lostLate(log.lossDraw(n), log.sender(n), this)) {
                continue; // lost on its way, as forward would have drawn it
            }
            byte[] frame = log.frame(n);
            long at = log.at(n);
            long leaves = queueForEgress(at - latency, link.serialisationNanos(frame.length), link.txQueue());
            if (leaves < 0) {
                segment.switchDropped();
                continue;
            }
            long when = leaves + latency;
            int v = reader.verdict(n, frame, segment);
            if (v == ReceiveFilter.TAKE) {
                queue.add(when, frame);
                takes++;
                segment.simulation().wakeOwner(owner, when);
                earliest = Math.min(earliest, when);
            } else if (queue.isEmpty() && (when < now || (inclusive && when == now))) {
                // settle's count of a frame alone at the head (arrivals through the switch's queue never coincide)
                peak = Math.max(peak, 1);
                received++;
                filtered++;
                segment.delivered();
                filter.dropped(v);
            } else {
                queue.add(when, frame, v);
            }
        }
        reader.position = to;
        return earliest;
    }

    /**
     * Counts for the stack the frames it would only count that arrived before {@code now} (at or before it when
     * {@code inclusive}) and wait at the head of the queue: the reader has not been polled since they arrived (a poll
     * takes every frame that has), so the stack's verdict on them stands.
     */
    void settle(long now, boolean inclusive) {
        while (!queue.isEmpty() && queue.peekVerdict() != ReceiveFilter.TAKE) {
            long t = queue.peekAt();
            if (t > now || (t == now && !inclusive)) {
                return;
            }
            // The frames arriving at t: woken then, the reader would have found them all waiting (its receive ring).
            int run = 1;
            while (run < queue.size() && queue.atOf(run) == t && queue.verdictOf(run) != ReceiveFilter.TAKE) {
                run++;
            }
            if (run < queue.size() && queue.atOf(run) == t) {
                return; // a frame it takes arrives with them: its poll at t takes them all in order
            }
            peak = Math.max(peak, run);
            for (int k = 0; k < run; k++) {
                int v = queue.peekVerdict();
                queue.poll();
                received++;
                filtered++;
                segment.delivered();
                filter.dropped(v);
            }
        }
    }

    /**
     * After a poll of the reader, whose stack may have changed its mind: asks again about each frame it would only
     * count, and returns the earliest arrival of those it would now take (they wake it as any frame), or
     * {@link Long#MAX_VALUE}.
     */
    long reclassify() {
        long state = filter.receiveState();
        if (state == verdictsOf) {
            return Long.MAX_VALUE; // nothing the verdicts read has changed
        }
        verdictsOf = state;
        if (reader != null) {
            reader.forget();
        }
        // Entries deferred while the reader was polled (by another port of its node) are taken in the state it left;
        // what waits keeps its verdicts until they are asked again below.
        long earliest = reader == null ? Long.MAX_VALUE : take(reader.log.end(), segment.simulation().now(), false);
        int n = queue.size();
        if (n == takes) {
            return earliest;
        }
        for (int i = 0; i < n; i++) {
            if (queue.verdictOf(i) == ReceiveFilter.TAKE) {
                continue;
            }
            byte[] f = queue.frameOf(i);
            int v = filter.verdict(segment.view(f), f.length);
            queue.verdict(i, v);
            if (v == ReceiveFilter.TAKE) {
                takes++;
                earliest = Math.min(earliest, queue.atOf(i));
            }
        }
        return earliest;
    }

    /** Before counters are read: settles the frames arrived by {@code now} that the stack only counts. */
    void settleForStats(long now) {
        if (filter != null) {
            catchUp(now, true);
            settle(now, true);
        }
    }

    /** Returns the frames counted for the stack without being handed over ({@link #filterWith}); in {@link #framesReceived}. */
    public long framesFiltered() {
        return filtered;
    }

    /** Returns the broadcasts this port took from the segment's log after they were sent ({@link #catchUp}). */
    long framesTakenLate() {
        return late;
    }

    /** Returns the frames handed to the receiver's handler: {@link #framesReceived} less {@link #framesFiltered}. */
    public long framesHanded() {
        return received - filtered;
    }

    /** Returns the delivery time of the next queued frame the receiver takes ({@link #filterWith}), or {@link Long#MAX_VALUE}. */
    @Override
    public long pollAt() {
        learnOwner();
        if (takes == 0) {
            return Long.MAX_VALUE;
        }
        if (queue.peekVerdict() == ReceiveFilter.TAKE) {
            return queue.peekAt();
        }
        for (int i = 1; ; i++) {
            if (queue.verdictOf(i) == ReceiveFilter.TAKE) {
                return queue.atOf(i);
            }
        }
    }

    /** Returns the segment this port is attached to. */
    public EthernetSegment segment() {
        return segment;
    }

    /** Returns the frames this port has sent. */
    public long framesSent() {
        return sent;
    }

    /** Returns the bytes of the frames this port has sent (Ethernet header and payload, no FCS). */
    public long bytesSent() {
        return bytesSent;
    }

    /** Returns the frames this port has handed to its receiver. */
    public long framesReceived() {
        return received;
    }

    /** Returns the frames waiting for delivery, due or not. */
    public int queued() {
        return queue.size();
    }

    /** Returns the frames in this port's transmit queue at {@code now}: waiting, or on the wire. */
    public int txBacklog(long now) {
        return txLeaves.backlog(now);
    }

    /** Returns when the first frame of this port's transmit queue leaves it, or {@link Long#MIN_VALUE} when it is empty. */
    long txNextLeaves() {
        return txLeaves.first();
    }

    /** Returns when this port's transmitter has sent everything queued so far (its wire is idle from then). */
    public long txIdleAt() {
        return txLeaves.freeAt();
    }

    void enqueue(long at, byte[] frame) {
        Simulation sim = segment.simulation();
        if (filter != null && at > sim.now() && segment.faults().maxQueue() == 0) {
            settle(sim.now(), false);
            int v = filter.verdict(segment.view(frame), frame.length);
            if (v != ReceiveFilter.TAKE) {
                queue.add(at, frame, v); // the stack would only count it: it does not wake the reader
                return;
            }
        }
        queue.add(at, frame);
        takes++;
        sim.wakeOwner(owner, at);
    }

    /** The node the simulation is polling reads this port: frames for it wake that node from now on. */
    private void learnOwner() {
        if (owner < 0) {
            owner = segment.simulation().currentNode();
        }
    }

    /** Queues a frame of {@code nanos} on the switch's port toward this one; returns when it has left, or -1 when {@code limit} wait. */
    long queueForEgress(long arrives, long nanos, int limit) {
        return egressLeaves.queue(arrives, nanos, limit);
    }

    /** Returns the most frames arrived and waiting for the receiver at once, seen when it took one: a NIC's receive ring. */
    public int queuedPeak() {
        return peak;
    }

    /** Queues a frame of {@code nanos} behind this port's earlier ones; returns when it has left, or -1 when {@code limit} wait. */
    long queueForWire(long now, long nanos, int limit) {
        return txLeaves.queue(now, nanos, limit);
    }
}
