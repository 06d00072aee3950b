package dev.netboot.tftp;

import dev.netboot.wire.Ipv4Address;

/**
 * The value of an OACK's {@code multicast} option (RFC 2090): "addr,port,mc", the group the DATA goes to, its UDP
 * port, and whether this client is the master client, the one that acknowledges. "Any subsequent OACKs to a client
 * may have an empty multicast address and port fields, since this information will already be held by that
 * client": then {@code group} is null and {@code port} 0.
 *
 * @param group  the multicast group, or null when left empty
 * @param port   the group's UDP port, or 0 when left empty
 * @param master true when this client is to send ACKs ("mc" is 1)
 */
public record MulticastOption(Ipv4Address group, int port, boolean master) {
    /**
     * Parses {@code value}; returns null when it is not "addr,port,mc" with a multicast address past the local network
     * control block (or none), a port 1..65535 (or none), and mc 0 or 1. Address and port are both given or both empty.
     * 224.0.0.0/24 is the local network control block (RFC 5771: all systems, all routers, routing protocols, mDNS):
     * no group for a file's DATA, and 224.0.0.1, which every host is in and never joins or leaves (RFC 2236 section
     * 6), is not one the stack can join at all: a server naming one is refused, as {@code serve} refuses to use one.
     */
    public static MulticastOption parse(String value) {
        String[] p = value.split(",", -1);
        if (p.length != 3 || p[2].length() != 1 || (p[2].charAt(0) != '0' && p[2].charAt(0) != '1')) {
            return null;
        }
        boolean master = p[2].charAt(0) == '1';
        String a = p[0].strip();
        String q = p[1].strip();
        if (a.isEmpty() && q.isEmpty()) {
            return new MulticastOption(null, 0, master);
        }
        if (a.isEmpty() || q.isEmpty()) {
            return null;
        }
        Ipv4Address group;
        try {
            group = Ipv4Address.parse(a);
        } catch (IllegalArgumentException e) {
            return null;
        }
        long port = OptionOffer.number(q);
        if (!group.isMulticast() || (group.value() >>> 8) == 0xE0_00_00 || port < 1 || port > 65535) {
            return null;
        }
        return new MulticastOption(group, (int) port, master);
    }

    /** Returns the option's text as a server writes it. */
    public String text() {
        return (group == null ? "" : group.toString()) + "," + (port == 0 ? "" : Integer.toString(port)) + "," + (master ? "1" : "0");
    }
}
