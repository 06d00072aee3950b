package dev.netboot.emulator;

import dev.netboot.device.ConfigText;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;

/**
 * Reads a scenario's {@code [relay]} section ({@link Scenario.Relay}): the board's own subnet behind a router and BOOTP
 * relay agent. Each address is checked at its key's line against the subnet it must lie in: the router's client side
 * and the first client in the client subnet, the router's server side in the server's.
 */
final class ScenarioRelay {
    private ScenarioRelay() {
    }

    /**
     * Returns the router's address on the server's segment when router-server-address says none: the last host of the
     * server's subnet (10.0.0.254 for 10.0.0.1/24), or the one before it when that is the server's.
     */
    static Ipv4Address defaultRouterServer(Ipv4Address serverIp, Ipv4Address netmask) {
        Ipv4Address last = new Ipv4Address((serverIp.value() | ~netmask.value()) - 1);
        return last.equals(serverIp) ? new Ipv4Address(last.value() - 1) : last;
    }

    /**
     * Returns the relay {@code s} describes; its keys default to {@link Scenario.Relay#DEFAULT}, except that
     * router-client-address and client-address default to hosts .1 and .42 of a client-subnet given without them, and
     * router-server-address to the server subnet's last host ({@link #defaultRouterServer}).
     *
     * @param serverIp the server's address, as the scenario's {@code [server]} gives it
     * @param netmask  the server's netmask
     * @param serverMac the server's MAC
     */
    static Scenario.Relay read(ConfigText.Section s, Ipv4Address serverIp, Ipv4Address netmask, MacAddress serverMac) {
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
            if ((subnet.value() & ~mask.value()) != 0) {
                throw ScenarioValues.at(v, "has host bits set (expected: the network address, "
                        + new Ipv4Address(subnet.value() & mask.value()) + "/" + prefix + ")");
            }
            if (subnet.notAMachine() != null) {
                throw ScenarioValues.at(v, "is no subnet of hosts: " + subnet + " " + subnet.notAMachine().substring("it ".length())
                        + " (expected: a subnet of hosts, like 10.0.1.0/24)");
            }
            Ipv4Address shorter = mask.compareTo(netmask) < 0 ? mask : netmask;
            if (subnet.sameSubnet(serverIp, shorter)) {
                throw ScenarioValues.at(v, "overlaps the server's subnet " + serverIp + "/" + netmask.prefixLength()
                        + " (expected: a subnet of its own behind the router)");
            }
            routerClient = new Ipv4Address(subnet.value() + 1);
            client = new Ipv4Address(subnet.value() + 42);
        } else if (subnet.sameSubnet(serverIp, mask.compareTo(netmask) < 0 ? mask : netmask)) {
            throw s.error("client-subnet " + subnet + "/" + mask.prefixLength() + ", the default, overlaps the server's subnet "
                    + serverIp + "/" + netmask.prefixLength() + " (expected: a client-subnet of its own behind the router)");
        }
        String clientNet = "the client subnet " + subnet + "/" + mask.prefixLength();
        final Ipv4Address net = subnet;
        final Ipv4Address netMask = mask;
        var routerClientKey = s.optional("router-client-address");
        routerClient = routerClientKey.map(v -> ScenarioValues.hostOf(v, net, netMask, clientNet, "a host address of it"))
                .orElse(routerClient);
        var routerClientMac = s.optional("router-mac-client").map(ConfigText.Value::asUnicastMac).orElse(d.routerClientMac());
        var serverSide = s.optional("router-server-address");
        String serverNet = "the server's subnet " + serverIp + "/" + netmask.prefixLength();
        Ipv4Address routerServer = serverSide.map(v -> ScenarioValues.hostOf(v, serverIp, netmask, serverNet, "another host of "
                + serverNet)).orElse(defaultRouterServer(serverIp, netmask));
        if (serverSide.isPresent() && routerServer.equals(serverIp)) {
            throw ScenarioValues.at(serverSide, "is the server's own address (expected: another host of " + serverNet + ")");
        }
        var serverMacValue = s.optional("router-mac-server");
        MacAddress routerServerMac = serverMacValue.map(ConfigText.Value::asUnicastMac).orElse(d.routerServerMac());
        if (serverMacValue.isPresent() && routerServerMac.equals(serverMac)) {
            throw ScenarioValues.at(serverMacValue, "would make the router and the server share MAC (expected: a MAC of the router's own)");
        }
        if (serverMacValue.isPresent() && routerServerMac.equals(routerClientMac)) {
            throw ScenarioValues.at(serverMacValue, "is the router's client-side MAC too (expected: one MAC per interface)");
        }
        var clientValue = s.optional("client-address");
        client = clientValue.map(v -> ScenarioValues.hostOf(v, net, netMask, clientNet, "a host address of it")).orElse(client);
        if (clientValue.isPresent() && client.equals(routerClient)) {
            throw ScenarioValues.at(clientValue, "is the router's address too (expected: another host of " + clientNet + ")");
        }
        if (routerClientKey.isPresent() && client.equals(routerClient)) {
            throw ScenarioValues.at(routerClientKey, "is the first client's address too (expected: another host of " + clientNet
                    + ", or a client-address of its own)");
        }
        int maxHops = s.optional("max-hops").map(v -> v.asInt(0, Router.MAX_HOPS_LIMIT)).orElse(d.maxHops());
        s.finish();
        try {
            return new Scenario.Relay(subnet, mask, routerClient, routerClientMac, routerServer, routerServerMac, client, maxHops);
        } catch (IllegalArgumentException e) {
            throw s.error(e.getMessage());
        }
    }
}
