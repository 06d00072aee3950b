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
import dev.netboot.wire.TftpWire;
import java.util.List;
import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: a server that pauses must not kill a transfer, the client never feeds a storm, and giving up
 * is a budget of time that says what it saw. Timelines (GUIDE H14) on the scripted link.
 */
class TftpClientStallTest {
    final TftpClientTest t = new TftpClientTest();

    /**
     * Host mode's old settings: 1 s first timeout, round trips may bring it down to 20 ms, backoff up to 8 s,
     * 6 retries; the give-up budget is what those take at 1 s: 1 + 2 + 4 + 8 + 8 + 8 + 8 = 39 s.
     */
    static final TftpConfig ADAPTIVE = new TftpConfig(1 * SEC, 6, 512).withTimeouts(1 * SEC, 20 * MS, 8 * SEC);

    /** Starts reading, answers the RRQ with DATA 1 and DATA 2 a millisecond each way, so the timeout is down at 20 ms. */
    void twoBlocksIn(TftpConfig config) {
        t.client(config).startRead(0, TftpClientTest.SERVER_IP, 69, TftpClientTest.FILE, t.sink);
        t.link.takeOne(0);
        t.fromServer(1 * MS, TftpClientTest.TID, TftpClientTest.data(1, 0, 512));
        t.expectAck(1 * MS, 1);
        t.fromServer(2 * MS, TftpClientTest.TID, TftpClientTest.data(2, 512, 512));
        t.expectAck(2 * MS, 2);
        assertEquals(20 * MS, t.client.stats().timeout(), "1 ms round trips: the floor");
    }

    @Test
    void giveUpBudgetIsWhatTheRetriesTakeAtTheFirstTimeout() {
        assertEquals(39 * SEC, ADAPTIVE.giveUp());
        assertEquals(31 * SEC, new TftpConfig(1 * SEC, 5, 512).giveUp());    // 1 + 2 + 4 + 8 + 8 + 8
        assertEquals(1 * SEC, new TftpConfig(1 * SEC, 0, 512).giveUp());     // no retry: one timeout
        assertEquals(7 * SEC, new TftpConfig(1 * SEC, 2, 512).giveUp());     // 1 + 2 + 4
        assertEquals(25 * SEC, ADAPTIVE.withGiveUp(25 * SEC).giveUp());
    }

    /**
     * A server that pauses 3 s (garbage collection, a slow disk) after DATA 2. The client's measured timeout is
     * 20 ms, so it sends ACK 2 again with backoff, 7 times in 3 s; it used to give up after the sixth, 1.26 s in.
     * When the server goes on, so does the transfer.
     */
    @Test
    void aServerPausing3sCostsTimeNotTheTransfer() {
        twoBlocksIn(ADAPTIVE);
        long[] again = {22, 62, 142, 302, 622, 1262, 2542};                  // waits of 20, 40, 80, ... 1280 ms
        for (long ms : again) {
            t.poll(ms * MS - 1);
            t.link.expectNoTx();
            t.poll(ms * MS);
            t.expectAck(ms * MS, 2);
        }
        assertEquals(5102 * MS, t.client.pollAt());                         // next: 2560 ms later
        t.fromServer(3002 * MS, TftpClientTest.TID, TftpClientTest.data(3, 1024, 100));
        t.expectAck(3002 * MS, 3);
        assertEquals(new TftpClient.State.Done(1124, 3002 * MS), t.client.state());
        assertArrayEquals(Frames.pattern(0, 1124), t.sink.data.toByteArray());
        assertEquals(7, t.client.stats().retransmissions());
    }

    /**
     * The budget is time since the last block, whatever arrives meanwhile: duplicates that crossed our ACKs,
     * junk and a stranger do not keep the transfer alive, and the message says what came instead of DATA 3.
     */
    @Test
    void givingUpIsABudgetOfTimeAndSaysWhatWasIgnored() {
        twoBlocksIn(ADAPTIVE.withGiveUp(25 * SEC));
        // Retransmissions of ACK 2 after waits of 20, 40, ... 5120 ms, then 8 s (the cap); the next would be at 26.222 s.
        long[] again = {22, 62, 142, 302, 622, 1262, 2542, 5102, 10222, 18222};
        int junk = 0;
        int dups = 0;
        long nextJunk = 500;
        for (long ms : again) {
            for (; nextJunk < ms; nextJunk += 1000) {
                junk(nextJunk * MS);
                junk++;
            }
            t.poll(ms * MS);
            t.expectAck(ms * MS, 2);
            // Two copies of DATA 1 cross it: within one timeout of our ACK, not answered.
            t.fromServer(ms * MS + 1 * MS, TftpClientTest.TID, TftpClientTest.data(1, 0, 512));
            t.fromServer(ms * MS + 5 * MS, TftpClientTest.TID, TftpClientTest.data(2, 512, 512));
            dups += 2;
            t.link.expectNoTx();
        }
        t.from(19_000 * MS, TftpClientTest.STRANGER_MAC, TftpClientTest.STRANGER_IP, TftpClientTest.TID,
                TftpClientTest.data(3, 1024, 512));
        assertEquals(TftpWire.ERR_UNKNOWN_TID, ((TftpPacket.Error) t.link.takeOne(19_000 * MS).asUdp().tftp()).code());
        for (; nextJunk < 25_002; nextJunk += 1000) {
            junk(nextJunk * MS);
            junk++;
        }
        assertEquals(25_002 * MS, t.client.pollAt());                       // the budget ends before the next retransmission
        t.poll(25_002 * MS - 1);
        assertInstanceOf(TftpClient.State.Receiving.class, t.client.state());
        t.poll(25_002 * MS);
        t.link.expectNoTx();
        TftpFailure f = t.failure();
        assertEquals(TftpFailure.Kind.TIMEOUT, f.kind());
        assertEquals(25, junk);
        assertEquals(20, dups);
        assertEquals("TFTP: no DATA 3 from 10.0.0.5:3000 in 25 s (10 retransmissions of ACK 2); 46 stale packets ignored:"
                + " 20 duplicates, 1 from other transfer IDs (the last from " + TftpClientTest.STRANGER_IP + ":" + TftpClientTest.TID
                + "), 25 malformed or unexpected", f.message());
    }

    @Test
    void anUnansweredRequestSaysSo() {
        t.client(TftpClientTest.PLAIN).startRead(0, TftpClientTest.SERVER_IP, 69, TftpClientTest.FILE, t.sink);
        t.link.takeOne(0);
        for (long s : new long[] {1, 3, 7}) {
            t.poll(s * SEC);
            t.link.takeOne(s * SEC);
        }
        t.poll(15 * SEC - 1);
        t.link.expectNoTx();
        t.poll(15 * SEC);                                                   // 1 + 2 + 4 + 8
        assertEquals("TFTP: no answer to RRQ for file from 10.0.0.5:69 in 15 s (3 retransmissions); nothing else came",
                t.failure().message());
    }

    @Test
    void anUnacknowledgedUploadGivesUpOnTimeToo() {
        byte[] file = Frames.pattern(0, 600);
        t.client(TftpClientTest.PLAIN).startWrite(0, TftpClientTest.SERVER_IP, 69, "up", new TftpNegotiationTest.ArraySource(file));
        t.link.takeOne(0);
        t.fromServer(10 * MS, TftpClientTest.TID, new TftpPacket.Ack(0));
        t.link.takeOne(10 * MS);                                            // DATA 1
        for (long ms : new long[] {1010, 3010, 7010}) {
            t.poll(ms * MS);
            t.link.takeOne(ms * MS);                                        // DATA 1 again
        }
        t.fromServer(8000 * MS, TftpClientTest.TID, new TftpPacket.Ack(0)); // a duplicate: no progress
        t.poll(15_010 * MS);
        assertEquals("TFTP: no ACK of DATA 1 from 10.0.0.5:3000 in 15 s (3 retransmissions); 1 stale packet ignored: 1 duplicate",
                t.failure().message());
    }

    /** An ACK held for the flash is not a wait for the server: the give-up clock starts when it goes. */
    @Test
    void aHeldAckStopsTheGiveUpClock() {
        TftpClientPacingTest.BusySink busy = new TftpClientPacingTest.BusySink();
        t.client(TftpClientTest.PLAIN).startRead(0, TftpClientTest.SERVER_IP, 69, TftpClientTest.FILE, busy);
        t.link.takeOne(0);
        busy.readyAts.add(40 * SEC);                                        // longer than the 15 s budget
        t.fromServer(10 * MS, TftpClientTest.TID, TftpClientTest.data(1, 0, 512));
        t.link.expectNoTx();
        assertEquals(40 * SEC, t.client.pollAt());
        t.poll(40 * SEC);
        t.expectAck(40 * SEC, 1);
        assertEquals(41 * SEC, t.client.pollAt());
        t.poll(55 * SEC - 1);
        assertInstanceOf(TftpClient.State.Receiving.class, t.client.state());
        t.link.takeTx();
        t.poll(55 * SEC);                                                   // 15 s after the ACK went
        assertEquals(TftpFailure.Kind.TIMEOUT, t.failure().kind());
    }

    /**
     * The storm of issue 10, in miniature. A server with the Sorcerer's Apprentice bug (it answers every ACK
     * with the next DATA, duplicates included, taking {@code service} per packet) stalls for 0.5 s in the
     * middle of a lock-step download; meanwhile the client, its timeout down at 20 ms, sends ACK n again with
     * backoff. After the stall the server answers each of those ACKs, so several copies of every later DATA
     * circulate. A client that answers each copy keeps them all alive (and each later timeout adds one):
     * against one real server this turned 40 MB into 183,183 duplicate blocks and a failed transfer. Here the
     * extra copies must die out at once, whatever the server's speed: one duplicate per ACK the stall made.
     */
    @Test
    void aSorcerersApprenticeServerStallStormsNoMore() {
        for (long serviceMicros : new long[] {20, 1_000, 5_000, 10_000, 30_000, 60_000, 120_000, 250_000}) {
            TftpClientStallTest run = new TftpClientStallTest();
            String figures = run.stormAfterStall(serviceMicros * 1_000);
            // The stall (0.5 s) holds the ACK sent again after 20, 40, 80, 160 ms (and no more, unless one
            // packet takes the server longer than the timeout): 4 extra copies of the next DATA, never answered.
            assertTrue(figures.startsWith("ok"), serviceMicros + " us per packet: " + figures);
        }
    }

    /** Runs {@link #aSorcerersApprenticeServerStallStormsNoMore} at one server speed; returns "ok ..." or why not. */
    String stormAfterStall(long service) {
        int blocks = 3000;
        long latency = 1 * MS;
        long stallFrom = 1 * SEC;
        long stallTo = 1500 * MS;
        record Event(long at, long seq, boolean toClient, int block) {
        }
        PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
        long seq = 0;
        t.client(ADAPTIVE).startRead(0, TftpClientTest.SERVER_IP, 69, TftpClientTest.FILE, t.sink);
        t.link.takeOne(0);
        // The RRQ is the server's "ACK 0".
        long serverFree = latency + service;
        events.add(new Event(serverFree + latency, seq++, true, 1));
        int dataSent = 1;
        int acksSent = 0;
        long now = 0;
        while (!(t.client.state() instanceof TftpClient.State.Failed) && now < 3600 * SEC) {
            long clientAt = Math.min(t.client.pollAt(), t.net.pollAt());
            Event e = events.peek();
            if (e == null && clientAt == Long.MAX_VALUE) {
                break;
            }
            if (e != null && e.at <= clientAt) {
                events.poll();
                now = e.at;
                if (!e.toClient) {
                    // The server takes the ACKs one by one, none during the stall; then the bug: the next DATA for each.
                    long start = Math.max(now, serverFree);
                    if (start >= stallFrom && start < stallTo) {
                        start = stallTo;
                    }
                    serverFree = start + service;
                    if (e.block < blocks) {
                        events.add(new Event(serverFree + latency, seq++, true, e.block + 1));
                        dataSent++;
                    }
                    continue;
                }
                int n = e.block == blocks ? 100 : 512;
                t.fromServer(now, TftpClientTest.TID, TftpClientTest.data(e.block, (e.block - 1) * 512L, n));
            } else {
                now = clientAt;
                t.poll(now);
            }
            for (ScriptedLink.Tx tx : t.link.takeTx()) {
                if (!(tx.decode() instanceof Frames.Udp)) {
                    // Minutes of virtual time: the ARP entry expired and the stack asks again; the server answers.
                    t.link.deliver(tx.at() + latency, Frames.arpRequest(TftpClientTest.SERVER_MAC, TftpClientTest.SERVER_IP,
                            TftpClientTest.OUR_IP));
                    continue;
                }
                int acked = ((TftpPacket.Ack) tx.decode().asUdp().tftp()).block();
                acksSent++;
                events.add(new Event(tx.at() + latency, seq++, false, acked));
            }
        }
        TftpClient.Stats st = t.client.stats();
        String figures = st.retransmissions() + " retransmissions, " + st.duplicates() + " duplicate blocks, " + dataSent
                + " DATA sent, " + acksSent + " ACKs sent, state " + t.client.state().getClass().getSimpleName();
        boolean ok = t.client.state() instanceof TftpClient.State.Done d && d.bytes() == (blocks - 1) * 512L + 100
                && st.retransmissions() <= 6 && st.duplicates() <= 6 && dataSent <= blocks + 6 && acksSent <= blocks + 6;
        return (ok ? "ok: " : "storm: ") + figures;
    }

    /** Delivers a packet of an opcode no RFC defines, from the transfer ID. */
    void junk(long at) {
        t.link.deliver(at, Frames.udp(TftpClientTest.SERVER_MAC, TftpClientTest.OUR_MAC, TftpClientTest.SERVER_IP, TftpClientTest.TID,
                TftpClientTest.OUR_IP, t.client.localPort(), new byte[] {0, 9, 1, 2}));
        t.poll(at);
    }
}
