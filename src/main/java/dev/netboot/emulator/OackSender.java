package dev.netboot.emulator;

import dev.netboot.net.NetStack;
import dev.netboot.net.PayloadWriter;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.TftpPacket;
import java.nio.ByteBuffer;

/**
 * The option phase of one {@link TftpSession} (RFC 2347): the OACK that answers a read request whose options the
 * server took, sent first, before any DATA, and sent again at each of the session's timeouts until the client confirms
 * it (or the session gives up): "If the transfer was initiated with a Read Request, then an ACK (with the data block
 * number set to 0) is sent by the client to confirm the values in the server's OACK packet." Only then does the first
 * window go; any other ACK meanwhile confirms nothing. The session keeps the timer, the retries and the counts.
 *
 * <ul>
 *   <li>The round trip from the OACK to ACK 0 is the session's first sample, taken by its {@link SenderWindow} as
 *       Karn says: only when the OACK went once, since ACK 0 may answer either copy.</li>
 *   <li>{@link TftpQuirks#sendTwice()} (through {@link SessionQuirks}) sends each OACK twice, as it does each DATA.</li>
 * </ul>
 */
final class OackSender implements PayloadWriter {
    private final NetStack stack;
    private final int port;
    private final Ipv4Address client;
    private final int clientPort;
    private final TftpPacket.Oack oack;
    private final SessionQuirks quirks;
    private final SenderWindow window;
    private boolean pending; // the OACK is out, its ACK 0 not in

    /**
     * Sends {@code oack} (null: the session has none) from {@code port} to {@code client}:{@code clientPort},
     * misbehaving as {@code quirks} says (null: well-behaved), telling {@code window} what to sample.
     */
    OackSender(NetStack stack, int port, Ipv4Address client, int clientPort, TftpPacket.Oack oack, SessionQuirks quirks,
               SenderWindow window) {
        this.stack = stack;
        this.port = port;
        this.client = client;
        this.clientPort = clientPort;
        this.oack = oack;
        this.quirks = quirks;
        this.window = window;
    }

    /** Returns whether the OACK is out and not yet confirmed: no DATA may go. */
    boolean pending() {
        return pending;
    }

    /** Sends the OACK, the session's first packet. */
    void send(long now) {
        emit(now);
        pending = true;
        window.oackSent(now);
    }

    /** Sends the OACK again: the session's timeout passed without ACK 0. */
    void resend(long now) {
        emit(now);
        window.oackResent(); // Karn: ACK 0 may answer either copy
    }

    /** Returns whether ACK {@code ack} confirms the OACK (RFC 2347: ACK 0); if it does, the option phase is over. */
    boolean confirmedBy(long now, int ack) {
        if (ack != 0) {
            return false;
        }
        pending = false;
        window.oackAcked(now);
        return true;
    }

    /** Ends the option phase unconfirmed: a test puts the session mid-transfer. */
    void skipForTest() {
        pending = false;
    }

    private void emit(long now) {
        stack.sendUdp(now, port, client, clientPort, oack.encodedLength(), this);
        if (quirks != null && quirks.twice()) {
            stack.sendUdp(now, port, client, clientPort, oack.encodedLength(), this);
        }
    }

    @Override
    public void writePayload(ByteBuffer buf, int off, int len) {
        oack.emit(buf, off);
    }
}
