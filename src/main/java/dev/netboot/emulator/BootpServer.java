package dev.netboot.emulator;

import dev.netboot.net.NetStack;
import dev.netboot.net.PayloadWriter;
import dev.netboot.net.UdpHandler;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpText;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A BOOTP server (RFC 951) on UDP port 67 of a {@link ServerHost}. Every BOOTREQUEST from an
 * Ethernet client it has an address for gets a BOOTREPLY: same xid, htype, hlen, flags, ciaddr,
 * giaddr and chaddr; {@code yiaddr} from the static table or the pool; boot server and file in the
 * header and/or options 66/67; options 1, 3, 6, 12 (when set), 66, 67, End after the magic cookie.
 *
 * <p>Which pool (RFC 951 section 4: the server learns the client's network from {@code giaddr}): a
 * request without giaddr, or with a giaddr in the server's own subnet, draws from the main pool with
 * the main netmask and router; a request relayed from a giaddr in one of
 * {@link BootpServerConfig#relayedSubnets()} draws from that subnet's pool and gets its mask and
 * router; a giaddr in no known subnet gets no reply ({@link Stats#unknownSubnet()}).
 *
 * <p>Pool addresses are handed out lowest-first in order of the clients' first requests and kept
 * for the server's lifetime, so a run is reproducible. The request's own {@code file} and
 * {@code sname} fields are not consulted: every client gets {@link BootpServerConfig#bootFile()}.
 *
 * <p>Delivery (RFC 951 section 4, RFC 1542 section 5.4), first rule that applies:
 * giaddr set: to the relay agent, port 67; ciaddr set: unicast to ciaddr (with ARP); BROADCAST flag
 * set: to 255.255.255.255 at ff:ff:ff:ff:ff:ff; else unicast to yiaddr at the chaddr MAC, without
 * ARP (the client cannot answer ARP before it has an address).
 */
public final class BootpServer implements UdpHandler {
    /** The server port. */
    public static final int PORT = BootpMessage.SERVER_PORT;
    private static final int HTYPE_ETHERNET = 1;

    private final NetStack stack;
    private final BootpServerConfig config;
    private final Map<MacAddress, Ipv4Address> leases = new LinkedHashMap<>();
    private final Map<Ipv4Address, MacAddress> taken = new HashMap<>();
    // Clients whose last request went unanswered and no reply has reached since: for the pool (0.0.0.0; ISC dhcpd logs
    // "no free leases" for BOOTP too), or for a relay agent's subnet no pool serves (that agent's giaddr).
    private final Map<MacAddress, Ipv4Address> unanswered = new HashMap<>();
    private long requests, replies, ignoredReplies, malformed, wrongHardware, noAddress, relayed, unknownSubnet;

    /**
     * Counters of the server.
     *
     * @param requests       BOOTREQUESTs received (well-formed, Ethernet)
     * @param replies        BOOTREPLYs sent
     * @param ignoredReplies BOOTREPLYs received (another server's, or our own broadcast) and ignored
     * @param malformed      datagrams that did not parse as BOOTP
     * @param wrongHardware  requests with htype other than 1 (Ethernet) or hlen other than 6
     * @param noAddress      requests from clients without a static address once the pool ran out (or there is none)
     * @param relayed        requests that came through a relay agent (giaddr set)
     * @param unknownSubnet  relayed requests whose giaddr lies in no subnet the server serves (not answered)
     */
    public record Stats(long requests, long replies, long ignoredReplies, long malformed, long wrongHardware,
                        long noAddress, long relayed, long unknownSubnet) {
    }

    /** The pool, mask and router a request is served from. */
    private record Pool(Ipv4Address first, Ipv4Address last, Ipv4Address netmask, Ipv4Address router, boolean main) {
    }

    BootpServer(NetStack stack, BootpServerConfig config) {
        this.stack = stack;
        this.config = config;
    }

    /** Returns the configuration. */
    public BootpServerConfig config() {
        return config;
    }

    /** Returns the addresses handed out so far, by client, in order of first request. */
    public Map<MacAddress, Ipv4Address> leases() {
        return Map.copyOf(leases);
    }

    /** Returns whether client {@code chaddr}'s last request found no address left in the pool (and no reply went to it since). */
    public boolean refusedForPool(MacAddress chaddr) {
        Ipv4Address why = unanswered.get(chaddr);
        return why != null && why.isAny();
    }

    /**
     * Returns the relay agent (giaddr) that client {@code chaddr}'s last request came through when the server has no pool for
     * that agent's subnet (and no reply went to it since), else null.
     */
    public Ipv4Address unknownRelay(MacAddress chaddr) {
        Ipv4Address why = unanswered.get(chaddr);
        return why == null || why.isAny() ? null : why;
    }

    /** Returns a snapshot of the counters. */
    public Stats stats() {
        return new Stats(requests, replies, ignoredReplies, malformed, wrongHardware, noAddress, relayed, unknownSubnet);
    }

    @Override
    public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
        BootpMessage req;
        try {
            req = BootpMessage.parse(buf, off, len);
        } catch (MalformedPacketException e) {
            malformed++;
            return;
        }
        if (req.op() != BootpMessage.BOOTREQUEST) {
            ignoredReplies++;
            return;
        }
        if (req.htype() != HTYPE_ETHERNET || req.hlen() != MacAddress.LENGTH) {
            wrongHardware++;
            return;
        }
        requests++;
        if (!req.giaddr().isAny()) {
            relayed++;
        }
        Pool pool = poolFor(req.giaddr());
        if (pool == null) {
            unknownSubnet++;
            unanswered.put(req.chaddr(), req.giaddr());
            return;
        }
        // RFC 951 section 3: "yiaddr: 'your' (client) IP address; filled by server if client doesn't know its own address (ciaddr was 0)."
        Ipv4Address yiaddr = Ipv4Address.ANY;
        if (req.ciaddr().isAny()) {
            yiaddr = addressFor(req.chaddr(), pool);
            if (yiaddr == null) {
                noAddress++;
                unanswered.put(req.chaddr(), Ipv4Address.ANY);
                return;
            }
        }
        unanswered.remove(req.chaddr());
        BootpMessage reply = reply(req, yiaddr, pool);
        int n = reply.encodedLength();
        PayloadWriter writer = (b, o, l) -> reply.emit(b, o);
        if (!req.giaddr().isAny()) {
            stack.sendUdp(now, PORT, req.giaddr(), PORT, n, writer);
        } else if (!req.ciaddr().isAny()) {
            stack.sendUdp(now, PORT, req.ciaddr(), BootpMessage.CLIENT_PORT, n, writer);
        } else if (req.broadcast()) {
            stack.sendUdpTo(now, MacAddress.BROADCAST, PORT, Ipv4Address.BROADCAST, BootpMessage.CLIENT_PORT, n, writer);
        } else {
            stack.sendUdpTo(now, req.chaddr(), PORT, yiaddr, BootpMessage.CLIENT_PORT, n, writer);
        }
        replies++;
    }

    /**
     * Returns the pool serving a request relayed from {@code giaddr} (0.0.0.0: not relayed), or null when
     * the server knows no subnet for it.
     */
    private Pool poolFor(Ipv4Address giaddr) {
        if (giaddr.isAny() || giaddr.sameSubnet(config.serverIp(), config.netmask())) {
            return new Pool(config.poolFirst(), config.poolLast(), config.netmask(), config.router(), true);
        }
        BootpServerConfig.Subnet s = config.relayedSubnetOf(giaddr);
        return s == null ? null : new Pool(s.poolFirst(), s.poolLast(), s.netmask(), s.router(), false);
    }

    /** Builds the reply to {@code req}, not relayed, giving it {@code yiaddr}. */
    BootpMessage reply(BootpMessage req, Ipv4Address yiaddr) {
        return reply(req, yiaddr, poolFor(Ipv4Address.ANY));
    }

    private BootpMessage reply(BootpMessage req, Ipv4Address yiaddr, Pool pool) {
        Map<Integer, byte[]> opts = new LinkedHashMap<>();
        opts.put(BootpOptions.SUBNET_MASK, addresses(pool.netmask()));
        if (!pool.router().isAny()) {
            opts.put(BootpOptions.ROUTER, addresses(pool.router()));
        }
        if (!config.dns().isEmpty()) {
            opts.put(BootpOptions.DNS, addresses(config.dns().toArray(Ipv4Address[]::new)));
        }
        String hostname = config.hostnames().get(req.chaddr());
        if (hostname != null) {
            opts.put(BootpOptions.HOST_NAME, hostname.getBytes(StandardCharsets.US_ASCII));
        }
        boolean header = config.announce().inHeader();
        String file = TftpText.toCarrier(config.bootFile()); // its UTF-8 bytes, as the TFTP request will carry them
        boolean fileFits = file.length() < 128;
        if (config.announce().inOptions()) {
            opts.put(BootpOptions.TFTP_SERVER_NAME, config.tftpServer().toString().getBytes(StandardCharsets.US_ASCII));
        }
        if (!config.bootFile().isEmpty() && (config.announce().inOptions() || (header && !fileFits))) {
            opts.put(BootpOptions.BOOTFILE_NAME, file.getBytes(StandardCharsets.ISO_8859_1));
        }
        return new BootpMessage(BootpMessage.BOOTREPLY, req.htype(), req.hlen(), req.hops(), req.xid(), 0, req.flags(),
                req.ciaddr(), yiaddr, header ? config.tftpServer() : Ipv4Address.ANY, req.giaddr(), req.chaddr(), "",
                header && fileFits ? file : "", new BootpOptions(opts));
    }

    /**
     * Returns the address of {@code mac} from {@code pool}: static (any, on the main subnet; one inside the
     * subnet, on a relayed one), already leased from this pool, or the lowest free one; null when none.
     * A client that moves to another subnet gets a new lease there and gives up its old one.
     */
    private Ipv4Address addressFor(MacAddress mac, Pool pool) {
        Ipv4Address fixed = config.staticAddresses().get(mac);
        if (fixed != null && (pool.main() || fixed.sameSubnet(pool.first(), pool.netmask()))) {
            return fixed;
        }
        Ipv4Address leased = leases.get(mac);
        if (leased != null && inPool(leased, pool)) {
            return leased;
        }
        if (pool.first().isAny()) {
            return null;
        }
        for (long a = pool.first().value() & 0xFFFF_FFFFL; a <= (pool.last().value() & 0xFFFF_FFFFL); a++) {
            Ipv4Address ip = new Ipv4Address((int) a);
            if (!taken.containsKey(ip) && !config.staticAddresses().containsValue(ip)) {
                if (leased != null) {
                    taken.remove(leased);
                }
                leases.put(mac, ip);
                taken.put(ip, mac);
                return ip;
            }
        }
        return null;
    }

    private static boolean inPool(Ipv4Address ip, Pool pool) {
        return !pool.first().isAny() && ip.compareTo(pool.first()) >= 0 && ip.compareTo(pool.last()) <= 0;
    }

    private static byte[] addresses(Ipv4Address... ips) {
        ByteBuffer b = ByteBuffer.allocate(4 * ips.length);
        for (Ipv4Address ip : ips) {
            b.putInt(ip.value());
        }
        return b.array();
    }
}
