package dev.netboot.emulator;

import dev.netboot.device.ConfigException;
import dev.netboot.device.ConfigText;
import dev.netboot.wire.Ipv4Address;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads an emulator scenario file ({@code emulator/*.scenario}) into a {@link Scenario}. Same format
 * as the device profiles ({@link ConfigText}); every section and key is optional and falls back to
 * {@link Scenario#DEFAULT}, and an unknown one is an error naming file, line and key.
 *
 * <pre>
 * [emulator]  seed
 * [segment]   latency, bandwidth (100Mbit, 1Gbit, 0 for infinite), tx-queue (frames), switch (yes | no)
 * [faults]    loss, duplicate, max-queue, reorder, reorder-delay, jitter, corrupt, tamper, link-down-at, link-down-for;
 *             background traffic: broadcasts, arp-chatter, udp-noise (frames per second), flood (frames), flood-at,
 *             flood-rate (frames per second)
 * [server]    mac, address, netmask, router, dns (comma-separated)
 * [bootp]     client-address, pool-size, boot-file, announce (header | options | both | none), tftp-server
 * [tftp]      timeout, retries, served-file, max-transfers (0: no limit), when-full (wait | drop | busy),
 *             request-queue, multicast (yes | no), multicast-group, multicast-groups, multicast-port;
 *             misbehaviour ({@link TftpQuirks}): wrap-to-one, send-twice,
 *             shuffle-windows (yes | no), junk, stranger, oversize (probabilities), oack (none | range | number | unasked),
 *             tsize-lie (bytes, signed), stop-after, error-after (blocks), error-text, error-without-nul and
 *             sorcerers-apprentice (yes | no),
 *             stall-at (a block), stall (a duration); restart-windows (yes | no: RFC 7440's plain recovery)
 * [dhcp]      answers (dhcp | bootp | both), lease-time, renewal-time, rebinding-time, offer-delay, max-message,
 *             tftp-servers-option (yes | no), renewals (answer | ignore | rebind | nak)
 * [relay]     client-subnet (a.b.c.d/len), router-client-address, router-server-address, router-mac-client,
 *             router-mac-server, client-address, max-hops
 * [dhcp-server NAME]  mac, address, pool-start, boot-file, offer-delay, rogue ({@link RogueDhcp}): another DHCP server
 *                     on the segment
 * [proxy-dhcp]        mac, address, boot-file, tftp-server, file-in-offer (yes | no): a ProxyDHCP server
 * [host NAME]         mac, address: a host that answers ARP and ping
 * [tftp-server NAME]  mac, address: another TFTP server; the DHCP server names the TFTP servers in turn
 * </pre>
 *
 * <p>A {@code [relay]} section, even empty, puts the board behind a router and BOOTP relay agent
 * ({@link Scenario.Relay}); its keys default to {@link Scenario.Relay#DEFAULT}, except that
 * router-client-address and client-address default to hosts .1 and .42 of a client-subnet given
 * without them.
 */
public final class ScenarioFile {
    private ScenarioFile() {
    }

    /**
     * Loads a scenario file.
     *
     * @throws ConfigException when the file is unreadable or a field is wrong
     */
    public static Scenario load(Path file) {
        return parse(ConfigText.load(file));
    }

    /** Parses scenario text; {@code source} names it in messages. */
    public static Scenario parse(String text, String source) {
        return parse(ConfigText.parse(text, source));
    }

    private static Scenario parse(ConfigText c) {
        Scenario d = Scenario.DEFAULT;
        long seed = d.seed();
        long latency = d.latencyNanos();
        LinkModel link = d.link();
        FaultPlan faults = d.faults();
        var serverMac = d.serverMac();
        Ipv4Address serverIp = d.serverIp();
        Ipv4Address netmask = d.netmask();
        Ipv4Address router = d.gateway();
        List<Ipv4Address> dns = d.dns();
        Ipv4Address client = d.clientIp();
        String bootFile = d.bootFile();
        BootpServerConfig.Announce announce = d.announce();
        Ipv4Address tftpServer = d.tftpServer();
        long tftpTimeout = d.tftpTimeout();
        int tftpRetries = d.tftpRetries();
        String served = d.servedFile();
        Scenario.Fleet fleet = d.fleet();

        var emulator = c.optionalSection("emulator");
        if (emulator.isPresent()) {
            var s = emulator.get();
            seed = s.optional("seed").map(v -> v.asLong(Long.MIN_VALUE, Long.MAX_VALUE)).orElse(seed);
            s.finish();
        }
        var segment = c.optionalSection("segment");
        if (segment.isPresent()) {
            var s = segment.get();
            latency = s.optional("latency").map(ConfigText.Value::asDuration).orElse(latency);
            long bps = s.optional("bandwidth").map(ScenarioFile::rate).orElse(link.bitsPerSecond());
            int txQueue = s.optional("tx-queue").map(v -> v.asInt(1, 1 << 20)).orElse(link.txQueue());
            link = new LinkModel(bps, txQueue);
            fleet = fleet.withSwitched(s.optional("switch").map(ConfigText.Value::asBoolean).orElse(fleet.switched()));
            s.finish();
        }
        var f = c.optionalSection("faults");
        if (f.isPresent()) {
            var s = f.get();
            double loss = s.optional("loss").map(ScenarioFile::probability).orElse(faults.loss());
            double dup = s.optional("duplicate").map(ScenarioFile::probability).orElse(faults.duplicate());
            int maxQueue = s.optional("max-queue").map(v -> v.asInt(0, 1 << 20)).orElse(faults.maxQueue());
            double reorder = s.optional("reorder").map(ScenarioFile::probability).orElse(faults.reorder());
            long reorderDelay = s.optional("reorder-delay").map(ConfigText.Value::asDuration).orElse(faults.reorderDelay());
            long jitter = s.optional("jitter").map(ConfigText.Value::asDuration).orElse(faults.jitter());
            double corrupt = s.optional("corrupt").map(ScenarioFile::probability).orElse(faults.corrupt());
            double tamper = s.optional("tamper").map(ScenarioFile::probability).orElse(faults.tamper());
            long downAt = s.optional("link-down-at").map(ConfigText.Value::asDuration).orElse(faults.linkDownAt());
            long downFor = s.optional("link-down-for").map(ConfigText.Value::asDuration).orElse(faults.linkDownFor());
            Background bg = faults.background();
            double broadcasts = s.optional("broadcasts").map(ScenarioFile::perSecond).orElse(bg.broadcasts());
            double arp = s.optional("arp-chatter").map(ScenarioFile::perSecond).orElse(bg.arpChatter());
            double udp = s.optional("udp-noise").map(ScenarioFile::perSecond).orElse(bg.udpNoise());
            long flood = s.optional("flood").map(v -> v.asLong(0, 100_000_000)).orElse(bg.flood());
            long floodAt = s.optional("flood-at").map(ConfigText.Value::asDuration).orElse(bg.floodAt());
            long floodRate = s.optional("flood-rate").map(v -> v.asLong(1, 100_000_000)).orElse(bg.floodRate());
            try {
                faults = new FaultPlan(loss, dup, maxQueue, reorder, reorderDelay, jitter, corrupt, tamper, downAt, downFor,
                        new Background(broadcasts, arp, udp, flood, floodAt, floodRate));
            } catch (IllegalArgumentException e) {
                throw s.error(e.getMessage());
            }
            s.finish();
        }
        var server = c.optionalSection("server");
        if (server.isPresent()) {
            var s = server.get();
            serverMac = s.optional("mac").map(ConfigText.Value::asUnicastMac).orElse(serverMac);
            serverIp = s.optional("address").map(ConfigText.Value::asIpv4).orElse(serverIp);
            var mask = s.optional("netmask");
            netmask = mask.map(ConfigText.Value::asIpv4).orElse(netmask);
            if (mask.isPresent() && netmask.prefixLength() < 0) {
                throw at(mask, "is not contiguous (expected: ones then zeros, like 255.255.255.0)");
            }
            router = s.optional("router").map(ConfigText.Value::asIpv4).orElse(router);
            var dnsValue = s.optional("dns");
            if (dnsValue.isPresent()) {
                List<Ipv4Address> list = new ArrayList<>();
                for (String part : dnsValue.get().asString().split(",")) {
                    try {
                        list.add(Ipv4Address.parse(part));
                    } catch (IllegalArgumentException e) {
                        throw dnsValue.get().error("'" + part.trim() + "' is not an IPv4 address (expected: addresses separated by commas)");
                    }
                }
                dns = list;
            }
            s.finish();
        }
        var bootp = c.optionalSection("bootp");
        if (bootp.isPresent()) {
            var s = bootp.get();
            client = s.optional("client-address").map(ConfigText.Value::asIpv4).orElse(client);
            fleet = fleet.withPoolSize(s.optional("pool-size").map(v -> v.asInt(1, 1 << 20)).orElse(fleet.poolSize()));
            bootFile = s.optional("boot-file").map(ConfigText.Value::asString).orElse(bootFile);
            announce = s.optional("announce")
                    .map(v -> BootpServerConfig.Announce.valueOf(v.asOneOf("header", "options", "both", "none").toUpperCase(Locale.ROOT)))
                    .orElse(announce);
            tftpServer = s.optional("tftp-server").map(ConfigText.Value::asIpv4).orElse(tftpServer);
            s.finish();
        }
        TftpQuirks quirks = d.tftpQuirks();
        var tftp = c.optionalSection("tftp");
        if (tftp.isPresent()) {
            var s = tftp.get();
            var timeout = s.optional("timeout");
            tftpTimeout = timeout.map(ConfigText.Value::asDuration).orElse(tftpTimeout);
            if (timeout.isPresent() && tftpTimeout <= 0) {
                throw at(timeout, "(expected: more than 0)");
            }
            tftpRetries = s.optional("retries").map(v -> v.asInt(0, 1000)).orElse(tftpRetries);
            served = s.optional("served-file").map(ConfigText.Value::asString).orElse(served);
            quirks = quirks(s);
            TftpServerLimits l = fleet.tftpLimits();
            int max = s.optional("max-transfers").map(v -> v.asInt(0, 1 << 20)).orElse(l.maxTransfers());
            TftpServerLimits.WhenFull full = s.optional("when-full")
                    .map(v -> TftpServerLimits.WhenFull.valueOf(v.asOneOf("wait", "drop", "busy").toUpperCase(Locale.ROOT)))
                    .orElse(l.whenFull());
            int queue = s.optional("request-queue").map(v -> v.asInt(0, 1 << 20)).orElse(l.requestQueue());
            fleet = fleet.withTftpLimits(new TftpServerLimits(max, full, queue));
            Scenario.Multicast m = fleet.multicast() == null ? Scenario.Multicast.DEFAULT : fleet.multicast();
            boolean on = s.optional("multicast").map(ConfigText.Value::asBoolean).orElse(fleet.multicast() != null);
            var group = s.optional("multicast-group");
            Ipv4Address first = group.map(ConfigText.Value::asIpv4).orElse(m.firstGroup());
            int groups = s.optional("multicast-groups").map(v -> v.asInt(1, 256)).orElse(m.groups());
            int port = s.optional("multicast-port").map(v -> v.asInt(1, 65535)).orElse(m.port());
            try {
                fleet = fleet.withMulticast(on ? new Scenario.Multicast(first, groups, port) : null);
            } catch (IllegalArgumentException e) {
                throw group.isPresent() ? group.get().error(e.getMessage()) : s.error(e.getMessage());
            }
            s.finish();
        }
        Scenario.Relay relay = null;
        var r = c.optionalSection("relay");
        if (r.isPresent()) {
            relay = relay(r.get());
        }
        DhcpSettings dhcp = c.optionalSection("dhcp").map(ScenarioFile::dhcp).orElse(d.dhcp());
        Neighbours neighbours = neighbours(c, tftpServer);
        List<Scenario.TftpHost> hosts = new ArrayList<>();
        for (ConfigText.Section s : c.namedSections("tftp-server")) {
            var mac = s.require("mac").asUnicastMac();
            Ipv4Address address = s.require("address").asIpv4();
            s.finish();
            hosts.add(new Scenario.TftpHost(s.name().orElseThrow(), mac, address));
        }
        fleet = fleet.withTftpHosts(hosts);
        c.finish();
        try {
            return new Scenario(seed, latency, faults, serverMac, serverIp, netmask, router, dns, client, bootFile, announce,
                    tftpServer, tftpTimeout, tftpRetries, served, relay, link, dhcp, neighbours, quirks, fleet);
        } catch (IllegalArgumentException e) {
            // The file's name already says it is the scenario: "bad.scenario: client 10.0.0.1 is ...", not "scenario: " twice.
            throw c.error(e.getMessage().startsWith("scenario: ") ? e.getMessage().substring("scenario: ".length()) : e.getMessage());
        }
    }

    /** Reads the misbehaviour keys of {@code [tftp]} ({@link TftpQuirks}); all optional, well-behaved by default. */
    private static TftpQuirks quirks(ConfigText.Section s) {
        TftpQuirks d = TftpQuirks.NONE;
        boolean wrap = s.optional("wrap-to-one").map(ConfigText.Value::asBoolean).orElse(d.wrapToOne());
        boolean twice = s.optional("send-twice").map(ConfigText.Value::asBoolean).orElse(d.sendTwice());
        boolean shuffle = s.optional("shuffle-windows").map(ConfigText.Value::asBoolean).orElse(d.shuffle());
        double junk = s.optional("junk").map(ScenarioFile::probability).orElse(d.junk());
        double stranger = s.optional("stranger").map(ScenarioFile::probability).orElse(d.stranger());
        TftpQuirks.Oack oack = s.optional("oack")
                .map(v -> TftpQuirks.Oack.valueOf(v.asOneOf("none", "range", "number", "unasked").toUpperCase(Locale.ROOT)))
                .orElse(d.oack());
        double oversize = s.optional("oversize").map(ScenarioFile::probability).orElse(d.oversize());
        long lie = s.optional("tsize-lie").map(v -> v.asLong(-(1L << 40), 1L << 40)).orElse(d.tsizeLie());
        long stopAfter = s.optional("stop-after").map(v -> v.asLong(0, Long.MAX_VALUE)).orElse(d.stopAfter());
        long errorAfter = s.optional("error-after").map(v -> v.asLong(0, Long.MAX_VALUE)).orElse(d.errorAfter());
        var textValue = s.optional("error-text");
        String text = textValue.map(ConfigText.Value::asString).orElse(d.errorText());
        boolean noNul = s.optional("error-without-nul").map(ConfigText.Value::asBoolean).orElse(d.errorWithoutNul());
        boolean sorcerer = s.optional("sorcerers-apprentice").map(ConfigText.Value::asBoolean).orElse(d.sorcerersApprentice());
        long stallAt = s.optional("stall-at").map(v -> v.asLong(0, Long.MAX_VALUE)).orElse(d.stallAt());
        long stall = s.optional("stall").map(ConfigText.Value::asDuration).orElse(d.stall());
        boolean restart = s.optional("restart-windows").map(ConfigText.Value::asBoolean).orElse(d.restartWindows());
        try {
            return new TftpQuirks(wrap, twice, shuffle, junk, stranger, oack, oversize, lie, stopAfter, errorAfter, text, noNul, sorcerer,
                    stallAt, stall, restart);
        } catch (IllegalArgumentException e) {
            throw textValue.isPresent() ? textValue.get().error(e.getMessage()) : s.error(e.getMessage());
        }
    }

    private static Scenario.Relay relay(ConfigText.Section s) {
        Scenario.Relay d = Scenario.Relay.DEFAULT;
        Ipv4Address subnet = d.clientSubnet();
        Ipv4Address mask = d.clientNetmask();
        Ipv4Address routerClient = d.routerClientIp();
        Ipv4Address client = d.clientIp();
        var cidr = s.optional("client-subnet");
        if (cidr.isPresent()) {
            ConfigText.Value v = cidr.get();
            String[] parts = v.asString().split("/", -1);
            int prefix;
            try {
                if (parts.length != 2) {
                    throw new IllegalArgumentException("no '/'");
                }
                subnet = Ipv4Address.parse(parts[0]);
                prefix = Integer.parseInt(parts[1].trim());
            } catch (IllegalArgumentException e) {
                throw v.error("'" + v.asString() + "' is not a subnet (expected: address/prefix length, like 10.0.1.0/24)");
            }
            if (prefix < 1 || prefix > 30) {
                throw v.error("prefix length " + prefix + " (expected: 1..30)");
            }
            mask = new Ipv4Address((int) (0xFFFF_FFFFL << (32 - prefix)));
            routerClient = new Ipv4Address(subnet.value() + 1);
            client = new Ipv4Address(subnet.value() + 42);
        }
        routerClient = s.optional("router-client-address").map(ConfigText.Value::asIpv4).orElse(routerClient);
        var routerClientMac = s.optional("router-mac-client").map(ConfigText.Value::asUnicastMac).orElse(d.routerClientMac());
        Ipv4Address routerServer = s.optional("router-server-address").map(ConfigText.Value::asIpv4).orElse(d.routerServerIp());
        var routerServerMac = s.optional("router-mac-server").map(ConfigText.Value::asUnicastMac).orElse(d.routerServerMac());
        client = s.optional("client-address").map(ConfigText.Value::asIpv4).orElse(client);
        int maxHops = s.optional("max-hops").map(v -> v.asInt(0, Router.MAX_HOPS_LIMIT)).orElse(d.maxHops());
        s.finish();
        try {
            return new Scenario.Relay(subnet, mask, routerClient, routerClientMac, routerServer, routerServerMac, client, maxHops);
        } catch (IllegalArgumentException e) {
            throw s.error(e.getMessage());
        }
    }

    private static DhcpSettings dhcp(ConfigText.Section s) {
        DhcpSettings d = DhcpSettings.DEFAULTS;
        DhcpSettings.Answers answers = s.optional("answers")
                .map(v -> DhcpSettings.Answers.valueOf(v.asOneOf("dhcp", "bootp", "both").toUpperCase(Locale.ROOT)))
                .orElse(d.answers());
        var leaseKey = s.optional("lease-time");
        var t1Key = s.optional("renewal-time");
        var t2Key = s.optional("rebinding-time");
        long lease = leaseKey.map(ScenarioFile::seconds).orElse(d.leaseSeconds());
        long t1 = t1Key.map(ScenarioFile::seconds).orElse(-1L);
        long t2 = t2Key.map(ScenarioFile::seconds).orElse(-1L);
        // RFC 2131 4.4.5: T1 <= T2 <= the lease; each reported at its key, naming the one it contradicts.
        String leaseShown = leaseKey.map(ConfigText.Value::text).orElse(lease + "s, the default");
        if (t1 > lease) {
            throw at(t1Key, "is longer than lease-time " + leaseShown + " (expected: at most lease-time)");
        }
        if (t2 > lease) {
            throw at(t2Key, "is longer than lease-time " + leaseShown + " (expected: at most lease-time)");
        }
        if (t1 >= 0 && t2 >= 0 && t1 > t2) {
            throw at(t2Key, "is shorter than renewal-time " + t1Key.orElseThrow().text() + " (expected: at least renewal-time)");
        }
        long delay = s.optional("offer-delay").map(ConfigText.Value::asDuration).orElse(d.offerDelay());
        var maxKey = s.optional("max-message");
        int maxMessage = maxKey.map(v -> v.asInt(0, 1500)).orElse(d.maxMessage());
        if (maxMessage != 0 && maxMessage < 576) {
            // RFC 2131 section 2: a DHCP client must be able to receive a message of up to 576 bytes.
            throw at(maxKey, "is out of range (expected: 0, or 576..1500)");
        }
        boolean option150 = s.optional("tftp-servers-option").map(ConfigText.Value::asBoolean).orElse(d.tftpServersOption());
        DhcpSettings.Renewals renewals = s.optional("renewals")
                .map(v -> DhcpSettings.Renewals.valueOf(v.asOneOf("answer", "ignore", "rebind", "nak").toUpperCase(Locale.ROOT)))
                .orElse(d.renewals());
        s.finish();
        try {
            return new DhcpSettings(answers, lease, t1, t2, delay, maxMessage, option150, renewals);
        } catch (IllegalArgumentException e) {
            throw s.error(e.getMessage());
        }
    }

    /** Returns an error at {@code key}'s line quoting its value: {@code "t.scenario:3: [dhcp] rebinding-time: '30s' problem"}. */
    private static ConfigException at(Optional<ConfigText.Value> key, String problem) {
        ConfigText.Value v = key.orElseThrow();
        return v.error("'" + v.text() + "' " + problem);
    }

    /** Reads a duration that must be whole seconds (lease times are seconds on the wire). */
    private static long seconds(ConfigText.Value v) {
        long ns = v.asDuration();
        if (ns <= 0 || ns % 1_000_000_000L != 0) {
            throw v.error("'" + v.text() + "' (expected: a whole number of seconds, like 120s or 2min)");
        }
        return ns / 1_000_000_000L;
    }

    private static Neighbours neighbours(ConfigText c, Ipv4Address tftpServer) {
        List<Neighbours.Server> servers = new ArrayList<>();
        for (ConfigText.Section s : c.namedSections("dhcp-server")) {
            var mac = s.require("mac").asMac();
            Ipv4Address address = s.require("address").asIpv4();
            Ipv4Address pool = s.require("pool-start").asIpv4();
            String file = s.optional("boot-file").map(ConfigText.Value::asString).orElse("");
            long delay = s.optional("offer-delay").map(ConfigText.Value::asDuration).orElse(0L);
            RogueDhcp rogue = s.optional("rogue").map(ScenarioFile::rogue).orElse(RogueDhcp.NONE);
            s.finish();
            servers.add(new Neighbours.Server(s.name().orElseThrow(), mac, address, pool, file, delay, rogue));
        }
        Neighbours.Proxy proxy = null;
        var p = c.optionalSection("proxy-dhcp");
        if (p.isPresent()) {
            var s = p.get();
            var mac = s.require("mac").asMac();
            Ipv4Address address = s.require("address").asIpv4();
            String file = s.require("boot-file").asString();
            Ipv4Address server = s.optional("tftp-server").map(ConfigText.Value::asIpv4).orElse(tftpServer);
            boolean inOffer = s.optional("file-in-offer").map(ConfigText.Value::asBoolean).orElse(true);
            s.finish();
            try {
                proxy = new Neighbours.Proxy(mac, address, file, server, inOffer);
            } catch (IllegalArgumentException e) {
                throw s.error(e.getMessage());
            }
        }
        List<Neighbours.Host> hosts = new ArrayList<>();
        for (ConfigText.Section s : c.namedSections("host")) {
            var mac = s.require("mac").asMac();
            Ipv4Address address = s.require("address").asIpv4();
            s.finish();
            hosts.add(new Neighbours.Host(s.name().orElseThrow(), mac, address));
        }
        try {
            return new Neighbours(servers, proxy, hosts);
        } catch (IllegalArgumentException e) {
            throw c.error(e.getMessage());
        }
    }

    private static long rate(ConfigText.Value v) {
        try {
            return LinkModel.parseRate(v.asString());
        } catch (IllegalArgumentException e) {
            throw v.error(e.getMessage());
        }
    }

    private static RogueDhcp rogue(ConfigText.Value v) {
        try {
            return RogueDhcp.parse(v.asString());
        } catch (IllegalArgumentException e) {
            throw v.error("'" + v.asString() + "' (expected: none, wrong-xid, wrong-chaddr, bad-length or bad-values)");
        }
    }

    /** Returns frames per second: a number 0..1000000. */
    private static double perSecond(ConfigText.Value v) {
        double r;
        try {
            r = Double.parseDouble(v.asString());
        } catch (NumberFormatException e) {
            throw v.error("'" + v.asString() + "' is not a number (expected: frames per second, like 20)");
        }
        if (!(r >= 0 && r <= 1e6)) {
            throw v.error(v.asString() + " is out of range (expected: 0..1000000 frames per second)");
        }
        return r;
    }

    private static double probability(ConfigText.Value v) {
        double p;
        try {
            p = Double.parseDouble(v.asString());
        } catch (NumberFormatException e) {
            throw v.error("'" + v.asString() + "' is not a number (expected: a probability 0..1, like 0.05)");
        }
        if (!(p >= 0 && p <= 1)) {
            throw v.error(v.asString() + " is out of range (expected: a probability 0..1)");
        }
        return p;
    }
}
