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
                List.of("[host h]\nmac = 02:00:00:00:00:01\naddress = 10.0.0.9\n", "with its own MAC"),
                List.of("[host h]\nmac = 02:00:00:00:00:09\naddress = 10.0.5.9\n", "another host of the server's subnet"),
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
                List.of("[server]\nnetmask = 255.0.255.0\n",
                        "t.scenario:2: [server] netmask: '255.0.255.0' is not contiguous (expected: ones then zeros, like 255.255.255.0)"),
                List.of("[tftp]\ntimeout = 0s\n", "t.scenario:2: [tftp] timeout: '0s' (expected: more than 0)"))) {
            var e = assertThrows(dev.netboot.device.ConfigException.class, () -> ScenarioFile.parse(bad.get(0), "t.scenario"),
                    bad.get(0));
            assertEquals(bad.get(1), e.getMessage());
        }
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
                List.of("[server]\naddress = 224.0.0.1\n",
                        "t.scenario:2: [server] address: '224.0.0.1' is not a host's address (expected: a unicast address, like 10.0.0.1)"),
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

    @Test
    void aPoolThatCannotGiveAnAddressOrABootFileNoReplyHoldsIsRefusedInOneLine() {
        // The pool starts at client-address: the subnet's broadcast address leaves it empty, its network address or the
        // server's own would be handed to a board; a boot file name past 255 characters fits neither the file field
        // (128 bytes) nor option 67 (255).
        String longName = "b".repeat(256);
        for (List<String> bad : List.of(
                List.of("[bootp]\nclient-address = 10.0.0.255\n", "t.scenario: client 10.0.0.255 is the subnet's broadcast"
                        + " address (expected: a host address of 10.0.0.1/24, the first of the pool)"),
                List.of("[bootp]\nclient-address = 10.0.0.0\n", "t.scenario: client 10.0.0.0 is the subnet's network"
                        + " address (expected: a host address of 10.0.0.1/24, the first of the pool)"),
                List.of("[bootp]\nclient-address = 10.0.0.1\n", "t.scenario: client 10.0.0.1 is the server's own address"
                        + " (expected: another host address, the first of the pool)"),
                List.of("[bootp]\nboot-file = " + longName + "\n", "t.scenario: boot file name of 256 bytes in UTF-8"
                        + " (expected: at most 255, what option 67 holds)"),
                // 128 characters, but U+00E9 is C3 A9 in UTF-8: 256 bytes, one past option 67.
                List.of("[bootp]\nboot-file = " + "\u00e9".repeat(128) + "\n", "t.scenario: boot file name of 256 bytes"
                        + " in UTF-8 (expected: at most 255, what option 67 holds)"))) {
            var e = assertThrows(dev.netboot.device.ConfigException.class, () -> ScenarioFile.parse(bad.get(0), "t.scenario"),
                    bad.get(0));
            assertEquals(bad.get(1), e.getMessage());
        }
        // 255 characters still go (in option 67 alone).
        assertEquals("b".repeat(255), ScenarioFile.parse("[bootp]\nboot-file = " + "b".repeat(255) + "\n", "t.scenario").bootFile());
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
