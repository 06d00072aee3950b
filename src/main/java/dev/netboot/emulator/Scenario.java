package dev.netboot.emulator;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything an emulated boot needs: the wire, the server, and what BOOTP and TFTP answer. Times are
 * virtual nanoseconds. Build the network with {@link EmulatedLan#of(Scenario)}.
 *
 * @param seed         the one seed every random decision derives from ({@link Seeds})
 * @param latencyNanos one-way latency of the segment
 * @param faults       loss, duplication and queue limit of the segment
 * @param serverMac    the server host's MAC address
 * @param serverIp     the server host's address
 * @param netmask      the subnet mask (also option 1)
 * @param gateway      the server's gateway and the router announced in option 3 ({@link Ipv4Address#ANY} for none)
 * @param dns          the name servers of option 6
 * @param clientIp     the address BOOTP gives the first client; later clients get the next ones
 * @param bootFile     the boot file name BOOTP announces
 * @param announce     where BOOTP puts the boot server and file
 * @param tftpServer   the boot server BOOTP announces (normally {@code serverIp})
 * @param tftpTimeout  the TFTP server's retransmission timeout
 * @param tftpRetries  the TFTP server's retransmissions per block before it gives up
 * @param servedFile   the name under which the TFTP server serves the image
 */
public record Scenario(long seed, long latencyNanos, FaultPlan faults, MacAddress serverMac, Ipv4Address serverIp,
                       Ipv4Address netmask, Ipv4Address gateway, List<Ipv4Address> dns, Ipv4Address clientIp,
                       String bootFile, BootpServerConfig.Announce announce, Ipv4Address tftpServer, long tftpTimeout,
                       int tftpRetries, String servedFile) {
    /** Addresses in the BOOTP pool, starting at {@code clientIp}. */
    public static final int POOL_SIZE = 16;

    /**
     * Server 10.0.0.1/24 at 02:00:00:00:00:01, router and DNS 10.0.0.1, client 10.0.0.42, "boot.img"
     * announced in both header and options 66/67, latency 100 us, no loss, TFTP 1 s x 20, seed 1.
     */
    public static final Scenario DEFAULT = new Scenario(1, 100_000, FaultPlan.NONE, MacAddress.parse("02:00:00:00:00:01"),
            Ipv4Address.parse("10.0.0.1"), Ipv4Address.parse("255.255.255.0"), Ipv4Address.parse("10.0.0.1"),
            List.of(Ipv4Address.parse("10.0.0.1")), Ipv4Address.parse("10.0.0.42"), "boot.img",
            BootpServerConfig.Announce.BOTH, Ipv4Address.parse("10.0.0.1"), 1_000_000_000L, 20, "boot.img");

    /** Checks ranges and copies the DNS list. */
    public Scenario {
        Objects.requireNonNull(faults);
        Objects.requireNonNull(announce);
        dns = List.copyOf(dns);
        if (latencyNanos < 0 || tftpTimeout <= 0 || tftpRetries < 0) {
            throw new IllegalArgumentException("scenario: latency " + latencyNanos + " ns, TFTP timeout " + tftpTimeout
                    + " ns, retries " + tftpRetries + " (expected: latency >= 0, timeout > 0, retries >= 0)");
        }
        if (netmask.prefixLength() < 0) {
            throw new IllegalArgumentException("scenario: netmask " + netmask + " is not contiguous");
        }
        if (!clientIp.sameSubnet(serverIp, netmask)) {
            throw new IllegalArgumentException("scenario: client " + clientIp + " is not in the server's subnet "
                    + serverIp + "/" + netmask.prefixLength());
        }
    }

    /** Returns this scenario with another seed. */
    public Scenario withSeed(long s) {
        return new Scenario(s, latencyNanos, faults, serverMac, serverIp, netmask, gateway, dns, clientIp, bootFile,
                announce, tftpServer, tftpTimeout, tftpRetries, servedFile);
    }

    /** Returns this scenario with another fault plan. */
    public Scenario withFaults(FaultPlan f) {
        return new Scenario(seed, latencyNanos, f, serverMac, serverIp, netmask, gateway, dns, clientIp, bootFile,
                announce, tftpServer, tftpTimeout, tftpRetries, servedFile);
    }

    /** Returns this scenario with another frame-loss probability, other faults kept. */
    public Scenario withLoss(double loss) {
        return withFaults(new FaultPlan(loss, faults.duplicate(), faults.maxQueue()));
    }

    /** Returns this scenario with another one-way latency. */
    public Scenario withLatency(long nanos) {
        return new Scenario(seed, nanos, faults, serverMac, serverIp, netmask, gateway, dns, clientIp, bootFile,
                announce, tftpServer, tftpTimeout, tftpRetries, servedFile);
    }

    /** Returns this scenario announcing the boot server and file in {@code where}. */
    public Scenario withAnnounce(BootpServerConfig.Announce where) {
        return new Scenario(seed, latencyNanos, faults, serverMac, serverIp, netmask, gateway, dns, clientIp, bootFile,
                where, tftpServer, tftpTimeout, tftpRetries, servedFile);
    }

    /**
     * Returns the BOOTP settings: a pool of {@link #POOL_SIZE} addresses from {@code clientIp}, cut short
     * before the subnet's broadcast address; no static entries, no host names.
     */
    public BootpServerConfig bootpConfig() {
        int broadcast = serverIp.value() | ~netmask.value();
        long last = Math.min((clientIp.value() & 0xFFFF_FFFFL) + POOL_SIZE - 1, (broadcast & 0xFFFF_FFFFL) - 1);
        return new BootpServerConfig(serverIp, Map.of(), clientIp, new Ipv4Address((int) last), netmask, gateway, dns,
                Map.of(), bootFile, tftpServer, announce);
    }

    /** Returns the TFTP server settings: this scenario's timeout and retries, 512-byte blocks, well-behaved. */
    public TftpServerConfig tftpConfig() {
        return TftpServerConfig.DEFAULTS.withRetry(tftpTimeout, tftpRetries);
    }
}
