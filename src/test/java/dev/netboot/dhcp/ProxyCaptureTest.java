package dev.netboot.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.bootp.BootTarget;
import dev.netboot.net.Frames;
import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStack;
import dev.netboot.net.ScriptedLink;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.CorpusTest;
import dev.netboot.wire.DhcpMessageType;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * dnsmasq 2.90 as a ProxyDHCP server, from a real capture (src/test/resources/corpus/dhcp-*-dnsmasq-proxy.hex): its
 * offer gives no address and no file, so the board asks on port 4011, and the answer there names the file. What the
 * client must make of each frame is read off the frames themselves (tshark's dissection is in the files' comments).
 */
class ProxyCaptureTest {
    static final MacAddress BOARD = MacAddress.parse("02:00:00:99:00:10");
    static final Ipv4Address PROXY = Ipv4Address.parse("192.0.2.2");
    static final Ipv4Address ADDRESS = Ipv4Address.parse("192.0.2.56");
    static final int XID = 0xfbf421ec;

    static BootpMessage message(String name) {
        CorpusTest.Udp u = CorpusTest.udp(CorpusTest.load(name));
        return BootpMessage.parse(u.buf(), u.off(), u.len());
    }

    @Test
    void theProxyOfferGivesNoAddressAndNamesOnlyItsServerSoTheBoardMustAskOnPort4011() {
        BootpMessage m = message("dhcp-offer-dnsmasq-proxy");
        assertEquals(XID, m.xid());
        assertEquals(DhcpMessageType.Known.OFFER, m.options().messageType().orElseThrow());
        Offer o = Offer.of(m, PROXY, 0);
        assertEquals(Offer.Kind.PROXY, o.kind());
        assertFalse(o.givesAddress());
        assertEquals(PROXY, o.server());                                  // option 54
        assertEquals(PROXY, o.target().server());                         // siaddr
        assertTrue(o.needsProxyRequest(), "no file in the offer: " + o.target().missing());
        assertNull(Offer.best(List.of(o)), "a ProxyDHCP offer alone gives no lease");
    }

    @Test
    void theAnswerOnPort4011CompletesTheAddressOnlyLease() {
        ScriptedLink link = new ScriptedLink(BOARD);
        NetStack net = new NetStack(link, NetConfig.DEFAULTS);
        Ipv4Address mask = Ipv4Address.parse("255.255.255.0");
        net.configure(ADDRESS, mask, Ipv4Address.parse("192.0.2.1"));
        Lease addressOnly = new Lease(Lease.Source.DHCP, ADDRESS, mask, Ipv4Address.parse("192.0.2.1"),
                List.of(Ipv4Address.parse("192.0.2.1")), List.of(), "", "",
                Ipv4Address.parse("192.0.2.255"), new BootTarget(Ipv4Address.ANY, "", "", "", ""), -1, Ipv4Address.parse("192.0.2.1"),
                Ipv4Address.ANY, 3600, 1800, 3150);
        ProxyBoot proxy = new ProxyBoot(net, new ClientMessages(BOARD, DhcpConfig.DEFAULTS, net.maxUdpPayload()),
                (now, sent) -> now + ScriptedLink.SEC);
        proxy.start(0, XID, addressOnly, Offer.of(message("dhcp-offer-dnsmasq-proxy"), PROXY, 0), 2);

        // The request: unicast from our address to the ProxyDHCP server's port 4011, once its MAC is known.
        link.deliver(1, Frames.arpReply(MacAddress.parse("a2:7e:60:2e:d9:c1"), PROXY, BOARD, ADDRESS));
        net.poll(1);
        proxy.poll(1, 2);
        Frames.Udp req = link.takeTx().getLast().decode().asUdp();
        assertEquals(List.of(ADDRESS, PROXY, 68, ProxyBoot.PORT), List.of(req.srcIp(), req.dstIp(), req.srcPort(), req.dstPort()));
        assertEquals(DhcpMessageType.Known.REQUEST, req.bootp().options().messageType().orElseThrow());
        assertEquals(XID, req.bootp().xid());

        assertNull(proxy.onReply(message("dhcp-ack-dnsmasq-proxy"), PROXY));
        Lease l = proxy.lease();
        assertEquals(Lease.Source.PROXY, l.source());
        assertEquals(PROXY, l.proxyServer());
        assertEquals(PROXY, l.server());
        assertEquals("boot.img", l.bootFile());
        assertEquals(ADDRESS, l.address());
        assertNull(proxy.failure());
    }

    @Test
    void aProxyDhcpOfferIsNotTakenForTheAnswerOnPort4011() {
        ScriptedLink link = new ScriptedLink(BOARD);
        NetStack net = new NetStack(link, NetConfig.DEFAULTS);
        net.configure(ADDRESS, Ipv4Address.parse("255.255.255.0"), Ipv4Address.ANY); // the lease's address, as the stage does first
        ProxyBoot proxy = new ProxyBoot(net, new ClientMessages(BOARD, DhcpConfig.DEFAULTS, net.maxUdpPayload()),
                (now, sent) -> now + ScriptedLink.SEC);
        Lease addressOnly = new Lease(Lease.Source.DHCP, ADDRESS, Ipv4Address.parse("255.255.255.0"), Ipv4Address.ANY, List.of(),
                List.of(), "", "", Ipv4Address.parse("192.0.2.255"), new BootTarget(Ipv4Address.ANY, "", "", "", ""), -1,
                Ipv4Address.parse("192.0.2.1"), Ipv4Address.ANY, 3600, 1800, 3150);
        proxy.start(0, XID, addressOnly, Offer.of(message("dhcp-offer-dnsmasq-proxy"), PROXY, 0), 0);
        String why = proxy.onReply(message("dhcp-offer-dnsmasq-proxy"), PROXY);
        assertTrue(why != null && why.contains("DHCPOFFER"), why);
        assertNull(proxy.lease());
        assertNull(proxy.failure());
    }
}
