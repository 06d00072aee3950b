package dev.netboot.emulator;

import dev.netboot.emulator.DhcpPools.Subnet;
import dev.netboot.net.NetStack;
import dev.netboot.net.UdpHandler;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.DhcpMessageType;
import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A DHCP server (RFC 2131 section 4.3) on UDP port 67 of a {@link ServerHost}, answering BOOTP requests too when
 * its settings say so (as ISC dhcpd's {@code allow bootp}). It hands out addresses from {@link AddressPool}s (the
 * server's own subnet, and subnets behind relay agents chosen by giaddr, as {@link BootpServer} does), with the
 * lease times of its {@link DhcpSettings}; the boot server and file go where {@link BootpServerConfig#announce()}
 * says, a file name too long for the 128-byte field always in option 67, and options that do not fit the
 * client's maximum message size overflow into the file and sname fields (option 52). Clients are told apart by
 * their client identifiers (option 61), by chaddr when they send none (RFC 2131 section 4.2; {@link AddressPool}).
 * Which pool serves a request, and the requests an exhausted pool left unanswered, are {@link DhcpPools}'s.
 *
 * <ul>
 * <li>DHCPDISCOVER: DHCPOFFER of the client's address (current lease, static, previous, the requested one when free
 *     in the pool, or lowest free), after the settings' offer delay.</li>
 * <li>DHCPREQUEST naming this server (SELECTING): DHCPACK when the requested address is the one offered, or free;
 *     else DHCPNAK. Naming another server: the offer is withdrawn. Without server identifier but with a requested
 *     address (INIT-REBOOT): DHCPACK for the client's lease or a free pool address; DHCPNAK for another subnet's
 *     or another client's; silence for an address outside the pool from a client it has no record of. With ciaddr
 *     (RENEWING, REBINDING): as the settings say; a renewal of an unknown lease is refused with DHCPNAK when sent to
 *     us, ignored when broadcast.</li>
 * <li>DHCPDECLINE naming this server, of the address offered or leased to its sender: the address leaves the pool
 *     for a while (of another client's address: ignored). DHCPRELEASE: the lease ends.</li>
 * <li>DHCPINFORM (a client with an address of its own): DHCPACK to ciaddr with the configuration and boot target,
 *     no address and no lease (RFC 2131 section 4.3.5).</li>
 * </ul>
 *
 * <p>Delivery is RFC 2131 section 4.1's: through the relay when giaddr is set (a DHCPNAK then with the broadcast
 * bit), unicast to ciaddr when set, broadcast when the client asked for it or for a DHCPNAK, else unicast to
 * yiaddr at chaddr without ARP.
 */
public final class DhcpServer implements UdpHandler, SimNode {
    /** The server port. */
    public static final int PORT = BootpMessage.SERVER_PORT;

    /**
     * Counters of the server.
     *
     * @param discovers    DHCPDISCOVERs received
     * @param offers       DHCPOFFERs sent
     * @param requests     DHCPREQUESTs received
     * @param acks         DHCPACKs sent (renewals included)
     * @param naks         DHCPNAKs sent
     * @param renewals     leases extended (DHCPREQUEST with ciaddr, answered)
     * @param declines     DHCPDECLINEs naming this server, of the address offered or leased to their sender
     * @param bootp        BOOTREQUESTs without option 53 answered
     * @param ignored      requests not answered: BOOTP when the server speaks DHCP only, another server's, unknown types,
     *                     a slow server's offer of an address taken by another (or declined) before it went out
     * @param malformed    datagrams that did not parse, or with a malformed option
     * @param overloaded   replies whose options ran into the file or sname field
     */
    public record Stats(long discovers, long offers, long requests, long acks, long naks, long renewals, long declines,
                        long bootp, long ignored, long malformed, long overloaded) {
    }

    /** A reply waiting for its time: a slow server's offer, of an address its subnet's pool holds for the client. */
    private record Pending(long at, BootpMessage request, BootpMessage reply, Subnet subnet, AddressPool.Client client) {
    }

    private final NetStack stack;
    private final BootpServerConfig config;
    private final DhcpSettings settings;
    private final DhcpReplies replies;
    private final DhcpPools pools;
    private final List<Pending> pending = new ArrayList<>();
    private long discovers, offers, requests, acks, naks, renewals, declines, bootp, ignored, malformed, overloaded;
    private RogueDhcp rogue = RogueDhcp.NONE;

    DhcpServer(NetStack stack, BootpServerConfig config, DhcpSettings settings) {
        this.stack = stack;
        this.config = config;
        this.settings = settings;
        this.replies = new DhcpReplies(config, settings);
        this.pools = new DhcpPools(config);
    }

    /**
     * Names {@code servers} as the boot server in turn: the first client this server answers gets the first, the
     * next the second, and so on round the list; a client keeps the one it got. Several pools each with its own
     * next-server (ISC dhcpd, kea) spread boards over TFTP servers the same way.
     */
    public void bootServersInTurn(List<Ipv4Address> servers) {
        replies.bootServersInTurn(servers);
    }

    /**
     * Returns the length of the largest reply a server of {@code config} and {@code settings} makes to a client that names
     * no largest message (576 bytes, RFC 2131 section 2, as most PXE ROMs): a DHCPACK with the lease, naming the boot
     * server and the file, for each of {@code bootServers} in turn (none: the configured one).
     *
     * @throws IllegalArgumentException when that reply does not fit even with its options in the file and sname fields
     */
    static int largestReply(BootpServerConfig config, DhcpSettings settings, List<Ipv4Address> bootServers) {
        DhcpServer s = new DhcpServer(null, config, settings);
        s.bootServersInTurn(bootServers);
        int largest = 0;
        for (int i = 0; i < Math.max(1, bootServers.size()); i++) {
            BootpMessage req = new BootpMessage(BootpMessage.BOOTREQUEST, 1, 6, 0, i, 0, 0, Ipv4Address.ANY, Ipv4Address.ANY,
                    Ipv4Address.ANY, Ipv4Address.ANY, new MacAddress(0x02_00_00_00_00_00L + i), "", "",
                    dev.netboot.wire.BootpOptions.of(new DhcpOption.MessageType(DhcpMessageType.Known.REQUEST)));
            largest = Math.max(largest, s.reply(req, DhcpMessageType.Known.ACK, config.poolFirst(), s.pools.main(), true)
                    .encodedLength(s.replies.maxMessage(req)));
        }
        return largest;
    }

    /** Returns the configuration. */
    public BootpServerConfig config() {
        return config;
    }

    /** Returns the settings. */
    public DhcpSettings settings() {
        return settings;
    }

    /** Makes this server a rogue that gets its offers and acknowledgements wrong as {@code kind} says. */
    void rogue(RogueDhcp kind) {
        this.rogue = java.util.Objects.requireNonNull(kind);
    }

    /**
     * Makes this server one on a real LAN that a flood from random MACs may reach ({@code netboot serve}): it remembers
     * the last {@code clients} clients it could not serve (for {@link #refusedForPool} and {@link #unknownRelay}), forgets
     * an offer or lease that ran out once its address goes to another client, and lets offers yield their address when
     * the pool has none free ({@link AddressPool}). The emulator's servers keep everything, as their runs are reproduced.
     */
    public void bound(int clients) {
        pools.bound(clients);
    }

    /** Returns the DHCPDISCOVERs (and BOOTREQUESTs) left unanswered because the pool had no address left for them. */
    public long poolExhausted() {
        return pools.exhausted();
    }

    /** Returns whether the last request of client {@code chaddr} found the pool exhausted (and no offer went to it since). */
    public boolean refusedForPool(MacAddress chaddr) {
        return pools.refused(chaddr);
    }

    /**
     * Returns the relay agent (giaddr) that client {@code chaddr}'s last request came through when the server has no
     * pool for that agent's subnet (a scenario without its {@code [relay]}), and no offer went to it since; else null.
     */
    public Ipv4Address unknownRelay(MacAddress chaddr) {
        return pools.unknownRelay(chaddr);
    }

    /** Returns the addresses of the main pool (the server's own subnet), first to last. */
    public int poolSize() {
        return pools.size();
    }

    /** Returns the counters. */
    public Stats stats() {
        return new Stats(discovers, offers, requests, acks, naks, renewals, declines, bootp, ignored, malformed, overloaded);
    }

    /**
     * Returns the address offered or leased on the server's own subnet to the client that last asked from hardware
     * address {@code mac}, or null. (The server tells clients apart by their client identifiers when they send one.)
     */
    public Ipv4Address addressOf(MacAddress mac) {
        AddressPool.Binding b = pools.main().pool().bindingAt(mac);
        return b == null ? null : b.address();
    }

    @Override
    public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
        BootpMessage req;
        DhcpMessageType type;
        try {
            req = BootpMessage.parse(buf, off, len);
            type = req.options().messageType().orElse(null);
            if (req.op() != BootpMessage.BOOTREQUEST || req.htype() != 1 || req.hlen() != MacAddress.LENGTH) {
                ignored++;
                return;
            }
            Subnet subnet = pools.subnetFor(req.giaddr().isAny() ? req.ciaddr() : req.giaddr());
            if (subnet == null) {
                if (!req.giaddr().isAny()) {
                    pools.noSubnet(req.chaddr(), req.giaddr());
                }
                ignored++;
                return;
            }
            handle(now, req, type, subnet, dstIp != Ipv4Address.BROADCAST.value());
        } catch (MalformedPacketException e) {
            malformed++;
        }
    }

    private void handle(long now, BootpMessage req, DhcpMessageType type, Subnet subnet, boolean unicastToUs) {
        AddressPool.Client client = AddressPool.Client.of(req);
        if (type == null) {
            if (!settings.answers().bootp()) {
                ignored++; // udhcpd: "no or bad message type option"; kea: "Option 53 missing"
                return;
            }
            Ipv4Address a = subnet.pool().offer(client, null, now);
            if (a == null) {
                pools.noAddress(req.chaddr());
            }
            if (a == null || !subnet.pool().commit(client, a, now, Long.MAX_VALUE)) {
                ignored++;
                return;
            }
            pools.offered(req.chaddr());
            bootp++;
            send(now, req, reply(req, null, a, subnet, true));
            return;
        }
        // An enum switch (a table of ordinals) rather than one over the sealed type with qualified constants, whose
        // SwitchBootstraps call site spins classes the AOT cache does not keep (issue 11).
        if (!(type instanceof DhcpMessageType.Known known)) {
            ignored++;
            return;
        }
        switch (known) {
            case DISCOVER -> {
                discovers++;
                Ipv4Address a = subnet.pool().offer(client, requested(req), now);
                if (a == null) {
                    pools.noAddress(req.chaddr());
                    ignored++;
                    return;
                }
                pools.offered(req.chaddr());
                BootpMessage offer = reply(req, DhcpMessageType.Known.OFFER, a, subnet, true);
                if (settings.offerDelay() > 0) {
                    pending.add(new Pending(now + settings.offerDelay(), req, offer, subnet, client));
                } else {
                    send(now, req, offer);
                }
                offers++;
            }
            case REQUEST -> {
                requests++;
                request(now, req, subnet, unicastToUs);
            }
            case DECLINE -> {
                if (us(serverId(req)) && req.options().option(DhcpOption.REQUESTED_ADDRESS).orElse(null)
                        instanceof DhcpOption.RequestedAddress(Ipv4Address a) && subnet.pool().decline(client, a, now)) {
                    declines++;
                } else {
                    ignored++;
                }
            }
            case RELEASE -> subnet.pool().release(client, true);
            case INFORM -> {
                if (req.ciaddr().isAny()) {
                    ignored++; // RFC 2131 4.3.5: the answer goes to ciaddr; without one there is nowhere to send it
                    return;
                }
                // RFC 2131 4.3.5: a DHCPACK with the configuration (boot server and file included), sent to ciaddr,
                // "without allocating a new address, checking for an existing binding, filling in 'yiaddr' or
                // including lease time parameters".
                acks++;
                send(now, req, reply(req, DhcpMessageType.Known.ACK, Ipv4Address.ANY, subnet, true));
            }
            default -> ignored++;
        }
    }

    private void request(long now, BootpMessage req, Subnet subnet, boolean unicastToUs) {
        AddressPool.Client client = AddressPool.Client.of(req);
        Ipv4Address serverId = serverId(req);
        Ipv4Address requested = requested(req);
        long until = now + settings.leaseSeconds() * 1_000_000_000L;
        if (serverId != null) {
            // SELECTING (RFC 2131 4.3.2): "If the DHCPREQUEST message contains a 'server identifier' option, the
            // message is in response to a DHCPOFFER message. Otherwise, the message is a request to verify or extend".
            if (!us(serverId)) {
                subnet.pool().release(client, false);
                ignored++;
                return;
            }
            if (requested != null && subnet.pool().commit(client, requested, now, until)) {
                acks++;
                send(now, req, reply(req, DhcpMessageType.Known.ACK, requested, subnet, true));
            } else {
                nak(now, req, "requested address " + (requested == null ? "missing" : requested) + " was not offered");
            }
            return;
        }
        if (requested != null && req.ciaddr().isAny()) {
            initReboot(now, req, client, requested, subnet, until);
            return;
        }
        // RENEWING (unicast to us) or REBINDING (broadcast): ciaddr names the lease.
        switch (settings.renewals()) {
            case IGNORE -> ignored++;
            case NAK -> nak(now, req, "lease not renewed");
            case REBIND, ANSWER -> {
                if (settings.renewals() == DhcpSettings.Renewals.REBIND && unicastToUs) {
                    ignored++;
                    return;
                }
                if (DhcpPools.mayRenew(now, client, req.ciaddr(), subnet.pool(), unicastToUs)
                        && subnet.pool().commit(client, req.ciaddr(), now, until)) {
                    acks++;
                    renewals++;
                    send(now, req, reply(req, DhcpMessageType.Known.ACK, req.ciaddr(), subnet, true));
                } else if (unicastToUs) {
                    nak(now, req, "lease not found");
                } else {
                    ignored++; // a rebinding client of another server
                }
            }
        }
    }

    /**
     * INIT-REBOOT (RFC 2131 4.3.2: a requested address, no server identifier, no ciaddr): a client starting again
     * with the address it remembers. "Server SHOULD send a DHCPNAK message to the client if the 'requested IP
     * address' is incorrect, or is on the wrong network", and "if the DHCP server has no record of this client, then
     * it MUST remain silent". So: its lease, or a pool address nobody else has (this server restarted and forgot the
     * lease, as ISC dhcpd with {@code authoritative} confirms it), is acknowledged; another subnet's address, or one
     * this server gives that is not the client's now, is refused; an address outside the pool from a client it has no
     * record of is another server's lease and goes unanswered (a DHCPNAK would take it from the client).
     */
    private void initReboot(long now, BootpMessage req, AddressPool.Client client, Ipv4Address requested, Subnet subnet,
                            long until) {
        if (pools.subnetFor(requested) != subnet) {
            nak(now, req, "wrong network");
        } else if (subnet.pool().commit(client, requested, now, until)) {
            acks++;
            send(now, req, reply(req, DhcpMessageType.Known.ACK, requested, subnet, true));
        } else if (subnet.pool().binding(client) != null || subnet.pool().gives(requested)) {
            nak(now, req, "wrong address");
        } else {
            ignored++;
        }
    }

    private void nak(long now, BootpMessage req, String why) {
        naks++;
        BootpMessage nak = replies.nak(req, why);
        // "If 'giaddr' is zero ..., the server broadcasts any DHCPNAK messages to 0xffffffff." A client that unicast
        // its renewal from another subnet would never hear that broadcast: it gets the NAK at ciaddr (as dnsmasq does).
        boolean distant = !req.ciaddr().isAny() && !req.ciaddr().sameSubnet(config.serverIp(), config.netmask());
        ServerReplies.send(stack, now, req, nak, req.giaddr().isAny() && !distant, replies.maxMessage(req));
    }

    /** Builds a DHCPOFFER, DHCPACK ({@code type}) or BOOTREPLY ({@code type} null) giving {@code yiaddr} on {@code subnet}. */
    private BootpMessage reply(BootpMessage req, DhcpMessageType type, Ipv4Address yiaddr, Subnet subnet, boolean boot) {
        return replies.reply(req, type, yiaddr, subnet.netmask(), subnet.router(), boot);
    }

    private void send(long now, BootpMessage req, BootpMessage reply) {
        if (rogue != RogueDhcp.NONE) {
            rogue.send(stack, now, rogue.header(reply));
            return;
        }
        if (ServerReplies.send(stack, now, req, reply, false, replies.maxMessage(req))) {
            overloaded++;
        }
    }

    /** Returns the requested IP address (option 50), or null. */
    private static Ipv4Address requested(BootpMessage req) {
        return req.options().option(DhcpOption.REQUESTED_ADDRESS).map(o -> ((DhcpOption.RequestedAddress) o).address()).orElse(null);
    }

    private Ipv4Address serverId(BootpMessage req) {
        return req.options().option(DhcpOption.SERVER_ID).map(o -> ((DhcpOption.ServerId) o).address()).orElse(null);
    }

    private boolean us(Ipv4Address id) {
        return config.serverIp().equals(id);
    }

    @Override
    public void poll(long now) {
        for (int i = 0; i < pending.size(); ) {
            Pending p = pending.get(i);
            if (now >= p.at()) {
                pending.remove(i);
                // Meanwhile the client may have released the address, and another taken it (or it was declined): an
                // offer of it now would offer what is in use (RFC 2131 section 4.3.1). It goes unsent, and the client
                // asks again. An offer the client merely turned down (a REQUEST naming another server) still goes, as
                // from a real slow server, which reads that REQUEST only after sending it.
                if (!p.subnet().pool().mayGo(p.client(), p.reply().yiaddr(), now)) {
                    offers--;
                    ignored++;
                    continue;
                }
                send(now, p.request(), p.reply());
            } else {
                i++;
            }
        }
    }

    @Override
    public long pollAt() {
        long at = Long.MAX_VALUE;
        for (Pending p : pending) {
            at = Math.min(at, p.at());
        }
        return at;
    }
}
