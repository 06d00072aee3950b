package dev.netboot.tftp;

import dev.netboot.net.UdpHandler;
import dev.netboot.net.UdpTransport;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;
import java.util.random.RandomGenerator;

/**
 * The TFTP client (RFC 1350 with RFC 2347-2349 options and RFC 7440 windows), poll-driven on any
 * {@link UdpTransport}: reads (RRQ) into a {@link TftpSink}, writes (WRQ) from a {@link TftpSource}.
 *
 * <p><b>Transfer IDs.</b> The request goes to the server's port from a random local port; the port of
 * the first answer becomes the TID, port 69 included (dnsmasq {@code --tftp-single-port}). Afterwards a
 * packet from any other address or port gets ERROR 5 (an ERROR from one is not answered) and changes nothing
 * (RFC 1350 section 4).
 *
 * <p><b>Options.</b> {@link TftpConfig} says what a request asks: {@code blksize} (the largest that fits
 * the link MTU for {@link TftpConfig#AUTO}), {@code tsize}, {@code timeout}, {@code windowsize},
 * {@code rollover}. An OACK is checked option by option; one never asked for, named twice, out of range or not a
 * number gets ERROR 8. The fallbacks users meet: a server that ignores options answers DATA 1 (read) or
 * ACK 0 (write), and the transfer runs at 512 bytes, window 1; ERROR 8 to a request with options, from the
 * server or from us to its OACK, is followed by the same request once more without options, from a new
 * port; a second refusal fails the transfer as PROTOCOL.
 *
 * <p><b>What cannot be trusted</b> fails the transfer with one line naming the cause, and the server is told
 * (RFC 1350: "an error packet"): DATA longer than the negotiated block size (ERROR 4), a size that lies
 * (tsize; ERROR 0), a server that wraps block numbers to 1 unasked where a window makes that ambiguous and no
 * tsize can check it (ERROR 0; see {@code UnaskedRollover}). Junk between good packets (too short, unknown opcodes,
 * an OACK once DATA has come) is dropped and counted; an OACK again before any DATA gets its ACK 0 again (the
 * first was lost); an ERROR, even without its terminating NUL, ends the transfer in the server's words.
 *
 * <p><b>Windows (RFC 7440 section 4).</b> The sender sends a window of blocks, then waits for the ACK of
 * its last one; an ACK of an earlier block makes it resend from the block after that one. As the
 * receiver this client acknowledges the last block of each window, which ends the negotiated size after
 * its previous ACK (never in the middle of one: a standard sender would resend what it queued after it).
 * A block ahead of a gap is kept in a {@link ReorderBuffer} of at most {@code reorderBudget} bytes, or dropped
 * when it has no room, and the last in-order block is acknowledged at once; the same hole is acknowledged again
 * after two round trips, doubling, at most the timeout. As the sender (write) it always sends the negotiated
 * window: a standard receiver acknowledges only after that many blocks or its own timeout.
 *
 * <p><b>Timeouts.</b> An {@link RttEstimator} turns round trips into the retransmission timeout
 * (RFC 6298; Karn's rule: an exchange whose packet went out more than once is never sampled), never below
 * {@link TftpConfig#minTimeout()}; each timeout in a row doubles it up to {@link TftpConfig#maxTimeout()}, or up to
 * two measured round trips where those are longer, at most half the give-up ({@link RttEstimator}).
 * A duplicate of a block we already acknowledged means our ACK was lost: it is acknowledged again, but at
 * most once per timeout since that ACK last went out. A server with the Sorcerer's Apprentice bug (RFC 1123
 * section 4.2.3.1) sends one DATA per ACK it gets, duplicates included; once several copies circulate
 * (after a stall, say), answering each copy would keep them all alive, and any later timeout would add
 * one more: a storm that grows. Answering at most one per timeout lets the extra copies die out.
 * After the last block the client dallies one timeout to re-ACK its retransmission (RFC 1350 section 6).
 *
 * <p><b>States</b> (they and the counters are declared in {@link TftpTransfer}). {@code Idle}, {@code Requesting},
 * then {@code Receiving} or {@code Multicast} (a read) or {@code Sending} (a write), then {@code Done} or {@code Failed},
 * either of them final: once a transfer has ended nothing changes its outcome. A read is {@code Done} as soon as its
 * last block has reached the sink, before its final ACK goes; an ACK with no route leaves it {@code Done} (the dally is
 * there because that ACK may be lost) and its port bound until the dally ends.
 *
 * <p><b>Giving up</b> is a budget of time ({@link TftpConfig#giveUp()}), not a count of retransmissions:
 * the transfer fails when what it waits for (the answer to its request, the next DATA, the ACK that moves
 * the window) has not come for that long, however many stale packets (duplicates, strangers, malformed
 * ones) arrived meanwhile; the message says what it waited for, how long, and what it ignored. A server
 * that pauses for less survives, whatever the measured round trip; a held ACK (pacing) stops the clock.
 *
 * <p><b>Block numbers past 65535.</b> Wrap to 0 by default. A server that answers {@code rollover}
 * says where it wraps. Unasked, in lock-step, DATA 1 where block 0 was due after 65535 marks a server
 * that wraps to 1 and is followed so; with a window the same packet could be block 65537 after a lost
 * block 0, so there the client relies on the option ({@link BlockNumbers}).
 *
 * <p><b>tsize.</b> An announced size reaches {@link TftpSink#begin} before any byte, so an image that
 * cannot fit is refused (the sink's ERROR 3) with nothing written; a block that would pass the
 * announced size, or a last block that ends short of it, fails as PROTOCOL before it is written.
 *
 * <p><b>Pacing.</b> A window ACK asks the server for the next window; before sending it the client asks
 * the sink when it can take that many bytes ({@link TftpSink#readyAt}) and, if that is later, holds the
 * ACK until then instead of letting the data pile up in RAM. A held ACK is not a retransmission and
 * the receive timeout does not run while it is held. The last block's ACK is never held. The sink's RAM
 * is a hard limit: an in-order block it has no room for yet (a window larger than its buffer) is dropped,
 * the ACK of the block before it is held until the room comes, and meanwhile no gap ACK asks for it; the
 * server then sends it again.
 *
 * <p>The data path allocates nothing: DATA is read in place, ACKs and DATA are written into the frame
 * the transport lends, out-of-order blocks go into preallocated RAM, and per-block progress lives in
 * mutable fields rather than in a new state record per block.
 *
 * <p><b>Inside.</b> This class keeps the state, the socket, the transfer ID, the give-up budget and the failures,
 * and hands each packet to the owner of the current state: {@code Handshake} (the request, sent again until
 * answered, and the first answer; {@code OptionOffer} checks an OACK), {@code Download} (a read; when it acknowledges
 * is {@code WindowAcks}', RFC 7440 section 4), {@code MulticastDownload} (an RFC 2090 read), {@code Upload} (a write)
 * or {@code Dally} (done: the final ACK again, RFC 1350 section 6). The retransmission timer, the last control packet
 * and the RTT samples are {@code Retransmission}'s (RFC 1350 section 2, RFC 6298); ERROR packets both ways and the
 * strangers told off are {@code ErrorPackets}' (sections 4, 5 and 7). They reach the shared fields below, which are
 * package-private for them alone.
 */
public final class TftpClient implements TftpTransfer, UdpHandler {
    final UdpTransport net;
    final TftpConfig config;
    final RandomGenerator random;
    final RttEstimator rtt;

    private State state = new State.Idle();
    Direction direction;
    TftpSink sink;
    TftpSource source;
    int localPort;

    // What was negotiated.
    int blockSize = TftpWire.DEFAULT_BLOCK_SIZE;
    int windowSize = 1;
    int rolloverTo;
    boolean rolloverKnown;

    // Shared progress, read and written by Handshake, Download and Upload too: mutable on purpose (class comment).
    int serverIp;
    // The same address as an object, made once: sendUdp takes an Ipv4Address, and a new one per packet
    // would be the data path's only allocation.
    Ipv4Address server = Ipv4Address.ANY;
    int tid = -1;
    long bytes;
    private long startedAt;
    long finishedAt = -1;

    long retransmissions, duplicates, dropped, blocks;
    // Giving up: since when the client waits for what it needs next, and what it ignored since.
    private final Patience patience = new Patience(this);

    // The request and the two halves own their progress; this class keeps the socket and the TID, and the timer
    // with the packet it sends again is Retransmission's.
    final Retransmission rtx = new Retransmission(this);
    final ErrorPackets errors = new ErrorPackets(this);
    private final Handshake handshake = new Handshake(this);
    final Download download = new Download(this);
    final WindowAcks acks = new WindowAcks(this);
    final MulticastDownload mcast = new MulticastDownload(this);
    final Upload upload = new Upload(this);
    final Dally dally = new Dally(this);

    /**
     * Creates a client on {@code net}; {@code random} picks the local ports.
     *
     * @throws IllegalArgumentException when {@code config} asks for window {@link TftpConfig#AUTO}: the caller sizes it
     */
    public TftpClient(UdpTransport net, TftpConfig config, RandomGenerator random) {
        if (config.windowSize() == TftpConfig.AUTO) {
            throw new IllegalArgumentException("TFTP window auto: size it from the path before the client starts (TftpConfig.withWindow)");
        }
        this.net = net;
        this.config = config;
        this.random = random;
        this.rtt = new RttEstimator(config.timeout(), config.minTimeout(), config.maxTimeout(), config.giveUp() / 2);
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public Stats stats() {
        return new Stats(retransmissions, duplicates, errors.strayPackets, dropped, blocks, download.held(), acks.gapAcks(),
                rtt.srtt(), rtt.rto(), direction == Direction.READ ? acks.window() : windowSize);
    }

    /** Returns how many window ACKs were held because the sink was not ready ({@link TftpSink#readyAt}). */
    public long acksHeld() {
        return acks.acksHeld() + mcast.counters()[1];
    }

    /** Returns how many in-order blocks were dropped because the sink had no room for them ({@link TftpSink#readyAt}). */
    public long sinkDrops() {
        return download.sinkDrops() + mcast.counters()[2];
    }

    @Override
    public MulticastStats multicast() {
        if (mcast.group() == null) {
            return null;
        }
        long[] m = mcast.counters();
        return new MulticastStats(mcast.group(), m[0], m[1], m[2], m[3], m[4]);
    }

    /** Returns whether this read ran as an RFC 2090 multicast transfer: the server's OACK named a group it joined. */
    public boolean ranMulticast() {
        return mcast.ran();
    }

    /**
     * Returns whether this read asked for RFC 2090 multicast and ended before joining a group in a way a plain request
     * may mend: the server refused it with ERROR 0, as atftpd 0.8 refuses a file of more blocks than multicast numbers
     * at the block size asked, or offered it for an image of more than 65535 blocks (a multicast transfer does not
     * wrap; a plain one does).
     */
    public boolean multicastRefused() {
        return handshake.multicastRefused || mcast.outgrown();
    }

    /**
     * Returns how many blocks were dropped for want of RAM: in order with the sink full ({@link #sinkDrops}), or
     * ahead of a gap with the reorder buffer full. The sender sends each again.
     */
    public long ramDrops() {
        return download.sinkDrops() + download.reorderDrops();
    }

    /** Returns the block size in use: 512 until an OACK says otherwise. */
    public int blockSize() {
        return blockSize;
    }

    /**
     * Returns whether the transfer began: the server answered the request from its transfer ID with an OACK or the
     * first DATA (a write: ACK 0). False while the request goes unanswered, and when it was answered with an ERROR: then
     * nothing was negotiated and {@link #blockSize} and {@link #windowSize} are RFC 1350's 512 and 1, not what was asked.
     */
    public boolean began() {
        return tid != -1;
    }

    /** Returns the negotiated window (RFC 7440): 1 until an OACK says otherwise. */
    public int windowSize() {
        return windowSize;
    }

    /** Returns the local UDP port, or 0 before a start. */
    public int localPort() {
        return localPort;
    }

    /** Returns the time of the first request. */
    public long startedAt() {
        return startedAt;
    }

    /** Returns the time the transfer ended (the last ACK sent or received), or -1 while it runs. */
    public long finishedAt() {
        return finishedAt;
    }

    /** Starts downloading {@code file} from {@code server}:{@code port} into {@code sink}. */
    public void startRead(long now, Ipv4Address server, int port, String file, TftpSink sink) {
        start(now, server, port, file, Direction.READ);
        this.sink = sink;
        handshake.send(now, config.options());
    }

    /** Starts uploading {@code source} to {@code server}:{@code port} as {@code remoteName}. */
    public void startWrite(long now, Ipv4Address server, int port, String remoteName, TftpSource source) {
        start(now, server, port, remoteName, Direction.WRITE);
        this.source = source;
        handshake.send(now, config.options());
    }

    private void start(long now, Ipv4Address server, int port, String file, Direction direction) {
        if (!(state instanceof State.Idle)) {
            throw new IllegalStateException("TFTP client already started: " + state);
        }
        this.direction = direction;
        this.serverIp = server.value();
        this.server = server;
        this.startedAt = now;
        int requestedBlockSize = config.requestedBlockSize(net.maxUdpPayload());
        handshake.prepare(file, port, requestedBlockSize);
        if (direction == Direction.READ) {
            download.prepare(config, requestedBlockSize);
        }
    }

    /**
     * Retransmits when the deadline has come, and gives up when the give-up budget has run out.
     *
     * <p>This method, {@link #pollAt} and {@link #onDatagram} test the state with {@code instanceof}, not a
     * pattern {@code switch}: each such switch costs 1-5 ms of class generation on its first use (JDK 25's AOT
     * cache does not keep it), and all three run before a host-mode transfer's first packet (issue 11).
     */
    public void poll(long now) {
        State s = state;
        if (s instanceof State.Requesting) {
            if (now >= deadline()) {
                handshake.timeout(now);
            }
        } else if (s instanceof State.Receiving) {
            if (acks.heldUntil() >= 0 && now >= acks.heldUntil()) {
                download.releaseAck(now);
            } else if (acks.heldUntil() < 0 && now >= deadline()) {
                acks.timeout(now);
            }
        } else if (s instanceof State.Multicast) {
            if (now >= rtx.retryAt) {
                mcast.timeout(now);
            }
        } else if (s instanceof State.Sending) {
            if (now >= deadline()) {
                upload.timeout(now);
            }
        } else if (s instanceof State.Done) {
            dally.poll(now);
        }
    }

    /** Returns when {@link #poll} next has work. */
    public long pollAt() {
        State s = state;
        if (s instanceof State.Receiving && acks.heldUntil() >= 0) {
            // While an ACK waits for the sink, its release is poll's only work: a retry time a block in order set
            // meanwhile (the sender alive) is not due before it, or a poll then would do nothing and be asked again.
            return acks.heldUntil();
        }
        if (s instanceof State.Requesting || s instanceof State.Receiving || s instanceof State.Sending) {
            return deadline();
        }
        if (s instanceof State.Multicast) {
            return rtx.retryAt; // MulticastDownload keeps its own patience (a passive client waits on the group)
        }
        if (s instanceof State.Done) {
            return dally.pollAt();
        }
        return Long.MAX_VALUE;
    }

    // ------------------------------------------------------------------ waiting: the give-up budget, an unreachable peer

    /** Returns the next deadline while waiting: the retransmission, or the end of the give-up budget if sooner. */
    private long deadline() {
        return Math.min(rtx.retryAt, patience.endsAt());
    }

    /** The client has what it waited for (an answer, a block in order, an ACK that moves the window): the give-up clock restarts. */
    void progress(long now) {
        patience.restart(now);
    }

    /** Returns whether the client has waited the whole give-up budget since its last progress. */
    boolean budgetSpent(long now) {
        return patience.spent(now);
    }

    /**
     * Fails the transfer when what could not be delivered went to the peer: the request to the server's port, or a
     * packet to the transfer ID. The ERROR 5 this port sent a stranger (RFC 1350 section 4, "while not disturbing
     * the transfer") may come back as a port unreachable from a stranger that is gone, or wait for an ARP reply that
     * never comes: that is no news about the server, and the transfer goes on.
     */
    @Override
    public void onUnreachable(long now, Ipv4Address dst, int dstPort, boolean refused, String reason) {
        State s = state;
        int peerPort = s instanceof State.Requesting r ? r.port() : tid;
        if (dst.value() != serverIp || dstPort != peerPort) {
            return;
        }
        if (s instanceof State.Requesting || s instanceof State.Receiving || s instanceof State.Sending
                || s instanceof State.Multicast) {
            fail(new TftpFailure(TftpFailure.Kind.UNREACHABLE, -1, "TFTP: server " + dst + " unreachable: " + reason));
            mcast.quit(now);
        }
    }

    // ------------------------------------------------------------------ dispatch to the state's owner

    @Override
    public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
        int op;
        try {
            op = TftpWire.opcode(buf, off, len);
        } catch (MalformedPacketException e) {
            dropped++;
            return;
        }
        State s = state; // instanceof, not a pattern switch: see poll
        boolean transferring = s instanceof State.Receiving || s instanceof State.Sending || s instanceof State.Multicast;
        boolean fromTid = srcIp == serverIp && srcPort == tid;
        if (s instanceof State.Requesting) {
            handshake.onPacket(now, srcIp, srcPort, op, buf, off, len);
        } else if (transferring && !fromTid) {
            errors.stray(now, srcIp, srcPort, op);
        } else if (s instanceof State.Multicast) {
            mcast.onUnicast(now, op, buf, off, len);
        } else if (transferring && op == TftpPacket.OP_ERROR) {
            errors.fromServer(buf, off, len, tid);
        } else if (s instanceof State.Receiving && op == TftpPacket.OP_DATA && len >= 4) {
            download.onData(now, buf, off, len);
        } else if (s instanceof State.Sending && op == TftpPacket.OP_ACK && len >= 4) {
            upload.onAck(now, buf, off, len);
        } else if (s instanceof State.Receiving && op == TftpPacket.OP_OACK && download.nothingInOrder()) {
            // The server sent its OACK again before any DATA: our ACK 0 (RFC 2347) was lost. Say it again now, as
            // for DATA sent again, rather than at our own timeout; not for a copy that crossed it.
            duplicates++;
            acks.reAckLast(now);
        } else if (s instanceof State.Done) {
            dally.onPacket(now, fromTid, op, buf, off, len); // RFC 1350 section 6: the final ACK again, or nothing
        } else {
            dropped++;
        }
    }

    /** Returns the wire number of block {@code seq} where this server wraps. */
    int wire(long seq) {
        return BlockNumbers.wire(seq, rolloverTo);
    }

    // ------------------------------------------------------------------ the end

    /**
     * Fails the transfer: {@code missing} (e.g. "no DATA 7") did not come from {@code port} within the give-up
     * budget, in spite of the retransmissions since the last progress ({@code of}: what was sent again, e.g.
     * " of ACK 6", or ""); the message says what else came and was ignored ({@link Patience#message}).
     */
    void giveUp(long now, int port, String missing, String of) {
        fail(new TftpFailure(TftpFailure.Kind.TIMEOUT, -1, patience.message(now, missing + " from " + server + ":" + port, of)));
    }

    /** The sink or source failed: tell the server (unless the board lost power) and fail as LOCAL. */
    void localFailure(long now, int port, TftpSinkException e) {
        errors.send(now, serverIp, port, e.errorCode(), e.serverMessage());
        fail(new TftpFailure(TftpFailure.Kind.LOCAL, e.errorCode(), e.getMessage()));
    }

    /** Ends the transfer as failed and frees the port. */
    void fail(TftpFailure failure) {
        rtx.retryAt = Long.MAX_VALUE;
        transition(new State.Failed(failure));
        net.unbind(localPort);
    }

    /**
     * Moves to {@code next}: every transition goes through here (GUIDE H7).
     *
     * @throws IllegalStateException when the transfer has ended: {@code Done} and {@code Failed} are final, and a
     *                               move out of one is a bug of this package (a failure overwritten, say), never input
     */
    void transition(State next) {
        if (state instanceof State.Done || state instanceof State.Failed) {
            throw new IllegalStateException("TFTP: the transfer has ended (" + state + "), it cannot become " + next);
        }
        state = next;
    }
}
