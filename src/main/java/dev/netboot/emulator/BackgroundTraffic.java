package dev.netboot.emulator;

import dev.netboot.link.Link;
import dev.netboot.wire.ArpPacket;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.UdpDatagram;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The other machines of a busy segment ({@link Background}): one port that sends what they send, none of it
 * for the board, all of it reaching it. Broadcasts to UDP ports of other services, ARP requests of a few hosts
 * for addresses that are not the board's, datagrams to the board's address for ports nobody listens on, and
 * a flood of broadcasts. Each stream's next frame comes a random interval after the last (exponential, the
 * given mean rate), drawn from one seeded generator per stream, so a seed repeats the traffic exactly and
 * changing one rate leaves the other streams as they were.
 *
 * <p>The hosts use the top of the subnet: the talker at the fourth-last address (the third-last is the
 * misbehaving TFTP server's stranger), the ARP senders at the seven below it, none in the DHCP pool.
 */
final class BackgroundTraffic implements SimNode, Link.FrameFiller {
    /** The talker's MAC; the ARP senders' are {@code 02:00:00:00:00:c0} and up. */
    static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:bb");
    /** UDP ports the broadcasts go to: NetBIOS datagram, mDNS, SSDP, LLMNR, DHCP's server side is not one. */
    private static final int[] SERVICE_PORTS = {138, 5353, 1900, 5355};

    private final EmulatedPort port;
    private final Background b;
    private final Ipv4Address boardIp;
    private final Supplier<MacAddress> boardMac;
    private final int subnet;
    private final int broadcastIp;
    private final int talker;
    private final SplittableRandom broadcastRandom, arpRandom, udpRandom;
    private long nextBroadcast = Long.MAX_VALUE, nextArp = Long.MAX_VALUE, nextUdp = Long.MAX_VALUE, nextFlood = Long.MAX_VALUE;
    private long floodLeft;
    private long broadcastsSent, arpsSent, udpSent, floodSent;

    // What fill() writes next.
    private boolean txArp;
    private long txDstMac;
    private long txSrcMac;
    private int txSrcIp;
    private int txDstIp;
    private int txDstPort;
    private int txLen;

    /**
     * Traffic {@code b} from {@code port}, on the subnet of {@code serverIp}/{@code netmask}; the board is at
     * {@code boardIp} with the MAC {@code boardMac} gives once it is attached (until then, datagrams for it go nowhere).
     */
    BackgroundTraffic(EmulatedPort port, Background b, Ipv4Address serverIp, Ipv4Address netmask, Ipv4Address boardIp,
                      Supplier<MacAddress> boardMac, long seed) {
        this.port = port;
        this.b = b;
        this.boardIp = boardIp;
        this.boardMac = boardMac;
        this.subnet = serverIp.value() & netmask.value();
        this.broadcastIp = subnet | ~netmask.value();
        this.talker = broadcastIp - 3;
        SplittableRandom root = new SplittableRandom(seed);
        this.broadcastRandom = root.split();
        this.arpRandom = root.split();
        this.udpRandom = root.split();
        nextBroadcast = first(b.broadcasts(), broadcastRandom);
        nextArp = first(b.arpChatter(), arpRandom);
        nextUdp = first(b.udpNoise(), udpRandom);
        if (b.flood() > 0) {
            floodLeft = b.flood();
            nextFlood = b.floodAt();
        }
    }

    /** Returns the talker's address. */
    static Ipv4Address talker(Ipv4Address serverIp, Ipv4Address netmask) {
        return new Ipv4Address((serverIp.value() | ~netmask.value()) - 3);
    }

    private static long first(double rate, SplittableRandom r) {
        return rate > 0 ? interval(rate, r) : Long.MAX_VALUE;
    }

    /** Returns an exponential interval of mean 1 / {@code rate} seconds, at least 1 ns. */
    private static long interval(double rate, SplittableRandom r) {
        return Math.max(1, (long) (-Math.log(1 - r.nextDouble()) / rate * 1e9));
    }

    /** Returns how many frames of each stream went out: broadcasts, ARP requests, datagrams to the board, flood. */
    long[] sent() {
        return new long[] {broadcastsSent, arpsSent, udpSent, floodSent};
    }

    @Override
    public void poll(long now) {
        while (nextBroadcast <= now) {
            udp(now, MacAddress.BROADCAST.value(), talker, -1, SERVICE_PORTS[broadcastRandom.nextInt(SERVICE_PORTS.length)], 60);
            broadcastsSent++;
            nextBroadcast += interval(b.broadcasts(), broadcastRandom);
        }
        while (nextArp <= now) {
            // One of seven chatty hosts asks who has an address of the subnet that is neither its own nor the board's.
            int host = arpRandom.nextInt(7);
            int target;
            int hosts = broadcastIp - subnet - 1;
            do {
                target = subnet + 1 + arpRandom.nextInt(hosts);
            } while (target == boardIp.value() || target == broadcastIp - 4 - host);
            arp(now, 0x02_00_00_00_00_c0L + host, broadcastIp - 4 - host, target);
            arpsSent++;
            nextArp += interval(b.arpChatter(), arpRandom);
        }
        while (nextUdp <= now) {
            MacAddress m = boardMac.get();
            int dstPort = 1 + udpRandom.nextInt(1023);
            if (m != null && dstPort != 67 && dstPort != 68 && dstPort != 69) {
                udp(now, m.value(), talker, boardIp.value(), dstPort, 40);
                udpSent++;
            }
            nextUdp += interval(b.udpNoise(), udpRandom);
        }
        while (nextFlood <= now && floodLeft > 0) {
            udp(now, MacAddress.BROADCAST.value(), talker, -1, 9, 18); // discard protocol: 64-byte frames on the wire
            floodSent++;
            floodLeft--;
            nextFlood = floodLeft > 0 ? b.floodAt() + Math.ceilDiv((b.flood() - floodLeft) * 1_000_000_000L, b.floodRate())
                    : Long.MAX_VALUE;
        }
    }

    @Override
    public long pollAt() {
        return Math.min(Math.min(nextBroadcast, nextArp), Math.min(nextUdp, nextFlood));
    }

    private void udp(long now, long dstMac, int srcIp, int dstIp, int dstPort, int payload) {
        txArp = false;
        txDstMac = dstMac;
        txSrcMac = MAC.value();
        txSrcIp = srcIp;
        txDstIp = dstIp;
        txDstPort = dstPort;
        txLen = payload;
        port.transmit(now, EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN + UdpDatagram.HEADER_LEN + payload, this);
    }

    private void arp(long now, long srcMac, int srcIp, int target) {
        txArp = true;
        txSrcMac = srcMac;
        txSrcIp = srcIp;
        txDstIp = target;
        port.transmit(now, EthernetFrame.HEADER_LEN + ArpPacket.LENGTH, this);
    }

    @Override
    public void fill(ByteBuffer frame, int length) {
        if (txArp) {
            EthernetFrame.emit(frame, MacAddress.BROADCAST.value(), txSrcMac, EthernetFrame.TYPE_ARP);
            new ArpPacket(ArpPacket.REQUEST, new MacAddress(txSrcMac), new Ipv4Address(txSrcIp), MacAddress.ZERO,
                    new Ipv4Address(txDstIp)).emit(frame, EthernetFrame.HEADER_LEN);
            return;
        }
        int ip = EthernetFrame.HEADER_LEN;
        int udp = ip + Ipv4Packet.HEADER_LEN;
        EthernetFrame.emit(frame, txDstMac, txSrcMac, EthernetFrame.TYPE_IPV4);
        for (int i = 0; i < txLen; i++) {
            frame.put(udp + UdpDatagram.HEADER_LEN + i, (byte) i);
        }
        UdpDatagram.emit(frame, udp, 40_000 + txDstPort % 1000, txDstPort, txLen, txSrcIp, txDstIp);
        Ipv4Packet.emit(frame, ip, UdpDatagram.HEADER_LEN + txLen, Ipv4Packet.PROTO_UDP, txSrcIp, txDstIp, 64, 0);
    }
}
