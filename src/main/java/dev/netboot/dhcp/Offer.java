package dev.netboot.dhcp;

import dev.netboot.bootp.BootTarget;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.DhcpMessageType;
import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MalformedPacketException;
import java.util.List;

/**
 * One answer to the board's DHCPDISCOVER, as the client weighs it.
 *
 * @param kind     an address from a DHCP server, a ProxyDHCP server's boot offer, or a BOOTP reply
 * @param message  the reply
 * @param server   the server identifier (option 54), else the reply's source address
 * @param target   where the reply says to boot from
 * @param arrivedAt when it arrived (ns)
 */
record Offer(Kind kind, BootpMessage message, Ipv4Address server, BootTarget target, long arrivedAt) {
    /** What an answer offers. */
    enum Kind {
        /** A DHCPOFFER with an address (yiaddr). */
        ADDRESS,
        /** A ProxyDHCP DHCPOFFER (PXE 2.1): no address, vendor class "PXEClient", the boot server and file. */
        PROXY,
        /** A BOOTREPLY without option 53: a BOOTP server's binding, accepted in {@link DhcpConfig.Protocol#AUTO}. */
        BOOTP
    }

    /**
     * Returns what {@code m} (a reply for our xid and chaddr, from {@code srcIp}) offers, or null when it is no
     * offer: another message type, a DHCPOFFER without an address that is not a ProxyDHCP offer.
     *
     * @throws MalformedPacketException when an option the decision needs is malformed
     */
    static Offer of(BootpMessage m, Ipv4Address srcIp, long now) {
        var type = m.options().messageType();
        if (type.isEmpty()) {
            return m.yiaddr().isAny() ? null : new Offer(Kind.BOOTP, m, srcIp, BootTarget.of(m, Ipv4Address.ANY), now);
        }
        if (type.get() != DhcpMessageType.Known.OFFER) {
            return null;
        }
        Ipv4Address server = serverId(m, srcIp);
        if (!m.yiaddr().isAny()) {
            return new Offer(Kind.ADDRESS, m, server, BootTarget.of(m, server), now);
        }
        return isProxy(m) ? new Offer(Kind.PROXY, m, server, BootTarget.of(m, server), now) : null;
    }

    /** Returns true when {@code m} carries the PXE vendor class and no address: what a ProxyDHCP server sends. */
    static boolean isProxy(BootpMessage m) {
        return m.yiaddr().isAny() && m.options().option(DhcpOption.VENDOR_CLASS)
                .map(o -> ((DhcpOption.VendorClass) o).isPxe()).orElse(false);
    }

    /**
     * Says why {@code m}, a reply while selecting, is no offer ({@link #of} returned null): neither an address nor a
     * ProxyDHCP offer (the PXE class with yiaddr 0.0.0.0), a BOOTP reply of no address, or no DHCPOFFER at all.
     */
    static String whyNot(BootpMessage m, Ipv4Address src) {
        var type = m.options().messageType();
        return describe(m) + " from " + src + (type.isEmpty() ? " with yiaddr 0.0.0.0: no address"
                : type.get() == DhcpMessageType.Known.OFFER ? " with yiaddr 0.0.0.0: no address, and no ProxyDHCP offer"
                + " (no PXEClient vendor class, option 60)" : " while selecting");
    }

    /** Returns what {@code m} is in messages: its DHCP message type, or "a BOOTP reply". */
    static String describe(BootpMessage m) {
        return m.options().messageType().map(Object::toString).orElse("a BOOTP reply");
    }

    /** Returns true when {@code m} names {@code server} in option 54 (or, without one, comes from it). */
    static boolean names(BootpMessage m, Ipv4Address src, Ipv4Address server) {
        try {
            return serverId(m, src).equals(server);
        } catch (MalformedPacketException e) {
            return false;
        }
    }

    /** Returns option 54 of {@code m}, else {@code fallback}. */
    static Ipv4Address serverId(BootpMessage m, Ipv4Address fallback) {
        return m.options().option(DhcpOption.SERVER_ID).map(o -> ((DhcpOption.ServerId) o).address()).orElse(fallback);
    }

    /**
     * Returns the offer to take: the first giving an address that names both the boot server and the file, else the
     * first giving an address (a ProxyDHCP server may complete it); null when none gives an address.
     */
    static Offer best(List<Offer> offers) {
        Offer best = null;
        for (Offer o : offers) {
            if (o.givesAddress() && (best == null || (!best.target().complete() && o.target().complete()))) {
                best = o;
            }
        }
        return best;
    }

    /** Returns the ProxyDHCP offer to use: the first naming server and file, else the first; null when none came. */
    static Offer bestProxy(List<Offer> offers) {
        Offer proxy = null;
        for (Offer o : offers) {
            if (o.kind() == Kind.PROXY && (proxy == null || (!proxy.target().complete() && o.target().complete()))) {
                proxy = o;
            }
        }
        return proxy;
    }

    /** Returns true when the offer gives an address (DHCP or BOOTP). */
    boolean givesAddress() {
        return kind != Kind.PROXY;
    }

    /** Returns true for a ProxyDHCP offer whose boot file may be asked for on port 4011: it names none itself. */
    boolean needsProxyRequest() {
        return kind == Kind.PROXY && !target.complete();
    }
}
