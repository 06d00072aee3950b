package dev.netboot.tftp;

import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;

/**
 * The receiving half of a read (RRQ): which blocks reached the {@link TftpSink}, which we acknowledged,
 * the window in use, blocks held ahead of a gap, a held ACK, and the announced size. It knows RFC 7440's
 * receiver rules, RFC 2349's tsize check and the sink's pacing; the socket, the transfer ID, the
 * negotiated sizes, retries, the RTT estimate and the shared counters belong to its {@link TftpClient}.
 *
 * <p><b>Window.</b> It acknowledges the last block of each window: the window is the negotiated size and
 * ends {@code w} blocks after our last ACK, gap ACKs included, since a sender restarts (RFC 7440) or slides its
 * window from any ACK it acts on. Never in the middle of a window: a standard sender (atftpd, measured) takes
 * such an ACK for a loss and sends again everything after it that it had queued. A timeout after blocks in
 * order means the sender stopped at a window's end we did not expect: that end is acknowledged.
 *
 * <p><b>Gaps.</b> A block ahead of a gap goes into a {@link ReorderBuffer} while it has room and is dropped
 * otherwise (the RAM is a hard limit); either way the last in-order block is acknowledged at once (RFC 7440
 * section 4), and so is the next hole a filled one reveals (blocks seen past it, held or dropped). The same
 * hole is acknowledged again only after {@link #gapRepeat}: two smoothed round trips, doubling each time, at
 * most the retransmission timeout; soon enough that a lost resend or a lost gap ACK does not leave the
 * reorder buffer to fill and the stream to stall for a whole timeout, late enough that a server which
 * restarts its window on each ACK is not made to restart it again before its first restart could arrive.
 *
 * <p><b>Pacing.</b> Before the ACK that asks for the next window it asks the sink when it can take a
 * whole negotiated window ({@link TftpSink#readyAt}: the sender sends that many whatever our own, smaller,
 * ACK step) and, if that is later, holds the ACK until then. Before each block it asks whether the sink
 * has room ({@link TftpSink#hasRoom}); a block without room is dropped and the ACK held until there is.
 *
 * <p>Allocation-free per block: DATA is read in place, the ACK is written into the client's control
 * buffer, and progress lives in the mutable fields below.
 */
final class Download {
    private final TftpClient c;
    private ReorderBuffer reorder;
    private long tsize = -1;         // announced by the server's OACK (RFC 2349), or -1
    private long received;           // last block in order
    private long acked;              // last block we acknowledged
    private int sinceAck;            // blocks in order since that ACK
    private int window = 1;          // blocks per window (the negotiated size)
    private boolean lossInWindow;
    private long highestSeen;        // the highest block seen in this transfer, held, dropped or in order
    private long lastGapAckFor = -1; // the last in-order block a gap ACK named, when, and how often for that hole
    private long lastGapAckAt;
    private int gapAcksFor;
    private long ackHeldUntil = -1;  // the sink is busy; the next window's ACK goes out then (-1: none held)
    private long acksHeld, held, gapAcks, sinkDrops, reorderDrops;
    // Past 65535 without the rollover option: where this server wraps.
    private final UnaskedRollover rollover;

    Download(TftpClient client) {
        this.c = client;
        this.rollover = new UnaskedRollover(client);
    }

    /** Makes room for blocks ahead of a gap: {@code min(window × blksize, budget)} bytes, when a window is asked. */
    void prepare(TftpConfig config, int requestedBlockSize) {
        if (config.windowSize() > 1) {
            long bytesFor = Math.min((long) config.windowSize() * requestedBlockSize, config.reorderBudget());
            // No more slots than the store can hold blocks of the smallest size a server may grant.
            int slots = (int) Math.min(config.windowSize(), bytesFor / TftpConfig.MIN_BLOCK_SIZE);
            reorder = new ReorderBuffer((int) Math.min(bytesFor, Integer.MAX_VALUE - 16), slots);
        }
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

    /** Returns how many blocks were kept ahead of a gap. */
    long held() {
        return held;
    }

    /** Returns how many gaps were acknowledged at once. */
    long gapAcks() {
        return gapAcks;
    }

    /** Returns how many in-order blocks were dropped because the sink had no room for them yet. */
    long sinkDrops() {
        return sinkDrops;
    }

    /** Returns how many blocks ahead of a gap were dropped because the reorder buffer had no room for them. */
    long reorderDrops() {
        return reorderDrops;
    }

    /** A server that ignored our options answered DATA 1 from {@code srcPort}: start and take the block. */
    void enterWithData(long now, int srcPort, ByteBuffer buf, int off, int len) {
        if (!begin(now, -1, srcPort)) {
            return;
        }
        enter(now, srcPort);
        onData(now, buf, off, len);
    }

    /** The server's OACK from {@code srcPort} was agreed to: start, and send ACK 0 (RFC 2347). */
    void enterWithOack(long now, int srcPort, long announced) {
        if (reorder != null) {
            reorder.configure(c.blockSize);
        }
        if (!begin(now, announced, srcPort)) {
            return;
        }
        tsize = announced;
        enter(now, srcPort);
        sendAck(now, true); // RFC 2347: a read answered with OACK goes on with ACK 0
    }

    /** Tells the sink the size, -1 when unknown; false when it refused and the transfer failed. */
    private boolean begin(long now, long size, int srcPort) {
        try {
            c.sink.begin(size);
            return true;
        } catch (TftpSinkException e) {
            c.localFailure(now, srcPort, e);
            return false;
        }
    }

    /** Returns the time a held window ACK is due, or -1 when none is held. */
    long heldUntil() {
        return ackHeldUntil;
    }

    /** The sink has room: take the blocks held past a block dropped for want of it, then ask for what follows. */
    void releaseAck(long now) {
        ackHeldUntil = -1;
        c.progress(now); // the client waited for the sink, not the server: the give-up clock starts now
        int n = takeHeld(now, c.blockSize);
        if (n == HELD || n == FAILED) {
            return;
        }
        if (n < c.blockSize) {
            finished(now);
            return;
        }
        sendAck(now, true);
    }

    /** Returns whether no block has come in order yet: the server may still be waiting for the ACK 0 of its OACK. */
    boolean nothingInOrder() {
        return received == 0;
    }

    /** Returns whether {@code wireBlock} is the number of the last block received in order. */
    boolean isLast(int wireBlock) {
        return wireBlock == c.wire(received);
    }

    private void enter(long now, int srcPort) {
        c.progress(now);
        c.tid = srcPort;
        received = 0;
        acked = 0;
        sinceAck = 0;
        highestSeen = 0;
        c.transition(new TftpClient.State.Receiving(c.server, srcPort, c.blockSize));
    }

    /** Takes DATA from the transfer ID, 4 bytes or more: in order, ahead of a gap, or again. */
    void onData(long now, ByteBuffer buf, int off, int len) {
        int b = TftpWire.block(buf, off, len);
        long expected = received + 1;
        int w = rollover.onData(now, b, expected, tsize);
        if (w != UnaskedRollover.SAME) {
            if (w == UnaskedRollover.FAILED) {
                return;
            }
            if (reorder != null) {
                reorder.clear(); // held under the other numbering: they come again
            }
            highestSeen = received;
        }
        long s = BlockNumbers.seq(b, expected, c.rolloverTo);
        int n = len - TftpWire.DATA_HEADER_LEN;
        if (s >= 0 && n > c.blockSize) {
            // RFC 2348: blocks are the negotiated size, the last one shorter. What is this block, then? Nothing to trust.
            String why = "TFTP: server sent DATA " + b + " of " + n + " bytes, more than the " + c.blockSize + "-byte blocks negotiated";
            c.errors.send(now, c.serverIp, c.tid, TftpWire.ERR_ILLEGAL_OP, why.substring(6));
            c.fail(new TftpFailure(TftpFailure.Kind.PROTOCOL, TftpWire.ERR_ILLEGAL_OP, why));
        } else if (s < 0) {
            c.dropped++;
        } else if (s == expected) {
            inOrder(now, buf, off + TftpWire.DATA_HEADER_LEN, n);
        } else if (s > expected) {
            outOfOrder(now, s, buf, off + TftpWire.DATA_HEADER_LEN, n);
        } else {
            c.duplicates++;
            if (s <= acked) {
                reAck(now); // the sender repeats what we acknowledged: our ACK was lost
            }
            // else: the tail of a window the sender resends from our early ACK; nothing to say
        }
    }

    private void inOrder(long now, ByteBuffer buf, int off, int n) {
        if (!c.sink.hasRoom(now, n)) {
            // No room in the sink's RAM for this block yet (a busy flash chip): drop it, as a full receive ring
            // drops a frame. The sender sends it again once the ACK held until the room comes asks for it.
            c.dropped++;
            sinkDrops++;
            lossInWindow = true;
            holdAck(now);
            return;
        }
        if (!deliver(now, buf, off, n)) {
            return;
        }
        c.rtx.takeSample(now, received);
        n = takeHeld(now, n);
        if (n == HELD || n == FAILED) {
            return;
        }
        if (n < c.blockSize) {
            finished(now);
            return;
        }
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
                sendAck(now, true);
            }
        } else if (highestSeen > received) {
            // The blocks held ahead of the gap ran out at another hole (blocks past it were seen): say so now.
            gapAck(now);
        } else {
            c.rtx.retryAt = now + c.rtt.timeout(c.rtx.retries); // progress: the sender is alive
        }
    }

    private static final int HELD = -1;
    private static final int FAILED = -2;

    /**
     * After an in-order block of {@code n} bytes, hands the sink the blocks held ahead of the gap that follow
     * it, as far as the sink has room; returns the length of the last block delivered ({@code n} if none),
     * {@link #HELD} when the sink ran out of room (the rest stays held, the ACK waits) or {@link #FAILED}.
     */
    private int takeHeld(long now, int n) {
        while (n == c.blockSize && reorder != null && reorder.has(received + 1)) {
            long s = received + 1;
            int len = reorder.length(s);
            if (!c.sink.hasRoom(now, len)) {
                holdAck(now);
                return HELD;
            }
            int at = reorder.offset(s);
            reorder.release(s);
            if (!deliver(now, reorder.store(), at, len)) {
                return FAILED;
            }
            n = len;
        }
        return n;
    }

    /**
     * Holds the ACK of the last block in order until the sink has room for a window (or for what it can
     * take of one): sent earlier it would only bring blocks the sink must drop again. A sink that cannot
     * say when leaves the receive timeout to ask again.
     */
    private void holdAck(long now) {
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

    /** RFC 1350 section 6: the end is a block shorter than the block size; dally to re-ACK its retransmission. */
    private void finished(long now) {
        if (reorder != null) {
            reorder.clear();
        }
        sendAck(now, false);
        c.finishedAt = now;
        c.dallyUntil = now + c.rtt.timeout(0);
        if (!c.rtx.unsent) {
            c.rtx.retryAt = Long.MAX_VALUE;
        }
        c.transition(new TftpClient.State.Done(c.bytes, now));
    }

    /** Writes one in-order block; false when the transfer ended in failure. */
    private boolean deliver(long now, ByteBuffer buf, int off, int n) {
        if (tsize >= 0 && (c.bytes + n > tsize || (n < c.blockSize && c.bytes + n != tsize))) {
            String why = "TFTP: server announced " + tsize + " bytes, sent " + (c.bytes + n);
            c.errors.send(now, c.serverIp, c.tid, TftpWire.ERR_NOT_DEFINED, why);
            c.fail(new TftpFailure(TftpFailure.Kind.PROTOCOL, TftpWire.ERR_NOT_DEFINED, why));
            return false;
        }
        try {
            c.sink.write(buf, off, n);
        } catch (TftpSinkException e) {
            c.localFailure(now, c.tid, e);
            return false;
        }
        c.blocks++;
        c.bytes += n;
        received++;
        sinceAck++;
        if (c.windowSize > 1) {
            // With a window, a gap ACK spoils the window's sample, and losses would keep the backoff for many
            // windows: progress ends it, as before. In lock-step every block answers one ACK, so Karn's backoff
            // lasts one exchange at most (TftpClient.takeSample).
            c.rtx.retries = 0;
        }
        c.progress(now);
        return true;
    }

    private void outOfOrder(long now, long s, ByteBuffer buf, int off, int n) {
        if (s - acked > c.windowSize) {
            c.dropped++; // beyond any window the sender may have out: not a block of this transfer's now
            return;
        }
        lossInWindow = true;
        highestSeen = Math.max(highestSeen, s);
        if (reorder != null && !reorder.has(s)) {
            if (reorder.hold(s, received + 1, buf, off, n)) {
                held++;
            } else {
                c.dropped++; // no room ahead of the gap: the sender sends it again after our ACK
                reorderDrops++;
            }
        }
        gapAck(now);
    }

    /**
     * RFC 7440 section 4: on a sequence error, ACK the last block received in order, now rather than after a
     * timeout; the same hole again only after {@link #gapRepeat}. Not while an ACK waits for the sink: the
     * missing block would find no room; that ACK asks for it in time.
     */
    private void gapAck(long now) {
        if (ackHeldUntil >= 0) {
            return;
        }
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
        sendAck(now, false);
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
    private void sendAck(long now, boolean sample) {
        c.rtx.len = TftpWire.writeAck(c.rtx.packet, 0, c.wire(received));
        ackHeldUntil = -1; // this ACK carries the latest block: it replaces any held one
        acked = received;
        sinceAck = 0;
        c.rtx.send(now, c.tid);
        rollover.acked(received);
        if (sample) {
            c.rtx.arm(now, received + 1);
        } else {
            c.rtx.sampleArmed = false;
        }
    }

    /**
     * No DATA within the timeout: acknowledge the window's end the sender stopped at, or acknowledge again
     * with a halved window, or give up when the
     * give-up budget is spent.
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
            sendAck(now, false);
            return;
        }
        if (c.budgetSpent(now)) {
            c.giveUp(now, c.tid, "no DATA " + c.wire(received + 1), " of ACK " + c.wire(received));
            return;
        }
        c.rtx.retries++;
        c.retransmissions++;
        lossInWindow = true;
        sendAck(now, false);
    }

    /**
     * Acknowledges the last block again: the sender repeats one we acknowledged, so our ACK may have been lost.
     * At most once per timeout since that ACK last went out: a copy that crossed our ACK, a resend our own early
     * ACK caused, or the extra copies a Sorcerer's Apprentice server keeps sending (one per ACK it gets) must
     * not be answered, or each answer brings another copy and any stall makes more of them (class comment).
     * A lost ACK costs at most one timeout: our own retransmission timer sends it again.
     */
    void reAck(long now) {
        reAck(now, c.rtt.timeout(0));
    }

    /**
     * Acknowledges the last block again after the transfer ended (the dally, RFC 1350 section 6): the server
     * repeats it because our final ACK was lost; or ACK 0 again before any DATA, the server repeating its OACK.
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
        rollover.acked(received);
    }
}
