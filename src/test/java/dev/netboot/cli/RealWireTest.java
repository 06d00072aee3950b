package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netboot.link.HostNet;
import dev.netboot.link.LoopbackChatter;
import dev.netboot.wire.Ipv4Address;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netboot boot --interface} against dnsmasq, a real BOOTP and TFTP server, over veth pairs between
 * network namespaces made for each test (addresses in TEST-NET-3, 203.0.113.0/24, and for the relayed subnet in
 * TEST-NET-2, 198.51.100.0/24, only inside them, IPv6 off). The board runs as a child JVM inside the client
 * namespace: {@code ip netns exec NS java -cp <this classpath> Main boot ...}.
 *
 * <p>Needs root, iproute2, dnsmasq, ping (iputils-ping), setpriv and tshark; without them it fails and
 * says what to install (.ci/run installs them). Everything it creates is removed afterwards, also on failure.
 */
class RealWireTest {
    static final String BOARD_MAC = "02:00:00:77:00:10";
    static final long PARTITION_OFFSET = BootCliTest.PARTITION_OFFSET;
    static final Pattern PING_RECEIVED = Pattern.compile("(\\d+) received");

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        HostNet.requireTool("dnsmasq", "dnsmasq-base");
        HostNet.requireTool("ping", "iputils-ping");
        HostNet.requireTool("setpriv", "util-linux");
    }

    /** The result of one child boot. */
    record Boot(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return BootCliTest.JSON.readTree(out);
        }
    }

    /** Starts {@code netboot boot ARGS} as a child JVM in namespace {@code ns}. */
    static Process startBoot(String ns, Path errLog, Path outLog, String... args) throws IOException {
        return startBoot(List.of("ip", "netns", "exec", ns), errLog, outLog, args);
    }

    /** Starts {@code netboot boot ARGS} as a child JVM, its command line prefixed by {@code prefix}. */
    static Process startBoot(List<String> prefix, Path errLog, Path outLog, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-Dnetboot.home=" + Path.of("").toAbsolutePath(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "boot"));
        cmd.addAll(Arrays.asList(args));
        return new ProcessBuilder(cmd).redirectOutput(outLog.toFile()).redirectError(errLog.toFile()).start();
    }

    Boot boot(String ns, String... args) throws Exception {
        return boot(List.of("ip", "netns", "exec", ns), args);
    }

    Boot boot(List<String> prefix, String... args) throws Exception {
        return finish(startBoot(prefix, dir.resolve("boot.err"), dir.resolve("boot.out"), args));
    }

    Boot finish(Process p) throws Exception {
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the boot did not end within 120 s");
        }
        return new Boot(p.exitValue(), Files.readString(dir.resolve("boot.out")), Files.readString(dir.resolve("boot.err")));
    }

    /** Starts dnsmasq in {@code ns} on {@code dev}, serving {@link #dir}/tftp when {@code tftp}; extra options appended. */
    Process dnsmasq(HostNet net, String ns, String dev, boolean tftp, String... extra) throws IOException {
        Path root = Files.createDirectories(dir.resolve("tftp"));
        List<String> cmd = new ArrayList<>(List.of("dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0",
                "--user=root", "--group=root", "--no-resolv", "--no-hosts", "--log-facility=-", "--log-dhcp", "--pid-file=",
                "--interface=" + dev, "--bind-interfaces", "--dhcp-leasefile=" + dir.resolve(ns + ".leases")));
        if (tftp) {
            cmd.addAll(List.of("--enable-tftp", "--tftp-root=" + root));
        }
        cmd.addAll(Arrays.asList(extra));
        Process p = net.start(ns, dir.resolve(ns + "-dnsmasq.log"), cmd.toArray(String[]::new));
        awaitLog(ns + "-dnsmasq.log", "DHCP", p);
        return p;
    }

    /** Waits until {@code log} mentions {@code text}, without sleeping: dnsmasq logs its sockets once bound, LoopbackChatter "ready". */
    void awaitLog(String log, String text, Process p) throws IOException {
        Path file = dir.resolve(log);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!(Files.exists(file) && Files.readString(file).contains(text))) {
            if (!p.isAlive()) {
                throw new AssertionError(log + ": the process ended: " + Files.readString(file));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(log + ": the process did not start within 10 s: " + Files.readString(file));
            }
            try {
                p.waitFor(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Returns the text of log file {@code name}, for failure messages. */
    String log(String name) {
        Path f = dir.resolve(name);
        try {
            return Files.exists(f) ? Files.readString(f) : "(no " + name + ")";
        } catch (IOException e) {
            return "(cannot read " + name + ": " + e + ")";
        }
    }

    byte[] image(int size) throws IOException {
        byte[] img = BootCliTest.randomImage(size, size);
        Files.write(Files.createDirectories(dir.resolve("tftp")).resolve("boot.img"), img);
        return img;
    }

    static void assertImageInFlash(byte[] img, Path flash) throws IOException {
        byte[] all = Files.readAllBytes(flash);
        assertArrayEquals(img, Arrays.copyOfRange(all, (int) PARTITION_OFFSET, (int) PARTITION_OFFSET + img.length), "image in flash");
    }

    static boolean inRange(String ip, String first, String last) {
        int v = Ipv4Address.parse(ip).value();
        return Integer.compareUnsigned(v, Ipv4Address.parse(first).value()) >= 0
                && Integer.compareUnsigned(v, Ipv4Address.parse(last).value()) <= 0;
    }

    /** Namespaces and veth ends of one segment: client end {@code c0}, server end {@code s0} with 203.0.113.1/24. */
    record Segment(String srv, String cli, String c0, String s0) {
    }

    static Segment segment(HostNet net) {
        Segment lan = new Segment(net.netns("srv"), net.netns("cli"), net.name("c0"), net.name("s0"));
        net.veth(lan.c0(), BOARD_MAC, lan.cli(), lan.s0(), null, lan.srv());
        net.exec(lan.srv(), "ip", "addr", "add", "203.0.113.1/24", "dev", lan.s0());
        return lan;
    }

    /** client ns ── veth ── server ns (203.0.113.1/24, dnsmasq BOOTP + TFTP); ping and a UDP socket ask the board meanwhile. */
    @Test
    void bootsFromDnsmasqOnTheSegmentAndAnswersPingAndClosedPortsMeanwhile() throws Exception {
        try (HostNet net = new HostNet()) {
            Segment lan = segment(net);
            String srv = lan.srv();
            String s0 = lan.s0();
            byte[] img = image(5 << 20); // long enough for pings to meet the transfer; fits the 6 MiB slot A
            // The board's address is fixed (inside the pool) so the server can ping it; a static neighbour
            // entry, so pings need no ARP before the board has its address.
            dnsmasq(net, srv, s0, true, "--no-ping", "--bootp-dynamic", "--dhcp-range=203.0.113.50,203.0.113.60,255.255.255.0",
                    "--dhcp-host=" + BOARD_MAC + ",203.0.113.55", "--dhcp-boot=boot.img");
            net.exec(srv, "ip", "neigh", "replace", "203.0.113.55", "lladdr", BOARD_MAC, "dev", s0, "nud", "permanent");
            Path flash = dir.resolve("flash.img");
            Path pcap = dir.resolve("real.pcap");

            Process ping = net.start(srv, dir.resolve("ping.log"), "ping", "-n", "-i", "0.01", "-W", "1", "-w", "100", "203.0.113.55");
            // A socket on the server asking the board's port 9 (discard: nothing listens there on the board).
            Process probe = net.start(srv, dir.resolve("probe.log"), ProcessHandle.current().info().command().orElseThrow(),
                    "-cp", System.getProperty("java.class.path"), UdpProbe.class.getName(), "203.0.113.55", "9", "100");
            // UDP on the board namespace's loopback all the while: none of it may reach the board's raw socket.
            Process chatter = net.start(lan.cli(), dir.resolve("chatter.log"), ProcessHandle.current().info().command().orElseThrow(),
                    "-cp", System.getProperty("java.class.path"), LoopbackChatter.class.getName());
            awaitLog("chatter.log", "ready", chatter);
            Process board = startBoot(lan.cli(), dir.resolve("boot.err"), dir.resolve("boot.out"),
                    "--interface", lan.c0(), "--flash-file", flash.toString(), "--pcap", pcap.toString(), "--json");
            Boot b = finish(board);
            HostNet.run("kill", "-INT", Long.toString(ping.pid())); // ping prints its summary on SIGINT
            ping.waitFor(10, TimeUnit.SECONDS);

            assertEquals(0, b.exit(), () -> b.err() + "\n" + log(srv + "-dnsmasq.log"));
            JsonNode j = b.json();
            assertEquals("ok", j.get("result").asText());
            assertEquals(lan.c0(), j.get("interface").asText());
            assertEquals(BOARD_MAC, j.get("mac").asText());
            assertTrue(inRange(j.get("ip").asText(), "203.0.113.50", "203.0.113.60"), j.toString());
            assertEquals("203.0.113.1", j.get("server").asText());
            assertEquals("boot.img", j.get("bootFile").asText());
            assertEquals(img.length, j.get("bytes").asLong());
            assertEquals(BootCliTest.sha256(img), j.get("sha256").asText());
            assertTrue(j.get("framesLost").isNull());
            assertTrue(j.get("simulatedSeconds").asDouble() > 0);
            assertImageInFlash(img, flash);

            String pingLog = log("ping.log");
            Matcher m = PING_RECEIVED.matcher(pingLog);
            assertTrue(m.find() && Integer.parseInt(m.group(1)) > 0, "the board answered ping during its boot:\n" + pingLog);
            // The server's kernel took the board's ICMP port unreachable as its socket's ECONNREFUSED: the error quotes
            // the datagram as the kernel matches it (RFC 1122 section 4.1.3.1; RFC 792).
            assertTrue(probe.waitFor(10, TimeUnit.SECONDS), "the probe ended");
            assertTrue(log("probe.log").startsWith("refused after "), "the board refused a closed port: " + log("probe.log"));

            assertEquals(List.of(), CaptureDissectionTest.tshark(pcap, "-Y", CaptureDissectionTest.BAD_FRAMES), "malformed or bad frames");
            assertEquals(List.of(), CaptureDissectionTest.tshark(pcap, "-Y", "ip.addr == 127.0.0.0/8"), "loopback frames in the capture");
            assertTrue(chatter.isAlive(), "the loopback sender ran throughout");
            List<String> protocols = CaptureDissectionTest.tshark(pcap, "-T", "fields", "-e", "frame.protocols");
            assertTrue(protocols.stream().anyMatch(l -> l.endsWith(":dhcp") || l.endsWith(":bootp")), "BOOTP in the capture");
            assertTrue(protocols.stream().anyMatch(l -> l.contains(":icmp")), "ICMP echo in the capture");
            assertTrue(protocols.stream().filter(l -> l.contains(":tftp")).count() > 1000, "TFTP in the capture");
        }
    }

    /**
     * A profile with {@code mac-source = profile} boots with its own MAC, not the interface's: the link
     * must then receive frames for a MAC its interface does not have (promiscuous membership).
     */
    @Test
    void profileMacOverridesTheInterfacesWhenTheProfileSaysSo() throws Exception {
        try (HostNet net = new HostNet()) {
            Segment lan = segment(net);
            String profileMac = "02:4e:42:00:00:01"; // device-profiles/spi-nor-16m.profile [board] mac
            image(100_000);
            dnsmasq(net, lan.srv(), lan.s0(), true, "--no-ping", "--bootp-dynamic", "--dhcp-range=203.0.113.50,203.0.113.60,255.255.255.0",
                    "--dhcp-host=" + profileMac + ",203.0.113.57", "--dhcp-boot=boot.img");
            String text = java.nio.file.Files.readString(Path.of("device-profiles/spi-nor-16m.profile"))
                    .replace("name = spi-nor-16m", "name = override").replace("[flash]", "mac-source = profile\n[flash]");
            Path prof = java.nio.file.Files.writeString(dir.resolve("override.profile"), text);
            Process board = startBoot(lan.cli(), dir.resolve("boot.err"), dir.resolve("boot.out"), "--interface", lan.c0(),
                    "--profile", prof.toString(), "--flash-file", dir.resolve("o.img").toString(), "--json");
            Boot b = finish(board);
            assertEquals(0, b.exit(), b::err);
            assertEquals(profileMac, b.json().get("mac").asText());
            assertEquals("203.0.113.57", b.json().get("ip").asText(), "dnsmasq knew the board by the profile's MAC");
        }
    }

    /** client ns ── router ns (dnsmasq relay, forwarding) ── server ns: BOOTP through the relay, TFTP through the gateway. */
    @Test
    void bootsThroughARelayAgentAndTheGateway() throws Exception {
        try (HostNet net = new HostNet()) {
            String srv = net.netns("srv");
            String rtr = net.netns("rtr");
            String cli = net.netns("cli");
            String c0 = net.name("c0");
            String r1 = net.name("r1");
            String r0 = net.name("r0");
            String s0 = net.name("s0");
            net.veth(c0, BOARD_MAC, cli, r1, null, rtr);
            net.veth(r0, null, rtr, s0, null, srv);
            net.exec(rtr, "ip", "addr", "add", "198.51.100.1/24", "dev", r1);
            net.exec(rtr, "ip", "addr", "add", "203.0.113.254/24", "dev", r0);
            net.exec(rtr, "sysctl", "-qw", "net.ipv4.ip_forward=1");
            net.exec(srv, "ip", "addr", "add", "203.0.113.1/24", "dev", s0);
            net.exec(srv, "ip", "route", "add", "198.51.100.0/24", "via", "203.0.113.254");
            byte[] img = image((1 << 20) + 337);
            // The server picks the pool that holds the relay's giaddr (RFC 1542 section 4.1.2) and names the router.
            dnsmasq(net, srv, s0, true, "--no-ping", "--bootp-dynamic", "--dhcp-range=198.51.100.50,198.51.100.60,255.255.255.0",
                    "--dhcp-option=3,198.51.100.1", "--dhcp-boot=boot.img");
            Process relay = net.start(rtr, dir.resolve("relay.log"), "dnsmasq", "--no-daemon", "--conf-file=/dev/null",
                    "--port=0", "--user=root", "--group=root", "--no-resolv", "--no-hosts", "--log-facility=-", "--log-dhcp",
                    "--pid-file=", "--interface=" + r1, "--bind-interfaces", "--dhcp-relay=198.51.100.1,203.0.113.1");
            awaitLog("relay.log", "DHCP relay from 198.51.100.1 to 203.0.113.1", relay);
            Path flash = dir.resolve("flash.img");

            Boot b = boot(cli, "--interface", c0, "--flash-file", flash.toString(), "--json");

            assertEquals(0, b.exit(), () -> b.err() + "\n" + log(srv + "-dnsmasq.log") + "\n" + log("relay.log"));
            JsonNode j = b.json();
            assertTrue(inRange(j.get("ip").asText(), "198.51.100.50", "198.51.100.60"), j.toString());
            assertEquals("198.51.100.1", j.get("gateway").asText());
            assertEquals("203.0.113.1", j.get("server").asText());
            assertEquals("boot.img", j.get("bootFile").asText());
            assertImageInFlash(img, flash);
            assertTrue(log("relay.log").contains("DHCP relay at 198.51.100.1 -> 203.0.113.1"), log("relay.log"));
        }
    }

    /**
     * A server with DHCP but no TFTP: its kernel answers the RRQ with ICMP port unreachable, and the transfer ends at once,
     * not after TFTP's timeouts (the profile gives up after 25 s); the boot then waits for another server's offer until 5 s
     * after its lease was bound (README, "Another server's offer"), and, with none, fails with the ICMP error.
     */
    @Test
    void portUnreachableEndsTheTransferAtOnce() throws Exception {
        try (HostNet net = new HostNet()) {
            Segment lan = segment(net);
            String srv = lan.srv();
            String s0 = lan.s0();
            dnsmasq(net, srv, s0, false, "--no-ping", "--bootp-dynamic", "--dhcp-range=203.0.113.50,203.0.113.60,255.255.255.0",
                    "--dhcp-boot=boot.img,,203.0.113.1");

            Boot b = boot(lan.cli(), "--interface", lan.c0(), "--json");

            assertEquals(Main.EXIT_FAILED, b.exit(), b.err());
            JsonNode j = b.json();
            assertEquals("tftp", j.get("stage").asText());
            assertTrue(j.get("error").asText().contains("ICMP port unreachable from 203.0.113.1 for 203.0.113.1:69"), j.toString());
            double seconds = j.get("simulatedSeconds").asDouble();
            assertTrue(seconds >= 5 && seconds < 10, "ended 5 s after the lease, not after TFTP timeouts: " + j);
            assertEquals(0, j.get("retransmissions").asInt(), "no RRQ sent again after the ICMP error: " + j);
        }
    }

    /**
     * A block size the path cannot carry whole: the board's link has an MTU of 9000, the server's 1500, and the board
     * asks atftpd for 8192-byte blocks. atftpd grants them and its kernel sends each DATA as IPv4 fragments, which the
     * board's stack drops (it does not reassemble). The failure line said "nothing else came" while thousands of
     * fragments came; now it names them and the block size, and the count is the one the JSON's drops report; the
     * board's capture holds at least that many fragments of UDP datagrams from the server.
     */
    @Test
    void blocksTheServersLinkFragmentsAreNamedWhenTheTransferGivesUp() throws Exception {
        HostNet.requireTool("atftpd", "atftpd");
        try (HostNet net = new HostNet()) {
            Segment lan = segment(net);
            net.exec(lan.cli(), "ip", "link", "set", lan.c0(), "mtu", "9000");
            image(100_000);
            dnsmasq(net, lan.srv(), lan.s0(), false, "--no-ping", "--dhcp-range=203.0.113.50,203.0.113.60,255.255.255.0",
                    "--dhcp-boot=boot.img,,203.0.113.1");
            Process atftpd = net.start(lan.srv(), dir.resolve("atftpd.log"), "atftpd", "--daemon", "--no-fork", "--user", "root",
                    "--group", "root", "--logfile", "-", "--bind-address", "203.0.113.1", dir.resolve("tftp").toString());
            awaitLog("atftpd.log", "started", atftpd);
            String text = Files.readString(Path.of("device-profiles/spi-nor-16m.profile")).replace("name = spi-nor-16m", "name = hasty")
                    .replace("give-up = 25s", "give-up = 3s ");
            Path prof = Files.writeString(dir.resolve("hasty.profile"), text);
            Path pcap = dir.resolve("frag.pcap");
            Boot b = boot(lan.cli(), "--interface", lan.c0(), "--profile", prof.toString(), "--blksize", "8192", "--json",
                    "--pcap", pcap.toString());
            assertEquals(Main.EXIT_FAILED, b.exit(), b.err());
            JsonNode j = b.json();
            assertEquals("tftp", j.get("stage").asText());
            assertEquals(8192, j.get("blockSize").asInt(), "atftpd granted the block: " + j);
            long dropped = j.get("drops").get("board").get("fragment").asLong();
            assertTrue(dropped > 0, j.toString());
            String error = j.get("error").asText();
            assertTrue(error.startsWith("TFTP: no DATA 1 from 203.0.113.1:"), error);
            assertTrue(error.endsWith(String.format(java.util.Locale.ROOT, "; %,d IP fragments dropped (this stack does not"
                    + " reassemble: blocks of 8192 bytes do not fit the path's MTU; ask for smaller ones)", dropped)), error);
            List<String> fragments = CaptureDissectionTest.tshark(pcap, "-Y", "ip.src == 203.0.113.1 && ip.proto == 17"
                    + " && (ip.flags.mf == 1 || ip.frag_offset > 0)");
            assertTrue(fragments.size() >= dropped, fragments.size() + " fragments in the capture, " + dropped + " dropped");
        }
    }

    /**
     * A boot file name made to drive the user's terminal, from a real DHCP server (dnsmasq's {@code --dhcp-boot}
     * passes the bytes on): ESC [ 2 J (clear the screen), a newline and a line of the server's making, a
     * right-to-left override. The stage lines and the failure line (no TFTP there: ICMP port unreachable) show each
     * by its code, so stderr is only netboot's own lines and holds no control character but their ends; with
     * {@code --json} the file is the server's bytes exactly.
     */
    @Test
    void aBootFileNameMadeToDriveTheTerminalIsShownByItsCodes() throws Exception {
        String file = "a\u001b[2J\nnetboot: booted\u202egmi.img";
        try (HostNet net = new HostNet()) {
            Segment lan = segment(net);
            dnsmasq(net, lan.srv(), lan.s0(), false, "--no-ping", "--bootp-dynamic", "--dhcp-range=203.0.113.50,203.0.113.60,255.255.255.0",
                    "--dhcp-boot=" + file + ",,203.0.113.1");

            Boot b = boot(lan.cli(), "--interface", lan.c0());
            assertEquals(Main.EXIT_FAILED, b.exit(), b.err());
            String shown = "a\\x1b[2J\\x0anetboot: booted\\u202egmi.img";
            assertTrue(b.err().contains(", file " + shown + "\n"), b.err());
            assertTrue(b.err().contains("reading " + shown + " from 203.0.113.1\n"), b.err());
            List<String> lines = b.err().lines().toList();
            assertTrue(lines.stream().allMatch(l -> l.startsWith("[") || l.startsWith("netboot: ")), b.err());
            assertTrue(lines.getLast().startsWith("netboot: boot failed: [tftp] "), b.err());
            assertTrue(b.err().chars().noneMatch(c -> c < 0x20 && c != '\n' || c == 0x202e), b.err());

            Boot j = boot(lan.cli(), "--interface", lan.c0(), "--json");
            assertEquals(Main.EXIT_FAILED, j.exit(), j.err());
            assertEquals(file, j.json().get("bootFile").asText());
        }
    }

    /**
     * No DHCP server on the segment: the boot fails in stage dhcp, and the JSON speaks as the emulator's does:
     * the TFTP block size and window the board would ask for (spi-nor-16m: blksize auto, 1468 on a 1500-byte
     * MTU, and window 8), not the 512 and 1 of a transfer that never started; no flash timing on a real wire.
     */
    @Test
    void aBootThatFailsBeforeTheTransferReportsWhatTheBoardAsksFor() throws Exception {
        try (HostNet net = new HostNet()) {
            Segment lan = segment(net);
            String text = Files.readString(Path.of("device-profiles/spi-nor-16m.profile")).replace("name = spi-nor-16m", "name = hasty")
                    .replace("give-up = 60s", "give-up = 2s").replace("windowsize = auto ", "windowsize = 8    ");
            Path prof = Files.writeString(dir.resolve("hasty.profile"), text);
            Boot b = boot(lan.cli(), "--interface", lan.c0(), "--profile", prof.toString(), "--json");
            assertEquals(Main.EXIT_FAILED, b.exit(), b.err());
            JsonNode j = b.json();
            assertEquals("dhcp", j.get("stage").asText());
            assertEquals(1468, j.get("blockSize").asInt());
            assertEquals(8, j.get("windowSize").asInt());
            assertEquals("none", j.get("flashTiming").asText());
        }
    }

    @Test
    void missingInterfaceAndMissingPrivilegeAreOneLineUsageErrors() throws Exception {
        try (HostNet net = new HostNet()) {
            Boot missing = boot(List.of(), "--interface", net.name("zz"));
            assertEquals(Main.EXIT_USAGE, missing.exit());
            assertEquals("netboot: no interface named " + net.name("zz") + "\n", missing.err());

            String cli = net.netns("cli");
            String c0 = net.name("c0");
            net.veth(c0, BOARD_MAC, cli, net.name("s0"), null, cli);
            // Root without CAP_NET_RAW, as an unprivileged user would be.
            Boot denied = boot(List.of("ip", "netns", "exec", cli, "setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw"),
                    "--interface", c0);
            assertEquals(Main.EXIT_USAGE, denied.exit());
            assertEquals("netboot: raw sockets need root or CAP_NET_RAW (opening " + c0 + ")\n", denied.err());
        }
    }
}
