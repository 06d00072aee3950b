package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netboot.link.HostNet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netboot boot --interface} against the DHCP servers users run, each in network namespaces made for the
 * test (TEST-NET addresses only, names starting with "dh", IPv6 off) and removed afterwards: dnsmasq as a DHCP-only
 * server, dnsmasq as a ProxyDHCP server beside busybox udhcpd giving addresses only, ISC dhcpd in the foreground,
 * kea-dhcp4 with and without its BOOTP hook, busybox udhcpd, and a dnsmasq relay. None of them is told about BOOTP
 * (no {@code --bootp-dynamic}, no {@code allow bootp}): the board boots by DHCP. Each boot ends with the image, byte
 * for byte, in the flash file's slot A. One runs with an 8-second kea lease for a 13-second boot and shows the
 * renewals in the board's capture.
 *
 * <p>Needs root, iproute2, dnsmasq, isc-dhcp-server, kea-dhcp4-server, busybox and tshark; without them it fails and
 * says what to install ({@code .ci/run} installs them).
 */
class DhcpInteropTest {
    static final String BOARD_MAC = "02:00:00:99:00:10";
    static final String SERVER = "192.0.2.1";
    /** ISC dhcpd's configuration as the boot server beside another DHCP server: its pool, the TFTP server 192.0.2.2. */
    private static final String BOOT_SERVER_DHCPD = """
            ddns-update-style none;
            default-lease-time 600;
            max-lease-time 600;
            subnet 192.0.2.0 netmask 255.255.255.0 {
              range 192.0.2.100 192.0.2.110;
              next-server 192.0.2.2;
              filename "boot.img";
            }
            """;

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        HostNet.requireTool("dnsmasq", "dnsmasq-base");
        HostNet.requireTool("dhcpd", "isc-dhcp-server");
        HostNet.requireTool("kea-dhcp4", "kea-dhcp4-server");
        HostNet.requireTool("busybox", "busybox");
        HostNet.requireTool("tshark", "tshark");
    }

    /** The board's namespace and veth end, and the server's. */
    record Lan(String cli, String c0, String srv, String s0) {
    }

    /** A switched LAN: the board and the DHCP server ({@code lan}), and {@code other} on {@code otherPort}, 192.0.2.2. */
    record Switched(Lan lan, String other, String otherPort) {
    }

    /**
     * A switch, a bridge in a namespace of its own, with three ports: the board (namespace cli), the DHCP server
     * (namespace dhcp, {@link #SERVER}) and a second server in namespace {@code otherName} at 192.0.2.2.
     */
    static Switched switched(HostNet net, String otherName) {
        String sw = net.netns("sw");
        net.exec(sw, "ip", "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0");
        net.exec(sw, "ip", "link", "set", "br0", "up");
        String cli = net.netns("cli");
        String dhcp = net.netns("dhcp");
        String other = net.netns(otherName);
        Lan lan = new Lan(cli, net.name("c0"), dhcp, net.name("d0"));
        String p0 = net.name("p0");
        String[][] ports = {{lan.c0(), BOARD_MAC, cli, "b0"}, {lan.s0(), null, dhcp, "b1"}, {p0, null, other, "b2"}};
        for (String[] port : ports) {
            net.veth(port[0], port[1], port[2], net.name(port[3]), null, sw);
            net.exec(sw, "ip", "link", "set", net.name(port[3]), "master", "br0");
        }
        net.exec(dhcp, "ip", "addr", "add", SERVER + "/24", "dev", lan.s0());
        net.exec(other, "ip", "addr", "add", "192.0.2.2/24", "dev", p0);
        return new Switched(lan, other, p0);
    }

    /** Starts ISC dhcpd in the foreground in {@code ns}, serving {@code port}, with {@code conf} as its dhcpd.conf. */
    void iscDhcpd(HostNet net, String ns, String port, String conf) throws IOException {
        Path file = Files.writeString(dir.resolve("dhcpd.conf"), conf);
        Path leases = Files.createFile(dir.resolve("dhcpd.leases"));
        daemon(net, ns, "dhcpd.log", "Sending on", "dhcpd", "-f", "-d", "-4", "-cf", file.toString(), "-lf", leases.toString(), "-pf",
                dir.resolve("dhcpd.pid").toString(), port);
    }

    /** Starts ISC dhcpd naming {@code name} as the boot file (next-server: itself), and a TFTP server beside it. */
    void iscDhcpdWithFileName(HostNet net, Lan lan, String name) throws IOException {
        iscDhcpd(net, lan.srv(), lan.s0(), """
                ddns-update-style none;
                authoritative;
                subnet 192.0.2.0 netmask 255.255.255.0 {
                  range 192.0.2.50 192.0.2.60;
                  next-server 192.0.2.1;
                  filename "%s";
                }
                """.formatted(name));
        tftp(net, lan.srv(), lan.s0());
    }

    /** client ns ── veth ── server ns (192.0.2.1/24). */
    static Lan lan(HostNet net) {
        Lan l = new Lan(net.netns("cli"), net.name("c0"), net.netns("srv"), net.name("s0"));
        net.veth(l.c0(), BOARD_MAC, l.cli(), l.s0(), null, l.srv());
        net.exec(l.srv(), "ip", "addr", "add", SERVER + "/24", "dev", l.s0());
        return l;
    }

    /** A client subnet behind a router, and the server's: the namespaces and the veth ends in them. */
    record Routed(String cli, String c0, String rtr, String r1, String srv, String s0) {
    }

    /**
     * client ns (c0, MAC {@code clientMac}) ── r1 198.51.100.1/24 [rtr, forwarding] 192.0.2.254/24 r0 ── s0 (server ns,
     * no address: the caller's server gives it one, or answers on it by raw socket).
     */
    static Routed routed(HostNet net, String clientMac) {
        Routed r = new Routed(net.netns("cli"), net.name("c0"), net.netns("rtr"), net.name("r1"), net.netns("srv"), net.name("s0"));
        String r0 = net.name("r0");
        net.veth(r.c0(), clientMac, r.cli(), r.r1(), null, r.rtr());
        net.veth(r0, null, r.rtr(), r.s0(), null, r.srv());
        net.exec(r.rtr(), "ip", "addr", "add", "198.51.100.1/24", "dev", r.r1());
        net.exec(r.rtr(), "ip", "addr", "add", "192.0.2.254/24", "dev", r0);
        net.exec(r.rtr(), "sysctl", "-qw", "net.ipv4.ip_forward=1");
        return r;
    }

    byte[] image(int size) throws IOException {
        byte[] img = BootCliTest.randomImage(size, size);
        Files.write(Files.createDirectories(dir.resolve("tftp")).resolve("boot.img"), img);
        return img;
    }

    /** Starts {@code cmd} in {@code ns}, logging to {@code log}, and waits until the log says {@code ready}. */
    Process daemon(HostNet net, String ns, String log, String ready, String... cmd) throws IOException {
        Process p = net.start(ns, dir.resolve(log), cmd);
        Path file = dir.resolve(log);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!(Files.exists(file) && Files.readString(file).contains(ready))) {
            if (!p.isAlive()) {
                throw new AssertionError(cmd[0] + " ended: " + Files.readString(file));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(cmd[0] + " did not say '" + ready + "' within 10 s: " + Files.readString(file));
            }
            try {
                p.waitFor(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return p;
    }

    /** dnsmasq in {@code ns} on {@code dev} with the common options and {@code extra}; the TFTP root is dir/tftp. */
    Process dnsmasq(HostNet net, String ns, String dev, String log, String ready, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0",
                "--user=root", "--group=root", "--no-resolv", "--no-hosts", "--log-facility=-", "--log-dhcp", "--pid-file=",
                "--interface=" + dev, "--bind-interfaces", "--dhcp-leasefile=" + dir.resolve(ns + ".leases")));
        cmd.addAll(Arrays.asList(extra));
        return daemon(net, ns, log, ready, cmd.toArray(String[]::new));
    }

    /** A TFTP server only (dnsmasq without DHCP), for the DHCP servers that have none. */
    Process tftp(HostNet net, String ns, String dev) throws IOException {
        Files.createDirectories(dir.resolve("tftp"));
        return dnsmasq(net, ns, dev, ns + "-tftp.log", "TFTP root", "--enable-tftp", "--tftp-root=" + dir.resolve("tftp"));
    }

    record Boot(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return BootCliTest.JSON.readTree(out);
        }
    }

    Boot boot(String ns, String... args) throws Exception {
        Process p = RealWireTest.startBoot(ns, dir.resolve("boot.err"), dir.resolve("boot.out"), args);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the boot did not end within 120 s");
        }
        return new Boot(p.exitValue(), Files.readString(dir.resolve("boot.out")), Files.readString(dir.resolve("boot.err")));
    }

    String log(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            return "(no " + name + ")";
        }
    }

    /** Boots the board in {@code lan}, checks it booted with {@code img} in slot A, and returns its JSON. */
    JsonNode bootsWith(Lan lan, byte[] img, String logs, String... extra) throws Exception {
        Path flash = dir.resolve("flash.img");
        List<String> args = new ArrayList<>(List.of("--interface", lan.c0(), "--flash-file", flash.toString(), "--json"));
        args.addAll(Arrays.asList(extra));
        Boot b = boot(lan.cli(), args.toArray(String[]::new));
        assertEquals(0, b.exit(), () -> b.err() + "\n" + log(logs));
        JsonNode j = b.json();
        assertEquals("ok", j.get("result").asText());
        assertEquals(BOARD_MAC, j.get("mac").asText());
        assertEquals("boot.img", j.get("bootFile").asText());
        assertEquals(img.length, j.get("bytes").asLong());
        assertEquals(BootCliTest.sha256(img), j.get("sha256").asText());
        RealWireTest.assertImageInFlash(img, flash);
        return j;
    }

    @Test
    void dnsmasqAsADhcpOnlyServerWithDhcpBoot() throws Exception {
        try (HostNet net = new HostNet("dh")) {
            Lan lan = lan(net);
            byte[] img = image(300_000);
            // The usual PXE set-up: no --bootp-dynamic. dnsmasq pings an address before offering it (3 s).
            dnsmasq(net, lan.srv(), lan.s0(), "dnsmasq.log", "DHCP, IP range", "--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0",
                    "--dhcp-boot=boot.img", "--enable-tftp", "--tftp-root=" + dir.resolve("tftp"));
            JsonNode j = bootsWith(lan, img, "dnsmasq.log");
            assertEquals("dhcp", j.get("protocol").asText());
            assertEquals(SERVER, j.get("dhcpServer").asText());
            assertEquals(SERVER, j.get("server").asText());
            assertEquals(3600, j.get("leaseSeconds").asLong(), "dnsmasq's default lease, an hour");
            assertTrue(RealWireTest.inRange(j.get("ip").asText(), "192.0.2.50", "192.0.2.60"), j.toString());
            assertTrue(log("dnsmasq.log").contains("DHCPACK(" + lan.s0() + ") " + j.get("ip").asText() + " " + BOARD_MAC),
                    log("dnsmasq.log"));
        }
    }

    @Test
    void dnsmasqAsAProxyDhcpServerBesideUdhcpdGivingAddressesOnly() throws Exception {
        try (HostNet net = new HostNet("dh")) {
            // A switch with the board, the DHCP server and the ProxyDHCP server on it.
            Switched sw = switched(net, "pxe");
            Lan lan = sw.lan();
            String dhcp = lan.srv();
            String pxe = sw.other();
            String p0 = sw.otherPort();
            byte[] img = image(200_000);
            // busybox udhcpd: addresses only, no siaddr, no boot file.
            Path conf = Files.writeString(dir.resolve("udhcpd.conf"), String.join("\n", "start 192.0.2.50", "end 192.0.2.60",
                    "interface " + lan.s0(), "lease_file " + dir.resolve("udhcpd.leases"), "pidfile " + dir.resolve("udhcpd.pid"),
                    "option subnet 255.255.255.0", "option router " + SERVER, "option lease 3600", ""));
            Files.createFile(dir.resolve("udhcpd.leases"));
            net.start(dhcp, dir.resolve("udhcpd.log"), "busybox", "udhcpd", "-f", conf.toString());
            // dnsmasq's proxy mode answers PXE clients, never with an address, once a pxe-service names a boot file for
            // their architecture (22, the profile's pxe-arch). For architectures from 6 up (EFI and later) its offer names
            // only itself (siaddr) and the board asks for the file on port 4011, as PXE 2.1 says.
            dnsmasq(net, pxe, p0, "proxy.log", "proxy on subnet", "--dhcp-range=192.0.2.0,proxy", "--pxe-service=22,netboot,boot.img",
                    "--enable-tftp", "--tftp-root=" + dir.resolve("tftp"));
            Path pcap = dir.resolve("proxy.pcap");
            JsonNode j = bootsWith(lan, img, "proxy.log", "--pcap", pcap.toString());
            assertEquals("proxy", j.get("protocol").asText());
            assertEquals(SERVER, j.get("dhcpServer").asText());
            assertEquals("192.0.2.2", j.get("proxyServer").asText());
            assertEquals("192.0.2.2", j.get("server").asText());
            assertTrue(log("proxy.log").contains("PXE(" + p0 + ") " + BOARD_MAC + " proxy"), log("proxy.log"));
            assertTrue(log("proxy.log").contains("bootfile name: boot.img"), log("proxy.log"));
            List<String> asked = CaptureDissectionTest.tshark(pcap, "-Y", "udp.dstport == 4011 && dhcp.option.dhcp == 3");
            List<String> answered = CaptureDissectionTest.tshark(pcap, "-Y", "udp.srcport == 4011 && dhcp.option.dhcp == 5");
            assertTrue(!asked.isEmpty() && !answered.isEmpty(), "a DHCPREQUEST to port 4011 and its DHCPACK");
            assertEquals(List.of(), CaptureDissectionTest.tshark(pcap, "-Y", CaptureDissectionTest.BAD_FRAMES));
        }
    }

    @Test
    void iscDhcpdInTheForeground() throws Exception {
        try (HostNet net = new HostNet("dh")) {
            Lan lan = lan(net);
            byte[] img = image(200_000);
            iscDhcpd(net, lan.srv(), lan.s0(), """
                    ddns-update-style none;
                    authoritative;
                    default-lease-time 600;
                    max-lease-time 600;
                    subnet 192.0.2.0 netmask 255.255.255.0 {
                      range 192.0.2.50 192.0.2.60;
                      option routers 192.0.2.1;
                      next-server 192.0.2.1;
                      filename "boot.img";
                    }
                    """);
            tftp(net, lan.srv(), lan.s0());
            JsonNode j = bootsWith(lan, img, "dhcpd.log");
            assertEquals("dhcp", j.get("protocol").asText());
            assertEquals(600, j.get("leaseSeconds").asLong());
            assertTrue(log("dhcpd.log").contains("DHCPACK on " + j.get("ip").asText() + " to " + BOARD_MAC), log("dhcpd.log"));
        }
    }

    /**
     * ISC dhcpd with a {@code filename} of 128 characters, the size of the file field: dhcpd fills the field whole and
     * sends no NUL (as its own dhclient, U-Boot and busybox udhcpc expect: they read the field whole). The board boots
     * that file; before, it took the field for a malformed reply, dropped every offer and failed after 60 s ("no
     * usable offer after 7 DHCPDISCOVERs").
     */
    @Test
    void iscDhcpdWithAFileNameThatFillsTheFileField() throws Exception {
        try (HostNet net = new HostNet("dh")) {
            Lan lan = lan(net);
            String name = "boards/" + "b".repeat(117) + ".img";
            assertEquals(128, name.length());
            byte[] img = BootCliTest.randomImage(200_000, 128);
            Path file = dir.resolve("tftp").resolve(name);
            Files.createDirectories(file.getParent());
            Files.write(file, img);
            iscDhcpdWithFileName(net, lan, name);
            Path flash = dir.resolve("flash.img");
            Path pcap = dir.resolve("file.pcap");
            Boot b = boot(lan.cli(), "--interface", lan.c0(), "--flash-file", flash.toString(), "--json", "--pcap", pcap.toString());
            // What dhcpd sent: the whole field, no NUL (Wireshark reads it whole too).
            assertEquals(List.of(name), CaptureDissectionTest.tshark(pcap, "-Y", "dhcp.option.dhcp == 5", "-T", "fields",
                    "-e", "dhcp.file"));
            assertEquals(0, b.exit(), () -> b.err() + "\n" + log("dhcpd.log"));
            JsonNode j = b.json();
            assertEquals(name, j.get("bootFile").asText());
            assertEquals(img.length, j.get("bytes").asLong());
            assertEquals(BootCliTest.sha256(img), j.get("sha256").asText());
            RealWireTest.assertImageInFlash(img, flash);
        }
    }

    /**
     * ISC dhcpd with a {@code filename} of 166 characters, too long for the file field: dhcpd sends its first 128 and
     * logs "file name longer than packet field truncated". The board asks for what it was given, the TFTP server has no
     * such file, and the one line says that the full field may hold a name cut to fit (the board cannot know it was).
     */
    @Test
    void iscDhcpdCuttingALongFileNameToTheFieldIsNamedAsAPossibleCause() throws Exception {
        try (HostNet net = new HostNet("dh")) {
            Lan lan = lan(net);
            String name = "d".repeat(60) + "/" + "e".repeat(60) + "/" + "f".repeat(40) + ".img";
            iscDhcpdWithFileName(net, lan, name);
            Boot b = boot(lan.cli(), "--interface", lan.c0(), "--flash-file", dir.resolve("flash.img").toString(), "--json");
            assertTrue(log("dhcpd.log").contains("file name longer than packet field truncated"), log("dhcpd.log"));
            assertEquals(1, b.exit(), b.err());
            String line = b.err().lines().filter(l -> l.startsWith("netboot:")).findFirst().orElse("");
            assertTrue(line.startsWith("netboot: boot failed: [tftp] TFTP: server 192.0.2.1:"), line);
            assertTrue(line.contains("sent ERROR 1 (file not found)"), line);
            assertTrue(line.endsWith(" (the reply's file field was full, 128 bytes with no NUL: a longer name cut to fit?"
                    + " ISC dhcpd cuts its filename so; option 67 holds up to 255 bytes)"), line);
            assertEquals(name.substring(0, 128), b.json().get("bootFile").asText());
            assertEquals("none", b.json().get("activeSlot").asText());
        }
    }

    /**
     * Two DHCP servers on one switch, as on an office LAN with a boot server added: dnsmasq giving addresses only (no
     * boot file; --no-ping, so it offers at once) and ISC dhcpd naming the TFTP server and boot.img, as installed: it
     * pings an address for a second before offering it (ping-check, on by default), so its offer comes half a second
     * after the board's offer window closed. The board holds the offer without a boot file, asks again, and boots from
     * dhcpd's; before, it took dnsmasq's and failed "no boot file in the file field or option 67".
     */
    @Test
    void iscDhcpdPingingBeforeItOffersBesideAFasterServerWithoutABootFile() throws Exception {
        try (HostNet net = new HostNet("dh")) {
            Switched sw = switched(net, "boot");
            Lan lan = sw.lan();
            String office = lan.srv();
            String boot = sw.other();
            String b0 = sw.otherPort();
            byte[] img = image(200_000);
            dnsmasq(net, office, lan.s0(), "office.log", "DHCP, IP range", "--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0",
                    "--no-ping");
            iscDhcpd(net, boot, b0, BOOT_SERVER_DHCPD);
            tftp(net, boot, b0);
            JsonNode j = bootsWith(lan, img, "dhcpd.log");
            assertEquals("192.0.2.2", j.get("dhcpServer").asText());
            assertEquals("192.0.2.2", j.get("server").asText());
            assertTrue(RealWireTest.inRange(j.get("ip").asText(), "192.0.2.100", "192.0.2.110"), j.toString());
            assertTrue(log("dhcpd.log").contains("DHCPACK on " + j.get("ip").asText() + " to " + BOARD_MAC), log("dhcpd.log"));
            assertTrue(log("office.log").contains("DHCPOFFER(" + lan.s0() + ")"), "the faster server offered too: " + log("office.log"));
        }
    }

    /**
     * Starts ISC dhcpd and the TFTP server on the switch's other port, boots the board with {@code img}, and checks that
     * it booted from dhcpd's lease (192.0.2.2 its DHCP and TFTP server) after taking the faster dnsmasq's first (its log
     * rogue.log). Returns the boot's JSON.
     */
    private JsonNode bootsFromDhcpdAfterTheFasterLease(HostNet net, Switched sw, byte[] img) throws Exception {
        iscDhcpd(net, sw.other(), sw.otherPort(), BOOT_SERVER_DHCPD);
        tftp(net, sw.other(), sw.otherPort());
        JsonNode j = bootsWith(sw.lan(), img, "dhcpd.log");
        assertEquals("192.0.2.2", j.get("dhcpServer").asText());
        assertEquals("192.0.2.2", j.get("server").asText());
        assertTrue(log("rogue.log").contains("DHCPACK(" + sw.lan().s0() + ")"), "the board took the faster lease first: "
                + log("rogue.log"));
        return j;
    }

    /**
     * A fast dnsmasq ({@code --no-ping}) names a TFTP server that is not there, 192.0.2.99; ISC dhcpd beside it names the
     * right one, a second later (its ping-check). The board takes dnsmasq's offer at once (it names server and file),
     * ARPs for 192.0.2.99 in vain and falls back to dhcpd's offer, which came while it asked ARP. Before, an offer that
     * came once the lease was bound was dropped, and the boot failed "ARP: TFTP server 192.0.2.99 did not answer 5
     * requests" (the capture: dhcpd's DHCPOFFER at 1.0 s, between the board's ARP requests for 192.0.2.99).
     */
    @Test
    void iscDhcpdOfferingAfterTheBoardBoundAFasterServersLeaseNamingAnAbsentTftpServer() throws Exception {
        try (HostNet net = new HostNet("dh")) {
            Switched sw = switched(net, "boot");
            Lan lan = sw.lan();
            byte[] img = image(200_000);
            dnsmasq(net, lan.srv(), lan.s0(), "rogue.log", "DHCP, IP range", "--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0",
                    "--no-ping", "--dhcp-boot=boot.img,,192.0.2.99");
            JsonNode j = bootsFromDhcpdAfterTheFasterLease(net, sw, img);
            assertTrue(RealWireTest.inRange(j.get("ip").asText(), "192.0.2.100", "192.0.2.110"), j.toString());
        }
    }

    /**
     * A fast dnsmasq ({@code --no-ping}) names boot.img on its own TFTP server, which has no such file and says so at
     * once (ERROR 1, a few milliseconds after the lease); ISC dhcpd beside it names the right server, its offer a second
     * after the DHCPDISCOVER (its ping-check). The board's boot could not start before any other offer came: it waits
     * for one, up to {@code ServerFallback.LATE_OFFERS} after its lease was bound, takes dhcpd's and boots. Before, it
     * failed at once with dnsmasq's words, dhcpd's offer not yet there.
     */
    @Test
    void aFasterServersBootFailingAtOnceWaitsForISCDhcpdsOfferASecondLater() throws Exception {
        try (HostNet net = new HostNet("dh")) {
            Switched sw = switched(net, "boot");
            Lan lan = sw.lan();
            byte[] img = image(200_000);
            Files.createDirectories(dir.resolve("empty"));
            dnsmasq(net, lan.srv(), lan.s0(), "rogue.log", "TFTP root", "--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0",
                    "--no-ping", "--dhcp-boot=boot.img", "--enable-tftp", "--tftp-root=" + dir.resolve("empty"));
            bootsFromDhcpdAfterTheFasterLease(net, sw, img);
            assertTrue(log("rogue.log").contains("not found"), "its TFTP server had no boot.img: " + log("rogue.log"));
        }
    }

    /**
     * Option 66 as a host name, as Windows DHCP and many dhcpd.conf files write it, and no next-server: the board has no
     * DNS resolver, asks the DHCP server itself, and when that has no TFTP service the one line says why it asked there.
     * With a TFTP server beside dhcpd the same lease boots.
     */
    @Test
    void iscDhcpdNamingTheTftpServerByHostName() throws Exception {
        try (HostNet net = new HostNet("dh")) {
            Lan lan = lan(net);
            byte[] img = image(200_000);
            iscDhcpd(net, lan.srv(), lan.s0(), """
                    ddns-update-style none;
                    authoritative;
                    default-lease-time 600;
                    max-lease-time 600;
                    subnet 192.0.2.0 netmask 255.255.255.0 {
                      range 192.0.2.50 192.0.2.60;
                      option tftp-server-name "tftp.example.test";
                      filename "boot.img";
                    }
                    """);
            Boot b = boot(lan.cli(), "--interface", lan.c0(), "--flash-file", dir.resolve("flash.img").toString(), "--json");
            assertEquals(1, b.exit(), b.err());
            assertEquals("netboot: boot failed: [tftp] TFTP: server 192.0.2.1 unreachable: ICMP port unreachable from 192.0.2.1 for"
                    + " 192.0.2.1:69 (the reply named the TFTP server 'tftp.example.test', a host name; netboot has no DNS resolver"
                    + " and asked the DHCP server 192.0.2.1)", b.err().lines().filter(l -> l.startsWith("netboot:")).findFirst().orElse(""));
            assertEquals("none", b.json().get("activeSlot").asText());
            tftp(net, lan.srv(), lan.s0());
            JsonNode j = bootsWith(lan, img, "dhcpd.log");
            assertEquals(SERVER, j.get("server").asText());
        }
    }

    /** Returns kea's BOOTP hook library, wherever the distribution put it (/usr/lib/MULTIARCH/kea/hooks on Debian). */
    static Path bootpHook() throws IOException {
        List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/lib/kea/hooks/libdhcp_bootp.so"),
                Path.of("/usr/lib64/kea/hooks/libdhcp_bootp.so")));
        try (var dirs = Files.newDirectoryStream(Path.of("/usr/lib"), Files::isDirectory)) {
            dirs.forEach(d -> candidates.add(d.resolve("kea/hooks/libdhcp_bootp.so")));
        }
        return candidates.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() -> new AssertionError(
                "kea's BOOTP hook libdhcp_bootp.so was not found under /usr/lib; install kea-dhcp4-server (or run .ci/run --tools)"));
    }

    /** Writes a kea-dhcp4 configuration for {@code dev}: pool .50-.60, siaddr and file, the given lease; with the BOOTP hook when asked. */
    Path keaConfig(String dev, int lease, boolean bootpHook) throws IOException {
        String hooks = bootpHook ? """
                "hooks-libraries": [{"library": "%s"}],""".formatted(bootpHook()) : "";
        return Files.writeString(dir.resolve("kea.json"), """
                {"Dhcp4": {%s
                  "interfaces-config": {"interfaces": ["%s"], "dhcp-socket-type": "raw"},
                  "lease-database": {"type": "memfile", "persist": false},
                  "valid-lifetime": %d, "renew-timer": %d, "rebind-timer": %d,
                  "subnet4": [{"subnet": "192.0.2.0/24", "pools": [{"pool": "192.0.2.50 - 192.0.2.60"}],
                    "next-server": "192.0.2.1", "boot-file-name": "boot.img",
                    "option-data": [{"name": "routers", "data": "192.0.2.1"}]}],
                  "loggers": [{"name": "kea-dhcp4", "output_options": [{"output": "stdout"}], "severity": "INFO"}]
                }}
                """.formatted(hooks, dev, lease, lease / 2, lease * 7 / 8));
    }

    Process kea(HostNet net, Lan lan, Path conf) throws IOException {
        // Kea keeps its PID and lock files where these say, not in /run/kea.
        return daemon(net, lan.srv(), "kea.log", "DHCP4_STARTED", "env", "KEA_PIDFILE_DIR=" + dir, "KEA_LOCKFILE_DIR=" + dir,
                "kea-dhcp4", "-c", conf.toString());
    }

    @Test
    void keaWithoutItsBootpHook() throws Exception {
        try (HostNet net = new HostNet("dh")) {
            Lan lan = lan(net);
            byte[] img = image(200_000);
            kea(net, lan, keaConfig(lan.s0(), 3600, false));
            tftp(net, lan.srv(), lan.s0());
            JsonNode j = bootsWith(lan, img, "kea.log");
            assertEquals("dhcp", j.get("protocol").asText());
            assertEquals(3600, j.get("leaseSeconds").asLong());
            assertTrue(log("kea.log").contains("DHCP4_LEASE_ALLOC"), log("kea.log"));
        }
    }

    @Test
    void keaWithItsBootpHookServesABoardThatSpeaksBootpOnly() throws Exception {
        try (HostNet net = new HostNet("dh")) {
            Lan lan = lan(net);
            byte[] img = image(200_000);
            kea(net, lan, keaConfig(lan.s0(), 3600, true));
            tftp(net, lan.srv(), lan.s0());
            // The same kea serves the default board by DHCP, and a protocol = bootp board through libdhcp_bootp.
            assertEquals("dhcp", bootsWith(lan, img, "kea.log").get("protocol").asText());
            String text = Files.readString(Path.of("device-profiles/spi-nor-16m.profile")).replace("name = spi-nor-16m", "name = oldboard")
                    .replace("protocol = auto", "protocol = bootp");
            Path prof = Files.writeString(dir.resolve("oldboard.profile"), text);
            Files.delete(dir.resolve("flash.img"));
            Files.deleteIfExists(dir.resolve("flash.img.profile"));
            JsonNode j = bootsWith(lan, img, "kea.log", "--profile", prof.toString());
            assertEquals("bootp", j.get("protocol").asText());
            assertTrue(j.get("leaseSeconds").isNull());
            assertTrue(log("kea.log").contains("BOOTP"), log("kea.log"));
        }
    }

    @Test
    void aKeaLeaseShorterThanTheBootIsRenewedAndTheCaptureShowsIt() throws Exception {
        try (HostNet net = new HostNet("dh")) {
            Lan lan = lan(net);
            byte[] img = image((1 << 20) + 337);
            kea(net, lan, keaConfig(lan.s0(), 8, false));
            tftp(net, lan.srv(), lan.s0());
            Path pcap = dir.resolve("renew.pcap");
            // The NOR flash's datasheet times, in real time: about 13 s for 1 MiB, past T1 (4 s) three times.
            JsonNode j = bootsWith(lan, img, "kea.log", "--flash-timing", "typical", "--pcap", pcap.toString());
            assertEquals(8, j.get("leaseSeconds").asLong());
            assertTrue(j.get("renewals").asInt() >= 2, j.toString());
            String ip = j.get("ip").asText();
            // RFC 2131 4.4.5: the renewing DHCPREQUEST goes unicast from our address to the server, and its DHCPACK back.
            List<String> renew = CaptureDissectionTest.tshark(pcap, "-Y", "dhcp.option.dhcp == 3 && ip.src == " + ip
                    + " && ip.dst == " + SERVER, "-T", "fields", "-e", "dhcp.ip.client");
            List<String> acks = CaptureDissectionTest.tshark(pcap, "-Y", "dhcp.option.dhcp == 5 && ip.dst == " + ip);
            assertEquals(j.get("renewals").asInt(), renew.size(), "renewal requests: " + renew);
            assertTrue(renew.stream().allMatch(ip::equals), "ciaddr is ours: " + renew);
            assertEquals(j.get("renewals").asInt(), acks.size());
            assertEquals(List.of(), CaptureDissectionTest.tshark(pcap, "-Y", CaptureDissectionTest.BAD_FRAMES));
        }
    }

    @Test
    void busyboxUdhcpd() throws Exception {
        try (HostNet net = new HostNet("dh")) {
            Lan lan = lan(net);
            byte[] img = image(200_000);
            Path conf = Files.writeString(dir.resolve("udhcpd.conf"), String.join("\n", "start 192.0.2.50", "end 192.0.2.60",
                    "interface " + lan.s0(), "lease_file " + dir.resolve("udhcpd.leases"), "pidfile " + dir.resolve("udhcpd.pid"),
                    "siaddr " + SERVER, "boot_file boot.img", "option subnet 255.255.255.0", "option router " + SERVER,
                    "option lease 900", ""));
            Files.createFile(dir.resolve("udhcpd.leases"));
            net.start(lan.srv(), dir.resolve("udhcpd.log"), "busybox", "udhcpd", "-f", conf.toString());
            tftp(net, lan.srv(), lan.s0());
            JsonNode j = bootsWith(lan, img, "udhcpd.log");
            assertEquals("dhcp", j.get("protocol").asText());
            assertEquals(900, j.get("leaseSeconds").asLong());
            assertEquals(SERVER, j.get("server").asText());
        }
    }

    @Test
    void throughADnsmasqRelayToADhcpOnlyServer() throws Exception {
        try (HostNet net = new HostNet("dh")) {
            Routed r = routed(net, BOARD_MAC);
            String srv = r.srv();
            String rtr = r.rtr();
            String cli = r.cli();
            String c0 = r.c0();
            String r1 = r.r1();
            String s0 = r.s0();
            net.exec(srv, "ip", "addr", "add", SERVER + "/24", "dev", s0);
            net.exec(srv, "ip", "route", "add", "198.51.100.0/24", "via", "192.0.2.254");
            byte[] img = image(200_000);
            dnsmasq(net, srv, s0, "dnsmasq.log", "DHCP, IP range", "--dhcp-range=198.51.100.50,198.51.100.60,255.255.255.0",
                    "--dhcp-option=3,198.51.100.1", "--dhcp-boot=boot.img", "--enable-tftp", "--tftp-root=" + dir.resolve("tftp"));
            dnsmasq(net, rtr, r1, "relay.log", "DHCP relay from 198.51.100.1 to " + SERVER, "--dhcp-relay=198.51.100.1," + SERVER);
            JsonNode j = bootsWith(new Lan(cli, c0, srv, s0), img, "dnsmasq.log");
            assertEquals("dhcp", j.get("protocol").asText());
            assertEquals(SERVER, j.get("dhcpServer").asText());
            assertEquals("198.51.100.1", j.get("gateway").asText());
            assertTrue(RealWireTest.inRange(j.get("ip").asText(), "198.51.100.50", "198.51.100.60"), j.toString());
            assertTrue(log("relay.log").contains("DHCP relay at 198.51.100.1 -> " + SERVER), log("relay.log"));
        }
    }
}
