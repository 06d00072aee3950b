package dev.netboot.cli;

import dev.netboot.net.UdpHandler;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;

/**
 * One port bound by {@link HostUdpTransport}: the unconnected socket the port was bound with, and the sockets on the
 * same local port connected to the first {@value #MAX_PEERS} destinations it sends to, so that each hears the ICMP port
 * unreachable its datagrams cause (an unconnected UDP socket never does). The transport's class comment says why; this
 * class holds the rule of which destination gets which socket:
 *
 * <ul>
 *   <li>The port: the number asked for, or, when another process holds it, an ephemeral one the kernel picks.</li>
 *   <li>A destination already connected goes out through its socket; a new one gets a connected socket while the port
 *       has fewer than {@value #MAX_PEERS} (the request's destination, then the transfer ID's); past that, or once the
 *       system refused a second socket on the port, datagrams go out unconnected.</li>
 *   <li>A port unreachable that a send heard (it concerns an earlier datagram) is kept here until the next receive.</li>
 * </ul>
 *
 * <p>Every socket is registered with the transport's selector for reading, with its {@link Socket} attached.
 */
final class HostUdpPort {
    /** Destinations per port that get a connected socket, to hear ICMP errors: the request's and the transfer ID's. */
    static final int MAX_PEERS = 2;
    /** Each socket's receive buffer: a window of 16 blocks of 64 KiB must fit in its queue between two polls. */
    private static final int RECEIVE_BUFFER = 4 << 20;

    /** One socket of a bound port: the unconnected one ({@code peer} null) or one connected to {@code peer}. */
    record Socket(HostUdpPort port, DatagramChannel channel, InetSocketAddress peer, int peerIp, SelectionKey key) {
        Socket(HostUdpPort port, DatagramChannel channel, InetSocketAddress peer, SelectionKey key) {
            this(port, channel, peer, peer == null ? 0 : toInt((Inet4Address) peer.getAddress()), key);
        }
    }

    final UdpHandler handler;
    final Socket main;
    private final Selector selector;
    private final List<Socket> peers = new ArrayList<>(MAX_PEERS);
    private boolean peersRefused;          // the system would not open a second socket on the port: send unconnected
    /** A port unreachable seen on send, reported by the next receive; null: none. */
    InetSocketAddress unreachable;

    private HostUdpPort(UdpHandler handler, DatagramChannel channel, Selector selector) throws IOException {
        this.handler = handler;
        this.selector = selector;
        this.main = new Socket(this, channel, null, channel.register(selector, SelectionKey.OP_READ));
        main.key().attach(main);
    }

    /**
     * Opens a UDP socket on {@code port} (on an ephemeral one when another process holds it), registered with
     * {@code selector}, whose datagrams go to {@code handler}.
     */
    static HostUdpPort open(int port, UdpHandler handler, Selector selector) throws IOException {
        DatagramChannel ch = null;
        try {
            ch = DatagramChannel.open(StandardProtocolFamily.INET);
            ch.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
            try {
                ch.bind(new InetSocketAddress(port));
            } catch (BindException taken) {
                ch.bind(new InetSocketAddress(0)); // held by another process: any free port does
            }
            // Bound without SO_REUSEADDR, so the port was free; set now, it lets our own connected
            // sockets join the port (both must have it), and no one else could have joined before.
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.configureBlocking(false);
            return new HostUdpPort(handler, ch, selector);
        } catch (IOException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** Adds this port's sockets to {@code all}: the unconnected one, then the connected ones in the order they opened. */
    void addSocketsTo(List<Socket> all) {
        all.add(main);
        all.addAll(peers);
    }

    /** Returns how many connected sockets this port has opened (0..{@value #MAX_PEERS}). */
    int connectedSockets() {
        return peers.size();
    }

    /** Returns the host port the sockets really use (it differs from the one asked for when that was taken), or -1. */
    int hostPort() {
        try {
            return ((InetSocketAddress) main.channel().getLocalAddress()).getPort();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Returns the socket connected to {@code to}, opened now if this port has fewer than {@link #MAX_PEERS}; else the
     * unconnected one. A socket opened here is in {@link #addSocketsTo} from now on.
     */
    DatagramChannel channelTo(InetSocketAddress to) {
        for (Socket s : peers) {
            if (s.peer().equals(to)) {
                return s.channel();
            }
        }
        if (peersRefused || peers.size() == MAX_PEERS) {
            return main.channel();
        }
        DatagramChannel ch = null;
        try {
            ch = DatagramChannel.open(StandardProtocolFamily.INET);
            ch.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(main.channel().getLocalAddress());
            ch.connect(to);
            ch.configureBlocking(false);
            Socket peer = new Socket(this, ch, to, ch.register(selector, SelectionKey.OP_READ));
            peer.key().attach(peer);
            peers.add(peer);
            return ch;
        } catch (IOException | UnsupportedOperationException e) {
            closeQuietly(ch);
            peersRefused = true; // e.g. a system that shares no unicast port: unconnected it is
            return main.channel();
        }
    }

    /** Closes every socket of the port, the connected ones first, and takes them off the selector. */
    void close() {
        for (Socket s : peers) {
            s.key().cancel();
            closeQuietly(s.channel());
        }
        main.key().cancel();
        closeQuietly(main.channel());
    }

    static int toInt(Inet4Address a) {
        byte[] ip = a.getAddress();
        return (ip[0] & 0xFF) << 24 | (ip[1] & 0xFF) << 16 | (ip[2] & 0xFF) << 8 | ip[3] & 0xFF;
    }

    static void closeQuietly(DatagramChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // closing a socket we give up on; nothing to report
            }
        }
    }
}
