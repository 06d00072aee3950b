package dev.netboot.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.bootp.BootTarget;
import dev.netboot.wire.Ipv4Address;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The offer book on its own: the offer window (RFC 2131 4.4.1 leaves how long to collect offers to the client; the
 * profile's offer wait from the first offer with an address) and which other servers count for README's "Another
 * server's offer": a server that offered an address, not the chosen one, not one given up before. A ProxyDHCP offer
 * gives no address (PXE 2.1), so it is no alternative and opens no window.
 */
class OfferBookTest {
    private static final Ipv4Address A = Ipv4Address.parse("192.0.2.1");
    private static final Ipv4Address B = Ipv4Address.parse("192.0.2.2");
    private static final Ipv4Address C = Ipv4Address.parse("192.0.2.3");
    private static final long WAIT = DhcpConfig.DEFAULTS.offerWait();

    private static Offer offer(Offer.Kind kind, Ipv4Address server) {
        return new Offer(kind, null, server, BootTarget.NONE, 0);
    }

    @Test
    void theFirstOfferWithAnAddressOpensTheWindowForTheOfferWait() {
        OfferBook book = new OfferBook(DhcpConfig.DEFAULTS);
        assertEquals(Long.MAX_VALUE, book.decideAt(offer(Offer.Kind.PROXY, A), 1_000, Long.MAX_VALUE));
        assertEquals(1_000 + WAIT, book.decideAt(offer(Offer.Kind.ADDRESS, A), 1_000, Long.MAX_VALUE));
        assertEquals(1_000 + WAIT, book.decideAt(offer(Offer.Kind.BOOTP, B), 1_000, Long.MAX_VALUE));
        // A later offer does not move a window already open.
        assertEquals(1_000 + WAIT, book.decideAt(offer(Offer.Kind.ADDRESS, B), 2_000, 1_000 + WAIT));
    }

    @Test
    void onlyAnotherServerOfferingAnAddressIsAnAlternative() {
        OfferBook book = new OfferBook(DhcpConfig.DEFAULTS);
        book.chose(offer(Offer.Kind.ADDRESS, A), List.of(offer(Offer.Kind.ADDRESS, A), offer(Offer.Kind.PROXY, B)));
        assertFalse(book.alternativeSeen()); // the chosen server itself, and a ProxyDHCP server
        book.note(offer(Offer.Kind.ADDRESS, A), A);
        assertFalse(book.alternativeSeen());
        book.note(offer(Offer.Kind.ADDRESS, B), A); // a late offer from another server
        assertTrue(book.alternativeSeen());
    }

    @Test
    void aServerGivenUpIsNoAlternativeAndANewChoiceForgetsTheOldOnes() {
        OfferBook book = new OfferBook(DhcpConfig.DEFAULTS);
        book.chose(offer(Offer.Kind.ADDRESS, A), List.of(offer(Offer.Kind.ADDRESS, A), offer(Offer.Kind.ADDRESS, B)));
        assertTrue(book.alternativeSeen());
        book.exclude(A); // A's lease named a boot that could not start: ask again without it
        assertFalse(book.alternativeSeen());
        book.chose(offer(Offer.Kind.ADDRESS, B), List.of(offer(Offer.Kind.ADDRESS, B), offer(Offer.Kind.ADDRESS, A)));
        assertFalse(book.alternativeSeen()); // A offers again, but was given up
        book.note(offer(Offer.Kind.BOOTP, C), B);
        assertTrue(book.alternativeSeen());
    }
}
