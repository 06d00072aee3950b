package dev.netboot.cli;

import dev.netboot.cli.HostUdpPort.Socket;
import dev.netboot.net.PayloadWriter;
import dev.netboot.net.SendResult;
import dev.netboot.net.UdpHandler;
import dev.netboot.net.UdpTransport;
import dev.netboot.wire.Ipv4Address;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link UdpTransport} over ordinary host UDP sockets (no root, no raw sockets), so the board's TFTP
 * state machine runs unchanged on a workstation: {@code netboot tftp get|put}.
 *
 * <p><b>Ports.</b> Each {@link #bind} opens one non-blocking {@link DatagramChannel} on the wildcard
 * address. The client names a random port from 49152 up; on a host another process may hold it, so
 * when that port is taken the channel binds an ephemeral port the kernel picks instead. The client
 * never needs to know: its port number is only a key here, and the server learns our real port from
 * the request's source. A transfer uses one port; the option fallback (a request again, plainly,
 * from a new port after ERROR 8) opens a second and closes the first.
 *
 * <p><b>ICMP port unreachable.</b> An unconnected UDP socket never hears the ICMP error its datagram
 * caused, and a socket connected to the server's port 69 would not hear the server's answer, which
 * comes from a new port (the transfer ID). So the first {@value HostUdpPort#MAX_PEERS} destinations a port sends
 * to (the request's, then the transfer ID's) each get a second socket on the same local port
 * ({@code SO_REUSEADDR}), connected to that destination, and datagrams to it go out through it. The
 * kernel hands an answer from a connected socket's peer to that socket and everything else to the
 * unconnected one, and reports a port unreachable to the connected one, which {@link #receive} turns
 * into {@link UdpHandler#onUnreachable}: a closed port fails at once instead of after every
 * retransmission. Where the system refuses the second socket, datagrams go out unconnected and the
 * client's timeouts end a dead transfer as before. A bound port and its sockets are a {@link HostUdpPort}, which
 * holds that rule; the transport routes sends to it and reads what its sockets hear.
 *
 * <p><b>MTU.</b> {@link #maxUdpPayload()} is what the caller says: {@link HostRoute#towards} learns it
 * from the MTU of the interface the route to the server leaves by (the loopback's for a server on this
 * host), so a block size that fits is honoured and one that does not is lowered, never fragmented.
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
    private final SocketWait wait;
    private final int maxUdpPayload;
    private final Map<Integer, HostUdpPort> bindings = new HashMap<>();
    // Every socket of every binding as an array, replaced (never changed) when one opens or closes:
    // receive iterates a snapshot while handlers bind and unbind, without a copy per call.
    private Socket[] active = new Socket[0];
    private final ByteBuffer tx = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final ByteBuffer rx = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    // The last destination, kept: sendUdp takes an int address and port, and a new socket address per
    // packet would be the send path's only allocation.
    private int lastDstIp;
    private int lastDstPort = -1;
    private InetSocketAddress lastDst;
    private long receiveErrors;
    // Datagrams sent so far: drain() stops reading a socket once the handler answered (see receive).
    private long sends;
    // The binding the last send went out from: bindings.get(int) boxes a port above 127 into a new Integer.
    private int lastSrcPort = -1;
    private HostUdpPort lastSrc;

    /** Opens a transport whose {@link #maxUdpPayload()} is {@link #ETHERNET_UDP_PAYLOAD}. */
    HostUdpTransport() {
        this(ETHERNET_UDP_PAYLOAD);
    }

    /** Opens a transport that reports {@code maxUdpPayload} (at most {@link #MAX_DATAGRAM}) to its clients. */
    HostUdpTransport(int maxUdpPayload) {
        this(maxUdpPayload, SpinPolicy.ofThisProcess());
    }

    /** Opens a transport that reports {@code maxUdpPayload} and waits as {@code spin} says. */
    HostUdpTransport(int maxUdpPayload, SpinPolicy spin) {
        if (maxUdpPayload < 12 || maxUdpPayload > MAX_DATAGRAM) {
            throw new IllegalArgumentException("max UDP payload " + maxUdpPayload + " (expected: 12.." + MAX_DATAGRAM + ")");
        }
        this.maxUdpPayload = maxUdpPayload;
        this.wait = new SocketWait(spin);
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
        try {
            bindings.put(port, HostUdpPort.open(port, handler, wait.selector()));
            refreshActive();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a UDP socket: " + e.getMessage(), e);
        }
    }

    @Override
    public void unbind(int port) {
        HostUdpPort b = bindings.remove(port);
        if (port == lastSrcPort) {
            lastSrcPort = -1;
            lastSrc = null;
        }
        if (b != null) {
            refreshActive();
            b.close();
        }
    }

    private void refreshActive() {
        List<Socket> all = new ArrayList<>();
        for (HostUdpPort b : bindings.values()) {
            b.addSocketsTo(all);
        }
        active = all.toArray(Socket[]::new);
    }

    @Override
    public boolean isBound(int port) {
        return bindings.containsKey(port);
    }

    /** Returns the host port the socket of {@code port} really uses (it differs when {@code port} was taken), or -1. */
    int hostPort(int port) {
        HostUdpPort b = bindings.get(port);
        return b == null ? -1 : b.hostPort();
    }

    /** Returns how many connected sockets {@code port} has opened (0..{@value HostUdpPort#MAX_PEERS}), or -1 if it is not bound. */
    int connectedSockets(int port) {
        HostUdpPort b = bindings.get(port);
        return b == null ? -1 : b.connectedSockets();
    }

    @Override
    public SendResult sendUdp(long now, int srcPort, Ipv4Address dst, int dstPort, int len, PayloadWriter writer) {
        HostUdpPort b = srcPort == lastSrcPort ? lastSrc : bindings.get(srcPort);
        if (b == null) {
            throw new IllegalStateException("UDP port " + srcPort + " is not bound");
        }
        lastSrcPort = srcPort;
        lastSrc = b;
        sends++;
        if (len < 0 || len > MAX_DATAGRAM) {
            throw new IllegalArgumentException("UDP payload of " + len + " bytes (expected: 0.." + MAX_DATAGRAM + ")");
        }
        InetSocketAddress to = destination(dst.value(), dstPort);
        int connected = b.connectedSockets();
        DatagramChannel ch = b.channelTo(to);
        if (b.connectedSockets() != connected) {
            refreshActive(); // a socket connected to a new destination opened: receive reads it too
        }
        tx.clear();
        writer.writePayload(tx, 0, len);
        tx.limit(len);
        try {
            // A full socket buffer sends nothing and returns 0: the client retries on its next poll (GUIDE H9).
            int n = ch.isConnected() ? ch.write(tx) : ch.send(tx, to);
            return n == 0 && len > 0 ? SendResult.LINK_BUSY : SendResult.SENT;
        } catch (PortUnreachableException e) {
            // The error an earlier datagram caused, reported here instead of on a receive: say it there.
            b.unreachable = to;
            return SendResult.SENT;
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

    static InetAddress toInet(int ip) {
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
     * returns how many; a port unreachable a connected socket heard goes to its handler's
     * {@link UdpHandler#onUnreachable}. Handlers may bind and unbind while it runs.
     *
     * <p>After {@link #await} it reads only the sockets the selector found readable, each until it is
     * empty: a window of DATA costs one receive call per datagram and one more, and a lock-step block
     * two, not one per socket of the port. A connected socket is read without asking who sent (its peer,
     * the only one it hears), which saves the JDK's source-address object per datagram.
     *
     * <p>A socket is read no further once its handler answered a datagram (an ACK went out): what the
     * answer asks for is a round trip away, so the read after it would almost always find nothing, one
     * system call per block in lock-step and per window with one. Whatever did queue behind it stays
     * readable, and the next {@link #await} returns at once for it.
     */
    int receive(long now, int max) {
        // A port unreachable is said after the datagrams that waited: a server's ERROR sent before it closed its port
        // is queued ahead of the ICMP error our next datagram drew, and says why (the kernel reports the error first).
        int n = receiveQueued(now, max, false);
        if (n < max && unreachablePending()) {
            // The datagram that says why may sit on a socket the last select did not find ready yet: read them all.
            n += receiveQueued(now, max - n, true);
        }
        reportUnreachable(now);
        return n;
    }

    private boolean unreachablePending() {
        for (Socket s : active) {
            if (s.port().unreachable != null) {
                return true;
            }
        }
        return false;
    }

    private int receiveQueued(long now, int max, boolean all) {
        int n = 0;
        if (!all && wait.take()) {
            for (int i = 0; i < wait.readyCount() && n < max; i++) {
                n += drain(now, wait.ready(i), max - n);
            }
            wait.forget();
            return n;
        }
        Socket[] pass = active;
        while (n < max) {
            for (Socket s : pass) {
                n += drain(now, s, max - n);
                if (n >= max) {
                    break;
                }
            }
            if (pass == active) {
                return n; // no socket opened or closed meanwhile: every one was drained
            }
            pass = active; // a handler opened a socket (an answer to the transfer ID): drain that one too
        }
        return n;
    }

    /** Reports a port unreachable a send or a read heard (it concerns an earlier datagram) on a port still bound. */
    private void reportUnreachable(long now) {
        for (Socket s : active) {
            HostUdpPort b = s.port();
            if (s == b.main && b.unreachable != null && s.channel().isOpen()) {
                InetSocketAddress to = b.unreachable;
                b.unreachable = null;
                unreachable(now, b, to);
            }
        }
    }

    /** Hands up to {@code max} datagrams waiting on {@code s} to its handler; returns how many. */
    private int drain(long now, Socket s, int max) {
        HostUdpPort b = s.port();
        int n = 0;
        while (n < max && s.channel().isOpen()) { // a handler may unbind (the transfer ended or failed)
            rx.clear();
            try {
                if (s.peer() != null) {
                    // Connected: read() gives no address, and 0 for nothing waiting (or an empty datagram, which
                    // no TFTP packet is; the selector wakes us again for any that follow).
                    if (s.channel().read(rx) <= 0) {
                        return n;
                    }
                    long sent = sends;
                    b.handler.onDatagram(now, s.peerIp(), s.peer().getPort(), 0, rx, 0, rx.position());
                    if (sends != sent) {
                        return n + 1; // answered: the next datagram is a round trip away (see receive)
                    }
                } else {
                    SocketAddress from = s.channel().receive(rx);
                    if (from == null) {
                        return n;
                    }
                    if (!(from instanceof InetSocketAddress isa && isa.getAddress() instanceof Inet4Address a4)) {
                        continue;
                    }
                    long sent = sends;
                    b.handler.onDatagram(now, HostUdpPort.toInt(a4), isa.getPort(), 0, rx, 0, rx.position());
                    if (sends != sent) {
                        return n + 1;
                    }
                }
                n++;
            } catch (PortUnreachableException ex) {
                // Only a connected socket hears it. Kept for the end of receive, once what is queued was read.
                b.unreachable = s.peer();
            } catch (IOException ex) {
                receiveErrors++; // e.g. a transient error; the client's timers cover it
                return n;
            }
        }
        return n;
    }

    private static void unreachable(long now, HostUdpPort b, InetSocketAddress to) {
        Ipv4Address dst = new Ipv4Address(HostUdpPort.toInt((Inet4Address) to.getAddress()));
        b.handler.onUnreachable(now, dst, to.getPort(), true, "ICMP port unreachable for " + dst + ":" + to.getPort());
    }

    /**
     * Waits up to {@code nanos} for a datagram on any bound socket; returns at once if {@code nanos <= 0}
     * ({@link SocketWait#await}, which then knows the sockets {@link #receive} reads).
     */
    void await(long nanos) {
        wait.await(nanos);
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
        wait.close();
    }
}
