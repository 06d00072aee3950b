package dev.netboot.emulator;

import java.util.Locale;
import java.util.Objects;

/**
 * How the scenario's server host hands out addresses: which protocols it answers, the lease it gives, and the
 * misbehaviours a test may ask of it. Times are nanoseconds except the lease times, which are seconds as on the wire.
 *
 * @param answers           DHCP only (udhcpd, kea without its BOOTP hook), BOOTP only (an RFC 951 server), or both
 *                          (ISC dhcpd with {@code allow bootp})
 * @param leaseSeconds      option 51
 * @param renewalSeconds    option 58 (T1), or -1 for half the lease
 * @param rebindingSeconds  option 59 (T2), or -1 for 0.875 of the lease
 * @param offerDelay        the server waits this long before a DHCPOFFER: a slow server
 * @param maxMessage        the largest reply the server sends, as an IP datagram (options overflow into file and sname
 *                          beyond it, RFC 2131 4.1), or 0 to follow the client's option 57 (576 without one), which the
 *                          server reads the way ISC dhcpd does: IP and UDP headers included
 * @param tftpServersOption also name the boot server in option 150 (RFC 5859), as Cisco-style gear does
 * @param renewals          what the server does with a DHCPREQUEST that renews or rebinds: answer, ignore (a server
 *                          gone), answer only the broadcast of a rebinding client, or refuse with DHCPNAK
 */
public record DhcpSettings(Answers answers, long leaseSeconds, long renewalSeconds, long rebindingSeconds, long offerDelay,
                           int maxMessage, boolean tftpServersOption, Renewals renewals) {
    /** DHCP only, an hour, T1/T2 by default, no delay, the client's message size, no option 150, renewals answered. */
    public static final DhcpSettings DEFAULTS = new DhcpSettings(Answers.DHCP, 3600, -1, -1, 0, 0, false, Renewals.ANSWER);

    /** Which protocols the server answers. */
    public enum Answers {
        /** DHCP only: requests without option 53 are ignored. */
        DHCP,
        /** BOOTP only (RFC 951): every request gets a BOOTREPLY, DHCP options or not. */
        BOOTP,
        /** Both: DHCP with option 53, BOOTP without (the address is then the client's for ever). */
        BOTH;

        /** Returns true when BOOTP requests are answered. */
        public boolean bootp() {
            return this != DHCP;
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What happens to a renewal. */
    public enum Renewals {
        /** Extended: DHCPACK. */
        ANSWER,
        /** Not answered: the server is gone, the lease runs out. */
        IGNORE,
        /** Only broadcast (REBINDING) requests are answered: the unicast path to the server is broken. */
        REBIND,
        /** Refused: DHCPNAK. */
        NAK
    }

    /** Checks ranges. */
    public DhcpSettings {
        Objects.requireNonNull(answers);
        Objects.requireNonNull(renewals);
        if (leaseSeconds < 1 || leaseSeconds > 0xFFFF_FFFFL || renewalSeconds < -1 || rebindingSeconds < -1
                || (renewalSeconds >= 0 && rebindingSeconds >= 0 && renewalSeconds > rebindingSeconds)
                || renewalSeconds > leaseSeconds || rebindingSeconds > leaseSeconds || offerDelay < 0
                || (maxMessage != 0 && (maxMessage < 576 || maxMessage > 1500))) {
            throw new IllegalArgumentException("DHCP server: lease " + leaseSeconds + " s, T1 " + renewalSeconds + " s, T2 "
                    + rebindingSeconds + " s, offer delay " + offerDelay + " ns, max message " + maxMessage
                    + " (expected: 1 <= T1 <= T2 <= lease, delay >= 0, max message 0 or 576..1500)");
        }
    }

    /** Returns T1 in seconds: the setting, or half the lease. */
    public long t1() {
        return renewalSeconds >= 0 ? renewalSeconds : leaseSeconds / 2;
    }

    /** Returns T2 in seconds: the setting, or 0.875 of the lease. */
    public long t2() {
        return rebindingSeconds >= 0 ? rebindingSeconds : leaseSeconds * 7 / 8;
    }

    /** Returns these settings answering {@code a}. */
    public DhcpSettings withAnswers(Answers a) {
        return new DhcpSettings(a, leaseSeconds, renewalSeconds, rebindingSeconds, offerDelay, maxMessage, tftpServersOption, renewals);
    }

    /** Returns these settings with a lease of {@code seconds} and default T1/T2. */
    public DhcpSettings withLease(long seconds) {
        return new DhcpSettings(answers, seconds, -1, -1, offerDelay, maxMessage, tftpServersOption, renewals);
    }

    /** Returns these settings offering after {@code nanos}. */
    public DhcpSettings withOfferDelay(long nanos) {
        return new DhcpSettings(answers, leaseSeconds, renewalSeconds, rebindingSeconds, nanos, maxMessage, tftpServersOption, renewals);
    }

    /** Returns these settings treating renewals as {@code r}. */
    public DhcpSettings withRenewals(Renewals r) {
        return new DhcpSettings(answers, leaseSeconds, renewalSeconds, rebindingSeconds, offerDelay, maxMessage, tftpServersOption, r);
    }
}
