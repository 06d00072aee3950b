package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.link.HostNet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netboot serve}'s DHCP server leasing to the DHCP clients Linux systems run, which nobody here wrote: ISC
 * {@code dhclient} and {@code dhcpcd}, at once, each in a namespace of its own on the bridge {@code serve} runs on
 * (as {@link ServeCommandTest}, TEST-NET-1 addresses). Each client's hook script records what it was told; the
 * expected values are the scenario's and RFC 2131's (section 4.4.5: T1 half the lease, T2 seven eighths), and each
 * client must then reach the server at its new address (an ICMP echo). dhclient then gives its lease back
 * (DHCPRELEASE, RFC 2131 section 4.4.6) and runs its RELEASE hook. The clients' hooks set nothing on the host: no
 * resolv.conf, and dhclient's lease file is in the test's folder (dhcpcd keeps its own under /var/lib/dhcpcd, named
 * by the test's interface, removed afterwards).
 */
class ServeDhcpClientsTest {
    static final String SCENARIO = ServeCommandTest.SCENARIO.formatted("1s") + """
            [dhcp]
            lease-time = 600s
            """;

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        HostNet.requireTool("dhclient", "isc-dhcp-client");
        HostNet.requireTool("dhcpcd", "dhcpcd-base");
        HostNet.requireTool("tshark", "tshark");
    }

    @Test
    void iscDhclientAndDhcpcdLeaseFromItAndReachTheServer() throws Exception {
        try (HostNet net = new HostNet("sd", "serve")) {
            ServeCommandTest.Lan lan = ServeCommandTest.lan(net);
            Path scenario = Files.writeString(dir.resolve("test.scenario"), SCENARIO);
            Process serve = ServeCommandTest.serve(dir, lan.srv(), "--interface", lan.bridge(), "--scenario",
                    scenario.toString(), "--for", "150s");
            Path dhclientHook = hook("dhclient", """
                    case "$reason" in
                    BOUND) env | grep '^new_' | sort > %1$s; ip addr add "$new_ip_address/24" dev "$interface" ;;
                    RELEASE) echo "$old_ip_address" > %1$s.released; ip addr flush dev "$interface" ;;
                    esac
                    """.formatted(dir.resolve("dhclient.lease")));
            Path dhcpcdHook = hook("dhcpcd", """
                    [ "$reason" = BOUND ] && env | grep '^new_' | sort > %s
                    """.formatted(dir.resolve("dhcpcd.lease")));
            String files = " -sf " + dhclientHook + " -lf " + dir.resolve("dhclient.leases") + " -pf " + dir.resolve("dhclient.pid")
                    + " " + lan.c1();
            Process c1 = net.start(lan.cli1(), dir.resolve("c1.log"), "sh", "-c", "dhclient -4 -1 -v" + files
                    + " && ping -c 1 -W 3 " + ServeCommandTest.SERVER
                    // Gives the address back once dhcpcd holds its own (else the server may lease it again to dhcpcd).
                    + " && for i in $(seq 1200); do [ -s " + dir.resolve("dhcpcd.lease") + " ] && break; sleep 0.1; done"
                    + " && dhclient -4 -r -v" + files);
            Process c2 = net.start(lan.cli2(), dir.resolve("c2.log"), "sh", "-c", "dhcpcd -4 -1 -B --noipv4ll -t 60 -c "
                    + dhcpcdHook + " " + lan.c2() + " && ping -c 1 -W 3 " + ServeCommandTest.SERVER);
            try {
                boolean done1 = c1.waitFor(120, TimeUnit.SECONDS);
                boolean done2 = c2.waitFor(120, TimeUnit.SECONDS);
                serve.destroy(); // SIGTERM: serve stops and prints its summary
                assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "serve did not stop on SIGTERM");
                String logs = "serve:\n" + read("serve.err") + read("serve.out") + "\n--- dhclient:\n" + read("c1.log")
                        + "\n--- dhcpcd:\n" + read("c2.log");
                assertTrue(done1 && done2, logs);
                assertEquals(0, c1.exitValue(), logs);
                assertEquals(0, c2.exitValue(), logs);
                assertEquals(0, serve.exitValue(), logs);

                Map<String, String> d = vars("dhclient.lease");
                Map<String, String> p = vars("dhcpcd.lease");
                Set<String> pool = Set.of("192.0.2.42", "192.0.2.43"); // the first two of client-address's pool
                assertTrue(pool.contains(d.get("new_ip_address")), d.toString());
                assertTrue(pool.contains(p.get("new_ip_address")), p.toString());
                assertNotEquals(d.get("new_ip_address"), p.get("new_ip_address"), "two clients, two addresses");
                for (Map<String, String> lease : List.of(d, p)) {
                    assertEquals("255.255.255.0", lease.get("new_subnet_mask"), lease.toString());
                    assertEquals(ServeCommandTest.SERVER, lease.get("new_routers"), lease.toString());
                    assertEquals(ServeCommandTest.SERVER, lease.get("new_domain_name_servers"), lease.toString());
                    assertEquals(ServeCommandTest.SERVER, lease.get("new_dhcp_server_identifier"), lease.toString());
                    assertEquals("600", lease.get("new_dhcp_lease_time"), lease.toString());
                    assertEquals("300", lease.get("new_dhcp_renewal_time"), lease.toString());
                    assertEquals("525", lease.get("new_dhcp_rebinding_time"), lease.toString());
                }
                // The boot file: BOOTP's file field (dhclient's new_filename) and option 67 as well.
                assertEquals("boot.img", d.get("new_filename"), d.toString());
                // dhclient gave its address back, and its RELEASE hook ran.
                assertEquals(d.get("new_ip_address"), Files.readString(dir.resolve("dhclient.lease.released")).strip(), logs);
                // serve's summary: both clients, by their MACs, leased by DHCP.
                String out = read("serve.out");
                for (String mac : List.of(ServeCommandTest.MAC1, ServeCommandTest.MAC2)) {
                    assertTrue(out.lines().anyMatch(l -> l.contains(mac) && l.contains("(dhcp)")), out);
                }
            } finally {
                c1.destroyForcibly();
                c2.destroyForcibly();
                serve.destroyForcibly();
                Files.deleteIfExists(Path.of("/var/lib/dhcpcd/" + lan.c2() + ".lease"));
            }
        }
    }

    /**
     * {@code serve} stopped and started again forgets its leases; a client renewing at T1 (unicast to it, RFC 2131
     * 4.3.2) keeps its address: dhclient's hook sees RENEW with the same address, not a DHCPNAK and a new boot
     * (EXPIRE, PREINIT, BOUND), which is what the restarted server's "lease not found" did before.
     */
    @Test
    void aClientRenewingAfterServeRestartedKeepsItsAddress() throws Exception {
        try (HostNet net = new HostNet("sr", "serve")) {
            ServeCommandTest.Lan lan = ServeCommandTest.lan(net);
            Path scenario = Files.writeString(dir.resolve("test.scenario"), ServeCommandTest.SCENARIO.formatted("1s") + """
                    [dhcp]
                    lease-time = 12s
                    """);
            Path log = dir.resolve("hook.log");
            Path dhclientHook = hook("dhclient", """
                    echo "$reason $new_ip_address" >> %s
                    [ "$reason" = BOUND ] && ip addr add "$new_ip_address/24" dev "$interface"
                    """.formatted(log));
            Process first = ServeCommandTest.serve(dir, lan.srv(), "--interface", lan.bridge(), "--scenario",
                    scenario.toString(), "--for", "60s");
            Process client = net.start(lan.cli1(), dir.resolve("c1.log"), "dhclient", "-4", "-d", "-v", "-sf",
                    dhclientHook.toString(), "-lf", dir.resolve("dhclient.leases").toString(), "-pf",
                    dir.resolve("dhclient.pid").toString(), lan.c1());
            Process second = null;
            try {
                String bound = awaitLine(log, "BOUND ", 30);
                first.destroy();
                assertTrue(first.waitFor(30, TimeUnit.SECONDS), "serve did not stop on SIGTERM");
                Files.move(dir.resolve("serve.err"), dir.resolve("serve1.err"));
                second = ServeCommandTest.serve(dir, lan.srv(), "--interface", lan.bridge(), "--scenario",
                        scenario.toString(), "--for", "60s");
                // T1 is 6 s after the DHCPACK; the renewal goes to the restarted server.
                String renewed = awaitLine(log, "RENEW ", 30);
                String logs = Files.readString(log) + "\n--- dhclient:\n" + read("c1.log") + "\n--- serve:\n" + read("serve.err");
                assertEquals(bound.substring("BOUND ".length()), renewed.substring("RENEW ".length()), logs);
                assertTrue(Set.of("192.0.2.42").contains(renewed.substring("RENEW ".length())), logs);
                List<String> reasons = Files.readAllLines(log).stream().map(l -> l.split(" ")[0]).toList();
                assertEquals(List.of("PREINIT", "BOUND", "RENEW"), reasons.subList(0, 3), logs); // no EXPIRE, no second PREINIT
            } finally {
                client.destroyForcibly();
                first.destroyForcibly();
                if (second != null) {
                    second.destroyForcibly();
                }
            }
        }
    }

    /**
     * RFC 2131 4.3.1: a client with no binding here that asks for an address in its DHCPDISCOVER (option 50: dhcpcd's
     * {@code -r}, and dhclient and dhcpcd ask for the address they last had) is offered it when it is free in the pool;
     * before, serve offered the lowest free address whatever was asked, and after a restart clients could swap addresses.
     */
    @Test
    void dhcpcdAskingForAFreePoolAddressIsGivenIt() throws Exception {
        String logs = dhcpcdOnce("sq", """
                [ "$reason" = BOUND ] && env | grep '^new_' | sort > %s
                """.formatted(dir.resolve("dhcpcd.lease")), List.of(), "-r", "192.0.2.50");
        // The pool is 192.0.2.42 to .57 (16 addresses from client-address), all free.
        assertEquals("192.0.2.50", vars("dhcpcd.lease").get("new_ip_address"), logs);
        assertTrue(read("serve.out").lines().anyMatch(l -> l.contains(ServeCommandTest.MAC1) && l.contains("192.0.2.50 (dhcp)")), logs);
    }

    /**
     * RFC 2131 4.3.5, DHCPINFORM: dhcpcd with an address of its own ({@code --inform=ADDR/CIDR}: with a space, dhcpcd
     * takes the address for an interface name, waits for someone else to configure one and runs its hook with reason
     * 3RDPARTY, sending nothing) asks for the configuration only. The DHCPACK goes unicast to ciaddr, with no yiaddr
     * and no lease time ("without allocating a new address, ... filling in 'yiaddr' or including lease time
     * parameters"), and carries the server, router, name server and boot file; dhcpcd's hook sees INFORM.
     */
    @Test
    void dhcpcdInformingIsToldTheConfigurationWithoutALease() throws Exception {
        Path pcap = dir.resolve("serve.pcap");
        String logs = dhcpcdOnce("si", """
                echo "$reason" >> %s
                [ "$reason" = INFORM ] && env | grep '^new_' | sort > %s
                """.formatted(dir.resolve("reasons.log"), dir.resolve("dhcpcd.lease")), List.of("--pcap", pcap.toString()),
                "--inform=192.0.2.10/24");
        assertTrue(Files.readAllLines(dir.resolve("reasons.log")).contains("INFORM"), logs + "\n--- hook:\n" + read("reasons.log"));
        Map<String, String> v = vars("dhcpcd.lease");
        assertEquals("192.0.2.10", v.get("new_ip_address"), v.toString());
        assertEquals("5", v.get("new_dhcp_message_type"), v.toString()); // DHCPACK
        assertEquals(ServeCommandTest.SERVER, v.get("new_dhcp_server_identifier"), v.toString());
        assertEquals("255.255.255.0", v.get("new_subnet_mask"), v.toString());
        assertEquals(ServeCommandTest.SERVER, v.get("new_routers"), v.toString());
        assertEquals(ServeCommandTest.SERVER, v.get("new_domain_name_servers"), v.toString());
        assertEquals("boot.img", v.get("new_filename"), v.toString());
        assertEquals(null, v.get("new_dhcp_lease_time"), v.toString());
        // On the wire: one DHCPACK, to ciaddr and the client's MAC, yiaddr 0.0.0.0, no options 51, 58, 59.
        List<String> acks = CaptureDissectionTest.tshark(pcap, "-Y", "dhcp.option.dhcp == 5", "-T", "fields", "-e", "ip.dst",
                "-e", "eth.dst", "-e", "dhcp.ip.client", "-e", "dhcp.ip.your", "-e", "dhcp.option.type", "-E", "separator=;");
        assertEquals(1, acks.size(), acks.toString());
        String[] f = acks.getFirst().split(";");
        assertEquals(List.of("192.0.2.10", ServeCommandTest.MAC1, "192.0.2.10", "0.0.0.0"), List.of(f).subList(0, 4), acks.toString());
        assertTrue(List.of(f[4].split(",")).stream().noneMatch(o -> Set.of("51", "58", "59").contains(o)), acks.toString());
    }

    /**
     * Runs serve ({@code serveArgs} after its interface, scenario and {@code --for}) and one dhcpcd with
     * {@code dhcpcdArgs} on the first client's port, its hook {@code hookBody}, until dhcpcd exits; stops serve, checks
     * that both ended well, and returns their logs.
     */
    String dhcpcdOnce(String id, String hookBody, List<String> serveArgs, String... dhcpcdArgs) throws Exception {
        try (HostNet net = new HostNet(id, "serve")) {
            ServeCommandTest.Lan lan = ServeCommandTest.lan(net);
            Path scenario = Files.writeString(dir.resolve("test.scenario"), ServeCommandTest.SCENARIO.formatted("1s"));
            List<String> args = new ArrayList<>(List.of("--interface", lan.bridge(), "--scenario", scenario.toString(), "--for", "60s"));
            args.addAll(serveArgs);
            Process serve = ServeCommandTest.serve(dir, lan.srv(), args.toArray(String[]::new));
            List<String> cmd = new ArrayList<>(List.of("dhcpcd", "-4", "-1", "-B", "--noipv4ll", "-t", "40", "-c",
                    hook("dhcpcd", hookBody).toString()));
            cmd.addAll(List.of(dhcpcdArgs));
            cmd.add(lan.c1());
            Process c1 = net.start(lan.cli1(), dir.resolve("c1.log"), cmd.toArray(String[]::new));
            try {
                boolean done = c1.waitFor(50, TimeUnit.SECONDS);
                serve.destroy();
                assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "serve did not stop on SIGTERM");
                String logs = "serve:\n" + read("serve.err") + read("serve.out") + "\n--- dhcpcd:\n" + read("c1.log");
                assertTrue(done, logs);
                assertEquals(0, c1.exitValue(), logs);
                return logs;
            } finally {
                c1.destroyForcibly();
                serve.destroyForcibly();
                Files.deleteIfExists(Path.of("/var/lib/dhcpcd/" + lan.c1() + ".lease"));
            }
        }
    }

    /**
     * RFC 2131 4.3.2, INIT-REBOOT: a client started again asks for the address its lease file remembers, with no
     * server identifier. A {@code serve} started again after it leased (it forgot the lease) confirms it, as ISC dhcpd
     * with {@code authoritative} does: dhclient's hook sees REBOOT with the same address. Before, the DHCPNAK made it
     * drop the address and start over (PREINIT, EXPIRE, PREINIT, BOUND). A second client remembering an address of the
     * subnet outside the pool, another server's lease, gets no DHCPNAK ("If the DHCP server has no record of this
     * client, then it MUST remain silent"): dhclient stops asking after its {@code reboot} timeout and leases anew.
     */
    @Test
    void aClientRebootingAfterServeRestartedKeepsItsAddressAndAnotherServersLeaseIsNotRefused() throws Exception {
        try (HostNet net = new HostNet("sb", "serve")) {
            ServeCommandTest.Lan lan = ServeCommandTest.lan(net);
            Path scenario = Files.writeString(dir.resolve("test.scenario"), ServeCommandTest.SCENARIO.formatted("1s"));
            Path conf = Files.writeString(dir.resolve("dhclient.conf"), "reboot 3;\n"); // INIT-REBOOT for 3 s, then INIT
            Path log1 = dir.resolve("hook1.log");
            Path log2 = dir.resolve("hook2.log");
            String body = """
                    echo "$reason $new_ip_address" >> %s
                    """;
            Path hook1 = hook("dhclient1", body.formatted(log1));
            Path hook2 = hook("dhclient2", body.formatted(log2));
            // The second client's lease file: 192.0.2.200 from another server (192.0.2.9), running until 2099.
            Path stranger = Files.writeString(dir.resolve("stranger.leases"), """
                    lease {
                      interface "%s";
                      fixed-address 192.0.2.200;
                      option subnet-mask 255.255.255.0;
                      option dhcp-lease-time 3600;
                      option dhcp-server-identifier 192.0.2.9;
                      renew 4 2099/12/31 00:00:00;
                      rebind 4 2099/12/31 00:00:00;
                      expire 4 2099/12/31 00:00:00;
                    }
                    """.formatted(lan.c2()));
            Process first = ServeCommandTest.serve(dir, lan.srv(), "--interface", lan.bridge(), "--scenario",
                    scenario.toString(), "--for", "60s");
            List<Process> clients = new ArrayList<>();
            Process second = null;
            try {
                clients.add(dhclient(net, lan.cli1(), lan.c1(), conf, hook1, dir.resolve("dhclient.leases"), "c1a"));
                String bound = awaitLine(log1, "BOUND ", 30);
                // dhclient runs its hook (BOUND) before it writes the lease file, and logs "bound to" after (dhclient.c,
                // bind_lease): killed between the two, it has no lease to ask for again, and the second start begins
                // at INIT (PREINIT, BOUND), as this test saw once in a CI run. Wait for the lease to be written.
                awaitLine(dir.resolve("c1a.log"), "bound to " + bound.substring("BOUND ".length()) + " ", 30);
                clients.getFirst().destroyForcibly().waitFor(); // gone without a DHCPRELEASE, its lease file kept
                first.destroy();
                assertTrue(first.waitFor(30, TimeUnit.SECONDS), "serve did not stop on SIGTERM");
                Files.move(dir.resolve("serve.err"), dir.resolve("serve1.err"));
                second = ServeCommandTest.serve(dir, lan.srv(), "--interface", lan.bridge(), "--scenario",
                        scenario.toString(), "--for", "60s");
                clients.add(dhclient(net, lan.cli1(), lan.c1(), conf, hook1, dir.resolve("dhclient.leases"), "c1b"));
                clients.add(dhclient(net, lan.cli2(), lan.c2(), conf, hook2, stranger, "c2"));
                String rebooted = awaitLine(log1, "REBOOT ", 30);
                String leased = awaitLine(log2, "BOUND ", 30);
                String logs = Files.readString(log1) + "--- second client:\n" + Files.readString(log2) + "--- serve:\n"
                        + read("serve.err") + "\n--- dhclient:\n" + read("c1b.log") + "\n--- stranger:\n" + read("c2.log");
                assertEquals(bound.substring("BOUND ".length()), rebooted.substring("REBOOT ".length()), logs);
                assertEquals(List.of("PREINIT", "BOUND", "PREINIT", "REBOOT"), reasons(log1), logs); // no EXPIRE
                // The stranger: its DHCPREQUEST for 192.0.2.200 went unanswered, then the pool's next address.
                assertTrue(read("c2.log").contains("DHCPREQUEST for 192.0.2.200"), logs);
                assertEquals("BOUND 192.0.2.43", leased, logs);
                assertEquals(List.of("PREINIT", "BOUND"), reasons(log2), logs);
                assertTrue(read("serve.err").lines().noneMatch(l -> l.contains("DHCPNAK")), logs);
            } finally {
                clients.forEach(Process::destroyForcibly);
                first.destroyForcibly();
                if (second != null) {
                    second.destroyForcibly();
                }
            }
        }
    }

    /** Starts ISC dhclient in the foreground in {@code ns} on {@code dev}, logging to {@code name}.log. */
    Process dhclient(HostNet net, String ns, String dev, Path conf, Path hook, Path leases, String name) {
        return net.start(ns, dir.resolve(name + ".log"), "dhclient", "-4", "-d", "-v", "-cf", conf.toString(), "-sf",
                hook.toString(), "-lf", leases.toString(), "-pf", dir.resolve(name + ".pid").toString(), dev);
    }

    /** The reasons a hook log recorded, in order. */
    static List<String> reasons(Path log) throws IOException {
        return Files.readAllLines(log).stream().map(l -> l.split(" ")[0]).toList();
    }

    /**
     * RFC 2131 4.3.3: a client that finds its new address in use (dhcpcd's ARP probe, RFC 5227) sends DHCPDECLINE, and
     * the server marks the address and offers another. Here another host already uses the pool's first address.
     */
    @Test
    void dhcpcdDeclinesAnAddressAnotherHostUsesAndLeasesTheNext() throws Exception {
        try (HostNet net = new HostNet("sx", "serve")) {
            ServeCommandTest.Lan lan = ServeCommandTest.lan(net);
            net.exec(lan.cli2(), "ip", "addr", "add", "192.0.2.42/24", "dev", lan.c2()); // a host nobody told the server of
            Path scenario = Files.writeString(dir.resolve("test.scenario"), ServeCommandTest.SCENARIO.formatted("1s"));
            Process serve = ServeCommandTest.serve(dir, lan.srv(), "--interface", lan.bridge(), "--scenario",
                    scenario.toString(), "--for", "90s");
            Path dhcpcdHook = hook("dhcpcd", """
                    [ "$reason" = BOUND ] && env | grep '^new_' | sort > %s
                    """.formatted(dir.resolve("dhcpcd.lease")));
            Process c1 = net.start(lan.cli1(), dir.resolve("c1.log"), "sh", "-c", "dhcpcd -4 -1 -B -d --noipv4ll -t 60 -c "
                    + dhcpcdHook + " " + lan.c1());
            try {
                boolean done = c1.waitFor(80, TimeUnit.SECONDS);
                serve.destroy();
                assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "serve did not stop on SIGTERM");
                String logs = "serve:\n" + read("serve.err") + read("serve.out") + "\n--- dhcpcd:\n" + read("c1.log");
                assertTrue(done, logs);
                assertEquals(0, c1.exitValue(), logs);
                assertTrue(read("c1.log").contains("sending DECLINE"), logs);
                assertEquals("192.0.2.43", vars("dhcpcd.lease").get("new_ip_address"), logs);
                assertTrue(read("serve.out").lines().anyMatch(l -> l.contains(ServeCommandTest.MAC1) && l.contains("192.0.2.43 (dhcp)")),
                        logs);
            } finally {
                c1.destroyForcibly();
                serve.destroyForcibly();
                Files.deleteIfExists(Path.of("/var/lib/dhcpcd/" + lan.c1() + ".lease"));
            }
        }
    }

    /** Waits up to {@code seconds} for a line of {@code file} that starts with {@code prefix}, and returns it. */
    static String awaitLine(Path file, String prefix, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                for (String l : Files.readAllLines(file)) {
                    if (l.startsWith(prefix)) {
                        return l;
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + prefix + "' line in " + file + " within " + seconds + " s: "
                + (Files.exists(file) ? Files.readString(file) : "(none)"));
    }

    /** Writes an executable hook script with {@code body}; it always exits 0. */
    Path hook(String name, String body) throws IOException {
        Path script = Files.writeString(dir.resolve(name + ".hook"), "#!/bin/sh\n" + body + "exit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    /** The {@code new_*} variables a hook recorded, values unquoted. */
    Map<String, String> vars(String file) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve(file))) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1).replaceAll("^'|'$", ""));
            }
        }
        return m;
    }

    String read(String name) {
        return ServeCommandTest.log(dir, name);
    }
}
