package dev.netboot.emulator;

import dev.netboot.device.ConfigText;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the sections of a scenario that put other machines on the board's segment: {@code [dhcp-server NAME]} (another
 * DHCP server, honest or {@link RogueDhcp rogue}), {@code [proxy-dhcp]} and {@code [host NAME]}.
 */
final class ScenarioNeighbours {
    private ScenarioNeighbours() {
    }

    /**
     * Returns the machines the {@code [dhcp-server NAME]}, {@code [proxy-dhcp]} and {@code [host NAME]} sections of {@code c}
     * put on the segment of the server {@code server} describes. Each address is checked at its key's line: a host of the
     * server's subnet besides the server, a DHCP server's pool starting on one and clear of the server and itself, a
     * boot server a machine's unicast address (or 0.0.0.0 for none); each MAC a station's own, not the server's.
     */
    static Neighbours read(ConfigText c, ScenarioServer.Read server) {
        Map<Object, String> claimed = new HashMap<>(); // each MAC and address, and the section that has it
        List<Neighbours.Server> servers = new ArrayList<>();
        for (ConfigText.Section s : c.namedSections("dhcp-server")) {
            var mac = mac(s, server);
            Ipv4Address address = address(s, server);
            claim(s, mac, address, claimed);
            var poolKey = s.require("pool-start");
            Ipv4Address pool = ScenarioValues.hostOf(poolKey, server.address(), server.netmask(), server.subnet(),
                    "a host address of it, the first of this server's 16");
            for (Ipv4Address taken : List.of(server.address(), address)) {
                if (pool.equals(taken)) {
                    throw ScenarioValues.at(poolKey, "is " + (taken.equals(address) ? "this server's" : "the server host's")
                            + " own address (expected: another host address, the first of this server's 16)");
                }
            }
            var fileKey = s.optional("boot-file");
            String file = fileKey.map(ConfigText.Value::asString).orElse("");
            if (dev.netboot.wire.TftpText.length(file) > 255) {
                throw fileKey.orElseThrow().error("a name of " + dev.netboot.wire.TftpText.length(file)
                        + " bytes in UTF-8 (expected: at most 255, what option 67 holds)");
            }
            long delay = s.optional("offer-delay").map(ScenarioValues::faultTime).orElse(0L);
            RogueDhcp rogue = s.optional("rogue").map(ScenarioNeighbours::rogue).orElse(RogueDhcp.NONE);
            s.finish();
            servers.add(new Neighbours.Server(s.name().orElseThrow(), mac, address, pool, file, delay, rogue));
        }
        Neighbours.Proxy proxy = null;
        var p = c.optionalSection("proxy-dhcp");
        if (p.isPresent()) {
            var s = p.get();
            var mac = mac(s, server);
            Ipv4Address address = address(s, server);
            claim(s, mac, address, claimed);
            var fileKey = s.require("boot-file");
            String file = fileKey.asString();
            if (dev.netboot.wire.TftpText.length(file) > 127) {
                // The ProxyDHCP server names the file in the header's file field alone: 128 bytes, NUL included.
                throw fileKey.error("a name of " + dev.netboot.wire.TftpText.length(file)
                        + " bytes in UTF-8 (expected: at most 127, what the file field holds)");
            }
            var tftpKey = s.optional("tftp-server");
            Ipv4Address tftp = server.tftpServer();
            if (tftpKey.isPresent()) {
                Ipv4Address a = tftpKey.get().asIpv4();
                tftp = a.isAny() ? a : ScenarioValues.machine(tftpKey.get(), a, server.address(), server.netmask(),
                        "a TFTP server's unicast address, or 0.0.0.0 to name none");
            }
            boolean inOffer = s.optional("file-in-offer").map(ConfigText.Value::asBoolean).orElse(true);
            s.finish();
            try {
                proxy = new Neighbours.Proxy(mac, address, file, tftp, inOffer);
            } catch (IllegalArgumentException e) {
                throw s.error(e.getMessage());
            }
        }
        List<Neighbours.Host> hosts = new ArrayList<>();
        for (ConfigText.Section s : c.namedSections("host")) {
            var mac = mac(s, server);
            Ipv4Address address = address(s, server);
            claim(s, mac, address, claimed);
            s.finish();
            hosts.add(new Neighbours.Host(s.name().orElseThrow(), mac, address));
        }
        try {
            return new Neighbours(servers, proxy, hosts);
        } catch (IllegalArgumentException e) {
            throw c.error(e.getMessage());
        }
    }

    /** Says, at the key of section {@code s}, that another machine in {@code claimed} has its MAC or its address. */
    private static void claim(ConfigText.Section s, MacAddress mac, Ipv4Address address, Map<Object, String> claimed) {
        String other = claimed.putIfAbsent(mac, s.label());
        if (other != null) {
            throw ScenarioValues.at(s.require("mac"), "is " + other + "'s MAC too (expected: a MAC of this machine's own)");
        }
        other = claimed.putIfAbsent(address, s.label());
        if (other != null) {
            throw ScenarioValues.at(s.require("address"), "is " + other + "'s address too (expected: an address of this machine's own)");
        }
    }

    /** Reads a machine's {@code mac}: a station's own (not a group's), not the server's. */
    static dev.netboot.wire.MacAddress mac(ConfigText.Section s, ScenarioServer.Read server) {
        var key = s.require("mac");
        var mac = key.asUnicastMac();
        if (mac.equals(server.mac())) {
            throw ScenarioValues.at(key, "is the server's MAC too (expected: a MAC of this machine's own)");
        }
        return mac;
    }

    /** Reads a machine's {@code address}: a host of the server's subnet besides the server. */
    static Ipv4Address address(ConfigText.Section s, ScenarioServer.Read server) {
        var key = s.require("address");
        Ipv4Address a = ScenarioValues.hostOf(key, server.address(), server.netmask(), server.subnet(),
                "another host of " + server.subnet());
        if (a.equals(server.address())) {
            throw ScenarioValues.at(key, "is the server's own address (expected: another host of " + server.subnet() + ")");
        }
        return a;
    }

    private static RogueDhcp rogue(ConfigText.Value v) {
        try {
            return RogueDhcp.parse(v.asString());
        } catch (IllegalArgumentException e) {
            throw v.error("'" + v.asString() + "' (expected: none, wrong-xid, wrong-chaddr, bad-length or bad-values)");
        }
    }
}
