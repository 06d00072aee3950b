package dev.netboot.tftp;

import dev.netboot.wire.TftpWire;

/**
 * When a read acknowledges (RFC 7440 section 4, the receiver's side): the ACK that ends a window, the gap ACK, the
 * ACK held for the sink, the ACK said again for a lost one and the ACK of a timeout. What was received is its
 * {@link TftpClient}'s {@code Download}'s; every ACK names the last block it has in order, written into the
 * client's control buffer and sent by its {@code Retransmission}.
 *
 * <p><b>Window.</b> The window is the negotiated size and ends {@code w} blocks after our last ACK, gap ACKs
 * included, since a sender restarts (RFC 7440) or slides its window from any ACK it acts on: its last block is
 * acknowledged. Never in the middle of a window: a standard sender (atftpd, measured) takes such an ACK for a loss
 * and sends again everything after it that it had queued. A timeout after blocks in order means the sender stopped
 * at a window's end we did not expect: that end is acknowledged, a first ACK of it, not a retransmission.
 *
 * <p><b>Gaps.</b> A block ahead of a gap, held or dropped, has the last in-order block acknowledged at once (RFC
 * 7440 section 4), and so has the next hole a filled one reveals. The same hole is acknowledged again only after
 * {@link #gapRepeat}: two smoothed round trips, doubling each time, at most the retransmission timeout; soon
 * enough that a lost resend or a lost gap ACK does not leave the reorder buffer to fill and the stream to stall
 * for a whole timeout, late enough that a server which restarts its window on each ACK is not made to restart it
 * again before its first restart could arrive.
 *
 * <p><b>Pacing.</b> The ACK that asks for the next window waits until the sink can take a whole negotiated window
 * ({@link TftpSink#readyAt}: the sender sends that many whatever our own, smaller, ACK step); so does the ACK of
 * the block before one the sink had no room for. While it is held no gap ACK goes: the missing block would find no
 * room.
 *
 * <p>Its state is a handful of mutable fields: no ACK allocates.
 */
final class WindowAcks {
    private final TftpClient c;
    private int window = 1;          // blocks per window (the negotiated size)
    private long acked;              // last block we acknowledged
    private int sinceAck;            // blocks in order since that ACK
    private boolean lossInWindow;
    private long lastGapAckFor = -1; // the last in-order block a gap ACK named, when, and how often for that hole
    private long lastGapAckAt;
    private int gapAcksFor;
    private long ackHeldUntil = -1;  // the sink is busy; the next window's ACK goes out then (-1: none held)
    private long acksHeld, gapAcks;

    WindowAcks(TftpClient client) {
        this.c = client;
    }

    /** Sets the window in use (a new request, or the one an OACK settled). */
    void resetWindow(int w) {
        window = w;
    }

    /** Returns the window in use now. */
    int window() {
        return window;
    }

    /** Returns how many window ACKs were held for the sink. */
    long acksHeld() {
        return acksHeld;
    }

    /** Returns how many gaps were acknowledged at once. */
    long gapAcks() {
        return gapAcks;
    }

    /** Returns the time a held window ACK is due, or -1 when none is held. */
    long heldUntil() {
        return ackHeldUntil;
    }

    /** The transfer starts: nothing acknowledged, no block since. */
    void enter() {
        acked = 0;
        sinceAck = 0;
    }

    /** One more block in order since the last ACK. */
    void delivered() {
        sinceAck++;
    }

    /** A block of this window was lost (ahead of a gap, or dropped for want of room in the sink). */
    void loss() {
        lossInWindow = true;
    }

    /** Returns whether block {@code s} lies beyond any window the sender may have out after our last ACK. */
    boolean beyondWindow(long s) {
        return s - acked > c.windowSize;
    }

    /** The held ACK's time came: it is no longer held (what then goes is {@code Download}'s to say). */
    void release() {
        ackHeldUntil = -1;
    }

    /**
     * A block came in order and was delivered, not the last: the window's last block is acknowledged (held while
     * the sink is not ready); when blocks past another hole were seen ({@code gapAhead}) that hole is; otherwise the
     * sender is alive and the timer restarts.
     */
    void inOrder(long now, boolean gapAhead) {
        if (sinceAck >= window) {
            // The window's last block (the window ends w blocks after our last ACK, whatever that ACK was).
            lossInWindow = false;
            long ready = c.sink.readyAt(now, (long) c.windowSize * c.blockSize);
            if (ready > now) {
                // The sink cannot take another window yet: hold the ACK that asks for it (pacing).
                ackHeldUntil = ready;
                c.rtx.retryAt = ready;
                acksHeld++;
            } else {
                send(now, true);
            }
        } else if (gapAhead) {
            // The blocks held ahead of the gap ran out at another hole (blocks past it were seen): say so now.
            gap(now);
        } else {
            c.rtx.retryAt = now + c.rtt.timeout(c.rtx.retries); // progress: the sender is alive
        }
    }

    /**
     * Holds the ACK of the last block in order until the sink has room for a window (or for what it can
     * take of one): sent earlier it would only bring blocks the sink must drop again. A sink that cannot
     * say when leaves the receive timeout to ask again.
     */
    void hold(long now) {
        if (ackHeldUntil >= 0) {
            return;
        }
        long ready = c.sink.readyAt(now, (long) c.windowSize * c.blockSize);
        if (ready > now) {
            ackHeldUntil = ready;
            c.rtx.retryAt = ready;
            acksHeld++;
        }
    }

    /**
     * RFC 7440 section 4: on a sequence error, ACK the last block received in order, now rather than after a
     * timeout; the same hole again only after {@link #gapRepeat}. Not while an ACK waits for the sink: the
     * missing block would find no room; that ACK asks for it in time.
     */
    void gap(long now) {
        if (ackHeldUntil >= 0) {
            return;
        }
        long received = c.download.received();
        if (received != lastGapAckFor) {
            gapAcksFor = 0;
        } else if (now - lastGapAckAt < gapRepeat()) {
            return;
        } else {
            gapAcksFor++;
        }
        lastGapAckFor = received;
        lastGapAckAt = now;
        gapAcks++;
        send(now, false);
    }

    /**
     * Returns how long the same hole waits before its gap ACK goes again: two smoothed round trips (the resend
     * it asked for takes one, and queues at the sender), doubled for each repeat, never more than the
     * retransmission timeout; the timeout itself before the first round trip is measured.
     */
    private long gapRepeat() {
        long rto = c.rtt.rto();
        long srtt = c.rtt.srtt();
        if (srtt <= 0) {
            return rto;
        }
        long t = 2 * srtt;
        for (int i = 0; i < gapAcksFor && t < rto; i++) {
            t <<= 1;
        }
        return Math.min(t, rto);
    }

    /** Acknowledges the last block in order; {@code sample} arms an RTT sample (an ACK that asks for the next window). */
    void send(long now, boolean sample) {
        long received = write();
        c.rtx.send(now, c.tid);
        if (sample) {
            c.rtx.arm(now, received + 1);
        } else {
            c.rtx.sampleArmed = false;
        }
    }

    /** The last block is in: its ACK is written for {@code Dally.begin}, which sends it once the transfer is Done. */
    void writeLast() {
        write();
        c.rtx.sampleArmed = false;
    }

    /** Writes the ACK of the last block in order into the control buffer and returns that block. */
    private long write() {
        long received = c.download.received();
        c.rtx.len = TftpWire.writeAck(c.rtx.packet, 0, c.wire(received));
        ackHeldUntil = -1; // this ACK carries the latest block: it replaces any held one
        acked = received;
        sinceAck = 0;
        c.download.rollover.acked(received);
        return received;
    }

    /**
     * No DATA within the timeout: acknowledge the window's end the sender stopped at, or send the last ACK again (a
     * retransmission; the window stays the negotiated one), or give up when the give-up budget is spent.
     */
    void timeout(long now) {
        if (c.rtx.unsent) {
            c.rtx.send(now, c.tid);
            return;
        }
        if (sinceAck > 0 && !lossInWindow) {
            // Blocks came in order since our last ACK, then none: the sender stopped at a window's end we did not
            // expect there (one that ignored our last ACK, RFC 7440 making acting on an ACK inside a window only a
            // SHOULD). The receiver MUST acknowledge the window's last block: a first ACK of it, not a retransmission.
            send(now, false);
            return;
        }
        long received = c.download.received();
        if (c.budgetSpent(now)) {
            c.giveUp(now, c.tid, "no DATA " + c.wire(received + 1), " of ACK " + c.wire(received));
            return;
        }
        c.rtx.retries++;
        c.retransmissions++;
        lossInWindow = true;
        send(now, false);
    }

    /** Block {@code s} came again, before the next in order: if we acknowledged it, our ACK may have been lost. */
    void duplicate(long now, long s) {
        if (s <= acked) {
            reAck(now); // the sender repeats what we acknowledged: our ACK was lost
        }
        // else: the tail of a window the sender resends from our early ACK; nothing to say
    }

    /**
     * Acknowledges the last block again: the sender repeats one we acknowledged, so our ACK may have been lost.
     * At most once per timeout since that ACK last went out: a copy that crossed our ACK, a resend our own early
     * ACK caused, or the extra copies a Sorcerer's Apprentice server keeps sending (one per ACK it gets) must
     * not be answered, or each answer brings another copy and any stall makes more of them ({@link TftpClient}'s
     * class comment). A lost ACK costs at most one timeout: our own retransmission timer sends it again.
     */
    void reAck(long now) {
        reAck(now, c.rtt.timeout(0));
    }

    /**
     * Acknowledges the last block again after the transfer ended (the dally, RFC 1350 section 6): the server
     * repeats it because our final ACK was lost (unicast, or to an RFC 2090 master on the group, or by making a
     * multicast client master again); or ACK 0 again before any DATA, the server repeating its OACK.
     * Within one timeout / 8 of that ACK it is a copy that crossed it, not an answer to a loss. No storm can grow
     * here: the server ends with the first final ACK it gets, and sends its OACK again only at its own timeout.
     */
    void reAckLast(long now) {
        reAck(now, c.rtt.timeout(0) / 8);
    }

    private void reAck(long now, long spacing) {
        if (now - c.rtx.sentAt < spacing) {
            return;
        }
        c.retransmissions++;
        c.rtx.resend(now);
        c.download.rollover.acked(c.download.received());
    }
}
