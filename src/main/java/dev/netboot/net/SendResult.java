package dev.netboot.net;

/** What became of a datagram handed to {@link NetStack}. */
public enum SendResult {
    /** Handed to the link. */
    SENT,
    /** Held until ARP resolves the next hop; sent then, or reported through {@link UdpHandler#onUnreachable}. */
    PENDING_ARP,
    /** The link had no room; nothing was sent, try again on a later poll. */
    LINK_BUSY,
    /** No route: the destination is off-link and there is no gateway, or we have no address yet. */
    NO_ROUTE,
    /** The pending-ARP queue is full; nothing was sent. */
    QUEUE_FULL
}
