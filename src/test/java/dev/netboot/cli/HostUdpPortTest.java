package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.net.UdpHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link HostUdpPort} on loopback: which destination gets which socket. The first two destinations a port sends to
 * (a TFTP request's, then the transfer ID's) each get a socket connected to them on the port's own local port; a
 * third goes out unconnected, and so does every destination once the system refused a second socket; a port another
 * process holds is swapped for an ephemeral one.
 */
class HostUdpPortTest {
    private static final UdpHandler IGNORE = (now, srcIp, srcPort, dstIp, buf, off, len) -> { };

    private static DatagramChannel socket() throws IOException {
        return DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    }

    private static InetSocketAddress address(DatagramChannel ch) throws IOException {
        return (InetSocketAddress) ch.getLocalAddress();
    }

    private static int localPort(DatagramChannel ch) throws IOException {
        return address(ch).getPort();
    }

    /** Sends 3 bytes through {@code ch} to {@code to} and returns where {@code to} saw them come from. */
    private static InetSocketAddress sendThrough(DatagramChannel ch, DatagramChannel to) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(new byte[] {1, 2, 3});
        if (ch.isConnected()) {
            ch.write(b);
        } else {
            ch.send(b, address(to));
        }
        ByteBuffer got = ByteBuffer.allocate(16);
        return (InetSocketAddress) to.receive(got);
    }

    @Test
    void theFirstTwoDestinationsGetConnectedSocketsOnThePortAndTheThirdGoesOutUnconnected() throws IOException {
        try (Selector selector = Selector.open(); DatagramChannel request = socket(); DatagramChannel tid = socket();
             DatagramChannel third = socket()) {
            HostUdpPort port = HostUdpPort.open(0, IGNORE, selector);
            try {
                assertEquals(0, port.connectedSockets());
                assertSame(port.main, port.main.key().attachment(), "the selector's key leads back to the socket");

                DatagramChannel toRequest = port.channelTo(address(request));
                assertTrue(toRequest.isConnected());
                assertEquals(address(request), toRequest.getRemoteAddress());
                assertEquals(port.hostPort(), localPort(toRequest), "connected on the port's own local port");
                assertEquals(1, port.connectedSockets());
                assertSame(toRequest, port.channelTo(address(request)), "the same destination, the same socket");
                assertEquals(1, port.connectedSockets());

                DatagramChannel toTid = port.channelTo(address(tid));
                assertTrue(toTid.isConnected());
                assertNotEquals(toRequest, toTid);
                assertEquals(2, port.connectedSockets());

                DatagramChannel toThird = port.channelTo(address(third));
                assertSame(port.main.channel(), toThird, "past two destinations: the unconnected socket");
                assertFalse(toThird.isConnected());
                assertEquals(2, port.connectedSockets());

                // Every one of them sends from the one port.
                assertEquals(port.hostPort(), sendThrough(toRequest, request).getPort());
                assertEquals(port.hostPort(), sendThrough(toTid, tid).getPort());
                assertEquals(port.hostPort(), sendThrough(toThird, third).getPort());

                List<HostUdpPort.Socket> all = new ArrayList<>();
                port.addSocketsTo(all);
                assertEquals(3, all.size());
                assertSame(port.main, all.get(0));
                assertNull(all.get(0).peer());
                assertEquals(address(request), all.get(1).peer(), "connected sockets in the order they opened");
                assertEquals(0x7F000001, all.get(1).peerIp());
                assertEquals(address(tid), all.get(2).peer());
                for (HostUdpPort.Socket s : all) {
                    assertSame(s, s.key().attachment());
                    assertSame(port, s.port());
                }
            } finally {
                port.close();
            }
            List<HostUdpPort.Socket> all = new ArrayList<>();
            port.addSocketsTo(all);
            for (HostUdpPort.Socket s : all) {
                assertFalse(s.channel().isOpen(), "closed: " + s.peer());
                assertFalse(s.key().isValid(), "off the selector: " + s.peer());
            }
        }
    }

    @Test
    void onceTheSystemRefusesASecondSocketEveryDestinationGoesOutUnconnected() throws IOException {
        try (Selector selector = Selector.open(); DatagramChannel peer = socket()) {
            HostUdpPort port = HostUdpPort.open(0, IGNORE, selector);
            try {
                // A socket cannot be connected to port 0: the second socket fails, as on a system that shares no port.
                assertSame(port.main.channel(), port.channelTo(new InetSocketAddress("127.0.0.1", 0)));
                assertEquals(0, port.connectedSockets());
                DatagramChannel ch = port.channelTo(address(peer));
                assertSame(port.main.channel(), ch, "refused once: unconnected from then on");
                assertEquals(0, port.connectedSockets());
                assertEquals(port.hostPort(), sendThrough(ch, peer).getPort());
            } finally {
                port.close();
            }
        }
    }

    @Test
    void aPortAnotherProcessHoldsIsSwappedForAnEphemeralOne() throws IOException {
        try (Selector selector = Selector.open(); DatagramChannel holder = DatagramChannel.open()) {
            holder.bind(new InetSocketAddress(0)); // the wildcard address, as HostUdpPort binds
            int taken = localPort(holder);
            HostUdpPort port = HostUdpPort.open(taken, IGNORE, selector);
            try {
                assertTrue(port.hostPort() > 0);
                assertNotEquals(taken, port.hostPort());
            } finally {
                port.close();
            }
            holder.close();
            HostUdpPort again = HostUdpPort.open(taken, IGNORE, selector);
            try {
                assertEquals(taken, again.hostPort(), "the port asked for, once it is free");
            } finally {
                again.close();
            }
        }
    }
}
