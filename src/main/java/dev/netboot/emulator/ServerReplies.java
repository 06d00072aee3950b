package dev.netboot.emulator;

import dev.netboot.net.NetStack;
import dev.netboot.net.PayloadWriter;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;

/** How the emulated DHCP servers put a reply on the wire (RFC 2131 section 4.1, RFC 1542 section 5.4). */
final class ServerReplies {
    private ServerReplies() {
    }

    /**
     * Sends {@code reply} to the client of {@code req}, first rule that applies: to the relay (giaddr, port 67);
     * broadcast when {@code broadcast}; unicast to ciaddr (with ARP); broadcast when the client set the BROADCAST flag;
     * else unicast to yiaddr at chaddr without ARP (the client cannot answer ARP yet). The message is cut to
     * {@code maxLength} bytes with option overload when needed; returns true when it was.
     */
    static boolean send(NetStack stack, long now, BootpMessage req, BootpMessage reply, boolean broadcast, int maxLength) {
        return send(stack, now, req, reply, broadcast, maxLength, BootpMessage.SERVER_PORT);
    }

    /** Like {@link #send(NetStack, long, BootpMessage, BootpMessage, boolean, int)}, from UDP port {@code srcPort}. */
    static boolean send(NetStack stack, long now, BootpMessage req, BootpMessage reply, boolean broadcast, int maxLength,
                        int srcPort) {
        int n = reply.encodedLength(maxLength);
        ByteBuffer bytes = ByteBuffer.allocate(n);
        reply.emit(bytes, 0, maxLength);
        PayloadWriter writer = (b, o, l) -> b.put(o, bytes, 0, l);
        int port = srcPort;
        if (!req.giaddr().isAny()) {
            stack.sendUdp(now, port, req.giaddr(), BootpMessage.SERVER_PORT, n, writer);
        } else if (broadcast) {
            stack.sendUdpTo(now, MacAddress.BROADCAST, port, Ipv4Address.BROADCAST, BootpMessage.CLIENT_PORT, n, writer);
        } else if (!req.ciaddr().isAny()) {
            stack.sendUdp(now, port, req.ciaddr(), BootpMessage.CLIENT_PORT, n, writer);
        } else if (req.broadcast() || reply.yiaddr().isAny()) {
            stack.sendUdpTo(now, MacAddress.BROADCAST, port, Ipv4Address.BROADCAST, BootpMessage.CLIENT_PORT, n, writer);
        } else {
            stack.sendUdpTo(now, req.chaddr(), port, reply.yiaddr(), BootpMessage.CLIENT_PORT, n, writer);
        }
        return reply.encodedLength() > maxLength;
    }
}
