package dev.netboot.emulator;

import dev.netboot.net.NetStack;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;

/**
 * What arrives at the port of one {@link TftpSession}, read as RFC 1350 says, and what it calls for. It decides and
 * counts; the session sends, keeps the timer and ends.
 *
 * <ul>
 *   <li>A transfer is its two TIDs (section 4): a datagram from another address or port is a stranger's, answered with
 *       ERROR 5, the transfer undisturbed ({@link TftpErrors}).</li>
 *   <li>From the client, an ERROR ends the transfer (section 7: it is neither acknowledged nor sent again); anything
 *       but an ACK is not a read transfer's to answer (its RRQ again, DATA, an OACK, junk) and is ignored.</li>
 *   <li>An ACK, while the OACK is out, accepts it if it is ACK 0 (RFC 2347); after that the {@link SenderWindow} reads
 *       it, a duplicate ACK too ({@link SenderWindow#onDuplicate}).</li>
 *   <li>While the server stalls ({@link ServerStall}) an ACK waits, as in a socket's receive queue; the session reads
 *       the ACKs held when the stall is over ({@link #ack}).</li>
 * </ul>
 */
final class SessionInbox {
    /** What a datagram calls for. */
    enum Step {
        /** Nothing: a stranger's datagram (answered), one ignored, an ACK held, or one that asks for nothing. */
        NOTHING,
        /** The client sent an ERROR: the session ends. */
        ERROR,
        /** The last block is acknowledged: the transfer is complete. */
        COMPLETE,
        /** The OACK or a window was acknowledged: the next window from the window's base (block 1 after the OACK). */
        NEXT,
        /** A duplicate ACK restarts the window from its base, the retries going on. */
        RESTART,
        /** Block base again alone, ahead of the rest of the window ({@link SenderWindow#resendAlone}). */
        HOLE,
        /** Block base again at once, the timer left as it is: the Sorcerer's Apprentice bug, asked for. */
        AGAIN
    }

    private final NetStack stack;
    private final int port;
    private final Ipv4Address client;
    private final int clientPort;
    private final OackSender oack;
    private final SenderWindow window;
    private final ServerStall stall;
    private long duplicateAcks, strangers, ignored;

    /** The inbox of the session on {@code port} sending to {@code client}:{@code clientPort}. */
    SessionInbox(NetStack stack, int port, Ipv4Address client, int clientPort, OackSender oack, SenderWindow window,
                 ServerStall stall) {
        this.stack = stack;
        this.port = port;
        this.client = client;
        this.clientPort = clientPort;
        this.oack = oack;
        this.window = window;
        this.stall = stall;
    }

    /** Returns the ACKs of the block before the window. */
    long duplicateAcks() {
        return duplicateAcks;
    }

    /** Returns the packets from other transfer IDs, each answered with ERROR 5. */
    long strangers() {
        return strangers;
    }

    /** Returns the packets from the client that were neither an expected ACK, a duplicate ACK nor an ERROR. */
    long ignored() {
        return ignored;
    }

    /**
     * Reads a datagram from {@code srcIp}:{@code srcPort}, the session awaiting an ACK or not; returns what it calls for.
     */
    Step read(long now, int srcIp, int srcPort, ByteBuffer buf, int off, int len, boolean awaiting) {
        if (srcIp != client.value() || srcPort != clientPort) {
            strangers++; // RFC 1350 section 4: ERROR 5 to the stranger, the transfer undisturbed
            TftpErrors.answerStranger(stack, now, port, srcIp, srcPort, buf, off, len);
            return Step.NOTHING;
        }
        int block;
        try {
            int op = TftpWire.opcode(buf, off, len);
            if (op == TftpPacket.OP_ERROR) {
                return Step.ERROR;
            }
            if (op != TftpPacket.OP_ACK) {
                ignored++; // RRQ, DATA, OACK, junk on a read session: not ours to answer
                return Step.NOTHING;
            }
            block = TftpWire.block(buf, off, len);
        } catch (MalformedPacketException e) {
            ignored++;
            return Step.NOTHING;
        }
        if (stall.on()) {
            stall.hold(block);
            return Step.NOTHING;
        }
        return ack(now, block, awaiting);
    }

    /** Reads ACK {@code ack} (its 16-bit number), the session awaiting an ACK or not; returns what it calls for. */
    Step ack(long now, int ack, boolean awaiting) {
        if (!awaiting) {
            ignored++;
            return Step.NOTHING;
        }
        if (oack.pending()) {
            if (oack.confirmedBy(now, ack)) {
                return Step.NEXT; // RFC 2347: ACK 0 accepts the OACK
            }
            ignored++;
            return Step.NOTHING;
        }
        return switch (window.onAck(now, ack)) {
            case COMPLETE -> Step.COMPLETE;
            case WINDOW -> Step.NEXT;
            case HOLE -> Step.HOLE;
            case DUPLICATE -> {
                duplicateAcks++;
                yield switch (window.onDuplicate(now)) {
                    case AGAIN -> Step.AGAIN;
                    case WINDOW -> Step.RESTART;
                    case HOLE -> Step.HOLE;
                    default -> Step.NOTHING;
                };
            }
            default -> {
                ignored++;
                yield Step.NOTHING;
            }
        };
    }
}
