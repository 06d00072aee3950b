package dev.netboot.emulator;

import dev.netboot.wire.ArpPacket;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.UdpDatagram;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A scripted station that speaks raw frames: it records every frame its port hears (a hub port sees
 * all of them), answers ARP for one address when asked to, and sends frames built by the test.
 */
final class RawStation implements SimNode {
    /** One frame heard on the segment, with accessors for the layers inside it. */
    record Frame(long at, byte[] bytes) {
        ByteBuffer buf() {
            return ByteBuffer.wrap(bytes);
        }

        MacAddress dst() {
            return MacAddress.read(buf(), 0);
        }

        MacAddress src() {
            return MacAddress.read(buf(), 6);
        }

        int etherType() {
            return buf().getShort(12) & 0xFFFF;
        }

        boolean isArp() {
            return etherType() == EthernetFrame.TYPE_ARP;
        }

        boolean isIpv4() {
            return etherType() == EthernetFrame.TYPE_IPV4;
        }

        ArpPacket arp() {
            return ArpPacket.parse(buf(), 14, bytes.length - 14);
        }

        Ipv4Packet ip() {
            return new Ipv4Packet().wrap(buf(), 14, bytes.length - 14, false);
        }

        UdpDatagram udp() {
            Ipv4Packet ip = ip();
            return new UdpDatagram().wrap(buf(), ip.payloadOffset(), ip.payloadLength(), ip.src(), ip.dst(), false);
        }

        BootpMessage bootp() {
            UdpDatagram u = udp();
            return BootpMessage.parse(buf(), u.payloadOffset(), u.payloadLength());
        }
    }

    final EmulatedPort port;
    final List<Frame> heard = new ArrayList<>();
    private Ipv4Address answersArpFor = Ipv4Address.ANY;

    RawStation(EthernetSegment segment, MacAddress mac) {
        this.port = segment.attach(mac);
    }

    /** Makes this station answer ARP requests for {@code ip}. */
    RawStation answeringArpFor(Ipv4Address ip) {
        this.answersArpFor = ip;
        return this;
    }

    MacAddress mac() {
        return port.macAddress();
    }

    void send(long now, byte[] frame) {
        port.transmit(now, frame.length, (b, len) -> b.put(0, frame));
    }

    /** Returns the frames heard so far of the given EtherType. */
    List<Frame> heard(int etherType) {
        return heard.stream().filter(f -> f.etherType() == etherType).toList();
    }

    @Override
    public void poll(long now) {
        while (port.receive(now, (t, f, len) -> {
            byte[] b = new byte[len];
            f.get(0, b);
            Frame fr = new Frame(t, b);
            heard.add(fr);
            if (!answersArpFor.isAny() && fr.isArp()) {
                ArpPacket a = fr.arp();
                if (a.op() == ArpPacket.REQUEST && a.tpa().equals(answersArpFor)) {
                    send(t, arpFrame(new ArpPacket(ArpPacket.REPLY, mac(), answersArpFor, a.sha(), a.spa()), a.sha()));
                }
            }
        })) {
            // recorded above
        }
    }

    @Override
    public long pollAt() {
        return port.pollAt();
    }

    // ------------------------------------------------------------- frame builders

    static byte[] arpFrame(ArpPacket p, MacAddress dst) {
        byte[] b = new byte[14 + ArpPacket.LENGTH];
        ByteBuffer buf = ByteBuffer.wrap(b);
        EthernetFrame.emit(buf, dst.value(), p.sha().value(), EthernetFrame.TYPE_ARP);
        p.emit(buf, 14);
        return b;
    }

    /** Builds an Ethernet/IPv4/UDP frame with valid checksums. */
    static byte[] udpFrame(MacAddress dstMac, MacAddress srcMac, Ipv4Address src, Ipv4Address dst, int ttl, int ident,
                           int srcPort, int dstPort, byte[] payload) {
        byte[] b = new byte[14 + 20 + 8 + payload.length];
        ByteBuffer buf = ByteBuffer.wrap(b);
        EthernetFrame.emit(buf, dstMac.value(), srcMac.value(), EthernetFrame.TYPE_IPV4);
        buf.put(14 + 28, payload);
        UdpDatagram.emit(buf, 14 + 20, srcPort, dstPort, payload.length, src.value(), dst.value());
        Ipv4Packet.emit(buf, 14, 8 + payload.length, Ipv4Packet.PROTO_UDP, src.value(), dst.value(), ttl, ident);
        return b;
    }

    static byte[] bytes(BootpMessage m) {
        byte[] b = new byte[m.encodedLength()];
        m.emit(ByteBuffer.wrap(b), 0);
        return b;
    }
}
