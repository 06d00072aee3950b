package dev.netboot.emulator;

import dev.netboot.link.Link;
import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStack;
import dev.netboot.wire.MacAddress;
import java.util.Objects;

/**
 * The server host of a {@link Scenario} on any {@link Link}, not only an emulated segment: the project's own
 * {@link NetStack} with the scenario's server address, netmask and gateway, and the same {@link DhcpServer} (or
 * {@link BootpServer}, as {@link DhcpSettings.Answers} says) and {@link TftpServer} an {@link EmulatedLan} runs,
 * with the scenario's pool, boot file, lease times and TFTP settings (its wait for an ACK doubling after each
 * retransmission left unanswered, up to {@link #longestWait}: {@link RetryTimer}), RFC 2090 multicast where the scenario says
 * {@code [tftp] multicast = yes} itself ({@link #offered}; write requests refused with ERROR 2: an
 * upload would stay in this process's memory, unread). {@code netboot serve} puts it on a raw
 * socket, so a real board boots from the emulator's servers; a caller polls it with the time (real or
 * virtual), as any {@link SimNode}.
 *
 * <p>A {@code [relay]} is a subnet behind a real relay agent (RFC 1542): its requests, by their giaddr, get its pool,
 * mask and router, and the server reaches it through {@code router-server-address}, its gateway. What else the
 * scenario describes beyond the server host (other DHCP servers, a ProxyDHCP server, plain hosts) is the emulated
 * segment's, not a real wire's: the caller checks {@link #emulatorOnly(Scenario)} and refuses such a scenario (the
 * segment's latency and rate are the caller's to make on its wire, or refuse). TFTP transfer IDs come from
 * {@code Seeds.random(seed, "tftp-ports")}, as on the emulator; DATA is handed to the link as fast as it
 * takes it (a link that has no room says so, and the session sends again on a later poll).
 */
public final class WireServers implements SimNode {
    /**
     * The TFTP server's longest wait for an ACK (ns) where the scenario says none ({@code [tftp] max-timeout}): past the
     * 5 s after which atftp, the tftp-hpa client and U-Boot send their ACK again; a timeout longer than this is kept as
     * it is.
     */
    public static final long LONGEST_WAIT = 8_000_000_000L;

    private final NetStack stack;
    private final BootpServer bootp;
    private final DhcpServer dhcp;
    private final TftpServer tftp;

    private WireServers(Link link, MacAddress mac, Scenario sc) {
        // A server host's stack, as on the emulator (ServerHost): an ARP entry per client and a UDP port per transfer;
        // a board's 16 of each turned a rack's boards away with "Server busy".
        this.stack = new NetStack(link, NetConfig.SERVERS.withCapacity(ServerHost.SERVER_ARP_ENTRIES, ServerHost.SERVER_BINDINGS), mac);
        stack.configure(sc.serverIp(), sc.netmask(), sc.serverGateway());
        boolean bootpOnly = sc.dhcp().answers() == DhcpSettings.Answers.BOOTP;
        if (bootpOnly) {
            this.bootp = new BootpServer(stack, sc.bootpConfig());
            this.dhcp = null;
            stack.bind(BootpServer.PORT, bootp);
        } else {
            this.bootp = null;
            this.dhcp = new DhcpServer(stack, sc.bootpConfig(), sc.dhcp());
            stack.bind(DhcpServer.PORT, dhcp);
        }
        // Uploads are refused (ERROR 2): the emulator keeps them in memory for its tests, where nobody reads them here.
        // The scenario's [tftp] max-transfers and when-full hold as on the emulator. Where it says [tftp] multicast = yes
        // itself (the emulator offers multicast by default; a real wire's clients get it only where asked for), a
        // request for RFC 2090 multicast joins the transfer sending the file to a group (the stack sends to the group's
        // Ethernet address, TTL 1: RFC 1112 sections 6.1 and 6.4); else the option is left unanswered, as RFC 2090 lets
        // a server do.
        // Its wait for an ACK doubles after each retransmission left unanswered, up to LONGEST_WAIT unless the scenario
        // says otherwise (RetryTimer): real clients are here, and atftp, its ACK and its one extra ACK lost, waits for a
        // silence of 5 s before it speaks.
        this.tftp = new TftpServer(stack, sc.tftpConfig().withWrites(false).withMaxTimeout(longestWait(sc)),
                Seeds.random(sc.seed(), "tftp-ports"), TxPacer.NONE)
                .limit(sc.fleet().tftpLimits()).offerMulticast(offered(sc));
        stack.bind(TftpServer.PORT, tftp);
    }

    /**
     * Starts the server host of {@code scenario} on {@code link}, answering as {@code mac} (normally the link's
     * own address: a NIC hands the host only frames for its own address unless it is promiscuous).
     *
     * @throws IllegalArgumentException when the scenario describes machines only the emulator has ({@link #emulatorOnly})
     */
    public static WireServers start(Link link, MacAddress mac, Scenario scenario) {
        String other = emulatorOnly(scenario);
        if (other != null) {
            throw new IllegalArgumentException(other);
        }
        return new WireServers(Objects.requireNonNull(link, "link"), Objects.requireNonNull(mac, "mac"), scenario);
    }

    /**
     * Returns what in {@code scenario} only an emulated segment has (more DHCP servers, a ProxyDHCP server, plain
     * hosts, more TFTP servers), said in one phrase, or null when it describes the server host alone (with, maybe, a
     * subnet behind a relay agent).
     */
    public static String emulatorOnly(Scenario scenario) {
        if (!scenario.neighbours().none()) {
            return "its other DHCP servers, ProxyDHCP server or hosts are emulated machines (only the server host runs here)";
        }
        if (!scenario.fleet().tftpHosts().isEmpty()) {
            return "its [tftp-server " + scenario.fleet().tftpHosts().get(0).name() + "] is an emulated machine (only the server host"
                    + " runs here; on a real network, run more TFTP servers and name them from the DHCP server)";
        }
        return null;
    }

    /**
     * Returns the TFTP server's longest wait for an ACK (ns): the scenario's {@code [tftp] max-timeout} where it says
     * one (0: every wait is the timeout), else {@link #LONGEST_WAIT}, whatever the emulator's default (a fixed wait).
     */
    public static long longestWait(Scenario scenario) {
        return scenario.tftpMaxTimeout() < 0 ? LONGEST_WAIT : scenario.tftpMaxTimeout();
    }

    /**
     * Returns the groups the server host offers for RFC 2090 multicast: the scenario's where it says {@code [tftp]
     * multicast = yes} itself, else null (the option unanswered), whatever the emulator's default.
     */
    public static Scenario.Multicast offered(Scenario scenario) {
        return scenario.fleet().multicastSaid() ? scenario.fleet().multicast() : null;
    }

    /** Returns the server host's network stack. */
    public NetStack stack() {
        return stack;
    }

    /** Returns the DHCP server, or null when the scenario's server speaks BOOTP only. */
    public DhcpServer dhcp() {
        return dhcp;
    }

    /** Returns the BOOTP server, or null when the scenario's server speaks DHCP. */
    public BootpServer bootp() {
        return bootp;
    }

    /** Returns the TFTP server; serve the boot file with {@code tftp().serve(name, file)}. */
    public TftpServer tftp() {
        return tftp;
    }

    @Override
    public void poll(long now) {
        stack.poll(now);
        if (dhcp != null) {
            dhcp.poll(now);
        }
        tftp.poll(now);
    }

    @Override
    public long pollAt() {
        long at = Math.min(stack.pollAt(), tftp.pollAt());
        return dhcp == null ? at : Math.min(at, dhcp.pollAt());
    }
}
