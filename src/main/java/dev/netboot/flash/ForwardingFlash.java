package dev.netboot.flash;

import java.util.Objects;

/**
 * A flash that passes every call to another one: the base of the decorators (timing, power cuts, the
 * device's backlog accounting, test probes), which override only what they change.
 */
public class ForwardingFlash implements Flash {
    /** The flash every call goes to. */
    protected final Flash delegate;

    /** Wraps {@code delegate}. */
    public ForwardingFlash(Flash delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public FlashGeometry geometry() {
        return delegate.geometry();
    }

    @Override
    public void read(long offset, byte[] dst, int dstOff, int len) {
        delegate.read(offset, dst, dstOff, len);
    }

    @Override
    public void erase(long offset, long length) {
        delegate.erase(offset, length);
    }

    @Override
    public void program(long offset, byte[] src, int srcOff, int len) {
        delegate.program(offset, src, srcOff, len);
    }

    @Override
    public FlashStats stats() {
        return delegate.stats();
    }

    @Override
    public long[] eraseCounts() {
        return delegate.eraseCounts();
    }

    @Override
    public boolean isBad(int unit) {
        return delegate.isBad(unit);
    }

    @Override
    public void at(long nowNanos) {
        delegate.at(nowNanos);
    }

    @Override
    public long busyUntil() {
        return delegate.busyUntil();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
