package dev.netboot.emulator;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the emulated BOOTP server hands out.
 *
 * @param serverIp        our own address (the reply's source)
 * @param staticAddresses fixed addresses by client MAC; these win over the pool
 * @param poolFirst       first address of the pool for other clients, {@link Ipv4Address#ANY} for no pool
 * @param poolLast        last address of the pool (inclusive)
 * @param netmask         option 1, Subnet Mask
 * @param router          option 3, Router; {@link Ipv4Address#ANY} to leave it out
 * @param dns             option 6, Domain Name Servers; empty to leave it out
 * @param hostnames       option 12, Host Name, by client MAC; clients not listed get none
 * @param bootFile        the boot file name (the {@code file} field and/or option 67; longer than 127 characters:
 *                        option 67 only)
 * @param tftpServer      the boot server ({@code siaddr} and/or option 66, as dotted text)
 * @param announce        where the boot server and file name go
 * @param relayedSubnets  pools of subnets behind BOOTP relay agents, chosen by a request's {@code giaddr}
 *                        (RFC 951 section 4, RFC 1542 section 5.4); the fields above serve the server's own subnet
 */
public record BootpServerConfig(Ipv4Address serverIp, Map<MacAddress, Ipv4Address> staticAddresses,
                                Ipv4Address poolFirst, Ipv4Address poolLast, Ipv4Address netmask, Ipv4Address router,
                                List<Ipv4Address> dns, Map<MacAddress, String> hostnames, String bootFile,
                                Ipv4Address tftpServer, Announce announce, List<Subnet> relayedSubnets) {
    /**
     * A subnet the server reaches through a relay agent: a request whose {@code giaddr} lies in it is
     * given an address of its pool, its mask as option 1 and its router as option 3.
     *
     * @param poolFirst first address of the pool
     * @param poolLast  last address of the pool (inclusive), in the same subnet
     * @param netmask   the subnet's mask (option 1); the subnet is {@code poolFirst & netmask}
     * @param router    option 3, normally the relay's address on that subnet; {@link Ipv4Address#ANY} to leave it out
     */
    public record Subnet(Ipv4Address poolFirst, Ipv4Address poolLast, Ipv4Address netmask, Ipv4Address router) {
        /** Checks that the pool is ordered and lies in one subnet, and the mask is contiguous. */
        public Subnet {
            Objects.requireNonNull(router);
            if (netmask.prefixLength() < 0) {
                throw new IllegalArgumentException("relayed subnet: netmask " + netmask + " is not contiguous");
            }
            if (poolFirst.compareTo(poolLast) > 0 || !poolFirst.sameSubnet(poolLast, netmask)) {
                throw new IllegalArgumentException("relayed subnet pool " + poolFirst + ".." + poolLast
                        + " (expected: first <= last, both in one /" + netmask.prefixLength() + ")");
            }
        }

        /** Returns true when {@code ip} (a relay's giaddr) lies in this subnet. */
        public boolean contains(Ipv4Address ip) {
            return ip.sameSubnet(poolFirst, netmask);
        }
    }

    /** A configuration for the server's own subnet only: no relayed subnets. */
    public BootpServerConfig(Ipv4Address serverIp, Map<MacAddress, Ipv4Address> staticAddresses,
                             Ipv4Address poolFirst, Ipv4Address poolLast, Ipv4Address netmask, Ipv4Address router,
                             List<Ipv4Address> dns, Map<MacAddress, String> hostnames, String bootFile,
                             Ipv4Address tftpServer, Announce announce) {
        this(serverIp, staticAddresses, poolFirst, poolLast, netmask, router, dns, hostnames, bootFile, tftpServer,
                announce, List.of());
    }

    /** Where a reply names the boot server and the boot file. */
    public enum Announce {
        /** In the BOOTP header only: {@code siaddr} and {@code file} (RFC 951). */
        HEADER,
        /** In options 66 (TFTP server name) and 67 (Bootfile name) only (RFC 2132 section 9.4, 9.5); siaddr 0, file empty. */
        OPTIONS,
        /** Both places: what most DHCP servers configured for PXE do. */
        BOTH,
        /** Nowhere: the server gives addresses only (a ProxyDHCP server may name the boot file). */
        NONE;

        /** Returns true when {@code siaddr}/{@code file} are filled. */
        public boolean inHeader() {
            return this == HEADER || this == BOTH;
        }

        /** Returns true when options 66/67 are sent. */
        public boolean inOptions() {
            return this == OPTIONS || this == BOTH;
        }
    }

    /** Copies the collections and checks the pool and text lengths. */
    public BootpServerConfig {
        Objects.requireNonNull(serverIp);
        Objects.requireNonNull(netmask);
        Objects.requireNonNull(router);
        Objects.requireNonNull(tftpServer);
        Objects.requireNonNull(announce);
        staticAddresses = Map.copyOf(staticAddresses);
        hostnames = Map.copyOf(hostnames);
        dns = List.copyOf(dns);
        relayedSubnets = List.copyOf(relayedSubnets);
        if (poolFirst.isAny() != poolLast.isAny() || poolFirst.compareTo(poolLast) > 0) {
            throw new IllegalArgumentException("BOOTP pool " + poolFirst + ".." + poolLast
                    + " (expected: first <= last, or both 0.0.0.0 for no pool)");
        }
        // The file field holds 127 characters and a NUL; a longer name goes in option 67 alone, which holds 255.
        if (dev.netboot.wire.TftpText.length(bootFile) > 255) {
            throw new IllegalArgumentException("boot file name of " + dev.netboot.wire.TftpText.length(bootFile)
                    + " bytes in UTF-8 (expected: <= 255)");
        }
        hostnames.values().forEach(h -> {
            if (h.isEmpty() || h.length() > 255) {
                throw new IllegalArgumentException("host name '" + h + "' (expected: 1..255 characters)");
            }
        });
    }

    /** Returns this configuration announcing the boot server and file in {@code where}. */
    public BootpServerConfig withAnnounce(Announce where) {
        return new BootpServerConfig(serverIp, staticAddresses, poolFirst, poolLast, netmask, router, dns, hostnames,
                bootFile, tftpServer, where, relayedSubnets);
    }

    /** Returns this configuration also serving {@code subnet} behind a relay agent. */
    public BootpServerConfig withRelayedSubnet(Subnet subnet) {
        List<Subnet> l = new java.util.ArrayList<>(relayedSubnets);
        l.add(subnet);
        return new BootpServerConfig(serverIp, staticAddresses, poolFirst, poolLast, netmask, router, dns, hostnames,
                bootFile, tftpServer, announce, l);
    }

    /** Returns the relayed subnet containing {@code giaddr}, or null when none does. */
    public Subnet relayedSubnetOf(Ipv4Address giaddr) {
        for (Subnet s : relayedSubnets) {
            if (s.contains(giaddr)) {
                return s;
            }
        }
        return null;
    }

    /** Returns this configuration with {@code mac} always given {@code address}. */
    public BootpServerConfig withStatic(MacAddress mac, Ipv4Address address) {
        Map<MacAddress, Ipv4Address> m = new java.util.HashMap<>(staticAddresses);
        m.put(mac, address);
        return new BootpServerConfig(serverIp, m, poolFirst, poolLast, netmask, router, dns, hostnames, bootFile,
                tftpServer, announce, relayedSubnets);
    }

    /** Returns this configuration giving {@code mac} the host name {@code name} (option 12). */
    public BootpServerConfig withHostname(MacAddress mac, String name) {
        Map<MacAddress, String> m = new java.util.HashMap<>(hostnames);
        m.put(mac, name);
        return new BootpServerConfig(serverIp, staticAddresses, poolFirst, poolLast, netmask, router, dns, m, bootFile,
                tftpServer, announce, relayedSubnets);
    }
}
