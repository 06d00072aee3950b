package dev.netboot.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.DhcpMessageType;
import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/** Keeping a lease, as timelines (RFC 2131 section 4.4.5): renew at T1 by unicast, rebind at T2 by broadcast, lose it at the end. */
class RenewalTest extends DhcpTimeline {
    /** A 100 s lease, T1 50 s, T2 80 s. */
    static final Reply SHORT = Reply.OFFER.with(new DhcpOption.LeaseTime(100)).with(new DhcpOption.RenewalTime(50))
            .with(new DhcpOption.RebindingTime(80));

    int xid;

    /** Gets the short lease: DHCPREQUEST at 10 ms (the lease counts from there), DHCPACK at 20 ms, no probe. */
    void bound() {
        start(CONFIG.withProbes(0, MS));
        xid = broadcastAt(0).xid();
        deliver(10 * MS, SHORT.xid(xid));
        broadcastAt(10 * MS);
        deliver(20 * MS, SHORT.xid(xid).type(DhcpMessageType.Known.ACK));
        assertInstanceOf(LeaseStage.State.Bound.class, stage.state());
    }

    Reply ack(int x) {
        return SHORT.xid(x).type(DhcpMessageType.Known.ACK);
    }

    @Test
    void renewsAtT1ByUnicastToTheServer() {
        bound();
        long t1 = 10 * MS + 50 * SEC;
        assertEquals(t1, stage.pollAt());
        poll(t1 - 1);
        link.expectNoTx();
        poll(t1);
        assertEquals(SERVER, arpAt(t1).tpa());                                   // the server's MAC first
        arpReply(t1 + MS, SERVER_MAC, SERVER);
        BootpMessage r = unicastAt(t1 + MS, SERVER_MAC, SERVER, 67);
        assertEquals(DhcpMessageType.Known.REQUEST, type(r));
        assertEquals(OFFERED, r.ciaddr());                                       // RFC 2131 4.3.2 RENEWING: ciaddr
        assertFalse(r.options().has(DhcpOption.REQUESTED_ADDRESS));              // MUST NOT
        assertFalse(r.options().has(DhcpOption.SERVER_ID));                      // MUST NOT
        assertEquals(0, r.flags());
        deliver(t1 + 2 * MS, ack(r.xid()));
        assertEquals(1, stage.renewals());
        // The new lease counts from the request: T1 again 50 s after t1.
        assertEquals(t1 + 50 * SEC, stage.pollAt());
        assertEquals(OFFERED, net.address());
    }

    /** A DHCPACK with a lease of 0 s (option 51): the lease is over as it begins, and the line says why. */
    @Test
    void aLeaseOfZeroSecondsIsLostAtOnceAndSaysSo() {
        start(CONFIG.withProbes(0, MS));
        xid = broadcastAt(0).xid();
        Reply zero = Reply.OFFER.with(new DhcpOption.LeaseTime(0));
        deliver(10 * MS, zero.xid(xid));
        broadcastAt(10 * MS);
        deliver(20 * MS, zero.xid(xid).type(DhcpMessageType.Known.ACK));
        poll(20 * MS);                                                     // the lease ended at 10 ms, as it began
        LeaseStage.State.Lost l = assertInstanceOf(LeaseStage.State.Lost.class, stage.state());
        assertEquals("lease of 192.0.2.42 from 192.0.2.1 lost at 0.0 s: the server gave a lease of 0 s (option 51), over as it"
                + " began", l.reason());
        assertEquals(Ipv4Address.ANY, net.address());
        link.expectNoTx();
    }

    @Test
    void rebindsAtT2ByBroadcastWhenTheServerIsSilent() {
        bound();
        long t1 = 10 * MS + 50 * SEC;
        long t2 = 10 * MS + 80 * SEC;
        poll(t1);
        arpAt(t1);
        arpReply(t1 + MS, SERVER_MAC, SERVER);
        unicastAt(t1 + MS, SERVER_MAC, SERVER, 67);
        // RFC 2131 4.4.5: wait half the time left to T2, at least 60 s: with 30 s left, the next try is T2 itself.
        poll(t2 - 1);
        link.expectNoTx();
        poll(t2);
        BootpMessage r = broadcastAt(t2);
        assertEquals(DhcpMessageType.Known.REQUEST, type(r));
        assertEquals(OFFERED, r.ciaddr());
        assertEquals(OFFERED, net.address(), "still ours until the lease ends");
        // Another server answers the rebinding: it becomes the lease's server.
        deliver(t2 + MS, ack(r.xid()).from(SERVER2));
        assertEquals(1, stage.renewals());
        assertEquals(SERVER2, stage.lease().dhcpServer());
        assertEquals(t2 + 50 * SEC, stage.pollAt());
    }

    /**
     * A lease whose T1 is its T2 (ISC dhcpd with dhcp-renewal-time and dhcp-rebinding-time equal) is rebound at T2 with
     * no renewing first, and the renewal process begins there: 'secs' is "seconds elapsed since client began address
     * acquisition or renewal process" (RFC 2131 table 1), 0 in its first request. Seen on a veth pair against dhcpd with
     * both 6 s: the rebinding requests said 6, 12 and 18, the seconds since the boot began.
     */
    @Test
    void aLeaseWhoseT1IsItsT2IsReboundAtT2WithSecsCountingFromThere() {
        start(CONFIG.withProbes(0, MS));
        xid = broadcastAt(0).xid();
        Reply same = SHORT.with(new DhcpOption.RenewalTime(80));                  // T1 = T2 = 80 s
        deliver(10 * MS, same.xid(xid));
        broadcastAt(10 * MS);
        deliver(20 * MS, same.xid(xid).type(DhcpMessageType.Known.ACK));
        long t2 = 10 * MS + 80 * SEC;
        poll(t2);
        BootpMessage r = broadcastAt(t2);                                        // rebinding: broadcast, ciaddr ours
        assertEquals(OFFERED, r.ciaddr());
        assertEquals(0, r.secs());
        deliver(t2 + MS, same.xid(r.xid()).type(DhcpMessageType.Known.ACK));
        assertEquals(1, stage.renewals());
        poll(t2 + 80 * SEC);                                                     // the renewed lease counts from t2
        BootpMessage again = broadcastAt(t2 + 80 * SEC);
        assertEquals(OFFERED, again.ciaddr());
        assertEquals(0, again.secs());
    }

    @Test
    void aLeaseNobodyRenewsIsLostAtItsEndAndTheAddressIsDropped() {
        bound();
        long t1 = 10 * MS + 50 * SEC;
        long t2 = 10 * MS + 80 * SEC;
        long end = 10 * MS + 100 * SEC;
        poll(t1);
        arpAt(t1);
        arpReply(t1 + MS, SERVER_MAC, SERVER);
        unicastAt(t1 + MS, SERVER_MAC, SERVER, 67);
        poll(t2);
        broadcastAt(t2);
        poll(end - 1);
        link.expectNoTx();
        assertInstanceOf(LeaseStage.State.Bound.class, stage.state());
        poll(end);
        LeaseStage.State.Lost l = assertInstanceOf(LeaseStage.State.Lost.class, stage.state());
        assertEquals("lease of 192.0.2.42 from 192.0.2.1 lost at 100.0 s: no server answered the DHCPREQUESTs at T1 (unicast"
                + " to 192.0.2.1) and T2 (broadcast)", l.reason());
        assertEquals(Ipv4Address.ANY, net.address());                            // RFC 2131 4.4.5: stop using it
        assertEquals(Long.MAX_VALUE, stage.pollAt());
        assertFalse(net.isBound(68));
    }

    @Test
    void aNakWhileRenewingLosesTheLeaseAtOnce() {
        bound();
        long t1 = 10 * MS + 50 * SEC;
        poll(t1);
        arpAt(t1);
        arpReply(t1 + MS, SERVER_MAC, SERVER);
        BootpMessage r = unicastAt(t1 + MS, SERVER_MAC, SERVER, 67);
        deliver(t1 + 2 * MS, ack(r.xid()).type(DhcpMessageType.Known.NAK).yiaddr(Ipv4Address.ANY)
                .with(new DhcpOption.Message("lease not found")));
        LeaseStage.State.Lost l = assertInstanceOf(LeaseStage.State.Lost.class, stage.state());
        assertTrue(l.reason().endsWith("DHCPNAK from 192.0.2.1: lease not found"), l.reason());
        assertEquals(Ipv4Address.ANY, net.address());
    }

    @Test
    void anInfiniteLeaseNeedsNothing() {
        start(CONFIG.withProbes(0, MS));
        xid = broadcastAt(0).xid();
        Reply forever = Reply.OFFER.with(new DhcpOption.LeaseTime(DhcpOption.INFINITE));
        deliver(10 * MS, forever.xid(xid));
        broadcastAt(10 * MS);
        deliver(20 * MS, forever.xid(xid).type(DhcpMessageType.Known.ACK));
        assertTrue(stage.lease().infinite());
        assertEquals(Long.MAX_VALUE, stage.pollAt());
    }

    @Test
    void missingT1AndT2DefaultToHalfAndSevenEighths() {
        start(CONFIG.withProbes(0, MS));
        xid = broadcastAt(0).xid();
        deliver(10 * MS, Reply.OFFER.xid(xid).with(new DhcpOption.LeaseTime(800)));
        broadcastAt(10 * MS);
        deliver(20 * MS, Reply.OFFER.xid(xid).with(new DhcpOption.LeaseTime(800)).type(DhcpMessageType.Known.ACK));
        Lease l = stage.lease();
        assertEquals(400, l.renewalSeconds());
        assertEquals(700, l.rebindingSeconds());
    }

    /** Gets a lease from an ACK with {@code options}; returns it. */
    Lease leaseOf(DhcpOption... options) {
        start(CONFIG.withProbes(0, MS));
        xid = broadcastAt(0).xid();
        Reply offer = Reply.OFFER.xid(xid);
        for (DhcpOption o : options) {
            offer = offer.with(o);
        }
        deliver(10 * MS, offer);
        broadcastAt(10 * MS);
        deliver(20 * MS, offer.type(DhcpMessageType.Known.ACK));
        return stage.lease();
    }

    @Test
    void aT1OrT2OfZeroFromTheServerIsTakenAsNotGivenNotAsRenewAtOnce() {
        // A server saying T1 = 0 would have the board renew at once and again at each DHCPACK, as fast as the server
        // answers: RFC 2131 4.4.5's defaults instead (half and seven eighths of the lease).
        Lease l = leaseOf(new DhcpOption.LeaseTime(800), new DhcpOption.RenewalTime(0), new DhcpOption.RebindingTime(0));
        assertEquals(400, l.renewalSeconds());
        assertEquals(700, l.rebindingSeconds());
        assertEquals(10 * MS + 400 * SEC, stage.pollAt());
    }

    @Test
    void aOneSecondLeaseIsNotRenewedBeforeItsSecondIsOver() {
        // Half of 1 s in whole seconds is 0: renewing at 0 s would flood the server. The lease ends unrenewed.
        Lease l = leaseOf(new DhcpOption.LeaseTime(1));
        assertEquals(1, l.renewalSeconds());
        assertEquals(1, l.rebindingSeconds());
        assertEquals(10 * MS + SEC, stage.pollAt());
    }
}
