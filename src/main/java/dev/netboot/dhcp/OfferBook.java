package dev.netboot.dhcp;

import dev.netboot.bootp.BootpException;
import dev.netboot.bootp.BootpLease;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MalformedPacketException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The offers of an {@link Acquisition} and the servers behind them (RFC 2131 section 4.4.1, SELECTING): which offers
 * are weighed, when the offer window opens, and which other servers offered an address besides the one chosen, in
 * the offer window or late. With those, a board whose chosen lease names a boot that cannot start asks again
 * without that server (README, "Another server's offer"); a server so given up is offered nothing more by this
 * acquisition.
 */
final class OfferBook {
    private final DhcpConfig config;
    private final Set<Ipv4Address> excluded = new HashSet<>(); // servers whose lease led to a boot that could not start
    private final Set<Ipv4Address> others = new HashSet<>();   // other servers that offered an address this time

    OfferBook(DhcpConfig config) {
        this.config = config;
    }

    /**
     * Returns why offer {@code o} (reply {@code m} from {@code src}) is not weighed, or null when it is: its server
     * was given up, or it is a BOOTP reply and the profile asks for DHCP only.
     *
     * @throws BootpException           when the lease it offers could never be used (address, mask)
     * @throws MalformedPacketException when an option that lease needs is malformed
     */
    String refusal(Offer o, BootpMessage m, Ipv4Address src) {
        if (o.givesAddress() && excluded.contains(o.server())) {
            return Offer.describe(m) + " from " + o.server() + ", whose lease named a boot that could not start";
        }
        if (o.kind() == Offer.Kind.BOOTP && config.protocol() == DhcpConfig.Protocol.DHCP) {
            return "a BOOTP reply from " + src + " (protocol = dhcp)";
        }
        if (o.kind() == Offer.Kind.BOOTP) {
            BootpLease.read(m, src, Ipv4Address.ANY, "BOOTP"); // checks address and mask now, not after the window
        } else if (o.kind() == Offer.Kind.ADDRESS) {
            // An offer whose lease could never be used (a non-contiguous mask) is no offer: a rogue server answering
            // first with one must not win over the server that answers right.
            BootpLease.read(m, src, o.server(), "DHCP");
        }
        return null;
    }

    /**
     * Returns when the offer window closes, {@code decideAt} until {@code o} came at {@code now}: the first offer
     * with an address opens it for the profile's offer wait.
     */
    long decideAt(Offer o, long now, long decideAt) {
        return o.givesAddress() && decideAt == Long.MAX_VALUE ? now + config.offerWait() : decideAt;
    }

    /** The choice fell on {@code best} among {@code offers}: keeps in mind the other servers that offered an address. */
    void chose(Offer best, List<Offer> offers) {
        others.clear();
        for (Offer o : offers) {
            note(o, best.server());
        }
    }

    /** Keeps in mind that {@code o}'s server, when it is not {@code chosen} nor excluded, offered an address too. */
    void note(Offer o, Ipv4Address chosen) {
        if (o.givesAddress() && !o.server().equals(chosen) && !excluded.contains(o.server())) {
            others.add(o.server());
        }
    }

    /** Returns true when a server other than the one whose lease was taken offered an address in the same exchange. */
    boolean alternativeSeen() {
        return !others.isEmpty();
    }

    /** Takes no offer from {@code server} any more (nor from a server excluded before); a new exchange begins. */
    void exclude(Ipv4Address server) {
        excluded.add(server);
        others.clear();
    }
}
