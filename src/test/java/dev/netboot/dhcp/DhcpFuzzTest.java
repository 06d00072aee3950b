package dev.netboot.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.netboot.bootp.BootpConfig;
import dev.netboot.net.Frames;
import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStack;
import dev.netboot.net.ScriptedLink;
import dev.netboot.wire.ArpPacket;
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
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the DHCP client (the {@link LeaseStage}: acquisition, ProxyDHCP, the RFC 5227 check, renewal) through a
 * real {@link NetStack} with checksums off: DHCP and BOOTP replies from the fuzzer's choices (message type, xid,
 * chaddr, addresses, server identifier, lease times, boot server and file, any other options), raw payloads to
 * port 68, ARP packets claiming addresses, and time.
 *
 * <p>Properties: nothing throws; {@code pollAt()} moves past now within a few polls; once the segment is silent
 * the stage ends (failed, lost, or bound for ever) within its give-up time and the longest lease it was given;
 * a bound address is one a delivered reply for our hardware address gave, and it is the stack's address; a lost
 * lease leaves the stack without one; a DHCPREQUEST that selects an offer names a server identifier and address
 * some delivered reply named together; a DHCPDECLINE only follows an ARP packet from another host claiming the
 * address.
 */
class DhcpFuzzTest {
    static final long MS = ScriptedLink.MS;
    static final long SEC = ScriptedLink.SEC;
    static final MacAddress BOARD = MacAddress.parse("02:00:00:99:00:10");
    static final MacAddress SERVER_MAC = MacAddress.parse("02:00:00:99:00:01");
    static final MacAddress OTHER_MAC = MacAddress.parse("02:00:00:99:00:66");
    static final Ipv4Address[] SERVERS = {Ipv4Address.parse("192.0.2.1"), Ipv4Address.parse("192.0.2.2"),
            Ipv4Address.parse("192.0.2.3"), Ipv4Address.ANY};
    static final Ipv4Address[] ADDRESSES = {Ipv4Address.parse("192.0.2.42"), Ipv4Address.parse("192.0.2.43"),
            Ipv4Address.parse("198.51.100.7"), Ipv4Address.ANY, Ipv4Address.BROADCAST};

    enum Op { WAIT, REPLY, PAYLOAD, ARP }

    /** Seed scripts, in {@link Run}'s reading order. */
    static final class Script {
        final FuzzInput.Script s = new FuzzInput.Script();

        /** Protocol auto, 1 s initial timeout, no jitter, 60 s give-up. */
        Script header() {
            s.u8(0).u8(0).u8(0).u8(59);
            return this;
        }

        Script waitMs(int ms) {
            s.u8(Op.WAIT.ordinal()).u8(0).u8(ms);
            return this;
        }

        /** A reply of {@code type} (0 offer, 1 ack, 3 BOOTP) for the last xid, of 192.0.2.42 from server 192.0.2.1 naming boot.img, for {@code lease} s. */
        Script reply(int type, long lease) {
            s.u8(Op.REPLY.ordinal()).u8(type).u8(0).u8(0).u8(0).u8(0).u8(0);  // type, xid, chaddr, yiaddr, siaddr, file
            s.u8(0);                                                           // server identifier 192.0.2.1
            s.u8(1).u32((int) lease);                                          // lease time
            s.u8(0);                                                           // no other options
            s.u8(0).u8(0);                                                     // from the server, to port 68
            return this;
        }

        byte[] build() {
            return s.build();
        }
    }

    static Stream<Arguments> seeds() {
        return Stream.of(
                // DHCP: offer, request, ack for an hour, two ARP probes, bound; an hour in, renewal unanswered.
                new Script().header().waitMs(50).reply(0, 3600).waitMs(255).waitMs(255).reply(1, 3600).waitMs(255).waitMs(255)
                        .waitMs(255).build(),
                // A BOOTP server: one reply without option 53.
                new Script().header().waitMs(50).reply(3, 0).waitMs(255).waitMs(255).waitMs(255).build())
                .map(b -> arguments((Object) b));
    }

    /** The seeds are good exchanges: each gets 192.0.2.42. */
    @Test
    void seedsBind() {
        for (Arguments a : seeds().toList()) {
            Run r = new Run(new FuzzInput((byte[]) a.get()[0]));
            r.steps();
            LeaseStage.State.Bound b = assertInstanceOf(LeaseStage.State.Bound.class, r.stage.state());
            assertEquals(ADDRESSES[0], b.lease().address());
            assertEquals(ADDRESSES[0], r.net.address());
            r.silence();
        }
    }

    @MethodSource("seeds")
    @FuzzTest
    void lease(byte[] input) {
        Run r = new Run(new FuzzInput(input));
        r.steps();
        r.silence();
    }

    /** One fuzzed exchange and its checks. */
    static final class Run {
        final FuzzInput in;
        final ScriptedLink link = new ScriptedLink(BOARD);
        final NetStack net = new NetStack(link, new NetConfig(4, 300 * SEC, 500 * MS, 3, 64, false));
        final BootpConfig retry;
        final DhcpConfig config;
        final LeaseStage stage;
        final Set<Integer> given = new HashSet<>();        // yiaddrs of delivered replies for our chaddr
        final Set<Long> offered = new HashSet<>();         // (server identifier, yiaddr) pairs delivered together
        final Set<Integer> claimed = new HashSet<>();      // addresses another host's ARP packet claimed
        long now = 1 * SEC;
        int xid;
        long longestLease;

        Run(FuzzInput in) {
            this.in = in;
            DhcpConfig.Protocol[] protocols = DhcpConfig.Protocol.values();
            DhcpConfig.Protocol p = protocols[in.below(protocols.length)];
            long initial = (1 + in.below(4)) * SEC;
            long jitter = in.below(2) == 0 ? 0 : initial / 2;
            long giveUp = (1 + in.below(120)) * SEC;
            retry = new BootpConfig(initial, 16 * SEC, jitter, giveUp);
            config = DhcpConfig.DEFAULTS.withProtocol(p);
            stage = new LeaseStage(net, retry, config, new SplittableRandom(5));
        }

        void steps() {
            stage.start(now);
            check();
            for (int steps = 0; in.more() && steps < 1_000; steps++) {
                switch (Op.values()[in.below(Op.values().length)]) {
                    case WAIT -> {
                        int scale = in.below(4);
                        now += in.u8() * (scale == 0 ? MS : scale == 1 ? 100 * MS : scale == 2 ? SEC : 600 * SEC);
                        pollUntilQuiet();
                    }
                    case REPLY -> deliver(reply());
                    case PAYLOAD -> deliver(Frames.udp(SERVER_MAC, MacAddress.BROADCAST, SERVERS[0], 67, Ipv4Address.BROADCAST, 68,
                            in.bytes(in.u16() % 1000)));
                    case ARP -> {
                        Ipv4Address spa = ADDRESSES[in.below(ADDRESSES.length)];
                        MacAddress sha = in.bool() ? OTHER_MAC : BOARD;
                        int op = in.bool() ? ArpPacket.REQUEST : ArpPacket.REPLY;
                        deliver(Frames.arp(sha, MacAddress.BROADCAST, new ArpPacket(op, sha, spa, MacAddress.ZERO,
                                in.bool() ? spa : ADDRESSES[in.below(ADDRESSES.length)])));
                    }
                }
                check();
            }
        }

        /** A DHCP or BOOTP reply from the fuzzer's choices (see {@link Script#reply} for the order). */
        byte[] reply() {
            List<DhcpMessageType.Known> known = List.of(DhcpMessageType.Known.OFFER, DhcpMessageType.Known.ACK,
                    DhcpMessageType.Known.NAK);
            int t = in.below(5);
            int x = in.u8() == 0 ? xid : in.u32();
            MacAddress chaddr = in.u8() == 0 ? BOARD : OTHER_MAC;
            Ipv4Address yiaddr = ADDRESSES[in.below(ADDRESSES.length)];
            Ipv4Address siaddr = SERVERS[in.below(SERVERS.length)];
            String file = switch (in.below(3)) {
                case 0 -> "boot.img";
                case 1 -> "";
                default -> new String(in.bytes(in.below(20)), StandardCharsets.ISO_8859_1).replace('\0', 'x');
            };
            Map<Integer, byte[]> options = new LinkedHashMap<>();
            if (t < 3) {
                options.put(DhcpOption.MESSAGE_TYPE, new DhcpOption.MessageType(known.get(t)).encode());
            } else if (t == 4) {
                options.put(DhcpOption.MESSAGE_TYPE, new byte[] {(byte) in.u8()});
            }
            Ipv4Address serverId = SERVERS[in.below(SERVERS.length)];
            if (!serverId.isAny()) {
                options.put(DhcpOption.SERVER_ID, new DhcpOption.ServerId(serverId).encode());
            }
            if (in.bool()) {
                long lease = in.u32() & 0xFFFF_FFFFL;
                options.put(DhcpOption.LEASE_TIME, new DhcpOption.LeaseTime(lease).encode());
            }
            int n = in.below(6);
            for (int i = 0; i < n; i++) {
                int code = switch (in.below(8)) {
                    case 0 -> DhcpOption.SUBNET_MASK;
                    case 1 -> DhcpOption.ROUTER;
                    case 2 -> DhcpOption.RENEWAL_TIME;
                    case 3 -> DhcpOption.REBINDING_TIME;
                    case 4 -> DhcpOption.VENDOR_CLASS;
                    case 5 -> DhcpOption.VENDOR_SPECIFIC;
                    case 6 -> DhcpOption.TFTP_SERVER_NAME;
                    default -> in.u8();
                };
                byte[] value = in.below(2) == 0 ? in.bytes(in.u8() % 40) : "PXEClient".getBytes(StandardCharsets.US_ASCII);
                if (code != 0 && code != 255) {
                    options.put(code, value);
                }
            }
            Ipv4Address src = SERVERS[in.below(3)];
            if (chaddr.equals(BOARD) && !yiaddr.isAny()) {
                given.add(yiaddr.value());
                // The server identifier is option 54 when it is an address, else the reply's source (RFC 2131 leniency).
                byte[] id = options.get(DhcpOption.SERVER_ID);
                Ipv4Address named = id != null && id.length == 4 ? new Ipv4Address(ByteBuffer.wrap(id).getInt()) : src;
                offered.add(((long) named.value() << 32) | (yiaddr.value() & 0xFFFF_FFFFL));
                if (options.containsKey(DhcpOption.LEASE_TIME) && options.get(DhcpOption.LEASE_TIME).length == 4) {
                    longestLease = Math.max(longestLease, ByteBuffer.wrap(options.get(DhcpOption.LEASE_TIME)).getInt() & 0xFFFF_FFFFL);
                }
            }
            BootpMessage m = new BootpMessage(BootpMessage.BOOTREPLY, 1, 6, 0, x, 0, BootpMessage.FLAG_BROADCAST, Ipv4Address.ANY,
                    yiaddr, siaddr, Ipv4Address.ANY, chaddr, "", file.length() < 128 ? file : "", new BootpOptions(options));
            int dstPort = in.below(4) == 3 ? ProxyBoot.PORT : BootpMessage.CLIENT_PORT;
            byte[] payload = Frames.bootp(m);
            return Frames.udp(SERVER_MAC, MacAddress.BROADCAST, src, 67, Ipv4Address.BROADCAST, dstPort,
                    payload.length > 1472 ? java.util.Arrays.copyOf(payload, 1472) : payload);
        }

        void deliver(byte[] frame) {
            recordClaim(frame);
            link.deliver(now, frame);
            net.poll(now);
            stage.poll(now);
        }

        /** Notes which address another host's ARP packet claims (decoded on its own). */
        void recordClaim(byte[] frame) {
            try {
                ByteBuffer b = ByteBuffer.wrap(frame);
                EthernetFrame eth = new EthernetFrame().wrap(b, frame.length);
                if (eth.etherType() == EthernetFrame.TYPE_ARP) {
                    ArpPacket p = ArpPacket.parse(b, eth.payloadOffset(), eth.payloadLength());
                    if (!p.sha().equals(BOARD)) {
                        claimed.add(p.spa().value());
                        claimed.add(p.tpa().value()); // a probe by another host for the same address also conflicts (RFC 5227 2.1.1)
                    }
                }
            } catch (MalformedPacketException e) {
                // not ARP
            }
        }

        long pollAt() {
            return Math.min(net.pollAt(), stage.pollAt());
        }

        void pollUntilQuiet() {
            for (int i = 0; pollAt() <= now; i++) {
                if (i == 64) {
                    throw new AssertionError("no progress: pollAt() " + pollAt() + " at or before now " + now + " after 64 polls, "
                            + stage.state());
                }
                net.poll(now);
                stage.poll(now);
                check();
            }
        }

        /** The segment falls silent: the stage ends within its give-up time and the longest lease it was given. */
        void silence() {
            long start = now;
            long budget = retry.giveUp() + Math.min(longestLease, 1L << 33) * SEC + 2 * config.declineWait() + 120 * SEC;
            for (int i = 0; pollAt() != Long.MAX_VALUE; i++) {
                if (i == 5_000 || pollAt() - start > budget) {
                    throw new AssertionError("a silent segment did not end the lease stage: " + stage.state() + " after "
                            + (now - start) / MS + " ms and " + i + " polls");
                }
                now = Math.max(now, pollAt());
                net.poll(now);
                stage.poll(now);
                check();
            }
            switch (stage.state()) {
                case LeaseStage.State.Bound b when !stage.lease().infinite() -> // the lease as renewals left it
                        throw new AssertionError("bound to a lease of " + stage.lease().leaseSeconds() + " s with nothing left to do");
                case LeaseStage.State.Acquiring a -> throw new AssertionError("still acquiring with nothing left to do");
                default -> {
                }
            }
        }

        void check() {
            for (ScriptedLink.Tx t : link.takeTx()) {
                onSent(t.bytes());
            }
            switch (stage.state()) {
                case LeaseStage.State.Bound b -> {
                    if (!given.contains(b.lease().address().value())) {
                        throw new AssertionError("bound to " + b.lease().address() + ", which no delivered reply for us gave");
                    }
                    if (!net.address().equals(b.lease().address())) {
                        throw new AssertionError("bound to " + b.lease().address() + " but the stack uses " + net.address());
                    }
                }
                case LeaseStage.State.Lost l -> {
                    if (!net.address().isAny()) {
                        throw new AssertionError("lease lost but the stack still uses " + net.address());
                    }
                }
                default -> {
                }
            }
        }

        /** Checks a DHCP message the board sent; notes its xid. */
        void onSent(byte[] frame) {
            ByteBuffer b = ByteBuffer.wrap(frame);
            EthernetFrame eth = new EthernetFrame().wrap(b, frame.length);
            if (eth.etherType() != EthernetFrame.TYPE_IPV4) {
                return;
            }
            Ipv4Packet ip = new Ipv4Packet().wrap(b, eth.payloadOffset(), eth.payloadLength(), true);
            UdpDatagram u = new UdpDatagram().wrap(b, ip.payloadOffset(), ip.payloadLength(), ip.src(), ip.dst(), true);
            if (u.srcPort() != BootpMessage.CLIENT_PORT) {
                return;
            }
            BootpMessage m = BootpMessage.parse(b, u.payloadOffset(), u.payloadLength());
            if (m.op() != BootpMessage.BOOTREQUEST || !m.chaddr().equals(BOARD)) {
                throw new AssertionError("the board sent " + m);
            }
            xid = m.xid();
            DhcpMessageType type = m.options().messageType().orElse(null);
            if (type == DhcpMessageType.Known.REQUEST && m.options().has(DhcpOption.SERVER_ID)) {
                Ipv4Address server = m.options().address(DhcpOption.SERVER_ID).orElseThrow();
                Ipv4Address asked = m.options().address(DhcpOption.REQUESTED_ADDRESS).orElseThrow();
                if (!offered.contains(((long) server.value() << 32) | (asked.value() & 0xFFFF_FFFFL))) {
                    throw new AssertionError("DHCPREQUEST for " + asked + " from server " + server + ", which no reply offered");
                }
            }
            if (type == DhcpMessageType.Known.DECLINE) {
                Ipv4Address declined = m.options().address(DhcpOption.REQUESTED_ADDRESS).orElseThrow();
                if (!claimed.contains(declined.value())) {
                    throw new AssertionError("DHCPDECLINE of " + declined + ", which no other host's ARP packet claimed");
                }
            }
        }
    }
}
