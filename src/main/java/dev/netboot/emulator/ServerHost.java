package dev.netboot.emulator;

import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStack;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A server machine on an emulated segment: one {@link EmulatedPort}, the project's own
 * {@link NetStack} with a static address, and services (DHCP or BOOTP, TFTP) bound to its UDP ports. A
 * poll receives frames (which runs the services' handlers), then runs the services' timers. The same class
 * makes the scenario's other machines: more DHCP servers, a ProxyDHCP server, a plain host.
 */
public final class ServerHost implements SimNode {
    /** ARP entries of a server host: a neighbour table as large as Linux's default gc_thresh3. */
    public static final int SERVER_ARP_ENTRIES = 1024 * 4;
    /** UDP ports a server host may bind: its services and one per transfer (the ephemeral range and a few). */
    public static final int SERVER_BINDINGS = 16_384 + 64;

    private final EmulatedPort port;
    private final NetStack stack;
    private final List<SimNode> services = new ArrayList<>();

    /** Attaches a host with address {@code mac} to {@code segment} and configures its stack statically. */
    public ServerHost(EthernetSegment segment, MacAddress mac, Ipv4Address address, Ipv4Address netmask,
                      Ipv4Address gateway) {
        this.port = segment.attach(mac);
        // A server talks to every client at once: an ARP entry each, a UDP port per transfer (the ephemeral range).
        this.stack = new NetStack(port, NetConfig.SERVERS.withCapacity(SERVER_ARP_ENTRIES, SERVER_BINDINGS));
        stack.configure(address, netmask, gateway);
    }

    /** Starts a BOOTP server on UDP port 67. */
    public BootpServer startBootp(BootpServerConfig config) {
        BootpServer s = new BootpServer(stack, config);
        stack.bind(BootpServer.PORT, s);
        return s;
    }

    /** Starts a DHCP server on UDP port 67, answering as {@code settings} say. */
    public DhcpServer startDhcp(BootpServerConfig config, DhcpSettings settings) {
        DhcpServer s = new DhcpServer(stack, config, settings);
        stack.bind(DhcpServer.PORT, s);
        services.add(s);
        return s;
    }

    /** Starts a ProxyDHCP server on UDP ports 67 and 4011. */
    public ProxyDhcpServer startProxyDhcp(Neighbours.Proxy config) {
        return new ProxyDhcpServer(stack, config);
    }

    /** Starts a TFTP read server on UDP port 69; {@code ports} picks each session's transfer ID. */
    public TftpServer startTftp(TftpServerConfig config, RandomGenerator ports) {
        TftpServer s = new TftpServer(stack, config, ports, TxPacer.of(port));
        stack.bind(TftpServer.PORT, s);
        services.add(s);
        return s;
    }

    /** Adds a service whose timers this host runs after each receive. */
    public void addService(SimNode service) {
        services.add(service);
    }

    /** Returns the host's network stack (for binding more services). */
    public NetStack stack() {
        return stack;
    }

    /** Returns the host's port on the segment. */
    public EmulatedPort port() {
        return port;
    }

    /** Returns the host's address. */
    public Ipv4Address address() {
        return stack.address();
    }

    @Override
    public void poll(long now) {
        stack.poll(now);
        for (SimNode s : services) {
            s.poll(now);
        }
    }

    @Override
    public long pollAt() {
        long at = stack.pollAt();
        for (SimNode s : services) {
            at = Math.min(at, s.pollAt());
        }
        return at;
    }
}
