package dev.netboot.emulator;

import dev.netboot.link.Link;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;

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

    // seq keeps frames due at the same instant in the order they were handed over.
    private record Pending(long at, long seq, byte[] frame) {
    }

    private final EthernetSegment segment;
    private final MacAddress mac;
    // Frames from different senders' transmit queues can arrive in another order than they were sent.
    private final PriorityQueue<Pending> queue = new PriorityQueue<>(
            Comparator.comparingLong(Pending::at).thenComparingLong(Pending::seq));
    // When each frame of this port's transmit queue (waiting or on the wire) has left it; in order.
    private final ArrayDeque<Long> txLeaves = new ArrayDeque<>();
    private long txFreeAt;
    private long seq;
    private final ByteBuffer rxBuffer = ByteBuffer.allocate(EthernetSegment.MAX_FRAME);
    private long received, sent;
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

    /** {@inheritDoc} Never refuses: the segment queues at the receivers. */
    @Override
    public boolean transmit(long now, int length, FrameFiller filler) {
        sent++;
        return segment.transmit(this, now, length, filler);
    }

    @Override
    public boolean receive(long now, FrameHandler handler) {
        Pending p = queue.peek();
        if (p == null || p.at() > now) {
            return false;
        }
        if (queue.size() > peak) {
            // Frames in flight count only once they have arrived; the queue holds both.
            int due = 0;
            for (Pending q : queue) {
                due += q.at() <= now ? 1 : 0;
            }
            peak = Math.max(peak, due);
        }
        queue.poll();
        received++;
        segment.delivered();
        rxBuffer.clear();
        rxBuffer.put(0, p.frame());
        handler.onFrame(now, rxBuffer, p.frame().length);
        return true;
    }

    /** Returns the delivery time of the next queued frame, or {@link Long#MAX_VALUE}. */
    @Override
    public long pollAt() {
        Pending p = queue.peek();
        return p == null ? Long.MAX_VALUE : p.at();
    }

    /** Returns the segment this port is attached to. */
    public EthernetSegment segment() {
        return segment;
    }

    /** Returns the frames this port has sent. */
    public long framesSent() {
        return sent;
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
        while (!txLeaves.isEmpty() && txLeaves.peek() <= now) {
            txLeaves.poll();
        }
        return txLeaves.size();
    }

    /** Returns when the first frame of this port's transmit queue leaves it, or {@link Long#MIN_VALUE} when it is empty. */
    long txNextLeaves() {
        Long t = txLeaves.peek();
        return t == null ? Long.MIN_VALUE : t;
    }

    /** Returns when this port's transmitter has sent everything queued so far (its wire is idle from then). */
    public long txIdleAt() {
        return txFreeAt;
    }

    void enqueue(long at, byte[] frame) {
        queue.add(new Pending(at, seq++, frame));
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
