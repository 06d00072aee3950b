package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netboot.link.HostNet;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DHCP server naming as the TFTP server an address no server can have, on a real wire (dnsmasq in a namespace, its
 * {@code --dhcp-boot} server typed wrong): the board's own address, or the subnet's broadcast address. The board said
 * "ARP: TFTP server 192.0.2.50 did not answer 5 requests" (asking ARP for itself) or sent its RRQ to the broadcast
 * address for the whole TFTP give-up, 25 s; now it says what the server named, at once, exit 1.
 */
class DhcpTftpServerNamedTest {
    @TempDir
    Path dir;

    final DhcpInteropTest servers = new DhcpInteropTest();

    @BeforeAll
    static void tools() {
        HostNet.requireTool("dnsmasq", "dnsmasq-base");
    }

    @BeforeEach
    void scratch() {
        servers.dir = dir;
    }

    /** Boots against dnsmasq naming {@code tftpServer} (the board gets 192.0.2.50), and returns the "netboot:" lines. */
    List<String> bootNaming(HostNet net, DhcpInteropTest.Lan lan, String tftpServer, String flash) throws Exception {
        Process p = servers.dnsmasq(net, lan.srv(), lan.s0(), "dnsmasq.log", "DHCP, IP range", "--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0",
                "--dhcp-host=" + DhcpInteropTest.BOARD_MAC + ",192.0.2.50", "--dhcp-boot=boot.img,," + tftpServer, "--enable-tftp",
                "--tftp-root=" + dir.resolve("tftp"));
        DhcpInteropTest.Boot b = servers.boot(lan.cli(), "--interface", lan.c0(), "--flash-file", dir.resolve(flash).toString(), "--json");
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
        assertEquals(1, b.exit(), b.err());
        assertEquals("none", b.json().get("activeSlot").asText());
        return b.err().lines().filter(l -> l.startsWith("netboot:")).toList();
    }

    @Test
    void theBoardsOwnAddressOrTheSubnetsBroadcastAsTheTftpServerIsOneLine() throws Exception {
        try (HostNet net = new HostNet("qd")) {
            DhcpInteropTest.Lan lan = DhcpInteropTest.lan(net);
            servers.image(200_000);
            assertEquals(List.of("netboot: boot failed: [dhcp] DHCP server 192.0.2.1 named the TFTP server 192.0.2.50 (siaddr),"
                    + " which is the board's own address"), bootNaming(net, lan, "192.0.2.50", "flash1.img"));
            assertEquals(List.of("netboot: boot failed: [dhcp] DHCP server 192.0.2.1 named the TFTP server 192.0.2.255 (siaddr),"
                    + " which is the subnet's broadcast address"), bootNaming(net, lan, "192.0.2.255", "flash2.img"));
        }
    }
}
