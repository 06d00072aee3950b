package dev.netboot.cli;

import dev.netboot.net.PayloadWriter;
import dev.netboot.net.SendResult;
import dev.netboot.net.UdpHandler;
import dev.netboot.net.UdpTransport;
import dev.netboot.wire.Ipv4Address;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link UdpTransport} over ordinary host UDP sockets (no root, no raw sockets), so the board's TFTP
 * state machine runs unchanged on a workstation: {@code netboot tftp get|put}.
 *
 * <p><b>Ports.</b> Each {@link #bind} opens one non-blocking {@link DatagramChannel} on the wildcard
 * address. The client names a random port from 49152 up; on a host another process may hold it, so
 * when that port is taken the channel binds an ephemeral port the kernel picks instead. The client
 * never needs to know: its port number is only a key here, and the server learns our real port from
 * the request's source. A transfer uses one channel; the option fallback (a request again, plainly,
 * from a new port after ERROR 8) opens a second and closes the first.
 *
 * <p><b>MTU.</b> {@link #maxUdpPayload()} is 1472: an Ethernet MTU of 1500 less 20 bytes of IP and 8
 * of UDP header. That makes {@code blksize} AUTO ask for 1468, U-Boot's choice: the largest block that
 * crosses an ordinary Ethernet path without IP fragmentation (a lost fragment loses the whole block,
 * and many firewalls drop fragments). Loopback would carry more, but a host has no portable way to
 * learn a path's MTU from a UDP socket, and the default must work on real networks; ask for more with
 * {@code --blksize}.
 *
 * <p><b>Buffers.</b> One direct buffer for sends, filled in place by the {@link PayloadWriter}, and one
 * for receives, lent to the handler: the data path allocates only the JDK's source address per
 * datagram received.
 *
 * <p>Single-threaded like the client: {@link #receive} and {@link #await} are called from one loop,
 * {@link HostTftp#run}, which alone reads the clock.
 */
final class HostUdpTransport implements UdpTransport, AutoCloseable {
    /** Largest UDP payload on an Ethernet path without IP fragmentation: 1500 − 20 − 8. */
    static final int ETHERNET_UDP_PAYLOAD = 1472;
    /** Largest UDP payload over IPv4 at all (65535 − 20 − 8): the size of the buffers. */
    static final int MAX_DATAGRAM = 65507;

    private record Binding(DatagramChannel channel, UdpHandler handler, SelectionKey key) {
    }

    private final Selector selector;
    private final int maxUdpPayload;
    private final Map<Integer, Binding> bindings = new HashMap<>();
    // The same bindings as an array, replaced (never changed) on bind and unbind: receive iterates a
    // snapshot while handlers bind and unbind, without a copy per call.
    private Binding[] active = new Binding[0];
    private final ByteBuffer tx = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final ByteBuffer rx = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    // The last destination, kept: sendUdp takes an int address and port, and a new socket address per
    // packet would be the send path's only allocation.
    private int lastDstIp;
    private int lastDstPort = -1;
    private InetSocketAddress lastDst;
    private long receiveErrors;

    /** Opens a transport whose {@link #maxUdpPayload()} is {@link #ETHERNET_UDP_PAYLOAD}. */
    HostUdpTransport() {
        this(ETHERNET_UDP_PAYLOAD);
    }

    /** Opens a transport that reports {@code maxUdpPayload} (at most {@link #MAX_DATAGRAM}) to its clients. */
    HostUdpTransport(int maxUdpPayload) {
        if (maxUdpPayload < 12 || maxUdpPayload > MAX_DATAGRAM) {
            throw new IllegalArgumentException("max UDP payload " + maxUdpPayload + " (expected: 12.." + MAX_DATAGRAM + ")");
        }
        this.maxUdpPayload = maxUdpPayload;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector: " + e.getMessage(), e);
        }
    }

    /**
     * Binds {@code handler} to {@code port}: a new UDP socket on that port, or on an ephemeral one when
     * another process holds it.
     *
     * @throws IllegalStateException when {@code port} is already bound here, or no socket can be opened
     */
    @Override
    public void bind(int port, UdpHandler handler) {
        if (bindings.containsKey(port)) {
            throw new IllegalStateException("UDP port " + port + " is already bound");
        }
        DatagramChannel ch = null;
        try {
            ch = DatagramChannel.open(StandardProtocolFamily.INET);
            // A window of 16 blocks of 64 KiB must fit in the socket's queue between two polls.
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            try {
                ch.bind(new InetSocketAddress(port));
            } catch (BindException taken) {
                ch.bind(new InetSocketAddress(0)); // held by another process: any free port does
            }
            ch.configureBlocking(false);
            SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
            bindings.put(port, new Binding(ch, handler, key));
            active = bindings.values().toArray(Binding[]::new);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new IllegalStateException("cannot open a UDP socket: " + e.getMessage(), e);
        }
    }

    @Override
    public void unbind(int port) {
        Binding b = bindings.remove(port);
        if (b != null) {
            active = bindings.values().toArray(Binding[]::new);
            b.key().cancel();
            closeQuietly(b.channel());
        }
    }

    @Override
    public boolean isBound(int port) {
        return bindings.containsKey(port);
    }

    /** Returns the host port the socket of {@code port} really uses (it differs when {@code port} was taken), or -1. */
    int hostPort(int port) {
        Binding b = bindings.get(port);
        if (b == null) {
            return -1;
        }
        try {
            return ((InetSocketAddress) b.channel().getLocalAddress()).getPort();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public SendResult sendUdp(long now, int srcPort, Ipv4Address dst, int dstPort, int len, PayloadWriter writer) {
        Binding b = bindings.get(srcPort);
        if (b == null) {
            throw new IllegalStateException("UDP port " + srcPort + " is not bound");
        }
        if (len < 0 || len > MAX_DATAGRAM) {
            throw new IllegalArgumentException("UDP payload of " + len + " bytes (expected: 0.." + MAX_DATAGRAM + ")");
        }
        tx.clear();
        writer.writePayload(tx, 0, len);
        tx.limit(len);
        try {
            // A full socket buffer sends nothing and returns 0: the client retries on its next poll (GUIDE H9).
            return b.channel().send(tx, destination(dst.value(), dstPort)) == 0 && len > 0 ? SendResult.LINK_BUSY : SendResult.SENT;
        } catch (IOException e) {
            // ENETUNREACH and friends: nothing went out and nothing will.
            return SendResult.NO_ROUTE;
        }
    }

    private InetSocketAddress destination(int ip, int port) {
        if (lastDst == null || ip != lastDstIp || port != lastDstPort) {
            lastDst = new InetSocketAddress(toInet(ip), port);
            lastDstIp = ip;
            lastDstPort = port;
        }
        return lastDst;
    }

    private static InetAddress toInet(int ip) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip});
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an IPv4 address", e);
        }
    }

    @Override
    public int maxUdpPayload() {
        return maxUdpPayload;
    }

    /**
     * Hands every datagram waiting on any bound socket to its handler, up to {@code max} in all, and
     * returns how many. Handlers may bind and unbind while it runs.
     */
    int receive(long now, int max) {
        int n = 0;
        boolean more = true;
        while (more && n < max) {
            more = false;
            for (Binding b : active) {
                if (!b.channel().isOpen()) {
                    continue; // unbound by a handler during this pass
                }
                SocketAddress from;
                rx.clear();
                try {
                    from = b.channel().receive(rx);
                } catch (IOException ex) {
                    receiveErrors++; // e.g. ECONNREFUSED reported late; the client's timers cover it
                    continue;
                }
                if (from instanceof InetSocketAddress isa && isa.getAddress() instanceof Inet4Address a4) {
                    byte[] ip = a4.getAddress();
                    int src = (ip[0] & 0xFF) << 24 | (ip[1] & 0xFF) << 16 | (ip[2] & 0xFF) << 8 | ip[3] & 0xFF;
                    b.handler().onDatagram(now, src, isa.getPort(), 0, rx, 0, rx.position());
                    n++;
                    more = true;
                }
            }
        }
        return n;
    }

    /** Waits up to {@code nanos} (rounded up to a millisecond) for a datagram on any bound socket; returns at once if {@code nanos <= 0}. */
    void await(long nanos) {
        try {
            if (nanos <= 0) {
                selector.selectNow();
            } else {
                selector.select(Math.max(1, (nanos + 999_999) / 1_000_000));
            }
            selector.selectedKeys().clear();
        } catch (IOException e) {
            throw new UncheckedIOException("selector failed: " + e.getMessage(), e);
        }
    }

    /** Returns receive calls that failed (and were ignored). */
    long receiveErrors() {
        return receiveErrors;
    }

    /** Closes every socket and the selector. */
    @Override
    public void close() {
        for (int port : Map.copyOf(bindings).keySet()) {
            unbind(port);
        }
        try {
            selector.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    private static void closeQuietly(DatagramChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // closing a socket we give up on; nothing to report
            }
        }
    }
}
