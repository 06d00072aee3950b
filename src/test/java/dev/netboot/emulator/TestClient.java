package dev.netboot.emulator;

import dev.netboot.link.Link;
import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStack;
import dev.netboot.net.UdpHandler;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A scripted test host: its own NetStack on a port of the segment, recording every datagram it receives. */
final class TestClient implements SimNode {
    /** One received datagram, with the Ethernet destination it arrived at. */
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
    private long lastDstMac;

    TestClient(EthernetSegment segment, MacAddress mac) {
        this.port = segment.attach(mac);
        // Notes the destination MAC of each frame before the stack dispatches it.
        Link spy = new Link() {
            @Override
            public MacAddress macAddress() {
                return port.macAddress();
            }

            @Override
            public int mtu() {
                return port.mtu();
            }

            @Override
            public boolean receive(long now, FrameHandler handler) {
                return port.receive(now, (t, f, len) -> {
                    lastDstMac = MacAddress.readLong(f, 0);
                    handler.onFrame(t, f, len);
                });
            }

            @Override
            public boolean transmit(long now, int length, FrameFiller filler) {
                return port.transmit(now, length, filler);
            }

            @Override
            public long pollAt() {
                return port.pollAt();
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
