package dev.netboot.cli;

import dev.netboot.wire.Ipv4Address;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The server a {@code netboot tftp} run talks to: its IPv4 address and UDP port, and how the run names it in its lines
 * ({@code text}, "192.0.2.1:69"), read from the command line's {@code HOST[:PORT]}.
 */
record TftpEndpoint(Ipv4Address ip, int port, String text) {
    /**
     * Reads {@code HOST[:PORT]} (port 69 when none is given): a dotted quad as it stands, a name through the resolver
     * (its first IPv4 address). A mistake in it (a port out of range, no host, an IPv6 address, an address no server
     * has) is a usage error; a name with no IPv4 address throws {@link UnknownHostException}.
     */
    static TftpEndpoint parse(String spec) throws UnknownHostException {
        String h = spec;
        int port = 69;
        int colon = spec.lastIndexOf(':');
        if (spec.startsWith("[") || colon > spec.indexOf(':')) {
            // "::1" split at its last colon was host ":" and port 1: "cannot resolve host ::1: invalid IPv6 address literal", exit 1.
            throw new TftpCommand.UsageException("HOST[:PORT] " + spec + ": an IPv6 address; netboot tftp speaks IPv4 (give an IPv4 address,"
                    + " or a name that has one)");
        }
        if (colon >= 0) {
            h = spec.substring(0, colon);
            String p = spec.substring(colon + 1);
            try {
                port = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new TftpCommand.UsageException("HOST[:PORT] " + spec + ": port '" + p + "' (expected: 1..65535)");
            }
        }
        if (h.isEmpty()) {
            throw new TftpCommand.UsageException("HOST[:PORT] " + spec + ": no host");
        }
        if (isDottedQuad(h)) {
            // A plain address needs no resolver: InetAddress.getAllByName would start the JDK's name service
            // first, milliseconds of a run that should start like a native tool's (issue 11).
            return unicast(spec, Ipv4Address.parse(h), port);
        }
        for (InetAddress a : InetAddress.getAllByName(h)) {
            if (a instanceof Inet4Address a4) {
                byte[] b = a4.getAddress();
                return unicast(spec, new Ipv4Address((b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | b[3] & 0xFF), port);
            }
        }
        throw new UnknownHostException(h + " has no IPv4 address");
    }

    /**
     * Returns the server's endpoint, or throws a usage error when {@code ip} can be no server's: 0.0.0.0/8 is "this
     * network", a source address only (RFC 1122 section 3.2.1.3; Linux delivers it to this host, whose server answers
     * from another address, a stranger to the client: 39 s of retries), 224.0.0.0/4 multicast groups and 240.0.0.0/4
     * reserved and broadcast (a request there is never answered, or never sent).
     */
    private static TftpEndpoint unicast(String spec, Ipv4Address ip, int port) {
        int first = ip.value() >>> 24;
        String why = first == 0 ? " is 'this network', a source address only (RFC 1122 section 3.2.1.3); this host is 127.0.0.1"
                : ip.isMulticast() ? " is a multicast group, not a server"
                : first >= 240 ? (ip.equals(Ipv4Address.BROADCAST) ? " is the broadcast address" : " is reserved (240.0.0.0/4)")
                + ", not a server" : null;
        if (why != null) {
            throw new TftpCommand.UsageException("HOST[:PORT] " + spec + ": " + ip + why);
        }
        return new TftpEndpoint(ip, port, ip + ":" + port);
    }

    /** True for four decimal octets 0..255 without leading zeros ("10.0.0.1"), which every resolver reads alike. */
    static boolean isDottedQuad(String h) {
        int octets = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= h.length(); i++) {
            char c = i < h.length() ? h.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || ++octets > 4) {
                    return false;
                }
                value = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9' && !(digits == 1 && value == 0)) {
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255) {
                    return false;
                }
            } else {
                return false; // not a digit, or a leading zero
            }
        }
        return octets == 4;
    }
}
