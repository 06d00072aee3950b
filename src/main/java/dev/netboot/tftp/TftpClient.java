package dev.netboot.tftp;

import dev.netboot.net.NetStack;
import dev.netboot.net.PayloadWriter;
import dev.netboot.net.SendResult;
import dev.netboot.net.UdpHandler;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The TFTP read client (RFC 1350), poll-driven on a {@link NetStack}.
 *
 * <p>It sends an RRQ in octet mode to the server's port 69 from a random local port. The port of the
 * server's first answer becomes the transfer ID (TID): from then on a packet from any other address
 * or port gets ERROR 5 and changes nothing (RFC 1350 section 4). Each DATA in order is handed to the
 * {@link TftpSink} and acknowledged; a duplicate of the last block is re-acknowledged at most once per
 * {@link #reAckGap}, so a server with the Sorcerer's Apprentice bug (RFC 1123 section 4.2.3.1) cannot
 * drive a storm. On timeout the last packet is sent again, the wait doubling up to 8 × the timeout
 * (RFC 1123 section 4.2.3.2 asks for exponential backoff). A block shorter than the block size,
 * zero bytes included, ends the transfer; afterwards the client dallies for one timeout to
 * re-acknowledge a retransmitted last block (RFC 1350 section 6).
 *
 * <p>When the configured block size is not 512 the RRQ carries {@code blksize} and {@code tsize}
 * (RFC 2347-2349); an OACK is checked and answered with ACK 0, a server that ignores options and
 * sends DATA 1 is followed at 512.
 *
 * <p>The data path allocates nothing: DATA is read in place, the ACK is written into the frame
 * the link lends, and per-block progress lives in mutable fields of the client rather than in a new
 * state record per block.
 */
public final class TftpClient implements UdpHandler, PayloadWriter {
    /** What the client is doing. */
    public sealed interface State {
        /** Not started. */
        record Idle() implements State {
        }

        /** RRQ sent to the server's well-known port; no answer yet. */
        record Requesting(Ipv4Address server, int port, String file) implements State {
        }

        /** Receiving DATA from the transfer ID {@code server}:{@code tid} at {@code blockSize}. */
        record Receiving(Ipv4Address server, int tid, int blockSize) implements State {
        }

        /** The last block arrived and was acknowledged. */
        record Done(long bytes, long finishedAt) implements State {
        }

        /** The transfer failed. */
        record Failed(TftpFailure failure) implements State {
        }
    }

    /**
     * Counters of one transfer.
     *
     * @param retransmissions packets we sent again: after a timeout, or re-ACKs of a duplicate DATA
     * @param duplicates      DATA packets received again
     * @param strayPackets    packets from a wrong transfer ID (each answered with ERROR 5)
     * @param dropped         malformed or unexpected packets ignored
     * @param blocks          DATA blocks accepted
     */
    public record Stats(long retransmissions, long duplicates, long strayPackets, long dropped, long blocks) {
    }

    private static final int MAX_BACKOFF_SHIFT = 3;

    private final NetStack net;
    private final TftpConfig config;
    private final RandomGenerator random;
    private final long reAckGap;
    private final ByteBuffer last;
    private final ByteBuffer scratch = ByteBuffer.allocate(256);

    private State state = new State.Idle();
    private TftpSink sink;
    private int localPort;
    private boolean optionsSent;

    // Progress of the transfer in progress: mutable on purpose, see the class comment.
    private int serverIp;
    // The same address as an object, made once: sendUdp takes an Ipv4Address, and a new one per ACK was
    // the data path's only allocation (16 bytes a block).
    private Ipv4Address server = Ipv4Address.ANY;
    private int tid = -1;
    private int blockSize = TftpWire.DEFAULT_BLOCK_SIZE;
    private long blocks;
    private long bytes;
    private int lastLen;
    private long lastSentAt;
    private long retryAt = Long.MAX_VALUE;
    // The link refused our last packet: the next poll sends it, as a first send, not a retransmission.
    private boolean unsent;
    private int retries;
    private long dallyUntil;
    private long startedAt;

    private long retransmissions, duplicates, strayPackets, dropped;

    // What writePayload copies next.
    private ByteBuffer txSource;

    /** Creates a client; {@code random} picks the local port. */
    public TftpClient(NetStack net, TftpConfig config, RandomGenerator random) {
        this.net = net;
        this.config = config;
        this.random = random;
        this.reAckGap = config.timeout() / 8;
        this.last = ByteBuffer.allocate(Math.max(516, 4 + 255 * 2 + 64));
    }

    /** Returns the current state. */
    public State state() {
        return state;
    }

    /** Returns the counters. */
    public Stats stats() {
        return new Stats(retransmissions, duplicates, strayPackets, dropped, blocks);
    }

    /** Returns the block size in use: 512 until an OACK says otherwise. */
    public int blockSize() {
        return blockSize;
    }

    /** Returns the local UDP port, or 0 before {@link #startRead}. */
    public int localPort() {
        return localPort;
    }

    /** Returns the time of the RRQ. */
    public long startedAt() {
        return startedAt;
    }

    /** Starts downloading {@code file} from {@code server}:{@code port} into {@code sink}. */
    public void startRead(long now, Ipv4Address server, int port, String file, TftpSink sink) {
        if (!(state instanceof State.Idle)) {
            throw new IllegalStateException("TFTP client already started: " + state);
        }
        this.sink = sink;
        this.serverIp = server.value();
        this.server = server;
        this.startedAt = now;
        do {
            localPort = 49152 + random.nextInt(16384);
        } while (net.isBound(localPort));
        net.bind(localPort, this);
        List<TftpPacket.Option> options = new ArrayList<>();
        if (config.blockSize() != TftpWire.DEFAULT_BLOCK_SIZE) {
            options.add(new TftpPacket.Option("blksize", Integer.toString(config.blockSize())));
            options.add(new TftpPacket.Option("tsize", "0"));
        }
        optionsSent = !options.isEmpty();
        TftpPacket.Rrq rrq = new TftpPacket.Rrq(file, "octet", options);
        if (rrq.encodedLength() > last.capacity()) {
            throw new IllegalArgumentException("TFTP file name too long: " + file.length() + " characters");
        }
        lastLen = rrq.emit(last, 0);
        transition(new State.Requesting(server, port, file));
        sendLast(now, port);
    }

    /** Retransmits when the deadline has come and gives up after the configured retries. */
    public void poll(long now) {
        switch (state) {
            case State.Requesting r when now >= retryAt -> retransmit(now, r.port(), "RRQ for " + r.file());
            case State.Receiving r when now >= retryAt -> retransmit(now, r.tid(), "ACK " + (blocks & 0xFFFF));
            case State.Done _ when unsent -> {
                sendLast(now, tid); // the final ACK the link refused; the dally runs from its real send
                if (!unsent) {
                    retryAt = Long.MAX_VALUE;
                    dallyUntil = now + config.timeout();
                }
            }
            case State.Done _ when now >= dallyUntil && localPort != 0 -> {
                net.unbind(localPort);
                dallyUntil = Long.MAX_VALUE;
            }
            default -> {
            }
        }
    }

    /** Returns when {@link #poll} next has work. */
    public long pollAt() {
        return switch (state) {
            case State.Requesting _, State.Receiving _ -> retryAt;
            case State.Done _ -> unsent ? retryAt : dallyUntil;
            default -> Long.MAX_VALUE;
        };
    }

    private void retransmit(long now, int port, String what) {
        if (unsent) {
            sendLast(now, port);
            return;
        }
        if (retries >= config.maxRetries()) {
            fail(new TftpFailure(TftpFailure.Kind.TIMEOUT, -1, "TFTP: no answer from " + new Ipv4Address(serverIp) + ":" + port
                    + " after " + retries + " retransmissions of " + what));
            return;
        }
        retries++;
        retransmissions++;
        sendLast(now, port);
    }

    private void sendLast(long now, int port) {
        txSource = last;
        SendResult r = net.sendUdp(now, localPort, server, port, lastLen, this);
        if (r == SendResult.NO_ROUTE) {
            fail(new TftpFailure(TftpFailure.Kind.UNREACHABLE, -1, "TFTP: no route to " + new Ipv4Address(serverIp)
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
        lastSentAt = now;
        // An ARP wait (PENDING_ARP) or a full ARP queue: the retry timer covers it.
        retryAt = now + (config.timeout() << Math.min(retries, MAX_BACKOFF_SHIFT));
    }

    @Override
    public void writePayload(ByteBuffer buf, int off, int len) {
        buf.put(off, txSource, 0, len);
    }

    @Override
    public void onUnreachable(long now, Ipv4Address dst, String reason) {
        if (state instanceof State.Requesting || state instanceof State.Receiving) {
            fail(new TftpFailure(TftpFailure.Kind.UNREACHABLE, -1, "TFTP: server " + dst + " unreachable: " + reason));
        }
    }

    @Override
    public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
        int op;
        try {
            op = TftpWire.opcode(buf, off, len);
        } catch (MalformedPacketException e) {
            dropped++;
            return;
        }
        switch (state) {
            case State.Requesting r -> onRequesting(now, r, srcIp, srcPort, op, buf, off, len);
            case State.Receiving r -> {
                if (srcIp != serverIp || srcPort != r.tid()) {
                    stray(now, srcIp, srcPort);
                } else {
                    onReceiving(now, op, buf, off, len);
                }
            }
            case State.Done _ -> {
                if (srcIp == serverIp && srcPort == tid && op == TftpPacket.OP_DATA && len >= 4
                        && TftpWire.block(buf, off, len) == (int) (blocks & 0xFFFF)) {
                    duplicates++;
                    reAck(now);
                } else {
                    dropped++;
                }
            }
            default -> dropped++;
        }
    }

    private void onRequesting(long now, State.Requesting r, int srcIp, int srcPort, int op, ByteBuffer buf, int off, int len) {
        if (srcIp != serverIp) {
            stray(now, srcIp, srcPort);
            return;
        }
        switch (op) {
            case TftpPacket.OP_DATA -> {
                if (len < 4 || TftpWire.block(buf, off, len) != 1) {
                    dropped++;
                    return;
                }
                // A server that ignores options answers with DATA 1: carry on at 512 (RFC 2347 section 2).
                blockSize = TftpWire.DEFAULT_BLOCK_SIZE;
                if (!begin(now, -1, srcPort)) {
                    return;
                }
                enterReceiving(r, srcPort);
                onReceiving(now, op, buf, off, len);
            }
            case TftpPacket.OP_OACK -> onOack(now, r, srcPort, buf, off, len);
            case TftpPacket.OP_ERROR -> serverError(buf, off, len, srcPort);
            default -> dropped++;
        }
    }

    private void onOack(long now, State.Requesting r, int srcPort, ByteBuffer buf, int off, int len) {
        if (!optionsSent) {
            refuse(now, srcPort, "OACK without options requested");
            return;
        }
        TftpPacket.Oack oack;
        try {
            oack = (TftpPacket.Oack) TftpWire.parse(buf, off, len);
        } catch (MalformedPacketException e) {
            refuse(now, srcPort, "malformed OACK: " + e.getMessage());
            return;
        }
        int size = TftpWire.DEFAULT_BLOCK_SIZE;
        long tsize = -1;
        for (TftpPacket.Option o : oack.options()) {
            switch (o.name()) {
                case "blksize" -> {
                    // RFC 2348: the server may answer a smaller size, never a larger one.
                    size = parseOption(o, 8, config.blockSize());
                    if (size < 0) {
                        refuse(now, srcPort, "OACK blksize " + o.value() + " (expected: 8.." + config.blockSize() + ")");
                        return;
                    }
                }
                case "tsize" -> {
                    try {
                        tsize = Long.parseLong(o.value());
                    } catch (NumberFormatException e) {
                        tsize = -2;
                    }
                    if (tsize < 0) {
                        refuse(now, srcPort, "OACK tsize " + o.value() + " (expected: a byte count)");
                        return;
                    }
                }
                default -> {
                    // RFC 2347 section 2: the server must not acknowledge an option the client did not send.
                    refuse(now, srcPort, "OACK option '" + o.name() + "' was never requested");
                    return;
                }
            }
        }
        blockSize = size;
        if (!begin(now, tsize, srcPort)) {
            return;
        }
        enterReceiving(r, srcPort);
        lastLen = TftpWire.writeAck(last, 0, 0);
        sendLast(now, srcPort);
    }

    private static int parseOption(TftpPacket.Option o, int min, int max) {
        try {
            int v = Integer.parseInt(o.value());
            return v >= min && v <= max ? v : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void refuse(long now, int srcPort, String why) {
        sendError(now, serverIp, srcPort, TftpWire.ERR_OPTIONS, why);
        fail(new TftpFailure(TftpFailure.Kind.PROTOCOL, TftpWire.ERR_OPTIONS, "TFTP: " + why));
    }

    private boolean begin(long now, long tsize, int srcPort) {
        try {
            sink.begin(tsize);
            return true;
        } catch (TftpSinkException e) {
            sendError(now, serverIp, srcPort, e.errorCode(), e.getMessage());
            fail(new TftpFailure(TftpFailure.Kind.LOCAL, e.errorCode(), e.getMessage()));
            return false;
        }
    }

    private void enterReceiving(State.Requesting r, int srcPort) {
        tid = srcPort;
        retries = 0;
        transition(new State.Receiving(r.server(), srcPort, blockSize));
    }

    private void onReceiving(long now, int op, ByteBuffer buf, int off, int len) {
        switch (op) {
            case TftpPacket.OP_DATA -> {
                if (len < 4) {
                    dropped++;
                    return;
                }
                int block = TftpWire.block(buf, off, len);
                int expected = (int) ((blocks + 1) & 0xFFFF); // wraps 65535 -> 0, as most servers do
                int n = len - TftpWire.DATA_HEADER_LEN;
                if (block == expected) {
                    if (n > blockSize) {
                        dropped++;
                        return;
                    }
                    onBlock(now, buf, off + TftpWire.DATA_HEADER_LEN, n);
                } else if (block == (int) (blocks & 0xFFFF)) {
                    duplicates++;
                    reAck(now);
                } else {
                    dropped++;
                }
            }
            case TftpPacket.OP_ERROR -> serverError(buf, off, len, tid);
            default -> dropped++;
        }
    }

    private void onBlock(long now, ByteBuffer buf, int off, int n) {
        try {
            sink.write(buf, off, n);
        } catch (TftpSinkException e) {
            sendError(now, serverIp, tid, e.errorCode(), e.getMessage());
            fail(new TftpFailure(TftpFailure.Kind.LOCAL, e.errorCode(), e.getMessage()));
            return;
        }
        blocks++;
        bytes += n;
        retries = 0;
        lastLen = TftpWire.writeAck(last, 0, (int) (blocks & 0xFFFF));
        sendLast(now, tid);
        if (n < blockSize) {
            // RFC 1350 section 6: the end is a block shorter than the block size; dally to re-ACK its retransmission.
            dallyUntil = now + config.timeout();
            if (!unsent) {
                retryAt = Long.MAX_VALUE;
            }
            transition(new State.Done(bytes, now));
        }
    }

    private void reAck(long now) {
        if (now - lastSentAt < reAckGap) {
            return; // we just acknowledged it: a copy in flight, not a lost ACK
        }
        retransmissions++;
        txSource = last;
        net.sendUdp(now, localPort, server, tid, lastLen, this);
        lastSentAt = now;
    }

    private void serverError(ByteBuffer buf, int off, int len, int port) {
        TftpPacket p;
        try {
            p = TftpWire.parse(buf, off, len);
        } catch (MalformedPacketException e) {
            dropped++;
            return;
        }
        TftpPacket.Error err = (TftpPacket.Error) p;
        fail(new TftpFailure(TftpFailure.Kind.SERVER_ERROR, err.code(), "TFTP: server " + new Ipv4Address(serverIp) + ":" + port
                + " sent ERROR " + err.code() + " (" + TftpWire.errorName(err.code()) + "): " + err.message()));
    }

    /** RFC 1350 section 4: a packet from a wrong TID gets ERROR 5; the transfer goes on undisturbed. */
    private void stray(long now, int srcIp, int srcPort) {
        strayPackets++;
        sendError(now, srcIp, srcPort, TftpWire.ERR_UNKNOWN_TID, "Unknown transfer ID");
    }

    private void sendError(long now, int ip, int port, int code, String message) {
        String m = message.length() > 200 ? message.substring(0, 200) : message;
        int n = new TftpPacket.Error(code, m.replace('\0', ' ')).emit(scratch, 0);
        txSource = scratch;
        net.sendUdp(now, localPort, new Ipv4Address(ip), port, n, this);
    }

    private void fail(TftpFailure failure) {
        retryAt = Long.MAX_VALUE;
        transition(new State.Failed(failure));
        net.unbind(localPort);
    }

    private void transition(State next) {
        state = next;
    }
}
