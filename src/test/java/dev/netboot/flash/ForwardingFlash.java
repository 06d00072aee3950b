package dev.netboot.flash;

/** Passes every call to another flash; tests override one method to record or inject a fault. */
class ForwardingFlash implements Flash {
    final Flash delegate;

    ForwardingFlash(Flash delegate) {
        this.delegate = delegate;
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
    public void close() {
        delegate.close();
    }
}
