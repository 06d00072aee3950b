package dev.netboot.net;

import dev.netboot.link.Link;
import dev.netboot.wire.Ipv4Address;

/**
 * What a {@link NetStack}'s ARP resolver and ICMP responder need of it ({@link ArpResolver.Wire},
 * {@link IcmpResponder.Wire}): its address, its frames out ({@link FrameSender}: ARP, a datagram ARP held, an ICMP
 * message), and its UDP ports ({@link UdpPorts}), to ask whether one is bound and to tell one that its datagram
 * cannot go.
 */
final class StackWire implements ArpResolver.Wire, IcmpResponder.Wire {
    private final NetStack stack;
    private final NetConfig config;
    private final FrameSender tx;
    private final UdpPorts ports;

    StackWire(NetStack stack, NetConfig config, FrameSender tx, UdpPorts ports) {
        this.stack = stack;
        this.config = config;
        this.tx = tx;
        this.ports = ports;
    }

    @Override
    public int address() {
        return stack.addressValue();
    }

    @Override
    public int nextIdent() {
        return tx.nextIdent();
    }

    @Override
    public boolean transmit(long now, int length, Link.FrameFiller filler) {
        return tx.transmit(now, length, filler);
    }

    @Override
    public boolean isBound(int port) {
        return ports.handler(port) != null;
    }

    @Override
    public boolean sendArp(long now, int op, long dstMac, int spa, long tha, int tpa) {
        return tx.arp(now, op, dstMac, spa, tha, tpa);
    }

    @Override
    public void sendHeld(long now, long dstMac, int dstIp, int srcPort, int dstPort, int len, PayloadWriter payload) {
        tx.udp(now, dstMac, stack.addressValue(), dstIp, srcPort, dstPort, len, payload, config.ttl());
    }

    @Override
    public void unreachable(long now, int srcPort, int dstIp, int dstPort, boolean refused, String reason) {
        UdpHandler h = ports.handler(srcPort);
        if (h != null) {
            h.onUnreachable(now, new Ipv4Address(dstIp), dstPort, refused, reason);
        }
    }
}
