package dev.netboot.dhcp;

import dev.netboot.bootp.BootTarget;
import dev.netboot.net.NetStack;
import dev.netboot.net.SendResult;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.DhcpMessageType;
import dev.netboot.wire.Ipv4Address;

/**
 * Asking a ProxyDHCP server for the boot file on its port 4011 (PXE 2.1 section 2.2.6, "boot server discovery"): the
 * step after the address is bound, when the ProxyDHCP offer named a boot server but no file. A DHCPREQUEST from our
 * new address, unicast; the server's DHCPACK names the file. Retried on the lease stage's backoff, at most
 * {@link #TRIES} times.
 *
 * <p>{@link Acquisition} owns it as it owns the ARP probe: it starts it, passes on replies and polls; the outcome is
 * {@link #lease()} (the address-only lease completed with the proxy's target) or {@link #failure()}.
 */
final class ProxyBoot {
    /** Requests sent to a ProxyDHCP server's port 4011 before its boot file is given up on. */
    static final int TRIES = 4;
    /** The port of a ProxyDHCP server's boot server discovery (PXE 2.1 section 2.2.6). */
    static final int PORT = 4011;

    /** Where the exchange is; the xid is the acquisition's. */
    record Asking(int xid, Lease lease, Offer proxy, int sent, long retryAt) {
    }

    /** Returns the backoff after {@code sentBefore} requests. */
    interface Backoff {
        long retryAt(long now, int sentBefore);
    }

    private final NetStack net;
    private final ClientMessages messages;
    private final Backoff backoff;
    private Asking asking;
    private Lease done;
    private String failure;
    private int resent;

    ProxyBoot(NetStack net, ClientMessages messages, Backoff backoff) {
        this.net = net;
        this.messages = messages;
        this.backoff = backoff;
    }

    /** Starts asking {@code proxy} for the boot file of {@code lease}, whose address is now configured. */
    void start(long now, int xid, Lease lease, Offer proxy, int secs) {
        asking = new Asking(xid, lease, proxy, 0, now);
        done = null;
        failure = null;
        poll(now, secs);
    }

    /** Returns the exchange in progress, or null when none is. */
    Asking asking() {
        return asking;
    }

    /** Returns when {@link #poll} next has work. */
    long pollAt() {
        return asking == null ? Long.MAX_VALUE : asking.retryAt();
    }

    /** Sends the next request when one is due, or gives up after {@link #TRIES}. */
    void poll(long now, int secs) {
        Asking a = asking;
        if (a == null || now < a.retryAt()) {
            return;
        }
        if (a.sent() >= TRIES) {
            finish(null, "the ProxyDHCP server " + a.proxy().server() + " did not answer " + a.sent() + " requests on port " + PORT);
            return;
        }
        int len = messages.proxyRequest(a.xid(), secs, a.lease().address());
        SendResult r = net.sendUdp(now, BootpMessage.CLIENT_PORT, a.proxy().server(), PORT, len, messages);
        switch (r) {
            case SENT, PENDING_ARP -> {
                resent += a.sent() > 0 ? 1 : 0;
                asking = new Asking(a.xid(), a.lease(), a.proxy(), a.sent() + 1, backoff.retryAt(now, a.sent()));
            }
            // The lease's address and mask put the server off-link, and the lease names no router: no request can go.
            case NO_ROUTE -> finish(null, "no route to the ProxyDHCP server " + a.proxy().server() + " from " + a.lease().address()
                    + " (off-link, and the lease names " + a.lease().noGateway() + ")");
            // Too many datagrams wait for ARP: this try is lost, the next comes at its time.
            case QUEUE_FULL -> asking = new Asking(a.xid(), a.lease(), a.proxy(), a.sent() + 1, backoff.retryAt(now, a.sent()));
            case LINK_BUSY -> {
                // GUIDE H9: nothing went out; the next poll tries again
            }
        }
    }

    /**
     * Handles a reply for our xid from {@code src}; returns why it was not used, or null when it was (or no exchange
     * is in progress).
     */
    String onReply(BootpMessage m, Ipv4Address src) {
        Asking a = asking;
        if (a == null) {
            return null;
        }
        var type = m.options().messageType().orElse(null);
        Ipv4Address server = a.proxy().server();
        if (type != DhcpMessageType.Known.ACK || !Offer.serverId(m, src).equals(server)) {
            return m.options().messageType().map(Object::toString).orElse("a BOOTP reply") + " from " + src
                    + " while asking the ProxyDHCP server " + server;
        }
        BootTarget target = BootTarget.of(m, server);
        if (!target.complete()) {
            finish(null, "the ProxyDHCP server " + server + " named no boot file either: " + target.missing());
        } else {
            finish(a.lease().withProxyBoot(target, server), null);
        }
        return null;
    }

    /** Returns the completed lease once the server named the file, else null. */
    Lease lease() {
        return done;
    }

    /** Returns why the exchange failed, else null. */
    String failure() {
        return failure;
    }

    /** Returns the requests sent again. */
    int retransmissions() {
        return resent;
    }

    private void finish(Lease lease, String why) {
        done = lease;
        failure = why;
        asking = null;
    }
}
