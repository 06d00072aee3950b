package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
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
        Scenario high = new Scenario(1, 0, FaultPlan.NONE, Scenario.DEFAULT.serverMac(), Scenario.DEFAULT.serverIp(),
                Scenario.DEFAULT.netmask(), Ipv4Address.ANY, List.of(), Ipv4Address.parse("10.0.0.250"), "f",
                BootpServerConfig.Announce.HEADER, Scenario.DEFAULT.serverIp(), 1, 0, "f");
        assertEquals(Ipv4Address.parse("10.0.0.254"), high.bootpConfig().poolLast());
    }

    @Test
    void rejectsAClientOutsideTheSubnetAndBadFaults() {
        assertThrows(IllegalArgumentException.class, () -> new Scenario(1, 0, FaultPlan.NONE, Scenario.DEFAULT.serverMac(),
                Scenario.DEFAULT.serverIp(), Scenario.DEFAULT.netmask(), Ipv4Address.ANY, List.of(),
                Ipv4Address.parse("10.0.1.5"), "f", BootpServerConfig.Announce.HEADER, Scenario.DEFAULT.serverIp(), 1, 0, "f"));
        assertThrows(IllegalArgumentException.class, () -> FaultPlan.loss(1.5));
        assertThrows(IllegalArgumentException.class, () -> new FaultPlan(0, Double.NaN, 0));
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
        assertEquals("t.scenario:2: [segment] unknown key 'latnecy' (did you mean 'latency'?) (expected one of: latency, bandwidth, tx-queue)",
                assertThrows(dev.netboot.device.ConfigException.class, () -> ScenarioFile.parse("[segment]\nlatnecy = 1ms\n", "t.scenario"))
                        .getMessage());
        assertEquals("t.scenario:2: [server] mac: 'ff:ff:ff:ff:ff:ff' is a broadcast address (expected: a station's own MAC, the first"
                        + " octet even, like 02:00:00:00:00:01)",
                assertThrows(dev.netboot.device.ConfigException.class,
                        () -> ScenarioFile.parse("[server]\nmac = ff:ff:ff:ff:ff:ff\n", "t.scenario")).getMessage());
    }
}
