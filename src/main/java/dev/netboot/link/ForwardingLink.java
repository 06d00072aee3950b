package dev.netboot.link;

import dev.netboot.wire.MacAddress;

/**
 * A {@link Link} that passes every call to another, for decorators to override what they change (a capture, a
 * fault, a board's power) and inherit the rest. Every method, the defaults included, goes to the wrapped link: a
 * decorator that forgot one ({@link #bitsPerSecond}, which sizes a board's TFTP window, or {@link #joinMulticast})
 * would hide it from the stack above.
 */
public abstract class ForwardingLink implements Link {
    /** The wrapped link. */
    protected final Link inner;

    /** Wraps {@code inner}. */
    protected ForwardingLink(Link inner) {
        this.inner = inner;
    }

    @Override
    public MacAddress macAddress() {
        return inner.macAddress();
    }

    @Override
    public int mtu() {
        return inner.mtu();
    }

    @Override
    public boolean receive(long now, FrameHandler handler) {
        return inner.receive(now, handler);
    }

    @Override
    public boolean transmit(long now, int length, FrameFiller filler) {
        return inner.transmit(now, length, filler);
    }

    @Override
    public long bitsPerSecond() {
        return inner.bitsPerSecond();
    }

    @Override
    public long receiveBufferBytes() {
        return inner.receiveBufferBytes();
    }

    @Override
    public void joinMulticast(MacAddress group) {
        inner.joinMulticast(group);
    }

    @Override
    public void leaveMulticast(MacAddress group) {
        inner.leaveMulticast(group);
    }

    @Override
    public long pollAt() {
        return inner.pollAt();
    }
}
