package dev.netboot.dhcp;

import dev.netboot.bootp.BootTarget;
import dev.netboot.bootp.BootpLease;
import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.Ipv4Address;
import java.util.List;
import java.util.Objects;

/**
 * The board's identity as a server gave it: address, routing, where to boot from, and for how long.
 *
 * @param source           how the board got it: DHCP, BOOTP, or DHCP with the boot server from a ProxyDHCP server
 * @param address          our address (yiaddr)
 * @param netmask          option 1, else the classful mask of {@code address}
 * @param gateway          the first router of option 3 on the board's subnet and not the board itself
 *                         ({@link BootpLease#gateway}), else {@link Ipv4Address#ANY}
 * @param routers          option 3 as the server gave it, possibly empty
 * @param dns              option 6, possibly empty
 * @param hostname         option 12, else empty
 * @param domain           option 15, the DNS domain, else empty
 * @param broadcast        the subnet's broadcast address: option 28 when it lies in the subnet, else the all-ones host part
 * @param boot             the TFTP server and boot file, and where each came from
 * @param bootFileSize     option 13 in bytes, or -1
 * @param dhcpServer       the server that gave the address: its server identifier (54), else the reply's source
 * @param proxyServer      the ProxyDHCP server that named the boot file, else {@link Ipv4Address#ANY}
 * @param leaseSeconds     option 51; {@link DhcpOption#INFINITE} for BOOTP and infinite leases
 * @param renewalSeconds   T1: option 58, else half the lease (RFC 2131 section 4.4.5)
 * @param rebindingSeconds T2: option 59, else 0.875 of the lease
 */
public record Lease(Source source, Ipv4Address address, Ipv4Address netmask, Ipv4Address gateway, List<Ipv4Address> routers,
                    List<Ipv4Address> dns,
                    String hostname, String domain, Ipv4Address broadcast, BootTarget boot, long bootFileSize, Ipv4Address dhcpServer, Ipv4Address proxyServer,
                    long leaseSeconds, long renewalSeconds, long rebindingSeconds) {
    /** How the board got its identity. */
    public enum Source {
        /** A DHCP server (RFC 2131). */
        DHCP,
        /** A BOOTP server (RFC 951): a reply without option 53; the address is the board's for ever. */
        BOOTP,
        /** A DHCP server gave the address, a ProxyDHCP server (PXE 2.1) the boot server and file. */
        PROXY;

        /** Returns "dhcp", "bootp" or "proxy". */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Copies the lists and checks that T1 <= T2 <= lease. */
    public Lease {
        Objects.requireNonNull(source);
        Objects.requireNonNull(boot);
        Objects.requireNonNull(domain);
        Objects.requireNonNull(broadcast);
        routers = List.copyOf(routers);
        dns = List.copyOf(dns);
        if (!(0 <= renewalSeconds && renewalSeconds <= rebindingSeconds && rebindingSeconds <= leaseSeconds
                && leaseSeconds <= DhcpOption.INFINITE)) {
            throw new IllegalArgumentException("lease times T1 " + renewalSeconds + " s, T2 " + rebindingSeconds + " s, lease "
                    + leaseSeconds + " s (expected: 0 <= T1 <= T2 <= lease <= 4294967295)");
        }
    }

    /** Returns the lease of a BOOTP reply: infinite, no server identifier beyond the replying server. */
    public static Lease of(BootpLease b) {
        return new Lease(Source.BOOTP, b.address(), b.netmask(), b.gateway(), b.routers(), b.dns(), b.hostname(), b.domain(), b.broadcast(),
                b.boot(), b.bootFileSize(), b.bootpServer(), Ipv4Address.ANY, DhcpOption.INFINITE, DhcpOption.INFINITE, DhcpOption.INFINITE);
    }

    /**
     * Says, with no gateway, what the server gave instead, for messages: "no router (option 3)", or "no usable router
     * (option 3: R not on the subnet N/P, R the board's own address)", each router with why it cannot be one.
     */
    public String noGateway() {
        if (routers.isEmpty()) {
            return "no router (option 3)";
        }
        StringBuilder b = new StringBuilder("no usable router (option 3: ");
        int shown = Math.min(routers.size(), 4);
        for (int i = 0; i < shown; i++) {
            Ipv4Address r = routers.get(i);
            String why = BootpLease.notAGateway(r, address, netmask);
            b.append(i == 0 ? "" : ", ").append(r).append(' ').append(why == null ? "usable" : why);
        }
        if (routers.size() > shown) {
            b.append(" and ").append(routers.size() - shown).append(" more");
        }
        return b.append(')').toString();
    }

    /**
     * Returns why the TFTP server this lease names cannot be one, or null: the board's own address, its subnet's network
     * or broadcast address, or an address no machine has ({@link BootpLease#notAHost}). A server's typo, or a rogue's.
     */
    public String serverProblem() {
        Ipv4Address s = boot.server();
        String why = s.isAny() ? null : BootpLease.notAHost(s, address, netmask);
        String by = switch (source) {
            case DHCP -> "DHCP server " + dhcpServer;
            case BOOTP -> "BOOTP server " + dhcpServer;
            case PROXY -> "ProxyDHCP server " + proxyServer;
        };
        return why == null ? null : by + " named the TFTP server " + s + " (" + boot.serverSource() + "), which is " + why;
    }

    /** Returns the TFTP server. */
    public Ipv4Address server() {
        return boot.server();
    }

    /** Returns the boot file. */
    public String bootFile() {
        return boot.file();
    }

    /** Returns true for a lease that never ends: BOOTP, or option 51 = 0xffffffff. */
    public boolean infinite() {
        return leaseSeconds == DhcpOption.INFINITE;
    }

    /** Returns this lease with the boot server and file of a ProxyDHCP answer from {@code proxy}. */
    public Lease withProxyBoot(BootTarget target, Ipv4Address proxy) {
        return new Lease(Source.PROXY, address, netmask, gateway, routers, dns, hostname, domain, broadcast, target, bootFileSize,
                dhcpServer, proxy, leaseSeconds, renewalSeconds, rebindingSeconds);
    }

    /** Returns this lease with the times (and server) of a renewal's DHCPACK; address and boot target stay. */
    public Lease renewed(Ipv4Address server, long lease, long t1, long t2) {
        return new Lease(source, address, netmask, gateway, routers, dns, hostname, domain, broadcast, boot, bootFileSize, server,
                proxyServer, lease, t1, t2);
    }
}
