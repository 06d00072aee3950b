package dev.netboot.tftp;

import static dev.netboot.net.ScriptedLink.MS;
import static dev.netboot.net.ScriptedLink.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.net.Frames;
import dev.netboot.net.ScriptedLink;
import dev.netboot.wire.TftpPacket;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 7440 section 4: "The DSND MUST cyclically send to the DRCV the agreed windowsize consecutive data
 * blocks before normally stopping and waiting for the ACK of the transferred window. The DRCV MUST send to
 * the DSND the ACK of the last data block of the window". A client that acknowledges in smaller steps
 * relies on the sender acting on ACKs in the middle of a window, which the RFC only asks it to do (SHOULD);
 * a sender that waits for the window's last ACK (atftpd, at times) then stops at each window's end until
 * the client's retransmission timeout.
 */
class WindowAlignmentTest {
    static final int W = 16;
    static final int BLOCK = 1024;
    static final int TID = TftpNegotiationTest.TID;

    // The scripted link, stack, sink and client of TftpNegotiationTest, and its helpers.
    final TftpNegotiationTest t = new TftpNegotiationTest();
    final ScriptedLink link = t.link;
    TftpClient client;

    void startRead(TftpConfig config) {
        t.startRead(config);
        client = t.client;
    }

    void fromServer(long at, int port, TftpPacket p) {
        t.fromServer(at, port, p);
    }

    void poll(long now) {
        t.poll(now);
    }

    /**
     * One transfer of {@code blocks} full blocks and a short last one from a sender that takes only the ACK of
     * its window's last block (it may ignore others: RFC 7440 says a sender SHOULD act on them) and sends
     * its window again after 1 s without it; it stalls 50 ms before window {@code stallAt}.
     */
    void transfer(long blocks, int stallAt) {
        // Host mode's timeouts: 1 s at first, 20 ms at least once round trips are measured.
        TftpConfig config = new TftpConfig(1 * SEC, 6, BLOCK).withWindow(W, (long) W * BLOCK).withTimeouts(1 * SEC, 20 * MS, 8 * SEC);
        startRead(config);
        long now = 1 * MS;
        fromServer(now, TID, TftpNegotiationTest.oack("blksize", Integer.toString(BLOCK), "windowsize", Integer.toString(W)));
        assertEquals(List.of(0L), acks(link.takeTx()));
        long last = blocks + 1;
        long start = 1;
        int window = 0;
        while (!(client.state() instanceof TftpClient.State.Done)) {
            assertInstanceOf(TftpClient.State.Receiving.class, client.state());
            long end = Math.min(start + W - 1, last);
            boolean acked = false;
            if (window == stallAt) {
                for (int i = 0; i < 50; i++) { // descheduled for 50 ms, longer than the client's 20 ms timeout
                    poll(now += MS);
                    link.takeTx(); // ACKs of the previous window's end again: nothing new for this sender
                }
            }
            for (long b = start; b <= end; b++) {
                fromServer(now += 10_000, TID, TftpNegotiationTest.data(b, BLOCK, b == last ? 100 : BLOCK));
                acked |= acks(link.takeTx()).contains(end);
            }
            for (long waited = 0; !acked && waited < SEC; waited += MS) {
                poll(now += MS);
                acked = acks(link.takeTx()).contains(end);
            }
            if (acked) {
                start = end + 1;
            }
            window++;
        }
        assertArrayEquals(Frames.pattern(0, (int) (blocks * BLOCK + 100)), t.sink.data.toByteArray());
    }

    /** Returns the blocks acknowledged in {@code tx}, in order. */
    static List<Long> acks(List<ScriptedLink.Tx> tx) {
        List<Long> a = new java.util.ArrayList<>();
        for (ScriptedLink.Tx x : tx) {
            if (x.decode().asUdp().tftp() instanceof TftpPacket.Ack(int block)) {
                a.add((long) block);
            }
        }
        return a;
    }

    @Test
    void withoutStallsEveryWindowEndsInAnAck() {
        transfer(40 * W, -1);
        assertEquals(0, client.stats().retransmissions());
    }

    /**
     * A server that pauses once, longer than the client's timeout, costs one retransmitted ACK. Before,
     * the client's ACK step shrank on that timeout and grew back one block per window; out of step with
     * the sender's 16, it then waited a timeout at the end of most windows (here 20 of 40; 491-574
     * timeouts, 14-17 s for 16 MiB from atftpd on a loaded host).
     */
    @Test
    void oneStallCostsOneTimeoutNotOnePerWindow() {
        transfer(40 * W, 3);
        assertEquals(1, client.stats().retransmissions(), () -> client.stats().toString());
    }
}
