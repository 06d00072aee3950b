package dev.netboot.emulator;

import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.DhcpMessageType;
import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpText;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link DhcpServer}'s replies carry (RFC 2131 section 4.3.1's table 3, by message): the fields and options of
 * a DHCPOFFER, DHCPACK or BOOTREPLY (the lease, the subnet's mask and router, the name servers, the host name, the
 * boot server and file where {@link BootpServerConfig#announce()} says), of a DHCPNAK, the boot server each client is
 * told when several take turns, and the largest message a client takes. It decides nothing about leases and sends
 * nothing: the server does both.
 */
final class DhcpReplies {
    private static final int DEFAULT_MAX_MESSAGE = DhcpOption.MIN_MAX_MESSAGE_SIZE;
    private static final int IP_UDP_HEADERS = 28;

    private final BootpServerConfig config;
    private final DhcpSettings settings;
    // Boot servers named in turn, one client after another (null: the configured one for all).
    private List<Ipv4Address> bootServers;
    private final Map<MacAddress, Ipv4Address> bootServerOf = new HashMap<>();

    DhcpReplies(BootpServerConfig config, DhcpSettings settings) {
        this.config = config;
        this.settings = settings;
    }

    /** Names {@code servers} as the boot server in turn ({@link DhcpServer#bootServersInTurn(List)}). */
    void bootServersInTurn(List<Ipv4Address> servers) {
        this.bootServers = servers.isEmpty() ? null : List.copyOf(servers);
    }

    /** Returns the boot server {@code mac} is told: its turn's, or the configured one. */
    private Ipv4Address bootServerFor(MacAddress mac) {
        if (bootServers == null || config.tftpServer().isAny()) {
            return config.tftpServer();
        }
        return bootServerOf.computeIfAbsent(mac, m -> bootServers.get(bootServerOf.size() % bootServers.size()));
    }

    /**
     * Builds a DHCPOFFER, DHCPACK ({@code type}) or BOOTREPLY ({@code type} null) giving {@code yiaddr}, on a subnet
     * of mask {@code netmask} and router {@code router} ({@link Ipv4Address#ANY}: none).
     */
    BootpMessage reply(BootpMessage req, DhcpMessageType type, Ipv4Address yiaddr, Ipv4Address netmask, Ipv4Address router,
                       boolean boot) {
        List<DhcpOption> o = new ArrayList<>();
        Ipv4Address tftp = bootServerFor(req.chaddr());
        if (type != null) {
            o.add(new DhcpOption.MessageType(type));
            o.add(new DhcpOption.ServerId(config.serverIp()));
            if (!yiaddr.isAny()) { // an answer to DHCPINFORM gives no address, so no lease
                o.add(new DhcpOption.LeaseTime(settings.leaseSeconds()));
                o.add(new DhcpOption.RenewalTime(settings.t1()));
                o.add(new DhcpOption.RebindingTime(settings.t2()));
            }
        }
        o.add(new DhcpOption.SubnetMask(netmask));
        if (!router.isAny()) {
            o.add(new DhcpOption.Router(List.of(router)));
        }
        if (!config.dns().isEmpty()) {
            o.add(new DhcpOption.DomainNameServers(config.dns()));
        }
        String hostname = config.hostnames().get(req.chaddr());
        if (hostname != null) {
            o.add(new DhcpOption.HostName(hostname));
        }
        String file = TftpText.toCarrier(config.bootFile()); // its UTF-8 bytes, as the TFTP request will carry them
        boolean inHeader = boot && config.announce().inHeader();
        boolean fileFits = file.length() < 128;
        if (boot && config.announce().inOptions() && !tftp.isAny()) {
            o.add(new DhcpOption.TftpServerName(tftp.toString()));
        }
        if (boot && !file.isEmpty() && (config.announce().inOptions() || (inHeader && !fileFits))) {
            o.add(new DhcpOption.BootfileName(file));
        }
        if (boot && settings.tftpServersOption() && !tftp.isAny() && config.announce() != BootpServerConfig.Announce.NONE) {
            o.add(new DhcpOption.TftpServers(List.of(tftp)));
        }
        return new BootpMessage(BootpMessage.BOOTREPLY, req.htype(), req.hlen(), req.hops(), req.xid(), 0, req.flags(),
                req.ciaddr(), yiaddr, inHeader && !file.isEmpty() ? tftp : Ipv4Address.ANY, req.giaddr(),
                req.chaddr(), "", inHeader && fileFits ? file : "", BootpOptions.of(o));
    }

    /** Builds the DHCPNAK of {@code req}, its option 56 saying {@code why}. */
    BootpMessage nak(BootpMessage req, String why) {
        return new BootpMessage(BootpMessage.BOOTREPLY, req.htype(), req.hlen(), req.hops(), req.xid(), 0,
                // RFC 2131 4.3.2: "If 'giaddr' is set ..., the server MUST set the broadcast bit in the DHCPNAK".
                req.flags() | (req.giaddr().isAny() ? 0 : BootpMessage.FLAG_BROADCAST), Ipv4Address.ANY, Ipv4Address.ANY,
                Ipv4Address.ANY, req.giaddr(), req.chaddr(), "", "", BootpOptions.of(
                        new DhcpOption.MessageType(DhcpMessageType.Known.NAK), new DhcpOption.ServerId(config.serverIp()),
                        new DhcpOption.Message(why)));
    }

    /**
     * Returns the largest DHCP message this client takes: its option 57 (576 without), capped by the settings, less
     * the IP and UDP headers. RFC 2131 section 2 counts the 576 as the IP datagram ("a message of up to 576 octets,
     * the minimum IP datagram size": 236 + 312 of options + 28), and ISC dhcpd reads option 57 the same way.
     */
    int maxMessage(BootpMessage req) {
        int client;
        try {
            client = req.options().option(DhcpOption.MAX_MESSAGE_SIZE).map(o -> ((DhcpOption.MaxMessageSize) o).size())
                    .orElse(DEFAULT_MAX_MESSAGE);
        } catch (MalformedPacketException e) {
            // RFC 2132 section 9.10: two octets, at least 576. A client that sends other bytes gets what every client
            // takes; a reply sent later (a slow server's offer) must not meet the request's bad option for the first time.
            client = DEFAULT_MAX_MESSAGE;
        }
        return (settings.maxMessage() == 0 ? client : Math.min(client, settings.maxMessage())) - IP_UDP_HEADERS;
    }
}
