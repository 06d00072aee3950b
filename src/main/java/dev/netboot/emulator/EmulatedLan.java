package dev.netboot.emulator;

import dev.netboot.wire.MacAddress;

/**
 * The network of a {@link Scenario}, ready to run: a simulation, one segment, and a server host
 * running BOOTP and TFTP. The caller serves the image ({@code tftp().serve(...)}), attaches the
 * device ({@link #attach}), adds its node to {@link #simulation()}, and runs.
 *
 * <p>Random streams: the segment's faults from {@code Seeds.derive(seed, "segment")}, the TFTP
 * transfer IDs from {@code Seeds.random(seed, "tftp-ports")}.
 */
public final class EmulatedLan {
    private final Scenario scenario;
    private final Simulation simulation;
    private final EthernetSegment segment;
    private final ServerHost server;
    private final BootpServer bootp;
    private final TftpServer tftp;

    private EmulatedLan(Scenario sc) {
        this.scenario = sc;
        this.simulation = new Simulation();
        this.segment = simulation.newSegment(sc.latencyNanos(), sc.faults(), Seeds.derive(sc.seed(), "segment"));
        this.server = new ServerHost(segment, sc.serverMac(), sc.serverIp(), sc.netmask(), sc.gateway());
        this.bootp = server.startBootp(sc.bootpConfig());
        this.tftp = server.startTftp(sc.tftpConfig(), Seeds.random(sc.seed(), "tftp-ports"));
        simulation.add(server);
    }

    /** Builds the network of {@code scenario}; the server host is the simulation's first node. */
    public static EmulatedLan of(Scenario scenario) {
        return new EmulatedLan(scenario);
    }

    /** Attaches a new port (for the device or a test client) to the segment. */
    public EmulatedPort attach(MacAddress mac) {
        return segment.attach(mac);
    }

    /** Returns the scenario. */
    public Scenario scenario() {
        return scenario;
    }

    /** Returns the simulation. */
    public Simulation simulation() {
        return simulation;
    }

    /** Returns the segment. */
    public EthernetSegment segment() {
        return segment;
    }

    /** Returns the server host. */
    public ServerHost server() {
        return server;
    }

    /** Returns the BOOTP server. */
    public BootpServer bootp() {
        return bootp;
    }

    /** Returns the TFTP server. */
    public TftpServer tftp() {
        return tftp;
    }
}
