package dev.netboot.link;

/**
 * A {@link Link} on real hardware, which a real-time driver can wait on instead of spinning: the
 * driver polls the stack, then waits here for a frame or until the stack's next deadline.
 */
public interface WaitableLink extends Link {
    /**
     * Blocks until a received frame may be pending or {@code timeoutNanos} have passed. Consumes nothing:
     * frames are still taken with {@link #receive}. May return early (a signal, a frame this link will drop).
     *
     * @param timeoutNanos how long to wait at most; 0 only checks
     * @return true when a frame may be pending
     */
    boolean awaitFrame(long timeoutNanos);
}
