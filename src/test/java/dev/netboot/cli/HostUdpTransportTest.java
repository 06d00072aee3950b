package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.net.SendResult;
import dev.netboot.net.UdpHandler;
import dev.netboot.wire.Ipv4Address;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link HostUdpTransport} on loopback against plain sockets playing a TFTP server: the answer from a new
 * port (the transfer ID) reaches the handler, so do later datagrams from it, and a closed port is
 * reported through {@link UdpHandler#onUnreachable} instead of never.
 */
class HostUdpTransportTest {
    static final Ipv4Address LOCALHOST = Ipv4Address.parse("127.0.0.1");

    /** What the handler was told, in order: "data PORT LEN" or "unreachable IP REASON". */
    static final class Recorder implements UdpHandler {
        final List<String> events = new ArrayList<>();

        @Override
        public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
            events.add("data " + new Ipv4Address(srcIp) + ":" + srcPort + " " + len);
        }

        @Override
        public void onUnreachable(long now, Ipv4Address dst, int dstPort, boolean refused, String reason) {
            events.add("unreachable " + dst + " " + reason);
        }
    }

    static SendResult send(HostUdpTransport net, int port, int dstPort, int len) {
        return net.sendUdp(0, port, LOCALHOST, dstPort, len, (buf, off, l) -> {
            for (int i = 0; i < l; i++) {
                buf.put(off + i, (byte) i);
            }
        });
    }

    /** Receives until the recorder holds {@code n} events (at most 5 s). */
    static void awaitEvents(HostUdpTransport net, Recorder r, int n) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (r.events.size() < n && System.nanoTime() < deadline) {
            net.await(50_000_000L);
            net.receive(0, 64);
        }
    }

    static DatagramChannel socket() throws IOException {
        return DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    }

    static int port(DatagramChannel ch) throws IOException {
        return ((InetSocketAddress) ch.getLocalAddress()).getPort();
    }

    @Test
    void answersFromTheTransferIdArriveAndTheRequestPortStaysConnected() throws IOException {
        try (HostUdpTransport net = new HostUdpTransport(); DatagramChannel listen = socket(); DatagramChannel tid = socket()) {
            Recorder r = new Recorder();
            int local = 50_000 + (int) (System.nanoTime() & 0x3FF);
            net.bind(local, r);
            assertEquals(SendResult.SENT, send(net, local, port(listen), 20)); // the "request"
            assertEquals(1, net.connectedSockets(local), "the request's destination has its own connected socket");
            ByteBuffer got = ByteBuffer.allocate(100);
            InetSocketAddress client = (InetSocketAddress) listen.receive(got);
            assertEquals(20, got.position());
            assertEquals(net.hostPort(local), client.getPort(), "sent from the bound port");

            // The server answers from another port, as a TFTP server's transfer ID does.
            tid.send(ByteBuffer.wrap(new byte[7]), client);
            awaitEvents(net, r, 1);
            assertEquals(List.of("data 127.0.0.1:" + port(tid) + " 7"), r.events);

            // Replies go to the transfer ID through a second connected socket; its datagrams keep arriving.
            assertEquals(SendResult.SENT, send(net, local, port(tid), 4));
            assertEquals(2, net.connectedSockets(local));
            got.clear();
            assertEquals(client, tid.receive(got), "same source port through the connected socket");
            for (int i = 0; i < 5; i++) {
                tid.send(ByteBuffer.wrap(new byte[100 + i]), client);
            }
            awaitEvents(net, r, 6);
            assertEquals(List.of("data 127.0.0.1:" + port(tid) + " 7", "data 127.0.0.1:" + port(tid) + " 100",
                    "data 127.0.0.1:" + port(tid) + " 101", "data 127.0.0.1:" + port(tid) + " 102",
                    "data 127.0.0.1:" + port(tid) + " 103", "data 127.0.0.1:" + port(tid) + " 104"), r.events);
            // A third destination goes out unconnected, and still from the bound port.
            try (DatagramChannel third = socket()) {
                assertEquals(SendResult.SENT, send(net, local, port(third), 3));
                assertEquals(2, net.connectedSockets(local));
                got.clear();
                assertEquals(client, third.receive(got));
            }
        }
    }

    /**
     * A socket is read no further once its handler answered: the answer's reply is a round trip away, and the read
     * after it would find nothing (one system call per lock-step block). What did queue stays for the next receive,
     * which the selector wakes at once; a handler that does not answer gets every queued datagram in one receive.
     */
    @Test
    void aSocketIsReadNoFurtherOnceItsHandlerAnswered() throws IOException {
        try (HostUdpTransport net = new HostUdpTransport(); DatagramChannel peer = socket()) {
            int local = 52_000 + (int) (System.nanoTime() & 0x3FF);
            List<Integer> lengths = new ArrayList<>();
            boolean[] answer = {true};
            net.bind(local, new UdpHandler() {
                @Override
                public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
                    lengths.add(len);
                    if (answer[0]) {
                        send(net, local, srcPort, 4);
                    }
                }

                @Override
                public void onUnreachable(long now, Ipv4Address dst, int dstPort, boolean refused, String reason) {
                    throw new AssertionError(reason);
                }
            });
            assertEquals(SendResult.SENT, send(net, local, port(peer), 4)); // connects a socket to the peer
            ByteBuffer got = ByteBuffer.allocate(100);
            InetSocketAddress client = (InetSocketAddress) peer.receive(got);
            for (int i = 0; i < 3; i++) {
                peer.send(ByteBuffer.wrap(new byte[10 + i]), client);
            }
            net.await(1_000_000_000L);
            assertEquals(1, net.receive(0, 64), "the first datagram was answered: reading stops there");
            assertEquals(List.of(10), lengths);
            net.await(1_000_000_000L);
            assertEquals(1, net.receive(0, 64), "the next one was still queued, and the selector said so");
            assertEquals(List.of(10, 11), lengths);
            answer[0] = false;
            net.await(1_000_000_000L);
            for (int i = 0; i < 2; i++) {
                peer.send(ByteBuffer.wrap(new byte[20 + i]), client);
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (lengths.size() < 5 && System.nanoTime() < deadline) {
                net.receive(0, 64);
                net.await(50_000_000L);
            }
            assertEquals(List.of(10, 11, 12, 20, 21), lengths, "without an answer every queued datagram is read");
            peer.configureBlocking(false);
            for (int i = 0; i < 2; i++) { // the answers to 10 and 11, sent before receive returned
                got.clear();
                InetSocketAddress from = (InetSocketAddress) peer.receive(got);
                assertNotNull(from, "answer " + (i + 1) + " of 2");
                assertEquals(client.getPort(), from.getPort());
            }
            got.clear();
            assertEquals(null, peer.receive(got), "one answer per datagram answered, no more");
        }
    }

    /**
     * A spinning wait still takes a datagram that comes while it spins or after (it then sleeps in the selector),
     * and one that ends without any waits at least as long as asked.
     */
    @Test
    void aSpinningWaitTakesDatagramsThatComeAndSleepsOutItsTimeWhenNoneDoes() throws IOException {
        try (HostUdpTransport net = new HostUdpTransport(HostUdpTransport.ETHERNET_UDP_PAYLOAD, new SpinPolicy(100_000, 2));
             DatagramChannel peer = socket()) {
            Recorder r = new Recorder();
            net.bind(50_123, r);
            assertEquals(SendResult.SENT, send(net, 50_123, port(peer), 4));
            ByteBuffer got = ByteBuffer.allocate(64);
            InetSocketAddress from = (InetSocketAddress) peer.receive(got);
            peer.send(ByteBuffer.wrap(new byte[] {0, 3, 0, 1, 9}), from);
            awaitEvents(net, r, 1);
            assertEquals(List.of("data 127.0.0.1:" + port(peer) + " 5"), r.events);

            long start = System.nanoTime();
            net.await(3_000_000L);             // nothing comes: spin, then sleep the rest
            long waited = System.nanoTime() - start;
            net.receive(0, 64);
            assertTrue(waited >= 3_000_000L, "waited " + waited + " ns");
            assertEquals(1, r.events.size());
        }
    }

    /**
     * A server that sends its ERROR and closes its transfer port (atftpd refusing a put it first acknowledged) while the
     * client is still sending the window: the client's next datagram draws an ICMP port unreachable, which the kernel
     * reports ahead of the ERROR still queued on the socket (and a send may hear it first). The ERROR came first and
     * says why: the handler must get it before the unreachable, or the user reads "ICMP port unreachable" instead of
     * the server's "Access violation". Both ways the error can be heard: on the receive, and on a send after a select
     * that ran before the ERROR came (so the selector has not flagged the socket that holds it).
     */
    @Test
    void aDatagramQueuedBeforeAnUnreachableReachesTheHandlerFirst() throws Exception {
        for (boolean heardBySend : new boolean[] {false, true}) {
            try (HostUdpTransport net = new HostUdpTransport(); DatagramChannel listen = socket()) {
                Recorder r = new Recorder();
                int local = 52_000 + (int) (System.nanoTime() & 0x3FF);
                net.bind(local, r);
                assertEquals(SendResult.SENT, send(net, local, port(listen), 20)); // the request
                ByteBuffer got = ByteBuffer.allocate(100);
                InetSocketAddress client = (InetSocketAddress) listen.receive(got);
                int tidPort;
                try (DatagramChannel tid = socket()) {
                    tidPort = port(tid);
                    tid.send(ByteBuffer.wrap(new byte[7]), client); // the OACK, from the transfer ID
                    awaitEvents(net, r, 1);
                    assertEquals(SendResult.SENT, send(net, local, tidPort, 30)); // DATA 1: the connected socket opens
                    got.clear();
                    tid.receive(got);
                    if (heardBySend) {
                        net.await(0); // a select before the ERROR came, as the client's loop makes: nothing ready
                    }
                    tid.send(ByteBuffer.wrap(new byte[21]), client); // the ERROR; then the port closes
                }
                Thread.sleep(50); // the ERROR is queued on the client's socket
                send(net, local, tidPort, 30); // DATA 2 to the closed port: ICMP port unreachable
                Thread.sleep(50);
                if (heardBySend) {
                    send(net, local, tidPort, 30); // DATA 3: this send is the one that hears it
                    net.receive(0, 64); // on the stale select
                }
                awaitEvents(net, r, 3);
                assertEquals(List.of("data 127.0.0.1:" + tidPort + " 7", "data 127.0.0.1:" + tidPort + " 21",
                        "unreachable 127.0.0.1 ICMP port unreachable for 127.0.0.1:" + tidPort), r.events,
                        heardBySend ? "heard by a send" : "heard by the receive");
            }
        }
    }

    @Test
    void aClosedPortIsReportedAsUnreachable() throws IOException {
        int closed;
        try (DatagramChannel gone = socket()) {
            closed = port(gone);
        }
        try (HostUdpTransport net = new HostUdpTransport()) {
            Recorder r = new Recorder();
            int local = 51_000 + (int) (System.nanoTime() & 0x3FF);
            net.bind(local, r);
            assertEquals(SendResult.SENT, send(net, local, closed, 20));
            awaitEvents(net, r, 1);
            assertEquals(List.of("unreachable 127.0.0.1 ICMP port unreachable for 127.0.0.1:" + closed), r.events);
        }
    }

    @Test
    void theRouteToLoopbackCarriesTheLargestDatagram() {
        HostRoute route = HostRoute.towards(LOCALHOST);
        assertNotNull(route, "loopback has an interface");
        assertEquals("lo", route.interfaceName());
        assertEquals(65536, route.mtu(), "Linux's loopback MTU");
        assertEquals(HostUdpTransport.MAX_DATAGRAM, route.maxUdpPayload(), "65536 - 28, capped at IPv4's 65507");
        assertEquals(route, HostRoute.towards(Ipv4Address.parse("127.3.2.1")), "all of 127/8 is loopback");
        assertTrue(HostRoute.towards(Ipv4Address.parse("127.0.0.1")).maxUdpPayload() - 4 > 65464, "65464-byte blocks fit");
    }
}
