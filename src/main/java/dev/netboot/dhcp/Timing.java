package dev.netboot.dhcp;

import dev.netboot.bootp.BootpConfig;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.DhcpOption;
import java.util.random.RandomGenerator;

/** The client's clock arithmetic: retransmission backoff and lease times. Times are nanoseconds. */
final class Timing {
    /** One second. */
    static final long SECOND = 1_000_000_000L;
    /** RFC 2131 section 4.4.5: retransmissions while renewing or rebinding wait at least this long. */
    static final long MIN_RENEW_RETRY = 60 * SECOND;

    private Timing() {
    }

    /**
     * Returns the wait after the {@code n}-th transmission (0 = the first): RFC 2131 section 4.1, "the delay before
     * the next retransmission SHOULD be [doubled] ... randomized by the value of a uniform random number chosen from
     * the range -1 to +1", with the profile's initial delay, cap and jitter in place of 4 s, 64 s and 1 s.
     */
    static long backoff(BootpConfig c, int n, RandomGenerator random) {
        long wait = Math.min(c.maxTimeout(), c.initialTimeout() << Math.min(n, 30));
        return wait + (c.jitter() == 0 ? 0 : random.nextLong(-c.jitter(), c.jitter() + 1));
    }

    /**
     * Returns when to retransmit a DHCPREQUEST sent at {@code now} while renewing (until {@code until} = T2) or
     * rebinding (until the lease ends): "one-half of the remaining time ..., down to a minimum of 60 seconds"
     * (RFC 2131 section 4.4.5), never past {@code until}.
     */
    static long renewRetryAt(long now, long until) {
        return Math.min(until, now + Math.max((until - now) / 2, MIN_RENEW_RETRY));
    }

    /**
     * Returns the lease, T1 and T2 in seconds from a DHCPACK's options 51, 58 and 59. A missing lease time is taken
     * as infinite (RFC 2131 requires it in a DHCPACK; a server that leaves it out means no end). T1 and T2 default
     * to 0.5 and 0.875 of the lease (section 4.4.5); values that break T1 <= T2 <= lease are replaced by those defaults.
     */
    static long[] leaseTimes(BootpOptions o) {
        long lease = o.option(DhcpOption.LEASE_TIME).map(x -> ((DhcpOption.LeaseTime) x).seconds()).orElse(DhcpOption.INFINITE);
        if (lease == DhcpOption.INFINITE) {
            return new long[] {lease, lease, lease};
        }
        // A T1 or T2 of 0 is taken as not given: renewing at once, and again at each DHCPACK, would send DHCPREQUESTs as
        // fast as the server answers them.
        long t1 = o.option(DhcpOption.RENEWAL_TIME).map(x -> ((DhcpOption.RenewalTime) x).seconds()).filter(s -> s > 0)
                .orElse(lease / 2);
        long t2 = o.option(DhcpOption.REBINDING_TIME).map(x -> ((DhcpOption.RebindingTime) x).seconds()).filter(s -> s > 0)
                .orElse(lease * 7 / 8);
        if (t2 > lease) {
            t2 = lease * 7 / 8;
        }
        if (t1 > t2) {
            t1 = Math.min(lease / 2, t2);
        }
        // Nor sooner than a second into the lease (half of a one-second lease is 0 s): such a lease ends unrenewed.
        t1 = Math.max(t1, Math.min(1, lease));
        t2 = Math.max(t2, t1);
        return new long[] {lease, t1, t2};
    }

    /** Returns {@code nanos} as seconds with one decimal, for messages. */
    static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e9);
    }
}
