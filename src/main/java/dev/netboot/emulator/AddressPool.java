package dev.netboot.emulator;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

    /** A pool of {@code first..last} (both {@link Ipv4Address#ANY}: statics only). */
    AddressPool(Ipv4Address first, Ipv4Address last, Map<MacAddress, Ipv4Address> statics) {
        this.first = first;
        this.last = last;
        this.statics = Map.copyOf(statics);
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
        bindings.put(mac, b != null && b.committed() && b.address().equals(a) ? b : new Binding(a, now + OFFER_HOLD, false));
        return a;
    }

    /** Gives {@code mac} the lease of {@code a} until {@code until} when it may have it; returns false otherwise. */
    boolean commit(MacAddress mac, Ipv4Address a, long now, long until) {
        Binding b = bindings.get(mac);
        boolean mine = (b != null && b.address().equals(a)) || a.equals(statics.get(mac));
        if (!mine && !(inPool(a) && usable(a, mac, now))) {
            return false;
        }
        bindings.put(mac, new Binding(a, until, true));
        return true;
    }

    /** Returns true when {@code mac} holds a lease on {@code a} that has not ended. */
    boolean leases(MacAddress mac, Ipv4Address a, long now) {
        Binding b = bindings.get(mac);
        return b != null && b.committed() && b.address().equals(a) && now < b.expiresAt();
    }

    /** Marks {@code a} as in use by someone else: its binding goes, and it is not offered for a while. */
    void decline(Ipv4Address a, long now) {
        bindings.values().removeIf(b -> b.address().equals(a));
        declined.put(a, now + DECLINE_HOLD);
    }

    /** Forgets {@code mac}'s offer (it chose another server) or lease (DHCPRELEASE). */
    void release(MacAddress mac, boolean committedToo) {
        Binding b = bindings.get(mac);
        if (b != null && (committedToo || !b.committed())) {
            bindings.remove(mac);
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
        for (Map.Entry<MacAddress, Ipv4Address> e : statics.entrySet()) {
            if (e.getValue().equals(a) && !e.getKey().equals(mac)) {
                return false;
            }
        }
        for (Map.Entry<MacAddress, Binding> e : bindings.entrySet()) {
            if (!e.getKey().equals(mac) && e.getValue().address().equals(a) && now < e.getValue().expiresAt()) {
                return false;
            }
        }
        return true;
    }

    private boolean inPool(Ipv4Address a) {
        return !first.isAny() && a.compareTo(first) >= 0 && a.compareTo(last) <= 0;
    }
}
