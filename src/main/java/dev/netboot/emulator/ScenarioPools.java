package dev.netboot.emulator;

import dev.netboot.wire.Ipv4Address;
import java.util.List;
import java.util.Map;

/**
 * Where the address pools of a {@link Scenario} end, and the DHCP/BOOTP server settings made of them. A server hands
 * out addresses it knows to be free (RFC 2131 section 4.3.1), so each pool runs its size from its first address, cut
 * short before the subnet's broadcast address and before an address the server knows is taken: its own, its router's,
 * the relay's. The scenario's readers check a pool against these same ends ({@link ScenarioServer#checkPools},
 * {@link ScenarioChecks}), so a pool the file gives is refused where the servers would cut it.
 */
final class ScenarioPools {
    private ScenarioPools() {
    }

    /**
     * Returns the BOOTP settings of the server host: a pool of {@link FleetSettings#poolSize()} addresses from the client
     * address, cut short as {@link #mainPoolLast} says; with a relay, the same for the relayed subnet
     * ({@link Scenario.Relay#bootpSubnet(int)}); no static entries, no host names.
     */
    static BootpServerConfig bootpConfig(Scenario sc) {
        BootpServerConfig c = new BootpServerConfig(sc.serverIp(), Map.of(), sc.clientIp(), mainPoolLast(sc.clientIp(), sc.serverIp(),
                sc.netmask(), sc.gateway(), sc.relay(), sc.fleet()), sc.netmask(), sc.gateway(), sc.dns(), Map.of(), sc.bootFile(),
                sc.tftpServer(), sc.announce());
        return sc.relay() == null ? c : c.withRelayedSubnet(sc.relay().bootpSubnet(sc.fleet().poolSize()));
    }

    /**
     * Returns the settings of the other DHCP server {@code s} ({@link Neighbours.Server}): 16 addresses from its first,
     * cut short before the subnet's broadcast address and before its own, the server host's or the router's address;
     * the server host's mask, router and name servers; its boot file on the server host's TFTP server, or none.
     */
    static BootpServerConfig neighbourConfig(Scenario sc, Neighbours.Server s) {
        return new BootpServerConfig(s.address(), Map.of(), s.poolFirst(), poolLast(s.poolFirst(), s.address(), sc.netmask(),
                Scenario.POOL_SIZE, List.of(s.address(), sc.serverIp(), sc.gateway())), sc.netmask(), sc.gateway(), sc.dns(), Map.of(),
                s.bootFile(), s.bootFile().isEmpty() ? Ipv4Address.ANY : sc.tftpServer(), sc.announce());
    }

    /** Returns the last address of the pool on the server's subnet: before the server, its gateway and the relay's router. */
    static Ipv4Address mainPoolLast(Ipv4Address clientIp, Ipv4Address serverIp, Ipv4Address netmask, Ipv4Address gateway,
                                    Scenario.Relay relay, FleetSettings fleet) {
        return poolLast(clientIp, serverIp, netmask, fleet.poolSize(), relay == null ? List.of(serverIp, gateway)
                : List.of(serverIp, gateway, relay.routerServerIp()));
    }

    /**
     * Returns the last of {@code size} addresses from {@code first}, cut short before the broadcast address of
     * {@code inSubnet}/{@code mask} and before any of {@code taken} that lies after {@code first}.
     */
    static Ipv4Address poolLast(Ipv4Address first, Ipv4Address inSubnet, Ipv4Address mask, int size, List<Ipv4Address> taken) {
        int broadcast = inSubnet.value() | ~mask.value();
        long from = first.value() & 0xFFFF_FFFFL;
        long last = Math.min(from + size - 1, (broadcast & 0xFFFF_FFFFL) - 1);
        for (Ipv4Address t : taken) {
            long at = t.value() & 0xFFFF_FFFFL;
            if (at > from && at <= last) {
                last = at - 1;
            }
        }
        return new Ipv4Address((int) last);
    }
}
