package dev.netboot.cli;

import dev.netboot.wire.Ipv4Address;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.Enumeration;

/**
 * The interface the route to a server leaves this host by, its MTU, and the largest UDP payload that
 * crosses it whole: what {@code netboot tftp} sizes its blocks by. It is the first hop's MTU, the most
 * a host learns without sending (routers beyond may carry less; {@code --blksize} is the user's word
 * that they do not).
 *
 * @param interfaceName the interface, e.g. "eth0" or "lo"
 * @param mtu           its MTU
 * @param maxUdpPayload {@code mtu} less 20 bytes of IPv4 and 8 of UDP header, at most 65507
 */
record HostRoute(String interfaceName, int mtu, int maxUdpPayload) {
    /** IPv4 and UDP headers: an MTU less these is the largest payload. */
    static final int IP_UDP_HEADERS = 28;

    /**
     * Returns the route datagrams to {@code dst} take, or null when the system does not say. A
     * destination that is one of this host's own addresses is reached over loopback, whatever
     * interface holds the address.
     */
    static HostRoute towards(Ipv4Address dst) {
        try {
            InetAddress to = HostUdpTransport.toInet(dst.value());
            NetworkInterface out = null;
            if (to.isLoopbackAddress() || NetworkInterface.getByInetAddress(to) != null) {
                // The Enumeration, not networkInterfaces(): no stream to start up for two or three interfaces.
                for (Enumeration<NetworkInterface> all = NetworkInterface.getNetworkInterfaces(); all.hasMoreElements(); ) {
                    NetworkInterface ni = all.nextElement();
                    if (ni.isLoopback() && ni.isUp()) {
                        out = ni;
                        break;
                    }
                }
            } else {
                try (DatagramChannel probe = DatagramChannel.open(StandardProtocolFamily.INET)) {
                    // connect() on UDP sends nothing: the kernel only picks the route, and so the source address.
                    probe.connect(new InetSocketAddress(to, 69));
                    out = NetworkInterface.getByInetAddress(((InetSocketAddress) probe.getLocalAddress()).getAddress());
                }
            }
            if (out == null || out.getMTU() <= IP_UDP_HEADERS) {
                return null;
            }
            int mtu = out.getMTU();
            return new HostRoute(out.getName(), mtu, Math.min(HostUdpTransport.MAX_DATAGRAM, mtu - IP_UDP_HEADERS));
        } catch (IOException | UncheckedIOException e) {
            return null; // no route, or the system keeps its interfaces to itself: the caller stays Ethernet-safe
        }
    }
}
