package dev.netboot.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The fixture of the lease stage's timeline tests (GUIDE H14): a board on a {@link ScriptedLink}, replies built
 * from one {@link Reply#OFFER} with {@code with} copies, and checks of what the board sent, when.
 */
class DhcpTimeline {
    static final long MS = ScriptedLink.MS;
    static final long SEC = ScriptedLink.SEC;
    static final MacAddress BOARD = MacAddress.parse("02:00:00:99:00:10");
    static final MacAddress SERVER_MAC = MacAddress.parse("02:00:00:99:00:01");
    static final MacAddress OTHER_MAC = MacAddress.parse("02:00:00:99:00:66");
    static final Ipv4Address SERVER = ip("192.0.2.1");
    static final Ipv4Address SERVER2 = ip("192.0.2.2");
    static final Ipv4Address PROXY = ip("192.0.2.3");
    static final Ipv4Address OFFERED = ip("192.0.2.42");
    static final Ipv4Address MASK = ip("255.255.255.0");

    /** 1 s doubling to 16 s, no jitter, give up after 60 s: retransmissions at 1, 3, 7, 15, 31, 47 s. */
    static final BootpConfig NO_JITTER = new BootpConfig(SEC, 16 * SEC, 0, 60 * SEC);
    /** The profile defaults: auto, 500 ms of offers, 2 probes 200 ms apart, 10 s after a decline, PXE arch 22. */
    static final DhcpConfig CONFIG = DhcpConfig.DEFAULTS;

    final ScriptedLink link = new ScriptedLink(BOARD);
    final NetStack net = new NetStack(link, NetConfig.DEFAULTS);
    LeaseStage stage;

    static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s);
    }

    LeaseStage start(DhcpConfig config, BootpConfig retry, long seed) {
        stage = new LeaseStage(net, retry, config, new SplittableRandom(seed));
        stage.start(0);
        return stage;
    }

    LeaseStage start(DhcpConfig config) {
        return start(config, NO_JITTER, 1);
    }

    void poll(long now) {
        net.poll(now);
        stage.poll(now);
    }

    /** Takes the one frame sent at {@code at}: a broadcast from 0.0.0.0 or our address, port 68 to 67; returns its message. */
    BootpMessage broadcastAt(long at) {
        Frames.Udp u = link.takeOne(at).asUdp();
        assertEquals(MacAddress.BROADCAST, u.ethDst());
        assertEquals(Ipv4Address.BROADCAST, u.dstIp());
        assertEquals(68, u.srcPort());
        assertEquals(67, u.dstPort());
        return u.bootp();
    }

    /** Takes the one frame sent at {@code at}: a unicast to {@code mac}/{@code ip}:{@code port} from our address. */
    BootpMessage unicastAt(long at, MacAddress mac, Ipv4Address ip, int port) {
        Frames.Udp u = link.takeOne(at).asUdp();
        assertEquals(mac, u.ethDst());
        assertEquals(ip, u.dstIp());
        assertEquals(net.address(), u.srcIp());
        assertEquals(68, u.srcPort());
        assertEquals(port, u.dstPort());
        return u.bootp();
    }

    /** Takes the one frame sent at {@code at}, an ARP request, and returns it. */
    ArpPacket arpAt(long at) {
        Frames.Arp a = link.takeOne(at).asArp();
        assertEquals(MacAddress.BROADCAST, a.ethDst());
        assertEquals(ArpPacket.REQUEST, a.arp().op());
        return a.arp();
    }

    /** Checks the RFC 5227 probe of {@link #OFFERED} from {@code at}: two probes 200 ms apart, then the announcement. */
    void probesAndAnnounces(long at) {
        ArpPacket p1 = arpAt(at);
        assertEquals(Ipv4Address.ANY, p1.spa());                    // a probe: sender IP 0.0.0.0
        assertEquals(OFFERED, p1.tpa());
        assertEquals(BOARD, p1.sha());
        poll(at + 200 * MS - 1);
        link.expectNoTx();
        poll(at + 200 * MS);
        assertEquals(Ipv4Address.ANY, arpAt(at + 200 * MS).spa());
        poll(at + 400 * MS);
        ArpPacket announce = arpAt(at + 400 * MS);                  // RFC 5227 2.3: sender and target IP both ours
        assertEquals(OFFERED, announce.spa());
        assertEquals(OFFERED, announce.tpa());
    }

    /** Delivers {@code r} from the server at {@code at} (broadcast, as for a client that set the BROADCAST flag) and polls. */
    void deliver(long at, Reply r) {
        deliverFrom(at, r, SERVER_MAC, r.source());
    }

    void deliverFrom(long at, Reply r, MacAddress mac, Ipv4Address src) {
        link.deliver(at, Frames.udp(mac, MacAddress.BROADCAST, src, 67, Ipv4Address.BROADCAST, 68, Frames.bootp(r.message())));
        poll(at);
    }

    /** Delivers an ARP reply from {@code mac}/{@code ip} to the board at {@code at} and polls. */
    void arpReply(long at, MacAddress mac, Ipv4Address ip) {
        link.deliver(at, Frames.arpReply(mac, ip, BOARD, net.address()));
        poll(at);
    }

    /** Returns option {@code code} of {@code m}, decoded. */
    static DhcpOption option(BootpMessage m, int code) {
        return m.options().option(code).orElseThrow(() -> new AssertionError("no option " + code + " in " + m.options()));
    }

    static DhcpMessageType type(BootpMessage m) {
        return m.options().messageType().orElseThrow();
    }

    /**
     * A server's reply; tests change single fields with the {@code with} copies.
     *
     * @param source the IP source of the datagram (the server, or a relay agent)
     */
    record Reply(int xid, Ipv4Address yiaddr, Ipv4Address siaddr, Ipv4Address giaddr, String file, List<DhcpOption> options,
                 Ipv4Address source) {
        /** A DHCPOFFER of 192.0.2.42 for an hour, naming server 192.0.2.1 (siaddr) and boot.img (file). */
        static final Reply OFFER = new Reply(0, OFFERED, SERVER, Ipv4Address.ANY, "boot.img", List.of(
                new DhcpOption.MessageType(DhcpMessageType.Known.OFFER),
                new DhcpOption.ServerId(SERVER),
                new DhcpOption.LeaseTime(3600),
                new DhcpOption.SubnetMask(MASK),
                new DhcpOption.Router(List.of(SERVER))), SERVER);

        Reply xid(int v) {
            return new Reply(v, yiaddr, siaddr, giaddr, file, options, source);
        }

        Reply yiaddr(Ipv4Address v) {
            return new Reply(xid, v, siaddr, giaddr, file, options, source);
        }

        Reply siaddr(Ipv4Address v) {
            return new Reply(xid, yiaddr, v, giaddr, file, options, source);
        }

        Reply giaddr(Ipv4Address v) {
            return new Reply(xid, yiaddr, siaddr, v, file, options, source);
        }

        Reply file(String v) {
            return new Reply(xid, yiaddr, siaddr, giaddr, v, options, source);
        }

        Reply source(Ipv4Address v) {
            return new Reply(xid, yiaddr, siaddr, giaddr, file, options, v);
        }

        /** Replaces (or adds) the option with {@code o}'s code. */
        Reply with(DhcpOption o) {
            List<DhcpOption> l = new ArrayList<>(options.stream().filter(x -> x.code() != o.code()).toList());
            l.add(o);
            return new Reply(xid, yiaddr, siaddr, giaddr, file, l, source);
        }

        /** Removes option {@code code}. */
        Reply without(int code) {
            return new Reply(xid, yiaddr, siaddr, giaddr, file, options.stream().filter(x -> x.code() != code).toList(), source);
        }

        Reply type(DhcpMessageType.Known t) {
            return with(new DhcpOption.MessageType(t));
        }

        /** This reply from server {@code s}: its identifier, its address as source. */
        Reply from(Ipv4Address s) {
            return with(new DhcpOption.ServerId(s)).source(s);
        }

        BootpMessage message() {
            return new BootpMessage(BootpMessage.BOOTREPLY, 1, 6, giaddr.isAny() ? 0 : 1, xid, 0, BootpMessage.FLAG_BROADCAST,
                    Ipv4Address.ANY, yiaddr, siaddr, giaddr, BOARD, "", file, BootpOptions.of(options));
        }
    }
}
