package dev.netboot.tftp;

import dev.netboot.net.PayloadWriter;
import dev.netboot.net.SendResult;
import dev.netboot.wire.Ipv4Address;
import java.nio.ByteBuffer;

/**
 * A transfer's retransmission timer and the control packet it sends again. RFC 1350 section 2: "If a packet gets
 * lost in the network, the intended recipient will timeout and may retransmit his last packet (which may be data or
 * an acknowledgment)". The packet is the client's last request or ACK ({@link #packet}, {@link #len}); DATA bursts
 * of a write are {@code Upload}'s, which runs the same timer. The timeout comes from the client's
 * {@link RttEstimator}, doubled per retry in a row ({@link #retries}); a round trip is sampled by Karn's rule
 * (RFC 6298 section 3: only an exchange whose packet went out once, {@link #arm} and {@link #takeSample}).
 *
 * <p>Its fields are the per-packet state of {@code Handshake}, {@code Download}, {@code MulticastDownload} and
 * {@code Upload}, package-private for them and mutable on purpose, as {@link TftpClient}'s own: nothing on the
 * data path allocates.
 */
final class Retransmission implements PayloadWriter {
    private static final int REQUEST_CAPACITY = 4 + 255 * 2 + 128;

    private final TftpClient c;
    /** The last control packet: a request or an ACK, {@link #len} bytes. */
    final ByteBuffer packet = ByteBuffer.allocate(REQUEST_CAPACITY);
    int len;
    /** When it last went out. */
    long sentAt;
    /** When the timer fires (a retransmission, or a held ACK's release); {@code Long.MAX_VALUE}: not running. */
    long retryAt = Long.MAX_VALUE;
    /** The link refused the last packet: the next poll sends it, as a first send, not a retransmission. */
    boolean unsent;
    /** Timeouts in a row: each doubles the timeout. */
    int retries;
    // Karn's rule: a sample is armed only by a packet sent once; any retransmission disarms it.
    boolean sampleArmed;
    /** An exchange was armed and its answer has not come yet, whether or not its packet went out again since. */
    private boolean exchangeOpen;
    private long sampleAt;
    private long sampleSeq;

    Retransmission(TftpClient c) {
        this.c = c;
    }

    /**
     * Sends the control packet again as it is, to the transfer ID: a re-ACK, not a timeout's retransmission. While
     * receiving, the timer restarts from it: the ACK just went out.
     */
    void resend(long now) {
        c.net.sendUdp(now, c.localPort, c.server, c.tid, len, this);
        sentAt = now;
        if (c.state() instanceof TftpClient.State.Receiving && c.acks.heldUntil() < 0) {
            retryAt = now + c.rtt.timeout(retries);
        }
    }

    /** Sends the control packet (request or ACK) to {@code port}; a busy link leaves it for the next poll. */
    void send(long now, int port) {
        SendResult r = c.net.sendUdp(now, c.localPort, c.server, port, len, this);
        if (r == SendResult.NO_ROUTE && c.state() instanceof TftpClient.State.Done) {
            // Only the final ACK cannot go: the file is complete all the same, and the dally that follows
            // re-ACKs a retransmission should the route come back (the server's own timeout ends its side).
            unsent = false;
            return;
        }
        if (r == SendResult.NO_ROUTE) {
            c.fail(new TftpFailure(TftpFailure.Kind.UNREACHABLE, -1, "TFTP: no route to " + new Ipv4Address(c.serverIp)
                    + " (off-link and no gateway)"));
            return;
        }
        if (r == SendResult.LINK_BUSY) {
            // GUIDE H9: nothing went out, so nothing moves; stay due and let the next poll send it.
            unsent = true;
            retryAt = now;
            return;
        }
        unsent = false;
        sentAt = now;
        // An ARP wait (PENDING_ARP) or a full ARP queue: the retry timer covers it.
        retryAt = now + c.rtt.timeout(retries);
    }

    /** Arms an RTT sample: the answer that moves past {@code seq} measures the packet just sent (a first send). */
    void arm(long now, long seq) {
        if (!unsent) {
            sampleArmed = true;
            exchangeOpen = true;
            sampleAt = now;
            sampleSeq = seq;
        }
    }

    /**
     * Takes the armed RTT sample when the answer moves past its sequence number. Karn's algorithm: only a packet
     * sent once is sampled, and in lock-step the backed-off timeout stays until such a sample comes (RFC 6298
     * section 5): progress alone does not end the backoff, or a timeout shorter than the peer's real answer time
     * (a server slowed down by a queue of our own retransmissions) would fire on every packet, each time with one
     * more copy in flight, and never be corrected, since no such exchange is sampled. With a window, progress
     * ends the backoff too (see {@code Download.deliver}).
     *
     * <p>One exception, before any sample: an answer that comes later than the longest wait ({@code maxTimeout})
     * after the exchange's first packet is taken as a sample of that whole time, the most the round trip can be.
     * On a path whose round trip is longer than that wait, every packet goes out again before its answer comes, so
     * Karn's sample never would, and the timeout would stay shorter than the round trip for the whole transfer.
     * On an ordinary path it takes several losses in a row to get there, and the samples that follow bring the
     * timeout down again (TCP's answer to the same problem, RFC 6298 section 5.7, is likewise a conservative
     * timeout after a retransmitted SYN).
     */
    void takeSample(long now, long seq) {
        if (!exchangeOpen || seq < sampleSeq) {
            return;
        }
        exchangeOpen = false;
        if (sampleArmed) {
            c.rtt.sample(now - sampleAt);
            sampleArmed = false;
            retries = 0;
        } else if (c.rtt.srtt() < 0 && now - sampleAt > c.config.maxTimeout()) {
            c.rtt.sample(now - sampleAt);
            retries = 0;
        }
    }

    @Override
    public void writePayload(ByteBuffer buf, int off, int len) {
        buf.put(off, packet, 0, len);
    }
}
