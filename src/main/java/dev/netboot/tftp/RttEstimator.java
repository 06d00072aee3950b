package dev.netboot.tftp;

/**
 * The retransmission timeout from round-trip samples, as RFC 6298 section 2 computes it for TCP:
 *
 * <pre>
 *   first sample R:  SRTT = R, RTTVAR = R/2
 *   later samples:   RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|,  SRTT = 7/8 SRTT + 1/8 R
 *   RTO = clamp(SRTT + 4 RTTVAR, min, longest);  after k timeouts in a row: min(RTO × 2^k, longest)
 *   longest = max before any sample, else clamp(2 SRTT, max, ceiling)
 * </pre>
 *
 * iPXE smooths the same way (t := 7t/8 + r/2 on its scaled value). {@code max} bounds what a lost packet costs on
 * an ordinary path; a path whose round trip is more than half of it (a satellite hop, a congested relay) would time
 * out every exchange at {@code max} and send everything twice, so there the longest wait grows to two round trips,
 * at most {@code ceiling} (half the give-up budget: one retransmission can still be answered before the client gives
 * up). RFC 6298 section 2.5 itself allows no cap below 60 s. The caller applies Karn's rule: it only samples
 * exchanges whose request went out once. Integer nanoseconds, no allocation.
 */
final class RttEstimator {
    private final long initial;
    private final long min;
    private final long max;
    private final long ceiling;
    private long srtt = -1;
    private long rttvar;
    private long rto;

    RttEstimator(long initial, long min, long max, long ceiling) {
        this.initial = initial;
        this.min = min;
        this.max = max;
        this.ceiling = Math.max(max, ceiling);
        this.rto = initial;
    }

    /** Takes one round-trip sample {@code r} (nanoseconds). */
    void sample(long r) {
        if (srtt < 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            long err = Math.abs(srtt - r);
            rttvar = rttvar - rttvar / 4 + err / 4;
            srtt = srtt - srtt / 8 + r / 8;
        }
        rto = Math.clamp(srtt + Math.max(1, 4 * rttvar), min, longest());
    }

    /** Returns the longest wait: {@code max}, or two smoothed round trips where that is more, at most the ceiling. */
    long longest() {
        return srtt < 0 ? max : Math.clamp(2 * srtt, max, ceiling);
    }

    /** Returns the timeout after {@code backoffs} timeouts in a row: doubled each time, capped at the longest wait. */
    long timeout(int backoffs) {
        long cap = longest();
        long t = rto;
        for (int i = 0; i < backoffs && t < cap; i++) {
            t <<= 1;
        }
        return Math.min(t, cap);
    }

    /** Returns the smoothed RTT, or -1 before the first sample. */
    long srtt() {
        return srtt;
    }

    /** Returns the current timeout without backoff. */
    long rto() {
        return rto;
    }

    /** Forgets every sample (a new transfer). */
    void reset() {
        srtt = -1;
        rttvar = 0;
        rto = initial;
    }
}
