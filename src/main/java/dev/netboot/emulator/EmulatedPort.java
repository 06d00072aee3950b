package dev.netboot.emulator;

import dev.netboot.link.Link;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A port on an {@link EthernetSegment}: the emulator's {@link Link}. {@link #transmit} copies the
 * frame onto the segment, to be delivered to the other ports after the latency; {@link #receive}
 * hands over, one per call, the frames whose delivery time has come. The port does no address
 * filtering: like a NIC in promiscuous mode on a hub, it passes every frame up.
 */
public final class EmulatedPort implements Link {
    /** The MTU of every emulated port. */
    public static final int MTU = 1500;

    private record Pending(long at, byte[] frame) {
    }

    private final EthernetSegment segment;
    private final MacAddress mac;
    // The segment's latency is fixed and time only moves forward, so arrival order is time order.
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final ByteBuffer rxBuffer = ByteBuffer.allocate(EthernetSegment.MAX_FRAME);
    private long received, sent;

    EmulatedPort(EthernetSegment segment, MacAddress mac) {
        this.segment = segment;
        this.mac = mac;
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

    void enqueue(long at, byte[] frame) {
        queue.add(new Pending(at, frame));
    }
}
