package dev.netboot.dhcp;

import java.util.List;

/**
 * Where an {@link Acquisition} is: the INIT, SELECTING and REQUESTING states of RFC 2131 figure 5 (section 4.4.1), and
 * what follows a DHCPACK before the lease is the board's: the ARP probe (RFC 5227), the DHCPDECLINE of a conflict, the
 * question to a ProxyDHCP server (PXE 2.1).
 */
sealed interface AcquisitionState {
    /** Not started. */
    record Idle() implements AcquisitionState {
    }

    /**
     * DHCPDISCOVER sent; collecting offers.
     *
     * @param xid      transaction ID of this discovery
     * @param secs     the 'secs' of the last DHCPDISCOVER sent, which the DHCPREQUEST repeats
     * @param sent     DHCPDISCOVERs sent for it
     * @param retryAt  when the next one is due
     * @param decideAt when the offer window closes (MAX until an offer with an address came)
     * @param offers   the offers so far, in order of arrival
     */
    record Selecting(int xid, int secs, int sent, long retryAt, long decideAt, List<Offer> offers) implements AcquisitionState {
        public Selecting {
            offers = List.copyOf(offers);
        }
    }

    /**
     * DHCPREQUEST sent for {@code chosen}.
     *
     * @param secs     the DHCPDISCOVER's 'secs', repeated: "the DHCPREQUEST message MUST use the same value in the DHCP
     *                 message header's 'secs' field" (RFC 2131 section 3.1), so relays forward it as they did the discover
     * @param proxy    a ProxyDHCP offer seen for this xid, or null
     * @param firstAt  when the first request went: the lease counts from there (RFC 2131 section 4.4.1)
     */
    record Requesting(int xid, int secs, Offer chosen, Offer proxy, int sent, long retryAt, long firstAt) implements AcquisitionState {
    }

    /** ARP-probing the address of {@code lease} (RFC 5227). */
    record Probing(int xid, Lease lease, Offer proxy, long leaseStart) implements AcquisitionState {
    }

    /** Asking the ProxyDHCP server for the boot file on port 4011 ({@link ProxyBoot}). */
    record Proxying(int xid, long leaseStart) implements AcquisitionState {
    }

    /** Declined a conflicting address; discovery starts again at {@code restartAt}. */
    record Declined(long restartAt) implements AcquisitionState {
    }

    /** The lease is ours and its address in use; it counts from {@code leaseStart}. */
    record Done(Lease lease, long leaseStart) implements AcquisitionState {
    }

    /** No usable lease within the budget, or a lease the board cannot boot with. */
    record Failed(String reason) implements AcquisitionState {
    }
}
