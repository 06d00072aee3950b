package dev.netboot.emulator;

import dev.netboot.device.ConfigException;
import dev.netboot.device.ConfigText;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
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
 * [tftp]      timeout, max-timeout (0: a fixed wait), retries, served-file, max-transfers (0: no limit), when-full (wait | drop | busy),
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
 * <p>A value that cannot work is an error at its key's line, with the command line's limits where it has the same
 * option ({@link ScenarioValues}). The sections with readers of their own: {@code [faults]} ({@link ScenarioFaults}),
 * {@code [server]} and {@code [bootp]} ({@link ScenarioServer}, whose addresses left out follow the server's, and which
 * checks the pools), {@code [relay]} ({@link ScenarioRelay}), {@code [dhcp]} ({@link ScenarioDhcp}) and the neighbours
 * ({@link ScenarioNeighbours}).
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

    /**
     * Loads a scenario file for boards with the MACs {@code firstBoard}, the next, ..., {@code boards} in all (a boot's
     * one, a fleet's boards): a machine of the scenario with one of them is refused at its key.
     *
     * @throws ConfigException when the file is unreadable, a field is wrong, or a machine has a board's MAC
     */
    public static Scenario load(Path file, MacAddress firstBoard, int boards) {
        ConfigText c = ConfigText.load(file);
        Scenario sc = parse(c);
        ScenarioBoardMacs.check(c, sc, firstBoard, boards);
        return sc;
    }

    /** Parses scenario text; {@code source} names it in messages. */
    public static Scenario parse(String text, String source) {
        return parse(ConfigText.parse(text, source));
    }

    private static Scenario parse(ConfigText c) {
        if (c.has("board")) {
            // A device profile given where a scenario goes: said at once, not at its first key a scenario's section lacks.
            throw c.error("a device profile, not an emulator scenario (it has [board]; give it with --profile)");
        }
        Scenario d = Scenario.DEFAULT;
        long seed = d.seed();
        long latency = d.latencyNanos();
        LinkModel link = d.link();
        FaultPlan faults = d.faults();
        long tftpTimeout = d.tftpTimeout();
        int tftpRetries = d.tftpRetries();
        long tftpMaxTimeout = d.tftpMaxTimeout();
        String served = d.servedFile();
        FleetSettings fleet = d.fleet();

        var emulator = c.optionalSection("emulator");
        if (emulator.isPresent()) {
            var s = emulator.get();
            seed = s.optional("seed").map(v -> v.asLong(Long.MIN_VALUE, Long.MAX_VALUE)).orElse(seed);
            s.finish();
        }
        var segment = c.optionalSection("segment");
        if (segment.isPresent()) {
            var s = segment.get();
            latency = s.optional("latency").map(v -> ScenarioValues.time(v, ScenarioValues.MAX_LATENCY, "5s, one way: --rtt's 10s"))
                    .orElse(latency);
            long bps = s.optional("bandwidth").map(ScenarioValues::rate).orElse(link.bitsPerSecond());
            int txQueue = s.optional("tx-queue").map(v -> v.asInt(1, 1 << 20)).orElse(link.txQueue());
            link = new LinkModel(bps, txQueue);
            fleet = fleet.withSwitched(s.optional("switch").map(ConfigText.Value::asBoolean).orElse(fleet.switched()));
            s.finish();
        }
        var f = c.optionalSection("faults");
        if (f.isPresent()) {
            faults = ScenarioFaults.read(f.get(), faults);
        }
        ScenarioServer.Read server = ScenarioServer.read(c, fleet.poolSize());
        fleet = fleet.withPoolSize(server.poolSize());
        TftpQuirks quirks = d.tftpQuirks();
        var tftp = c.optionalSection("tftp");
        if (tftp.isPresent()) {
            var s = tftp.get();
            var timeout = s.optional("timeout");
            tftpTimeout = timeout.map(ConfigText.Value::asDuration).orElse(tftpTimeout);
            if (timeout.isPresent() && tftpTimeout <= 0) {
                throw ScenarioValues.at(timeout, "(expected: more than 0)");
            }
            if (timeout.isPresent() && tftpTimeout > ScenarioValues.MAX_FAULT_TIME) {
                throw ScenarioValues.at(timeout, "is out of range (expected: more than 0, at most " + ScenarioValues.MAX_FAULT_TIME_TEXT + ")");
            }
            tftpMaxTimeout = longestWait(s, tftpTimeout, timeout, tftpMaxTimeout);
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
            var said = s.optional("multicast").map(ConfigText.Value::asBoolean);
            boolean on = said.orElse(fleet.multicast() != null);
            var group = s.optional("multicast-group");
            Ipv4Address first = group.map(ConfigText.Value::asIpv4).orElse(m.firstGroup());
            int groups = s.optional("multicast-groups").map(v -> v.asInt(1, 256)).orElse(m.groups());
            int port = s.optional("multicast-port").map(v -> v.asInt(1, 65535)).orElse(m.port());
            try {
                Scenario.Multicast offered = on ? new Scenario.Multicast(first, groups, port) : null;
                fleet = said.orElse(false) ? fleet.withMulticastSaid(offered) : fleet.withMulticast(offered);
            } catch (IllegalArgumentException e) {
                throw group.isPresent() ? group.get().error(e.getMessage()) : s.error(e.getMessage());
            }
            s.finish();
        }
        Scenario.Relay relay = null;
        var r = c.optionalSection("relay");
        if (r.isPresent()) {
            relay = ScenarioRelay.read(r.get(), server.address(), server.netmask(), server.mac());
        }
        ScenarioServer.checkPools(c, server, relay, r);
        DhcpSettings dhcp = c.optionalSection("dhcp").map(ScenarioDhcp::read).orElse(d.dhcp());
        Neighbours neighbours = ScenarioNeighbours.read(c, server);
        List<Scenario.TftpHost> hosts = new ArrayList<>();
        for (ConfigText.Section s : c.namedSections("tftp-server")) {
            var mac = ScenarioNeighbours.mac(s, server);
            Ipv4Address address = ScenarioNeighbours.address(s, server);
            s.finish();
            hosts.add(new Scenario.TftpHost(s.name().orElseThrow(), mac, address));
        }
        fleet = fleet.withTftpHosts(hosts);
        c.finish();
        Scenario sc;
        try {
            sc = new Scenario(seed, latency, faults, server.mac(), server.address(), server.netmask(), server.router(), server.dns(),
                    server.client(), server.bootFile(), server.announce(), server.tftpServer(), tftpTimeout, tftpRetries, tftpMaxTimeout, served, relay,
                    link, dhcp, neighbours, quirks, fleet);
        } catch (IllegalArgumentException e) {
            // The file's name already says it is the scenario: "bad.scenario: client 10.0.0.1 is ...", not "scenario: " twice.
            throw c.error(e.getMessage().startsWith("scenario: ") ? e.getMessage().substring("scenario: ".length()) : e.getMessage());
        }
        ScenarioServer.checkReplies(c, server, sc);
        return sc;
    }

    /**
     * Reads {@code [tftp] max-timeout}, the server's longest wait ({@link TftpServerConfig#maxTimeout()}): 0 for a fixed
     * wait, else at least the section's {@code timeout} ({@code timeoutKey}, or the default) and no more than a timeout
     * may be; {@code unsaid} when left out.
     */
    private static long longestWait(ConfigText.Section s, long timeout, Optional<ConfigText.Value> timeoutKey, long unsaid) {
        var key = s.optional("max-timeout");
        if (key.isEmpty()) {
            return unsaid;
        }
        long longest = key.get().asDuration();
        if (longest > ScenarioValues.MAX_FAULT_TIME) {
            throw ScenarioValues.at(key, "is out of range (expected: 0s for a fixed wait, or at least timeout, at most "
                    + ScenarioValues.MAX_FAULT_TIME_TEXT + ")");
        }
        if (longest > 0 && longest < timeout) {
            String shown = timeoutKey.map(ConfigText.Value::text).orElse(timeout / 1_000_000_000L + "s, the default");
            throw ScenarioValues.at(key, "is shorter than timeout " + shown + " (expected: 0s for a fixed wait, or at least timeout)");
        }
        return longest;
    }

    /** The longest {@code [tftp] error-text}, as {@link TftpQuirks} takes it. */
    private static final int MAX_ERROR_TEXT = 200;

    /** Reads the misbehaviour keys of {@code [tftp]} ({@link TftpQuirks}); all optional, well-behaved by default. */
    private static TftpQuirks quirks(ConfigText.Section s) {
        TftpQuirks d = TftpQuirks.NONE;
        boolean wrap = s.optional("wrap-to-one").map(ConfigText.Value::asBoolean).orElse(d.wrapToOne());
        boolean twice = s.optional("send-twice").map(ConfigText.Value::asBoolean).orElse(d.sendTwice());
        boolean shuffle = s.optional("shuffle-windows").map(ConfigText.Value::asBoolean).orElse(d.shuffle());
        double junk = s.optional("junk").map(ScenarioValues::probability).orElse(d.junk());
        double stranger = s.optional("stranger").map(ScenarioValues::probability).orElse(d.stranger());
        TftpQuirks.Oack oack = s.optional("oack")
                .map(v -> TftpQuirks.Oack.valueOf(v.asOneOf("none", "range", "number", "unasked").toUpperCase(Locale.ROOT)))
                .orElse(d.oack());
        double oversize = s.optional("oversize").map(ScenarioValues::probability).orElse(d.oversize());
        long lie = s.optional("tsize-lie").map(v -> v.asLong(-(1L << 40), 1L << 40)).orElse(d.tsizeLie());
        long stopAfter = s.optional("stop-after").map(v -> v.asLong(0, Long.MAX_VALUE)).orElse(d.stopAfter());
        long errorAfter = s.optional("error-after").map(v -> v.asLong(0, Long.MAX_VALUE)).orElse(d.errorAfter());
        var textValue = s.optional("error-text");
        String text = textValue.map(ConfigText.Value::asString).orElse(d.errorText());
        if (text.length() > MAX_ERROR_TEXT) {
            // Said here, in the key's words: the record's own check names every quirk's value, none of them the text.
            throw textValue.orElseThrow().error(text.length() + " characters (expected: at most " + MAX_ERROR_TEXT + ")");
        }
        boolean noNul = s.optional("error-without-nul").map(ConfigText.Value::asBoolean).orElse(d.errorWithoutNul());
        boolean sorcerer = s.optional("sorcerers-apprentice").map(ConfigText.Value::asBoolean).orElse(d.sorcerersApprentice());
        long stallAt = s.optional("stall-at").map(v -> v.asLong(0, Long.MAX_VALUE)).orElse(d.stallAt());
        long stall = s.optional("stall").map(ScenarioValues::faultTime).orElse(d.stall());
        boolean restart = s.optional("restart-windows").map(ConfigText.Value::asBoolean).orElse(d.restartWindows());
        try {
            return new TftpQuirks(wrap, twice, shuffle, junk, stranger, oack, oversize, lie, stopAfter, errorAfter, text, noNul, sorcerer,
                    stallAt, stall, restart);
        } catch (IllegalArgumentException e) {
            throw textValue.isPresent() ? textValue.get().error(e.getMessage()) : s.error(e.getMessage());
        }
    }
}
