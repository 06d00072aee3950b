package dev.netboot.tftp;

import dev.netboot.net.UdpHandler;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;

/**
 * A read by RFC 2090 multicast: the server sends the file's DATA to a group many clients share, and one of them, the
 * master client, acknowledges. "The ACKs may now be seen as a request for the n+1th block of data. This enables each
 * a client to request any block within the file that it may be missing."
 *
 * <ul>
 *   <li>On the OACK naming the group this client joins it (an IGMP report goes out; {@link MulticastGroup}) and
 *       listens on the group's port for DATA from the server's transfer ID ("the source IP address and port number
 *       will identify the data packets for the transfer").</li>
 *   <li>Blocks go to the sink in order; one ahead of a gap waits in the reorder RAM the budget leaves (the same as a
 *       window's), or is dropped: it comes again when this client is master. A block the sink has no room for yet is
 *       dropped too.</li>
 *   <li>As master (mc=1) it acknowledges, lock-step, the last block it has in order: the request for the first one
 *       it misses. Its ACK waits while the sink is full (the flash paces the group), comes again after its timeout
 *       (RTT-driven, with backoff), and the transfer fails after the retries. A later OACK with mc=0 makes it passive,
 *       one with mc=1 master again: it then acknowledges the block before the first it needs; to a master, an OACK with
 *       mc=1 asks the same again (its ACK was lost), and it answers at once.</li>
 *   <li>Passive (mc=0) it sends nothing until it has every block, but once for each gap, and waits at most the
 *       give-up budget for the transfer to show itself going on; then it tells the server and fails
 *       ({@link PassiveWait}).</li>
 *   <li>With every block it acknowledges the last ("Each client must terminate the transfer by sending an
 *       acknowledgment of the last packet ... even if the client is not the master client"), leaves the group and
 *       dallies a timeout to acknowledge it again should the server resend it.</li>
 * </ul>
 *
 * <p>Block numbers do not wrap: a multicast transfer carries at most 65535 blocks. DATA may also come unicast from
 * the transfer ID ("the server may also send unicast packets to a lone client"); it counts the same.
 */
final class MulticastDownload implements UdpHandler {
    /** Blocks a multicast transfer may have: block numbers are 16 bits and do not wrap. */
    static final long MAX_BLOCKS = 65535;

    private final TftpClient c;
    private final MulticastGroup group;
    private ReorderBuffer reorder;
    private boolean master;
    private long tsize = -1;
    private long last = -1;        // the last block's number, once known (from tsize, or a short block)
    private long received;         // blocks delivered to the sink, in order
    private final PassiveWait passive;
    private long ackHeldUntil = -1;
    private long masterTurns, acksHeld, sinkDrops, held, groupData;
    private boolean ran;           // the server's OACK named a group this client joined: the read ran as multicast
    private boolean outgrown;      // the OACK's tsize needs more blocks than 16-bit numbers count: refused before joining

    MulticastDownload(TftpClient client) {
        this.c = client;
        this.group = new MulticastGroup(this);
        this.passive = new PassiveWait(client);
    }

    /** Returns whether this client is the master client now. */
    boolean master() {
        return master;
    }

    /** Returns whether the read ran as a multicast transfer: the client joined the group an OACK named. */
    boolean ran() {
        return ran;
    }

    /** Returns whether the server offered multicast for an image of more than {@link #MAX_BLOCKS} blocks, refused so. */
    boolean outgrown() {
        return outgrown;
    }

    /** Returns the group, or null before the OACK. */
    Ipv4Address group() {
        return group.address();
    }

    /** Returns how often this client was made master, how many ACKs it held for the sink and blocks it dropped. */
    long[] counters() {
        return new long[] {masterTurns, acksHeld, sinkDrops, held, groupData};
    }

    /** Returns when a held ACK is due, or -1. */
    long heldUntil() {
        return ackHeldUntil;
    }

    /** The server agreed to multicast from {@code tid}: join, listen, (as master) ask for block 1; or why it cannot join. */
    String enter(long now, int tid, OptionOffer.Agreed a) {
        c.tid = tid;
        c.rtx.retries = 0;
        tsize = a.tsize();
        if (tsize >= 0) {
            last = tsize / c.blockSize + 1;
            if (last > MAX_BLOCKS) {
                String why = "TFTP: a multicast transfer of " + tsize + " bytes needs " + last + " blocks of " + c.blockSize
                        + " (expected: at most 65535; ask for larger blocks)";
                c.errors.send(now, c.serverIp, tid, TftpWire.ERR_NOT_DEFINED, why);
                outgrown = true;
                c.fail(new TftpFailure(TftpFailure.Kind.PROTOCOL, TftpWire.ERR_NOT_DEFINED, why));
                return null;
            }
        }
        String refused = group.join(c.net, now, a.multicast().group(), a.multicast().port(), c.localPort);
        if (refused != null) {
            return refused;
        }
        long budget = c.config.reorderBudget();
        if (budget >= c.blockSize) {
            int slots = (int) Math.min(budget / c.blockSize, MAX_BLOCKS);
            reorder = new ReorderBuffer((int) Math.min((long) slots * c.blockSize, Integer.MAX_VALUE - 16), slots);
            reorder.configure(c.blockSize);
        }
        try {
            c.sink.begin(tsize);
        } catch (TftpSinkException e) {
            group.leave(now);
            c.localFailure(now, tid, e);
            return null;
        }
        passive.heard(now);
        ran = true;
        c.transition(new TftpClient.State.Multicast(c.server, tid, c.blockSize, group.address(), group.port()));
        if (a.multicast().master()) {
            role(now, true);
        } else {
            // RFC 2090's example (lines 9 and 15): a client that is not master acknowledges its OACK with ACK 0 too;
            // the server answers a non-master's ACK with another OACK, mc=0, which asks for nothing more.
            c.rtx.len = TftpWire.writeAck(c.rtx.packet, 0, 0);
            c.rtx.send(now, tid);
            role(now, false);
        }
        return null;
    }

    /** A DATA sent to the group's port. */
    @Override
    public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
        if (c.state() instanceof TftpClient.State.Done) {
            c.dally.onGroupPacket(now, srcIp == c.serverIp && srcPort == c.tid, buf, off, len); // while dallying
            return;
        }
        if (!(c.state() instanceof TftpClient.State.Multicast) || srcIp != c.serverIp || srcPort != c.tid) {
            c.dropped++; // another transfer's DATA on the same group and port
            return;
        }
        try {
            if (TftpWire.opcode(buf, off, len) != TftpPacket.OP_DATA || len < 4) {
                c.dropped++;
                return;
            }
        } catch (MalformedPacketException e) {
            c.dropped++;
            return;
        }
        groupData++;
        onData(now, buf, off, len);
    }

    /** A packet from the transfer ID to our own port: a new OACK (our role), a unicast DATA, or ERROR. */
    void onUnicast(long now, int op, ByteBuffer buf, int off, int len) {
        switch (op) {
            case TftpPacket.OP_OACK -> {
                MulticastOption m = option(buf, off, len);
                if (m == null) {
                    c.dropped++; // malformed, no multicast option, or another group: not an OACK of this transfer
                    return;
                }
                passive.heard(now);
                role(now, m.master());
            }
            case TftpPacket.OP_DATA -> {
                if (len < 4) {
                    c.dropped++;
                    return;
                }
                onData(now, buf, off, len);
            }
            case TftpPacket.OP_ERROR -> {
                c.errors.fromServer(buf, off, len, c.tid);
                quit(now);
            }
            default -> c.dropped++;
        }
    }

    /**
     * Returns the {@code multicast} option of an OACK of this transfer, {@code len} bytes at {@code off}; null when it is
     * malformed, has none, or names another group or port (a later OACK may leave them empty).
     */
    MulticastOption option(ByteBuffer buf, int off, int len) {
        TftpPacket.Oack oack;
        try {
            oack = (TftpPacket.Oack) TftpWire.parse(buf, off, len);
        } catch (MalformedPacketException e) {
            return null;
        }
        String v = oack.option("multicast").orElse(null);
        MulticastOption m = v == null ? null : MulticastOption.parse(v);
        return m == null || !group.named(m) ? null : m;
    }

    /** Takes the role an OACK gives: master acknowledges at once what it has in order, passive waits. */
    private void role(long now, boolean isMaster) {
        if (isMaster && master) {
            // Master already: the server asks again what it holds (its ACK was lost), no new turn.
            c.rtx.retries = 0;
            requestNext(now);
        } else if (isMaster) {
            masterTurns++;
            master = true;
            c.rtx.retries = 0;
            if (reorder != null) {
                // What this client holds ahead of its gap it asks for again all the same: the clients that joined when
                // it did not miss those blocks, so one pass from its first missing block serves every client still
                // missing blocks from there, not only this one.
                reorder.clear();
            }
            requestNext(now);
        } else {
            master = false;
            ackHeldUntil = -1;
            c.rtx.retryAt = passive.deadline();
        }
    }

    /** Returns the group and its port, as a failure line names them. */
    String groupText() {
        return group.toString();
    }

    private void onData(long now, ByteBuffer buf, int off, int len) {
        long b = TftpWire.block(buf, off, len);
        int n = len - TftpWire.DATA_HEADER_LEN;
        if (b == 0 || n > c.blockSize || (last >= 0 && b > last)) {
            c.dropped++; // no block of this file: it keeps no passive client waiting (a stream of them would, forever)
            return;
        }
        passive.block(now, b);
        if (n < c.blockSize && last < 0) {
            last = b; // no tsize: the short block is the last
        }
        if (b <= received) {
            c.duplicates++; // another client asked for it again
            if (master && b == received && now - c.rtx.sentAt >= c.rtt.timeout(0) / 8) {
                c.retransmissions++; // the block our ACK asked for before: the ACK was lost
                c.rtx.resend(now);
            }
            return;
        }
        if (b > received + 1) {
            if (reorder != null && !reorder.has(b) && reorder.hold(b, received + 1, buf, off + TftpWire.DATA_HEADER_LEN, n)) {
                held++;
            } else if (reorder == null || !reorder.has(b)) {
                c.dropped++; // past what the RAM holds ahead of the gap: the master turn brings it again
            }
            if (!master) {
                c.rtx.retryAt = passive.deadline();
                passive.gap(now, received); // the emulator's server repairs: makes this client master, sends it again
            }
            return;
        }
        if (!c.sink.hasRoom(now, n)) {
            c.dropped++;
            sinkDrops++;
            if (master) {
                holdAck(now);
            }
            return;
        }
        if (!deliver(now, buf, off + TftpWire.DATA_HEADER_LEN, n)) {
            return;
        }
        if (master) {
            c.rtx.takeSample(now, received);
        }
        while (reorder != null && reorder.has(received + 1)) {
            long s = received + 1;
            int l = reorder.length(s);
            if (!c.sink.hasRoom(now, l)) {
                break;
            }
            int at = reorder.offset(s);
            reorder.release(s);
            if (!deliver(now, reorder.store(), at, l)) {
                return;
            }
        }
        if (received == last) {
            finished(now);
        } else if (master) {
            requestNext(now);
        } else {
            c.rtx.retryAt = passive.deadline();
        }
    }

    /** Writes one in-order block; false when the transfer ended in failure. */
    private boolean deliver(long now, ByteBuffer buf, int off, int n) {
        if (tsize >= 0 && (c.bytes + n > tsize || (n < c.blockSize && c.bytes + n != tsize))) {
            String why = "TFTP: server announced " + tsize + " bytes, sent " + (c.bytes + n);
            c.errors.send(now, c.serverIp, c.tid, TftpWire.ERR_NOT_DEFINED, why);
            c.fail(new TftpFailure(TftpFailure.Kind.PROTOCOL, TftpWire.ERR_NOT_DEFINED, why));
            quit(now);
            return false;
        }
        try {
            c.sink.write(buf, off, n);
        } catch (TftpSinkException e) {
            c.localFailure(now, c.tid, e);
            quit(now);
            return false;
        }
        c.blocks++;
        c.bytes += n;
        received++;
        c.rtx.retries = 0;
        return true;
    }

    /** As master: acknowledge the last block in order (the request for the next), unless the sink is full. */
    private void requestNext(long now) {
        long ready = c.sink.readyAt(now, c.blockSize);
        if (ready > now) {
            ackHeldUntil = ready;
            c.rtx.retryAt = ready;
            acksHeld++;
            return;
        }
        sendAck(now);
    }

    private void holdAck(long now) {
        if (ackHeldUntil >= 0) {
            return;
        }
        long ready = c.sink.readyAt(now, c.blockSize);
        if (ready > now) {
            ackHeldUntil = ready;
            c.rtx.retryAt = ready;
            acksHeld++;
        }
    }

    private void sendAck(long now) {
        ackHeldUntil = -1;
        c.rtx.len = TftpWire.writeAck(c.rtx.packet, 0, (int) received);
        c.rtx.send(now, c.tid);
        c.rtx.arm(now, received + 1);
    }

    /** The client's timer: a held ACK's time, a master's retransmission, a passive client's patience. */
    void timeout(long now) {
        if (ackHeldUntil >= 0 && now >= ackHeldUntil) {
            ackHeldUntil = -1;
            requestNext(now);
            return;
        }
        if (!master) {
            passive.timeout(now, this, received);
            return;
        }
        if (c.rtx.unsent) {
            c.rtx.send(now, c.tid);
            return;
        }
        if (c.rtx.retries >= c.config.maxRetries()) {
            quit(now);
            c.giveUp(now, c.tid, "no DATA " + (received + 1), " of ACK " + received + " (multicast master)");
            return;
        }
        c.rtx.retries++;
        c.retransmissions++;
        c.rtx.sampleArmed = false;
        c.rtx.send(now, c.tid);
    }

    /** Every block is in: acknowledge the last, dally to acknowledge it again (the client leaves the group after). */
    private void finished(long now) {
        if (reorder != null) {
            reorder.clear();
        }
        c.rtx.len = TftpWire.writeAck(c.rtx.packet, 0, (int) received);
        c.dally.begin(now); // Done, then the ACK goes: a file whose every block is in stays Done (Dally)
    }

    /** Returns whether {@code wireBlock} is the last block this client has (a resent last block while dallying). */
    boolean isLast(int wireBlock) {
        return wireBlock == received;
    }

    /** Leaves the group and stops listening on its port. */
    void quit(long now) {
        group.leave(now);
    }
}
