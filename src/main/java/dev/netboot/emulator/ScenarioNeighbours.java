package dev.netboot.emulator;

import dev.netboot.device.ConfigText;
import dev.netboot.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the sections of a scenario that put other machines on the board's segment: {@code [dhcp-server NAME]} (another
 * DHCP server, honest or {@link RogueDhcp rogue}), {@code [proxy-dhcp]} and {@code [host NAME]}.
 */
final class ScenarioNeighbours {
    private ScenarioNeighbours() {
    }

    /** Returns the machines the {@code [dhcp-server NAME]}, {@code [proxy-dhcp]} and {@code [host NAME]} sections of {@code c} put on the segment. */
    static Neighbours read(ConfigText c, Ipv4Address tftpServer) {
        List<Neighbours.Server> servers = new ArrayList<>();
        for (ConfigText.Section s : c.namedSections("dhcp-server")) {
            var mac = s.require("mac").asMac();
            Ipv4Address address = s.require("address").asIpv4();
            Ipv4Address pool = s.require("pool-start").asIpv4();
            String file = s.optional("boot-file").map(ConfigText.Value::asString).orElse("");
            long delay = s.optional("offer-delay").map(ScenarioValues::faultTime).orElse(0L);
            RogueDhcp rogue = s.optional("rogue").map(ScenarioNeighbours::rogue).orElse(RogueDhcp.NONE);
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

    private static RogueDhcp rogue(ConfigText.Value v) {
        try {
            return RogueDhcp.parse(v.asString());
        } catch (IllegalArgumentException e) {
            throw v.error("'" + v.asString() + "' (expected: none, wrong-xid, wrong-chaddr, bad-length or bad-values)");
        }
    }
}
