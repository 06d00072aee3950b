package dev.netboot.emulator;

import dev.netboot.link.PcapWriter;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The network of a {@link Scenario}, ready to run: a simulation, the server's segment (and, with a
 * relay, the client's: both at the scenario's latency and {@link LinkModel}), and a server
 * host running DHCP (or BOOTP) and TFTP, and the scenario's {@link Neighbours}; with a {@link Scenario.Relay}, also a
 * client segment and a
 * {@link Router} between the two that relays BOOTP to the server. The caller serves the image
 * ({@code tftp().serve(...)}), attaches the device ({@link #attach}: on the client segment), adds its
 * node to {@link #simulation()}, and runs.
 *
 * <p>Random streams: the server segment's faults from {@code Seeds.derive(seed, "segment")}, the client
 * segment's from {@code Seeds.derive(seed, "client-segment")}, the TFTP transfer IDs from
 * {@code Seeds.random(seed, "tftp-ports")}, a misbehaving TFTP server's choices from {@code Seeds.random(seed,
 * "tftp-quirks")}. The router draws no random numbers.
 */
public final class EmulatedLan {
    /** The MAC of the host that plays the stranger for a misbehaving TFTP server ({@link TftpQuirks#stranger()}). */
    public static final MacAddress STRANGER_MAC = MacAddress.parse("02:00:00:00:00:66");
    private final Scenario scenario;
    private final Simulation simulation;
    private final EthernetSegment segment;
    private final EthernetSegment clientSegment;
    private final ServerHost server;
    private final BootpServer bootp;
    private final DhcpServer dhcp;
    private final TftpServer tftp;
    private final Router router;
    private final List<DhcpServer> otherDhcp = new ArrayList<>();
    private final List<TftpServer> tftpServers = new ArrayList<>();
    private final List<ServerHost> tftpHosts = new ArrayList<>();
    private ProxyDhcpServer proxy;
    private final ServerHost stranger;
    private EmulatedPort boardPort;
    private BackgroundTraffic background;

    private EmulatedLan(Scenario sc) {
        this.scenario = sc;
        this.simulation = new Simulation();
        this.segment = simulation.newSegment(sc.latencyNanos(), sc.link(), sc.faults(), Seeds.derive(sc.seed(), "segment"))
                .switched(sc.fleet().switched());
        this.server = new ServerHost(segment, sc.serverMac(), sc.serverIp(), sc.netmask(), sc.serverGateway());
        // A BOOTP-only server is the RFC 951 one; DHCP, with or without BOOTP, is the DHCP server.
        boolean bootpOnly = sc.dhcp().answers() == DhcpSettings.Answers.BOOTP;
        this.bootp = bootpOnly ? server.startBootp(sc.bootpConfig()) : null;
        this.dhcp = bootpOnly ? null : server.startDhcp(sc.bootpConfig(), sc.dhcp());
        this.tftp = server.startTftp(sc.tftpConfig(), Seeds.random(sc.seed(), "tftp-ports")).limit(sc.fleet().tftpLimits())
                .offerMulticast(sc.fleet().multicast());
        tftpServers.add(tftp);
        simulation.add(server);
        if (sc.tftpQuirks().any()) {
            // A misbehaving TFTP server draws from its own stream; its strangers' packets from another address come
            // from a host of their own on the server's segment.
            this.stranger = sc.tftpQuirks().stranger() > 0 ? simulation.add(new ServerHost(segment, STRANGER_MAC,
                    sc.strangerIp(), sc.netmask(), sc.serverGateway())) : null;
            tftp.misbehaveWith(Seeds.random(sc.seed(), "tftp-quirks"), stranger == null ? null : stranger.stack());
        } else {
            this.stranger = null;
        }
        for (Scenario.TftpHost h : sc.fleet().tftpHosts()) {
            ServerHost host = simulation.add(new ServerHost(segment, h.mac(), h.address(), sc.netmask(), sc.serverGateway()));
            tftpServers.add(host.startTftp(sc.tftpConfig(), Seeds.random(sc.seed(), "tftp-ports-" + h.name()))
                    .limit(sc.fleet().tftpLimits()).offerMulticast(sc.fleet().multicast()));
            tftpHosts.add(host);
        }
        if (!sc.fleet().tftpHosts().isEmpty() && dhcp != null) {
            List<Ipv4Address> turn = new ArrayList<>();
            turn.add(sc.tftpServer());
            for (Scenario.TftpHost h : sc.fleet().tftpHosts()) {
                turn.add(h.address());
            }
            dhcp.bootServersInTurn(turn);
        }
        Scenario.Relay r = sc.relay();
        if (r == null) {
            this.clientSegment = segment;
            this.router = null;
        } else {
            this.clientSegment = simulation.newSegment(sc.latencyNanos(), sc.link(), sc.faults(),
                    Seeds.derive(sc.seed(), "client-segment")).switched(sc.fleet().switched());
            this.router = simulation.add(new Router());
            Router.Interface clientSide = router.addInterface(clientSegment, r.routerClientMac(), r.routerClientIp(),
                    r.clientNetmask());
            router.addInterface(segment, r.routerServerMac(), r.routerServerIp(), sc.netmask());
            router.relayBootp(clientSide, sc.serverIp(), r.maxHops());
        }
        addNeighbours(sc);
        Background bg = sc.faults().background();
        if (bg.any()) {
            // Other machines' traffic on the board's segment, from the third stream of the seed.
            background = simulation.add(new BackgroundTraffic(clientSegment.attach(BackgroundTraffic.MAC), bg,
                    r == null ? sc.serverIp() : r.routerClientIp(), r == null ? sc.netmask() : r.clientNetmask(),
                    r == null ? sc.clientIp() : r.clientIp(), () -> boardPort == null ? null : boardPort.macAddress(),
                    Seeds.derive(sc.seed(), "background")));
        }
    }

    /** Returns how many frames the background traffic sent: broadcasts, ARP requests, datagrams to the board, flood. */
    public long[] backgroundSent() {
        return background == null ? new long[4] : background.sent();
    }

    /** Puts the scenario's other machines on the board's segment, each a host of its own, in the scenario's order. */
    private void addNeighbours(Scenario sc) {
        Neighbours n = sc.neighbours();
        for (Neighbours.Server s : n.servers()) {
            ServerHost h = simulation.add(new ServerHost(clientSegment, s.mac(), s.address(), sc.netmask(), sc.gateway()));
            DhcpServer d = h.startDhcp(sc.neighbourConfig(s), DhcpSettings.DEFAULTS.withLease(sc.dhcp().leaseSeconds()).withOfferDelay(s.offerDelay()));
            d.rogue(s.rogue());
            otherDhcp.add(d);
        }
        if (n.proxy() != null) {
            ServerHost h = simulation.add(new ServerHost(clientSegment, n.proxy().mac(), n.proxy().address(), sc.netmask(),
                    sc.gateway()));
            proxy = h.startProxyDhcp(n.proxy());
        }
        for (Neighbours.Host host : n.hosts()) {
            simulation.add(new ServerHost(clientSegment, host.mac(), host.address(), sc.netmask(), sc.gateway()));
        }
    }

    /**
     * Builds the network of {@code scenario}; the server host is the simulation's first node, the router
     * (with a relay) its second.
     */
    public static EmulatedLan of(Scenario scenario) {
        return new EmulatedLan(scenario);
    }

    /**
     * Attaches a new port (for the device or a test client) to the client segment. The first is the board's: the
     * one whose link the scenario's faults take down ({@link FaultPlan#linkDown}), and the one background traffic
     * sends its datagrams to.
     */
    public EmulatedPort attach(MacAddress mac) {
        EmulatedPort p = clientSegment.attach(mac);
        if (boardPort == null) {
            boardPort = p;
            clientSegment.boardPort(p);
        }
        return p;
    }

    /**
     * Records the frames of every segment into {@code pcap}, in transmit-time order (the simulation is
     * single-threaded and its clock only moves forward, so the two taps interleave in order). A datagram
     * the router forwards shows twice: as it arrived, and as it left with the router's MACs and TTL - 1.
     */
    public void capture(PcapWriter pcap) {
        for (EthernetSegment s : segments()) {
            s.capture(pcap);
        }
    }

    /** Returns the scenario. */
    public Scenario scenario() {
        return scenario;
    }

    /** Returns the simulation. */
    public Simulation simulation() {
        return simulation;
    }

    /** Returns the server's segment. */
    public EthernetSegment segment() {
        return segment;
    }

    /** Returns the segment boards attach to: the client segment with a relay, else the server's segment. */
    public EthernetSegment clientSegment() {
        return clientSegment;
    }

    /** Returns the distinct segments: the client segment first, then the server's (one segment without a relay). */
    public List<EthernetSegment> segments() {
        return clientSegment == segment ? List.of(segment) : List.of(clientSegment, segment);
    }

    /** Returns the board's port (the first attached), or null before one is. */
    public EmulatedPort boardPort() {
        return boardPort;
    }

    /** Returns the counters of every segment, summed. */
    public EthernetSegment.Stats wireStats() {
        long[] t = new long[10];
        for (EthernetSegment s : segments()) {
            EthernetSegment.Stats x = s.stats();
            long[] v = {x.framesSent(), x.framesDelivered(), x.droppedByLoss(), x.droppedByQueue(), x.duplicated(),
                    x.droppedByTxQueue(), x.droppedByLinkDown(), x.corrupted(), x.tampered(), x.reordered()};
            for (int i = 0; i < t.length; i++) {
                t[i] += v[i];
            }
        }
        return new EthernetSegment.Stats(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9]);
    }

    /** Returns the frames lost to the fault plan on all segments. */
    public long framesLost() {
        long n = 0;
        for (EthernetSegment s : segments()) {
            n += s.stats().droppedByLoss();
        }
        return n;
    }

    /** Returns the server host. */
    public ServerHost server() {
        return server;
    }

    /** Returns the BOOTP server, or null when the server host speaks DHCP ({@link DhcpSettings.Answers}). */
    public BootpServer bootp() {
        return bootp;
    }

    /** Returns the server host's DHCP server, or null when it speaks BOOTP only. */
    public DhcpServer dhcp() {
        return dhcp;
    }

    /** Returns the other DHCP servers of the scenario's neighbours, in its order. */
    public List<DhcpServer> otherDhcpServers() {
        return List.copyOf(otherDhcp);
    }

    /** Returns the ProxyDHCP server, or null. */
    public ProxyDhcpServer proxyDhcp() {
        return proxy;
    }

    /** Returns the host that sends a misbehaving TFTP server's packets from another address, or null ({@link TftpQuirks#stranger()}). */
    public ServerHost stranger() {
        return stranger;
    }

    /** Returns the TFTP server. */
    public TftpServer tftp() {
        return tftp;
    }

    /** Returns every TFTP server: the server host's first, then the scenario's other TFTP hosts in its order. */
    public List<TftpServer> tftpServers() {
        return List.copyOf(tftpServers);
    }

    /** Returns the scenario's other TFTP server hosts, in its order. */
    public List<ServerHost> tftpHosts() {
        return List.copyOf(tftpHosts);
    }

    /** Serves {@code content} as {@code name} on every TFTP server. */
    public void serve(String name, ServedFile content) {
        for (TftpServer t : tftpServers) {
            t.serve(name, content);
        }
    }

    /** Returns the router and BOOTP relay agent, or null when the scenario has no relay. */
    public Router router() {
        return router;
    }
}
