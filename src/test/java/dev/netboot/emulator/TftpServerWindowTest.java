package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Timelines of the emulated server's window loss recovery and pacing (GUIDE H14), with a scripted client
 * that asks for window 8 and decides itself which blocks it "lost". File: 30 blocks of 512 bytes.
 *
 * <p>The rules pinned here (RFC 7440 section 4 plus the emulator's recovery for clients that keep blocks
 * past a hole): an ACK inside the window names a hole. While the client has not yet shown what it does
 * with blocks past a hole, the server resends the one missing block alone and carries on with the window
 * (a probe). An ACK beyond a block resent alone shows the client kept what followed the hole, up to the next
 * hole, which is probed the same way. An ACK of exactly the block resent alone shows it kept nothing (it keeps
 * no blocks out of order, or had no room for them this time): RFC 7440's plain rollback, a new window from the
 * block after the ACK. With {@code [tftp] restart-windows = yes} the server does only the rollback, on every ACK
 * short of the window's end, as atftpd does. A duplicate ACK never makes the server
 * send a block it has sent within the last round trip (RFC 1123 section 4.2.3.1, Sorcerer's Apprentice).
 *
 * <p>Infinite link, one-way latency L: the client ARPs at 0, sends the RRQ at 2L; the OACK arrives at 4L and
 * the client answers ACK 0 at once; the server sends DATA 1..8 at 5L, which arrive together at 6L. Each
 * scripted ACK sent at an arrival instant reaches the server L later, and what it provokes arrives 2L later.
 */
class TftpServerWindowTest {
    private static final Scenario SC = Scenario.DEFAULT;
    private static final long L = SC.latencyNanos();
    private static final long T = SC.tftpTimeout();
    private static final Ipv4Address SERVER = SC.serverIp();
    private static final Ipv4Address CLIENT_IP = Ipv4Address.parse("10.0.0.42");
    private static final int CLIENT_PORT = 2000;
    private static final int BLOCKS = 30;

    /** A transfer under way: the client's received DATA are read from {@code seen} on. */
    static final class Lan {
        final Simulation sim = new Simulation();
        final EthernetSegment seg;
        final TftpServer tftp;
        final TestClient client;
        int tid;
        int seen;

        Lan(LinkModel link) {
            this(link, SC.tftpConfig());
        }

        Lan(LinkModel link, TftpServerConfig config) {
            seg = sim.newSegment(L, link, FaultPlan.NONE, 1);
            ServerHost host = sim.add(new ServerHost(seg, SC.serverMac(), SERVER, SC.netmask(), SC.gateway()));
            tftp = host.startTftp(config, Seeds.random(1, "tftp-ports"));
            tftp.misbehaveWith(Seeds.random(1, "tftp-quirks"), null);
            byte[] content = new byte[(BLOCKS - 1) * 512 + 100];
            tftp.serve("boot.img", content);
            client = sim.add(new TestClient(seg, MacAddress.parse("02:00:00:00:00:42")).listen(CLIENT_PORT));
            client.stack.configure(CLIENT_IP, SC.netmask(), SC.gateway());
        }

        /** Requests the file with window 8 and accepts the OACK; returns when DATA 1 has arrived. */
        Lan open() {
            client.send(0, CLIENT_PORT, SERVER, 69, new TftpPacket.Rrq("boot.img", "octet",
                    List.of(new TftpPacket.Option("windowsize", "8"))));
            TestClient.Rx oack = client.next(sim);
            assertEquals(new TftpPacket.Oack(List.of(new TftpPacket.Option("windowsize", "8"))), oack.tftp());
            tid = oack.srcPort();
            ack(0);
            client.next(sim);
            seen = 2; // the OACK and DATA 1 are read
            return this;
        }

        void ack(int block) {
            client.send(sim.now(), CLIENT_PORT, SERVER, tid, new TftpPacket.Ack(block));
        }

        /** Runs to {@code t} and returns the blocks of the DATA that arrived since the last call, in order. */
        List<Long> dataUntil(long t) {
            sim.runUntil(t);
            List<Long> blocks = new ArrayList<>();
            for (; seen < client.received.size(); seen++) {
                blocks.add((long) ((TftpPacket.Data) client.received.get(seen).tftp()).block());
            }
            return blocks;
        }

        TftpSession.Stats session() {
            return tftp.sessions().getFirst().stats();
        }
    }

    private static List<Long> blocks(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    private static List<Long> concat(List<Long> a, List<Long> b) {
        List<Long> r = new ArrayList<>(a);
        r.addAll(b);
        return r;
    }

    /** Window 1..8 arrived at 6L; the client lost block 3 and says so with ACK 2 at 6L. */
    private static Lan holeAtThree() {
        Lan lan = new Lan(LinkModel.INFINITE).open();
        assertEquals(blocks(2, 8), lan.dataUntil(6 * L));
        lan.ack(2);
        return lan;
    }

    @Test
    void firstHoleResendsTheMissingBlockAloneAndTheWindowSlidesOn() {
        Lan lan = holeAtThree();
        // ACK 2 at the server at 7L: the window becomes 3..10; 3 goes again alone, then the new 9 and 10.
        // Nothing of 4..8 is sent again.
        assertEquals(List.of(3L, 9L, 10L), lan.dataUntil(8 * L));
        assertEquals(List.of(), lan.dataUntil(7 * L + T - 1)); // no timeout before T after the last sending
        assertEquals(1, lan.session().retransmissions());
        assertEquals(2, lan.session().blocksAcked());
    }

    @Test
    void anAckOfTheWholeWindowAfterASingleResendSlidesTheWindowAndLaterHolesCostOneBlock() {
        Lan lan = holeAtThree();
        assertEquals(List.of(3L, 9L, 10L), lan.dataUntil(8 * L));
        lan.ack(10); // the client kept 4..8: with 3, 9 and 10 the window 3..10 is whole
        assertEquals(blocks(11, 18), lan.dataUntil(10 * L));
        assertEquals(1, lan.session().retransmissions());

        lan.ack(12); // block 13 lost; the client has shown it keeps blocks past a hole
        assertEquals(List.of(13L, 19L, 20L), lan.dataUntil(12 * L));
        assertEquals(2, lan.session().retransmissions());
        lan.ack(20);
        assertEquals(blocks(21, 28), lan.dataUntil(14 * L));
        assertEquals(2, lan.session().retransmissions());
    }

    @Test
    void aClientThatKeptNothingPastTheHoleGetsThePlainRollback() {
        Lan lan = holeAtThree();
        assertEquals(List.of(3L, 9L, 10L), lan.dataUntil(8 * L));
        lan.ack(3); // 3 filled the hole, 9 and 10 were dropped: the client kept nothing past the hole
        // RFC 7440 section 4: a new window whose beginning is set by the ACK: 4..11.
        assertEquals(blocks(4, 11), lan.dataUntil(10 * L));
        assertEquals(1 + 7, lan.session().retransmissions()); // 3, then 4..10 again; 11 is new
    }

    @Test
    void aClientThatKeptBlocksBeforeAndNowDropsThemForWantOfRoomGetsTheRollbackToo() {
        Lan lan = holeAtThree();
        assertEquals(List.of(3L, 9L, 10L), lan.dataUntil(8 * L));
        lan.ack(10); // the client kept 4..8
        assertEquals(blocks(11, 18), lan.dataUntil(10 * L));
        lan.ack(12); // block 13 lost: 13 alone, then 19 and 20
        assertEquals(List.of(13L, 19L, 20L), lan.dataUntil(12 * L));
        // This time its reorder buffer was full: it dropped 14..20, and its ACK names exactly the block resent alone.
        // Having kept blocks once says nothing about now: the window restarts after the ACK, 14..21.
        lan.ack(13);
        assertEquals(blocks(14, 21), lan.dataUntil(14 * L));
    }

    @Test
    void aServerThatRestartsOnEveryAckSendsTheWholeWindowAgainFromTheHole() {
        Lan lan = new Lan(LinkModel.INFINITE, SC.tftpConfig().withQuirks(TftpQuirks.NONE.withRestartWindows(true))).open();
        assertEquals(blocks(2, 8), lan.dataUntil(6 * L));
        lan.ack(2); // block 3 lost
        // RFC 7440 section 4, as atftpd does it: a new window from the block after the ACK, 3..10, whatever the
        // client kept.
        assertEquals(blocks(3, 10), lan.dataUntil(8 * L));
        lan.ack(2); // a repeated gap ACK restarts it again
        assertEquals(blocks(3, 10), lan.dataUntil(10 * L));
        lan.ack(10);
        assertEquals(blocks(11, 18), lan.dataUntil(12 * L));
    }

    @Test
    void anAckPastAnOldSingleResendAfterARollbackShowsNothing() {
        Lan lan = holeAtThree();
        assertEquals(List.of(3L, 9L, 10L), lan.dataUntil(8 * L));
        lan.ack(3);
        assertEquals(blocks(4, 11), lan.dataUntil(10 * L));
        // Block 7 of the rolled-back window is lost: ACK 6 passes block 3, resent alone before, but 4..6
        // came in the new window, so the client has still shown nothing. A probe: 7 alone, then 12..14.
        lan.ack(6);
        assertEquals(List.of(7L, 12L, 13L, 14L), lan.dataUntil(12 * L));
        lan.ack(7); // and it kept nothing again: the rollback, 8..15
        assertEquals(blocks(8, 15), lan.dataUntil(14 * L));
    }

    @Test
    void duplicateAcksOfTheSameHoleResendNothingMore() {
        Lan lan = new Lan(LinkModel.INFINITE).open();
        assertEquals(blocks(2, 8), lan.dataUntil(6 * L));
        for (int i = 0; i < 5; i++) {
            lan.ack(2); // the client notes the hole again at each of 4..8
        }
        assertEquals(List.of(3L, 9L, 10L), lan.dataUntil(8 * L));
        assertEquals(4, lan.session().duplicateAcks());
        assertEquals(1, lan.session().retransmissions());
    }

    @Test
    void aDuplicateAckAfterARollbackDoesNotResendTheBlockJustSent() {
        Lan lan = holeAtThree();
        assertEquals(List.of(3L, 9L, 10L), lan.dataUntil(8 * L));
        lan.ack(3); // at 9 out of order
        lan.ack(3); // and again at 10
        // The first ACK 3 rolls the window back to 4..11 at 9L; the second is a duplicate of it and must
        // not send block 4 a second time (it left at 9L, a round trip has not passed).
        assertEquals(blocks(4, 11), lan.dataUntil(10 * L));
        assertEquals(List.of(), lan.dataUntil(9 * L + T - 1));
        assertEquals(1, lan.session().duplicateAcks());
        assertEquals(1 + 7, lan.session().retransmissions());
    }

    @Test
    void onABoundedLinkTheWindowIsHandedOverAsTheWireDrainsSoAResendDoesNotQueueBehindIt() {
        LinkModel link = LinkModel.of(10_000_000L);
        long s = link.serialisationNanos(14 + 20 + 8 + 4 + 512); // one DATA frame on the wire
        long sAck = link.serialisationNanos(14 + 20 + 8 + 4);    // an ACK, padded to 60 bytes
        Lan lan = new Lan(link).open();
        long d1 = lan.client.received.get(1).at(); // DATA 1; it left the server at t0 = d1 - L - s
        long t0 = d1 - L - s;
        // Frames then leave back to back; the k-th frame of the server's port arrives at d1 + (k - 1)s.
        lan.client.next(lan.sim);                   // 2
        lan.client.next(lan.sim);                   // 3: the client drops it
        TestClient.Rx d4 = lan.client.next(lan.sim);
        assertEquals(d1 + 3 * s, d4.at());
        lan.ack(2);
        long ackAtServer = d4.at() + sAck + L;
        // The ACK reaches the server while frame 5 is on the wire and 6 waits behind it (two handed over at
        // most); 7 and 8 are still with the server. The resent 3 is handed over when 5 leaves (t0 + 5s), so it
        // is the 7th frame; the window 3..10 then goes on with 7, 8, 9, 10. Without pacing all of 1..8 would
        // have been queued at t0 and 3 would be the 9th frame.
        assertTrue(ackAtServer > t0 + 4 * s && ackAtServer < t0 + 5 * s, "scenario timing");
        lan.seen = 5; // the OACK, 1, 2, 3 (dropped) and 4 read above
        List<Long> got = lan.dataUntil(d1 + 11 * s);
        assertEquals(concat(List.of(5L, 6L, 3L), blocks(7, 10)), got);
        for (int k = 5; k <= 11; k++) {
            assertEquals(d1 + (k - 1) * s, lan.client.received.get(k).at(), "frame " + k);
        }
        assertEquals(0, lan.seg.stats().droppedByTxQueue());
    }

    /**
     * RFC 7440 section 3 lets a request ask for any window up to 65535, and the OACK answer less. Block numbers are
     * 16 bits: after the client's ACK of block a the server may send a + 1 .. a + w, or (that ACK lost) a - w + 1 ..
     * a again, so the ACKs it reads name one of 2w blocks, which have distinct numbers only while 2w is at most the
     * numbers in a cycle: 65536 wrapping to 0, 65535 wrapping to 1. The most it may grant is therefore 32767 (granted
     * 65535, it took the ACK of block 65535 for one of block -1 and sent window 1 again until it gave up). A file of
     * 100,000 8-byte blocks crosses the wrap inside windows and ends a whole window past it: every block must arrive
     * once, numbered as the wrap says, with the file's bytes.
     */
    @Test
    void aWindowOverHalfTheBlockNumbersIsGrantedHalfAndAFilePastTheWrapArrivesWhole() {
        int blocks = 100_000;
        byte[] content = new byte[(blocks - 1) * 8 + 5];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31 + (i >>> 11));
        }
        for (boolean wrapToOne : new boolean[] {false, true}) {
            String how = wrapToOne ? "wrapping to 1" : "wrapping to 0";
            Lan lan = new Lan(LinkModel.INFINITE, SC.tftpConfig().withQuirks(TftpQuirks.NONE.withWrapToOne(wrapToOne)));
            lan.tftp.serve("big.img", content);
            lan.client.send(0, CLIENT_PORT, SERVER, 69, new TftpPacket.Rrq("big.img", "octet",
                    List.of(new TftpPacket.Option("blksize", "8"), new TftpPacket.Option("windowsize", "65535"))));
            TestClient.Rx oack = lan.client.next(lan.sim);
            assertEquals(new TftpPacket.Oack(List.of(new TftpPacket.Option("blksize", "8"),
                    new TftpPacket.Option("windowsize", "32767"))), oack.tftp(), how);
            lan.tid = oack.srcPort();
            lan.seen = lan.client.received.size();
            long next = 1; // the next block due
            lan.ack(0);
            while (next <= blocks) {
                long windowEnd = Math.min(next + 32767 - 1, blocks);
                lan.sim.runUntil(lan.sim.now() + T / 2); // well within the server's timeout: nothing is sent twice
                for (; lan.seen < lan.client.received.size(); lan.seen++) {
                    TftpPacket.Data d = (TftpPacket.Data) lan.client.received.get(lan.seen).tftp();
                    // RFC 1350's 16-bit numbers: 65535, then 0 (or 1 when wrapping to 1), and on.
                    long wire = !wrapToOne || next <= 65535 ? next % 65536 : (next - 65536) % 65535 + 1;
                    assertEquals(wire, d.block(), how + ": block " + next);
                    int from = (int) ((next - 1) * 8);
                    assertArrayEquals(Arrays.copyOfRange(content, from, Math.min(from + 8, content.length)), d.data(),
                            how + ": block " + next);
                    next++;
                }
                assertEquals(windowEnd + 1, next, how + ": the window ending at block " + windowEnd + " whole, nothing more");
                lan.ack((int) (wrapToOne && windowEnd > 65535 ? (windowEnd - 65536) % 65535 + 1 : windowEnd % 65536));
            }
            lan.sim.runUntil(lan.sim.now() + 2 * T);
            assertEquals(lan.seen, lan.client.received.size(), how + ": nothing after the last ACK");
            assertEquals(TftpSession.End.COMPLETE, lan.session().end(), how);
            assertEquals(0, lan.session().retransmissions(), how);
        }
    }
}
