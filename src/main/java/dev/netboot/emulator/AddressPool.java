package dev.netboot.emulator;

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
 */
final class AddressPool {
    /** How long an offered address is held for the client it was offered to. */
    static final long OFFER_HOLD = 60_000_000_000L;
    /** How long a declined address stays out of offers (dnsmasq: 10 minutes). */
    static final long DECLINE_HOLD = 600_000_000_000L;

    /**
     * One client's address.
     *
     * @param address   the address
     * @param expiresAt when the offer or lease ends
     * @param committed true once a DHCPACK gave it (a lease), false while only offered
     */
    record Binding(Ipv4Address address, long expiresAt, boolean committed) {
    }

    private final Ipv4Address first;
    private final Ipv4Address last;
    private final Map<MacAddress, Ipv4Address> statics;
    private final Map<MacAddress, Binding> bindings = new LinkedHashMap<>();
    private final Map<Ipv4Address, Long> declined = new HashMap<>();
    // Who holds each address (bindings by address) and whose static it is: a pool of thousands answers in O(1).
    private final Map<Ipv4Address, List<MacAddress>> holders = new HashMap<>();
    private final Map<Ipv4Address, List<MacAddress>> staticOwners = new HashMap<>();

    /** A pool of {@code first..last} (both {@link Ipv4Address#ANY}: statics only). */
    AddressPool(Ipv4Address first, Ipv4Address last, Map<MacAddress, Ipv4Address> statics) {
        this.first = first;
        this.last = last;
        this.statics = Map.copyOf(statics);
        for (Map.Entry<MacAddress, Ipv4Address> e : this.statics.entrySet()) {
            staticOwners.computeIfAbsent(e.getValue(), k -> new ArrayList<>(1)).add(e.getKey());
        }
    }

    private void bind(MacAddress mac, Binding b) {
        Binding old = bindings.put(mac, b);
        if (old != null && !old.address().equals(b.address())) {
            unhold(old.address(), mac);
        }
        if (old == null || !old.address().equals(b.address())) {
            holders.computeIfAbsent(b.address(), k -> new ArrayList<>(1)).add(mac);
        }
    }

    private void unbind(MacAddress mac) {
        Binding old = bindings.remove(mac);
        if (old != null) {
            unhold(old.address(), mac);
        }
    }

    private void unhold(Ipv4Address a, MacAddress mac) {
        List<MacAddress> l = holders.get(a);
        if (l != null) {
            l.remove(mac);
            if (l.isEmpty()) {
                holders.remove(a);
            }
        }
    }

    /** Returns {@code mac}'s binding, or null. */
    Binding binding(MacAddress mac) {
        return bindings.get(mac);
    }

    /** Returns every binding, by client, in order of first offer. */
    Map<MacAddress, Binding> bindings() {
        return Map.copyOf(bindings);
    }

    /**
     * Offers {@code mac} an address: its static one, its current one, or the lowest free one; holds it for
     * {@link #OFFER_HOLD}. Returns null when none is left.
     */
    Ipv4Address offer(MacAddress mac, long now) {
        Binding b = bindings.get(mac);
        Ipv4Address fixed = statics.get(mac);
        Ipv4Address a = fixed != null ? fixed : b != null && usable(b.address(), mac, now) ? b.address() : lowestFree(mac, now);
        if (a == null) {
            return null;
        }
        bind(mac, b != null && b.committed() && b.address().equals(a) ? b : new Binding(a, now + OFFER_HOLD, false));
        return a;
    }

    /** Gives {@code mac} the lease of {@code a} until {@code until} when it may have it; returns false otherwise. */
    boolean commit(MacAddress mac, Ipv4Address a, long now, long until) {
        Binding b = bindings.get(mac);
        boolean mine = (b != null && b.address().equals(a)) || a.equals(statics.get(mac));
        if (!mine && !(inPool(a) && usable(a, mac, now))) {
            return false;
        }
        bind(mac, new Binding(a, until, true));
        return true;
    }

    /** Returns true when {@code mac} holds a lease on {@code a} that has not ended. */
    boolean leases(MacAddress mac, Ipv4Address a, long now) {
        Binding b = bindings.get(mac);
        return b != null && b.committed() && b.address().equals(a) && now < b.expiresAt();
    }

    /** Marks {@code a} as in use by someone else: its binding goes, and it is not offered for a while. */
    void decline(Ipv4Address a, long now) {
        List<MacAddress> l = holders.get(a);
        if (l != null) {
            for (MacAddress m : List.copyOf(l)) {
                unbind(m);
            }
        }
        declined.put(a, now + DECLINE_HOLD);
    }

    /** Forgets {@code mac}'s offer (it chose another server) or lease (DHCPRELEASE). */
    void release(MacAddress mac, boolean committedToo) {
        Binding b = bindings.get(mac);
        if (b != null && (committedToo || !b.committed())) {
            unbind(mac);
        }
    }

    private Ipv4Address lowestFree(MacAddress mac, long now) {
        if (first.isAny()) {
            return null;
        }
        for (long v = first.value() & 0xFFFF_FFFFL; v <= (last.value() & 0xFFFF_FFFFL); v++) {
            Ipv4Address a = new Ipv4Address((int) v);
            if (usable(a, mac, now)) {
                return a;
            }
        }
        return null;
    }

    /** Returns true when {@code a} may go to {@code mac}: not declined lately, nobody else's static, binding or lease. */
    private boolean usable(Ipv4Address a, MacAddress mac, long now) {
        Long until = declined.get(a);
        if (until != null && now < until) {
            return false;
        }
        for (MacAddress m : staticOwners.getOrDefault(a, List.of())) {
            if (!m.equals(mac)) {
                return false;
            }
        }
        List<MacAddress> l = holders.get(a);
        if (l != null) {
            for (MacAddress m : l) {
                if (!m.equals(mac) && now < bindings.get(m).expiresAt()) {
                    return false;
                }
            }
        }
        return true;
    }

    private boolean inPool(Ipv4Address a) {
        return !first.isAny() && a.compareTo(first) >= 0 && a.compareTo(last) <= 0;
    }
}
