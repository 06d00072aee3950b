package dev.netboot.cli;

/**
 * How long host mode polls its sockets before it sleeps in the selector: waking a sleeping process costs tens of
 * microseconds on a virtual machine (more than a lock-step TFTP block takes on loopback), so while datagrams
 * come sooner than {@link #limit()} the loop spins for them (at most that long per wait, then sleeps as before).
 * It learns how soon they come from the waits that ended with one (a moving average, an eighth per wait): a
 * server a millisecond away makes it stop spinning after a few blocks, and one that answers at once again makes
 * it start. A single CPU never spins (the spinning would hold up the peer it waits for, if that runs here).
 * Pure arithmetic on the times it is given; {@link HostUdpTransport#await} reads the clock.
 */
final class SpinPolicy {
    /** The default limit: 100 µs, above a loopback round trip, below a LAN one. */
    static final long DEFAULT_LIMIT = 100_000;
    /** The system property that sets the limit in microseconds ({@code -Dnetboot.spinMicros=0}: never spin). */
    static final String PROPERTY = "netboot.spinMicros";

    private final long limit;
    private long typical; // moving average of the waits that ended with a datagram, ns; 0 at first: spin

    /** A policy spinning up to {@code limit} nanoseconds per wait on {@code cpus} processors (0 or 1: never). */
    SpinPolicy(long limit, int cpus) {
        if (limit < 0) {
            throw new IllegalArgumentException("spin limit " + limit + " ns (expected: >= 0)");
        }
        this.limit = cpus > 1 ? limit : 0;
    }

    /** The policy of this process: {@link #PROPERTY} or {@link #DEFAULT_LIMIT}, on this machine's processors. */
    static SpinPolicy ofThisProcess() {
        long micros = Long.getLong(PROPERTY, DEFAULT_LIMIT / 1000);
        return new SpinPolicy(Math.max(0, micros) * 1000, Runtime.getRuntime().availableProcessors());
    }

    /** Returns the most it spins per wait, ns (0: never). */
    long limit() {
        return limit;
    }

    /** Returns how long to spin before sleeping in a wait of up to {@code nanos}: 0 when datagrams come too late. */
    long spinFor(long nanos) {
        return typical < limit ? Math.min(nanos, limit) : 0;
    }

    /** A wait ended after {@code waited} ns with a datagram ready ({@code got}), or with none (a timeout: not counted). */
    void waited(long waited, boolean got) {
        if (got) {
            typical += (Math.max(0, waited) - typical) / 8;
        }
    }
}
