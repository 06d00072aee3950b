package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A pool and its server's record of refused clients under a flood of DHCPDISCOVERs from MACs made up, as {@code netboot
 * serve} runs them ({@link DhcpPools#bound}, {@link AddressPool#yieldOffers}): the record stays bounded by the pool's
 * addresses and the bound, and a client that asks during the flood gets an address (RFC 2131 section 3.1: "Servers need
 * not reserve the offered network address"). The emulator's pools, unbounded, hold offers as before.
 */
class AddressPoolFloodTest {
    static final Ipv4Address FIRST = Ipv4Address.parse("192.0.2.42");
    static final Ipv4Address LAST = Ipv4Address.parse("192.0.2.45"); // four addresses
    static final long S = 1_000_000_000L;

    static AddressPool.Client client(long i) {
        return new AddressPool.Client(null, new MacAddress(0x02_66_00_00_00_00L + i));
    }

    static AddressPool.Client withId(long i) {
        MacAddress mac = new MacAddress(0x02_66_00_00_00_00L + i);
        return new AddressPool.Client(DhcpOption.ClientId.of(mac), mac);
    }

    static AddressPool pool(boolean yielding) {
        AddressPool p = new AddressPool(FIRST, LAST, Map.of());
        if (yielding) {
            p.yieldOffers();
        }
        return p;
    }

    @Test
    void aFloodOfDiscoversKeepsAtMostABindingAnAddressAndEveryOneIsOffered() {
        AddressPool p = pool(true);
        for (int i = 0; i < 100_000; i++) {
            // Every DHCPDISCOVER gets an offer: the four free addresses first, lowest first, then the one offered longest ago.
            Ipv4Address a = p.offer(i % 2 == 0 ? client(i) : withId(i), null, i * 1000L);
            assertEquals(new Ipv4Address(FIRST.value() + i % 4), a, "offer " + i);
        }
        assertEquals(4, p.bindings(), "one offer an address, the newest");
        assertEquals(2, p.identifiedAt(), "the identifiers of the two of them that sent one");
    }

    @Test
    void aClientAskingDuringTheFloodLeasesTheAddressOfferedToItThoughTheFloodWasOfferedItSince() {
        AddressPool p = pool(true);
        long now = S;
        for (int i = 0; i < 4; i++) {
            p.offer(client(i), null, now);
        }
        AddressPool.Client board = new AddressPool.Client(null, MacAddress.parse("02:53:56:00:00:01"));
        Ipv4Address offered = p.offer(board, null, now);
        assertEquals(FIRST, offered, "the address offered longest ago");
        for (int i = 4; i < 40; i++) {
            p.offer(client(i), null, now + i); // the flood goes on: the board's offer is taken for another
        }
        assertTrue(p.commit(board, offered, now + S, now + 3600 * S), "the first to ask has it (RFC 2131 section 3.1)");
        assertTrue(p.leases(board, offered, now + S));
        for (int i = 40; i < 80; i++) {
            assertFalse(offered.equals(p.offer(client(i), null, now + S + i)), "a lease is never offered to another");
        }
        assertFalse(p.commit(client(39), FIRST, now + 2 * S, now + 3600 * S), "nor leased to another");
    }

    @Test
    void leasesAreNotTakenAndWithEveryAddressLeasedNoneIsOffered() {
        AddressPool p = pool(true);
        for (int i = 0; i < 4; i++) {
            Ipv4Address a = p.offer(client(i), null, 0);
            assertTrue(p.commit(client(i), a, 1, 3600 * S));
        }
        for (int i = 4; i < 1000; i++) {
            assertNull(p.offer(client(i), null, 2), "client " + i);
        }
        assertEquals(4, p.bindings());
    }

    @Test
    void bindingsThatRanOutAreForgottenOnceTheirAddressGoesToAnother() {
        AddressPool p = pool(true);
        for (int i = 0; i < 10_000; i++) {
            long now = i * AddressPool.OFFER_HOLD; // each offer has run out when the next comes
            Ipv4Address a = p.offer(client(i), null, now);
            assertEquals(FIRST, a);
            assertTrue(p.commit(client(i), a, now + 1, now + 2));
        }
        assertEquals(1, p.bindings());
    }

    @Test
    void theEmulatorsPoolHoldsEveryOfferForItsTimeAsBefore() {
        AddressPool p = pool(false);
        for (int i = 0; i < 4; i++) {
            assertEquals(new Ipv4Address(FIRST.value() + i), p.offer(client(i), null, 0));
        }
        assertNull(p.offer(client(4), null, 1), "every address held by an offer for " + AddressPool.OFFER_HOLD + " ns");
        assertFalse(p.commit(client(5), FIRST, 2, 3600 * S), "an address offered to another is not leased");
        assertEquals(FIRST, p.offer(client(4), null, AddressPool.OFFER_HOLD), "the offer ran out");
    }

    @Test
    void theServerRemembersTheLastClientsItRefusedUpToItsBound() {
        BootpServerConfig config = new BootpServerConfig(Ipv4Address.parse("192.0.2.1"), Map.of(), FIRST, LAST,
                Ipv4Address.parse("255.255.255.0"), Ipv4Address.parse("192.0.2.1"), List.of(), Map.of(), "boot.img",
                Ipv4Address.parse("192.0.2.1"), BootpServerConfig.Announce.BOTH);
        DhcpPools pools = new DhcpPools(config);
        pools.bound(100);
        for (int i = 0; i < 5000; i++) {
            pools.noAddress(client(i).chaddr());
            pools.noSubnet(client(i).chaddr(), Ipv4Address.parse("198.51.100.1"));
        }
        pools.noAddress(client(4000).chaddr()); // refused again: among the last now
        assertEquals(5001, pools.exhausted(), "every request counted");
        assertFalse(pools.refused(client(0).chaddr()));
        assertFalse(pools.refused(client(4900).chaddr()), "the 101st refused last");
        assertTrue(pools.refused(client(4901).chaddr()));
        assertTrue(pools.refused(client(4999).chaddr()));
        assertTrue(pools.refused(client(4000).chaddr()));
        assertNull(pools.unknownRelay(client(4899).chaddr()));
        assertEquals(Ipv4Address.parse("198.51.100.1"), pools.unknownRelay(client(4900).chaddr()));
    }
}
