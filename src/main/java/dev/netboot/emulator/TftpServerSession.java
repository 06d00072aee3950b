package dev.netboot.emulator;

import dev.netboot.net.UdpHandler;
import dev.netboot.wire.TftpPacket;

/**
 * One transfer of the {@link TftpServer}, a download ({@link TftpSession}) or an upload
 * ({@link TftpServerUpload}), with what the server needs to run it.
 */
sealed interface TftpServerSession extends UdpHandler permits TftpSession, TftpServerUpload, TftpMulticastSession {
    /**
     * What a session runs with once the request's options are settled.
     *
     * @param blockSize  bytes per DATA
     * @param windowSize blocks per window (RFC 7440); 1 is lock-step
     * @param rolloverTo the block number after 65535: 0 or 1
     * @param timeout    retransmission timeout, nanoseconds
     * @param oack       the OACK to send first, or null when the request is answered directly
     */
    record Params(int blockSize, int windowSize, int rolloverTo, long timeout, TftpPacket.Oack oack) {
    }

    /** Runs the timers. */
    void poll(long now);

    /** Returns the next deadline. */
    long pollAt();

    /** Returns true once finished (the port may be reused). */
    boolean ended();

    /** Returns the client's address as an int. */
    int clientIp();

    /** Returns the client's port. */
    int clientPort();

    /** Returns the file the request named. */
    String file();

    /**
     * Returns whether {@code p} is a request (RRQ or WRQ) for the file of a unicast transfer in {@code active} still
     * running from the same client address and port: that request again (RFC 1350 section 4: a transfer is its two
     * TIDs). A multicast transfer answers a member's request again itself.
     */
    static boolean repeats(Iterable<TftpServerSession> active, int srcIp, int srcPort, TftpPacket p) {
        String name = switch (p) {
            case TftpPacket.Rrq r -> r.filename();
            case TftpPacket.Wrq w -> w.filename();
            default -> null;
        };
        if (name == null) {
            return false;
        }
        for (TftpServerSession s : active) {
            boolean same = switch (s) {
                case TftpSession _ -> p instanceof TftpPacket.Rrq;
                case TftpServerUpload _ -> p instanceof TftpPacket.Wrq;
                case TftpMulticastSession _ -> false;
            };
            if (same && !s.ended() && s.clientIp() == srcIp && s.clientPort() == srcPort && s.file().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
