package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.net.Frames;
import dev.netboot.net.ScriptedLink;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link WireServers}, the server host {@code netboot serve} puts on a real interface, driven frame by frame over a
 * scripted link.
 */
class WireServersTest {
    static final MacAddress SERVER_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress CLIENT_MAC = MacAddress.parse("02:00:00:00:00:42");
    static final Ipv4Address SERVER = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.50");

    @Test
    void aWriteRequestIsRefusedWithAccessViolationAndNothingIsKept() {
        // On a real wire nobody reads what an upload would leave in the server's memory: a client told "done"
        // would have lost its file, and an upload without end would fill the heap. RFC 1350: ERROR 2, access violation.
        ScriptedLink link = new ScriptedLink(SERVER_MAC);
        WireServers servers = WireServers.start(link, SERVER_MAC, Scenario.DEFAULT);
        byte[] wrq = Frames.tftp(new TftpPacket.Wrq("crash.log", "octet", List.of()));
        link.deliver(0, Frames.udp(CLIENT_MAC, SERVER_MAC, CLIENT, 40000, SERVER, 69, wrq));
        TftpPacket answer = null;
        for (long now = 0; now < ScriptedLink.SEC && answer == null; now += ScriptedLink.MS) {
            servers.poll(now);
            for (ScriptedLink.Tx tx : link.takeTx()) {
                Frames.Frame f = tx.decode();
                if (f instanceof Frames.Arp a && a.arp().tpa().equals(CLIENT)) {
                    link.deliver(now, Frames.arpReply(CLIENT_MAC, CLIENT, SERVER_MAC, SERVER));
                } else if (f instanceof Frames.Udp u && u.dstPort() == 40000) {
                    answer = u.tftp();
                }
            }
        }
        TftpPacket.Error e = assertInstanceOf(TftpPacket.Error.class, answer, String.valueOf(answer));
        assertEquals(2, e.code(), e.toString());
        assertTrue(servers.tftp().uploads().isEmpty());
        assertTrue(servers.tftp().uploadSessions().isEmpty());
    }

    @Test
    void serveWaitsUpToItsOwnLongestUnlessTheScenarioSaysOne() {
        // netboot serve's wait for an ACK doubles up to 8 s where the scenario's [tftp] says nothing (the emulator's
        // default is a fixed wait), and up to the scenario's max-timeout where it says one: 0 keeps it fixed.
        Map<String, Long> longest = Map.of("", WireServers.LONGEST_WAIT, "max-timeout = 3s\n", 3_000_000_000L, "max-timeout = 0s\n", 0L);
        longest.forEach((key, wait) -> {
            Scenario sc = ScenarioFile.parse("[tftp]\n" + key, "t.scenario");
            WireServers servers = WireServers.start(new ScriptedLink(SERVER_MAC), SERVER_MAC, sc);
            assertEquals(wait, servers.tftp().config().maxTimeout(), key);
            assertEquals(sc.tftpTimeout(), servers.tftp().config().timeout());
        });
    }

    @Test
    void fortyClientsAtOnceAreAllServedAsAServerHostWould() {
        // netboot serve is a rack's boot server: forty boards asking at once (each its own MAC, address and port)
        // must each get DATA 1 at once, none ERROR 0 "Server busy", when the scenario sets no limit on transfers
        // ([tftp] max-transfers = 0, as tftpd-hpa). A server host needs a UDP port per transfer and an ARP entry per
        // client (each ARPed for the server first, as every IP stack does, so the server knows them all).
        ScriptedLink link = new ScriptedLink(SERVER_MAC);
        WireServers servers = WireServers.start(link, SERVER_MAC, Scenario.DEFAULT);
        servers.tftp().serve("boot.img", new byte[4096]);
        int n = 40;
        Map<Ipv4Address, TftpPacket> first = firstAnswers(servers, link, n);
        assertEquals(n, first.size(), "clients answered: " + first.keySet());
        for (Map.Entry<Ipv4Address, TftpPacket> e : first.entrySet()) {
            TftpPacket.Data d = assertInstanceOf(TftpPacket.Data.class, e.getValue(), e.getKey() + ": " + e.getValue());
            assertEquals(1, d.block(), e.getKey().toString());
        }
    }

    @Test
    void theScenariosLimitOnTransfersHoldsAsOnTheEmulator() {
        // [tftp] max-transfers = 1 with when-full = busy: the first of two requests at once gets DATA 1, the second
        // ERROR 0 "Server busy" (README "Fleets"; atftpd's --maxthread reached). Before, serve ignored the limit and
        // served both.
        Scenario sc = ScenarioFile.parse("[tftp]\nmax-transfers = 1\nwhen-full = busy\n", "limit.scenario");
        ScriptedLink link = new ScriptedLink(SERVER_MAC);
        WireServers servers = WireServers.start(link, SERVER_MAC, sc);
        servers.tftp().serve("boot.img", new byte[4096]);
        Map<Ipv4Address, TftpPacket> first = firstAnswers(servers, link, 2);
        TftpPacket.Data d = assertInstanceOf(TftpPacket.Data.class, first.get(Ipv4Address.parse("10.0.0.100")), first.toString());
        assertEquals(1, d.block());
        TftpPacket.Error e = assertInstanceOf(TftpPacket.Error.class, first.get(Ipv4Address.parse("10.0.0.101")), first.toString());
        assertEquals(0, e.code(), e.toString());
        assertTrue(e.message().contains("busy"), e.toString());
    }

    @Test
    void aRequestThatDoesNotParseIsAnsweredWithIllegalOperationAndJunkIsNot() {
        // An RRQ whose mode has no terminating NUL (RFC 1350: every string ends in one) cannot be served; silence left the
        // client retrying for its whole give-up time and serve's terminal saying nothing. tftpd-hpa answers such a
        // request ERROR 4; so does this server, with the parser's reason. An ACK to port 69 (no transfer there) is not answered.
        ScriptedLink link = new ScriptedLink(SERVER_MAC);
        WireServers servers = WireServers.start(link, SERVER_MAC, Scenario.DEFAULT);
        byte[] noNul = {0, 1, 'b', 'o', 'o', 't', '.', 'i', 'm', 'g', 0, 'o', 'c', 't', 'e', 't'};
        link.deliver(0, Frames.udp(CLIENT_MAC, SERVER_MAC, CLIENT, 40000, SERVER, 69, noNul));
        link.deliver(0, Frames.udp(CLIENT_MAC, SERVER_MAC, CLIENT, 40001, SERVER, 69, new byte[] {0, 4, 0, 1}));
        List<Frames.Udp> answers = new java.util.ArrayList<>();
        for (long now = 0; now < ScriptedLink.SEC; now += ScriptedLink.MS) {
            servers.poll(now);
            for (ScriptedLink.Tx tx : link.takeTx()) {
                Frames.Frame f = tx.decode();
                if (f instanceof Frames.Arp a && a.arp().tpa().equals(CLIENT)) {
                    link.deliver(now, Frames.arpReply(CLIENT_MAC, CLIENT, SERVER_MAC, SERVER));
                } else if (f instanceof Frames.Udp u) {
                    answers.add(u);
                }
            }
        }
        assertEquals(1, answers.size(), answers.toString());
        assertEquals(40000, answers.getFirst().dstPort());
        TftpPacket.Error e = assertInstanceOf(TftpPacket.Error.class, answers.getFirst().tftp());
        assertEquals(4, e.code(), e.toString());
        assertEquals("Illegal TFTP operation: RRQ mode: no terminating NUL in 5 bytes", e.message());
    }

    @Test
    void withMulticastOfferedARequestForItGetsTheGroupAndItsDataGoesToTheGroupsMacWithTtlOne() {
        // [tftp] multicast = yes on a real wire (netboot serve): RFC 2090 section 2, the first client's OACK says
        // "group,port,1" (master), the second's "group,port,0"; the master's ACK 0 brings DATA 1 to the group, to the
        // Ethernet address RFC 1112 section 6.4 maps it to (01:00:5e and the group's low 23 bits: 239.255.7.1 ->
        // 01:00:5e:7f:07:01), with TTL 1 (RFC 2090: "a TTL of 1 ... the local subnet"; RFC 1112 section 6.1's default).
        // Before, serve left the option unanswered and both got a unicast DATA 1 of their own.
        Scenario sc = ScenarioFile.parse("[tftp]\nmulticast = yes\nmulticast-group = 239.255.7.1\nmulticast-port = 1758\n",
                "multicast.scenario");
        ScriptedLink link = new ScriptedLink(SERVER_MAC);
        WireServers servers = WireServers.start(link, SERVER_MAC, sc);
        servers.tftp().serve("boot.img", new byte[4096]);
        List<TftpPacket.Option> mc = List.of(new TftpPacket.Option("multicast", ""));
        Map<Ipv4Address, TftpPacket> first = firstAnswers(servers, link, 2, mc);
        TftpPacket.Oack master = assertInstanceOf(TftpPacket.Oack.class, first.get(Ipv4Address.parse("10.0.0.100")), first.toString());
        assertEquals(List.of(new TftpPacket.Option("multicast", "239.255.7.1,1758,1")), master.options());
        TftpPacket.Oack other = assertInstanceOf(TftpPacket.Oack.class, first.get(Ipv4Address.parse("10.0.0.101")), first.toString());
        assertEquals(List.of(new TftpPacket.Option("multicast", "239.255.7.1,1758,0")), other.options());
        assertEquals(1, servers.tftp().multicastSessions().size());
        assertEquals(0, servers.tftp().sessions().size(), "no unicast transfer");

        // The master acknowledges its OACK from its port, to the transfer's port (the OACK's source).
        int tid = servers.tftp().multicastSessions().getFirst().stats().port();
        MacAddress masterMac = MacAddress.parse("02:00:00:00:01:00");
        link.deliver(ScriptedLink.SEC, Frames.udp(masterMac, SERVER_MAC, Ipv4Address.parse("10.0.0.100"), 40000, SERVER, tid,
                Frames.tftp(new TftpPacket.Ack(0))));
        ScriptedLink.Tx data = null;
        for (long now = ScriptedLink.SEC; now < 2 * ScriptedLink.SEC && data == null; now += ScriptedLink.MS) {
            servers.poll(now);
            for (ScriptedLink.Tx tx : link.takeTx()) {
                if (tx.decode() instanceof Frames.Udp u && u.tftp() instanceof TftpPacket.Data) {
                    data = tx;
                }
            }
        }
        Frames.Udp u = assertInstanceOf(Frames.Udp.class, data == null ? null : data.decode(), "no DATA sent");
        assertEquals(MacAddress.parse("01:00:5e:7f:07:01"), u.ethDst());
        assertEquals(Ipv4Address.parse("239.255.7.1"), u.dstIp());
        assertEquals(1758, u.dstPort());
        assertEquals(tid, u.srcPort());
        assertEquals(1, data.bytes()[Frames.IP_OFF + 8], "IP TTL");
        assertEquals(1, assertInstanceOf(TftpPacket.Data.class, u.tftp()).block());
    }

    @Test
    void withoutMulticastSaidARequestForItGetsAUnicastTransferAsBefore() {
        // No [tftp] multicast = yes (the emulator offers multicast by default; serve on a real wire only where the
        // scenario says so): the option is left out of the answer (RFC 2347: a server leaves out what it does not
        // support; with nothing left, no OACK) and each client gets DATA 1 at its own address. So with a scenario that
        // names the groups without saying multicast = yes, and with one that says multicast = no.
        for (Scenario sc : List.of(Scenario.DEFAULT, ScenarioFile.parse("[tftp]\nmulticast-group = 239.255.7.1\n", "groups.scenario"),
                ScenarioFile.parse("[tftp]\nmulticast = no\n", "no.scenario"))) {
            assertUnicast(sc);
        }
    }

    private static void assertUnicast(Scenario sc) {
        ScriptedLink link = new ScriptedLink(SERVER_MAC);
        WireServers servers = WireServers.start(link, SERVER_MAC, sc);
        servers.tftp().serve("boot.img", new byte[4096]);
        Map<Ipv4Address, TftpPacket> first = firstAnswers(servers, link, 2, List.of(new TftpPacket.Option("multicast", "")));
        assertEquals(2, first.size(), first.toString());
        for (TftpPacket p : first.values()) {
            assertEquals(1, assertInstanceOf(TftpPacket.Data.class, p, first.toString()).block());
        }
        assertTrue(servers.tftp().multicastSessions().isEmpty());
    }

    /**
     * Has {@code n} clients (10.0.0.100 up, each its own MAC, port 40000) ARP for the server and ask it for boot.img at
     * once, answers the server's ARP for them, and returns the first TFTP packet each got within half a second.
     */
    static Map<Ipv4Address, TftpPacket> firstAnswers(WireServers servers, ScriptedLink link, int n) {
        return firstAnswers(servers, link, n, List.of());
    }

    /** As {@link #firstAnswers(WireServers, ScriptedLink, int)}, each request with {@code options}. */
    static Map<Ipv4Address, TftpPacket> firstAnswers(WireServers servers, ScriptedLink link, int n, List<TftpPacket.Option> options) {
        Map<Ipv4Address, MacAddress> macs = new HashMap<>();
        for (int i = 0; i < n; i++) {
            MacAddress mac = MacAddress.parse(String.format("02:00:00:00:01:%02x", i));
            Ipv4Address ip = Ipv4Address.parse("10.0.0." + (100 + i));
            macs.put(ip, mac);
            byte[] rrq = Frames.tftp(new TftpPacket.Rrq("boot.img", "octet", options));
            link.deliver(0, Frames.arpRequest(mac, ip, SERVER));
            link.deliver(0, Frames.udp(mac, SERVER_MAC, ip, 40000, SERVER, 69, rrq));
        }
        Map<Ipv4Address, TftpPacket> first = new HashMap<>();
        for (long now = 0; now < ScriptedLink.SEC / 2 && first.size() < n; now += ScriptedLink.MS) {
            servers.poll(now);
            for (ScriptedLink.Tx tx : link.takeTx()) {
                Frames.Frame f = tx.decode();
                if (f instanceof Frames.Arp a && macs.containsKey(a.arp().tpa())) {
                    link.deliver(now, Frames.arpReply(macs.get(a.arp().tpa()), a.arp().tpa(), SERVER_MAC, SERVER));
                } else if (f instanceof Frames.Udp u && u.dstPort() == 40000) {
                    first.putIfAbsent(u.dstIp(), u.tftp());
                }
            }
        }
        return first;
    }
}
