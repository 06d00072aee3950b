package dev.netboot.emulator;

import dev.netboot.net.NetStack;
import dev.netboot.tftp.BlockNumbers;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.function.BiConsumer;

/**
 * One write transfer (WRQ) of the {@link TftpServer}: the server is the receiver. It answers the request
 * with its OACK, or ACK 0 without options, then takes DATA in order, acknowledging the last block of
 * each window of {@code windowSize} blocks (RFC 7440 section 4), the last in-order block at once when a
 * block arrives ahead of a gap (it keeps no reorder buffer: the sender resends from there), and the
 * last block again when a duplicate shows its ACK was lost. The first block shorter than the block size
 * ends the upload: its bytes go to the server's upload map, and the session dallies one timeout to
 * re-ACK a retransmitted last block (RFC 1350 section 6).
 */
public final class TftpServerUpload implements TftpServerSession {
    /** The session's state (GUIDE H7). */
    sealed interface State {
        /** Waiting for DATA {@code expected}; the last ACK (or OACK) is sent again at {@code retryAt}. */
        record Receiving(long expected, long retryAt, int retries) implements State {
        }

        /** All received and acknowledged; a retransmitted last block is re-ACKed until {@code until}. */
        record Dallying(long until) implements State {
        }

        /** Finished. */
        record Ended(TftpSession.End how) implements State {
        }
    }

    private final NetStack stack;
    private final TftpServerConfig config;
    private final int port;
    private final Ipv4Address client;
    private final int clientPort;
    private final String file;
    private final Params params;
    private final BiConsumer<String, byte[]> done;
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private State state;
    private int sinceAck;
    private long lastAckAt = Long.MIN_VALUE;
    private long gapAckedFor = -1;
    private long blocks, acksSent, duplicates, gaps, strangers;

    TftpServerUpload(NetStack stack, TftpServerConfig config, int port, Ipv4Address client, int clientPort, String file,
                     Params params, BiConsumer<String, byte[]> done) {
        this.stack = stack;
        this.config = config;
        this.port = port;
        this.client = client;
        this.clientPort = clientPort;
        this.file = file;
        this.params = params;
        this.done = done;
    }

    /**
     * Counters of one upload.
     *
     * @param blocks     blocks taken in order
     * @param acksSent   ACKs sent, OACK and retransmissions included
     * @param duplicates DATA received again
     * @param gaps       blocks received ahead of a gap (dropped)
     * @param strangers  packets from other transfer IDs, answered with ERROR 5
     * @param end        how it ended, or null while running
     */
    public record Stats(long blocks, long acksSent, long duplicates, long gaps, long strangers, TftpSession.End end) {
    }

    /** Returns a snapshot of the counters. */
    public Stats stats() {
        return new Stats(blocks, acksSent, duplicates, gaps, strangers, state instanceof State.Ended(TftpSession.End e) ? e
                : state instanceof State.Dallying ? TftpSession.End.COMPLETE : null);
    }

    /** Answers the request: OACK or ACK 0. */
    void start(long now) {
        state = new State.Receiving(1, now + params.timeout(), 0);
        sendAckOrOack(now);
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

    @Override
    public void poll(long now) {
        switch (state) {
            case State.Receiving(long expected, long retryAt, int retries) when now >= retryAt -> {
                if (retries >= config.maxRetries()) {
                    end(TftpSession.End.GAVE_UP);
                    return;
                }
                state = new State.Receiving(expected, now + params.timeout(), retries + 1);
                sendAckOrOack(now);
            }
            case State.Dallying(long until) when now >= until -> end(TftpSession.End.COMPLETE);
            default -> {
            }
        }
    }

    @Override
    public long pollAt() {
        return switch (state) {
            case State.Receiving r -> r.retryAt();
            case State.Dallying d -> d.until();
            case State.Ended _ -> Long.MAX_VALUE;
        };
    }

    @Override
    public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
        if (srcIp != client.value() || srcPort != clientPort) {
            strangers++;
            TftpErrors.answerStranger(stack, now, port, srcIp, srcPort, buf, off, len);
            return;
        }
        int op;
        int b;
        try {
            op = TftpWire.opcode(buf, off, len);
            if (op == TftpPacket.OP_ERROR) {
                end(TftpSession.End.CLIENT_ERROR);
                return;
            }
            if (op != TftpPacket.OP_DATA) {
                return;
            }
            b = TftpWire.block(buf, off, len);
        } catch (MalformedPacketException e) {
            return;
        }
        int n = len - TftpWire.DATA_HEADER_LEN;
        switch (state) {
            case State.Receiving(long expected, long retryAt, int retries) -> {
                long s = BlockNumbers.seq(b, expected, params.rolloverTo());
                if (s == expected && n <= params.blockSize()) {
                    byte[] chunk = new byte[n];
                    buf.get(off + TftpWire.DATA_HEADER_LEN, chunk);
                    data.writeBytes(chunk);
                    blocks++;
                    sinceAck++;
                    if (n < params.blockSize()) {
                        sendAck(now, s);
                        done.accept(file, data.toByteArray());
                        state = new State.Dallying(now + params.timeout());
                    } else {
                        state = new State.Receiving(s + 1, now + params.timeout(), 0);
                        if (sinceAck >= params.windowSize()) {
                            sendAck(now, s); // the last block of the window
                        }
                    }
                } else if (s > expected) {
                    gaps++;
                    // RFC 7440: a sequence error is answered with the ACK of the last block received in order,
                    // once per missing block until a timeout passes.
                    if (gapAckedFor != expected || now - lastAckAt >= params.timeout()) {
                        gapAckedFor = expected;
                        sendAck(now, expected - 1);
                    }
                } else {
                    duplicates++;
                    if (now - lastAckAt >= params.timeout() / 8) {
                        sendAck(now, expected - 1); // the sender resends what we acknowledged: our ACK was lost
                    }
                }
            }
            case State.Dallying _ -> {
                duplicates++;
                sendAck(now, blocks); // the final ACK was lost
            }
            case State.Ended _ -> {
            }
        }
    }

    private void sendAckOrOack(long now) {
        if (state instanceof State.Receiving(long expected, long retryAt, int retries) && expected == 1 && params.oack() != null) {
            TftpPacket.Oack o = params.oack();
            stack.sendUdp(now, port, client, clientPort, o.encodedLength(), (b, off, l) -> o.emit(b, off));
            acksSent++;
            lastAckAt = now;
            return;
        }
        long expected = state instanceof State.Receiving r ? r.expected() : blocks + 1;
        sendAck(now, expected - 1);
    }

    private void sendAck(long now, long seq) {
        int w = BlockNumbers.wire(seq, params.rolloverTo());
        stack.sendUdp(now, port, client, clientPort, 4, (b, off, l) -> TftpWire.writeAck(b, off, w));
        acksSent++;
        sinceAck = 0;
        lastAckAt = now;
    }

    private void end(TftpSession.End how) {
        state = new State.Ended(how);
        if (port != TftpServer.PORT) {
            stack.unbind(port);
        }
    }
}
