package dev.netboot.device;

import dev.netboot.dhcp.Lease;
import dev.netboot.tftp.TftpFailure;
import dev.netboot.wire.TftpWire;

/**
 * The board's fallback to another server's offer (README, "Another server's offer"): when the boot a DHCP lease
 * names cannot start (the TFTP server answers the first request with ERROR 1 or 2, or never answers, or the
 * server's next hop does not answer ARP, before a single block came) and another DHCP server offered an address in
 * the same exchange, the board gives that lease up and asks again without its server, at most
 * {@link #MAX_FALLBACKS} times a boot; when no other server offered yet, it waits for one until {@link #LATE_OFFERS}
 * after the lease was bound. A BOOTP binding is never given up this way: BOOTP servers keep no leases to
 * choose among. This class holds the rule; the {@link BootSequence} asks again.
 */
final class ServerFallback {
    /** Leases given up at most per boot because the boot they named could not start. */
    static final int MAX_FALLBACKS = 2;

    /**
     * How long after its lease was bound a board whose boot could not start, with no other server's offer yet, waits for
     * one: a slower server offers late, after pinging the address it offers (ISC dhcpd 1 s, dnsmasq 3 s), and a boot
     * that fails at once (ERROR 1 a few milliseconds after the lease) came before it.
     */
    static final long LATE_OFFERS = 5_000_000_000L;

    private int fallbacks; // leases given up because the boot they named could not start

    /**
     * Returns whether a transfer that failed with {@code f} after {@code blocks} blocks means that the boot could not
     * start: no block came, and the server had no such file or refused it, or never answered or could not be reached.
     */
    static boolean couldNotStart(TftpFailure f, long blocks) {
        return blocks == 0 && switch (f.kind()) {
            case SERVER_ERROR -> f.errorCode() == TftpWire.ERR_FILE_NOT_FOUND || f.errorCode() == TftpWire.ERR_ACCESS;
            case TIMEOUT, UNREACHABLE -> true;
            case LOCAL, PROTOCOL -> false;
        };
    }

    /** Returns whether a lease from {@code source} could still be given up, once another server offers. */
    boolean mayWait(Lease.Source source) {
        return fallbacks < MAX_FALLBACKS && source == Lease.Source.DHCP;
    }

    /**
     * Returns whether the lease from {@code source} may be given up for another server's offer ({@code
     * alternativeSeen}: another DHCP server offered in the same exchange), counting it when so.
     */
    boolean giveUp(Lease.Source source, boolean alternativeSeen) {
        if (fallbacks >= MAX_FALLBACKS || source != Lease.Source.DHCP || !alternativeSeen) {
            return false;
        }
        fallbacks++;
        return true;
    }
}
