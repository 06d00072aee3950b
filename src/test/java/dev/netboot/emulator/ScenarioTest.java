package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScenarioTest {
    @Test
    void defaultIsTheDocumentedNetwork() {
        Scenario d = Scenario.DEFAULT;
        assertEquals(MacAddress.parse("02:00:00:00:00:01"), d.serverMac());
        assertEquals(Ipv4Address.parse("10.0.0.1"), d.serverIp());
        assertEquals(24, d.netmask().prefixLength());
        assertEquals(Ipv4Address.parse("10.0.0.1"), d.gateway());
        assertEquals(List.of(Ipv4Address.parse("10.0.0.1")), d.dns());
        assertEquals(Ipv4Address.parse("10.0.0.42"), d.clientIp());
        assertEquals("boot.img", d.bootFile());
        assertEquals("boot.img", d.servedFile());
        assertEquals(100_000, d.latencyNanos());
        assertEquals(FaultPlan.NONE, d.faults());
        assertEquals(BootpServerConfig.Announce.BOTH, d.announce());
    }

    @Test
    void bootpPoolStartsAtTheClientAddressAndStopsBeforeBroadcast() {
        BootpServerConfig c = Scenario.DEFAULT.bootpConfig();
        assertEquals(Ipv4Address.parse("10.0.0.42"), c.poolFirst());
        assertEquals(Ipv4Address.parse("10.0.0.57"), c.poolLast());
        Scenario high = Scenario.DEFAULT.withClient(Ipv4Address.parse("10.0.0.250"));
        assertEquals(Ipv4Address.parse("10.0.0.254"), high.bootpConfig().poolLast());
    }

    @Test
    void rejectsAClientOutsideTheSubnetAndBadFaults() {
        assertThrows(IllegalArgumentException.class, () -> Scenario.DEFAULT.withClient(Ipv4Address.parse("10.0.1.5")));
        assertThrows(IllegalArgumentException.class, () -> FaultPlan.loss(1.5));
        assertThrows(IllegalArgumentException.class, () -> new FaultPlan(0, Double.NaN, 0));
    }

    @Test
    void defaultScenarioFileIsTheBuiltInDefaultWithADhcpOnlyServer() {
        assertEquals(Scenario.DEFAULT, ScenarioFile.load(Path.of("emulator/default.scenario")));
        assertEquals(DhcpSettings.Answers.DHCP, Scenario.DEFAULT.dhcp().answers());
        assertEquals(DhcpSettings.Answers.BOOTP, ScenarioFile.load(Path.of("emulator/bootp.scenario")).dhcp().answers());
        assertEquals(Scenario.DEFAULT.withDhcp(DhcpSettings.DEFAULTS.withAnswers(DhcpSettings.Answers.BOOTP)),
                ScenarioFile.load(Path.of("emulator/bootp.scenario")), "bootp.scenario differs only in what the server answers");
    }

    @Test
    void dhcpAndNeighbourSectionsParse() {
        Scenario sc = ScenarioFile.parse("""
                [dhcp]
                answers = both
                lease-time = 2min
                renewal-time = 30s
                rebinding-time = 90s
                offer-delay = 250ms
                max-message = 576
                tftp-servers-option = yes
                renewals = nak
                [dhcp-server fast]
                mac = 02:00:00:00:00:02
                address = 10.0.0.2
                pool-start = 10.0.0.100
                [proxy-dhcp]
                mac = 02:00:00:00:00:03
                address = 10.0.0.3
                boot-file = pxelinux.0
                file-in-offer = no
                [host squatter]
                mac = 02:00:00:00:00:66
                address = 10.0.0.42
                """, "t.scenario");
        assertEquals(new DhcpSettings(DhcpSettings.Answers.BOTH, 120, 30, 90, 250_000_000L, 576, true,
                DhcpSettings.Renewals.NAK), sc.dhcp());
        assertEquals(new Neighbours(List.of(new Neighbours.Server("fast", MacAddress.parse("02:00:00:00:00:02"),
                        Ipv4Address.parse("10.0.0.2"), Ipv4Address.parse("10.0.0.100"), "", 0)),
                new Neighbours.Proxy(MacAddress.parse("02:00:00:00:00:03"), Ipv4Address.parse("10.0.0.3"), "pxelinux.0",
                        Ipv4Address.parse("10.0.0.1"), false),
                List.of(new Neighbours.Host("squatter", MacAddress.parse("02:00:00:00:00:66"), Ipv4Address.parse("10.0.0.42")))),
                sc.neighbours());
    }

    @Test
    void badDhcpAndNeighbourLinesNameTheirLine() {
        for (List<String> bad : List.of(
                List.of("[dhcp]\nlease-time = 1500ms\n", "t.scenario:2: [dhcp] lease-time"),
                List.of("[dhcp]\nrenewal-time = 90s\nrebinding-time = 30s\n", "t.scenario:3: [dhcp] rebinding-time"),
                List.of("[dhcp]\nanswers = dhcpv6\n", "t.scenario:2: [dhcp] answers"),
                List.of("[host h]\nmac = 02:00:00:00:00:01\naddress = 10.0.0.9\n", "t.scenario:2: [host h] mac: '02:00:00:00:00:01' is the server's MAC too"),
                List.of("[host h]\nmac = 02:00:00:00:00:09\naddress = 10.0.5.9\n", "another host of the server's subnet"),
                // Two machines with one MAC or one address: at the second's key, naming the first (before: "t.scenario:
                // neighbour i shares a MAC or address with another", no line, no kind of section).
                List.of("[host h]\nmac = 02:00:00:00:00:09\naddress = 10.0.0.9\n[host i]\nmac = 02:00:00:00:00:09\naddress = 10.0.0.8\n",
                        "t.scenario:5: [host i] mac: '02:00:00:00:00:09' is [host h]'s MAC too (expected: a MAC of this machine's own)"),
                List.of("[dhcp-server d]\nmac = 02:00:00:00:00:08\naddress = 10.0.0.9\npool-start = 10.0.0.100\n"
                        + "[host i]\nmac = 02:00:00:00:00:09\naddress = 10.0.0.9\n",
                        "t.scenario:7: [host i] address: '10.0.0.9' is [dhcp-server d]'s address too (expected: an address of this"
                                + " machine's own)"),
                List.of("[host h]\nmac = 02:00:00:00:00:09\naddress = 10.0.0.9\n[relay]\n", "not both"))) {
            var e = assertThrows(dev.netboot.device.ConfigException.class, () -> ScenarioFile.parse(bad.get(0), "t.scenario"),
                    bad.get(0));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(bad.get(1)), e.getMessage());
        }
    }

    /**
     * Values that cannot work together are reported at the key that says them, in the file's own words: RFC 2131
     * section 4.4.5's T1 <= T2 <= lease, its 576-byte minimum message (section 2), a contiguous netmask (RFC 950), a
     * retransmission timeout above zero.
     */
    @Test
    void valuesThatCannotWorkAreReportedAtTheirKey() {
        for (List<String> bad : List.of(
                List.of("[dhcp]\nrenewal-time = 90s\nrebinding-time = 30s\n",
                        "t.scenario:3: [dhcp] rebinding-time: '30s' is shorter than renewal-time 90s (expected: at least renewal-time)"),
                List.of("[dhcp]\nlease-time = 60s\nrenewal-time = 90s\n",
                        "t.scenario:3: [dhcp] renewal-time: '90s' is longer than lease-time 60s (expected: at most lease-time)"),
                List.of("[dhcp]\nrebinding-time = 2h\n".replace("2h", "7200s"),
                        "t.scenario:2: [dhcp] rebinding-time: '7200s' is longer than lease-time 3600s, the default (expected: at most lease-time)"),
                List.of("[dhcp]\nmax-message = 100\n",
                        "t.scenario:2: [dhcp] max-message: '100' is out of range (expected: 0, or 576..1500)"),
                // Past either end, the same range: before, 1501 was told 0..1500, as if 1..575 were fine.
                List.of("[dhcp]\nmax-message = 1501\n",
                        "t.scenario:2: [dhcp] max-message: '1501' is out of range (expected: 0, or 576..1500)"),
                List.of("[dhcp]\nmax-message = -1\n",
                        "t.scenario:2: [dhcp] max-message: '-1' is out of range (expected: 0, or 576..1500)"),
                List.of("[server]\nnetmask = 255.0.255.0\n",
                        "t.scenario:2: [server] netmask: '255.0.255.0' is not contiguous (expected: ones then zeros, like 255.255.255.0)"),
                List.of("[tftp]\ntimeout = 0s\n", "t.scenario:2: [tftp] timeout: '0s' (expected: more than 0)"))) {
            var e = assertThrows(dev.netboot.device.ConfigException.class, () -> ScenarioFile.parse(bad.get(0), "t.scenario"),
                    bad.get(0));
            assertEquals(bad.get(1), e.getMessage());
        }
        // A lease under 2 s leaves T1 (half of it in whole seconds) 0 unless renewal-time says otherwise, and T2 (7/8) unless
        // rebinding-time does: before, a 1 s lease made the board renew 66,253 times in a 13 s boot, a line each.
        for (List<String> zero : List.of(List.of("[dhcp]\nlease-time = 1s\n", "T1, half of it"),
                List.of("[dhcp]\nlease-time = 1s\nrenewal-time = 1s\n", "T2, 7/8 of it"))) {
            var e = assertThrows(dev.netboot.device.ConfigException.class, () -> ScenarioFile.parse(zero.get(0), "t.scenario"));
            assertEquals("t.scenario:2: [dhcp] lease-time: '1s' makes " + zero.get(1) + " in whole seconds, 0 s: a board would renew at"
                    + " once, again and again (expected: at least 2s, or renewal-time and rebinding-time of 1s or more)", e.getMessage());
        }
        assertEquals(1, ScenarioFile.parse("[dhcp]\nlease-time = 1s\nrenewal-time = 1s\nrebinding-time = 1s\n", "t.scenario").dhcp().t2());
        assertEquals(1, ScenarioFile.parse("[dhcp]\nlease-time = 2s\n", "t.scenario").dhcp().t1());
        // The bounds themselves are values that work: T1 = T2 = lease, a 576-byte message.
        DhcpSettings edge = ScenarioFile.parse("[dhcp]\nlease-time = 60s\nrenewal-time = 60s\nrebinding-time = 60s\nmax-message = 576\n",
                "t.scenario").dhcp();
        assertEquals(60, edge.t1());
        assertEquals(60, edge.t2());
        assertEquals(576, edge.maxMessage());
    }

    /**
     * Every value the command line refuses, a scenario refuses too, at its key's line, with the same limits: fault times
     * 0..60min (--jitter, --link-down), a one-way latency up to 5 s (--rtt's 10 s round trip); and addresses that cannot
     * work: a router outside its subnet or on its broadcast address, a server that is no host, a lease past 32 bits of
     * seconds (RFC 2132 9.2), a relay's router or client outside the subnet it serves, a relayed subnet overlapping the
     * server's.
     */
    @Test
    void valuesOutsideTheCommandLinesLimitsOrTheirSubnetAreRefusedAtTheirKey() {
        String peer = "[dhcp-server slow]\nmac = 02:00:00:00:00:07\naddress = 10.0.0.7\npool-start = 10.0.0.100\n";
        for (List<String> bad : List.of(
                List.of("[faults]\njitter = 100000min\n", "t.scenario:2: [faults] jitter: '100000min' is out of range (expected: 0..60min)"),
                List.of("[faults]\nloss = 0\nreorder-delay = 61min\n",
                        "t.scenario:3: [faults] reorder-delay: '61min' is out of range (expected: 0..60min)"),
                List.of("[faults]\nlink-down-at = 120min\n", "t.scenario:2: [faults] link-down-at: '120min' is out of range (expected: 0..60min)"),
                List.of("[faults]\nlink-down-for = 3601s\n",
                        "t.scenario:2: [faults] link-down-for: '3601s' is out of range (expected: 0..60min)"),
                List.of("[faults]\nflood-at = 120min\n", "t.scenario:2: [faults] flood-at: '120min' is out of range (expected: 0..60min)"),
                List.of("[segment]\nlatency = 10min\n",
                        "t.scenario:2: [segment] latency: '10min' is out of range (expected: 0..5s, one way: --rtt's 10s)"),
                List.of("[server]\nrouter = 192.168.5.1\n", "t.scenario:2: [server] router: '192.168.5.1' is not a host address of"
                        + " the server's subnet 10.0.0.1/24: it lies outside (expected: a host the boards of that subnet reach)"),
                List.of("[server]\naddress = 10.0.0.1\nrouter = 10.0.0.255\n", "t.scenario:3: [server] router: '10.0.0.255' is not a host"
                        + " address of the server's subnet 10.0.0.1/24: it is its broadcast address (expected: a host the boards of that subnet"
                        + " reach)"),
                List.of("[server]\naddress = 224.0.0.1\n", "t.scenario:2: [server] address: '224.0.0.1' is not a host's address: it is"
                        + " a multicast group (224.0.0.0/4) (expected: a unicast address, like 10.0.0.1)"),
                List.of("[server]\nnetmask = 255.255.255.254\n", "t.scenario:2: [server] netmask: '255.255.255.254' leaves no address"
                        + " for a board besides the server (expected: /30 or shorter, like 255.255.255.0)"),
                List.of("[tftp]\nstall-at = 3\nstall = 120min\n", "t.scenario:3: [tftp] stall: '120min' is out of range (expected: 0..60min)"),
                List.of("[tftp]\ntimeout = 120min\n", "t.scenario:2: [tftp] timeout: '120min' is out of range (expected: more than 0, at most 60min)"),
                List.of("[dhcp]\noffer-delay = 120min\n", "t.scenario:2: [dhcp] offer-delay: '120min' is out of range (expected: 0..60min)"),
                List.of("[dhcp]\nlease-time = 4294967295s\n", "t.scenario:2: [dhcp] lease-time: '4294967295s' is out of range"
                        + " (expected: at most 4294967294s, what 32 bits hold besides 'infinite')"),
                List.of(peer + "offer-delay = 120min\n", "t.scenario:5: [dhcp-server slow] offer-delay: '120min' is out of range (expected: 0..60min)"),
                List.of("[relay]\nclient-subnet = 10.0.1.0/24\nrouter-client-address = 10.0.2.1\n", "t.scenario:3: [relay]"
                        + " router-client-address: '10.0.2.1' is not a host address of the client subnet 10.0.1.0/24: it lies outside"
                        + " (expected: a host address of it)"),
                List.of("[relay]\nclient-address = 10.0.1.255\n", "t.scenario:2: [relay] client-address: '10.0.1.255' is not a"
                        + " host address of the client subnet 10.0.1.0/24: it is its broadcast address (expected: a host address of it)"),
                List.of("[relay]\nrouter-server-address = 10.0.5.1\n", "t.scenario:2: [relay] router-server-address: '10.0.5.1' is"
                        + " not a host address of the server's subnet 10.0.0.1/24: it lies outside (expected: another host of the server's"
                        + " subnet 10.0.0.1/24)"),
                List.of("[relay]\nrouter-mac-server = 02:00:00:00:00:01\n", "t.scenario:2: [relay] router-mac-server:"
                        + " '02:00:00:00:00:01' would make the router and the server share MAC (expected: a MAC of the router's own)"),
                List.of("[relay]\nclient-subnet = 10.0.0.0/16\n", "t.scenario:2: [relay] client-subnet: '10.0.0.0/16' overlaps the"
                        + " server's subnet 10.0.0.1/24 (expected: a subnet of its own behind the router)"))) {
            var e = assertThrows(dev.netboot.device.ConfigException.class, () -> ScenarioFile.parse(bad.get(0), "t.scenario"),
                    bad.get(0));
            assertEquals(bad.get(1), e.getMessage());
        }
        // The bounds themselves work, as on the command line: 60 minutes of jitter, 5 s one way, a router on the subnet's last host.
        Scenario edge = ScenarioFile.parse("[segment]\nlatency = 5s\n[faults]\njitter = 60min\n[server]\nrouter = 10.0.0.254\n"
                + "[dhcp]\nlease-time = 4294967294s\n", "t.scenario");
        assertEquals(5_000_000_000L, edge.latencyNanos());
        assertEquals(3_600_000_000_000L, edge.faults().jitter());
        assertEquals("10.0.0.254", edge.gateway().toString());
        assertEquals(4294967294L, edge.dhcp().leaseSeconds());
    }

    /**
     * A subnet far wider than any LAN's lies over addresses no machine has (RFC 1122 3.2.1.3: 0.0.0.0/8, 127.0.0.0/8;
     * RFC 1112's groups 224.0.0.0/4; the reserved 240.0.0.0/4): "inside the subnet" does not make them a host's. Seen in
     * the README QA pass: with netmask 0.0.0.0 a client-address of 127.0.0.42 "booted", 224.0.0.42 failed as "no answer to
     * RRQ", and a netmask of 240.0.0.0 alone handed out 0.0.0.42; a [relay] client-subnet of 127.0.1.0/24 booted the board
     * on loopback addresses.
     */
    @Test
    void addressesNoMachineHasAreRefusedEvenInsideAWideSubnet() {
        for (List<String> bad : List.of(
                List.of("[server]\nnetmask = 0.0.0.0\n[bootp]\nclient-address = 127.0.0.42\n", "t.scenario:4: [bootp] client-address:"
                        + " '127.0.0.42' is no machine's address: it is a loopback address (127.0.0.0/8): the board itself (expected: a host"
                        + " address of it, the first of the pool)"),
                List.of("[server]\nnetmask = 0.0.0.0\n[bootp]\nclient-address = 224.0.0.42\n", "t.scenario:4: [bootp] client-address:"
                        + " '224.0.0.42' is no machine's address: it is a multicast group (224.0.0.0/4) (expected: a host address of it, the"
                        + " first of the pool)"),
                List.of("[server]\nnetmask = 0.0.0.0\nrouter = 240.0.0.1\n[bootp]\nclient-address = 10.0.0.42\n", "t.scenario:3: [server]"
                        + " router: '240.0.0.1' is no machine's address: it is reserved (240.0.0.0/4) (expected: a host the boards of that"
                        + " subnet reach)"),
                List.of("[server]\nnetmask = 240.0.0.0\n", "t.scenario:2: [server] netmask: '240.0.0.0' puts the pool's first address,"
                        + " 0.0.0.42, where no machine's address is: it is in 0.0.0.0/8, 'this network', no machine's address (expected: a"
                        + " netmask of a LAN, like 255.255.255.0, or a [bootp] client-address)"),
                List.of("[relay]\nclient-subnet = 127.0.1.0/24\n", "t.scenario:2: [relay] client-subnet: '127.0.1.0/24' is no subnet of"
                        + " hosts: 127.0.1.0 is a loopback address (127.0.0.0/8): the board itself (expected: a subnet of hosts, like"
                        + " 10.0.1.0/24)"),
                List.of("[relay]\nclient-subnet = 224.0.1.0/24\n", "t.scenario:2: [relay] client-subnet: '224.0.1.0/24' is no subnet of"
                        + " hosts: 224.0.1.0 is a multicast group (224.0.0.0/4) (expected: a subnet of hosts, like 10.0.1.0/24)"),
                List.of("[server]\nnetmask = 0.0.0.0\n[bootp]\nclient-address = 10.0.0.42\n[host h]\nmac = 02:00:00:00:00:09\n"
                        + "address = 127.0.0.9\n", "t.scenario:7: [host h] address: '127.0.0.9' is no machine's address: it is a loopback"
                        + " address (127.0.0.0/8): the board itself"))) {
            var e = assertThrows(dev.netboot.device.ConfigException.class, () -> ScenarioFile.parse(bad.get(0), "t.scenario"),
                    bad.get(0));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith(bad.get(1)), e.getMessage());
        }
        // A wide subnet is no error in itself: 10.0.0.1/8 hands out 10.0.0.42, and with a client-address of a host's, /0 works.
        assertEquals("10.0.0.42", ScenarioFile.parse("[server]\nnetmask = 255.0.0.0\n", "t.scenario").clientIp().toString());
        assertEquals("10.0.0.42", ScenarioFile.parse("[server]\nnetmask = 0.0.0.0\n[bootp]\nclient-address = 10.0.0.42\n", "t.scenario")
                .clientIp().toString());
    }

    @Test
    void aPoolThatCannotGiveAnAddressOrABootFileNoReplyHoldsIsRefusedInOneLine() {
        // The pool starts at client-address: the subnet's broadcast address leaves it empty, its network address or the
        // server's own would be handed to a board; a boot file name past 255 characters fits neither the file field
        // (128 bytes) nor option 67 (255).
        String longName = "b".repeat(256);
        for (List<String> bad : List.of(
                List.of("[bootp]\nclient-address = 10.0.0.255\n", "t.scenario:2: [bootp] client-address: '10.0.0.255' is not a host"
                        + " address of the server's subnet 10.0.0.1/24: it is its broadcast address (expected: a host address of it, the"
                        + " first of the pool)"),
                List.of("[bootp]\nclient-address = 10.0.0.0\n", "t.scenario:2: [bootp] client-address: '10.0.0.0' is not a host"
                        + " address of the server's subnet 10.0.0.1/24: it is its network address (expected: a host address of it, the"
                        + " first of the pool)"),
                List.of("[bootp]\nclient-address = 10.0.0.1\n", "t.scenario:2: [bootp] client-address: '10.0.0.1' is the server's"
                        + " own address (expected: another host address, the first of the pool)"),
                List.of("[bootp]\nboot-file = " + longName + "\n", "t.scenario:2: [bootp] boot-file: a name of 256 bytes in UTF-8"
                        + " (expected: at most 255, what option 67 holds)"),
                // 128 characters, but U+00E9 is C3 A9 in UTF-8: 256 bytes, one past option 67.
                List.of("[bootp]\nboot-file = " + "\u00e9".repeat(128) + "\n", "t.scenario:2: [bootp] boot-file: a name of 256 bytes"
                        + " in UTF-8 (expected: at most 255, what option 67 holds)"))) {
            var e = assertThrows(dev.netboot.device.ConfigException.class, () -> ScenarioFile.parse(bad.get(0), "t.scenario"),
                    bad.get(0));
            assertEquals(bad.get(1), e.getMessage());
        }
        // 255 characters still go (in option 67 alone).
        assertEquals("b".repeat(255), ScenarioFile.parse("[bootp]\nboot-file = " + "b".repeat(255) + "\n", "t.scenario").bootFile());
    }

    private static void refused(String text, String message) {
        var e = assertThrows(dev.netboot.device.ConfigException.class, () -> ScenarioFile.parse(text, "t.scenario"), text);
        assertEquals(message, e.getMessage());
    }

    /**
     * A pool-size given must fit between client-address and the subnet's broadcast address: from 10.0.0.42 a /24 has
     * 10.0.0.42..10.0.0.254, 213 addresses; a relayed /24 from 10.0.1.42 the same. Before, 1000 was cut to 213 without a
     * word. A pool must not hold an address its server knows is taken (its own, its router's, the relay's router's).
     */
    @Test
    void aPoolSizeThatDoesNotFitItsSubnetOrAPoolHoldingTheRouterIsRefusedAtItsLine() {
        refused("[bootp]\npool-size = 214\n", "t.scenario:2: [bootp] pool-size: '214' addresses from 10.0.0.42 run past 10.0.0.254,"
                + " the last host of the server's subnet 10.0.0.1/24 (expected: at most 213 from there)");
        refused("[bootp]\nclient-address = 10.0.0.250\npool-size = 16\n", "t.scenario:3: [bootp] pool-size: '16' addresses from"
                + " 10.0.0.250 run past 10.0.0.254, the last host of the server's subnet 10.0.0.1/24 (expected: at most 5 from there)");
        refused("[bootp]\npool-size = 200\n[relay]\nclient-subnet = 10.0.1.0/25\n", "t.scenario:2: [bootp] pool-size: '200' addresses"
                + " from 10.0.1.42 run past 10.0.1.126, the last host of the client subnet 10.0.1.0/25 (expected: at most 85 from there)");
        // The default pool (16 from 10.0.0.42) holds 10.0.0.50: a router there is refused at its line, the later of the two.
        refused("[bootp]\npool-size = 16\n[server]\nrouter = 10.0.0.50\n", "t.scenario:4: [server] router: '10.0.0.50' makes the"
                + " pool the server hands out, 10.0.0.42..10.0.0.57, hold its router, 10.0.0.50 (expected: a pool clear of the server,"
                + " its router and the relay's)");
        refused("[server]\naddress = 10.0.0.5\n[bootp]\nclient-address = 10.0.0.2\npool-size = 8\n", "t.scenario:5: [bootp]"
                + " pool-size: '8' makes the pool the server hands out, 10.0.0.2..10.0.0.9, hold the server's own address, 10.0.0.5"
                + " (expected: a pool clear of the server, its router and the relay's)");
        refused("[bootp]\npool-size = 213\n[relay]\nrouter-server-address = 10.0.0.200\n", "t.scenario:4: [relay]"
                + " router-server-address: '10.0.0.200' makes the pool the server hands out, 10.0.0.42..10.0.0.254, hold the relay's"
                + " router, 10.0.0.200 (expected: a pool clear of the server, its router and the relay's)");
        refused("[bootp]\npool-size = 16\n[relay]\nrouter-client-address = 10.0.1.50\n", "t.scenario:4: [relay] router-client-address:"
                + " '10.0.1.50' makes the pool the server hands out, 10.0.1.42..10.0.1.57, hold the relay's router, 10.0.1.50 (expected: a"
                + " pool clear of the server, its router and the relay's)");
        refused("[relay]\nrouter-client-address = 10.0.1.42\n", "t.scenario:2: [relay] router-client-address: '10.0.1.42' is the first"
                + " client's address too (expected: another host of the client subnet 10.0.1.0/24, or a client-address of its own)");
        // Up to the last host fits; the shipped fleet's 2000 from 10.0.0.42 in its /21 end at 10.0.0.42 + 1999, 10.0.7.249.
        assertEquals(Ipv4Address.parse("10.0.0.254"), ScenarioFile.parse("[bootp]\npool-size = 213\n", "t.scenario").bootpConfig().poolLast());
        assertEquals(Ipv4Address.parse("10.0.7.249"), ScenarioFile.load(Path.of("emulator/fleet.scenario")).bootpConfig().poolLast());
        // Without pool-size the pool is 16 addresses, cut short before the broadcast address or an address that is taken.
        assertEquals(Ipv4Address.parse("10.0.0.49"), ScenarioFile.parse("[server]\nrouter = 10.0.0.50\n", "t.scenario").bootpConfig().poolLast());
        assertEquals(Ipv4Address.parse("10.0.1.49"), ScenarioFile.parse("[relay]\nrouter-client-address = 10.0.1.50\n", "t.scenario")
                .bootpConfig().relayedSubnets().get(0).poolLast());
    }

    /**
     * Addresses a reply sends the board to ([server] dns, [bootp] tftp-server, [proxy-dhcp] tftp-server) must be a
     * machine's: not 0.0.0.0/8 (RFC 1122 3.2.1.3), loopback, multicast, reserved or the limited broadcast, nor the
     * network or broadcast address of the server's subnet. A TFTP server of 0.0.0.0 names none (siaddr 0): the board
     * asks the DHCP server. Before, each of these was taken and handed to the board.
     */
    @Test
    void addressesABoardIsSentToMustBeAMachines() {
        for (List<String> bad : List.of(
                List.of("0.0.0.0", "it is in 0.0.0.0/8, 'this network', no machine's address"),
                List.of("127.0.0.1", "it is a loopback address (127.0.0.0/8): the board itself"),
                List.of("224.0.0.251", "it is a multicast group (224.0.0.0/4)"),
                List.of("240.0.0.1", "it is reserved (240.0.0.0/4)"),
                List.of("255.255.255.255", "it is the limited broadcast address"),
                List.of("10.0.0.255", "it is the broadcast address of the server's subnet 10.0.0.1/24"),
                List.of("10.0.0.0", "it is the network address of the server's subnet 10.0.0.1/24"))) {
            refused("[server]\ndns = 10.0.0.1, " + bad.get(0) + "\n", "t.scenario:2: [server] dns: '" + bad.get(0) + "' is no machine's"
                    + " address: " + bad.get(1) + " (expected: name servers' unicast addresses)");
            if (!bad.get(0).equals("0.0.0.0")) {
                refused("[bootp]\ntftp-server = " + bad.get(0) + "\n", "t.scenario:2: [bootp] tftp-server: '" + bad.get(0) + "' is no"
                        + " machine's address: " + bad.get(1) + " (expected: a TFTP server's unicast address, or 0.0.0.0 to name none)");
                refused("[proxy-dhcp]\nmac = 02:00:00:00:00:03\naddress = 10.0.0.3\nboot-file = b\ntftp-server = " + bad.get(0) + "\n",
                        "t.scenario:5: [proxy-dhcp] tftp-server: '" + bad.get(0) + "' is no machine's address: " + bad.get(1)
                        + " (expected: a TFTP server's unicast address, or 0.0.0.0 to name none)");
            }
        }
        // A name server beyond the router, and a TFTP server named as none, are what they say.
        Scenario ok = ScenarioFile.parse("[server]\ndns = 192.0.2.53, 10.0.0.1\n[bootp]\ntftp-server = 0.0.0.0\n", "t.scenario");
        assertEquals(List.of(Ipv4Address.parse("192.0.2.53"), Ipv4Address.parse("10.0.0.1")), ok.dns());
        assertEquals(Ipv4Address.ANY, ok.tftpServer());
    }

    /**
     * Left out, router, dns and tftp-server are the server's own address and client-address host 42 of its subnet, so
     * moving [server] address moves the network: before, 192.0.2.1 kept router, name server and TFTP server at 10.0.0.1
     * and the board's 10.0.0.42 was refused as outside the subnet; 10.0.0.50 in the default subnet left them at 10.0.0.1,
     * where nobody answers. A [server] netmask alone was refused as "not a host address".
     */
    @Test
    void theAddressesLeftOutFollowTheServer() {
        Ipv4Address server = Ipv4Address.parse("192.0.2.1");
        Scenario moved = ScenarioFile.parse("[server]\naddress = 192.0.2.1\n", "t.scenario");
        assertEquals(server, moved.gateway());
        assertEquals(List.of(server), moved.dns());
        assertEquals(server, moved.tftpServer());
        assertEquals(Ipv4Address.parse("192.0.2.42"), moved.clientIp());
        assertEquals(Ipv4Address.parse("192.0.2.57"), moved.bootpConfig().poolLast());
        Scenario within = ScenarioFile.parse("[server]\naddress = 10.0.0.50\n", "t.scenario");
        assertEquals(Ipv4Address.parse("10.0.0.50"), within.gateway());
        assertEquals(Ipv4Address.parse("10.0.0.50"), within.tftpServer());
        assertEquals(Ipv4Address.parse("10.0.0.49"), within.bootpConfig().poolLast(), "the pool stops before the server");
        // A /27 has no host 42: the pool starts at its lowest host besides the server's.
        assertEquals(Ipv4Address.parse("192.0.2.2"), ScenarioFile.parse("[server]\naddress = 192.0.2.1\nnetmask = 255.255.255.224\n",
                "t.scenario").clientIp());
        assertEquals(Ipv4Address.parse("192.0.2.1"), ScenarioFile.parse("[server]\naddress = 192.0.2.2\nnetmask = 255.255.255.252\n",
                "t.scenario").clientIp());
        // The relay's server side is the subnet's last host, as 10.0.0.254 is of the default.
        assertEquals(Ipv4Address.parse("192.0.2.254"), ScenarioFile.parse("[server]\naddress = 192.0.2.1\n[relay]\n", "t.scenario")
                .relay().routerServerIp());
        assertEquals(16, ScenarioFile.parse("[server]\nnetmask = 255.255.0.0\n", "t.scenario").netmask().prefixLength());
        refused("[server]\naddress = 10.0.1.1\n[relay]\n", "t.scenario:3: [relay] client-subnet 10.0.1.0/24, the default, overlaps"
                + " the server's subnet 10.0.1.1/24 (expected: a client-subnet of its own behind the router)");
        refused("[server]\naddress = 10.0.0.0\nnetmask = 255.255.0.0\n", "t.scenario:3: [server] netmask: '255.255.0.0' makes the"
                + " server 10.0.0.0 the network address of the server's subnet 10.0.0.0/16 (expected: the server on a host address of its"
                + " subnet)");
    }

    /**
     * The other machines' sections are checked at their lines as the server's are: a DHCP server's pool-start outside the
     * subnet (before: a stack trace when the LAN was built, "BOOTP pool 10.0.5.1..10.0.0.254"), a group MAC, an address
     * that is the subnet's broadcast, a boot file longer than option 67 (a stack trace) or, for the ProxyDHCP server, than
     * the file field in UTF-8 bytes (a stack trace at the board's first request).
     */
    @Test
    void theOtherMachinesSectionsAreCheckedAtTheirLines() {
        String peer = "[dhcp-server x]\nmac = 02:00:00:00:00:07\naddress = 10.0.0.7\n";
        refused(peer + "pool-start = 10.0.5.1\n", "t.scenario:4: [dhcp-server x] pool-start: '10.0.5.1' is not a host address of the"
                + " server's subnet 10.0.0.1/24: it lies outside (expected: a host address of it, the first of this server's 16)");
        refused(peer + "pool-start = 10.0.0.7\n", "t.scenario:4: [dhcp-server x] pool-start: '10.0.0.7' is this server's own address"
                + " (expected: another host address, the first of this server's 16)");
        refused(peer + "pool-start = 10.0.0.100\nboot-file = " + "b".repeat(256) + "\n", "t.scenario:5: [dhcp-server x] boot-file: a"
                + " name of 256 bytes in UTF-8 (expected: at most 255, what option 67 holds)");
        refused("[dhcp-server x]\nmac = 01:00:00:00:00:07\naddress = 10.0.0.7\npool-start = 10.0.0.100\n", "t.scenario:2:"
                + " [dhcp-server x] mac: '01:00:00:00:00:07' is a multicast address (expected: a station's own MAC, the first octet"
                + " even, like 02:00:00:00:00:01)");
        refused("[host h]\nmac = 02:00:00:00:00:09\naddress = 10.0.0.255\n", "t.scenario:3: [host h] address: '10.0.0.255' is not a"
                + " host address of the server's subnet 10.0.0.1/24: it is its broadcast address (expected: another host of the server's"
                + " subnet 10.0.0.1/24)");
        refused("[tftp-server b]\nmac = 02:00:00:00:00:01\naddress = 10.0.0.2\n", "t.scenario:2: [tftp-server b] mac:"
                + " '02:00:00:00:00:01' is the server's MAC too (expected: a MAC of this machine's own)");
        // 64 characters, 128 bytes in UTF-8: one past the file field's 127 and its NUL.
        refused("[proxy-dhcp]\nmac = 02:00:00:00:00:03\naddress = 10.0.0.3\nboot-file = " + "\u00e9".repeat(64) + "\n",
                "t.scenario:4: [proxy-dhcp] boot-file: a name of 128 bytes in UTF-8 (expected: at most 127, what the file field holds)");
        // A DHCP server's pool stops before the server host's address, as the server host's stops before its own.
        Scenario sc = ScenarioFile.parse(peer + "pool-start = 10.0.0.240\n[server]\nrouter = 10.0.0.245\n", "t.scenario");
        assertEquals(Ipv4Address.parse("10.0.0.244"), sc.neighbourConfig(sc.neighbours().servers().get(0)).poolLast());
    }

    /**
     * Every DHCP server's DHCPACK must fit the 576 bytes RFC 2131 section 2 says every client takes, its options running on
     * into file and sname: 236 bytes of header, the cookie and 312 of options; with file and sname, 500 bytes of options.
     * 400 name servers (1600 bytes of option 6) cannot; 63 with the default file can. Before, the server threw at the
     * first DHCPDISCOVER: a stack trace from boot, fleet and serve.
     */
    @Test
    void aDhcpReplyNoClientCouldTakeIsRefusedAtItsKey() {
        String many = String.join(",", java.util.stream.IntStream.range(0, 400).mapToObj(i -> "10.0." + (i / 200) + "." + (i % 200 + 2))
                .toList());
        refused("[server]\nnetmask = 255.255.0.0\ndns = " + many + "\n", "t.scenario:3: [server] dns: 400 addresses make the server's"
                + " DHCPACK too long for the 576 bytes every client takes (RFC 2131 section 2), even with options in the file and sname"
                + " fields (expected: fewer name servers, or a shorter boot-file)");
        String sixtyThree = String.join(",", java.util.stream.IntStream.range(0, 63).mapToObj(i -> "10.0.0." + (i + 100)).toList());
        assertEquals(63, ScenarioFile.parse("[server]\ndns = " + sixtyThree + "\n", "t.scenario").dns().size());
        refused("[server]\ndns = " + sixtyThree + "\n[bootp]\nboot-file = " + "b".repeat(200) + "\n", "t.scenario:4: [bootp] boot-file:"
                + " a name of 200 bytes and 63 name servers make the server's DHCPACK too long for the 576 bytes every client takes"
                + " (RFC 2131 section 2), even with options in the file and sname fields (expected: fewer name servers, or a shorter"
                + " boot-file)");
    }

    /**
     * RFC 2090's groups come from 224.0.0.0/4 past the local network control block, 224.0.0.0/24 (RFC 5771), where every
     * host already is in 224.0.0.1 (RFC 1112): before, multicast-group = 224.0.0.1 passed, and 'fleet --multicast' ended
     * in a stack trace when the boards joined it.
     */
    @Test
    void aMulticastGroupInTheLocalControlBlockIsRefusedAtItsLine() {
        refused("[tftp]\nmulticast-group = 224.0.0.1\n", "t.scenario:2: [tftp] multicast-group: multicast 224.0.0.1 x 16 port 1758"
                + " (expected: groups within 224.0.0.0/4 past 224.0.0.255, the local control block, 1..256 of them, port 1..65535)");
        refused("[tftp]\nmulticast-group = 224.0.0.200\n", "t.scenario:2: [tftp] multicast-group: multicast 224.0.0.200 x 16 port 1758"
                + " (expected: groups within 224.0.0.0/4 past 224.0.0.255, the local control block, 1..256 of them, port 1..65535)");
        assertEquals(Ipv4Address.parse("224.0.1.0"), ScenarioFile.parse("[tftp]\nmulticast-group = 224.0.1.0\n", "t.scenario").fleet()
                .multicast().firstGroup());
    }

    /**
     * [tftp] max-timeout, the TFTP server's longest wait (the wait doubling after each retransmission left unanswered,
     * up to it): left out, the emulator's fixed wait and serve's own 8 s; 0, a fixed wait for both; else at least the
     * timeout, at most what a timeout may be, refused at its line otherwise, wherever the timeout stands in the section.
     */
    @Test
    void theTftpServersLongestWaitIsZeroOrAtLeastTheTimeoutAndRefusedAtItsLineOtherwise() {
        Scenario unsaid = ScenarioFile.parse("[tftp]\ntimeout = 300ms\n", "t.scenario");
        assertEquals(0, unsaid.tftpConfig().maxTimeout());
        assertEquals(WireServers.LONGEST_WAIT, WireServers.longestWait(unsaid));
        assertEquals(-1, Scenario.DEFAULT.tftpMaxTimeout());
        Scenario fixed = ScenarioFile.parse("[tftp]\nmax-timeout = 0s\n", "t.scenario");
        assertEquals(0, fixed.tftpConfig().maxTimeout());
        assertEquals(0, WireServers.longestWait(fixed));
        Scenario doubling = ScenarioFile.parse("[tftp]\nmax-timeout = 2s\ntimeout = 300ms\n", "t.scenario");
        assertEquals(300_000_000L, doubling.tftpConfig().timeout());
        assertEquals(2_000_000_000L, doubling.tftpConfig().maxTimeout());
        assertEquals(2_000_000_000L, WireServers.longestWait(doubling));
        // The timeout itself works (every wait is it), and so do the bounds a timeout has.
        assertEquals(1_000_000_000L, ScenarioFile.parse("[tftp]\nmax-timeout = 1s\n", "t.scenario").tftpConfig().maxTimeout());
        assertEquals(ScenarioValues.MAX_FAULT_TIME, ScenarioFile.parse("[tftp]\nmax-timeout = 60min\n", "t.scenario").tftpMaxTimeout());
        refused("[tftp]\nmax-timeout = 500ms\n", "t.scenario:2: [tftp] max-timeout: '500ms' is shorter than timeout 1s, the default"
                + " (expected: 0s for a fixed wait, or at least timeout)");
        refused("[tftp]\nmax-timeout = 2s\ntimeout = 3s\n", "t.scenario:2: [tftp] max-timeout: '2s' is shorter than timeout 3s"
                + " (expected: 0s for a fixed wait, or at least timeout)");
        refused("[tftp]\ntimeout = 1s\nmax-timeout = 61min\n", "t.scenario:3: [tftp] max-timeout: '61min' is out of range"
                + " (expected: 0s for a fixed wait, or at least timeout, at most 60min)");
        // What the messages suggest is taken as written (before, they said '0', which a duration without a unit is not).
        assertEquals(0, ScenarioFile.parse("[tftp]\nmax-timeout = 0s\n", "t.scenario").tftpConfig().maxTimeout());
        refused("[tftp]\nmax-timeout = 0\n", "t.scenario:2: [tftp] max-timeout: '0' is not a duration: no unit (expected: a number"
                + " with a unit ns, us, ms, s or min, like 250ms or 1.5s)");
        // A scenario made in code is held to the same; -1 is "not said".
        Scenario d = Scenario.DEFAULT;
        var e = assertThrows(IllegalArgumentException.class, () -> new Scenario(d.seed(), d.latencyNanos(), d.faults(), d.serverMac(),
                d.serverIp(), d.netmask(), d.gateway(), d.dns(), d.clientIp(), d.bootFile(), d.announce(), d.tftpServer(), d.tftpTimeout(),
                d.tftpRetries(), 500_000_000L, d.servedFile(), d.relay(), d.link(), d.dhcp(), d.neighbours(), d.tftpQuirks(), d.fleet()));
        assertEquals("scenario: TFTP longest wait 500000000 ns, timeout 1000000000 ns (expected: 0 for a fixed wait, -1 for the"
                + " server's own, or at least the timeout)", e.getMessage());
    }

    @Test
    void seedsAreStablePerComponentAndIndependentOfEachOther() {
        assertEquals(Seeds.derive(1, "segment"), Seeds.derive(1, "segment"));
        assertNotEquals(Seeds.derive(1, "segment"), Seeds.derive(1, "tftp-ports"));
        assertNotEquals(Seeds.derive(1, "segment"), Seeds.derive(2, "segment"));
    }

    @Test
    void scenarioFilesReportTyposAndGroupMacsAsProfilesDo() {
        // Same format, same reader: a swapped-letter typo gets its line and the key meant, a group MAC its line.
        assertEquals("t.scenario:2: [segment] unknown key 'latnecy' (did you mean 'latency'?) (expected one of: latency, bandwidth, tx-queue, switch)",
                assertThrows(dev.netboot.device.ConfigException.class, () -> ScenarioFile.parse("[segment]\nlatnecy = 1ms\n", "t.scenario"))
                        .getMessage());
        assertEquals("t.scenario:2: [server] mac: 'ff:ff:ff:ff:ff:ff' is a broadcast address (expected: a station's own MAC, the first"
                        + " octet even, like 02:00:00:00:00:01)",
                assertThrows(dev.netboot.device.ConfigException.class,
                        () -> ScenarioFile.parse("[server]\nmac = ff:ff:ff:ff:ff:ff\n", "t.scenario")).getMessage());
    }
}
