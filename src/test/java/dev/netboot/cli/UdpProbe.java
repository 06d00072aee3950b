package dev.netboot.cli;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;

/**
 * A host's UDP socket asking whether a port is closed, the way an application learns it: connected to
 * {@code IP PORT}, it sends a datagram every 50 ms and waits; the kernel turns an ICMP port unreachable that quotes
 * one of them (RFC 1122 section 4.1.3.3) into ECONNREFUSED on the socket, which Java throws as
 * {@link PortUnreachableException}. Run as a process of its own in a network namespace
 * ({@code ip netns exec NS java -cp ... dev.netboot.cli.UdpProbe IP PORT SECONDS}); prints {@code refused after N
 * datagrams} and exits 0, or {@code no answer} and exits 1 after {@code SECONDS}.
 */
public final class UdpProbe {
    private UdpProbe() {
    }

    public static void main(String[] args) throws IOException {
        InetAddress ip = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        long until = System.nanoTime() + Long.parseLong(args[2]) * 1_000_000_000L;
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(ip, port);
            s.setSoTimeout(50);
            byte[] probe = "closed?".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int sent = 1; System.nanoTime() < until; sent++) {
                try {
                    s.send(new DatagramPacket(probe, probe.length));
                    s.receive(new DatagramPacket(new byte[64], 64));
                } catch (PortUnreachableException e) {
                    System.out.println("refused after " + sent + " datagrams");
                    return;
                } catch (SocketTimeoutException e) {
                    // nothing yet: the board may have no address
                }
            }
        }
        System.out.println("no answer");
        System.exit(1);
    }
}
