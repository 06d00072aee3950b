package dev.netboot.emulator;

import dev.netboot.device.ConfigText;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a scenario's {@code [server]} and {@code [bootp]} sections: the server host, and what its DHCP/BOOTP server hands
 * out. Every address is checked at its key's line against the subnet it must lie in; the pools, once the {@code [relay]}
 * is known too ({@link #checkPools}).
 *
 * <p>Left out, the addresses follow the server's: {@code router}, {@code dns} and {@code tftp-server} are the server's
 * own address, and {@code client-address} is host 42 of the server's subnet (10.0.0.42 for 10.0.0.1/24), or its lowest
 * host address besides the server's in a subnet without a host 42. So moving {@code address} (and {@code netmask})
 * moves the whole network.
 */
final class ScenarioServer {
    private ScenarioServer() {
    }

    /**
     * What the two sections say, with the keys that said it (empty: the default), for the checks that need the whole file.
     *
     * @param mac        the server's MAC
     * @param address    the server's address
     * @param netmask    its subnet's mask
     * @param router     option 3, and the server's gateway without a relay
     * @param dns        option 6
     * @param client     the pool's first address
     * @param poolSize   the pool's size
     * @param bootFile   the boot file announced
     * @param announce   where server and file are announced
     * @param tftpServer the boot server announced
     * @param addressKey {@code [server] address}
     * @param routerKey  {@code [server] router}
     * @param dnsKey     {@code [server] dns}
     * @param clientKey  {@code [bootp] client-address}
     * @param poolKey    {@code [bootp] pool-size}
     * @param fileKey    {@code [bootp] boot-file}
     */
    record Read(MacAddress mac, Ipv4Address address, Ipv4Address netmask, Ipv4Address router, List<Ipv4Address> dns,
                Ipv4Address client, int poolSize, String bootFile, BootpServerConfig.Announce announce, Ipv4Address tftpServer,
                Optional<ConfigText.Value> addressKey, Optional<ConfigText.Value> routerKey, Optional<ConfigText.Value> dnsKey,
                Optional<ConfigText.Value> clientKey, Optional<ConfigText.Value> poolKey, Optional<ConfigText.Value> fileKey) {
        String subnet() {
            return "the server's subnet " + address + "/" + netmask.prefixLength();
        }
    }

    /** Returns what {@code [server]} and {@code [bootp]} of {@code c} say; {@code poolSize} is the pool's size without a key. */
    static Read read(ConfigText c, int poolSize) {
        Scenario d = Scenario.DEFAULT;
        Optional<ConfigText.Section> server = c.optionalSection("server");
        Optional<ConfigText.Section> bootp = c.optionalSection("bootp");
        Optional<ConfigText.Value> none = Optional.empty();
        MacAddress mac = d.serverMac();
        Ipv4Address serverIp = d.serverIp();
        Ipv4Address netmask = d.netmask();
        Optional<ConfigText.Value> address = none, router = none, dnsKey = none;
        Ipv4Address gateway = null;
        List<Ipv4Address> dns = null;
        if (server.isPresent()) {
            var s = server.get();
            mac = s.optional("mac").map(ConfigText.Value::asUnicastMac).orElse(mac);
            address = s.optional("address");
            serverIp = address.map(ConfigText.Value::asIpv4).orElse(serverIp);
            if (address.isPresent() && ScenarioValues.notAMachine(serverIp) != null) {
                throw ScenarioValues.at(address, "is not a host's address: " + ScenarioValues.notAMachine(serverIp)
                        + " (expected: a unicast address, like 10.0.0.1)");
            }
            var mask = s.optional("netmask");
            netmask = mask.map(ConfigText.Value::asIpv4).orElse(netmask);
            if (mask.isPresent() && netmask.prefixLength() < 0) {
                throw ScenarioValues.at(mask, "is not contiguous (expected: ones then zeros, like 255.255.255.0)");
            }
            if (mask.isPresent() && netmask.prefixLength() > 30) {
                throw ScenarioValues.at(mask, "leaves no address for a board besides the server (expected: /30 or shorter, like 255.255.255.0)");
            }
            String subnet = "the server's subnet " + serverIp + "/" + netmask.prefixLength();
            int host = serverIp.value() & ~netmask.value();
            if (host == 0 || host == ~netmask.value()) {
                // The address, or the netmask that made it the subnet's network or broadcast address: the later line.
                ConfigText.Value at = address.isEmpty() || (mask.isPresent() && mask.get().line() > address.get().line())
                        ? mask.orElseThrow() : address.get();
                throw ScenarioValues.at(at, "makes the server " + serverIp + " the " + (host == 0 ? "network" : "broadcast")
                        + " address of " + subnet + " (expected: the server on a host address of its subnet)");
            }
            final Ipv4Address net = serverIp;
            final Ipv4Address netMask = netmask;
            router = s.optional("router");
            gateway = router.map(v -> ScenarioValues.hostOf(v, net, netMask, subnet, "a host the boards of that subnet reach"))
                    .orElse(null);
            dnsKey = s.optional("dns");
            if (dnsKey.isPresent()) {
                ConfigText.Value v = dnsKey.get();
                dns = new ArrayList<>();
                for (String part : v.asString().split(",", -1)) {
                    Ipv4Address a;
                    try {
                        a = Ipv4Address.parse(part);
                    } catch (IllegalArgumentException e) {
                        throw v.error("'" + part.trim() + "' is not an IPv4 address (expected: addresses separated by commas)");
                    }
                    dns.add(ScenarioValues.machine(v, a, serverIp, netmask, "name servers' unicast addresses"));
                }
            }
            s.finish();
        }
        Ipv4Address client = defaultClient(serverIp, netmask);
        if (client.notAMachine() != null && !bootp.flatMap(b -> b.optional("client-address")).isPresent()) {
            // Only a netmask far shorter than any LAN's puts host 42 of the server's subnet there (10.0.0.1/4: 0.0.0.42).
            Optional<ConfigText.Value> at = server.flatMap(s -> s.optional("netmask")).or(() -> server.flatMap(s -> s.optional("address")));
            String problem = "puts the pool's first address, " + client + ", where no machine's address is: " + client.notAMachine()
                    + " (expected: a netmask of a LAN, like 255.255.255.0, or a [bootp] client-address)";
            throw at.isPresent() ? ScenarioValues.at(at, problem) : c.error(problem);
        }
        Ipv4Address tftpServer = serverIp;
        String bootFile = d.bootFile();
        BootpServerConfig.Announce announce = d.announce();
        Optional<ConfigText.Value> clientKey = none, poolKey = none, fileKey = none;
        if (bootp.isPresent()) {
            var s = bootp.get();
            clientKey = s.optional("client-address");
            if (clientKey.isPresent()) {
                client = ScenarioValues.hostOf(clientKey.get(), serverIp, netmask, "the server's subnet " + serverIp + "/"
                        + netmask.prefixLength(), "a host address of it, the first of the pool");
                if (client.equals(serverIp)) {
                    throw ScenarioValues.at(clientKey, "is the server's own address (expected: another host address, the first of the pool)");
                }
            }
            poolKey = s.optional("pool-size");
            poolSize = poolKey.map(v -> v.asInt(1, 1 << 20)).orElse(poolSize);
            fileKey = s.optional("boot-file");
            bootFile = fileKey.map(ConfigText.Value::asString).orElse(bootFile);
            if (fileKey.isPresent() && dev.netboot.wire.TftpText.length(bootFile) > 255) {
                throw fileKey.get().error("a name of " + dev.netboot.wire.TftpText.length(bootFile)
                        + " bytes in UTF-8 (expected: at most 255, what option 67 holds)");
            }
            announce = s.optional("announce")
                    .map(v -> BootpServerConfig.Announce.valueOf(v.asOneOf("header", "options", "both", "none").toUpperCase(Locale.ROOT)))
                    .orElse(announce);
            var tftp = s.optional("tftp-server");
            if (tftp.isPresent()) {
                Ipv4Address a = tftp.get().asIpv4();
                // 0.0.0.0 names no boot server (siaddr 0, no option 66): the board asks the DHCP server, as from ISC dhcpd
                // without next-server.
                tftpServer = a.isAny() ? a : ScenarioValues.machine(tftp.get(), a, serverIp, netmask,
                        "a TFTP server's unicast address, or 0.0.0.0 to name none");
            }
            s.finish();
        }
        return new Read(mac, serverIp, netmask, gateway == null ? serverIp : gateway, dns == null ? List.of(serverIp) : dns,
                client, poolSize, bootFile, announce, tftpServer, address, router, dnsKey, clientKey, poolKey, fileKey);
    }

    /**
     * Returns the first address of the pool on the server's subnet when {@code [bootp] client-address} says none: host 42
     * (10.0.0.42 for 10.0.0.1/24), or in a subnet without a host 42 (/27 and longer), its lowest host besides the server.
     */
    static Ipv4Address defaultClient(Ipv4Address serverIp, Ipv4Address netmask) {
        int net = serverIp.value() & netmask.value();
        int hosts = ~netmask.value() - 1; // host numbers 1..hosts
        int first = hosts >= 42 ? 42 : 1;
        Ipv4Address c = new Ipv4Address(net + first);
        return c.equals(serverIp) ? new Ipv4Address(net + first + 1) : c;
    }

    /**
     * Checks the pools against their subnets once the relay is known: a {@code pool-size} given must fit between the
     * first address and the subnet's broadcast address, and no pool may hold an address its server knows is taken (the
     * server's own, its router, the relay's router on either side). The error is at the later of the keys that clash.
     *
     * @param relaySection the {@code [relay]} section, when there is one
     */
    static void checkPools(ConfigText c, Read r, Scenario.Relay relay, Optional<ConfigText.Section> relaySection) {
        List<Taken> taken = new ArrayList<>(List.of(new Taken(r.address(), "the server's own address", r.addressKey())));
        if (!r.router().equals(r.address())) {
            taken.add(new Taken(r.router(), "its router", r.routerKey()));
        }
        if (relay != null) {
            taken.add(new Taken(relay.routerServerIp(), "the relay's router", relaySection.flatMap(s -> s.optional("router-server-address"))));
        }
        check(c, r.client(), r.address(), r.netmask(), r.subnet(), r.clientKey(), r.poolKey(), r.poolSize(), taken);
        if (relay != null) {
            var s = relaySection.orElseThrow();
            check(c, relay.clientIp(), relay.clientSubnet(), relay.clientNetmask(), "the client subnet " + relay.clientSubnet() + "/"
                    + relay.clientNetmask().prefixLength(), s.optional("client-address"), r.poolKey(), r.poolSize(),
                    List.of(new Taken(relay.routerClientIp(), "the relay's router", s.optional("router-client-address"))));
        }
    }

    /**
     * Checks that every DHCP server of {@code sc} can answer a client that takes no more than 576 bytes (RFC 2131 section
     * 2: every client takes that much; most PXE ROMs name no more), its options running on into the file and sname
     * fields (RFC 2131 4.1) where they must: a long list of name servers with a long boot file does not fit. Reported at
     * the later of {@code dns} and {@code boot-file}.
     */
    static void checkReplies(ConfigText c, Read r, Scenario sc) {
        List<Ipv4Address> turn = new ArrayList<>();
        if (!sc.fleet().tftpHosts().isEmpty()) {
            turn.add(sc.tftpServer());
            sc.fleet().tftpHosts().forEach(h -> turn.add(h.address()));
        }
        String who = "the server's";
        try {
            DhcpServer.largestReply(sc.bootpConfig(), sc.dhcp(), turn);
            for (Neighbours.Server n : sc.neighbours().servers()) {
                who = "[dhcp-server " + n.name() + "]'s";
                DhcpServer.largestReply(sc.neighbourConfig(n), DhcpSettings.DEFAULTS, List.of());
            }
        } catch (IllegalArgumentException e) {
            String problem = "make " + who + " DHCPACK too long for the 576 bytes every client takes (RFC 2131 section 2), even"
                    + " with options in the file and sname fields (expected: fewer name servers, or a shorter boot-file)";
            Optional<ConfigText.Value> key = later(r.dnsKey(), r.fileKey());
            if (key.isEmpty()) {
                throw c.error("the name servers and boot file " + problem);
            }
            ConfigText.Value v = key.get();
            throw v.error(v.key().equals("dns") ? r.dns().size() + " addresses " + problem
                    : "a name of " + dev.netboot.wire.TftpText.length(r.bootFile()) + " bytes and " + r.dns().size() + " name servers "
                    + problem);
        }
    }

    /** An address a pool must leave out, what it is, and the key that set it (empty: a default). */
    private record Taken(Ipv4Address address, String what, Optional<ConfigText.Value> key) {
    }

    private static void check(ConfigText c, Ipv4Address first, Ipv4Address net, Ipv4Address mask, String subnet, Optional<ConfigText.Value> firstKey,
                              Optional<ConfigText.Value> poolKey, int size, List<Taken> taken) {
        long lastHost = ((net.value() | ~mask.value()) & 0xFFFF_FFFFL) - 1;
        long from = first.value() & 0xFFFF_FFFFL;
        if (poolKey.isPresent() && from + size - 1 > lastHost) {
            throw ScenarioValues.at(poolKey, "addresses from " + first + " run past " + new Ipv4Address((int) lastHost)
                    + ", the last host of " + subnet + " (expected: at most " + (lastHost - from + 1) + " from there)");
        }
        long to = ScenarioPools.poolLast(first, net, mask, size, poolKey.isPresent() ? List.of() : addresses(taken)).value() & 0xFFFF_FFFFL;
        for (Taken t : taken) {
            long at = t.address().value() & 0xFFFF_FFFFL;
            if (at >= from && at <= to) {
                Optional<ConfigText.Value> key = later(later(firstKey, poolKey), t.key());
                String problem = "the pool the server hands out, " + first + (from == to ? "" : ".." + new Ipv4Address((int) to))
                        + ", hold " + t.what() + ", " + t.address() + " (expected: a pool clear of the server, its router and the relay's)";
                throw key.isPresent() ? ScenarioValues.at(key, "makes " + problem) : c.error("the defaults make " + problem);
            }
        }
    }

    private static List<Ipv4Address> addresses(List<Taken> taken) {
        return taken.stream().map(Taken::address).toList();
    }

    private static Optional<ConfigText.Value> later(Optional<ConfigText.Value> a, Optional<ConfigText.Value> b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isPresent() && b.get().line() > a.get().line() ? b : a;
    }
}
