package dev.netboot.tftp;

import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;

/**
 * The receiving half of a read (RRQ): which blocks reached the {@link TftpSink}, blocks held ahead of a gap, and
 * the announced size. It knows RFC 2349's tsize check and what the sink has room for; when an ACK goes (RFC 7440's
 * receiver rules, a held ACK, a lost ACK said again) is its client's {@link WindowAcks}'; the socket, the transfer
 * ID, the negotiated sizes, retries, the RTT estimate and the shared counters belong to its {@link TftpClient}.
 *
 * <p><b>Gaps.</b> A block ahead of a gap goes into a {@link ReorderBuffer} while it has room and is dropped
 * otherwise (the RAM is a hard limit); either way the last in-order block is acknowledged at once (RFC 7440
 * section 4), and so is the next hole a filled one reveals (blocks seen past it, held or dropped).
 *
 * <p><b>Pacing.</b> Before each block it asks whether the sink has room ({@link TftpSink#hasRoom}); a block
 * without room is dropped and the ACK held until there is.
 *
 * <p>Allocation-free per block: DATA is read in place, the ACK is written into the client's control
 * buffer, and progress lives in the mutable fields below.
 */
final class Download {
    private final TftpClient c;
    private ReorderBuffer reorder;
    private long tsize = -1;         // announced by the server's OACK (RFC 2349), or -1
    private long received;           // last block in order
    private long highestSeen;        // the highest block seen in this transfer, held, dropped or in order
    private long held, sinkDrops, reorderDrops;
    // Past 65535 without the rollover option: where this server wraps; WindowAcks tells it each ACK.
    final UnaskedRollover rollover;

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

    /** Returns how many blocks were kept ahead of a gap. */
    long held() {
        return held;
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
        c.acks.send(now, true); // RFC 2347: a read answered with OACK goes on with ACK 0
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

    /** The sink has room: take the blocks held past a block dropped for want of it, then ask for what follows. */
    void releaseAck(long now) {
        c.acks.release();
        c.progress(now); // the client waited for the sink, not the server: the give-up clock starts now
        int n = takeHeld(now, c.blockSize);
        if (n == HELD || n == FAILED) {
            return;
        }
        if (n < c.blockSize) {
            finished(now);
            return;
        }
        c.acks.send(now, true);
    }

    /** Returns whether no block has come in order yet: the server may still be waiting for the ACK 0 of its OACK. */
    boolean nothingInOrder() {
        return received == 0;
    }

    /** Returns the last block received in order. */
    long received() {
        return received;
    }

    /** Returns whether {@code wireBlock} is the number of the last block received in order. */
    boolean isLast(int wireBlock) {
        return wireBlock == c.wire(received);
    }

    private void enter(long now, int srcPort) {
        c.progress(now);
        c.tid = srcPort;
        received = 0;
        c.acks.enter();
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
            c.acks.duplicate(now, s);
        }
    }

    private void inOrder(long now, ByteBuffer buf, int off, int n) {
        if (!c.sink.hasRoom(now, n)) {
            // No room in the sink's RAM for this block yet (a busy flash chip): drop it, as a full receive ring
            // drops a frame. The sender sends it again once the ACK held until the room comes asks for it.
            c.dropped++;
            sinkDrops++;
            c.acks.loss();
            c.acks.hold(now);
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
        c.acks.inOrder(now, highestSeen > received); // the window's end, another hole, or the sender is alive
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
                c.acks.hold(now);
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

    /** RFC 1350 section 6: the end is a block shorter than the block size; dally to re-ACK its retransmission. */
    private void finished(long now) {
        if (reorder != null) {
            reorder.clear();
        }
        c.acks.writeLast();
        c.dally.begin(now); // Done, then the ACK goes: a file whose every block is in stays Done (Dally)
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
        c.acks.delivered();
        if (c.windowSize > 1) {
            // With a window, a gap ACK spoils the window's sample, and losses would keep the backoff for many
            // windows: progress ends it, as before. In lock-step every block answers one ACK, so Karn's backoff
            // lasts one exchange at most (Retransmission.takeSample).
            c.rtx.retries = 0;
        }
        c.progress(now);
        return true;
    }

    private void outOfOrder(long now, long s, ByteBuffer buf, int off, int n) {
        if (c.acks.beyondWindow(s)) {
            c.dropped++; // beyond any window the sender may have out: not a block of this transfer's now
            return;
        }
        c.acks.loss();
        highestSeen = Math.max(highestSeen, s);
        if (reorder != null && !reorder.has(s)) {
            if (reorder.hold(s, received + 1, buf, off, n)) {
                held++;
            } else {
                c.dropped++; // no room ahead of the gap: the sender sends it again after our ACK
                reorderDrops++;
            }
        }
        c.acks.gap(now);
    }
}
