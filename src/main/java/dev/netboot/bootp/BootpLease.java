package dev.netboot.bootp;

import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MalformedPacketException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a BOOTP reply told the board.
 *
 * @param address      our address (yiaddr)
 * @param netmask      option 1, else the classful mask of {@code address}
 * @param gateway      the first router of option 3 the board can use ({@link #notAGateway}), else {@link Ipv4Address#ANY}
 * @param routers      option 3 as the server gave it, possibly empty
 * @param dns          option 6, possibly empty
 * @param hostname     option 12, else empty
 * @param domain       option 15, the DNS domain, else empty
 * @param broadcast    option 28 when it lies in our subnet, else the subnet's all-ones broadcast (RFC 1122 section 3.2.1.3)
 * @param boot         the TFTP server and boot file, by {@link BootTarget}'s precedence
 * @param bootFileSize option 13 in bytes (512-byte blocks × 512), or -1
 * @param bootpServer  the address the reply came from
 */
public record BootpLease(Ipv4Address address, Ipv4Address netmask, Ipv4Address gateway, List<Ipv4Address> routers, List<Ipv4Address> dns,
                         String hostname, String domain, Ipv4Address broadcast, BootTarget boot, long bootFileSize,
                         Ipv4Address bootpServer) {
    /** Copies the lists. */
    public BootpLease {
        Objects.requireNonNull(boot);
        Objects.requireNonNull(domain);
        Objects.requireNonNull(broadcast);
        routers = List.copyOf(routers);
        dns = List.copyOf(dns);
    }

    /**
     * Reads what a BOOTP reply or a DHCPOFFER/DHCPACK from {@code from} says about the board; the boot target may
     * be incomplete (a DHCP server that leaves the boot file to a ProxyDHCP server names none).
     *
     * @param serverId the DHCP server identifier (option 54), {@link Ipv4Address#ANY} for BOOTP
     * @param protocol "BOOTP" or "DHCP", for messages
     * @throws BootpException           when the reply gives no address, a non-contiguous netmask, or an address a board
     *                                  cannot take ({@link #notOurs})
     * @throws MalformedPacketException when an option the lease uses has a wrong length
     */
    public static BootpLease read(BootpMessage m, Ipv4Address from, Ipv4Address serverId, String protocol) {
        if (m.yiaddr().isAny()) {
            throw new BootpException(protocol + " reply from " + from + ": yiaddr is 0.0.0.0 (expected: our address)");
        }
        BootpOptions o = m.options();
        Ipv4Address mask = o.address(BootpOptions.SUBNET_MASK).orElseGet(() -> classfulMask(m.yiaddr()));
        if (mask.prefixLength() < 0) {
            throw new BootpException(protocol + " reply from " + from + ": option 1 subnet mask " + mask + " is not contiguous");
        }
        String unusable = notOurs(m.yiaddr(), mask);
        if (unusable != null) {
            throw new BootpException(protocol + " reply from " + from + ": yiaddr " + m.yiaddr() + " cannot be our address: "
                    + unusable);
        }
        List<Ipv4Address> routers = o.addresses(BootpOptions.ROUTER);
        long size = o.number(BootpOptions.BOOT_FILE_SIZE).map(blocks -> blocks * 512L).orElse(-1L);
        return new BootpLease(m.yiaddr(), mask, gateway(m.yiaddr(), mask, routers), routers, o.addresses(BootpOptions.DNS), o.text(BootpOptions.HOST_NAME).orElse(""),
                o.text(BootpOptions.DOMAIN_NAME).orElse(""), broadcast(m.yiaddr(), mask, o.address(BootpOptions.BROADCAST_ADDRESS)),
                BootTarget.of(m, serverId), size, from);
    }

    /**
     * Returns why a board cannot take {@code address} under {@code mask} as its own, or null when it can: an address no
     * machine has ({@link Ipv4Address#notAMachine}: 0.0.0.0/8, loopback, multicast, reserved), or its subnet's network or
     * broadcast address, which RFC 1122 section 3.2.1.3 keeps from every host (on a /31, RFC 3021, and a /32 there is
     * neither). A server that offers one is wrong or hostile: the board would send from an address that is not its
     * own, or answer for a group, so the offer is no offer, as one with a mask that is not contiguous.
     */
    static String notOurs(Ipv4Address address, Ipv4Address mask) {
        String why = address.notAMachine();
        int host = address.value() & ~mask.value();
        if (why == null && mask.prefixLength() <= 30 && (host == 0 || host == ~mask.value())) {
            why = "it is the " + (host == 0 ? "network" : "broadcast") + " address of its subnet "
                    + new Ipv4Address(address.value() & mask.value()) + "/" + mask.prefixLength();
        }
        return why;
    }

    /**
     * Returns the gateway among option 3's {@code routers} ("routers on the client's subnet ... listed in order of
     * preference", RFC 2132 section 3.5): the first the board can send to ({@link #notAGateway}), else
     * {@link Ipv4Address#ANY}, no gateway. A server may list a router of another subnet first (one option shared by
     * several subnets), or the board's own address.
     */
    public static Ipv4Address gateway(Ipv4Address address, Ipv4Address mask, List<Ipv4Address> routers) {
        for (Ipv4Address r : routers) {
            if (notAGateway(r, address, mask) == null) {
                return r;
            }
        }
        return Ipv4Address.ANY;
    }

    /**
     * Returns why the board at {@code address}/{@code mask} cannot use {@code router} as its gateway, or null when it can:
     * a datagram for another network "has to be routed to a gateway on a connected network" (RFC 1122 section 3.3.1), so
     * the router must be a host of the board's own subnet: not the board itself, not the subnet's network or broadcast
     * address (no host has those, RFC 1122 section 3.2.1.3; on a /31 or /32 there are none), nor an address no machine has.
     */
    public static String notAGateway(Ipv4Address router, Ipv4Address address, Ipv4Address mask) {
        if (!router.equals(address) && !router.sameSubnet(address, mask)) {
            return "not on the subnet " + new Ipv4Address(address.value() & mask.value()) + "/" + mask.prefixLength();
        }
        return notAHost(router, address, mask);
    }

    /**
     * Returns why the board at {@code address}/{@code mask} cannot send to {@code host} as to one machine, or null when
     * it can: {@code host} is the board's own address, its subnet's network or broadcast address (on a /31 or /32 there
     * are none), or an address no machine has ({@link Ipv4Address#notAMachine}).
     */
    public static String notAHost(Ipv4Address host, Ipv4Address address, Ipv4Address mask) {
        if (host.equals(address)) {
            return "the board's own address";
        }
        int part = host.value() & ~mask.value();
        if (host.sameSubnet(address, mask) && mask.prefixLength() <= 30 && (part == 0 || part == ~mask.value())) {
            return part == 0 ? "the subnet's network address" : "the subnet's broadcast address";
        }
        String why = host.notAMachine();
        return why == null ? null : why.replaceFirst("^it is ", "");
    }

    /**
     * Returns the broadcast address of {@code address}'s subnet: option 28 when the server sent one that lies in the
     * subnet and is not our own address (the 4.2BSD all-zeros host part, RFC 1122 section 3.3.6, is such a value),
     * else the all-ones host part. A broadcast address outside the subnet would make the board take other subnets'
     * datagrams for its own, and our own address would make it take its unicasts for broadcasts: neither is used.
     */
    static Ipv4Address broadcast(Ipv4Address address, Ipv4Address mask, Optional<Ipv4Address> option28) {
        int a = address.value();
        int m = mask.value();
        Ipv4Address allOnes = new Ipv4Address(a | ~m);
        if (option28.isEmpty() || m == -1) {
            return allOnes;
        }
        int b = option28.get().value();
        return (b & m) == (a & m) && b != a ? option28.get() : allOnes;
    }

    /** Returns the class A/B/C mask of {@code a}, the RFC 950-era default when option 1 is absent. */
    static Ipv4Address classfulMask(Ipv4Address a) {
        int top = a.value() >>> 24;
        if (top < 128) {
            return Ipv4Address.parse("255.0.0.0");
        }
        return top < 192 ? Ipv4Address.parse("255.255.0.0") : Ipv4Address.parse("255.255.255.0");
    }

    /** Returns the TFTP server. */
    public Ipv4Address server() {
        return boot.server();
    }

    /** Returns the boot file. */
    public String bootFile() {
        return boot.file();
    }
}
