package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netboot.link.HostNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway a DHCP server's option 3 gives, on a real wire: the board on 198.51.100.0/24 behind a router that relays
 * (dnsmasq {@code --dhcp-relay}) to dnsmasq's DHCP and TFTP server on 192.0.2.0/24 ({@link DhcpInteropTest#routed}). A
 * server that lists a router of its own subnet first (one option for every subnet it serves) gives the board one it
 * cannot reach; the board takes the first router on its own subnet, and says so when there is none. And kea-dhcp4
 * sending option 3 with no value, meaning no router.
 */
class DhcpRoutersTest {
    @TempDir
    Path dir;

    final DhcpInteropTest servers = new DhcpInteropTest();

    @BeforeAll
    static void tools() {
        HostNet.requireTool("dnsmasq", "dnsmasq-base");
        HostNet.requireTool("kea-dhcp4", "kea-dhcp4-server");
    }

    @BeforeEach
    void scratch() {
        servers.dir = dir;
    }

    /** Starts dnsmasq's DHCP and TFTP server on the server's subnet, naming {@code routers} in option 3. */
    Process server(HostNet net, DhcpInteropTest.Routed r, String routers) throws Exception {
        return servers.dnsmasq(net, r.srv(), r.s0(), "dnsmasq.log", "DHCP, IP range",
                "--dhcp-range=198.51.100.50,198.51.100.60,255.255.255.0", "--dhcp-option=3," + routers, "--dhcp-boot=boot.img",
                "--enable-tftp", "--tftp-root=" + dir.resolve("tftp"));
    }

    @Test
    void theFirstRouterOnTheBoardsSubnetIsTheGatewayAndNoneUsableIsOneLine() throws Exception {
        try (HostNet net = new HostNet("qd")) {
            DhcpInteropTest.Routed r = DhcpInteropTest.routed(net, DhcpInteropTest.BOARD_MAC);
            net.exec(r.srv(), "ip", "addr", "add", DhcpInteropTest.SERVER + "/24", "dev", r.s0());
            net.exec(r.srv(), "ip", "route", "add", "198.51.100.0/24", "via", "192.0.2.254");
            byte[] img = servers.image(200_000);
            servers.dnsmasq(net, r.rtr(), r.r1(), "relay.log", "DHCP relay from 198.51.100.1 to " + DhcpInteropTest.SERVER,
                    "--dhcp-relay=198.51.100.1," + DhcpInteropTest.SERVER);
            DhcpInteropTest.Lan lan = new DhcpInteropTest.Lan(r.cli(), r.c0(), r.srv(), r.s0());

            // The DHCP server's own address first (dnsmasq's default for its own subnet): not on the board's subnet, nobody
            // there answers ARP for it, so the board's gateway is the second. (The router's far side, 192.0.2.254, would
            // hide the fault: Linux answers ARP on r1 for an address of r0.)
            Process first = server(net, r, "192.0.2.1,198.51.100.1");
            JsonNode j = servers.bootsWith(lan, img, "dnsmasq.log");
            assertEquals("198.51.100.1", j.get("gateway").asText());
            first.destroy();
            assertTrue(first.waitFor(10, TimeUnit.SECONDS));

            // Only routers the board cannot use: no gateway, and the TFTP server is off-link: one line, exit 1, nothing
            // written.
            server(net, r, "192.0.2.1,198.51.100.255");
            DhcpInteropTest.Boot b = servers.boot(r.cli(), "--interface", r.c0(), "--flash-file", dir.resolve("flash2.img").toString(),
                    "--json");
            assertEquals(1, b.exit(), b.err());
            String ip = b.json().get("ip").asText();
            assertTrue(RealWireTest.inRange(ip, "198.51.100.50", "198.51.100.60"), b.out());
            assertEquals(List.of("netboot: boot failed: [arp] server 192.0.2.1 is off-link (" + ip + "/24) and dhcp gave no"
                    + " usable router (option 3: 192.0.2.1 not on the subnet 198.51.100.0/24, 198.51.100.255 the subnet's broadcast"
                    + " address)"),
                    b.err().lines().filter(l -> l.startsWith("netboot:")).toList());
            assertEquals("none", b.json().get("activeSlot").asText());
        }
    }

    /**
     * kea-dhcp4 told to send no router, {@code {"name": "routers", "data": ""}}, sends option 3 with no value (it
     * answers the board's parameter request list so). The board is on the server's subnet and needs none: it boots.
     * Before, it dropped every offer ("BOOTP option 3 length: 0 (expected: a multiple of 4)") and failed after 60 s.
     */
    @Test
    void keaSendingAnEmptyRouterOptionMeansNoRouter() throws Exception {
        try (HostNet net = new HostNet("qd")) {
            DhcpInteropTest.Lan lan = DhcpInteropTest.lan(net);
            byte[] img = servers.image(200_000);
            Path conf = Files.writeString(dir.resolve("kea.json"), """
                    {"Dhcp4": {
                      "interfaces-config": {"interfaces": ["%s"], "dhcp-socket-type": "raw"},
                      "lease-database": {"type": "memfile", "persist": false},
                      "valid-lifetime": 3600,
                      "subnet4": [{"subnet": "192.0.2.0/24", "pools": [{"pool": "192.0.2.50 - 192.0.2.60"}],
                        "next-server": "192.0.2.1", "boot-file-name": "boot.img",
                        "option-data": [{"name": "routers", "data": ""}]}],
                      "loggers": [{"name": "kea-dhcp4", "output_options": [{"output": "stdout"}], "severity": "INFO"}]
                    }}
                    """.formatted(lan.s0()));
            servers.kea(net, lan, conf);
            servers.tftp(net, lan.srv(), lan.s0());
            Path pcap = dir.resolve("kea.pcap");
            JsonNode j = servers.bootsWith(lan, img, "kea.log", "--pcap", pcap.toString());
            assertTrue(j.get("gateway").isNull(), j.toString());
            // What kea sent: option 3 in its DHCPOFFER and DHCPACK, with no address in it.
            assertEquals(2, CaptureDissectionTest.tshark(pcap, "-Y", "(dhcp.option.dhcp == 2 || dhcp.option.dhcp == 5)"
                    + " && dhcp.option.type == 3").size());
            assertEquals(List.of(), CaptureDissectionTest.tshark(pcap, "-Y", "dhcp.option.router"));
        }
    }
}
