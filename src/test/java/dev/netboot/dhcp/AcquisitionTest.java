package dev.netboot.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.bootp.BootpConfig;
import dev.netboot.net.Frames;
import dev.netboot.net.ScriptedLink;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.DhcpMessageType;
import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Getting a lease, as timelines: RFC 2131 DORA, the offer window, NAK, DECLINE, BOOTP replies, ProxyDHCP, a relay. */
class AcquisitionTest extends DhcpTimeline {
    /** Lets DHCPDISCOVER at 0 through and returns its xid. */
    int discovered() {
        BootpMessage d = broadcastAt(0);
        assertEquals(DhcpMessageType.Known.DISCOVER, type(d));
        return d.xid();
    }

    Lease bound() {
        return assertInstanceOf(LeaseStage.State.Bound.class, stage.state()).lease();
    }

    @Test
    void discoverCarriesWhatServersNeedToAnswerAPxeBoard() {
        start(CONFIG);
        BootpMessage d = broadcastAt(0);
        assertEquals(BootpMessage.BOOTREQUEST, d.op());
        assertEquals(BootpMessage.FLAG_BROADCAST, d.flags());                 // RFC 1542 3.1.1: no address yet
        assertEquals(Ipv4Address.ANY, d.ciaddr());
        assertEquals(BOARD, d.chaddr());
        assertEquals(0, d.secs());
        assertEquals(List.of(53, 61, 57, 55, 60, 93, 94, 97), List.copyOf(d.options().values().keySet()));
        assertEquals(DhcpMessageType.Known.DISCOVER, type(d));
        assertEquals(DhcpOption.ClientId.of(BOARD), option(d, 61));
        assertEquals(new DhcpOption.MaxMessageSize(1472), option(d, 57));     // MTU 1500 less IP and UDP headers
        assertEquals(new DhcpOption.ParameterRequestList(List.of(1, 3, 6, 12, 13, 15, 28, 51, 54, 58, 59, 66, 67, 150, 43)),
                option(d, 55));
        assertEquals(new DhcpOption.VendorClass("PXEClient:Arch:00022:UNDI:003016"), option(d, 60));
        assertEquals(new DhcpOption.ClientArch(List.of(22)), option(d, 93));
        assertEquals(new DhcpOption.ClientNdi(1, 3, 16), option(d, 94));
        assertEquals(new DhcpOption.ClientMachineId(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, (byte) 0x99, 0, 0x10}),
                option(d, 97));
    }

    @Test
    void aPlainVendorClassAndAHostNameComeFromTheProfile() {
        start(new DhcpConfig(DhcpConfig.Protocol.AUTO, 0, 0, MS, 0, "acme-board", false, 0, "board-7"));
        BootpMessage d = broadcastAt(0);
        assertEquals(List.of(53, 61, 57, 55, 60, 12), List.copyOf(d.options().values().keySet()));
        assertEquals(new DhcpOption.VendorClass("acme-board"), option(d, 60));
        assertEquals(new DhcpOption.HostName("board-7"), option(d, 12));
    }

    @Test
    void doraWithAnOfferNamingServerAndFileThenTheArpProbe() {
        start(CONFIG);
        int xid = discovered();
        // The offer names both the boot server and the file: nothing can beat it, so the REQUEST goes at once.
        deliver(10 * MS, Reply.OFFER.xid(xid));
        BootpMessage r = broadcastAt(10 * MS);
        assertEquals(DhcpMessageType.Known.REQUEST, type(r));
        assertEquals(xid, r.xid());
        assertEquals(Ipv4Address.ANY, r.ciaddr());                             // RFC 2131 4.3.2 SELECTING
        assertEquals(new DhcpOption.RequestedAddress(OFFERED), option(r, 50));
        assertEquals(new DhcpOption.ServerId(SERVER), option(r, 54));
        assertInstanceOf(LeaseStage.State.Acquiring.class, stage.state());

        deliver(20 * MS, Reply.OFFER.xid(xid).type(DhcpMessageType.Known.ACK).with(new DhcpOption.RenewalTime(1800))
                .with(new DhcpOption.RebindingTime(3150)));
        assertEquals(Ipv4Address.ANY, net.address(), "not ours before the probe");
        probesAndAnnounces(20 * MS);
        Lease l = bound();
        assertEquals(OFFERED, net.address());
        assertEquals(Lease.Source.DHCP, l.source());
        assertEquals(SERVER, l.dhcpServer());
        assertEquals("192.0.2.1 (siaddr), boot.img (file)", l.boot().describe());
        assertEquals(MASK, l.netmask());
        assertEquals(SERVER, l.gateway());
        assertEquals(ip("192.0.2.255"), l.broadcast());                       // no option 28: the all-ones host part
        assertEquals("", l.domain());
        assertEquals(List.of(3600L, 1800L, 3150L), List.of(l.leaseSeconds(), l.renewalSeconds(), l.rebindingSeconds()));
        assertEquals(2, stage.requests());
        assertEquals(0, stage.retransmissions());
    }

    @Test
    void aSlowerOfferNamingTheBootFileBeatsAFasterOneWithin500ms() {
        start(CONFIG);
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid).siaddr(Ipv4Address.ANY).file(""));           // fast, no boot file
        link.expectNoTx();
        deliver(300 * MS, Reply.OFFER.xid(xid).from(SERVER2).yiaddr(ip("192.0.2.77")));    // slow, complete
        BootpMessage r = broadcastAt(300 * MS);
        assertEquals(new DhcpOption.ServerId(SERVER2), option(r, 54));
        assertEquals(new DhcpOption.RequestedAddress(ip("192.0.2.77")), option(r, 50));
    }

    /**
     * Offers of an address no board can take as its own come first and complete (server and file named), as from a
     * rogue or broken server: each is no offer, and the honest server's, 290 ms later, is the one requested. RFC 1122
     * section 3.2.1.3 keeps 0.0.0.0/8 (but as a source while a host learns its address), 127.0.0.0/8 and the subnet's
     * network and broadcast addresses (host part all zeros, all ones: 192.0.2.0 and 192.0.2.255 under 255.255.255.0)
     * from every host; 224.0.0.0/4 are groups (RFC 1112), 240.0.0.0/4 reserved. Taking one, the board would send from
     * an address not its own and fail later in words that hide why.
     */
    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.42", "127.0.0.42", "224.0.0.42", "240.0.0.42", "255.255.255.255", "192.0.2.0", "192.0.2.255"})
    void anOfferOfAnAddressNoHostMayHaveIsNoOffer(String bad) {
        start(CONFIG);
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid).yiaddr(ip(bad)));                             // first, complete, unusable
        link.expectNoTx();
        deliver(300 * MS, Reply.OFFER.xid(xid).from(SERVER2).yiaddr(ip("192.0.2.77")));    // the honest server
        BootpMessage r = broadcastAt(300 * MS);
        assertEquals(DhcpMessageType.Known.REQUEST, type(r));
        assertEquals(new DhcpOption.ServerId(SERVER2), option(r, 54));
        assertEquals(new DhcpOption.RequestedAddress(ip("192.0.2.77")), option(r, 50));
    }

    /** On a /31 (RFC 3021) both addresses are hosts': an offer of 192.0.2.0/31 is taken at once, as any complete one. */
    @Test
    void onA31BothAddressesAreHosts() {
        start(CONFIG);
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid).yiaddr(ip("192.0.2.0")).with(new DhcpOption.SubnetMask(ip("255.255.255.254"))));
        BootpMessage r = broadcastAt(10 * MS);
        assertEquals(new DhcpOption.RequestedAddress(ip("192.0.2.0")), option(r, 50));
    }

    /**
     * An offer naming no boot (no server, no file) and no ProxyDHCP offer beside it is held while the board keeps
     * asking, until its third DHCPDISCOVER is due (1 s + 2 s without jitter), then taken: its lease can only fail the
     * boot, so a slower server naming the boot gets that long.
     */
    @Test
    void anOfferNamingNoBootIsHeldUntilTheThirdDiscoverIsDueThenTaken() {
        start(CONFIG.withProbes(0, MS));
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid).siaddr(Ipv4Address.ANY).file(""));
        poll(510 * MS);                                                                     // 10 ms + offer-wait 500 ms
        link.expectNoTx();
        poll(SEC);
        BootpMessage again = broadcastAt(SEC);                                              // RFC 2131 4.1: 1 s, then 2 s
        assertEquals(DhcpMessageType.Known.DISCOVER, type(again));
        assertEquals(xid, again.xid());
        deliver(SEC + 10 * MS, Reply.OFFER.xid(xid).siaddr(Ipv4Address.ANY).file(""));     // the same server again
        poll(3 * SEC - 1);
        link.expectNoTx();
        poll(3 * SEC);                                                                      // instead of the third DHCPDISCOVER
        BootpMessage r = broadcastAt(3 * SEC);
        assertEquals(DhcpMessageType.Known.REQUEST, type(r));
        assertEquals(new DhcpOption.ServerId(SERVER), option(r, 54));
        deliver(3 * SEC + 10 * MS, Reply.OFFER.xid(xid).siaddr(Ipv4Address.ANY).file("").type(DhcpMessageType.Known.ACK));
        LeaseStage.State.Failed f = assertInstanceOf(LeaseStage.State.Failed.class, stage.state());
        assertEquals("DHCP server 192.0.2.1 gave 192.0.2.42 but siaddr is 0.0.0.0 and there is no option 66, option 150 or"
                + " dotted sname (expected: a TFTP server); no boot file in the file field or option 67; no ProxyDHCP server"
                + " answered", f.reason());
    }

    /**
     * ISC dhcpd pings an address for a second before it offers it (ping-check, on by default): its offer naming the
     * boot comes 1 s after the DHCPDISCOVER, long after a DHCP-only server's. The board takes it, not the first.
     */
    @Test
    void anOfferNamingTheBootASecondLaterBeatsAnEarlierOneWithout() {
        start(CONFIG);
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid).siaddr(Ipv4Address.ANY).file(""));           // fast, no boot file
        poll(SEC);
        assertEquals(DhcpMessageType.Known.DISCOVER, type(broadcastAt(SEC)));
        deliver(SEC + 5 * MS, Reply.OFFER.xid(xid).from(SERVER2).yiaddr(ip("192.0.2.77"))); // after its ping: complete
        BootpMessage r = broadcastAt(SEC + 5 * MS);
        assertEquals(DhcpMessageType.Known.REQUEST, type(r));
        assertEquals(new DhcpOption.ServerId(SERVER2), option(r, 54));
        assertEquals(new DhcpOption.RequestedAddress(ip("192.0.2.77")), option(r, 50));
    }

    /** A ProxyDHCP offer while an offer naming no boot is held completes that one: the DHCPREQUEST goes at once. */
    @Test
    void aProxyOfferEndsTheHoldOfAnOfferNamingNoBoot() {
        start(CONFIG);
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid).siaddr(Ipv4Address.ANY).file(""));
        poll(510 * MS);
        link.expectNoTx();
        deliverFrom(700 * MS, Reply.OFFER.xid(xid).from(PROXY).yiaddr(Ipv4Address.ANY).with(
                new DhcpOption.VendorClass("PXEClient")), OTHER_MAC, PROXY);
        BootpMessage r = broadcastAt(700 * MS);
        assertEquals(DhcpMessageType.Known.REQUEST, type(r));
        assertEquals(new DhcpOption.ServerId(SERVER), option(r, 54));
    }

    /** No hold for an offer that comes only after the second DHCPDISCOVER went: the window closes, the offer is taken. */
    @Test
    void anOfferNamingNoBootAfterTheThirdDiscoverIsTakenWhenItsWindowCloses() {
        start(CONFIG.withProbes(0, MS));
        int xid = discovered();
        poll(SEC);
        broadcastAt(SEC);
        poll(3 * SEC);
        broadcastAt(3 * SEC);
        deliver(3 * SEC + 10 * MS, Reply.OFFER.xid(xid).siaddr(Ipv4Address.ANY).file(""));
        poll(3 * SEC + 510 * MS);
        assertEquals(DhcpMessageType.Known.REQUEST, type(broadcastAt(3 * SEC + 510 * MS)));
    }

    @Test
    void theRequestRepeatsTheSecsOfTheDiscoverSoRelaysTreatItAlike() {
        start(CONFIG.withProbes(0, MS));
        int xid = discovered();
        poll(SEC);
        assertEquals(1, broadcastAt(SEC).secs());
        poll(3 * SEC);
        assertEquals(3, broadcastAt(3 * SEC).secs());                       // the last DHCPDISCOVER: secs 3
        deliver(3900 * MS, Reply.OFFER.xid(xid).siaddr(Ipv4Address.ANY).file(""));
        poll(4400 * MS);                                                     // the window ends at 4.4 s: secs would be 4
        BootpMessage r = broadcastAt(4400 * MS);
        assertEquals(DhcpMessageType.Known.REQUEST, type(r));
        assertEquals(3, r.secs(), "RFC 2131 3.1: the DHCPREQUEST MUST use the DHCPDISCOVER's 'secs'");
    }

    @Test
    void nakSendsTheBoardBackToDiscoveryWithANewXid() {
        start(CONFIG.withProbes(0, MS));
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid));
        broadcastAt(10 * MS);
        deliver(20 * MS, Reply.OFFER.xid(xid).type(DhcpMessageType.Known.NAK).yiaddr(Ipv4Address.ANY)
                .with(new DhcpOption.Message("address not available")));
        BootpMessage d = broadcastAt(20 * MS);                                  // RFC 2131 4.4.1: restart at once
        assertEquals(DhcpMessageType.Known.DISCOVER, type(d));
        assertNotEquals(xid, d.xid());
        assertEquals(1, stage.naks());
        deliver(30 * MS, Reply.OFFER.xid(d.xid()).yiaddr(ip("192.0.2.43")));
        broadcastAt(30 * MS);
        deliver(40 * MS, Reply.OFFER.xid(d.xid()).yiaddr(ip("192.0.2.43")).type(DhcpMessageType.Known.ACK));
        assertEquals(ip("192.0.2.43"), bound().address());
    }

    @Test
    void aNakFromAnotherServerIsNotOurs() {
        start(CONFIG.withProbes(0, MS));
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid));
        broadcastAt(10 * MS);
        deliver(20 * MS, Reply.OFFER.xid(xid).type(DhcpMessageType.Known.NAK).from(SERVER2));
        link.expectNoTx();
        assertEquals(0, stage.naks());
        deliver(30 * MS, Reply.OFFER.xid(xid).type(DhcpMessageType.Known.ACK));
        assertEquals(OFFERED, bound().address());
    }

    /**
     * A server that refuses every DHCPREQUEST (ISC dhcpd "authoritative" on a subnet that is not the board's): RFC 2131
     * section 4.4.1 restarts discovery after each DHCPNAK; the first restart goes at once, each further one waits as an
     * unanswered DHCPDISCOVER would (section 4.1; here 1 s doubling to 16 s, no jitter), so the exchange repeats 8 times in
     * the 60 s budget, not as fast as the wire goes. The give-up message says who refused and the server's words.
     */
    @Test
    void aServerNakingEveryRequestIsAskedAgainAfterTheDiscoverBackoffAndTheGiveUpSaysSo() {
        start(CONFIG.withProbes(0, MS));
        // Each DHCPNAK comes 20 ms after its DHCPDISCOVER; the next DHCPDISCOVER follows it by 0, 1, 2, 4, 8, 16, 16 s.
        long[] discovers = {0, 20 * MS, 1040 * MS, 3060 * MS, 7080 * MS, 15100 * MS, 31120 * MS, 47140 * MS};
        int previous = 0;
        for (int i = 0; i < discovers.length; i++) {
            long at = discovers[i];
            if (i > 1) {                                                    // nothing before it is due
                poll(at - 1);
                link.expectNoTx();
            }
            poll(at);
            BootpMessage d = broadcastAt(at);
            assertEquals(DhcpMessageType.Known.DISCOVER, type(d));
            assertNotEquals(previous, d.xid());
            previous = d.xid();
            deliver(at + 10 * MS, Reply.OFFER.xid(d.xid()));
            assertEquals(DhcpMessageType.Known.REQUEST, type(broadcastAt(at + 10 * MS)));
            deliver(at + 20 * MS, Reply.OFFER.xid(d.xid()).type(DhcpMessageType.Known.NAK).yiaddr(Ipv4Address.ANY)
                    .with(new DhcpOption.Message("wrong network")));
        }
        assertEquals(8, stage.naks());
        poll(60 * SEC - 1);                                                 // the ninth would be due at 63.16 s
        link.expectNoTx();
        assertInstanceOf(LeaseStage.State.Acquiring.class, stage.state());
        poll(60 * SEC);
        LeaseStage.State.Failed f = assertInstanceOf(LeaseStage.State.Failed.class, stage.state());
        assertEquals("DHCP: no lease after 8 DHCPDISCOVERs in 60.0 s: 8 DHCPREQUESTs refused with DHCPNAK by 192.0.2.1"
                + " (wrong network)", f.reason());
        link.expectNoTx();
    }

    /** Two servers refusing in turn, one without option 56: both are named, each with its words. */
    @Test
    void refusalsFromTwoServersNameBoth() {
        start(CONFIG.withProbes(0, MS), new BootpConfig(SEC, 16 * SEC, 0, 5 * SEC), 1);
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid));
        broadcastAt(10 * MS);
        deliver(20 * MS, Reply.OFFER.xid(xid).type(DhcpMessageType.Known.NAK).with(new DhcpOption.Message("no")));
        BootpMessage d = broadcastAt(20 * MS);                              // the first restart: at once
        deliver(30 * MS, Reply.OFFER.xid(d.xid()).from(SERVER2));
        broadcastAt(30 * MS);
        deliver(40 * MS, Reply.OFFER.xid(d.xid()).from(SERVER2).type(DhcpMessageType.Known.NAK));
        link.expectNoTx();                                                  // the second: 1 s later
        poll(1040 * MS);
        assertEquals(DhcpMessageType.Known.DISCOVER, type(broadcastAt(1040 * MS)));
        poll(2040 * MS);                                                    // nothing answers now: 1 s, 2 s, the budget
        assertEquals(DhcpMessageType.Known.DISCOVER, type(broadcastAt(2040 * MS)));
        poll(4040 * MS);
        assertEquals(DhcpMessageType.Known.DISCOVER, type(broadcastAt(4040 * MS)));
        poll(5 * SEC);
        LeaseStage.State.Failed f = assertInstanceOf(LeaseStage.State.Failed.class, stage.state());
        assertEquals("DHCP: no lease after 5 DHCPDISCOVERs in 5.0 s: 2 DHCPREQUESTs refused with DHCPNAK by 192.0.2.1 (no)"
                + " and 192.0.2.2", f.reason());
    }

    /**
     * Option 3 lists routers "on the client's subnet ... in order of preference" (RFC 2132 section 3.5); a server may
     * list another subnet's router first (one option shared by several subnets), or the board's own address. A next hop
     * must be "a gateway on a connected network" (RFC 1122 section 3.3.1) and a host there: the gateway is the first
     * router in the board's subnet that is neither the board nor the subnet's network or broadcast address.
     */
    @Test
    void theGatewayIsTheFirstRouterOnTheBoardsSubnetThatIsNotTheBoardNorTheSubnetsOwnAddresses() {
        start(CONFIG.withProbes(0, MS));
        int xid = discovered();
        List<Ipv4Address> routers = List.of(ip("198.51.100.1"), OFFERED, ip("192.0.2.0"), ip("192.0.2.255"), ip("192.0.2.254"),
                SERVER);
        Reply offer = Reply.OFFER.xid(xid).with(new DhcpOption.Router(routers));
        deliver(10 * MS, offer);
        broadcastAt(10 * MS);
        deliver(20 * MS, offer.type(DhcpMessageType.Known.ACK));
        Lease l = bound();
        assertEquals(ip("192.0.2.254"), l.gateway());
        assertEquals(routers, l.routers());
        assertEquals(ip("192.0.2.254"), net.nextHop(ip("203.0.113.9")));      // off-link traffic goes there
    }

    @Test
    void routersNoneOfWhichTheBoardCanUseGiveNoGatewayAndTheLeaseSaysWhy() {
        start(CONFIG.withProbes(0, MS));
        int xid = discovered();
        Reply offer = Reply.OFFER.xid(xid).with(new DhcpOption.Router(List.of(ip("198.51.100.1"), OFFERED, ip("192.0.2.255"))));
        deliver(10 * MS, offer);
        broadcastAt(10 * MS);
        deliver(20 * MS, offer.type(DhcpMessageType.Known.ACK));
        Lease l = bound();
        assertEquals(Ipv4Address.ANY, l.gateway());
        assertEquals(Ipv4Address.ANY, net.nextHop(ip("203.0.113.9")));        // no route off the subnet
        assertEquals("no usable router (option 3: 198.51.100.1 not on the subnet 192.0.2.0/24, 192.0.2.42 the board's own"
                + " address, 192.0.2.255 the subnet's broadcast address)", l.noGateway());
    }

    @Test
    void anAddressInUseIsDeclinedAndDiscoveryRestartsTenSecondsLater() {
        start(CONFIG);
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid));
        broadcastAt(10 * MS);
        deliver(20 * MS, Reply.OFFER.xid(xid).type(DhcpMessageType.Known.ACK));
        assertEquals(OFFERED, arpAt(20 * MS).tpa());                            // the first probe
        // Another host answers for the address (RFC 5227 2.1.1: any ARP with the address as sender IP).
        link.deliver(100 * MS, dev.netboot.net.Frames.arpReply(OTHER_MAC, OFFERED, BOARD, Ipv4Address.ANY));
        poll(100 * MS);
        BootpMessage decline = broadcastAt(100 * MS);
        assertEquals(DhcpMessageType.Known.DECLINE, type(decline));
        assertEquals(new DhcpOption.RequestedAddress(OFFERED), option(decline, 50)); // RFC 2131 table 5: MUST
        assertEquals(new DhcpOption.ServerId(SERVER), option(decline, 54));
        assertEquals(new DhcpOption.Message("address in use by 02:00:00:99:00:66"), option(decline, 56));
        assertEquals(Ipv4Address.ANY, decline.ciaddr());
        assertEquals(0, decline.secs());                                        // RFC 2131 table 5: 0
        assertEquals(0, decline.flags());                                       // table 5: 0 (no BROADCAST flag)
        assertEquals(Ipv4Address.ANY, net.address());
        assertEquals(1, stage.conflicts());
        poll(100 * MS + 10 * SEC - 1);
        link.expectNoTx();
        poll(100 * MS + 10 * SEC);
        BootpMessage again = broadcastAt(100 * MS + 10 * SEC);
        assertEquals(DhcpMessageType.Known.DISCOVER, type(again));
        assertEquals(10, again.secs());                                         // seconds since the board began
        deliver(100 * MS + 10 * SEC + 5 * MS, Reply.OFFER.xid(again.xid()).yiaddr(ip("192.0.2.43")));
        assertEquals(new DhcpOption.RequestedAddress(ip("192.0.2.43")), option(broadcastAt(100 * MS + 10 * SEC + 5 * MS), 50));
    }

    @Test
    void anotherHostsProbeForTheSameAddressIsAConflictToo() {
        start(CONFIG);
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid));
        broadcastAt(10 * MS);
        deliver(20 * MS, Reply.OFFER.xid(xid).type(DhcpMessageType.Known.ACK));
        arpAt(20 * MS);
        link.deliver(50 * MS, dev.netboot.net.Frames.arp(OTHER_MAC, MacAddress.BROADCAST, new dev.netboot.wire.ArpPacket(
                dev.netboot.wire.ArpPacket.REQUEST, OTHER_MAC, Ipv4Address.ANY, MacAddress.ZERO, OFFERED)));
        poll(50 * MS);
        assertEquals(DhcpMessageType.Known.DECLINE, type(broadcastAt(50 * MS)));
    }

    @Test
    void aBootpBindingWhoseAddressIsInUseIsNotDeclinedButRefused() {
        // BOOTP (RFC 951) has no DHCPDECLINE, and its server holds one address per client: it would give the same again.
        start(CONFIG);
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid).without(DhcpOption.MESSAGE_TYPE).without(DhcpOption.SERVER_ID)
                .without(DhcpOption.LEASE_TIME));
        assertEquals(OFFERED, arpAt(10 * MS).tpa());                            // the first probe
        link.deliver(100 * MS, Frames.arpReply(OTHER_MAC, OFFERED, BOARD, Ipv4Address.ANY));
        poll(100 * MS);
        link.expectNoTx();                                                      // no DHCPDECLINE, no new DHCPDISCOVER
        LeaseStage.State.Failed f = assertInstanceOf(LeaseStage.State.Failed.class, stage.state());
        assertEquals(BOOTP_CONFLICT, f.reason());
        assertEquals(1, stage.conflicts());
        assertEquals(Ipv4Address.ANY, net.address());
        poll(100 * MS + 10 * SEC);
        link.expectNoTx();
    }

    @Test
    void anAckNamingNoBootFileWithNoProxyDhcpServerSaysWhatIsMissing() {
        start(CONFIG.withProbes(0, MS));
        int xid = discovered();
        // An address but no boot server nor file: the board asks on until its third DHCPDISCOVER is due for a better offer.
        deliver(10 * MS, Reply.OFFER.xid(xid).siaddr(Ipv4Address.ANY).file(""));
        link.expectNoTx();
        poll(SEC);
        assertEquals(DhcpMessageType.Known.DISCOVER, type(broadcastAt(SEC)));
        poll(3 * SEC);
        assertEquals(DhcpMessageType.Known.REQUEST, type(broadcastAt(3 * SEC)));
        deliver(3 * SEC + 10 * MS, Reply.OFFER.xid(xid).siaddr(Ipv4Address.ANY).file("").type(DhcpMessageType.Known.ACK));
        LeaseStage.State.Failed f = assertInstanceOf(LeaseStage.State.Failed.class, stage.state());
        assertTrue(f.reason().startsWith("DHCP server 192.0.2.1 gave 192.0.2.42 but siaddr is 0.0.0.0"), f.reason());
        assertTrue(f.reason().contains("no boot file in the file field or option 67"), f.reason());
        assertTrue(f.reason().endsWith("; no ProxyDHCP server answered"), f.reason());
        link.expectNoTx();
    }

    @Test
    void aReplyWithoutOption53IsABootpBinding() {
        start(CONFIG);
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid).without(DhcpOption.MESSAGE_TYPE).without(DhcpOption.SERVER_ID)
                .without(DhcpOption.LEASE_TIME));
        probesAndAnnounces(10 * MS);                                            // no DHCPREQUEST: BOOTP has none
        Lease l = bound();
        assertEquals(Lease.Source.BOOTP, l.source());
        assertTrue(l.infinite());
        assertEquals(SERVER, l.dhcpServer());
        assertEquals(1, stage.requests());
    }

    @Test
    void protocolDhcpIgnoresBootpRepliesAndSaysSoWhenItGivesUp() {
        start(CONFIG.withProtocol(DhcpConfig.Protocol.DHCP));
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid).without(DhcpOption.MESSAGE_TYPE));
        link.expectNoTx();
        long[] retransmits = {1, 3, 7, 15, 31, 47};                              // 1 s doubling to 16 s
        for (long t : retransmits) {
            poll(t * SEC - 1);
            link.expectNoTx();
            poll(t * SEC);
            assertEquals(xid, broadcastAt(t * SEC).xid());                      // retransmissions keep the xid
        }
        poll(60 * SEC);
        LeaseStage.State.Failed f = assertInstanceOf(LeaseStage.State.Failed.class, stage.state());
        assertEquals("DHCP: no usable offer after 7 DHCPDISCOVERs in 60.0 s (last reply ignored: a BOOTP reply from 192.0.2.1"
                + " (protocol = dhcp))", f.reason());
        assertEquals(6, stage.retransmissions());
        assertEquals("dhcp", stage.stageName());
    }

    @Test
    void protocolBootpSendsAPlainBootRequest() {
        start(CONFIG.withProtocol(DhcpConfig.Protocol.BOOTP).withProbes(0, MS));
        BootpMessage b = broadcastAt(0);
        assertEquals(BootpOptions.NONE.values().keySet(), b.options().values().keySet());   // no option 53
        deliver(10 * MS, Reply.OFFER.xid(b.xid()).without(DhcpOption.MESSAGE_TYPE).without(DhcpOption.SERVER_ID));
        Lease l = bound();
        assertEquals(Lease.Source.BOOTP, l.source());
        assertEquals("bootp", stage.stageName());
        assertEquals(OFFERED, net.address());
    }

    /** One line, the same whichever path took the BOOTP reply (a DHCP client's, or protocol = bootp's). */
    static final String BOOTP_CONFLICT = "BOOTP server 192.0.2.1 gave 192.0.2.42, which is in use by 02:00:00:99:00:66"
            + " (ARP probe, RFC 5227); BOOTP cannot decline it";

    @Test
    void protocolBootpRefusesAnAddressInUseInTheSameWords() {
        start(CONFIG.withProtocol(DhcpConfig.Protocol.BOOTP));
        BootpMessage b = broadcastAt(0);
        deliver(10 * MS, Reply.OFFER.xid(b.xid()).without(DhcpOption.MESSAGE_TYPE).without(DhcpOption.SERVER_ID));
        assertEquals(OFFERED, arpAt(10 * MS).tpa());                            // the first probe
        link.deliver(100 * MS, Frames.arpReply(OTHER_MAC, OFFERED, BOARD, Ipv4Address.ANY));
        poll(100 * MS);
        link.expectNoTx();
        LeaseStage.State.Failed f = assertInstanceOf(LeaseStage.State.Failed.class, stage.state());
        assertEquals(BOOTP_CONFLICT, f.reason());
        assertEquals(Ipv4Address.ANY, net.address());
    }

    @Test
    void retransmissionsAreRandomisedSoBoardsPoweredOnTogetherDrift() {
        BootpConfig jitter = new BootpConfig(SEC, 16 * SEC, 500 * MS, 60 * SEC);
        List<Long> first = new ArrayList<>();
        for (long seed = 1; seed <= 20; seed++) {
            DhcpTimeline t = new DhcpTimeline();
            t.start(CONFIG, jitter, seed);
            t.broadcastAt(0);
            long at = -1;
            for (long now = 0; now <= 2 * SEC && at < 0; now += MS) {
                t.poll(now);
                List<ScriptedLink.Tx> sent = t.link.takeTx();
                if (!sent.isEmpty()) {
                    at = sent.getFirst().at();
                }
            }
            // RFC 2131 4.1: the delay is randomised by a uniform value in -jitter..+jitter.
            assertTrue(at >= 500 * MS && at <= 1500 * MS, "seed " + seed + ": first retransmission at " + at);
            first.add(at);
        }
        assertTrue(first.stream().distinct().count() >= 15, "20 boards, retransmissions spread: " + first);
    }

    @Test
    void aProxyDhcpOfferNamingTheBootFileCompletesAnAddressOnlyLease() {
        start(CONFIG);
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid).siaddr(Ipv4Address.ANY).file(""));            // the DHCP server: address only
        // dnsmasq --dhcp-range=...,proxy: no address, vendor class PXEClient, the boot server and file.
        deliver(20 * MS, Reply.OFFER.xid(xid).from(PROXY).yiaddr(Ipv4Address.ANY).siaddr(PROXY).file("pxelinux.0")
                .without(DhcpOption.LEASE_TIME).without(DhcpOption.SUBNET_MASK).without(DhcpOption.ROUTER)
                .with(new DhcpOption.VendorClass("PXEClient")).with(new DhcpOption.VendorSpecific(new byte[] {6, 1, 8, (byte) 255})));
        link.expectNoTx();
        poll(510 * MS);                                                          // the window closes: the address offer
        assertEquals(new DhcpOption.ServerId(SERVER), option(broadcastAt(510 * MS), 54));
        deliver(520 * MS, Reply.OFFER.xid(xid).siaddr(Ipv4Address.ANY).file("").type(DhcpMessageType.Known.ACK));
        probesAndAnnounces(520 * MS);
        Lease l = bound();
        assertEquals(Lease.Source.PROXY, l.source());
        assertEquals(SERVER, l.dhcpServer());
        assertEquals(PROXY, l.proxyServer());
        assertEquals("192.0.2.3 (siaddr), pxelinux.0 (file)", l.boot().describe());
    }

    @Test
    void aProxyOfferWithoutTheFileIsAskedOnPort4011() {
        start(CONFIG.withProbes(0, MS));
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid).from(PROXY).yiaddr(Ipv4Address.ANY).siaddr(Ipv4Address.ANY).file("")
                .with(new DhcpOption.VendorClass("PXEClient")));
        deliver(20 * MS, Reply.OFFER.xid(xid).siaddr(Ipv4Address.ANY).file(""));
        poll(520 * MS);
        broadcastAt(520 * MS);
        deliver(530 * MS, Reply.OFFER.xid(xid).siaddr(Ipv4Address.ANY).file("").type(DhcpMessageType.Known.ACK));
        // The address is ours: ARP for the ProxyDHCP server, then a DHCPREQUEST from it to port 4011 (PXE 2.1).
        assertEquals(PROXY, arpAt(530 * MS).tpa());
        arpReply(531 * MS, OTHER_MAC, PROXY);
        BootpMessage req = unicastAt(531 * MS, OTHER_MAC, PROXY, 4011);
        assertEquals(DhcpMessageType.Known.REQUEST, type(req));
        assertEquals(OFFERED, req.ciaddr());
        assertEquals(new DhcpOption.VendorClass("PXEClient:Arch:00022:UNDI:003016"), option(req, 60));
        deliver(540 * MS, Reply.OFFER.xid(xid).type(DhcpMessageType.Known.ACK).from(PROXY).yiaddr(Ipv4Address.ANY)
                .siaddr(PROXY).file("boot/arm64.img").with(new DhcpOption.VendorClass("PXEClient")));
        Lease l = bound();
        assertEquals(Lease.Source.PROXY, l.source());
        assertEquals("192.0.2.3 (siaddr), boot/arm64.img (file)", l.boot().describe());
    }

    /**
     * Another server's DHCPOFFER of the same exchange that comes once the lease is bound (ISC dhcpd offers after its
     * one-second ping) is kept in mind: the boot the lease names may not start (README, "Another server's offer": "in
     * the offer window, or late"). Before, a bound stage passed it to the renewal alone, which drops offers.
     */
    @Test
    void anotherServersOfferAfterTheLeaseIsBoundIsKeptInMind() {
        start(CONFIG.withProbes(0, MS));
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid));                  // names server and file: taken at once
        broadcastAt(10 * MS);
        deliver(20 * MS, Reply.OFFER.xid(xid).type(DhcpMessageType.Known.ACK));
        assertEquals(OFFERED, bound().address());
        assertFalse(stage.alternativeSeen());
        deliver(SEC, Reply.OFFER.xid(xid + 1).from(SERVER2).yiaddr(ip("192.0.2.43")));  // another exchange's
        assertFalse(stage.alternativeSeen());
        deliver(SEC + MS, Reply.OFFER.xid(xid).from(SERVER).yiaddr(ip("192.0.2.44"))); // the chosen server again
        assertFalse(stage.alternativeSeen());
        deliver(SEC + 2 * MS, Reply.OFFER.xid(xid).from(SERVER2).yiaddr(ip("192.0.2.43")));
        assertTrue(stage.alternativeSeen());
        assertEquals(OFFERED, net.address());                   // the lease stands until the boot gives it up
    }

    @Test
    void aProxyDhcpServerTheLeaseGivesNoRouteToFailsInOneLineNotInABusyLoop() {
        // Found by fuzzing (DhcpFuzzTest lease): the address is on another subnet than the ProxyDHCP server and the lease
        // names no router, so the DHCPREQUEST to port 4011 has no route. The request was tried again at every poll, at
        // once, for ever: a board spinning with nothing on the wire. There is no way to the only server that names the
        // boot file: the lease is incomplete, and says why.
        start(CONFIG.withProbes(0, MS));
        int xid = discovered();
        Ipv4Address far = ip("198.51.100.7");
        deliver(10 * MS, Reply.OFFER.xid(xid).from(PROXY).yiaddr(Ipv4Address.ANY).siaddr(Ipv4Address.ANY).file("")
                .with(new DhcpOption.VendorClass("PXEClient")));
        deliver(20 * MS, Reply.OFFER.xid(xid).yiaddr(far).siaddr(Ipv4Address.ANY).file("").without(DhcpOption.ROUTER));
        poll(520 * MS);
        broadcastAt(520 * MS);
        deliver(530 * MS, Reply.OFFER.xid(xid).yiaddr(far).siaddr(Ipv4Address.ANY).file("").without(DhcpOption.ROUTER)
                .type(DhcpMessageType.Known.ACK));
        LeaseStage.State.Failed f = assertInstanceOf(LeaseStage.State.Failed.class, stage.state());
        assertTrue(f.reason().contains("no route to the ProxyDHCP server 192.0.2.3 from 198.51.100.7"), f.reason());
        assertTrue(stage.pollAt() > 530 * MS, "nothing left to do at once");
        link.expectNoTx();
    }

    @Test
    void bootServerAndFileFromOptions66And67And150InAnOverloadedAck() {
        start(CONFIG.withProbes(0, MS));
        int xid = discovered();
        Reply offer = Reply.OFFER.xid(xid).siaddr(Ipv4Address.ANY).file("").with(new DhcpOption.TftpServerName("192.0.2.9"))
                .with(new DhcpOption.BootfileName("images/" + "x".repeat(239) + ".img"));
        deliver(10 * MS, offer);
        broadcastAt(10 * MS);
        // The ACK does not fit 576 bytes: its options run on in the file and sname fields (RFC 2131 4.1).
        Reply ack = offer.type(DhcpMessageType.Known.ACK).with(new DhcpOption.TftpServers(List.of(ip("192.0.2.8"))))
                .with(new DhcpOption.DomainName("d".repeat(60)));
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(576);
        int n = ack.message().emit(b, 0, 576);
        byte[] payload = java.util.Arrays.copyOf(b.array(), n);
        assertTrue(BootpMessage.parse(java.nio.ByteBuffer.wrap(payload), 0, n).options().has(BootpOptions.OVERLOAD));
        link.deliver(20 * MS, dev.netboot.net.Frames.udp(SERVER_MAC, MacAddress.BROADCAST, SERVER, 67, Ipv4Address.BROADCAST,
                68, payload));
        poll(20 * MS);
        // Option 150 comes before 66 in the precedence; 67 names the file.
        assertEquals("192.0.2.8 (option 150), images/" + "x".repeat(239) + ".img (option 67)", bound().boot().describe());
        assertEquals("d".repeat(60), bound().domain(), "option 15 from the overloaded file/sname fields");
    }

    @Test
    void domainAndBroadcastAddressFromOptions15And28() {
        start(CONFIG.withProbes(0, MS));
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid));
        broadcastAt(10 * MS);
        deliver(20 * MS, Reply.OFFER.xid(xid).type(DhcpMessageType.Known.ACK).with(new DhcpOption.DomainName("lab.example"))
                .with(new DhcpOption.BroadcastAddress(ip("192.0.2.0"))));
        Lease l = bound();
        assertEquals("lab.example", l.domain());
        assertEquals(ip("192.0.2.0"), l.broadcast());               // the 4.2BSD form of 192.0.2.0/24, as the server says
    }

    @Test
    void option28OutsideTheSubnetIsNotUsed() {
        assertEquals(ip("192.0.2.255"), broadcastGiven(new DhcpOption.BroadcastAddress(ip("198.51.100.255"))));
    }

    @Test
    void option28NamingOurOwnAddressIsNotUsed() {
        assertEquals(ip("192.0.2.255"), broadcastGiven(new DhcpOption.BroadcastAddress(OFFERED)));
    }

    Ipv4Address broadcastGiven(DhcpOption o28) {
        start(CONFIG.withProbes(0, MS));
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid));
        broadcastAt(10 * MS);
        deliver(20 * MS, Reply.OFFER.xid(xid).type(DhcpMessageType.Known.ACK).with(o28));
        return bound().broadcast();
    }

    @Test
    void throughARelayAgentTheServerIdentifierNotTheSourceIsTheServer() {
        start(CONFIG.withProbes(0, MS));
        int xid = discovered();
        Ipv4Address relay = ip("198.51.100.1");
        Reply offer = Reply.OFFER.xid(xid).giaddr(relay).source(relay).yiaddr(ip("198.51.100.42"))
                .with(new DhcpOption.Router(List.of(relay)));
        deliver(10 * MS, offer);
        BootpMessage r = broadcastAt(10 * MS);
        assertEquals(new DhcpOption.ServerId(SERVER), option(r, 54));           // not the relay's address
        deliver(20 * MS, offer.type(DhcpMessageType.Known.ACK));
        Lease l = bound();
        assertEquals(SERVER, l.dhcpServer());
        assertEquals(relay, l.gateway());
        assertEquals(ip("198.51.100.42"), net.address());
    }

    @Test
    void noAnswerToFourRequestsGoesBackToDiscovery() {
        start(CONFIG.withProbes(0, MS));
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid));
        broadcastAt(10 * MS);
        long[] at = {10 * MS + SEC, 10 * MS + 3 * SEC, 10 * MS + 7 * SEC};
        for (long t : at) {
            poll(t);
            assertEquals(DhcpMessageType.Known.REQUEST, type(broadcastAt(t)));
        }
        poll(10 * MS + 15 * SEC);
        BootpMessage d = broadcastAt(10 * MS + 15 * SEC);
        assertEquals(DhcpMessageType.Known.DISCOVER, type(d));
        assertNotEquals(xid, d.xid());
    }

    /**
     * A fine offer, then DHCPACKs the board cannot use (a mask of 255.0.255.0, RFC 950's masks being contiguous): the
     * failure says that the ACKs came and why they were refused, not that none came.
     */
    @Test
    void unusableAcksAreNamedAsSuchNotAsMissing() {
        start(CONFIG.withProbes(0, MS));
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid));
        broadcastAt(10 * MS);
        Reply badAck = Reply.OFFER.xid(xid).type(DhcpMessageType.Known.ACK).with(new DhcpOption.SubnetMask(ip("255.0.255.0")));
        long[] requests = {10 * MS, 10 * MS + SEC, 10 * MS + 3 * SEC, 10 * MS + 7 * SEC};   // RFC 2131 4.1: 1 s doubling
        for (int i = 0; i < requests.length; i++) {
            if (i > 0) {
                poll(requests[i]);
                assertEquals(DhcpMessageType.Known.REQUEST, type(broadcastAt(requests[i])));
            }
            deliver(requests[i] + 5 * MS, badAck);
            link.expectNoTx();
            assertInstanceOf(LeaseStage.State.Acquiring.class, stage.state());
        }
        poll(10 * MS + 15 * SEC);
        assertEquals(DhcpMessageType.Known.DISCOVER, type(broadcastAt(10 * MS + 15 * SEC)));
        for (long t = 16 * SEC; t <= 61 * SEC; t += SEC) {                         // nobody offers again
            poll(t);
            for (ScriptedLink.Tx tx : link.takeTx()) {
                assertEquals(DhcpMessageType.Known.DISCOVER, type(((Frames.Udp) tx.decode()).bootp()));
            }
        }
        LeaseStage.State.Failed f = assertInstanceOf(LeaseStage.State.Failed.class, stage.state());
        String why = "DHCP reply from 192.0.2.1: option 1 subnet mask 255.0.255.0 is not contiguous";
        assertTrue(f.reason().endsWith("(last reply ignored: no usable DHCPACK from 192.0.2.1 to 4 DHCPREQUESTs (last refused: "
                + why + "))"), f.reason());
    }

    /** An offer of no address (yiaddr 0.0.0.0) without the PXE class is no offer, and the give-up line says why. */
    @Test
    void anOfferOfNoAddressIsNamedInTheGiveUpLine() {
        start(CONFIG.withProbes(0, MS), new BootpConfig(SEC, 16 * SEC, 0, 5 * SEC), 1);
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid).yiaddr(Ipv4Address.ANY));
        link.expectNoTx();
        for (long t : new long[] {SEC, 3 * SEC}) {                                  // 1 s, 2 s, then the budget
            poll(t);
            assertEquals(DhcpMessageType.Known.DISCOVER, type(broadcastAt(t)));
            deliver(t + 10 * MS, Reply.OFFER.xid(xid).yiaddr(Ipv4Address.ANY));
        }
        poll(5 * SEC);
        LeaseStage.State.Failed f = assertInstanceOf(LeaseStage.State.Failed.class, stage.state());
        assertEquals("DHCP: no usable offer after 3 DHCPDISCOVERs in 5.0 s (last reply ignored: DHCPOFFER from 192.0.2.1"
                + " with yiaddr 0.0.0.0: no address, and no ProxyDHCP offer (no PXEClient vendor class, option 60))", f.reason());
    }

    /**
     * A server that answers each DHCPREQUEST with a DHCPACK of another xid (a peer that mixes up transactions): the
     * board keeps asking, and when the budget ends while it requests, the line says what it asked for and what came,
     * not "no usable offer after 1 DHCPDISCOVERs" (seen against a raw-socket peer on a veth).
     */
    @Test
    void aDhcpAckOfAnotherTransactionIsNamedWhenTheBudgetEndsWhileRequesting() {
        start(CONFIG.withProbes(0, MS), new BootpConfig(SEC, 16 * SEC, 0, 10 * SEC), 1);
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid));
        long[] requests = {10 * MS, 1010 * MS, 3010 * MS, 7010 * MS};             // 1 s, 2 s, 4 s, then the budget
        for (long t : requests) {
            poll(t);
            assertEquals(DhcpMessageType.Known.REQUEST, type(broadcastAt(t)));
            deliver(t + 5 * MS, Reply.OFFER.xid(xid + 1).type(DhcpMessageType.Known.ACK));
            link.expectNoTx();
        }
        poll(10 * SEC);
        LeaseStage.State.Failed f = assertInstanceOf(LeaseStage.State.Failed.class, stage.state());
        assertEquals("DHCP: no usable DHCPACK from 192.0.2.1 for 192.0.2.42 after 4 DHCPREQUESTs in 10.0 s (last refused:"
                + " DHCPACK for xid 0x" + Integer.toHexString(xid + 1) + " (expected: 0x" + Integer.toHexString(xid) + "))",
                f.reason());
        link.expectNoTx();
    }

    /** A DHCPACK of the transaction requested but for another hardware address (chaddr): dropped, and named at the end. */
    @Test
    void aDhcpAckForAnotherChaddrIsNamedWhenTheBudgetEndsWhileRequesting() {
        start(CONFIG.withProbes(0, MS), new BootpConfig(SEC, 16 * SEC, 0, 10 * SEC), 1);
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid));
        BootpMessage ack = new BootpMessage(2, 1, 6, 0, xid, 0, BootpMessage.FLAG_BROADCAST, Ipv4Address.ANY, OFFERED, SERVER,
                Ipv4Address.ANY, OTHER_MAC, "", "boot.img", Reply.OFFER.type(DhcpMessageType.Known.ACK).message().options());
        for (long t : new long[] {10 * MS, 1010 * MS, 3010 * MS, 7010 * MS}) {
            poll(t);
            assertEquals(DhcpMessageType.Known.REQUEST, type(broadcastAt(t)));
            link.deliver(t + 5 * MS, Frames.udp(SERVER_MAC, MacAddress.BROADCAST, SERVER, 67, Ipv4Address.BROADCAST, 68,
                    Frames.bootp(ack)));
            poll(t + 5 * MS);
            link.expectNoTx();
        }
        assertEquals(4, stage.stats().wrongChaddr());
        poll(10 * SEC);
        LeaseStage.State.Failed f = assertInstanceOf(LeaseStage.State.Failed.class, stage.state());
        assertEquals("DHCP: no usable DHCPACK from 192.0.2.1 for 192.0.2.42 after 4 DHCPREQUESTs in 10.0 s (last refused:"
                + " a reply of this transaction for another client, chaddr 02:00:00:99:00:66)", f.reason());
    }

    @Test
    void repliesForOthersAreDroppedAndCounted() {
        start(CONFIG);
        int xid = discovered();
        deliver(10 * MS, Reply.OFFER.xid(xid + 1));                              // another transaction
        link.expectNoTx();
        BootpMessage other = new BootpMessage(2, 1, 6, 0, xid, 0, 0, Ipv4Address.ANY, OFFERED, SERVER, Ipv4Address.ANY,
                OTHER_MAC, "", "boot.img", Reply.OFFER.message().options());
        link.deliver(20 * MS, dev.netboot.net.Frames.udp(SERVER_MAC, MacAddress.BROADCAST, SERVER, 67, Ipv4Address.BROADCAST, 68,
                dev.netboot.net.Frames.bootp(other)));
        poll(20 * MS);
        link.expectNoTx();
        assertEquals(1, stage.stats().wrongChaddr());
        link.deliver(30 * MS, dev.netboot.net.Frames.udp(SERVER_MAC, MacAddress.BROADCAST, SERVER, 67, Ipv4Address.BROADCAST, 68,
                new byte[100]));
        poll(30 * MS);
        assertEquals(1, stage.stats().malformed());
    }
}
