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
}
