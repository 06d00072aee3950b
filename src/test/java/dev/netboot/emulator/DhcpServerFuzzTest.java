package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.DhcpMessageType;
import dev.netboot.wire.DhcpOption;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.FuzzInput;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.UdpDatagram;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the emulated DHCP server, the one {@code netboot serve} and the emulator's boots run, from hostile clients:
 * DHCP and BOOTP requests of any type with any ciaddr, giaddr, flags, requested address, server identifier, lease
 * time, maximum message size and other options, from four clients and from strangers, and raw datagrams to port
 * 67, with time between them. The server (a pool of four addresses, a static address, a relayed subnet of three) answers
 * DHCP, BOOTP or both, with or without a delay, as the input says.
 *
 * <p>Each tracked client has its own hardware address and always the same client identifier, or none, so whatever
 * rule the server uses to tell clients apart (RFC 2131 section 4.2, and dnsmasq's fallback to the hardware address),
 * two tracked clients with different hardware addresses are different clients. A stranger's requests carry
 * another hardware address and transaction ID, so its answers are never taken for a tracked client's.
 *
 * <p>Properties, checked on every reply (a port on the segment sees every frame) and at the end:
 * <ul>
 *   <li>nothing the server does throws; every reply from port 67 is a well-formed BOOTREPLY for the request's hardware
 *       address, no longer than the client allows (576 bytes, or its option 57, RFC 2131 section 2);</li>
 *   <li>every address offered or acknowledged lies in a pool, or is the static address of the hardware address it
 *       goes to; nobody else ever gets a static address;</li>
 *   <li>no address is offered or acknowledged to one client while another holds it by an unexpired lease it was
 *       acknowledged and has not released or declined (RFC 2131 section 4.3.1: "the server MUST NOT reuse");</li>
 *   <li>once the clients fall silent, the server's timers run down without spinning.</li>
 * </ul>
 */
class DhcpServerFuzzTest {
    static final long MS = 1_000_000L;
    static final long SEC = 1_000L * MS;
    static final Scenario SC = Scenario.DEFAULT;
    static final Ipv4Address SERVER = SC.serverIp();
    static final Ipv4Address POOL_FIRST = Ipv4Address.parse("10.0.0.42");
    static final Ipv4Address POOL_LAST = Ipv4Address.parse("10.0.0.45");
    static final Ipv4Address STATIC = Ipv4Address.parse("10.0.0.60");
    static final Ipv4Address ROUTER = Ipv4Address.parse("10.0.0.254");
    static final Ipv4Address RELAY = Ipv4Address.parse("10.0.1.1");
    static final Ipv4Address RELAYED_FIRST = Ipv4Address.parse("10.0.1.10");
    static final Ipv4Address RELAYED_LAST = Ipv4Address.parse("10.0.1.12");
    static final Ipv4Address NETMASK = Ipv4Address.parse("255.255.255.0");
    static final MacAddress[] MACS = {MacAddress.parse("02:00:00:00:0a:00"), MacAddress.parse("02:00:00:00:0a:01"),
        MacAddress.parse("02:00:00:00:0a:02"), MacAddress.parse("02:00:00:00:0a:03")};
    /** Each tracked client's identifier (option 61), always the same: none, none, 01+MAC, an opaque one. */
    static final DhcpOption.ClientId[] IDS = {null, null, new DhcpOption.ClientId(1, MACS[2].toBytes()),
        new DhcpOption.ClientId(0, "board-3".getBytes(java.nio.charset.StandardCharsets.US_ASCII))};
    /** The client whose hardware address has the static address. */
    static final int STATIC_CLIENT = 1;
    static final MacAddress STRANGER = MacAddress.parse("02:00:00:00:0b:99");
    static final int STRANGER_XID = 0x7e570000;
    static final Ipv4Address[] ADDRESSES = {Ipv4Address.ANY, POOL_FIRST, Ipv4Address.parse("10.0.0.43"),
        Ipv4Address.parse("10.0.0.44"), POOL_LAST, STATIC, Ipv4Address.parse("10.0.0.50"), RELAYED_FIRST, RELAY,
        Ipv4Address.parse("10.0.2.7"), SERVER, Ipv4Address.BROADCAST};

    enum Op { WAIT, MESSAGE, STRANGER, RAW }

    /** {@code -Dnetboot.fuzz.trace=true}: print every message sent and every reply (to read a finding). */
    static final boolean TRACE = Boolean.getBoolean("netboot.fuzz.trace");

    static int xid(int client) {
        return 0x5eed0000 + client;
    }

    // ------------------------------------------------------------------ seeds

    /** Writes scripts in {@link Run}'s format. */
    static final class Script {
        final FuzzInput.Script s = new FuzzInput.Script();

        /** Header: DHCP only, a 60 s lease, renewals answered, no offer delay, no size limit of the server's own. */
        Script header() {
            return op(0).op(0).op(0).op(0).op(1);
        }

        Script op(int v) {
            s.u8(v);
            return this;
        }

        Script waitMs(int ms) {
            return op(Op.WAIT.ordinal()).op(ms).op(0);
        }

        /**
         * A message of {@code type} (a {@link DhcpMessageType.Known} code, 0: BOOTP) from client {@code c}, broadcast
         * flag set, with ciaddr and requested address {@code ADDRESSES[ciaddr]} and {@code ADDRESSES[requested]}
         * (0: none) and our server identifier when {@code serverId}.
         */
        Script message(int c, int type, int ciaddr, int requested, boolean serverId) {
            op(Op.MESSAGE.ordinal()).op(c).op(type).op(1).op(ciaddr).op(0).op(requested).op(serverId ? 1 : 0).op(0).op(0);
            return op(0).op(0); // secs

        }

        byte[] build() {
            return s.build();
        }
    }

    static Stream<Arguments> seeds() {
        int discover = DhcpMessageType.Known.DISCOVER.value();
        int request = DhcpMessageType.Known.REQUEST.value();
        int release = DhcpMessageType.Known.RELEASE.value();
        List<byte[]> s = new ArrayList<>();
        // Client 0: DISCOVER, REQUEST .42 from us: bound. Client 2 the same: .43. Client 1: its static address.
        s.add(new Script().header().message(0, discover, 0, 0, false).waitMs(5).message(0, request, 0, 1, true).waitMs(5)
                .message(2, discover, 0, 0, false).waitMs(5).message(2, request, 0, 2, true).waitMs(5)
                .message(1, discover, 0, 0, false).waitMs(5).message(1, request, 0, 5, true).waitMs(5).build());
        // Client 3 binds .42, releases it, client 0 binds it then.
        s.add(new Script().header().message(3, discover, 0, 0, false).waitMs(5).message(3, request, 0, 1, true).waitMs(5)
                .message(3, release, 1, 0, true).waitMs(5).message(0, discover, 0, 0, false).waitMs(5)
                .message(0, request, 0, 1, true).waitMs(5).build());
        return s.stream().map(x -> arguments((Object) x));
    }

    /** The seeds bind as RFC 2131 says, so the fuzzer starts from bound clients. */
    @Test
    void seedsBindTheirClients() {
        List<byte[]> seeds = seeds().map(a -> (byte[]) a.get()[0]).toList();
        Run a = new Run(new FuzzInput(seeds.get(0)));
        a.run();
        assertEquals(List.of(POOL_FIRST), a.acked.get(0));
        assertEquals(List.of(Ipv4Address.parse("10.0.0.43")), a.acked.get(2));
        assertEquals(List.of(STATIC), a.acked.get(1));
        Run b = new Run(new FuzzInput(seeds.get(1)));
        b.run();
        assertEquals(List.of(POOL_FIRST), b.acked.get(3));
        assertEquals(List.of(POOL_FIRST), b.acked.get(0)); // released by client 3 first
    }

    @MethodSource("seeds")
    @FuzzTest
    void serve(byte[] input) {
        new Run(new FuzzInput(input)).run();
    }

    /**
     * The server as {@code netboot serve} runs it on a real LAN ({@link DhcpServer#bound}: offers yield their address when
     * the pool has none free, lapsed bindings are forgotten, two refused clients remembered): the same properties.
     */
    @MethodSource("seeds")
    @FuzzTest
    void serveBounded(byte[] input) {
        new Run(new FuzzInput(input), true).run();
    }

    // ------------------------------------------------------------------ one run

    /** A lease the model knows of: who holds an address, since when its DHCPACK was on the wire, until when (ns). */
    record Held(int client, long since, long until) {
    }

    static final class Run {
        static final long[] LEASES = {60, 3600, 10, 1};
        final FuzzInput in;
        final Simulation sim = new Simulation();
        final DhcpServer dhcp;
        final DhcpSettings settings;
        final TestClient sender;
        final List<Heard> seen = new ArrayList<>();
        final Map<Ipv4Address, Held> held = new HashMap<>();
        final Map<Integer, List<Ipv4Address>> acked = new LinkedHashMap<>();
        /** Per tracked client: when it last sent a RELEASE, a DECLINE or a REQUEST naming another server. */
        final Map<Integer, Long> letGo = new HashMap<>();
        int largestAllowed;

        Run(FuzzInput in) {
            this(in, false);
        }

        Run(FuzzInput in, boolean bounded) {
            this.in = in;
            DhcpSettings.Answers answers = DhcpSettings.Answers.values()[in.below(3)];
            long lease = LEASES[in.below(LEASES.length)];
            DhcpSettings.Renewals renewals = DhcpSettings.Renewals.values()[in.below(DhcpSettings.Renewals.values().length)];
            long delay = in.below(4) * 300 * MS;
            int maxMessage = in.bool() ? 0 : 576 + in.u8() * 3; // 576..1341 (the server takes up to 1500)
            settings = new DhcpSettings(answers, lease, -1, -1, delay, maxMessage, false, renewals);
            largestAllowed = Math.max(576, maxMessage);
            BootpServerConfig config = new BootpServerConfig(SERVER, Map.of(MACS[STATIC_CLIENT], STATIC), POOL_FIRST, POOL_LAST,
                    NETMASK, ROUTER, List.of(SERVER), Map.of(MACS[2], "board-two"), "boot.img", SERVER,
                    BootpServerConfig.Announce.BOTH,
                    List.of(new BootpServerConfig.Subnet(RELAYED_FIRST, RELAYED_LAST, NETMASK, RELAY)));
            EthernetSegment seg = sim.newSegment(SC.latencyNanos(), FaultPlan.NONE, 1);
            ServerHost host = sim.add(new ServerHost(seg, SC.serverMac(), SERVER, NETMASK, ROUTER));
            dhcp = host.startDhcp(config, settings);
            if (bounded) {
                dhcp.bound(2);
            }
            // The router answers ARP for itself, so replies through it (to a relay's giaddr) go on the wire.
            TestClient router = new TestClient(seg, MacAddress.parse("02:00:00:00:0c:fe"));
            router.stack.configure(ROUTER, NETMASK, Ipv4Address.ANY);
            sim.add(router);
            sender = sim.add(new TestClient(seg, MacAddress.parse("02:00:00:00:0c:01")));
            sim.add(new Sniffer(seg.attach(MacAddress.parse("02:00:00:00:0c:ff")), seen));
        }

        void run() {
            if (TRACE) {
                System.out.println("=== a run: " + settings);
            }
            int ops = 0;
            while (in.more() && ops++ < 300) {
                switch (Op.values()[in.below(Op.values().length)]) {
                    case WAIT -> {
                        int ms = in.u8();
                        sim.runFor((in.bool() ? ms * 1000L : ms) * MS);
                    }
                    case MESSAGE -> {
                        int c = in.below(MACS.length);
                        send(message(xid(c), MACS[c], IDS[c]));
                    }
                    case STRANGER -> {
                        // Its identifier's type is none of the tracked clients' (0 and 1): it is never taken for one.
                        int idType = 2 + in.u8() % 250;
                        byte[] id = in.bytes(1 + in.u8() % 16);
                        send(message(STRANGER_XID, STRANGER, in.bool() && id.length > 0 ? new DhcpOption.ClientId(idType, id) : null));
                    }
                    case RAW -> {
                        byte[] raw = in.bytes(in.u16() % 700);
                        if (raw.length >= 34) { // a stranger's transaction and hardware address, whatever else it says
                            ByteBuffer.wrap(raw).putInt(4, STRANGER_XID);
                            System.arraycopy(STRANGER.toBytes(), 0, raw, 28, MacAddress.LENGTH);
                        }
                        sender.send(sim.now(), 68, Ipv4Address.BROADCAST, 67, raw);
                    }
                }
                check();
            }
            long polls = sim.polls();
            sim.runFor(3_600 * SEC);
            check();
            assertTrue(sim.polls() - polls < 100_000, "the server spun: " + (sim.polls() - polls) + " polls in a quiet hour");
        }

        /** A request of the fuzzer's choosing from {@code chaddr} with transaction {@code xid} and identifier {@code id}. */
        private byte[] message(int xid, MacAddress chaddr, DhcpOption.ClientId id) {
            int type = in.below(10); // 0: BOOTP (no option 53); 1..8: RFC 2132's types; 9: an unknown one
            int flags = in.bool() ? BootpMessage.FLAG_BROADCAST : 0;
            Ipv4Address ciaddr = ADDRESSES[in.below(ADDRESSES.length)];
            Ipv4Address giaddr = in.below(4) == 3 ? ADDRESSES[in.below(ADDRESSES.length)] : Ipv4Address.ANY;
            Map<Integer, byte[]> options = new LinkedHashMap<>();
            if (type > 0) {
                options.put(DhcpOption.MESSAGE_TYPE, new byte[] {(byte) (type == 9 ? 200 : type)});
            }
            if (id != null) {
                options.put(DhcpOption.CLIENT_ID, encode(id));
            }
            int requested = in.below(ADDRESSES.length);
            if (requested > 0) {
                options.put(DhcpOption.REQUESTED_ADDRESS, bytes(ADDRESSES[requested]));
            }
            switch (in.below(3)) {
                case 1 -> options.put(DhcpOption.SERVER_ID, bytes(SERVER));
                case 2 -> options.put(DhcpOption.SERVER_ID, bytes(ADDRESSES[in.below(ADDRESSES.length)]));
                default -> { }
            }
            int extra = in.below(4);
            for (int i = 0; i < extra; i++) {
                int code = 1 + in.below(254);
                byte[] value = in.bytes(in.u8() % 64);
                if (code == DhcpOption.MAX_MESSAGE_SIZE && value.length == 2) {
                    largestAllowed = Math.max(largestAllowed, ((value[0] & 0xFF) << 8) | (value[1] & 0xFF));
                }
                if (code == DhcpOption.MESSAGE_TYPE || code == DhcpOption.CLIENT_ID) {
                    continue; // the tracked clients' identities stay theirs
                }
                options.put(code, value);
            }
            BootpMessage m = new BootpMessage(BootpMessage.BOOTREQUEST, 1, 6, in.below(4) == 3 ? in.u8() : 0, xid, in.u16(), flags,
                    ciaddr, Ipv4Address.ANY, Ipv4Address.ANY, giaddr, chaddr, "", "", new BootpOptions(options));
            byte[] b = new byte[m.encodedLength()];
            m.emit(ByteBuffer.wrap(b), 0);
            if (TRACE) {
                System.out.printf("%12.6f -> %s%n", sim.now() / 1e9, m);
            }
            noteRequest(xid, chaddr, type, ciaddr, giaddr, options);
            return b;
        }

        private static byte[] bytes(Ipv4Address a) {
            byte[] b = new byte[Ipv4Address.LENGTH];
            a.write(ByteBuffer.wrap(b), 0);
            return b;
        }

        private static byte[] encode(DhcpOption.ClientId id) {
            byte[] v = id.id();
            byte[] b = new byte[1 + v.length];
            b[0] = (byte) id.type();
            System.arraycopy(v, 0, b, 1, v.length);
            return b;
        }

        /**
         * A RELEASE or DECLINE ends the sender's own leases in the model; a request naming another server may end them
         * too. A DECLINE of another client's address ends nothing (RFC 2131 4.3.3: a client declines what it was given).
         */
        private void noteRequest(int xid, MacAddress chaddr, int type, Ipv4Address ciaddr, Ipv4Address giaddr,
                                 Map<Integer, byte[]> options) {
            int c = tracked(xid, chaddr);
            if (c < 0) {
                return;
            }
            boolean otherServer = options.get(DhcpOption.SERVER_ID) instanceof byte[] s
                    && (s.length != Ipv4Address.LENGTH || !Ipv4Address.read(ByteBuffer.wrap(s), 0).equals(SERVER));
            if (type == DhcpMessageType.Known.RELEASE.value() || type == DhcpMessageType.Known.DECLINE.value() || otherServer) {
                held.values().removeIf(h -> h.client() == c);
                letGo.put(c, sim.now());
            } else if (type == DhcpMessageType.Known.REQUEST.value() && (!ciaddr.isAny() || !giaddr.isAny())) {
                // The server may take it (its binding of the client becomes this lease) and answer at ciaddr, or at the
                // relay agent of giaddr (RFC 2131 4.1), which nobody here may answer ARP for: the model never sees that
                // DHCPACK, so what the client held before is no longer known to be held (a BOOTP binding, for ever, may
                // now be a 60 s lease that runs out).
                letGo.put(c, sim.now());
            }
        }

        private void send(byte[] b) {
            sender.send(sim.now(), 68, Ipv4Address.BROADCAST, 67, b);
        }

        private static int tracked(int xid, MacAddress chaddr) {
            for (int c = 0; c < MACS.length; c++) {
                if (xid == xid(c) && chaddr.equals(MACS[c])) {
                    return c;
                }
            }
            return -1;
        }

        /** Checks every reply the sniffer saw since the last check. */
        private void check() {
            for (Heard heard : seen) {
                byte[] udp = heard.udp();
                BootpMessage r;
                try {
                    r = BootpMessage.parse(ByteBuffer.wrap(udp), 0, udp.length);
                } catch (MalformedPacketException e) {
                    throw new AssertionError("the server sent a malformed reply: " + e.getMessage());
                }
                assertEquals(BootpMessage.BOOTREPLY, r.op(), "op of a reply");
                assertTrue(udp.length + 28 <= largestAllowed, "a reply of " + (udp.length + 28) + " bytes, the clients allow "
                        + largestAllowed);
                DhcpMessageType type = r.options().messageType().orElse(null);
                Ipv4Address a = r.yiaddr();
                if (TRACE) {
                    System.out.printf("%12.6f <- %s %s to %s xid %x%n", heard.at() / 1e9, type, a, r.chaddr(), r.xid());
                }
                boolean offer = type == DhcpMessageType.Known.OFFER;
                boolean ack = type == DhcpMessageType.Known.ACK || type == null;
                if (a.isAny() || !(offer || ack)) {
                    continue;
                }
                boolean inPool = a.compareTo(POOL_FIRST) >= 0 && a.compareTo(POOL_LAST) <= 0
                        || a.compareTo(RELAYED_FIRST) >= 0 && a.compareTo(RELAYED_LAST) <= 0;
                if (a.equals(STATIC)) {
                    assertEquals(MACS[STATIC_CLIENT], r.chaddr(), "the static address " + STATIC + " given to another");
                } else if (!inPool) {
                    fail(type + " of " + a + ", which no pool holds, to " + r.chaddr());
                }
                int c = tracked(r.xid(), r.chaddr());
                if (r.xid() == STRANGER_XID) {
                    continue; // a stranger's: not tracked
                }
                assertTrue(c >= 0, "a reply for transaction " + Integer.toHexString(r.xid()) + " and " + r.chaddr()
                        + ", which nobody sent");
                Held h = held.get(a);
                long now = heard.at(); // when it went on the wire: replies are checked after the step that heard them
                // A lease the client let go of in the same breath as it was granted (the release sent before the ACK was
                // checked, but read by the server after the request) is not a lease the server must keep.
                boolean letGoSince = h != null && letGo.getOrDefault(h.client(), Long.MIN_VALUE) >= h.since() - MS;
                if (h != null && h.client() != c && h.until() > now && !letGoSince) {
                    fail(type + " of " + a + " to client " + c + " while client " + h.client() + " holds it until t="
                            + h.until() + " ns (now " + now + ")");
                }
                if (ack) {
                    long until = r.options().option(DhcpOption.LEASE_TIME).orElse(null) instanceof DhcpOption.LeaseTime(long s)
                            ? now + s * SEC - 10 * MS : Long.MAX_VALUE; // BOOTP: for ever
                    // A client has one address of a subnet from this server: its new lease ends the one it had there
                    // (a BOOTP binding that the client then replaced by DHCP, a lease moved to another address).
                    boolean relayed = relayed(a);
                    held.entrySet().removeIf(e -> e.getValue().client() == c && relayed(e.getKey()) == relayed
                            && !e.getKey().equals(a));
                    held.put(a, new Held(c, now, until));
                    acked.computeIfAbsent(c, k -> new ArrayList<>()).add(a);
                }
            }
            seen.clear();
        }
    }

    /** Returns whether {@code a} is in the relayed subnet's pool (else the server's own subnet's pool, or its static). */
    static boolean relayed(Ipv4Address a) {
        return a.compareTo(RELAYED_FIRST) >= 0 && a.compareTo(RELAYED_LAST) <= 0;
    }

    /** A reply the sniffer heard: when, and its UDP payload. */
    record Heard(long at, byte[] udp) {
    }

    /** A port that reads every frame on the segment (a hub) and keeps the UDP payloads sent from port 67. */
    record Sniffer(EmulatedPort port, List<Heard> out) implements SimNode {
        @Override
        public void poll(long now) {
            while (port.receive(now, (t, f, len) -> {
                try {
                    EthernetFrame eth = new EthernetFrame().wrap(f, len);
                    if (eth.etherType() != EthernetFrame.TYPE_IPV4) {
                        return;
                    }
                    Ipv4Packet ip = new Ipv4Packet().wrap(f, eth.payloadOffset(), eth.payloadLength(), true);
                    if (ip.protocol() != Ipv4Packet.PROTO_UDP) {
                        return;
                    }
                    UdpDatagram udp = new UdpDatagram().wrap(f, ip.payloadOffset(), ip.payloadLength(), ip.src(), ip.dst(), false);
                    if (udp.srcPort() != 67) {
                        return;
                    }
                    byte[] p = new byte[udp.payloadLength()];
                    f.get(udp.payloadOffset(), p);
                    out.add(new Heard(t, p));
                } catch (MalformedPacketException | IndexOutOfBoundsException e) {
                    throw new AssertionError("a frame the sniffer cannot read: " + e);
                }
            })) {
                // every frame due
            }
        }

        @Override
        public long pollAt() {
            return port.pollAt();
        }
    }
}
