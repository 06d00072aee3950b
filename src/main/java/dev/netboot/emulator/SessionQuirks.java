package dev.netboot.emulator;

import dev.netboot.net.NetStack;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The packets a misbehaving {@link TftpSession} sends besides its own ({@link TftpQuirks}): junk between good
 * packets, plausible DATA from strangers, second copies, DATA longer than negotiated, and the order of a
 * shuffled window. Every choice comes from one seeded generator, drawn in a fixed order, so a run repeats.
 * A well-behaved session ({@link TftpQuirks#NONE}) never draws from it.
 */
final class SessionQuirks {
    /** Bytes a DATA carries beyond the negotiated block size when {@link TftpQuirks#oversize()} strikes. */
    static final int OVERSIZE = 4;

    private final TftpQuirks q;
    private final RandomGenerator random;
    private final NetStack stack;
    private final NetStack stranger;
    private final int port;
    private final Ipv4Address client;
    private final int clientPort;
    private long junkSent, strangerSent, oversizeSent, copiesSent;

    /**
     * Quirks of one session on {@code stack}, from {@code port} to {@code client}:{@code clientPort};
     * {@code stranger} is another host's stack on the segment (null: strangers use another port of this host).
     */
    SessionQuirks(TftpQuirks q, RandomGenerator random, NetStack stack, NetStack stranger, int port, Ipv4Address client,
                  int clientPort) {
        this.q = q;
        this.random = random;
        this.stack = stack;
        this.stranger = stranger;
        this.port = port;
        this.client = client;
        this.clientPort = clientPort;
    }

    /** Returns the quirks. */
    TftpQuirks quirks() {
        return q;
    }

    /**
     * Before DATA {@code wire} of {@code n} bytes in {@code payload}: perhaps junk from the transfer ID, perhaps a
     * plausible copy with wrong bytes from a stranger.
     */
    void beforeData(long now, int wire, ByteBuffer payload, int n) {
        if (q.junk() > 0 && random.nextDouble() < q.junk()) {
            junk(now);
        }
        if (q.stranger() > 0 && random.nextDouble() < q.stranger()) {
            byte[] wrong = new byte[TftpWire.DATA_HEADER_LEN + n];
            TftpWire.writeDataHeader(ByteBuffer.wrap(wrong), 0, wire);
            for (int i = 0; i < n; i++) {
                wrong[TftpWire.DATA_HEADER_LEN + i] = (byte) (payload.get(i) ^ 0x5A); // right length and number, wrong bytes
            }
            strangerSent++;
            if (stranger != null && random.nextBoolean()) {
                stranger.sendUdp(now, port, client, clientPort, wrong.length, (b, off, len) -> b.put(off, wrong, 0, len));
            } else {
                int other = port == TransferIds.LAST ? port - 1 : port + 1; // another port of the same host
                stack.sendUdp(now, other, client, clientPort, wrong.length, (b, off, len) -> b.put(off, wrong, 0, len));
            }
        }
    }

    /** Sends one malformed packet from the transfer ID, of a kind drawn at random. */
    private void junk(long now) {
        byte[] p = switch (random.nextInt(5)) {
            case 0 -> new byte[] {0};                                   // too short for an opcode
            case 1 -> new byte[] {0, TftpPacket.OP_DATA, 0};            // a DATA without its block number
            case 2 -> new byte[] {0, 9, 0, 1, 'x'};                     // an opcode no RFC defines
            case 3 -> oackAfterStart();                                 // an OACK after the transfer started
            // an ACK without its block number; not an ERROR without its code, which ends a transfer (ErrorPackets)
            default -> new byte[] {0, TftpPacket.OP_ACK, 0};
        };
        junkSent++;
        stack.sendUdp(now, port, client, clientPort, p.length, (b, off, len) -> b.put(off, p, 0, len));
    }

    private static byte[] oackAfterStart() {
        TftpPacket.Oack o = new TftpPacket.Oack(List.of(new TftpPacket.Option("blksize", "8")));
        byte[] b = new byte[o.encodedLength()];
        o.emit(ByteBuffer.wrap(b), 0);
        return b;
    }

    /** Returns whether the next DATA carries {@link #OVERSIZE} bytes too many. */
    boolean oversize() {
        if (q.oversize() > 0 && random.nextDouble() < q.oversize()) {
            oversizeSent++;
            return true;
        }
        return false;
    }

    /** Returns whether every packet goes out twice; counts the copy. */
    boolean twice() {
        if (q.sendTwice()) {
            copiesSent++;
            return true;
        }
        return false;
    }

    /** Fills {@code order[0..n)} with a random permutation of 0..n-1 when windows are shuffled, else with 0..n-1. */
    void windowOrder(int[] order, int n) {
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (q.shuffle()) {
            for (int i = n - 1; i > 0; i--) { // Fisher-Yates
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
    }

    /** Returns the junk packets, stranger copies, oversized DATA and second copies sent so far. */
    long[] counts() {
        return new long[] {junkSent, strangerSent, oversizeSent, copiesSent};
    }
}
