package dev.netboot.emulator;

/**
 * Something the {@link Simulation} advances: a host, a scripted client, the device under test.
 * The same contract as the stack's own poll loop (GUIDE H8).
 */
public interface SimNode {
    /** Does whatever is due at {@code now} (virtual nanoseconds): receive frames, fire timers, send. */
    void poll(long now);

    /** Returns the next instant at which {@link #poll} has work, or {@link Long#MAX_VALUE} when idle. */
    long pollAt();
}
