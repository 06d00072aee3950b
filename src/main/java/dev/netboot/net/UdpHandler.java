package dev.netboot.net;

import dev.netboot.wire.Ipv4Address;
import java.nio.ByteBuffer;

/** Receives the datagrams of one bound UDP port. Addresses are passed as ints to keep the data path allocation-free. */
public interface UdpHandler {
    /**
     * Handles one datagram whose payload is {@code [off, off+len)} of {@code buf}; must not keep the buffer.
     *
     * @param srcIp  source address
     * @param dstIp  destination address (ours, a broadcast, or anything before we are configured)
     */
    void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len);

    /**
     * Reports that a datagram this port sent to {@code dst}:{@code dstPort} could not be delivered: ARP gave up on
     * the next hop, or an ICMP port or protocol unreachable error quoted it. A port that talks to more than one peer
     * (a TFTP client answering a stranger with ERROR 5) tells by {@code dst} and {@code dstPort} whom it is about.
     *
     * @param refused true when the peer's host refused it (ICMP port or protocol unreachable: a hard error, RFC 1122
     *                section 4.2.3.9, nothing listens there); false when ARP found no one, which may pass (a cable
     *                plugged back in)
     * @param reason  one line for a person
     */
    default void onUnreachable(long now, Ipv4Address dst, int dstPort, boolean refused, String reason) {
    }

    /**
     * Returns whether {@link #onDatagram} would only count this datagram and drop it, changing nothing else (another
     * client's broadcast DHCP reply): for {@link ReceiveFilter}. Pure, and what it answers depends only on the datagram
     * and on what stays fixed while the port is bound, unless the handler tells the stack when its answers change
     * ({@link NetStack#portChanged}); false (the default) when unsure.
     */
    default boolean ignores(int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
        return false;
    }

    /**
     * Returns whether {@link #ignores} says true, in the handler's state now, of every BOOTREPLY for Ethernet whose
     * chaddr is not the stack's address (a DHCP client's port 68, told apart by {@link FrameKind#BOOTREPLY}); false
     * (the default) when unsure. A handler whose answer changes tells the stack ({@link NetStack#portChanged}).
     */
    default boolean ignoresRepliesForAnother() {
        return false;
    }

    /** Counts one datagram as {@link #onDatagram} counts one that {@link #ignores} says it drops. */
    default void ignored() {
        throw new IllegalStateException("ignored() without ignores()");
    }
}
