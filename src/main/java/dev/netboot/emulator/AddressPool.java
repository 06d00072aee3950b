package dev.netboot.emulator;

import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The addresses one DHCP server hands out on one subnet: offers held for a while, leases until they end, static
 * addresses, and addresses a client declined as in use (RFC 2131 section 4.3.3), kept out of offers for a while.
 * Addresses go lowest-first, so a run is reproducible. Times are virtual nanoseconds.
 *
 * <p>Offers and leases belong to a client as RFC 2131 section 4.2 says: "If the client supplies a 'client
 * identifier', ... the server MUST use that identifier to identify the client. If the client does not provide a
 * 'client identifier' option, the server MUST use the contents of the 'chaddr' field". So two clients with different
 * identifiers behind one hardware address (two systems started in turn on one NIC, each with an identifier of its
 * own) are two clients. Where one side has no identifier the hardware address decides, as dnsmasq does: a PXE
 * ROM that sends none, then the iPXE or the system it loads that sends one, are one machine and keep one address,
 * which then belongs to the identifier. Static addresses belong to a hardware address, as dnsmasq's
 * {@code dhcp-host} and ISC dhcpd's {@code hardware ethernet} do.
 *
 * <p>A pool on a real LAN ({@link #yieldOffers}, {@code netboot serve}) holds a bounded record under a flood from
 * random MACs: an offer or lease that ran out is forgotten once its address goes to another client (as ISC dhcpd keeps
 * one lease per address), and an offer holds its address only while the pool has free ones: RFC 2131 section 3.1
 * ("Servers need not reserve the offered network address"). With none free, a DHCPDISCOVER is offered the address
 * offered longest ago (that offer is forgotten), and a DHCPREQUEST may lease an address offered to another client (the
 * first to ask has it, as with dnsmasq and Kea, which keep no record of an offer): a flood of DHCPDISCOVERs can then no
 * longer hold every address away from a client that asks for one.
 */
final class AddressPool {
    /** How long an offered address is held for the client it was offered to. */
    static final long OFFER_HOLD = 60_000_000_000L;
    /** How long a declined address stays out of offers (dnsmasq: 10 minutes). */
    static final long DECLINE_HOLD = 600_000_000_000L;

    /**
     * One client's address.
     *
     * @param chaddr    the hardware address the client last asked from
     * @param address   the address
     * @param expiresAt when the offer or lease ends
     * @param committed true once a DHCPACK gave it (a lease), false while only offered
     */
    record Binding(MacAddress chaddr, Ipv4Address address, long expiresAt, boolean committed) {
    }

    /**
     * A client as a request shows it.
     *
     * @param id     its client identifier (option 61), or null when it sent none
     * @param chaddr its hardware address
     */
    record Client(DhcpOption.ClientId id, MacAddress chaddr) {
        /** Returns the client that sent {@code req}. */
        static Client of(BootpMessage req) {
            return new Client(req.options().option(DhcpOption.CLIENT_ID).orElse(null) instanceof DhcpOption.ClientId c ? c : null,
                    req.chaddr());
        }
    }

    private final Ipv4Address first;
    private final Ipv4Address last;
    private final Map<MacAddress, Ipv4Address> statics;
    // Bindings by the client's key: its identifier (a ClientId), or its hardware address (a MacAddress) without one.
    private final Map<Object, Binding> bindings = new LinkedHashMap<>();
    // The identifier of the binding made last from each hardware address, for a client that sends none.
    private final Map<MacAddress, DhcpOption.ClientId> idAt = new HashMap<>();
    private final Map<Ipv4Address, Long> declined = new HashMap<>();
    // Who holds each address (keys of bindings by address) and whose static it is: a pool of thousands answers in O(1).
    private final Map<Ipv4Address, List<Object>> holders = new HashMap<>();
    private final Map<Ipv4Address, List<MacAddress>> staticOwners = new HashMap<>();
    private boolean yielding; // yieldOffers
    // With yielding: the addresses held by an offer (no lease), and whose, the one offered longest ago first. May hold
    // entries no longer true (the offer became a lease, ran out or was withdrawn): passed over and dropped when met.
    private final LinkedHashMap<Ipv4Address, Object> offered = new LinkedHashMap<>();

    /** A pool of {@code first..last} (both {@link Ipv4Address#ANY}: statics only). */
    AddressPool(Ipv4Address first, Ipv4Address last, Map<MacAddress, Ipv4Address> statics) {
        this.first = first;
        this.last = last;
        this.statics = Map.copyOf(statics);
        for (Map.Entry<MacAddress, Ipv4Address> e : this.statics.entrySet()) {
            staticOwners.computeIfAbsent(e.getValue(), k -> new ArrayList<>(1)).add(e.getKey());
        }
    }

    /**
     * Makes this pool a real LAN's (see the class comment): expired bindings forgotten once their address goes to
     * another client, and offers yielding their address when the pool has no free one.
     */
    void yieldOffers() {
        yielding = true;
    }

    /**
     * Returns the key of {@code client}'s binding: its identifier's; else, by its hardware address, one made without
     * an identifier, or (when it sends none itself) one made with an identifier; else the key a new binding gets.
     */
    private Object key(Client client) {
        DhcpOption.ClientId id = client.id();
        if (id != null && bindings.containsKey(id)) {
            return id;
        }
        if (bindings.containsKey(client.chaddr())) {
            return client.chaddr();
        }
        DhcpOption.ClientId other = id == null ? idAt.get(client.chaddr()) : null;
        if (other != null && bindings.containsKey(other)) {
            return other;
        }
        return id != null ? id : client.chaddr();
    }

    private void bind(Client client, Binding b, long now) {
        Object key = key(client);
        if (client.id() != null && !key.equals(client.id())) {
            unbind(key); // a binding made without an identifier now belongs to it
            key = client.id();
        }
        Binding old = bindings.put(key, b);
        if (old != null && !old.address().equals(b.address())) {
            unhold(old.address(), key);
        }
        if (old == null || !old.address().equals(b.address())) {
            holders.computeIfAbsent(b.address(), k -> new ArrayList<>(1)).add(key);
        }
        if (key instanceof DhcpOption.ClientId id) {
            if (old != null && !old.chaddr().equals(b.chaddr())) {
                idAt.remove(old.chaddr(), id); // the identifier moved to another NIC
            }
            idAt.put(b.chaddr(), id);
        }
        if (yielding) {
            // Whoever else held the address on a binding that ran out, or on an offer it now yields, no longer does.
            for (Object k : List.copyOf(holders.getOrDefault(b.address(), List.of()))) {
                Binding other = bindings.get(k);
                if (!k.equals(key) && (now >= other.expiresAt() || !other.committed())) {
                    unbind(k);
                }
            }
            offered.remove(b.address());
            if (!b.committed()) {
                offered.put(b.address(), key);
            }
        }
    }

    private void unbind(Object key) {
        Binding old = bindings.remove(key);
        if (old != null) {
            unhold(old.address(), key);
            if (key instanceof DhcpOption.ClientId) {
                idAt.remove(old.chaddr(), key);
            }
        }
    }

    private void unhold(Ipv4Address a, Object key) {
        List<Object> l = holders.get(a);
        if (l != null) {
            l.remove(key);
            if (l.isEmpty()) {
                holders.remove(a);
            }
        }
    }

    /** Returns {@code client}'s binding, or null. */
    Binding binding(Client client) {
        return bindings.get(key(client));
    }

    /** Returns the binding made last for a client asking from hardware address {@code mac}, or null. */
    Binding bindingAt(MacAddress mac) {
        Binding found = null;
        for (Binding b : bindings.values()) {
            if (b.chaddr().equals(mac)) {
                found = b;
            }
        }
        return found;
    }

    /**
     * Offers {@code client} an address: the one of its lease while that runs (RFC 2131 4.3.1: "the client's current
     * address as recorded in the client's current binding" comes first; an offer of another would end a lease the
     * client may still use, and free its address for others), else the static one of its hardware address, its
     * previous one, the one it asks for ({@code requested}, option 50, or null) when that is a free pool address
     * ("the address requested in the 'Requested IP Address' option, if that address is valid and not already
     * allocated"), or the lowest free one; holds it for {@link #OFFER_HOLD}. Returns null when none is left.
     */
    Ipv4Address offer(Client client, Ipv4Address requested, long now) {
        Object key = key(client);
        Binding b = bindings.get(key);
        Ipv4Address fixed = statics.get(client.chaddr());
        boolean current = b != null && usable(b.address(), key, client.chaddr(), now);
        boolean running = current && b.committed() && now < b.expiresAt();
        boolean asked = requested != null && inPool(requested) && usable(requested, key, client.chaddr(), now);
        Ipv4Address a = running ? b.address() : fixed != null ? fixed : current ? b.address() : asked ? requested
                : lowestFree(key, client.chaddr(), now);
        if (a == null && yielding) {
            a = offeredLongestAgo(key, client.chaddr(), now);
        }
        if (a == null) {
            return null;
        }
        boolean leased = b != null && b.committed() && b.address().equals(a);
        bind(client, new Binding(client.chaddr(), a, leased ? b.expiresAt() : now + OFFER_HOLD, leased), now);
        return a;
    }

    /** Returns the pool address offered longest ago to a client other than {@code key}'s and held by that offer only, or null. */
    private Ipv4Address offeredLongestAgo(Object key, MacAddress chaddr, long now) {
        for (var it = offered.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Ipv4Address, Object> e = it.next();
            Binding b = bindings.get(e.getValue());
            if (b == null || b.committed() || !b.address().equals(e.getKey()) || now >= b.expiresAt()) {
                it.remove(); // no longer an offer: a lease now, ran out, or withdrawn
            } else if (!e.getValue().equals(key) && inPool(e.getKey()) && usable(e.getKey(), key, chaddr, now, false)) {
                return e.getKey();
            }
        }
        return null;
    }

    /**
     * Gives {@code client} the lease of {@code a} until {@code until} when it may have it: its static address, the
     * address of its offer or lease while that runs, or a pool address nobody else has (an offer or lease that ran out
     * no longer keeps its address for the client: another may have it now); returns false otherwise.
     */
    boolean commit(Client client, Ipv4Address a, long now, long until) {
        Object key = key(client);
        Binding b = bindings.get(key);
        boolean mine = (b != null && b.address().equals(a) && now < b.expiresAt()) || a.equals(statics.get(client.chaddr()));
        if (!mine && !(inPool(a) && usable(a, key, client.chaddr(), now, !yielding))) {
            return false;
        }
        bind(client, new Binding(client.chaddr(), a, until, true), now);
        return true;
    }

    /** Returns true when {@code client} holds a lease on {@code a} that has not ended. */
    boolean leases(Client client, Ipv4Address a, long now) {
        Binding b = binding(client);
        return b != null && b.committed() && b.address().equals(a) && now < b.expiresAt();
    }

    /**
     * Takes {@code client}'s DHCPDECLINE of {@code a} (RFC 2131 4.3.3: the client found it in use) when {@code a} is
     * the address of its offer or lease: the binding goes, and {@code a} is not offered for {@link #DECLINE_HOLD}.
     * Returns false, changing nothing, for an address the client was not given: a DECLINE naming another client's
     * address would end that client's lease and hand its address on (dnsmasq ends only the sender's own lease; Kea
     * ignores a DECLINE whose client is not the lease's).
     */
    boolean decline(Client client, Ipv4Address a, long now) {
        Object key = key(client);
        Binding b = bindings.get(key);
        if (b == null || !b.address().equals(a) || now >= b.expiresAt()) {
            return false;
        }
        unbind(key);
        declined.put(a, now + DECLINE_HOLD);
        return true;
    }

    /** Forgets {@code client}'s offer (it chose another server) or lease (DHCPRELEASE). */
    void release(Client client, boolean committedToo) {
        Object key = key(client);
        Binding b = bindings.get(key);
        if (b != null && (committedToo || !b.committed())) {
            unbind(key);
        }
    }

    /**
     * Returns true when {@code a} may still go to {@code client}: not declined since, nobody else's static, offer or
     * lease. A slow server asks before an offer it made earlier goes out.
     */
    boolean mayGo(Client client, Ipv4Address a, long now) {
        return usable(a, key(client), client.chaddr(), now);
    }

    private Ipv4Address lowestFree(Object key, MacAddress chaddr, long now) {
        if (first.isAny()) {
            return null;
        }
        for (long v = first.value() & 0xFFFF_FFFFL; v <= (last.value() & 0xFFFF_FFFFL); v++) {
            Ipv4Address a = new Ipv4Address((int) v);
            if (usable(a, key, chaddr, now)) {
                return a;
            }
        }
        return null;
    }

    /**
     * Returns true when {@code a} may go to the client of {@code key} at {@code chaddr}: not declined lately, no
     * other hardware address's static, nobody else's offer or lease.
     */
    private boolean usable(Ipv4Address a, Object key, MacAddress chaddr, long now) {
        return usable(a, key, chaddr, now, true);
    }

    /** As {@link #usable(Ipv4Address, Object, MacAddress, long)}; another client's offer counts only when {@code offersHold}. */
    private boolean usable(Ipv4Address a, Object key, MacAddress chaddr, long now, boolean offersHold) {
        Long until = declined.get(a);
        if (until != null && now < until) {
            return false;
        }
        for (MacAddress m : staticOwners.getOrDefault(a, List.of())) {
            if (!m.equals(chaddr)) {
                return false;
            }
        }
        List<Object> l = holders.get(a);
        if (l != null) {
            for (Object k : l) {
                Binding b = bindings.get(k);
                if (!k.equals(key) && now < b.expiresAt() && (offersHold || b.committed())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Returns how many clients' offers and leases, current or lapsed, the pool holds a record of. */
    int bindings() {
        return bindings.size();
    }

    /** Returns how many hardware addresses the pool knows a client identifier for. */
    int identifiedAt() {
        return idAt.size();
    }

    /** Returns true when this pool hands out {@code a}: an address of the pool, or a static one. */
    boolean gives(Ipv4Address a) {
        return inPool(a) || staticOwners.containsKey(a);
    }

    private boolean inPool(Ipv4Address a) {
        return !first.isAny() && a.compareTo(first) >= 0 && a.compareTo(last) <= 0;
    }
}
