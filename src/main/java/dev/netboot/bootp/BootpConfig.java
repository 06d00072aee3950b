package dev.netboot.bootp;

/**
 * Retransmission policy of the BOOTP client. Times are nanoseconds.
 *
 * <p>RFC 951 section 7.2: "the client should use a random exponential backoff"; RFC 2131 section 4.1
 * randomises each delay by +/- 1 s so that boards powered on together do not stay in step. The n-th
 * retransmission waits {@code min(initialTimeout * 2^n, maxTimeout)} plus a uniform jitter of
 * +/- {@code jitter}; the client gives up when {@code giveUp} has passed since the first request.
 *
 * @param initialTimeout wait after the first request
 * @param maxTimeout     cap on the doubled wait
 * @param jitter         half-width of the uniform random offset added to each wait
 * @param giveUp         total time budget from the first request
 */
public record BootpConfig(long initialTimeout, long maxTimeout, long jitter, long giveUp) {
    /** 1 s doubling to 16 s, +/- 0.5 s, give up after 60 s (long enough for a spanning-tree port to open). */
    public static final BootpConfig DEFAULTS = new BootpConfig(1_000_000_000L, 16_000_000_000L, 500_000_000L, 60_000_000_000L);

    /** Checks that times are positive and ordered. */
    public BootpConfig {
        if (initialTimeout <= 0 || maxTimeout < initialTimeout || jitter < 0 || jitter >= initialTimeout || giveUp <= 0) {
            throw new IllegalArgumentException("BOOTP timing: initial " + initialTimeout + " ns, max " + maxTimeout
                    + " ns, jitter " + jitter + " ns, give-up " + giveUp + " ns (expected: 0 < initial <= max, 0 <= jitter < initial, give-up > 0)");
        }
    }
}
