package dev.netboot.emulator;

import dev.netboot.link.Link;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;

/**
 * A port on an {@link EthernetSegment}: the emulator's {@link Link}. {@link #transmit} copies the
 * frame onto the segment, to be delivered to the other ports after the latency (and, on a link with a
 * rate, after the frames queued before it and its own serialisation time); {@link #receive}
 * hands over, one per call, the frames whose delivery time has come, earliest first. The port does no address
 * filtering: like a NIC in promiscuous mode on a hub, it passes every frame up.
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
    private long txFreeAt;
    // The simulation's index of the node that reads this port (-1 until it first does): a frame wakes it.
    private int owner = -1;
    // A switch's queue toward this port (switched segments): when each frame waiting or on the wire has left.
    private final LeaveTimes egressLeaves = new LeaveTimes();
    private long egressFreeAt;
    private final ByteBuffer rxBuffer = ByteBuffer.allocate(EthernetSegment.MAX_FRAME);
    private long received, sent, bytesSent;
    private int peak;

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
        if (queue.isEmpty() || queue.peekAt() > now) {
            return false;
        }
        if (queue.size() > peak) {
            // Frames in flight count only once they have arrived; the queue holds both.
            peak = Math.max(peak, queue.dueBy(now));
        }
        byte[] frame = queue.poll();
        received++;
        segment.delivered();
        rxBuffer.clear();
        rxBuffer.put(0, frame);
        handler.onFrame(now, rxBuffer, frame.length);
        return true;
    }

    /** Returns the delivery time of the next queued frame, or {@link Long#MAX_VALUE}. */
    @Override
    public long pollAt() {
        learnOwner();
        return queue.isEmpty() ? Long.MAX_VALUE : queue.peekAt();
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
        return txFreeAt;
    }

    void enqueue(long at, byte[] frame) {
        queue.add(at, frame);
        segment.simulation().wakeOwner(owner, at);
    }

    /** The node the simulation is polling reads this port: frames for it wake that node from now on. */
    private void learnOwner() {
        if (owner < 0) {
            owner = segment.simulation().currentNode();
        }
    }

    /**
     * Queues a frame of {@code nanos} serialisation time on a switch's port toward this one, behind the frames
     * already waiting there; returns when its last bit has left, or -1 when {@code limit} frames are queued.
     */
    long queueForEgress(long arrives, long nanos, int limit) {
        if (egressLeaves.backlog(arrives) >= limit) {
            return -1;
        }
        long leaves = Math.max(arrives, egressFreeAt) + nanos;
        egressFreeAt = leaves;
        egressLeaves.add(leaves);
        return leaves;
    }

    /**
     * Returns the most frames that had arrived and waited for the receiver at once, seen when it took one: what
     * a NIC's receive ring must hold.
     */
    public int queuedPeak() {
        return peak;
    }

    /**
     * Queues a frame of {@code nanos} serialisation time behind this port's earlier ones; returns when its
     * last bit leaves, or -1 when {@code limit} frames are queued already.
     */
    long queueForWire(long now, long nanos, int limit) {
        if (txBacklog(now) >= limit) {
            return -1;
        }
        long leaves = Math.max(now, txFreeAt) + nanos;
        txFreeAt = leaves;
        txLeaves.add(leaves);
        return leaves;
    }
}
