package dev.netboot.emulator;

import dev.netboot.tftp.TftpConfig;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.List;
import java.util.Objects;

/**
 * Everything an emulated boot needs: the wire, the server, and what BOOTP and TFTP answer. Times are
 * virtual nanoseconds. Build the network with {@link EmulatedLan#of(Scenario)}.
 *
 * <p>Without a {@link Relay} the board shares one segment with the server. With one, the board is on a
 * second segment (its own subnet) behind a {@link Router} that relays BOOTP to the server and forwards
 * TFTP; the server reaches that subnet through the router ({@link #serverGateway()}).
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
 * @param tftpMaxTimeout the TFTP server's longest wait: after each retransmission left unanswered its wait doubles, up
 *                     to this ({@link TftpServerConfig#maxTimeout()}; 0: every wait is the timeout), or -1 where the
 *                     scenario does not say: the emulator's fixed wait ({@link #tftpConfig()}), serve's own longest
 *                     ({@link WireServers#longestWait})
 * @param servedFile   the name under which the TFTP server serves the image
 * @param relay        the router and relayed subnet the board boots from, or null for none (one segment)
 * @param link         the rate and transmit queue of every port, on every segment ({@link LinkModel#INFINITE}: no
 *                     serialisation time, the emulator's original wire)
 * @param dhcp         what the server host's address server answers (DHCP, BOOTP or both) and the lease it gives
 * @param neighbours   other machines on the segment: more DHCP servers, a ProxyDHCP server, hosts (none with a relay)
 * @param tftpQuirks   how the TFTP server misbehaves ({@link TftpQuirks#NONE}: it does not)
 * @param fleet        what matters once many boards share the network: switching, pool size, the TFTP servers'
 *                     limits and multicast, more TFTP servers
 */
public record Scenario(long seed, long latencyNanos, FaultPlan faults, MacAddress serverMac, Ipv4Address serverIp,
                       Ipv4Address netmask, Ipv4Address gateway, List<Ipv4Address> dns, Ipv4Address clientIp,
                       String bootFile, BootpServerConfig.Announce announce, Ipv4Address tftpServer, long tftpTimeout,
                       int tftpRetries, long tftpMaxTimeout, String servedFile, Relay relay, LinkModel link,
                       DhcpSettings dhcp, Neighbours neighbours, TftpQuirks tftpQuirks, FleetSettings fleet) {
    /** Addresses in the BOOTP pool, starting at {@code clientIp}, unless {@link FleetSettings#poolSize()} says otherwise. */
    public static final int POOL_SIZE = 16;

    /**
     * The multicast group a TFTP server offers for RFC 2090 transfers: each file being sent takes the next free
     * group of {@code groups} from {@code firstGroup} (atftpd's {@code --mcast-addr 239.239.239.0-255}), its DATA
     * sent to {@code port} (atftpd's {@code --mcast-port}; 1758 is IANA's tftp-mcast).
     *
     * @param firstGroup the first group address (224.0.0.0/4)
     * @param groups     how many groups from it, 1..256
     * @param port       the UDP port of the group's DATA
     */
    public record Multicast(Ipv4Address firstGroup, int groups, int port) {
        /** 239.255.0.1 (organisation-local scope), 16 groups, port 1758. */
        public static final Multicast DEFAULT = new Multicast(Ipv4Address.parse("239.255.0.1"), 16, 1758);

        /** Checks the group range and port. */
        public Multicast {
            int first = firstGroup.value() >>> 28;
            long last = (firstGroup.value() & 0xFFFF_FFFFL) + groups - 1;
            // 224.0.0.0/24 is the local network control block (RFC 5771: all hosts, all routers, routing protocols), every
            // host already in 224.0.0.1 (RFC 1112): no place for a file's DATA.
            boolean control = (firstGroup.value() >>> 8) == 0xE0_00_00;
            if (first != 0xE || control || groups < 1 || groups > 256 || (last >>> 28) != 0xE || port < 1 || port > 65535) {
                throw new IllegalArgumentException("multicast " + firstGroup + " x " + groups + " port " + port
                        + " (expected: groups within 224.0.0.0/4 past 224.0.0.255, the local control block, 1..256 of them,"
                        + " port 1..65535)");
            }
        }
    }

    /**
     * Another TFTP server host on the server's segment, serving the same files; the DHCP server names the
     * TFTP servers in turn, one client after another (as several pools, each with its own next-server).
     *
     * @param name    the scenario's name for it
     * @param mac     its MAC
     * @param address its address, in the server's subnet
     */
    public record TftpHost(String name, MacAddress mac, Ipv4Address address) {
    }

    /**
     * A router between the server's segment and a client segment, relaying BOOTP (RFC 1542) to the
     * server: the seed's "router as a proxy for a true BOOTP server". The client segment has the same
     * latency, link rate and faults as the server's.
     *
     * @param clientSubnet    the client segment's network address (e.g. 10.0.1.0)
     * @param clientNetmask   its mask (option 1 for relayed clients)
     * @param routerClientIp  the router's address on the client segment: giaddr, and option 3 for relayed clients
     * @param routerClientMac the router's MAC on the client segment
     * @param routerServerIp  the router's address on the server's segment: the server host's gateway
     * @param routerServerMac the router's MAC on the server's segment
     * @param clientIp        the address BOOTP gives the first relayed client; later ones get the next
     * @param maxHops         the relay drops requests with more hops than this (RFC 1542 section 4.1.1; 0..16)
     */
    public record Relay(Ipv4Address clientSubnet, Ipv4Address clientNetmask, Ipv4Address routerClientIp,
                        MacAddress routerClientMac, Ipv4Address routerServerIp, MacAddress routerServerMac,
                        Ipv4Address clientIp, int maxHops) {
        /**
         * Client subnet 10.0.1.0/24, router 10.0.1.1 at 02:00:00:00:01:01 and 10.0.0.254 at
         * 02:00:00:00:00:fe, first relayed client 10.0.1.42, at most 4 hops.
         */
        public static final Relay DEFAULT = new Relay(Ipv4Address.parse("10.0.1.0"), Ipv4Address.parse("255.255.255.0"),
                Ipv4Address.parse("10.0.1.1"), MacAddress.parse("02:00:00:00:01:01"), Ipv4Address.parse("10.0.0.254"),
                MacAddress.parse("02:00:00:00:00:fe"), Ipv4Address.parse("10.0.1.42"), Router.DEFAULT_MAX_HOPS);

        /** Checks the subnet and that the router and the first client are distinct hosts in it. */
        public Relay {
            int prefix = clientNetmask.prefixLength();
            if (prefix < 0 || prefix > 30) {
                throw new IllegalArgumentException("relay: client netmask " + clientNetmask + " (expected: contiguous, /30 or shorter)");
            }
            if ((clientSubnet.value() & ~clientNetmask.value()) != 0) {
                throw new IllegalArgumentException("relay: client subnet " + clientSubnet + "/" + prefix
                        + " has host bits set (expected: the network address)");
            }
            for (Ipv4Address a : List.of(routerClientIp, clientIp)) {
                int host = a.value() & ~clientNetmask.value();
                if (!a.sameSubnet(clientSubnet, clientNetmask) || host == 0 || host == ~clientNetmask.value()) {
                    throw new IllegalArgumentException("relay: " + a + " is not a host address of the client subnet "
                            + clientSubnet + "/" + prefix);
                }
            }
            if (routerClientIp.equals(clientIp)) {
                throw new IllegalArgumentException("relay: the router and the first client are both " + clientIp);
            }
            if (routerClientMac.equals(routerServerMac)) {
                throw new IllegalArgumentException("relay: both router interfaces have MAC " + routerClientMac);
            }
            if (maxHops < 0 || maxHops > Router.MAX_HOPS_LIMIT) {
                throw new IllegalArgumentException("relay: max hops " + maxHops + " (expected: 0..16)");
            }
        }

        /** Returns the BOOTP pool of the relayed subnet: {@link #POOL_SIZE} addresses from {@code clientIp}, cut short as {@link #bootpSubnet(int)}. */
        public BootpServerConfig.Subnet bootpSubnet() {
            return bootpSubnet(POOL_SIZE);
        }

        /**
         * Returns the BOOTP pool of the relayed subnet: {@code size} addresses from {@code clientIp}, cut short before
         * broadcast or the router's address.
         */
        public BootpServerConfig.Subnet bootpSubnet(int size) {
            return new BootpServerConfig.Subnet(clientIp, ScenarioPools.poolLast(clientIp, clientSubnet, clientNetmask, size,
                    List.of(routerClientIp)), clientNetmask, routerClientIp);
        }
    }

    /**
     * Server 10.0.0.1/24 at 02:00:00:00:00:01, router and DNS 10.0.0.1, client 10.0.0.42, "boot.img"
     * announced in both header and options 66/67, latency 100 us, no loss, TFTP 1 s x 20, seed 1; a DHCP-only server
     * leasing for an hour, nobody else on the segment.
     */
    public static final Scenario DEFAULT = new Scenario(1, 100_000, FaultPlan.NONE, MacAddress.parse("02:00:00:00:00:01"),
            Ipv4Address.parse("10.0.0.1"), Ipv4Address.parse("255.255.255.0"), Ipv4Address.parse("10.0.0.1"),
            List.of(Ipv4Address.parse("10.0.0.1")), Ipv4Address.parse("10.0.0.42"), "boot.img",
            BootpServerConfig.Announce.BOTH, Ipv4Address.parse("10.0.0.1"), 1_000_000_000L, 20, -1, "boot.img", null,
            LinkModel.INFINITE, DhcpSettings.DEFAULTS, Neighbours.NONE, TftpQuirks.NONE, FleetSettings.DEFAULT);

    /** Checks ranges and copies the DNS list; the sections' addresses against each other in {@link ScenarioChecks}. */
    public Scenario {
        Objects.requireNonNull(faults);
        Objects.requireNonNull(announce);
        Objects.requireNonNull(link);
        Objects.requireNonNull(dhcp);
        Objects.requireNonNull(neighbours);
        Objects.requireNonNull(tftpQuirks);
        Objects.requireNonNull(fleet);
        dns = List.copyOf(dns);
        if (latencyNanos < 0 || tftpTimeout <= 0 || tftpRetries < 0) {
            throw new IllegalArgumentException("scenario: latency " + latencyNanos + " ns, TFTP timeout " + tftpTimeout
                    + " ns, retries " + tftpRetries + " (expected: latency >= 0, timeout > 0, retries >= 0)");
        }
        if (tftpMaxTimeout < -1 || tftpMaxTimeout > 0 && tftpMaxTimeout < tftpTimeout) {
            throw new IllegalArgumentException("scenario: TFTP longest wait " + tftpMaxTimeout + " ns, timeout " + tftpTimeout
                    + " ns (expected: 0 for a fixed wait, -1 for the server's own, or at least the timeout)");
        }
        if (netmask.prefixLength() < 0) {
            throw new IllegalArgumentException("scenario: netmask " + netmask + " is not contiguous");
        }
        if (!clientIp.sameSubnet(serverIp, netmask)) {
            throw new IllegalArgumentException("scenario: client " + clientIp + " is not in the server's subnet "
                    + serverIp + "/" + netmask.prefixLength());
        }
        int host = clientIp.value() & ~netmask.value();
        if (host == 0 || host == ~netmask.value()) {
            throw new IllegalArgumentException("scenario: client " + clientIp + " is the subnet's " + (host == 0 ? "network" : "broadcast")
                    + " address (expected: a host address of " + serverIp + "/" + netmask.prefixLength() + ", the first of the pool)");
        }
        if (clientIp.equals(serverIp)) {
            throw new IllegalArgumentException("scenario: client " + clientIp + " is the server's own address (expected: another"
                    + " host address, the first of the pool)");
        }
        if (dev.netboot.wire.TftpText.length(bootFile) > 255) {
            throw new IllegalArgumentException("scenario: boot file name of " + dev.netboot.wire.TftpText.length(bootFile)
                    + " bytes in UTF-8 (expected: at most 255, what option 67 holds)");
        }
        new ScenarioChecks(serverMac, serverIp, netmask, gateway, clientIp, relay, neighbours, tftpQuirks, faults, fleet).check();
    }

    /** Returns the server host's gateway: the router's server-side address with a relay, else {@code gateway}. */
    public Ipv4Address serverGateway() {
        return relay != null ? relay.routerServerIp() : gateway;
    }

    /** Returns this scenario with the board behind {@code r}, or on the server's segment when null. */
    public Scenario withRelay(Relay r) {
        return new Scenario(seed, latencyNanos, faults, serverMac, serverIp, netmask, gateway, dns, clientIp, bootFile,
                announce, tftpServer, tftpTimeout, tftpRetries, tftpMaxTimeout, servedFile, r, link, dhcp, neighbours, tftpQuirks, fleet);
    }

    /** Returns this scenario with BOOTP's first client address {@code c} (later clients get the next ones). */
    public Scenario withClient(Ipv4Address c) {
        return new Scenario(seed, latencyNanos, faults, serverMac, serverIp, netmask, gateway, dns, c, bootFile,
                announce, tftpServer, tftpTimeout, tftpRetries, tftpMaxTimeout, servedFile, relay, link, dhcp, neighbours, tftpQuirks, fleet);
    }

    /** Returns this scenario with another seed. */
    public Scenario withSeed(long s) {
        return new Scenario(s, latencyNanos, faults, serverMac, serverIp, netmask, gateway, dns, clientIp, bootFile,
                announce, tftpServer, tftpTimeout, tftpRetries, tftpMaxTimeout, servedFile, relay, link, dhcp, neighbours, tftpQuirks, fleet);
    }

    /** Returns this scenario with another fault plan. */
    public Scenario withFaults(FaultPlan f) {
        return new Scenario(seed, latencyNanos, f, serverMac, serverIp, netmask, gateway, dns, clientIp, bootFile,
                announce, tftpServer, tftpTimeout, tftpRetries, tftpMaxTimeout, servedFile, relay, link, dhcp, neighbours, tftpQuirks, fleet);
    }

    /** Returns this scenario with another frame-loss probability, other faults kept. */
    public Scenario withLoss(double loss) {
        return withFaults(faults.withLoss(loss));
    }

    /** Returns this scenario with another one-way latency. */
    public Scenario withLatency(long nanos) {
        return new Scenario(seed, nanos, faults, serverMac, serverIp, netmask, gateway, dns, clientIp, bootFile,
                announce, tftpServer, tftpTimeout, tftpRetries, tftpMaxTimeout, servedFile, relay, link, dhcp, neighbours, tftpQuirks, fleet);
    }

    /** Returns this scenario with another link rate and transmit queue, on every segment. */
    public Scenario withLink(LinkModel l) {
        return new Scenario(seed, latencyNanos, faults, serverMac, serverIp, netmask, gateway, dns, clientIp, bootFile,
                announce, tftpServer, tftpTimeout, tftpRetries, tftpMaxTimeout, servedFile, relay, l, dhcp, neighbours, tftpQuirks, fleet);
    }

    /** Returns this scenario with the server host's DHCP server set up as {@code d}. */
    public Scenario withDhcp(DhcpSettings d) {
        return new Scenario(seed, latencyNanos, faults, serverMac, serverIp, netmask, gateway, dns, clientIp, bootFile,
                announce, tftpServer, tftpTimeout, tftpRetries, tftpMaxTimeout, servedFile, relay, link, d, neighbours, tftpQuirks, fleet);
    }

    /** Returns this scenario with {@code n} on the segment besides the server host. */
    public Scenario withNeighbours(Neighbours n) {
        return new Scenario(seed, latencyNanos, faults, serverMac, serverIp, netmask, gateway, dns, clientIp, bootFile,
                announce, tftpServer, tftpTimeout, tftpRetries, tftpMaxTimeout, servedFile, relay, link, dhcp, n, tftpQuirks, fleet);
    }

    /** Returns this scenario with a TFTP server that misbehaves as {@code q}. */
    public Scenario withTftpQuirks(TftpQuirks q) {
        return new Scenario(seed, latencyNanos, faults, serverMac, serverIp, netmask, gateway, dns, clientIp, bootFile,
                announce, tftpServer, tftpTimeout, tftpRetries, tftpMaxTimeout, servedFile, relay, link, dhcp, neighbours, q, fleet);
    }

    /** Returns the address of the stranger host that sends packets from another address ({@link TftpQuirks#stranger()}): the server subnet's third-last. */
    public Ipv4Address strangerIp() {
        return strangerIp(serverIp, netmask);
    }

    static Ipv4Address strangerIp(Ipv4Address serverIp, Ipv4Address netmask) {
        return new Ipv4Address((serverIp.value() | ~netmask.value()) - 2);
    }

    /** Returns this scenario with the fleet settings {@code f}. */
    public Scenario withFleet(FleetSettings f) {
        return new Scenario(seed, latencyNanos, faults, serverMac, serverIp, netmask, gateway, dns, clientIp, bootFile,
                announce, tftpServer, tftpTimeout, tftpRetries, tftpMaxTimeout, servedFile, relay, link, dhcp, neighbours, tftpQuirks, f);
    }

    /** Returns this scenario announcing the boot server and file in {@code where}. */
    public Scenario withAnnounce(BootpServerConfig.Announce where) {
        return new Scenario(seed, latencyNanos, faults, serverMac, serverIp, netmask, gateway, dns, clientIp, bootFile,
                where, tftpServer, tftpTimeout, tftpRetries, tftpMaxTimeout, servedFile, relay, link, dhcp, neighbours, tftpQuirks, fleet);
    }

    /**
     * Returns the BOOTP settings: a pool of {@link FleetSettings#poolSize()} addresses from {@code clientIp}, cut short before the
     * subnet's broadcast address and an address the server knows is taken, the same for a relayed subnet
     * ({@link ScenarioPools#bootpConfig}).
     */
    public BootpServerConfig bootpConfig() {
        return ScenarioPools.bootpConfig(this);
    }

    /** Returns the settings of the other DHCP server {@code s} ({@link ScenarioPools#neighbourConfig}). */
    BootpServerConfig neighbourConfig(Neighbours.Server s) {
        return ScenarioPools.neighbourConfig(this, s);
    }

    /**
     * Returns the TFTP server settings: this scenario's timeout, retries and longest wait (none where it does not say:
     * every wait is the timeout), well-behaved, granting any block
     * size the MTU carries and any RFC 7440 window the client asks for, up to {@link TftpConfig#MAX_WINDOW_SIZE} (a
     * larger one is granted that, as an OACK may, RFC 7440 section 3). Lock-step windows leave the wire idle
     * one round trip per window, so filling a 100 Mbit/s, 1 ms link to within 10% takes a window of ~200
     * blocks: the board's RAM for blocks out of order is the limit, not the server.
     */
    public TftpServerConfig tftpConfig() {
        return TftpServerConfig.DEFAULTS.withRetry(tftpTimeout, tftpRetries).withMaxTimeout(Math.max(0, tftpMaxTimeout))
                .withLimits(TftpConfig.MAX_BLOCK_SIZE, TftpConfig.MAX_WINDOW_SIZE).withQuirks(tftpQuirks);
    }
}
