package dev.netboot.emulator;

import java.util.List;
import java.util.Objects;

/**
 * What matters once many boards share the network, the part of a {@link Scenario} {@code netboot fleet} is about (its
 * {@code [segment] switch}, {@code [bootp] pool-size}, {@code [tftp]} limits and multicast, {@code [tftp-server NAME]}).
 *
 * @param switched    every segment is a learning switch ({@link EthernetSegment#switched}) rather than a hub
 * @param poolSize    addresses in each DHCP/BOOTP pool, from the first client address (cut short before broadcast)
 * @param tftpLimits  how many transfers each TFTP server runs at once, and what a request past that gets
 * @param multicast   the groups TFTP servers offer for RFC 2090 multicast, or null to leave the option unanswered
 * @param tftpHosts   more TFTP servers besides the server host, named by DHCP in turn after it
 * @param multicastSaid the scenario said {@code [tftp] multicast = yes} itself (the emulator offers multicast by
 *                    default; {@code netboot serve} on a real wire only where the scenario says so)
 */
public record FleetSettings(boolean switched, int poolSize, TftpServerLimits tftpLimits, Scenario.Multicast multicast,
                            List<Scenario.TftpHost> tftpHosts, boolean multicastSaid) {
    /** A hub, 16 addresses, no limit on transfers (tftpd-hpa), multicast offered on 239.255.0.1:1758, one server. */
    public static final FleetSettings DEFAULT = new FleetSettings(false, Scenario.POOL_SIZE, TftpServerLimits.NONE,
            Scenario.Multicast.DEFAULT, List.of(), false);

    /** Checks the pool size and copies the list. */
    public FleetSettings {
        Objects.requireNonNull(tftpLimits, "tftpLimits");
        tftpHosts = List.copyOf(tftpHosts);
        if (poolSize < 1 || poolSize > 1 << 20) {
            throw new IllegalArgumentException("pool size " + poolSize + " (expected: 1..1048576)");
        }
    }

    /** Returns these settings with a pool of {@code n} addresses. */
    public FleetSettings withPoolSize(int n) {
        return new FleetSettings(switched, n, tftpLimits, multicast, tftpHosts, multicastSaid);
    }

    /** Returns these settings with switched segments or hubs. */
    public FleetSettings withSwitched(boolean on) {
        return new FleetSettings(on, poolSize, tftpLimits, multicast, tftpHosts, multicastSaid);
    }

    /** Returns these settings with the TFTP servers' limits {@code l}. */
    public FleetSettings withTftpLimits(TftpServerLimits l) {
        return new FleetSettings(switched, poolSize, l, multicast, tftpHosts, multicastSaid);
    }

    /** Returns these settings offering {@code m} (null: no multicast). */
    public FleetSettings withMulticast(Scenario.Multicast m) {
        return new FleetSettings(switched, poolSize, tftpLimits, m, tftpHosts, multicastSaid && m != null);
    }

    /** Returns these settings with the TFTP servers {@code hosts} besides the server host. */
    public FleetSettings withTftpHosts(List<Scenario.TftpHost> hosts) {
        return new FleetSettings(switched, poolSize, tftpLimits, multicast, hosts, multicastSaid);
    }

    /** Returns these settings offering {@code m}, as the scenario said itself ({@code [tftp] multicast = yes}). */
    public FleetSettings withMulticastSaid(Scenario.Multicast m) {
        return new FleetSettings(switched, poolSize, tftpLimits, Objects.requireNonNull(m, "m"), tftpHosts, true);
    }
}
