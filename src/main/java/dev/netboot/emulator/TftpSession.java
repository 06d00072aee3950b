package dev.netboot.emulator;

import dev.netboot.net.NetStack;
import dev.netboot.net.PayloadWriter;
import dev.netboot.net.UdpHandler;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;

/**
 * One read transfer of the {@link TftpServer}, bound to its own port (its transfer ID): lock-step
 * DATA n / ACK n (RFC 1350 section 2). Block n (1-based, counted in a {@code long}) goes on the wire
 * as {@code n mod 65536}, so block numbers wrap 65535 to 0. The transfer ends with the ACK of the
 * first block shorter than the block size, which is a zero-length block when the file is a multiple
 * of it.
 *
 * <ul>
 *   <li>Timeout: DATA n is sent again {@code timeout} after its last sending, up to {@code maxRetries}
 *       times; then the session gives up silently.</li>
 *   <li>Duplicate ACK (of block n-1): ignored. RFC 1123 section 4.2.3.1: "The sender (i.e., the side
 *       originating the DATA packets) must never resend the current DATA packet on receipt of a duplicate
 *       ACK." Unless {@link TftpServerConfig#sorcerersApprenticeBug()} asks for the bug.</li>
 *   <li>Packets from another address or port: ERROR 5 to the sender, the transfer carries on.</li>
 *   <li>ERROR from the client: the session ends, nothing is sent back.</li>
 * </ul>
 *
 * <p>Block size and window are session fields so that RFC 2348/7440 negotiation can set them; the
 * window is 1 (lock-step) for now. DATA is written in place with {@link TftpWire}.
 */
public final class TftpSession implements UdpHandler, PayloadWriter {
    /** Concurrent sessions per server: the host's stack has 16 UDP bindings, two taken by BOOTP and TFTP. */
    static final int MAX_ACTIVE = 12;

    /** How a session ended. */
    public enum End {
        /** The last block was acknowledged. */
        COMPLETE,
        /** A DATA went unacknowledged after every retry. */
        GAVE_UP,
        /** The client sent an ERROR. */
        CLIENT_ERROR
    }

    /** The session's state; each state carries its own data (GUIDE H7). */
    sealed interface State {
        /** DATA {@code block} is out; it is sent again at {@code retryAt}. */
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
     * @param blocksAcked     blocks acknowledged
     * @param dataSent        DATA packets sent, retransmissions included
     * @param retransmissions DATA packets sent again (on timeout, or on a duplicate ACK under the bug switch)
     * @param duplicateAcks   ACKs of the previous block received
     * @param strangers       packets from other transfer IDs, each answered with ERROR 5
     * @param ignored         packets from the client that were neither the expected ACK, a duplicate ACK nor an ERROR
     * @param end             how it ended, or null while running
     */
    public record Stats(int port, Ipv4Address client, int clientPort, String file, int blockSize, long blocksAcked,
                        long dataSent, long retransmissions, long duplicateAcks, long strangers, long ignored, End end) {
    }

    private final NetStack stack;
    private final TftpServerConfig config;
    private final int port;
    private final Ipv4Address client;
    private final int clientPort;
    private final String file;
    private final byte[] content;
    private final int blockSize;
    private final long lastBlock;
    private State state;
    private long blocksAcked, dataSent, retransmissions, duplicateAcks, strangers, ignored;
    private long txBlock; // the block fill() writes

    TftpSession(NetStack stack, TftpServerConfig config, int port, Ipv4Address client, int clientPort, String file,
                byte[] content) {
        this.stack = stack;
        this.config = config;
        this.port = port;
        this.client = client;
        this.clientPort = clientPort;
        this.file = file;
        this.content = content;
        this.blockSize = config.blockSize();
        this.lastBlock = content.length / blockSize + 1L;
    }

    /** Sends DATA 1. */
    void start(long now) {
        send(now, 1);
        state = new State.AwaitingAck(1, now + config.timeout(), 0);
    }

    /** Returns our transfer ID (port). */
    public int port() {
        return port;
    }

    /** Returns true once the session has ended. */
    public boolean ended() {
        return state instanceof State.Ended;
    }

    /** Returns the current state. */
    State state() {
        return state;
    }

    /** Puts the session in {@code s}: tests start mid-transfer instead of replaying thousands of blocks. */
    void setStateForTest(State s) {
        state = s;
    }

    /** Returns a snapshot of the session's figures. */
    public Stats stats() {
        return new Stats(port, client, clientPort, file, blockSize, blocksAcked, dataSent, retransmissions, duplicateAcks,
                strangers, ignored, state instanceof State.Ended(End how) ? how : null);
    }

    /** Runs the retransmission timer. */
    void poll(long now) {
        if (state instanceof State.AwaitingAck(long block, long retryAt, int retries) && now >= retryAt) {
            if (retries >= config.maxRetries()) {
                end(End.GAVE_UP);
                return;
            }
            send(now, block);
            retransmissions++;
            state = new State.AwaitingAck(block, now + config.timeout(), retries + 1);
        }
    }

    /** Returns the retransmission deadline, or {@link Long#MAX_VALUE} once ended. */
    long pollAt() {
        return state instanceof State.AwaitingAck a ? a.retryAt() : Long.MAX_VALUE;
    }

    @Override
    public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
        if (srcIp != client.value() || srcPort != clientPort) {
            // RFC 1350 section 4: "If a source TID does not match, the packet should be discarded as
            // erroneously sent from somewhere else. An error packet should be sent to the source of the
            // incorrect packet, while not disturbing the transfer."
            strangers++;
            sendError(stack, now, port, new Ipv4Address(srcIp), srcPort, TftpWire.ERR_UNKNOWN_TID, "Unknown transfer ID");
            return;
        }
        int op;
        try {
            op = TftpWire.opcode(buf, off, len);
            if (op == TftpPacket.OP_ACK) {
                onAck(now, TftpWire.block(buf, off, len));
                return;
            }
        } catch (MalformedPacketException e) {
            ignored++;
            return;
        }
        if (op == TftpPacket.OP_ERROR) {
            end(End.CLIENT_ERROR);
        } else {
            ignored++; // RRQ, DATA, OACK, junk on a read session: not ours to answer
        }
    }

    private void onAck(long now, int ack) {
        if (!(state instanceof State.AwaitingAck(long block, long retryAt, int retries))) {
            ignored++;
            return;
        }
        if (ack == wire(block)) {
            blocksAcked++;
            if (block == lastBlock) {
                end(End.COMPLETE);
                return;
            }
            send(now, block + 1);
            state = new State.AwaitingAck(block + 1, now + config.timeout(), 0);
        } else if (ack == wire(block - 1)) {
            duplicateAcks++;
            if (config.sorcerersApprenticeBug()) {
                send(now, block);
                retransmissions++;
                state = new State.AwaitingAck(block, retryAt, retries);
            }
        } else {
            ignored++;
        }
    }

    private static int wire(long block) {
        return (int) (block & 0xFFFF);
    }

    private void end(End how) {
        state = new State.Ended(how);
        stack.unbind(port);
    }

    private int dataLength(long block) {
        long start = (block - 1) * blockSize;
        return (int) Math.min(blockSize, content.length - start);
    }

    private void send(long now, long block) {
        txBlock = block;
        stack.sendUdp(now, port, client, clientPort, TftpWire.DATA_HEADER_LEN + dataLength(block), this);
        dataSent++;
    }

    /** Writes DATA {@code txBlock} in place. */
    @Override
    public void writePayload(ByteBuffer buf, int off, int len) {
        TftpWire.writeDataHeader(buf, off, wire(txBlock));
        buf.put(off + TftpWire.DATA_HEADER_LEN, content, (int) ((txBlock - 1) * blockSize), len - TftpWire.DATA_HEADER_LEN);
    }

    /** Sends ERROR {@code code} from {@code fromPort}. */
    static void sendError(NetStack stack, long now, int fromPort, Ipv4Address to, int toPort, int code, String message) {
        TftpPacket.Error e = new TftpPacket.Error(code, message);
        stack.sendUdp(now, fromPort, to, toPort, e.encodedLength(), (b, o, l) -> e.emit(b, o));
    }
}
