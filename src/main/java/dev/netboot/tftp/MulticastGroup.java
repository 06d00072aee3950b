package dev.netboot.tftp;

import dev.netboot.net.UdpHandler;
import dev.netboot.net.UdpTransport;
import dev.netboot.wire.Ipv4Address;

/**
 * A multicast read's membership of its group (RFC 2090): joined on the OACK that names the group, whose DATA comes to
 * the group's port ("the client ... joins the multicast group"; an IGMP report goes out through
 * {@link UdpTransport#joinGroup}), listened on until the transfer ends, and left then. The group and port stay known
 * after leaving, for the transfer's statistics and for later OACKs of the same transfer, which may name them again.
 */
final class MulticastGroup {
    private final UdpHandler handler;
    private UdpTransport net;
    private Ipv4Address address;
    private int port;
    private int ownPort;
    private boolean listening;

    /** A membership whose group DATA goes to {@code handler}. */
    MulticastGroup(UdpHandler handler) {
        this.handler = handler;
    }

    /** Returns the group, or null before one was joined. */
    Ipv4Address address() {
        return address;
    }

    /** Returns the group's port. */
    int port() {
        return port;
    }

    /**
     * Joins {@code group} on {@code net} and listens on {@code groupPort} as well as on {@code ownPort}, the transfer's
     * own port.
     *
     * @return null when it did, else why not: the stack is in as many groups as it can be, or the port is taken
     */
    String join(UdpTransport net, long now, Ipv4Address group, int groupPort, int ownPort) {
        this.net = net;
        this.address = group;
        this.port = groupPort;
        this.ownPort = ownPort;
        // The port first: a group whose DATA this board cannot listen for is not joined (no IGMP report and Leave).
        if (groupPort != ownPort && net.isBound(groupPort)) {
            return "the multicast group's port " + groupPort + " is taken on this board";
        }
        if (!net.joinGroup(now, group)) {
            return "cannot join multicast group " + group + " (the network stack is in as many groups as it can be)";
        }
        if (groupPort != ownPort) {
            net.bind(groupPort, handler);
        }
        listening = true;
        return null;
    }

    /** Returns whether an OACK's {@code multicast} option names this group, or leaves group and port empty. */
    boolean named(MulticastOption m) {
        return m.group() == null || (m.group().equals(address) && m.port() == port);
    }

    /** Leaves the group and stops listening on its port; nothing when it is not listening. */
    void leave(long now) {
        if (listening) {
            listening = false;
            if (port != ownPort) {
                net.unbind(port);
            }
            net.leaveGroup(now, address);
        }
    }

    @Override
    public String toString() {
        return address + ":" + port;
    }
}
