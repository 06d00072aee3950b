package dev.netboot.cli;

/**
 * Whether host mode polls its sockets for a while before it sleeps in the selector. Waking a sleeping process
 * costs tens of microseconds on a virtual machine, more than a lock-step TFTP block takes on loopback, so polling
 * for up to {@link #limit()} first can make every wait shorter; but on a busy machine a process that spins loses
 * the scheduler's favour and can wait longer than one that sleeps. So it measures instead of guessing: a trial of
 * {@link #TRIAL} waits spinning, then {@link #TRIAL} sleeping, compared by their mean wait (each wait counted up to
 * 1 ms, so one descheduling does not decide); spinning is kept for the next {@link #RUN} waits only when its mean
 * is at least a tenth shorter, else sleeping is; then a new trial. Waits that end without a datagram (timeouts)
 * are not counted. A single CPU never spins. Pure arithmetic on the times it is given; {@link HostUdpTransport#await}
 * reads the clock.
 */
final class SpinPolicy {
    /** The default limit: 100 µs, above a loopback round trip, below a LAN one. */
    static final long DEFAULT_LIMIT = 100_000;
    /** The system property that sets the limit in microseconds ({@code -Dnetboot.spinMicros=0}: never spin). */
    static final String PROPERTY = "netboot.spinMicros";
    /** Waits in each half of a trial. */
    static final int TRIAL = 64;
    /** Waits the choice of a trial holds for. */
    static final int RUN = 2048;
    /** The most one wait counts for in a trial: 1 ms. */
    static final long CAP = 1_000_000;

    // The phases: a trial's spinning half, its sleeping half, then the run of its choice (plain ints: an enum's
    // switch would be one more class to load on a short run's road).
    private static final int TRY_SPIN = 0;
    private static final int TRY_SLEEP = 1;
    private static final int RUN_CHOICE = 2;

    private final long limit;
    private int phase = TRY_SPIN;
    private int counted;                 // waits counted in this phase
    private long spinTotal, sleepTotal;  // the trial's waits, capped
    private boolean spin;                // the choice while in RUN

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

    /** Returns how long to spin before sleeping in a wait of up to {@code nanos}: 0 to sleep at once. */
    long spinFor(long nanos) {
        boolean now = phase == TRY_SPIN || phase == RUN_CHOICE && spin;
        return now ? Math.max(0, Math.min(nanos, limit)) : 0;
    }

    /** A wait ended after {@code waited} ns with a datagram ready ({@code got}), or with none (a timeout: not counted). */
    void waited(long waited, boolean got) {
        if (!got || limit == 0) {
            return;
        }
        long w = Math.min(CAP, Math.max(0, waited));
        if (phase == TRY_SPIN) {
            spinTotal += w;
            if (++counted == TRIAL) {
                phase = TRY_SLEEP;
                counted = 0;
            }
        } else if (phase == TRY_SLEEP) {
            sleepTotal += w;
            if (++counted == TRIAL) {
                spin = spinTotal * 10 <= sleepTotal * 9; // at least a tenth shorter
                phase = RUN_CHOICE;
                counted = 0;
            }
        } else if (++counted == RUN) {
            phase = TRY_SPIN;
            counted = 0;
            spinTotal = 0;
            sleepTotal = 0;
        }
    }

    /** Returns whether the last trial chose spinning (false before the first trial ended). */
    boolean spinning() {
        return phase == RUN_CHOICE && spin;
    }
}
