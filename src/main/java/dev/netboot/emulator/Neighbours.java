package dev.netboot.emulator;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Other machines on the board's segment besides the server host: more DHCP servers, a ProxyDHCP server, and
 * plain hosts (one already using an address of the pool makes a conflict). Each is a host of its own with the
 * project's network stack, so it answers ARP (probes included) for its address.
 *
 * @param servers more DHCP servers, each with its own pool
 * @param proxy   a ProxyDHCP server (PXE 2.1), or null
 * @param hosts   plain hosts
 */
public record Neighbours(List<Server> servers, Proxy proxy, List<Host> hosts) {
    /** Nobody else. */
    public static final Neighbours NONE = new Neighbours(List.of(), null, List.of());

    /**
     * Another DHCP server: it answers DISCOVERs from its own pool, after {@code offerDelay}.
     *
     * @param name       the scenario's name for it
     * @param mac        its MAC
     * @param address    its address (on the server's subnet)
     * @param poolFirst  the first address it offers; it has 16
     * @param bootFile   the boot file it names (file field and option 67), or empty for none
     * @param offerDelay how long it takes to offer (ns)
     * @param rogue      how it gets its replies wrong ({@link RogueDhcp#NONE}: it does not)
     */
    public record Server(String name, MacAddress mac, Ipv4Address address, Ipv4Address poolFirst, String bootFile,
                         long offerDelay, RogueDhcp rogue) {
        /** An honest server. */
        public Server(String name, MacAddress mac, Ipv4Address address, Ipv4Address poolFirst, String bootFile, long offerDelay) {
            this(name, mac, address, poolFirst, bootFile, offerDelay, RogueDhcp.NONE);
        }

        /** Checks the delay. */
        public Server {
            Objects.requireNonNull(bootFile);
            Objects.requireNonNull(rogue);
            if (offerDelay < 0) {
                throw new IllegalArgumentException("DHCP server " + name + ": offer delay " + offerDelay + " (expected: >= 0)");
            }
        }
    }

    /**
     * A ProxyDHCP server (dnsmasq's {@code --dhcp-range=...,proxy}): answers PXE clients with the boot server and file,
     * never an address; on port 4011 too.
     *
     * @param mac         its MAC
     * @param address     its address
     * @param bootFile    the boot file it names
     * @param tftpServer  the boot server it names (siaddr)
     * @param fileInOffer name the file in the DHCPOFFER already (dnsmasq does); otherwise only in the DHCPACK on port 4011
     */
    public record Proxy(MacAddress mac, Ipv4Address address, String bootFile, Ipv4Address tftpServer, boolean fileInOffer) {
        /** Checks the file: it goes in the header's file field alone, 128 bytes with the NUL. */
        public Proxy {
            if (bootFile.isEmpty() || dev.netboot.wire.TftpText.length(bootFile) > 127) {
                throw new IllegalArgumentException("ProxyDHCP boot file '" + bootFile + "' (expected: 1..127 bytes in UTF-8)");
            }
        }
    }

    /**
     * A host that only answers ARP and ping.
     *
     * @param name    the scenario's name for it
     * @param mac     its MAC
     * @param address its address
     */
    public record Host(String name, MacAddress mac, Ipv4Address address) {
    }

    /** Copies the lists and checks that no two machines share a MAC or an address. */
    public Neighbours {
        servers = List.copyOf(servers);
        hosts = List.copyOf(hosts);
        Set<MacAddress> macs = new HashSet<>();
        Set<Ipv4Address> ips = new HashSet<>();
        for (Server s : servers) {
            check(macs.add(s.mac()) && ips.add(s.address()), s.name());
        }
        if (proxy != null) {
            check(macs.add(proxy.mac()) && ips.add(proxy.address()), "proxy");
        }
        for (Host h : hosts) {
            check(macs.add(h.mac()) && ips.add(h.address()), h.name());
        }
    }

    private static void check(boolean unique, String who) {
        if (!unique) {
            throw new IllegalArgumentException("neighbour " + who + " shares a MAC or address with another");
        }
    }

    /** Returns true when there is nobody else. */
    public boolean none() {
        return servers.isEmpty() && proxy == null && hosts.isEmpty();
    }

    /** Returns every neighbour's MAC and address, for the scenario's uniqueness checks. */
    List<Object[]> machines() {
        List<Object[]> out = new java.util.ArrayList<>();
        servers.forEach(s -> out.add(new Object[] {s.name(), s.mac(), s.address()}));
        if (proxy != null) {
            out.add(new Object[] {"proxy", proxy.mac(), proxy.address()});
        }
        hosts.forEach(h -> out.add(new Object[] {h.name(), h.mac(), h.address()}));
        return out;
    }
}
