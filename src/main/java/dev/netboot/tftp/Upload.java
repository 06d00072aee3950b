package dev.netboot.tftp;

import dev.netboot.net.PayloadWriter;
import dev.netboot.net.SendResult;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;

/**
 * The sending half of a write (WRQ): which blocks of the {@link TftpSource} are out, which the receiver
 * has acknowledged, and where the next window starts. It knows RFC 7440's sender rules and RFC 1123's
 * "never resend on a duplicate ACK in lock-step"; the socket, the transfer ID, the negotiated sizes,
 * retries, the RTT estimate and the counters belong to its {@link TftpClient}.
 *
 * <p>It sends the negotiated window each time: a standard receiver acknowledges only after that many
 * blocks or its own timeout, so sending fewer would stall every window. An ACK of an earlier block makes
 * it resend from the block after that one (RFC 7440 section 4).
 *
 * <p>Allocation-free per block: each block is read into one DATA buffer, made at the first transfer and
 * kept, which this class lends to the transport ({@link PayloadWriter}).
 */
final class Upload implements PayloadWriter {
    private final TftpClient c;
    private ByteBuffer dataBuf;
    private long base = 1;          // first unacknowledged block
    private long next = 1;          // next block to send
    private long highestSent;       // highest block sent so far
    private long lastBlock = -1;    // the final (short) block, once known
    private int lastBlockLen;
    private long lastRollbackAt = Long.MIN_VALUE;

    Upload(TftpClient client) {
        this.c = client;
    }

    /** Starts sending DATA 1 to the transfer ID {@code tid}, after the server's ACK 0 or OACK. */
    void enter(long now, int tid) {
        c.progress(now);
        c.tid = tid;
        base = 1;
        next = 1;
        highestSent = 0;
        int blockSize = c.blockSize;
        long size = c.source.size();
        lastBlock = size >= 0 ? size / blockSize + 1 : -1;
        lastBlockLen = size >= 0 ? (int) (size % blockSize) : 0;
        if (dataBuf == null || dataBuf.capacity() < TftpWire.DATA_HEADER_LEN + blockSize) {
            dataBuf = ByteBuffer.allocate(TftpWire.DATA_HEADER_LEN + blockSize);
        }
        c.transition(new TftpClient.State.Sending(c.server, tid, blockSize));
        sendWindow(now);
    }

    /** Sends blocks {@code next ..} up to the window's end; a busy link leaves the rest for the next poll. */
    private void sendWindow(long now) {
        int blockSize = c.blockSize;
        long fresh = -1;
        boolean resent = false;
        while (next < base + c.windowSize && (lastBlock < 0 || next <= lastBlock)) {
            int n;
            try {
                n = c.source.read((next - 1) * blockSize, dataBuf, TftpWire.DATA_HEADER_LEN, blockSize);
            } catch (TftpSinkException e) {
                c.localFailure(now, c.tid, e);
                return;
            }
            if (n < blockSize) {
                lastBlock = next;
                lastBlockLen = n;
            }
            TftpWire.writeDataHeader(dataBuf, 0, c.wire(next));
            SendResult r = c.net.sendUdp(now, c.localPort, c.server, c.tid, TftpWire.DATA_HEADER_LEN + n, this);
            if (r == SendResult.NO_ROUTE) {
                c.fail(new TftpFailure(TftpFailure.Kind.UNREACHABLE, -1, "TFTP: no route to " + c.server));
                return;
            }
            if (r == SendResult.LINK_BUSY) {
                // GUIDE H9: this block did not go; the next poll resumes from it.
                c.rtx.unsent = true;
                c.rtx.retryAt = now;
                return;
            }
            if (next <= highestSent) {
                c.retransmissions++;
                resent = true;
            } else {
                highestSent = next;
                fresh = next;
            }
            next++;
        }
        c.rtx.unsent = false;
        c.rtx.sentAt = now;
        c.rtx.retryAt = now + c.rtt.timeout(c.rtx.retries);
        if (fresh >= 0 && fresh == next - 1 && !resent) {
            c.rtx.arm(now, fresh); // Karn: only a burst sent for the first time measures the round trip
        }
    }

    /** Takes an ACK from the transfer ID, 4 bytes or more: it moves the window, or is a duplicate. */
    void onAck(long now, ByteBuffer buf, int off, int len) {
        long s = BlockNumbers.seq(TftpWire.block(buf, off, len), base, c.rolloverTo);
        if (s < base - 1 || s >= next) {
            c.dropped++;
        } else if (s == base - 1) {
            c.duplicates++;
            // RFC 1123 4.2.3.1: never resend on a duplicate ACK in lock-step. With a window it is the
            // receiver's note of a gap (RFC 7440): resend from base, at most once per timeout.
            if (c.windowSize > 1 && next > base && now - lastRollbackAt >= c.rtt.rto()) {
                lastRollbackAt = now;
                next = base;
                c.rtx.sampleArmed = false;
                sendWindow(now);
            }
        } else {
            acknowledged(now, s);
        }
    }

    /** Blocks up to {@code s} arrived: the transfer ends with the last one, or the next window goes. */
    private void acknowledged(long now, long s) {
        c.rtx.takeSample(now, s);
        c.blocks += s - base + 1;
        base = s + 1;
        if (c.windowSize > 1) {
            c.rtx.retries = 0; // as Download does: with a window, progress ends the backoff; in lock-step, a sample does
        }
        c.progress(now);
        if (s == lastBlock) {
            c.bytes = (lastBlock - 1) * c.blockSize + lastBlockLen;
            c.dally.none(now);
            return;
        }
        if (s < next - 1) {
            next = s + 1; // RFC 7440: the next window starts after the block acknowledged
            c.rtx.sampleArmed = false;
        }
        sendWindow(now);
    }

    /** The retransmission deadline passed: resend the window from the first unacknowledged block, or give up when the budget is spent. */
    void timeout(long now) {
        if (c.rtx.unsent) {
            sendWindow(now);
            return;
        }
        if (c.budgetSpent(now)) {
            c.giveUp(now, c.tid, "no ACK of DATA " + c.wire(base), "");
            return;
        }
        c.rtx.retries++;
        c.rtx.sampleArmed = false;
        next = base; // RFC 7440: the last ACK received sets the start of the window sent again
        sendWindow(now);
    }

    @Override
    public void writePayload(ByteBuffer buf, int off, int len) {
        buf.put(off, dataBuf, 0, len);
    }
}
