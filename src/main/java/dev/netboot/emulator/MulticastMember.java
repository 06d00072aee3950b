package dev.netboot.emulator;

import dev.netboot.wire.Ipv4Address;

/**
 * One client of a {@link TftpMulticastSession}, as it stands: what {@code netboot serve}'s summary needs to say which
 * of its clients a multicast transfer served.
 *
 * @param ip    its address
 * @param port  its port
 * @param acked the highest block it acknowledged (RFC 2090: a client acknowledges only while it is master, and the
 *              last block when it has them all)
 * @param left  how it left the transfer; null while it is in it
 */
public record MulticastMember(Ipv4Address ip, int port, long acked, Left left) {
    /** How a client left the transfer. */
    public enum Left {
        /** It acknowledged the last block: it has the file. */
        SERVED,
        /** It sent an ERROR. */
        ERROR,
        /** It stayed silent through its turns as master ({@link MulticastClients#MAX_TURNS}). */
        GIVEN_UP,
        /** The file could not be read: it was sent an ERROR. */
        READ_ERROR,
        /** Its host answered an OACK sent to it with ICMP port (or protocol) unreachable: its socket is closed. */
        UNREACHABLE
    }
}
