package dev.netboot.emulator;

import dev.netboot.link.ForwardingLink;
import dev.netboot.link.Link;
import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStack;
import dev.netboot.net.UdpHandler;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.IcmpPacket;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A scripted test host: its own NetStack on a port of the segment, recording every datagram it receives. */
final class TestClient implements SimNode {
    /** One received datagram, with the Ethernet destination it arrived at. */
    record Refused(long at, int srcPort, int dstPort) {
    }

    record Rx(long at, MacAddress dstMac, Ipv4Address src, int srcPort, Ipv4Address dst, int dstPort, byte[] payload) {
        TftpPacket tftp() {
            return TftpWire.parse(ByteBuffer.wrap(payload), 0, payload.length);
        }
    }

    final EmulatedPort port;
    final NetStack stack;
    final List<Rx> received = new ArrayList<>();
    /** When set, every DATA is acknowledged as it arrives (duplicates too), from the port it came to. */
    boolean autoAck;
    /** Ports {@link #close}d: a UDP datagram to one is answered with ICMP port unreachable, as a host's kernel does. */
    final Set<Integer> closed = new HashSet<>();
    /** The ICMP port unreachable errors sent. */
    int unreachablesSent;
    /** Each datagram a closed port refused: when it came, from which port, to which. */
    final List<Refused> refused = new ArrayList<>();
    private long lastDstMac;

    TestClient(EthernetSegment segment, MacAddress mac) {
        this.port = segment.attach(mac);
        // Notes the destination MAC of each frame before the stack dispatches it.
        Link spy = new ForwardingLink(port) {
            @Override
            public boolean receive(long now, FrameHandler handler) {
                return port.receive(now, (t, f, len) -> {
                    lastDstMac = MacAddress.readLong(f, 0);
                    if (!answerClosed(t, f, len)) {
                        handler.onFrame(t, f, len);
                    }
                });
            }
        };
        this.stack = new NetStack(spy, NetConfig.DEFAULTS);
    }

    /** Records datagrams to {@code udpPort}. */
    TestClient listen(int udpPort) {
        stack.bind(udpPort, new UdpHandler() {
            @Override
            public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
                byte[] p = new byte[len];
                buf.get(off, p);
                Rx rx = new Rx(now, new MacAddress(lastDstMac), new Ipv4Address(srcIp), srcPort, new Ipv4Address(dstIp), udpPort, p);
                received.add(rx);
                if (autoAck && p.length >= 4 && TftpWire.opcode(buf, off, len) == TftpPacket.OP_DATA) {
                    int block = TftpWire.block(buf, off, len);
                    stack.sendUdp(now, udpPort, rx.src(), srcPort, 4, (b, o, l) -> TftpWire.writeAck(b, o, block));
                }
            }
        });
        return this;
    }

    /**
     * Closes {@code udpPort}, as a process that exits or is killed does: from now on a datagram to it is answered with
     * ICMP port unreachable (RFC 1122 section 4.1.3.1), quoting its IPv4 header and first 8 bytes (RFC 792).
     */
    TestClient close(int udpPort) {
        stack.unbind(udpPort);
        closed.add(udpPort);
        return this;
    }

    /**
     * Before the stack sees {@code f}: this host's own model of a kernel's closed ports, written apart from the
     * stack's (which answers with a rate limit), so that what the server makes of the error is tested against it. A
     * UDP datagram to our address on a port not bound is taken here, never by the stack: answered with ICMP port
     * unreachable when the port was {@link #close}d, dropped unanswered otherwise (a host gone silent: the test
     * clears {@link #closed}). Returns whether it took the frame.
     */
    private boolean answerClosed(long now, ByteBuffer f, int len) {
        int ip = EthernetFrame.HEADER_LEN;
        if (len < ip + Ipv4Packet.HEADER_LEN + 8 || f.getShort(EthernetFrame.ETHER_TYPE) != EthernetFrame.TYPE_IPV4
                || f.get(ip + 9) != Ipv4Packet.PROTO_UDP || f.getInt(ip + 16) != stack.address().value()) {
            return false;
        }
        int ihl = (f.get(ip) & 0x0F) * 4;
        int dstPort = f.getShort(ip + ihl + 2) & 0xFFFF;
        if (stack.isBound(dstPort)) {
            return false;
        }
        if (!closed.contains(dstPort)) {
            return true;
        }
        refused.add(new Refused(now, f.getShort(ip + ihl) & 0xFFFF, dstPort));
        byte[] quote = new byte[ihl + 8];
        f.get(ip, quote);
        sendUnreachable(now, new MacAddress(MacAddress.readLong(f, EthernetFrame.SRC)), new Ipv4Address(f.getInt(ip + 12)), quote);
        return true;
    }

    /**
     * Sends {@code to} an ICMP port unreachable quoting {@code quote} (an IPv4 header and at least the 8 bytes after it),
     * true or made up.
     */
    void sendUnreachable(long now, MacAddress toMac, Ipv4Address to, byte[] quote) {
        int ip = EthernetFrame.HEADER_LEN;
        int message = IcmpPacket.HEADER_LEN + quote.length;
        port.transmit(now, ip + Ipv4Packet.HEADER_LEN + message, (b, l) -> {
            EthernetFrame.emit(b, toMac.value(), port.macAddress().value(), EthernetFrame.TYPE_IPV4);
            b.put(ip + Ipv4Packet.HEADER_LEN + IcmpPacket.HEADER_LEN, quote);
            IcmpPacket.emit(b, ip + Ipv4Packet.HEADER_LEN, IcmpPacket.TYPE_DEST_UNREACHABLE, IcmpPacket.CODE_PORT_UNREACHABLE, 0, 0, message);
            Ipv4Packet.emit(b, ip, message, Ipv4Packet.PROTO_ICMP, stack.address().value(), to.value(), 64, unreachablesSent);
        });
        unreachablesSent++;
    }

    void send(long now, int srcPort, Ipv4Address dst, int dstPort, byte[] payload) {
        stack.sendUdp(now, srcPort, dst, dstPort, payload.length, (b, o, l) -> b.put(o, payload));
    }

    void send(long now, int srcPort, Ipv4Address dst, int dstPort, TftpPacket p) {
        byte[] b = new byte[p.encodedLength()];
        p.emit(ByteBuffer.wrap(b), 0);
        send(now, srcPort, dst, dstPort, b);
    }

    /** Runs {@code sim} until one more datagram has arrived (at most 60 s of virtual time) and returns it. */
    Rx next(Simulation sim) {
        int n = received.size();
        sim.run(() -> received.size() > n, 60_000_000_000L).orThrow();
        return received.get(n);
    }

    @Override
    public void poll(long now) {
        stack.poll(now);
    }

    @Override
    public long pollAt() {
        return stack.pollAt();
    }
}
