package dev.netboot.net;

import dev.netboot.wire.Ipv4Address;

/**
 * What a UDP protocol client needs from whatever carries its datagrams: port bindings and a send that
 * lends the caller's {@link PayloadWriter} a buffer. The board's {@link NetStack} implements it; a host
 * adapter (a {@code DatagramChannel}) can too, so one TFTP state machine runs on both.
 *
 * <p>Single-threaded and poll-driven like the stack: handlers are called from the transport's own
 * receive path with the time passed in.
 */
public interface UdpTransport {
    /**
     * Binds {@code handler} to UDP {@code port}.
     *
     * @throws IllegalStateException when the port is taken or no binding is left
     */
    void bind(int port, UdpHandler handler);

    /** Removes the binding of {@code port}, if any. */
    void unbind(int port);

    /** Returns true when {@code port} is bound. */
    boolean isBound(int port);

    /**
     * Sends a datagram of {@code len} payload bytes from {@code srcPort} to {@code dst}:{@code dstPort};
     * {@code writer} fills the payload. Returns what became of it; only {@link SendResult#SENT} and
     * {@link SendResult#PENDING_ARP} mean it will go out.
     */
    SendResult sendUdp(long now, int srcPort, Ipv4Address dst, int dstPort, int len, PayloadWriter writer);

    /** Returns the largest UDP payload that goes out (and comes in) without IP fragmentation. */
    int maxUdpPayload();

    /**
     * Joins multicast group {@code group}: datagrams sent to it reach this transport's bindings from now on.
     * Returns false when it cannot (the default: a transport without multicast).
     */
    default boolean joinGroup(long now, Ipv4Address group) {
        return false;
    }

    /** Leaves {@code group} ({@link #joinGroup}); the default does nothing. */
    default void leaveGroup(long now, Ipv4Address group) {
    }

    /** Returns whether {@link #joinGroup} can work here: a client asks for multicast only then. */
    default boolean multicast() {
        return false;
    }

    /**
     * Returns the IPv4 fragments dropped so far: a stack that does not reassemble counts them, so that a transfer waiting
     * in vain can say the server's datagrams came in pieces. 0 where the host's kernel reassembles.
     */
    default long fragmentsDropped() {
        return 0;
    }
}
