package dev.netboot.tftp;

import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;

/**
 * The end of a transfer that succeeded (RFC 1350 section 6, "Normal Termination"): "dallying is encouraged. This means
 * that the host sending the final ACK will wait for a while before terminating in order to retransmit the final ACK if
 * it has been lost. The acknowledger will know that the ACK has been lost if it receives the final DATA packet again."
 *
 * <ul>
 *   <li>A read whose last block reached the sink is {@code Done} first, then its final ACK goes ({@link #begin}), and it
 *       keeps its port one timeout longer (an RFC 2090 read its group's port and the group too). The states a caller
 *       sees are {@code Receiving} (or {@code Multicast}) then {@code Done}, which never changes again: whatever becomes
 *       of the final ACK, the file is whole.</li>
 *   <li>A final ACK the link refused goes on the next poll, and the dally runs from its real send. One with no route
 *       (first send or later) leaves the transfer {@code Done} and the port bound for the dally all the same: the
 *       server sends its last block again at its own timeout, and should the route be back by then it is
 *       acknowledged ({@code Retransmission.send}).</li>
 *   <li>While it dallies, the last block again from the transfer ID means the final ACK was lost and is acknowledged
 *       again, unless within timeout / 8 of that ACK (a copy that crossed it, only counted). The same rule holds
 *       unicast and on a multicast group's port, where it applies to the master only: a server sends DATA again for
 *       its master's ACK alone, so for a client that was passive when it finished the group's copy is another master's
 *       request (RFC 2090). An OACK making a multicast client master after its final ACK went (the server lacks that
 *       ACK) is answered with it, by the same rule; one keeping it passive is not. Anything else is dropped and
 *       counted.</li>
 *   <li>When the dally is over the port is unbound and the group left. A write has nothing to dally for (the
 *       receiver dallies): it is {@code Done} when its last block is acknowledged and its port goes at once
 *       ({@link #none}).</li>
 * </ul>
 */
final class Dally {
    private final TftpClient c;
    private long until = Long.MAX_VALUE; // when the dally ends and the port goes; Long.MAX_VALUE: no dally (over, or none)

    Dally(TftpClient client) {
        this.c = client;
    }

    /**
     * The read's last block is in and its final ACK written in the control packet: the transfer is done, the ACK
     * goes (or waits for the link), and the port stays one timeout.
     */
    void begin(long now) {
        c.finishedAt = now;
        c.transition(new TftpClient.State.Done(c.bytes, now)); // first: a final ACK with no route leaves it Done
        c.rtx.send(now, c.tid);
        until = now + c.rtt.timeout(0);
        if (!c.rtx.unsent) {
            c.rtx.retryAt = Long.MAX_VALUE;
        }
    }

    /** The write's last block was acknowledged: the transfer is done and its port goes now. */
    void none(long now) {
        c.finishedAt = now;
        c.rtx.retryAt = Long.MAX_VALUE;
        c.transition(new TftpClient.State.Done(c.bytes, now));
        c.net.unbind(c.localPort);
    }

    /** Sends the final ACK the link refused, or ends the dally when its time has come. */
    void poll(long now) {
        if (c.rtx.unsent) {
            c.rtx.send(now, c.tid); // the final ACK the link refused; the dally runs from its real send
            if (!c.rtx.unsent) {
                c.rtx.retryAt = Long.MAX_VALUE;
                until = now + c.rtt.timeout(0);
            }
        } else if (now >= until) {
            c.net.unbind(c.localPort);
            c.mcast.quit(now);
            until = Long.MAX_VALUE;
        }
    }

    /** Returns when {@link #poll} next has work. */
    long pollAt() {
        return c.rtx.unsent ? c.rtx.retryAt : until;
    }

    /** A packet on our port while done ({@code fromTid}: from the transfer ID), {@code op} its opcode. */
    void onPacket(long now, boolean fromTid, int op, ByteBuffer buf, int off, int len) {
        if (c.mcast.group() != null && fromTid && op == TftpPacket.OP_OACK) {
            MulticastOption m = c.mcast.option(buf, off, len);
            if (m != null && m.master()) {
                c.duplicates++;
                c.acks.reAckLast(now); // made master after our final ACK went: the server lacks it
            } else {
                c.dropped++;
            }
        } else if (c.direction == TftpClient.Direction.READ && fromTid && op == TftpPacket.OP_DATA && len >= 4
                && (c.mcast.group() != null ? c.mcast.isLast(TftpWire.block(buf, off, len))
                : c.download.isLast(TftpWire.block(buf, off, len)))) {
            c.duplicates++;
            c.acks.reAckLast(now);
        } else {
            c.dropped++;
        }
    }

    /** A packet on an RFC 2090 read's group port while done ({@code fromTid}: from the transfer ID). */
    void onGroupPacket(long now, boolean fromTid, ByteBuffer buf, int off, int len) {
        if (fromTid && len >= 4 && TftpWire.opcode(buf, off, len) == TftpPacket.OP_DATA
                && c.mcast.isLast(TftpWire.block(buf, off, len))) {
            c.duplicates++;
            if (c.mcast.master()) {
                c.acks.reAckLast(now); // the server sends its master the last block again: our final ACK was lost
            }
            // else another master asked for it: the server sends no DATA again for a passive client's ACK
        } else {
            c.dropped++; // another transfer's DATA on the same group and port
        }
    }
}
