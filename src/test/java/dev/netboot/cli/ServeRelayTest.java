package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.link.HostNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netboot serve} behind a real DHCP relay agent (RFC 1542): dnsmasq's {@code --dhcp-relay} on a router
 * between the client's subnet (TEST-NET-2) and the server's (TEST-NET-1), each in a network namespace made for the
 * test and removed afterwards. The scenario's {@code [relay]} names the client's subnet: requests carrying its giaddr
 * get its pool, mask and router, and serve reaches it through the router. busybox udhcpc leases there, and busybox
 * tftp fetches the image through the router, bit-exact; serve's summary counts the client by its MAC although its
 * TFTP frames come from the router's.
 */
class ServeRelayTest {
    static final String CLIENT_MAC = "02:53:56:00:00:07";

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        HostNet.requireTool("dnsmasq", "dnsmasq-base");
        HostNet.requireTool("busybox", "busybox");
    }

    @Test
    void udhcpcLeasesAndBootsThroughADnsmasqRelay() throws Exception {
        try (HostNet net = new HostNet("sy", "serve")) {
            DhcpInteropTest.Routed r = DhcpInteropTest.routed(net, CLIENT_MAC);
            Path relayLog = dir.resolve("relay.log");
            net.start(r.rtr(), relayLog, "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0", "--user=root", "--group=root",
                    "--no-resolv", "--no-hosts", "--log-facility=-", "--log-dhcp", "--pid-file=", "--interface=" + r.r1(), "--bind-interfaces",
                    "--dhcp-relay=198.51.100.1,192.0.2.1");
            byte[] img = BootCliTest.randomImage(200_000, 31);
            Path image = Files.write(dir.resolve("image.bin"), img);
            // The server's own subnet has no pool left to give here; the relayed subnet's pool starts at .42.
            Path scenario = Files.writeString(dir.resolve("relay.scenario"), """
                    [server]
                    address = 192.0.2.1
                    netmask = 255.255.255.0
                    router = 192.0.2.254
                    dns = 192.0.2.1
                    [bootp]
                    client-address = 192.0.2.42
                    tftp-server = 192.0.2.1
                    boot-file = boot.img
                    [tftp]
                    timeout = 1s
                    served-file = boot.img
                    [relay]
                    client-subnet = 198.51.100.0/24
                    router-client-address = 198.51.100.1
                    router-server-address = 192.0.2.254
                    client-address = 198.51.100.42
                    """);
            Process serve = ServeCommandTest.serve(dir, r.srv(), "--interface", r.s0(), "--scenario", scenario.toString(), "--image",
                    image.toString(), "--clients", "1", "--for", "90s");
            Path script = Files.writeString(dir.resolve("udhcpc.script"), """
                    #!/bin/sh
                    [ "$1" = bound ] || exit 0
                    echo "ip=$ip mask=$mask router=$router siaddr=$siaddr boot_file=$boot_file serverid=$serverid" > %s
                    ip addr add "$ip/$mask" dev "$interface"
                    ip route add default via "$router"
                    """.formatted(dir.resolve("lease")));
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
            Process client = net.start(r.cli(), dir.resolve("client.log"), "sh", "-c", "busybox udhcpc -i " + r.c0()
                    + " -f -q -n -t 20 -T 1 -s " + script + " && busybox tftp -g -r boot.img -l " + dir.resolve("got.bin")
                    + " 192.0.2.1");
            try {
                boolean done = client.waitFor(60, TimeUnit.SECONDS);
                assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "serve did not stop after its one client");
                String logs = "serve:\n" + ServeCommandTest.log(dir, "serve.err") + ServeCommandTest.log(dir, "serve.out")
                        + "\n--- client:\n" + ServeCommandTest.log(dir, "client.log") + "\n--- relay:\n" + Files.readString(relayLog);
                assertTrue(done, logs);
                assertEquals(0, client.exitValue(), logs);
                assertEquals(0, serve.exitValue(), logs);
                // The relayed subnet's first address, its mask and router (the relay's giaddr), the server and file.
                assertEquals("ip=198.51.100.42 mask=24 router=198.51.100.1 siaddr=192.0.2.1 boot_file=boot.img serverid=192.0.2.1",
                        Files.readString(dir.resolve("lease")).strip(), logs);
                assertEquals(BootCliTest.sha256(img), BootCliTest.sha256(Files.readAllBytes(dir.resolve("got.bin"))), logs);
                assertTrue(Files.readString(relayLog).contains("DHCP relay at 198.51.100.1 -> 192.0.2.1"), logs);
                String out = ServeCommandTest.log(dir, "serve.out");
                assertTrue(out.contains("1 client, 1 finished"), out);
                assertTrue(out.lines().anyMatch(l -> l.startsWith("  " + CLIENT_MAC + "  198.51.100.42 (dhcp)")
                        && l.contains("boot.img: 200000 of 200000 bytes, complete")), out);
            } finally {
                client.destroyForcibly();
                serve.destroyForcibly();
            }
        }
    }
}
