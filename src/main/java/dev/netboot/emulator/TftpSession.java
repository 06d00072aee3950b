package dev.netboot.emulator;

import dev.netboot.net.NetStack;
import dev.netboot.net.PayloadWriter;
import dev.netboot.tftp.BlockNumbers;
import dev.netboot.wire.Ipv4Address;
import java.nio.ByteBuffer;

/**
 * One read transfer of the {@link TftpServer} on its own port (its transfer ID), in windows of
 * {@code windowSize} blocks (RFC 7440; 1 is RFC 1350 lock-step). Block n (1-based, counted in a
 * {@code long}) goes on the wire as {@link BlockNumbers#wire}, wrapping 65535 to 0 or to 1. The
 * transfer ends with the ACK of the first block shorter than the block size, a zero-length block when
 * the file is a multiple of it.
 *
 * <ul>
 *   <li>Options: with an OACK to send, the session sends it first, and again at each timeout, until ACK 0 confirms it
 *       (RFC 2347; the {@link OackSender}).</li>
 *   <li>DATA: what block n is on the wire (its bytes of the file, its 16-bit number, a file that cannot be read),
 *       and what the DATA sent count, the {@link DataSender} says.</li>
 *   <li>Window: blocks {@code base .. base + window - 1} are handed to the port as its wire drains
 *       ({@link TxPacer}), or in turn with the server's other sessions ({@link PortShare}), by the {@link SessionPump};
 *       which block goes next, and what each ACK calls for (the next window, a hole's block again alone, a restarted
 *       window), the {@link SenderWindow} decides (RFC 7440 section 4).</li>
 *   <li>Timeout: the window is sent again from its start {@code timeout} after its last sending, up to
 *       {@code maxRetries} times; then the session gives up silently. With {@link TftpServerConfig#maxTimeout()} the wait
 *       doubles after each retransmission left unanswered, up to that, as tftpd-hpa's does ({@link RetryTimer}).</li>
 *   <li>Duplicate ACK (of block base-1): ignored in lock-step, RFC 1123 section 4.2.3.1: "The sender ...
 *       must never resend the current DATA packet on receipt of a duplicate ACK", unless
 *       {@link TftpServerConfig#sorcerersApprenticeBug()} asks for the bug. With a window it is the
 *       receiver's note of a lost block base. The {@link SenderWindow#onDuplicate} decides.</li>
 *   <li>Packets from another address or port: ERROR 5 to the sender, the transfer carries on. ERROR from the client:
 *       the session ends, nothing is sent back. What each datagram calls for, the {@link SessionInbox} says. An ICMP
 *       port unreachable about the client's port ends the session too ({@link #onUnreachable}).</li>
 *   <li>Misbehaviour on request ({@link TftpQuirks}, through {@link SessionQuirks}): windows handed over in a random
 *       order, every packet twice, junk and strangers between good packets, DATA longer than negotiated, a stall
 *       (nothing sent, the ACKs that came meanwhile answered when it ends: {@link ServerStall}), silence or an ERROR
 *       after some block (what strikes a DATA itself, the {@link DataSender} does).</li>
 * </ul>
 */
public final class TftpSession implements TftpServerSession, PayloadWriter {
    /** How a session ended. */
    public enum End {
        /** The last block was acknowledged. */
        COMPLETE,
        /** A window (or the OACK) went unacknowledged after every retry. */
        GAVE_UP,
        /** The client sent an ERROR. */
        CLIENT_ERROR,
        /** The file could not be read; the client got ERROR 0 saying why. */
        READ_ERROR,
        /** The client is gone: its host answered a DATA or OACK with ICMP port (or protocol) unreachable. */
        UNREACHABLE
    }

    /** The session's state; each state carries its own data (GUIDE H7). */
    sealed interface State {
        /**
         * Blocks up to {@code block} are out (0: only the OACK); they are sent again from the window's start at
         * {@code retryAt}.
         */
        record AwaitingAck(long block, long retryAt, int retries) implements State {
        }

        /** Finished; the port is unbound. */
        record Ended(End how) implements State {
        }
    }

    /**
     * A snapshot of one session.
     *
     * @param port            our transfer ID
     * @param client          the client's address
     * @param clientPort      the client's transfer ID
     * @param file            the file requested
     * @param blockSize       the block size in use
     * @param windowSize      the window in use
     * @param blocksAcked     blocks acknowledged
     * @param dataSent        DATA packets sent, retransmissions included
     * @param retransmissions DATA (or OACK) packets sent again: timeout, rollback, or a duplicate ACK under the bug switch
     * @param duplicateAcks   ACKs of the block before the window
     * @param strangers       packets from other transfer IDs, each answered with ERROR 5
     * @param ignored         packets from the client that were neither an expected ACK, a duplicate ACK nor an ERROR
     * @param end             how it ended, or null while running
     * @param size            the bytes the transfer carries: the file's, or its netascii form's, which is known only
     *                        once its last block has been made ({@link ReadBlocks#UNKNOWN}, -1, until then)
     */
    public record Stats(int port, Ipv4Address client, int clientPort, String file, int blockSize, int windowSize,
                        long blocksAcked, long dataSent, long retransmissions, long duplicateAcks, long strangers,
                        long ignored, End end, long size) {
    }

    /** Ethernet, IPv4 and UDP headers: what a DATA frame carries besides its TFTP packet. */
    static final int FRAME_HEADERS = 14 + 20 + 8;

    private final NetStack stack;
    private final int port;
    private final Ipv4Address client;
    private final int clientPort;
    private final String file;
    private final Params params;
    private final int blockSize;
    private final SenderWindow window;
    private final DataSender data;
    private final OackSender oack;
    private final ServerStall stall;
    private final RetryTimer timer;
    private final SessionPump pump;
    private final SessionInbox inbox;
    private State state;
    private long retransmissions; // of the OACK, and the bug's DATA

    /** A well-behaved session sending {@code content} as it is (octet), unpaced. */
    TftpSession(NetStack stack, TftpServerConfig config, int port, Ipv4Address client, int clientPort, String file,
                ServedFile content, Params params) {
        this(stack, config, port, client, clientPort, file, new ReadBlocks.Octet(content, params.blockSize()), params,
                TxPacer.NONE, null, null);
    }

    /**
     * A session sending {@code blocks} (the file as it is, octet, or its netascii form made as it goes) that misbehaves
     * as {@code quirks} says (null: well-behaved), sending its DATA in turn with the server's other sessions through
     * {@code share} (null: this session's pacer alone).
     */
    TftpSession(NetStack stack, TftpServerConfig config, int port, Ipv4Address client, int clientPort, String file,
                ReadBlocks blocks, Params params, TxPacer pacer, SessionQuirks quirks, PortShare share) {
        this.stack = stack;
        this.port = port;
        this.client = client;
        this.clientPort = clientPort;
        this.file = file;
        this.params = params;
        this.blockSize = params.blockSize();
        this.window = new SenderWindow(params, blocks.lastBlock(), quirks);
        this.data = new DataSender(stack, port, client, clientPort, blocks, params, quirks);
        this.oack = new OackSender(stack, port, client, clientPort, params.oack(), quirks, window);
        this.stall = new ServerStall(quirks);
        this.timer = new RetryTimer(params.timeout(), config);
        this.inbox = new SessionInbox(stack, port, client, clientPort, oack, window, stall);
        this.pump = new SessionPump(window, data, stall, pacer, share, new SessionPump.Session() {
            @Override
            public boolean ended() {
                return TftpSession.this.ended();
            }

            @Override
            public void sent(long now) {
                timeoutFromNow(now);
            }

            @Override
            public void unreadable() {
                end(End.READ_ERROR);
            }
        });
    }

    /** Sends the OACK, or the first window. */
    void start(long now) {
        if (params.oack() != null) {
            oack.send(now);
            state = new State.AwaitingAck(0, now + waitAfter(0), 0);
        } else {
            startWindow(now, 1, 0);
        }
    }

    /** Returns our transfer ID (port). */
    public int port() {
        return port;
    }

    @Override
    public boolean ended() {
        return state instanceof State.Ended;
    }

    @Override
    public int clientIp() {
        return client.value();
    }

    @Override
    public int clientPort() {
        return clientPort;
    }

    @Override
    public String file() {
        return file;
    }

    /** Returns the current state. */
    State state() {
        return state;
    }

    /** Puts the session mid-transfer, window starting at {@code windowStart}: tests skip thousands of blocks. */
    void setStateForTest(long windowStart, State s) {
        state = s;
        oack.skipForTest();
        window.setForTest(windowStart, s instanceof State.AwaitingAck a ? a.block() : -1);
    }

    /** Returns the bytes of the DATA frames sent (Ethernet, IPv4, UDP and TFTP headers included, as a port counts them). */
    public long dataBytes() {
        return data.dataBytes();
    }

    /** Returns the DATA frames of blocks sent before, sent again (after a timeout, or asked for again). */
    public long resentFrames() {
        return data.resentFrames();
    }

    /** Returns the bytes of those frames ({@link #resentFrames()}). */
    public long resentBytes() {
        return data.resentBytes();
    }

    /** Returns the bytes read from the file so far: about its size by the end (a netascii block may read a few twice). */
    public long fileBytesRead() {
        return data.fileBytesRead();
    }

    /** Returns the bytes of its DATA buffer: a block while it runs, none once it ended (tests). */
    int bufferBytes() {
        return data.bufferBytes();
    }

    /** Returns a snapshot of the session's figures. */
    public Stats stats() {
        return new Stats(port, client, clientPort, file, blockSize, params.windowSize(), window.acked(), data.dataSent(),
                retransmissions + pump.retransmissions(), inbox.duplicateAcks(), inbox.strangers(), inbox.ignored(),
                state instanceof State.Ended(End how) ? how : null, data.size());
    }

    @Override
    public void poll(long now) {
        if (!(state instanceof State.AwaitingAck(long block, long retryAt, int retries))) {
            return;
        }
        if (stall.on()) {
            if (now >= stall.until()) {
                endStall(now);
            }
            return; // a stalled server does nothing, its timers included
        }
        if (now >= retryAt) {
            if (timer.exhausted(retries)) {
                end(End.GAVE_UP);
                return;
            }
            if (oack.pending()) {
                oack.resend(now);
                retransmissions++;
                state = new State.AwaitingAck(0, now + waitAfter(retries + 1), retries + 1);
            } else {
                startWindow(now, window.base(), retries + 1); // RFC 7440: the last ACK received sets the window sent again
            }
        } else if (window.hasWork()) {
            pump.run(now);
        }
    }

    @Override
    public long pollAt() {
        if (!(state instanceof State.AwaitingAck a)) {
            return Long.MAX_VALUE;
        }
        if (stall.on()) {
            return stall.until();
        }
        return pump.pollAt(a.retryAt());
    }

    @Override
    public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
        act(now, inbox.read(now, srcIp, srcPort, buf, off, len, state instanceof State.AwaitingAck));
    }

    /**
     * The client's host answered ICMP port unreachable, a hard error (RFC 1122 section 4.2.3.9): nobody is there to take
     * the rest, and the session ends at once, as tftpd-hpa's does on ECONNREFUSED, not after every retry. ARP finding no
     * one may pass (a cable plugged back in), and an error about another port is a stranger's: the timer goes on.
     */
    @Override
    public void onUnreachable(long now, Ipv4Address dst, int dstPort, boolean refused, String reason) {
        if (!ended() && refused && dst.equals(client) && dstPort == clientPort) {
            end(End.UNREACHABLE);
        }
    }

    /** Does what a datagram, or an ACK held through a stall, calls for ({@link SessionInbox}). */
    private void act(long now, SessionInbox.Step step) {
        int retries = state instanceof State.AwaitingAck a ? a.retries() : 0;
        switch (step) {
            case ERROR -> end(End.CLIENT_ERROR);
            case COMPLETE -> end(End.COMPLETE);
            case NEXT -> startWindow(now, window.base(), 0);
            case RESTART -> startWindow(now, window.base(), retries);
            case HOLE -> resendOne(now, window.base(), retries);
            case AGAIN -> {
                pump.sendData(now, window.base()); // the Sorcerer's Apprentice bug, asked for: the timer runs on
                retransmissions++;
            }
            case NOTHING -> { }
        }
    }

    /** The stall is over: the ACKs that came meanwhile, in order, then the window as it stands. */
    private void endStall(long now) {
        stall.end();
        while (stall.hasHeld() && !ended()) {
            act(now, inbox.ack(now, stall.nextHeld(), state instanceof State.AwaitingAck));
        }
        if (!ended() && state instanceof State.AwaitingAck(long block, long retryAt, int retries)) {
            state = new State.AwaitingAck(block, Math.max(retryAt, now), retries);
            pump.run(now);
        }
    }

    /** Sends block {@code b} again ahead of the rest of the window. */
    private void resendOne(long now, long b, int retries) {
        window.resendAlone(now, b);
        state = new State.AwaitingAck(window.highestSent(), now + waitAfter(retries), retries);
        pump.run(now);
    }

    /** Starts the window {@code first ..}: at most windowSize blocks, never past the last, handed over as the port drains. */
    private void startWindow(long now, long first, int retries) {
        if (window.shuffled() && !window.lastBlockKnown()) {
            // Its blocks go out of order: where the last one is (netascii: not known yet) must be, first.
            long last = data.lastBlockBy(now, first + params.windowSize() - 1);
            if (last == -2) {
                end(End.READ_ERROR);
                return;
            }
            if (last != ReadBlocks.UNKNOWN) {
                window.lastBlockIs(last);
            }
        }
        window.start(now, first);
        state = new State.AwaitingAck(window.highestSent(), now + waitAfter(retries), retries);
        pump.run(now);
    }

    /** The wait for an ACK after the {@code retries}-th retransmission of what is out (0: its first sending). */
    private long waitAfter(int retries) {
        return timer.waitAfter(retries, window.reachesLastBlock());
    }

    /** The timeout runs from the last sending. */
    private void timeoutFromNow(long now) {
        if (state instanceof State.AwaitingAck(long block, long retryAt, int retries)) {
            state = new State.AwaitingAck(window.highestSent(), now + waitAfter(retries), retries);
        }
    }

    private void end(End how) {
        state = new State.Ended(how);
        data.release(); // the server keeps ended sessions for their figures, not their buffers
        if (port != TftpServer.PORT) {
            stack.unbind(port);
        }
    }

    /**
     * Writes the DATA last sent in place. The session's DATA are the {@link DataSender}'s, which fills them itself; kept
     * for the public type, which has always been a {@link PayloadWriter}.
     */
    @Override
    public void writePayload(ByteBuffer buf, int off, int len) {
        data.writePayload(buf, off, len);
    }
}
