package dev.netboot.emulator;

import dev.netboot.net.NetStack;
import dev.netboot.net.UdpHandler;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A read-only TFTP server (RFC 1350) on UDP port 69 of a {@link ServerHost}.
 *
 * <p>Each RRQ starts a {@link TftpSession} on a fresh transfer ID: an ephemeral port drawn from a
 * seeded generator in 49152..65535 and not bound on the host (RFC 1350 section 4: "each end of a
 * connection chooses a TID for itself"). The answer, DATA 1 or an ERROR, comes from that port. A
 * retransmitted RRQ therefore starts a second session, as with tftp-hpa; the client is expected to
 * answer the stranger with ERROR 5.
 *
 * <ul>
 *   <li>Modes: "octet" and "netascii" are both served byte for byte (no CR/LF translation);
 *       any other mode gets ERROR 0.</li>
 *   <li>Unknown file: ERROR 1 "File not found". Write requests: ERROR 2 (read-only server).</li>
 *   <li>Options in an RRQ (RFC 2347) are ignored for now: no OACK, 512-byte blocks.</li>
 *   <li>Anything else sent to port 69 (ACK, DATA, ERROR, junk) is counted and dropped.</li>
 * </ul>
 */
public final class TftpServer implements UdpHandler, SimNode {
    /** The well-known server port. */
    public static final int PORT = TftpWire.SERVER_PORT;
    /** First ephemeral port (RFC 6335 dynamic range). */
    public static final int EPHEMERAL_FIRST = 49152;
    /** Last ephemeral port. */
    public static final int EPHEMERAL_LAST = 65535;
    private static final int PORT_ATTEMPTS = 1000;

    private final NetStack stack;
    private final TftpServerConfig config;
    private final RandomGenerator ports;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final List<TftpSession> sessions = new ArrayList<>();
    private final List<TftpSession> active = new ArrayList<>();
    private long readRequests, fileNotFound, writesRefused, badMode, malformed, stray, busy;

    /**
     * Counters of the server (per-transfer figures are in {@link #sessions()}).
     *
     * @param readRequests RRQs received
     * @param fileNotFound RRQs answered with ERROR 1
     * @param writesRefused WRQs answered with ERROR 2
     * @param badMode      RRQs with a mode other than octet or netascii, answered with ERROR 0
     * @param malformed    datagrams to port 69 that did not parse
     * @param stray        well-formed non-request packets sent to port 69, dropped
     * @param busy         RRQs refused because no port could be bound
     */
    public record Stats(long readRequests, long fileNotFound, long writesRefused, long badMode, long malformed,
                        long stray, long busy) {
    }

    TftpServer(NetStack stack, TftpServerConfig config, RandomGenerator ports) {
        this.stack = stack;
        this.config = config;
        this.ports = ports;
    }

    /** Serves {@code content} (not copied; don't change it while serving) under {@code name}, exact match. */
    public void serve(String name, byte[] content) {
        files.put(name, content);
    }

    /** Returns the configuration. */
    public TftpServerConfig config() {
        return config;
    }

    /** Returns every session started so far, in order, finished ones included. */
    public List<TftpSession> sessions() {
        return List.copyOf(sessions);
    }

    /** Returns a snapshot of the counters. */
    public Stats stats() {
        return new Stats(readRequests, fileNotFound, writesRefused, badMode, malformed, stray, busy);
    }

    @Override
    public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
        TftpPacket p;
        try {
            p = TftpWire.parse(buf, off, len);
        } catch (MalformedPacketException e) {
            malformed++;
            return;
        }
        Ipv4Address client = new Ipv4Address(srcIp);
        switch (p) {
            case TftpPacket.Rrq r -> onRead(now, client, srcPort, r);
            case TftpPacket.Wrq _ -> {
                writesRefused++;
                sendError(now, freePort(), client, srcPort, TftpWire.ERR_ACCESS, "Access violation: read-only server, writes are refused");
            }
            default -> stray++;
        }
    }

    private void onRead(long now, Ipv4Address client, int clientPort, TftpPacket.Rrq r) {
        readRequests++;
        int tid = freePort();
        String mode = r.mode().toLowerCase(Locale.ROOT);
        if (!mode.equals("octet") && !mode.equals("netascii")) {
            badMode++;
            sendError(now, tid, client, clientPort, TftpWire.ERR_NOT_DEFINED, "Unsupported mode '" + r.mode() + "' (octet or netascii)");
            return;
        }
        byte[] content = files.get(r.filename());
        if (content == null) {
            fileNotFound++;
            sendError(now, tid, client, clientPort, TftpWire.ERR_FILE_NOT_FOUND, "File not found");
            return;
        }
        if (tid < 0 || !canBind()) {
            busy++;
            sendError(now, tid < 0 ? PORT : tid, client, clientPort, TftpWire.ERR_NOT_DEFINED, "Server busy");
            return;
        }
        TftpSession s = new TftpSession(stack, config, tid, client, clientPort, r.filename(), content);
        stack.bind(tid, s);
        sessions.add(s);
        active.add(s);
        s.start(now);
    }

    /** Returns an unbound port in the ephemeral range from the seeded generator, or -1. */
    private int freePort() {
        for (int i = 0; i < PORT_ATTEMPTS; i++) {
            int p = ports.nextInt(EPHEMERAL_FIRST, EPHEMERAL_LAST + 1);
            if (!stack.isBound(p)) {
                return p;
            }
        }
        return -1;
    }

    private boolean canBind() {
        // The host's NetStack has a small binding table (16); keep our sessions below it.
        return active.size() < TftpSession.MAX_ACTIVE;
    }

    private void sendError(long now, int fromPort, Ipv4Address to, int toPort, int code, String message) {
        TftpSession.sendError(stack, now, fromPort < 0 ? PORT : fromPort, to, toPort, code, message);
    }

    @Override
    public void poll(long now) {
        for (TftpSession s : active) {
            s.poll(now);
        }
        active.removeIf(TftpSession::ended);
    }

    @Override
    public long pollAt() {
        long at = Long.MAX_VALUE;
        for (TftpSession s : active) {
            at = Math.min(at, s.pollAt());
        }
        return at;
    }
}
