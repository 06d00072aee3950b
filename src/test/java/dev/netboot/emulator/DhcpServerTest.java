package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.bootp.BootTarget;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.DhcpMessageType;
import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The emulated DHCP and ProxyDHCP servers, driven by a scripted client in virtual time; expected values from
 * RFC 2131 section 4.3 and the scenario.
 */
class DhcpServerTest {
    static final Scenario SC = Scenario.DEFAULT;
    static final long L = SC.latencyNanos();
    static final MacAddress CLIENT = MacAddress.parse("02:00:00:00:00:42");
    static final Ipv4Address FIRST = SC.clientIp();
    static final Ipv4Address SERVER = SC.serverIp();
    static final int XID = 0x5eed0001;

    static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s);
    }

    /** A client message of {@code type} with {@code extra} options; BROADCAST flag set, no ciaddr. */
    static BootpMessage request(DhcpMessageType.Known type, Ipv4Address ciaddr, DhcpOption... extra) {
        List<DhcpOption> o = new ArrayList<>();
        if (type != null) {
            o.add(new DhcpOption.MessageType(type));
        }
        o.addAll(List.of(extra));
        return new BootpMessage(BootpMessage.BOOTREQUEST, 1, 6, 0, XID, 0, ciaddr.isAny() ? BootpMessage.FLAG_BROADCAST : 0,
                ciaddr, Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY, CLIENT, "", "", BootpOptions.of(o));
    }

    /** A client message of {@code type} from hardware address {@code chaddr}, with client identifier {@code id} (null: none). */
    static BootpMessage from(MacAddress chaddr, DhcpOption.ClientId id, DhcpMessageType.Known type, DhcpOption... extra) {
        List<DhcpOption> o = new ArrayList<>(List.of(new DhcpOption.MessageType(type)));
        if (id != null) {
            o.add(id);
        }
        o.addAll(List.of(extra));
        return new BootpMessage(BootpMessage.BOOTREQUEST, 1, 6, 0, XID, 0, BootpMessage.FLAG_BROADCAST, Ipv4Address.ANY,
                Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY, chaddr, "", "", BootpOptions.of(o));
    }

    static byte[] bytes(BootpMessage m) {
        byte[] b = new byte[m.encodedLength()];
        m.emit(ByteBuffer.wrap(b), 0);
        return b;
    }

    static BootpMessage parse(TestClient.Rx rx) {
        return BootpMessage.parse(ByteBuffer.wrap(rx.payload()), 0, rx.payload().length);
    }

    static DhcpMessageType type(BootpMessage m) {
        return m.options().messageType().orElseThrow();
    }

    record Setup(EmulatedLan lan, TestClient client) {
        /** Broadcasts {@code m} from port 68 and returns the next datagram the client receives. */
        TestClient.Rx exchange(BootpMessage m) {
            send(m);
            return client.next(lan.simulation());
        }

        void send(BootpMessage m) {
            client.send(lan.simulation().now(), 68, Ipv4Address.BROADCAST, 67, bytes(m));
        }

        /** Runs a second and returns what arrived meanwhile. */
        List<TestClient.Rx> quiet() {
            int n = client.received.size();
            lan.simulation().runFor(1_000_000_000L);
            return client.received.subList(n, client.received.size());
        }
    }

    static Setup setup(Scenario sc) {
        EmulatedLan lan = EmulatedLan.of(sc);
        TestClient c = lan.simulation().add(new TestClient(lan.segment(), CLIENT).listen(68));
        return new Setup(lan, c);
    }

    @Test
    void discoverGetsAnOfferWithTheLeaseAndTheBootTarget() {
        Setup s = setup(SC);
        TestClient.Rx rx = s.exchange(request(DhcpMessageType.Known.DISCOVER, Ipv4Address.ANY));
        assertEquals(2 * L, rx.at());
        assertEquals(MacAddress.BROADCAST, rx.dstMac());                       // the client set BROADCAST
        BootpMessage o = parse(rx);
        assertEquals(DhcpMessageType.Known.OFFER, type(o));
        assertEquals(XID, o.xid());
        assertEquals(FIRST, o.yiaddr());
        assertEquals(new DhcpOption.ServerId(SERVER), o.options().option(54).orElseThrow());
        assertEquals(new DhcpOption.LeaseTime(3600), o.options().option(51).orElseThrow());
        assertEquals(new DhcpOption.RenewalTime(1800), o.options().option(58).orElseThrow());       // RFC 2131: 0.5
        assertEquals(new DhcpOption.RebindingTime(3150), o.options().option(59).orElseThrow());     // and 0.875
        assertEquals("10.0.0.1 (siaddr), boot.img (file)", BootTarget.of(o, SERVER).describe());
        assertEquals(new DhcpOption.TftpServerName("10.0.0.1"), o.options().option(66).orElseThrow());  // announce = both
        assertEquals(new DhcpOption.BootfileName("boot.img"), o.options().option(67).orElseThrow());
        assertFalse(o.options().has(DhcpOption.TFTP_SERVER_ADDRESSES));
        assertEquals(1, s.lan().dhcp().stats().offers());
    }

    @Test
    void requestForTheOfferedAddressIsAckedAnyOtherIsNakedByBroadcast() {
        Setup s = setup(SC);
        s.exchange(request(DhcpMessageType.Known.DISCOVER, Ipv4Address.ANY));
        BootpMessage nak = parse(s.exchange(request(DhcpMessageType.Known.REQUEST, Ipv4Address.ANY,
                new DhcpOption.RequestedAddress(ip("10.0.0.50")), new DhcpOption.ServerId(SERVER))));
        // 10.0.0.50 is free, but the client holds an offer of .42: .50 is granted only if nobody has it. It is free.
        assertEquals(DhcpMessageType.Known.ACK, type(nak));
        Setup t = setup(SC);
        t.exchange(request(DhcpMessageType.Known.DISCOVER, Ipv4Address.ANY));
        // Outside the pool and not offered: DHCPNAK, broadcast (RFC 2131 4.3.2), with the reason in option 56.
        TestClient.Rx rx = t.exchange(request(DhcpMessageType.Known.REQUEST, Ipv4Address.ANY,
                new DhcpOption.RequestedAddress(ip("10.0.0.200")), new DhcpOption.ServerId(SERVER)));
        BootpMessage n = parse(rx);
        assertEquals(DhcpMessageType.Known.NAK, type(n));
        assertEquals(MacAddress.BROADCAST, rx.dstMac());
        assertEquals(Ipv4Address.ANY, n.yiaddr());
        assertEquals(new DhcpOption.Message("requested address 10.0.0.200 was not offered"), n.options().option(56).orElseThrow());
        BootpMessage ack = parse(t.exchange(request(DhcpMessageType.Known.REQUEST, Ipv4Address.ANY,
                new DhcpOption.RequestedAddress(FIRST), new DhcpOption.ServerId(SERVER))));
        assertEquals(DhcpMessageType.Known.ACK, type(ack));
        assertEquals(FIRST, ack.yiaddr());
        assertEquals(FIRST, t.lan().dhcp().addressOf(CLIENT));
        assertEquals(new DhcpServer.Stats(1, 1, 2, 1, 1, 0, 0, 0, 0, 0, 0), t.lan().dhcp().stats());
    }

    @Test
    void aRequestNamingAnotherServerWithdrawsTheOffer() {
        Setup s = setup(SC);
        s.exchange(request(DhcpMessageType.Known.DISCOVER, Ipv4Address.ANY));
        s.send(request(DhcpMessageType.Known.REQUEST, Ipv4Address.ANY, new DhcpOption.RequestedAddress(ip("10.0.0.100")),
                new DhcpOption.ServerId(ip("10.0.0.2"))));
        assertTrue(s.quiet().isEmpty(), "not for us: no answer");
        assertEquals(null, s.lan().dhcp().addressOf(CLIENT));
    }

    @Test
    void aDeclinedAddressLeavesThePool() {
        Setup s = setup(SC);
        s.exchange(request(DhcpMessageType.Known.DISCOVER, Ipv4Address.ANY));
        s.send(request(DhcpMessageType.Known.DECLINE, Ipv4Address.ANY, new DhcpOption.RequestedAddress(FIRST),
                new DhcpOption.ServerId(SERVER)));
        assertTrue(s.quiet().isEmpty(), "RFC 2131: no answer to a DHCPDECLINE");
        assertEquals(1, s.lan().dhcp().stats().declines());
        assertEquals(ip("10.0.0.43"), parse(s.exchange(request(DhcpMessageType.Known.DISCOVER, Ipv4Address.ANY))).yiaddr());
    }

    @Test
    void aDeclineOfAnotherClientsAddressIsIgnored() {
        // RFC 2131 4.3.3: a client declines the address it was given, having found it in use. A DHCPDECLINE naming
        // another client's address (a hostile or confused peer) must not end that client's lease and hand its address
        // on: dnsmasq ends only the sender's own lease, Kea ignores a DECLINE whose client is not the lease's.
        Setup s = leased(SC);
        MacAddress stranger = MacAddress.parse("02:00:00:00:00:77");
        s.send(from(stranger, null, DhcpMessageType.Known.DECLINE, new DhcpOption.RequestedAddress(FIRST),
                new DhcpOption.ServerId(SERVER)));
        assertTrue(s.quiet().isEmpty(), "RFC 2131: no answer to a DHCPDECLINE");
        assertEquals(0, s.lan().dhcp().stats().declines());
        assertEquals(FIRST, s.lan().dhcp().addressOf(CLIENT), "the holder keeps its lease");
        assertEquals(ip("10.0.0.43"), lease(s, stranger, null).yiaddr(), "and nobody else is given its address");
        // Its holder's own DHCPDECLINE counts: the address leaves the pool, the next client gets the one after.
        s.send(request(DhcpMessageType.Known.DECLINE, Ipv4Address.ANY, new DhcpOption.RequestedAddress(FIRST),
                new DhcpOption.ServerId(SERVER)));
        s.quiet();
        assertEquals(1, s.lan().dhcp().stats().declines());
        assertEquals(null, s.lan().dhcp().addressOf(CLIENT));
        assertEquals(ip("10.0.0.44"), lease(s, MacAddress.parse("02:00:00:00:00:78"), null).yiaddr());
    }

    @Test
    void aClientWhoseLeaseRanOutCannotTakeBackTheAddressFromItsNewHolder() {
        // RFC 2131 4.3.1: once the lease ended the address may go to another client, and then "the server MUST NOT
        // reuse" it. Found by DhcpServerFuzzTest: a DHCPREQUEST naming this server for the address of the client's
        // own run-out lease was acknowledged although another client held it now (two clients, one address).
        MacAddress before = MacAddress.parse("02:00:00:00:00:77");
        Setup s = setup(SC.withDhcp(DhcpSettings.DEFAULTS.withLease(10)));
        assertEquals(FIRST, lease(s, before, null).yiaddr());
        s.lan().simulation().runFor(12_000_000_000L);
        // Now CLIENT is offered the address (the lowest free), and then leases it.
        assertEquals(FIRST, parse(s.exchange(request(DhcpMessageType.Known.DISCOVER, Ipv4Address.ANY))).yiaddr());
        BootpMessage selecting = from(before, null, DhcpMessageType.Known.REQUEST, new DhcpOption.RequestedAddress(FIRST),
                new DhcpOption.ServerId(SERVER));
        assertEquals(DhcpMessageType.Known.NAK, type(parse(s.exchange(selecting))), "an address offered to another");
        BootpMessage ack = parse(s.exchange(request(DhcpMessageType.Known.REQUEST, Ipv4Address.ANY,
                new DhcpOption.RequestedAddress(FIRST), new DhcpOption.ServerId(SERVER))));
        assertEquals(DhcpMessageType.Known.ACK, type(ack));
        assertEquals(FIRST, ack.yiaddr());
        assertEquals(DhcpMessageType.Known.NAK, type(parse(s.exchange(selecting))), "an address leased to another");
        assertEquals(FIRST, s.lan().dhcp().addressOf(CLIENT), "the new holder keeps it");
        // The client whose lease ran out gets the next address when it asks anew.
        assertEquals(ip("10.0.0.43"), lease(s, before, null).yiaddr());
    }

    @Test
    void bootpRequestsAreIgnoredByADhcpOnlyServerAndAnsweredWithBoth() {
        Setup s = setup(SC);
        s.send(request(null, Ipv4Address.ANY));
        assertTrue(s.quiet().isEmpty());
        assertEquals(1, s.lan().dhcp().stats().ignored());
        Setup both = setup(SC.withDhcp(DhcpSettings.DEFAULTS.withAnswers(DhcpSettings.Answers.BOTH)));
        BootpMessage r = parse(both.exchange(request(null, Ipv4Address.ANY)));
        assertTrue(r.options().messageType().isEmpty(), "a BOOTREPLY has no option 53");
        assertEquals(FIRST, r.yiaddr());
        assertEquals(1, both.lan().dhcp().stats().bootp());
    }

    /** DISCOVER, then REQUEST of what was offered; returns the DHCPACK's or DHCPNAK's yiaddr and type. */
    static BootpMessage lease(Setup s, MacAddress chaddr, DhcpOption.ClientId id) {
        return lease(s::exchange, chaddr, id);
    }

    static BootpMessage lease(java.util.function.Function<BootpMessage, TestClient.Rx> exchange, MacAddress chaddr,
                              DhcpOption.ClientId id) {
        Ipv4Address offered = parse(exchange.apply(from(chaddr, id, DhcpMessageType.Known.DISCOVER))).yiaddr();
        return parse(exchange.apply(from(chaddr, id, DhcpMessageType.Known.REQUEST, new DhcpOption.RequestedAddress(offered),
                new DhcpOption.ServerId(SERVER))));
    }

    @Test
    void clientsAreToldApartByTheirClientIdentifiersAndByChaddrWithoutOne() {
        // RFC 2131 4.2: "If the client supplies a 'client identifier', ... the server MUST use that identifier to
        // identify the client. If the client does not provide a 'client identifier' option, the server MUST use the
        // contents of the 'chaddr' field".
        Setup s = setup(SC);
        Ipv4Address second = ip("10.0.0.43");
        DhcpOption.ClientId duidA = new DhcpOption.ClientId(255, new byte[] {0, 0, 0, 1, 0, 4, 'a', 'a', 'a', 'a'});
        DhcpOption.ClientId duidB = new DhcpOption.ClientId(255, new byte[] {0, 0, 0, 1, 0, 4, 'b', 'b', 'b', 'b'});
        // Two identifiers on one hardware address are two clients: two leases.
        assertEquals(FIRST, lease(s, CLIENT, duidA).yiaddr());
        BootpMessage b = lease(s, CLIENT, duidB);
        assertEquals(DhcpMessageType.Known.ACK, type(b));
        assertEquals(second, b.yiaddr());
        // One identifier on another hardware address (the board's NIC replaced) is the same client: its lease.
        MacAddress newNic = MacAddress.parse("02:00:00:00:00:99");
        assertEquals(FIRST, lease(s, newNic, duidA).yiaddr());
        assertEquals(second, lease(s, CLIENT, duidB).yiaddr());
        // A DHCPRELEASE names the lease by identifier: A's address is free for the next client.
        s.send(from(newNic, duidA, DhcpMessageType.Known.RELEASE, new DhcpOption.ServerId(SERVER)));
        assertTrue(s.quiet().isEmpty(), "RFC 2131: no answer to a DHCPRELEASE");
        MacAddress stranger = MacAddress.parse("02:00:00:00:00:77");
        assertEquals(FIRST, lease(s, stranger, null).yiaddr());
        // Without identifiers, chaddr decides: another hardware address gets another address.
        assertEquals(ip("10.0.0.44"), lease(s, MacAddress.parse("02:00:00:00:00:78"), null).yiaddr());
        assertEquals(FIRST, lease(s, stranger, null).yiaddr());
    }

    @Test
    void aMachineWhoseFirmwareSendsNoIdentifierAndWhoseSystemSendsOneKeepsOneAddress() {
        // A PXE ROM without option 61, then the system it loads with one (as dnsmasq matches them: a lease made without
        // an identifier is found by chaddr), then the ROM again at the next power-up: one machine, one address.
        Setup s = setup(SC);
        DhcpOption.ClientId system = DhcpOption.ClientId.of(CLIENT);
        assertEquals(FIRST, lease(s, CLIENT, null).yiaddr());
        assertEquals(FIRST, lease(s, CLIENT, system).yiaddr());
        assertEquals(FIRST, lease(s, CLIENT, null).yiaddr());
        // The lease now belongs to the identifier: a second identifier on the same NIC is another client.
        assertEquals(ip("10.0.0.43"), lease(s, CLIENT, new DhcpOption.ClientId(0, "other".getBytes())).yiaddr());
    }

    @Test
    void aStaticAddressBelongsToTheHardwareAddressWhateverTheIdentifier() {
        // dnsmasq's dhcp-host=MAC,address and ISC dhcpd's host { hardware ethernet ...; fixed-address ...; }.
        Ipv4Address fixed = ip("10.0.0.9");
        StaticLan lan = StaticLan.of(fixed);
        java.util.function.Function<BootpMessage, TestClient.Rx> exchange = lan.exchange(CLIENT);
        assertEquals(fixed, lease(exchange, CLIENT, new DhcpOption.ClientId(255, new byte[] {1, 2, 3})).yiaddr());
        assertEquals(fixed, lease(exchange, CLIENT, new DhcpOption.ClientId(255, new byte[] {4, 5, 6})).yiaddr());
        assertEquals(FIRST, lease(exchange, MacAddress.parse("02:00:00:00:00:77"), null).yiaddr());
    }

    @Test
    void aStaticAddressInsideThePoolIsNeverLeasedToAnotherClient() {
        // A reservation inside the dynamic pool (Kea's in-pool reservations; what ISC dhcpd warns of as "Dynamic and static
        // leases present"): the address is its owner's, whoever asks first and however (RFC 2131 4.3.1: an address the
        // server offers is one it may give this client; 4.3.2: a DHCPREQUEST for an address not the client's is NAKed).
        Ipv4Address reserved = ip("10.0.0.43");
        StaticLan lan = StaticLan.of(reserved);
        MacAddress a = MacAddress.parse("02:00:00:00:00:77");
        MacAddress b = MacAddress.parse("02:00:00:00:00:78");
        java.util.function.Function<BootpMessage, TestClient.Rx> fromA = lan.exchange(a);
        assertEquals(FIRST, lease(fromA, a, null).yiaddr());
        assertEquals(ip("10.0.0.44"), lease(lan.exchange(b), b, null).yiaddr(), "the reserved .43 is skipped");
        // A stranger that asks for the reserved address outright (INIT-REBOOT: no server identifier) is refused.
        BootpMessage nak = parse(fromA.apply(from(a, null, DhcpMessageType.Known.REQUEST, new DhcpOption.RequestedAddress(reserved))));
        assertEquals(DhcpMessageType.Known.NAK, type(nak));
        assertEquals(reserved, lease(lan.exchange(CLIENT), CLIENT, null).yiaddr());
    }

    /** A segment with the scenario's DHCP server, {@link #CLIENT}'s static address {@code fixed}. */
    record StaticLan(Simulation sim, EthernetSegment seg) {
        static StaticLan of(Ipv4Address fixed) {
            Simulation sim = new Simulation();
            EthernetSegment seg = sim.newSegment(L, FaultPlan.NONE, 1);
            ServerHost host = sim.add(new ServerHost(seg, SC.serverMac(), SC.serverIp(), SC.netmask(), SC.gateway()));
            host.startDhcp(SC.bootpConfig().withStatic(CLIENT, fixed), DhcpSettings.DEFAULTS);
            return new StaticLan(sim, seg);
        }

        /** Adds a client with hardware address {@code mac}; returns its exchange: broadcast a message, get the next datagram. */
        java.util.function.Function<BootpMessage, TestClient.Rx> exchange(MacAddress mac) {
            TestClient c = sim.add(new TestClient(seg, mac).listen(68));
            return m -> {
                c.send(sim.now(), 68, Ipv4Address.BROADCAST, 67, bytes(m));
                return c.next(sim);
            };
        }
    }

    /** Gets the lease of .42 and configures the client with it. */
    static Setup leased(Scenario sc) {
        Setup s = setup(sc);
        s.exchange(request(DhcpMessageType.Known.DISCOVER, Ipv4Address.ANY));
        s.exchange(request(DhcpMessageType.Known.REQUEST, Ipv4Address.ANY, new DhcpOption.RequestedAddress(FIRST),
                new DhcpOption.ServerId(SERVER)));
        s.client().stack.configure(FIRST, SC.netmask(), SC.gateway());
        return s;
    }

    TestClient.Rx renew(Setup s, Ipv4Address to) {
        s.client().send(s.lan().simulation().now(), 68, to, 67, bytes(request(DhcpMessageType.Known.REQUEST, FIRST)));
        return s.client().next(s.lan().simulation());
    }

    @Test
    void aDhcpInformIsAnsweredWithTheConfigurationUnicastToCiaddrAndNoLease() {
        // RFC 2131 4.3.5: a client with an address of its own (a static board, a PXE client configured by hand) asks
        // for the rest: "The server responds to a DHCPINFORM message by sending a DHCPACK message directly to the
        // address given in the 'ciaddr' field ... without allocating a new address, ... filling in 'yiaddr' or
        // including lease time parameters." The boot server and file are what such a client asks for.
        Setup s = setup(SC);
        Ipv4Address mine = ip("10.0.0.77");
        s.client().stack.configure(mine, SC.netmask(), SC.gateway());
        s.client().send(s.lan().simulation().now(), 68, SERVER, 67, bytes(request(DhcpMessageType.Known.INFORM, mine)));
        TestClient.Rx rx = s.client().next(s.lan().simulation());
        BootpMessage ack = parse(rx);
        assertEquals(DhcpMessageType.Known.ACK, type(ack));
        assertEquals(mine, rx.dst());
        assertEquals(CLIENT, rx.dstMac());
        assertEquals(Ipv4Address.ANY, ack.yiaddr());
        assertEquals(mine, ack.ciaddr());
        assertEquals(new DhcpOption.ServerId(SERVER), ack.options().option(54).orElseThrow());
        assertTrue(ack.options().option(51).isEmpty() && ack.options().option(58).isEmpty() && ack.options().option(59).isEmpty(),
                ack.options().toString());
        assertEquals(SC.netmask(), ((DhcpOption.SubnetMask) ack.options().option(1).orElseThrow()).mask());
        assertEquals("boot.img", ack.file());
        assertEquals(SERVER, ack.siaddr());
        assertEquals(null, s.lan().dhcp().addressOf(CLIENT), "no address was allocated");
    }

    @Test
    void renewalsAreAckedUnicastToCiaddrUnlessTheSettingsSayOtherwise() {
        Setup s = leased(SC);
        TestClient.Rx rx = renew(s, SERVER);
        BootpMessage ack = parse(rx);
        assertEquals(DhcpMessageType.Known.ACK, type(ack));
        assertEquals(FIRST, rx.dst());                                         // RFC 2131 4.1: unicast to ciaddr
        assertEquals(CLIENT, rx.dstMac());
        assertEquals(1, s.lan().dhcp().stats().renewals());

        Setup nak = leased(SC.withDhcp(DhcpSettings.DEFAULTS.withRenewals(DhcpSettings.Renewals.NAK)));
        assertEquals(DhcpMessageType.Known.NAK, type(parse(renew(nak, SERVER))));

        Setup gone = leased(SC.withDhcp(DhcpSettings.DEFAULTS.withRenewals(DhcpSettings.Renewals.IGNORE)));
        gone.client().send(gone.lan().simulation().now(), 68, SERVER, 67, bytes(request(DhcpMessageType.Known.REQUEST, FIRST)));
        assertTrue(gone.quiet().isEmpty());

        Setup rebindOnly = leased(SC.withDhcp(DhcpSettings.DEFAULTS.withRenewals(DhcpSettings.Renewals.REBIND)));
        rebindOnly.client().send(rebindOnly.lan().simulation().now(), 68, SERVER, 67,
                bytes(request(DhcpMessageType.Known.REQUEST, FIRST)));
        assertTrue(rebindOnly.quiet().isEmpty(), "the unicast renewal is lost");
        assertEquals(DhcpMessageType.Known.ACK, type(parse(renew(rebindOnly, Ipv4Address.BROADCAST))));
    }

    @Test
    void aRenewalOfAnUnknownLeaseSentToUsIsNaked() {
        Setup s = setup(SC);
        s.client().stack.configure(ip("10.0.0.77"), SC.netmask(), SC.gateway());
        s.client().send(0, 68, SERVER, 67, bytes(request(DhcpMessageType.Known.REQUEST, ip("10.0.0.77"))));
        BootpMessage n = parse(s.client().next(s.lan().simulation()));
        assertEquals(DhcpMessageType.Known.NAK, type(n));
        assertEquals(new DhcpOption.Message("lease not found"), n.options().option(56).orElseThrow());
    }

    @Test
    void aClientRenewingAPoolAddressThisServerForgotGetsItBackAndARebindingStrangerIsLeftAlone() {
        // A server restarted (serve run again) knows no leases; its clients renew at T1 by unicast to it (RFC 2131
        // 4.3.2, RENEWING: "should return a DHCPACK message regardless"). Found with dhcpcd, whose renewal after the
        // lease had run out here was NAKed and whose address was then dropped.
        Setup s = setup(SC);
        s.client().stack.configure(FIRST, SC.netmask(), SC.gateway());
        TestClient.Rx rx = renew(s, SERVER);
        assertEquals(DhcpMessageType.Known.ACK, type(parse(rx)));
        assertEquals(FIRST, parse(rx).yiaddr());
        assertEquals(FIRST, rx.dst());
        assertEquals(FIRST, s.lan().dhcp().addressOf(CLIENT));
        assertEquals(1, s.lan().dhcp().stats().renewals());
        // A rebinding broadcast from a client this server has no record of is another server's to answer (4.3.2).
        Setup fresh = setup(SC);
        fresh.client().stack.configure(FIRST, SC.netmask(), SC.gateway());
        fresh.client().send(0, 68, Ipv4Address.BROADCAST, 67, bytes(request(DhcpMessageType.Known.REQUEST, FIRST)));
        assertTrue(fresh.quiet().isEmpty());
        assertEquals(null, fresh.lan().dhcp().addressOf(CLIENT));
    }

    @Test
    void aLeaseThatRanOutIsExtendedWhileNobodyElseHasTheAddress() {
        Setup s = leased(SC.withDhcp(DhcpSettings.DEFAULTS.withLease(10)));
        s.lan().simulation().runFor(12_000_000_000L); // past the lease: the client was away (dhcpcd's ARP checks, a suspend)
        assertEquals(DhcpMessageType.Known.ACK, type(parse(renew(s, SERVER))));
        s.lan().simulation().runFor(12_000_000_000L);
        assertEquals(DhcpMessageType.Known.ACK, type(parse(renew(s, Ipv4Address.BROADCAST))), "its own, rebinding");
    }

    @Test
    void aRenewalOfAnAddressAnotherClientHoldsNowIsNaked() {
        Setup s = setup(SC);
        MacAddress other = MacAddress.parse("02:00:00:00:00:77");
        assertEquals(FIRST, parse(s.exchange(from(other, null, DhcpMessageType.Known.DISCOVER))).yiaddr());
        BootpMessage ack = parse(s.exchange(from(other, null, DhcpMessageType.Known.REQUEST,
                new DhcpOption.RequestedAddress(FIRST), new DhcpOption.ServerId(SERVER))));
        assertEquals(DhcpMessageType.Known.ACK, type(ack));
        s.client().stack.configure(FIRST, SC.netmask(), SC.gateway());
        BootpMessage n = parse(renew(s, SERVER));
        assertEquals(DhcpMessageType.Known.NAK, type(n));
        assertEquals(FIRST, s.lan().dhcp().addressOf(other), "the holder keeps it");
        assertEquals(null, s.lan().dhcp().addressOf(CLIENT));
    }

    @Test
    void aDiscoverAskingForAFreePoolAddressIsOfferedItAndOtherwiseTheLowestFree() {
        // RFC 2131 4.3.1's order: current binding, previous one, "the address requested in the 'Requested IP Address'
        // option, if that address is valid and not already allocated", a new one. dhcpcd and dhclient ask for the
        // address they last had; found with dhcpcd -r 192.0.2.50, which was offered 192.0.2.42.
        Ipv4Address wanted = ip("10.0.0.50"); // the default pool is 10.0.0.42 to 10.0.0.57
        BootpMessage o = parse(setup(SC).exchange(request(DhcpMessageType.Known.DISCOVER, Ipv4Address.ANY,
                new DhcpOption.RequestedAddress(wanted))));
        assertEquals(DhcpMessageType.Known.OFFER, type(o));
        assertEquals(wanted, o.yiaddr());
        // Outside the pool, or another client's: not valid, or allocated; the lowest free one instead.
        assertEquals(FIRST, parse(setup(SC).exchange(request(DhcpMessageType.Known.DISCOVER, Ipv4Address.ANY,
                new DhcpOption.RequestedAddress(ip("10.0.0.200"))))).yiaddr());
        Setup taken = setup(SC);
        MacAddress other = MacAddress.parse("02:00:00:00:00:77");
        assertEquals(DhcpMessageType.Known.ACK, type(lease(taken, other, null)));
        assertEquals(ip("10.0.0.43"), parse(taken.exchange(request(DhcpMessageType.Known.DISCOVER, Ipv4Address.ANY,
                new DhcpOption.RequestedAddress(FIRST)))).yiaddr());
        // The client's running lease still comes first.
        Setup own = leased(SC);
        assertEquals(FIRST, parse(own.exchange(request(DhcpMessageType.Known.DISCOVER, Ipv4Address.ANY,
                new DhcpOption.RequestedAddress(wanted)))).yiaddr());
    }

    /** A DHCPREQUEST in INIT-REBOOT (RFC 2131 4.3.2): the address the client remembers, no server identifier, no ciaddr. */
    static BootpMessage reboot(Ipv4Address remembered) {
        return request(DhcpMessageType.Known.REQUEST, Ipv4Address.ANY, new DhcpOption.RequestedAddress(remembered));
    }

    @Test
    void aRebootingClientKeepsItsLeaseOrAFreePoolAddressAndIsToldOffOnlyWhereRfc2131SaysSo() {
        // Its own lease: confirmed, broadcast (no ciaddr, the broadcast bit set).
        Setup own = leased(SC);
        TestClient.Rx rx = own.exchange(reboot(FIRST));
        assertEquals(DhcpMessageType.Known.ACK, type(parse(rx)));
        assertEquals(FIRST, parse(rx).yiaddr());
        assertEquals(Ipv4Address.BROADCAST, rx.dst());
        // A server that forgot its leases (serve started again) confirms a pool address nobody else has, as ISC dhcpd
        // with "authoritative" does; found with dhclient, which was NAKed, dropped its address and started over.
        Setup fresh = setup(SC);
        BootpMessage ack = parse(fresh.exchange(reboot(FIRST)));
        assertEquals(DhcpMessageType.Known.ACK, type(ack));
        assertEquals(FIRST, ack.yiaddr());
        assertEquals(new DhcpOption.LeaseTime(3600), ack.options().option(51).orElseThrow()); // the scenario's hour
        assertEquals(FIRST, fresh.lan().dhcp().addressOf(CLIENT));
        // "SHOULD send a DHCPNAK ... if the 'requested IP address' is incorrect, or is on the wrong network".
        Setup taken = setup(SC);
        assertEquals(DhcpMessageType.Known.ACK, type(lease(taken, MacAddress.parse("02:00:00:00:00:77"), null)));
        BootpMessage n = parse(taken.exchange(reboot(FIRST)));
        assertEquals(DhcpMessageType.Known.NAK, type(n));
        assertEquals(new DhcpOption.Message("wrong address"), n.options().option(56).orElseThrow());
        n = parse(setup(SC).exchange(reboot(ip("198.51.100.7"))));
        assertEquals(DhcpMessageType.Known.NAK, type(n));
        assertEquals(new DhcpOption.Message("wrong network"), n.options().option(56).orElseThrow());
        // "If the DHCP server has no record of this client, then it MUST remain silent": an address of this subnet
        // outside the pool is another server's lease; a DHCPNAK would take it from its client.
        Setup stranger = setup(SC);
        stranger.send(reboot(ip("10.0.0.200")));
        assertTrue(stranger.quiet().isEmpty());
        assertEquals(null, stranger.lan().dhcp().addressOf(CLIENT));
        assertEquals(0, stranger.lan().dhcp().stats().naks());
    }

    @Test
    void aSlowServerOffersAfterItsDelay() {
        Setup s = setup(SC.withDhcp(DhcpSettings.DEFAULTS.withOfferDelay(300_000_000L)));
        TestClient.Rx rx = s.exchange(request(DhcpMessageType.Known.DISCOVER, Ipv4Address.ANY));
        assertEquals(300_000_000L + 2 * L, rx.at());
    }

    @Test
    void optionsThatDoNotFitTheClientsMaximumOverflowIntoFileAndSname() {
        String longName = "images/" + "n".repeat(240) + ".img";
        Scenario sc = ScenarioFile.parse("[bootp]\nboot-file = " + longName + "\n[dhcp]\ntftp-servers-option = yes\n"
                + "[server]\ndns = 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, 10.0.0.6, 10.0.0.7, 10.0.0.8\n", "t.scenario");
        Setup s = setup(sc);
        // No option 57: the server keeps to 576 bytes (RFC 2131 section 2).
        TestClient.Rx rx = s.exchange(request(DhcpMessageType.Known.DISCOVER, Ipv4Address.ANY));
        assertTrue(rx.payload().length <= 576 - 28, "the offer fits 576 bytes with IP and UDP: " + rx.payload().length);
        BootpMessage o = parse(rx);
        assertTrue(o.options().has(DhcpOption.OVERLOAD));
        assertEquals("", o.file());                                             // a 251-character name cannot be the file field
        assertEquals("10.0.0.1 (siaddr), " + longName + " (option 67)", BootTarget.of(o, SERVER).describe());
        assertEquals(8, o.options().addresses(DhcpOption.DNS).size());
        assertEquals(1, s.lan().dhcp().stats().overloaded());
        // A client that takes 1472 bytes gets it all in the options field.
        BootpMessage big = parse(s.exchange(request(DhcpMessageType.Known.DISCOVER, Ipv4Address.ANY,
                new DhcpOption.MaxMessageSize(1472))));
        assertFalse(big.options().has(DhcpOption.OVERLOAD));
    }

    @Test
    void proxyDhcpAnswersOnlyPxeClientsWithTheBootFileAndNeverAnAddress() {
        Scenario sc = ScenarioFile.parse("""
                [proxy-dhcp]
                mac = 02:00:00:00:00:03
                address = 10.0.0.3
                boot-file = pxelinux.0
                tftp-server = 10.0.0.1
                """, "t.scenario");
        Setup s = setup(sc);
        DhcpOption[] pxe = {new DhcpOption.VendorClass("PXEClient:Arch:00000:UNDI:002001"),
                new DhcpOption.ClientArch(List.of(0))};
        s.send(request(DhcpMessageType.Known.DISCOVER, Ipv4Address.ANY));
        List<TestClient.Rx> plain = s.quiet();
        assertEquals(1, plain.size(), "only the DHCP server answers a client that is not PXE");
        s.send(request(DhcpMessageType.Known.DISCOVER, Ipv4Address.ANY, pxe));
        List<TestClient.Rx> both = s.quiet();
        assertEquals(2, both.size());
        BootpMessage proxy = both.stream().map(DhcpServerTest::parse).filter(m -> m.yiaddr().isAny()).findFirst().orElseThrow();
        assertEquals(new DhcpOption.VendorClass("PXEClient"), proxy.options().option(60).orElseThrow());
        assertEquals(new DhcpOption.ServerId(ip("10.0.0.3")), proxy.options().option(54).orElseThrow());
        assertEquals("10.0.0.1 (siaddr), pxelinux.0 (file)", BootTarget.of(proxy, ip("10.0.0.3")).describe());
        assertEquals(java.util.OptionalInt.of(8),
                ((DhcpOption.VendorSpecific) proxy.options().option(43).orElseThrow()).pxeDiscoveryControl());
        // Port 4011: a client with its address asks for the boot file; the answer comes to ciaddr.
        s.client().stack.configure(FIRST, SC.netmask(), SC.gateway());
        s.client().send(s.lan().simulation().now(), 68, ip("10.0.0.3"), 4011,
                bytes(request(DhcpMessageType.Known.REQUEST, FIRST, pxe)));
        TestClient.Rx rx = s.client().next(s.lan().simulation());
        BootpMessage ack = parse(rx);
        assertEquals(DhcpMessageType.Known.ACK, type(ack));
        assertEquals(FIRST, rx.dst());
        assertEquals(Ipv4Address.ANY, ack.yiaddr());
        assertEquals(new ProxyDhcpServer.Stats(1, 1, 1, 0), s.lan().proxyDhcp().stats());
    }
}
