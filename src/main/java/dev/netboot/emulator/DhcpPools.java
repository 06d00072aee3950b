package dev.netboot.emulator;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The address pools of a {@link DhcpServer}: one for the server's own subnet, with its static addresses, and one for
 * each subnet behind a relay agent ({@link BootpServerConfig#relayedSubnets()}), each with the netmask and router its
 * clients are told; which of them serves a request (RFC 2131 section 4.3.1: the subnet of giaddr when relayed); and the
 * requests a pool left unanswered because it had no address left, with the clients so refused until an offer reaches
 * them; and whether a renewing client's lease may be extended. The server answers and counts its messages; the
 * addresses themselves are each {@link AddressPool}'s.
 */
final class DhcpPools {
    /** A pool with the mask and router of its subnet. */
    record Subnet(AddressPool pool, Ipv4Address netmask, Ipv4Address router) {
    }

    private final BootpServerConfig config;
    private final Subnet main;
    private final Map<Ipv4Address, Subnet> relayed = new LinkedHashMap<>();
    // Requests for an address left unanswered because the pool had none left (ISC dhcpd logs "no free leases",
    // dnsmasq "no address available"), and the clients whose last such request was: they have had no offer since.
    private long exhausted;
    private final Set<MacAddress> unserved = new LinkedHashSet<>(); // the one refused longest ago first
    private int remembered = Integer.MAX_VALUE; // how many clients unserved and strangers hold at most (bound)
    // Clients whose last request came through a relay agent from a subnet no pool serves, and that agent's giaddr
    // (dnsmasq logs "no address range available for DHCP request via" it): no offer has reached them since.
    private final Map<MacAddress, Ipv4Address> strangers = new LinkedHashMap<>();

    /** The pools {@code config} describes, every address free. */
    DhcpPools(BootpServerConfig config) {
        this.config = config;
        this.main = new Subnet(new AddressPool(config.poolFirst(), config.poolLast(), config.staticAddresses()), config.netmask(),
                config.router());
        for (BootpServerConfig.Subnet s : config.relayedSubnets()) {
            relayed.put(s.poolFirst(), new Subnet(new AddressPool(s.poolFirst(), s.poolLast(), Map.of()), s.netmask(), s.router()));
        }
    }

    /**
     * Bounds what the pools keep under a flood from random MACs (a server on a real LAN, {@code netboot serve}): the
     * clients refused ({@link #refused}, {@link #unknownRelay}) are the last {@code clients} refused, and every pool
     * forgets lapsed bindings and lets offers yield ({@link AddressPool#yieldOffers}).
     */
    void bound(int clients) {
        if (clients < 1) {
            throw new IllegalArgumentException("clients " + clients + " (expected: at least 1)");
        }
        remembered = clients;
        main.pool().yieldOffers();
        for (Subnet s : relayed.values()) {
            s.pool().yieldOffers();
        }
    }

    /** Returns the server's own subnet. */
    Subnet main() {
        return main;
    }

    /**
     * Returns the subnet serving a request: the one of its giaddr when relayed, else the one of its ciaddr (a client
     * renewing from behind a relay unicasts straight to us), else ours; null when the server knows no such subnet.
     */
    Subnet subnetFor(Ipv4Address where) {
        if (where.isAny() || where.sameSubnet(config.serverIp(), config.netmask())) {
            return main;
        }
        BootpServerConfig.Subnet s = config.relayedSubnetOf(where);
        return s == null ? null : relayed.get(s.poolFirst());
    }

    /** Returns the addresses of the main pool (the server's own subnet), first to last. */
    int size() {
        return config.poolLast().value() - config.poolFirst().value() + 1;
    }

    /** A request from {@code chaddr} for an address found none left in the pool: counted, and its client noted. */
    void noAddress(MacAddress chaddr) {
        exhausted++;
        unserved.remove(chaddr); // refused again: the last refused now
        unserved.add(chaddr);
        if (unserved.size() > remembered) {
            unserved.remove(unserved.iterator().next());
        }
    }

    /** A request from {@code chaddr} came through the relay agent {@code giaddr}, whose subnet no pool serves. */
    void noSubnet(MacAddress chaddr, Ipv4Address giaddr) {
        strangers.remove(chaddr);
        strangers.put(chaddr, giaddr);
        if (strangers.size() > remembered) {
            strangers.remove(strangers.keySet().iterator().next());
        }
    }

    /** An address goes to {@code chaddr}: it is no longer refused for the pool, nor a stranger. */
    void offered(MacAddress chaddr) {
        unserved.remove(chaddr);
        strangers.remove(chaddr);
    }

    /** Returns the relay agent of client {@code chaddr}'s last request when no pool serves its subnet, else null. */
    Ipv4Address unknownRelay(MacAddress chaddr) {
        return strangers.get(chaddr);
    }

    /** Returns the requests left unanswered because the pool had no address left for them. */
    long exhausted() {
        return exhausted;
    }

    /** Returns whether the last request of client {@code chaddr} found the pool exhausted (and no offer went to it since). */
    boolean refused(MacAddress chaddr) {
        return unserved.contains(chaddr);
    }

    /**
     * Whether a renewing (unicast to us) or rebinding (broadcast) client's {@code ciaddr} may be extended: its lease
     * here, or, when this server no longer holds that lease (it ran out while the client was away, or {@code serve}
     * was restarted and forgot it), an address nobody else has that is the client's here or, for a client that
     * unicast its renewal to this server, in the pool (RFC 2131 4.3.2: the server "should return a DHCPACK message
     * regardless"; Kea and ISC dhcpd extend such a lease too). A rebinding broadcast from a client this server has
     * no record of is left to the server that leased to it (section 4.3.2's "peaceful coexistence").
     */
    static boolean mayRenew(long now, AddressPool.Client client, Ipv4Address a, AddressPool pool, boolean unicastToUs) {
        if (pool.leases(client, a, now)) {
            return true;
        }
        AddressPool.Binding b = pool.binding(client);
        boolean known = b != null && b.committed() && b.address().equals(a);
        return (known || unicastToUs) && pool.mayGo(client, a, now);
    }
}
