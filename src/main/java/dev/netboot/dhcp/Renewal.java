package dev.netboot.dhcp;

import dev.netboot.net.NetStack;
import dev.netboot.net.SendResult;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.DhcpMessageType;
import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.Ipv4Address;
import java.util.random.RandomGenerator;

/**
 * Keeping a lease (RFC 2131 section 4.4.5, the BOUND, RENEWING and REBINDING states of figure 5): at T1 the
 * board asks the server that gave the lease, by unicast; at T2 any server, by broadcast; when the lease ends
 * unanswered, or a server answers DHCPNAK, the lease is lost and the board must stop using the address.
 *
 * <p>A boot that outlasts its lease is not rare: a NAND image at datasheet speed takes minutes, and dnsmasq's
 * shortest lease is two. No bootloader we know renews; this one does while the image streams into flash.
 */
final class Renewal {
    /** Where the lease is. */
    sealed interface State {
        /** No lease yet. */
        record Idle() implements State {
        }

        /** A lease that never ends (BOOTP, or option 51 = 0xffffffff): nothing to do. */
        record Forever(Lease lease) implements State {
        }

        /**
         * Bound until T1.
         *
         * @param t1At  when to renew
         * @param t2At  when to rebind
         * @param endAt when the lease ends
         */
        record Bound(Lease lease, long t1At, long t2At, long endAt) implements State {
        }

        /** T1 passed: DHCPREQUEST unicast to the server; {@code firstAt} is when the first went, the new lease counts from there. */
        record Renewing(Lease lease, int xid, long firstAt, long retryAt, long t2At, long endAt) implements State {
        }

        /** T2 passed: DHCPREQUEST broadcast to any server. */
        record Rebinding(Lease lease, int xid, long firstAt, long retryAt, long endAt) implements State {
        }

        /** The lease ended or a server refused it; the address must not be used. */
        record Lost(Lease lease, String reason) implements State {
        }
    }

    private final NetStack net;
    private final ClientMessages messages;
    private final RandomGenerator random;
    private State state = new State.Idle();
    private long startedAt;
    private int renewals;
    private int requests;

    Renewal(NetStack net, ClientMessages messages, RandomGenerator random) {
        this.net = net;
        this.messages = messages;
        this.random = random;
    }

    State state() {
        return state;
    }

    /** Returns the DHCPACKs that extended the lease. */
    int renewals() {
        return renewals;
    }

    /** Returns the DHCPREQUESTs sent to renew or rebind. */
    int requests() {
        return requests;
    }

    /** Returns the lease as it now stands (renewals update its times), or null before {@link #begin}. */
    Lease lease() {
        return switch (state) {
            case State.Forever f -> f.lease();
            case State.Bound b -> b.lease();
            case State.Renewing r -> r.lease();
            case State.Rebinding r -> r.lease();
            case State.Lost l -> l.lease();
            case State.Idle _ -> null;
        };
    }

    /** Starts keeping {@code lease}, which counts from {@code start}. */
    void begin(long start, Lease lease) {
        if (lease.infinite()) {
            transition(new State.Forever(lease));
            return;
        }
        transition(new State.Bound(lease, start + lease.renewalSeconds() * Timing.SECOND,
                start + lease.rebindingSeconds() * Timing.SECOND, start + lease.leaseSeconds() * Timing.SECOND));
    }

    long pollAt() {
        return switch (state) {
            case State.Bound b -> b.t1At();
            case State.Renewing r -> Math.min(r.retryAt(), r.t2At());
            case State.Rebinding r -> Math.min(r.retryAt(), r.endAt());
            default -> Long.MAX_VALUE;
        };
    }

    void poll(long now) {
        switch (state) {
            case State.Bound b when now >= b.endAt() -> lost(b.lease(), now, b.lease().leaseSeconds() == 0
                    ? "the server gave a lease of 0 s (option 51), over as it began" : "no renewal was possible");
            case State.Bound b when now >= b.t2At() -> {
                startedAt = now; // no renewing first (T1 = T2): the renewal process begins here
                rebind(now, b.lease(), random.nextInt(), now, b.endAt());
            }
            case State.Bound b when now >= b.t1At() -> {
                startedAt = now;
                renew(now, b.lease(), random.nextInt(), now, b.t2At(), b.endAt());
            }
            case State.Renewing r when now >= r.endAt() -> lost(r.lease(), now, "no answer to renewal");
            case State.Renewing r when now >= r.t2At() -> rebind(now, r.lease(), random.nextInt(), now, r.endAt());
            case State.Renewing r when now >= r.retryAt() -> renew(now, r.lease(), r.xid(), r.firstAt(), r.t2At(), r.endAt());
            case State.Rebinding r when now >= r.endAt() -> lost(r.lease(), now,
                    "no server answered the DHCPREQUESTs at T1 (unicast to " + r.lease().dhcpServer() + ") and T2 (broadcast)");
            case State.Rebinding r when now >= r.retryAt() -> rebind(now, r.lease(), r.xid(), r.firstAt(), r.endAt());
            default -> {
            }
        }
    }

    private void renew(long now, Lease lease, int xid, long firstAt, long t2At, long endAt) {
        int len = messages.extend(xid, secs(now), lease.address());
        SendResult r = net.sendUdp(now, BootpMessage.CLIENT_PORT, lease.dhcpServer(), BootpMessage.SERVER_PORT, len, messages);
        if (r == SendResult.SENT || r == SendResult.PENDING_ARP) {
            requests++;
        }
        // A request the link could not take is not retried before the RFC's next retransmission: T2 covers a server
        // that is unreachable by unicast (RFC 2131 section 4.4.5).
        transition(new State.Renewing(lease, xid, firstAt, Timing.renewRetryAt(now, t2At), t2At, endAt));
    }

    private void rebind(long now, Lease lease, int xid, long firstAt, long endAt) {
        int len = messages.extend(xid, secs(now), lease.address());
        if (net.sendUdp(now, BootpMessage.CLIENT_PORT, Ipv4Address.BROADCAST, BootpMessage.SERVER_PORT, len, messages)
                == SendResult.SENT) {
            requests++;
        }
        transition(new State.Rebinding(lease, xid, firstAt, Timing.renewRetryAt(now, endAt), endAt));
    }

    /** Handles a reply for our hardware address while renewing or rebinding. */
    void onReply(long now, BootpMessage m, Ipv4Address src) {
        int xid;
        long firstAt;
        Lease lease;
        switch (state) {
            case State.Renewing r -> {
                xid = r.xid();
                firstAt = r.firstAt();
                lease = r.lease();
            }
            case State.Rebinding r -> {
                xid = r.xid();
                firstAt = r.firstAt();
                lease = r.lease();
            }
            default -> {
                return;
            }
        }
        if (m.xid() != xid) {
            return;
        }
        var type = m.options().messageType().orElse(null);
        Ipv4Address server = Offer.serverId(m, src);
        if (type == DhcpMessageType.Known.NAK) {
            lost(lease, now, "DHCPNAK from " + server + m.options().option(DhcpOption.MESSAGE)
                    .map(x -> ": " + ((DhcpOption.Message) x).text()).orElse(""));
            return;
        }
        if (type != DhcpMessageType.Known.ACK) {
            return;
        }
        if (!m.yiaddr().equals(lease.address())) {
            lost(lease, now, "the renewal's DHCPACK from " + server + " names " + m.yiaddr() + ", not " + lease.address());
            return;
        }
        long[] t = Timing.leaseTimes(m.options());
        renewals++;
        // RFC 2131 section 4.4.5: the new lease counts from the time the request was sent.
        begin(firstAt, lease.renewed(server, t[0], t[1], t[2]));
    }

    private void lost(Lease lease, long now, String why) {
        transition(new State.Lost(lease, "lease of " + lease.address() + " from " + lease.dhcpServer() + " lost at "
                + Timing.seconds(now) + " s: " + why));
    }

    /**
     * Returns the 'secs' of a DHCPREQUEST sent at {@code now}: "seconds elapsed since client began address acquisition or
     * renewal process" (RFC 2131 table 1), the renewal process beginning at T1, or at T2 when the lease's T1 is its T2.
     */
    private int secs(long now) {
        return (int) Math.min(0xFFFF, (now - startedAt) / Timing.SECOND);
    }

    private void transition(State next) {
        state = next;
    }
}
