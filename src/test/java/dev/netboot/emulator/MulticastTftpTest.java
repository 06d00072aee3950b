package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStack;
import dev.netboot.tftp.TftpClient;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * RFC 2090 multicast TFTP between the board's client and the emulated server, on one segment: several clients at
 * once take one pass of the file; one that joins late, or loses blocks, gets what it misses in its turn as master;
 * a silent master loses its turn; a server that does not offer multicast sends the file as usual. The file is 50
 * blocks of 512 bytes less 100 bytes, so the last block is short; expected counts come from that.
 */
class MulticastTftpTest {
    static final long S = 1_000_000_000L;
    static final int BLOCKS = 50;
    static final byte[] FILE = TftpServerOptionsTest.file(BLOCKS * 512 - 100, 4);
    /** Lock-step, 512-byte blocks, no RAM for blocks out of order: what a client misses comes in its turn. */
    static final TftpConfig MULTICAST = new TftpConfig(1 * S, 5, 512).withMulticast(true);

    /** A client board: its stack and TFTP client, and when it starts reading. */
    static final class Board implements SimNode {
        final NetStack stack;
        final TftpClient client;
        TftpServerOptionsTest.Collect sink = new TftpServerOptionsTest.Collect();
        long startAt;
        boolean started;
        boolean off;

        Board(EthernetSegment seg, int i, TftpConfig config, long startAt) {
            stack = new NetStack(seg.attach(new MacAddress(0x0200_0000_0100L + i)), NetConfig.DEFAULTS);
            stack.configure(new Ipv4Address(Scenario.DEFAULT.clientIp().value() + i), Scenario.DEFAULT.netmask(), Ipv4Address.ANY);
            client = new TftpClient(stack, config, new SplittableRandom(i));
            this.startAt = startAt;
        }

        @Override
        public void poll(long now) {
            if (off) {
                return; // powered off: hears and says nothing
            }
            if (!started && now >= startAt) {
                started = true;
                client.startRead(now, Scenario.DEFAULT.serverIp(), 69, "f", sink);
            }
            stack.poll(now);
            client.poll(now);
        }

        @Override
        public long pollAt() {
            return off ? Long.MAX_VALUE : started ? Math.min(stack.pollAt(), client.pollAt()) : startAt;
        }

        boolean finished() {
            return client.state() instanceof TftpClient.State.Done || client.state() instanceof TftpClient.State.Failed;
        }
    }

    record Lan(Simulation sim, TftpServer server, List<Board> boards) {
        void runToEnd() {
            sim.run(() -> boards.stream().allMatch(b -> b.off || b.finished()), 600 * S).orThrow();
        }

        TftpMulticastSession.Stats session() {
            assertEquals(1, server.multicastSessions().size());
            return server.multicastSessions().getFirst().stats();
        }
    }

    static Lan lan(FaultPlan faults, boolean offer, long... startAt) {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(100_000, faults, 5);
        Scenario sc = Scenario.DEFAULT;
        ServerHost host = sim.add(new ServerHost(seg, sc.serverMac(), sc.serverIp(), sc.netmask(), Ipv4Address.ANY));
        TftpServer server = host.startTftp(sc.tftpConfig().withRetry(1 * S, 5), new SplittableRandom(1))
                .offerMulticast(offer ? Scenario.Multicast.DEFAULT : null);
        server.serve("f", FILE);
        List<Board> boards = new ArrayList<>();
        for (int i = 0; i < startAt.length; i++) {
            boards.add(sim.add(new Board(seg, i, MULTICAST, startAt[i])));
        }
        return new Lan(sim, server, boards);
    }

    static void assertGotTheFile(Board b) {
        assertInstanceOf(TftpClient.State.Done.class, b.client.state(), () -> b.client.state().toString());
        assertArrayEquals(FILE, b.sink.out.toByteArray());
    }

    @Test
    void threeClientsAskingTogetherShareOnePass() {
        Lan l = lan(FaultPlan.NONE, true, 0, 0, 0);
        l.runToEnd();
        l.sim().runFor(5 * S); // past the dally after the last ACK
        for (Board b : l.boards()) {
            assertGotTheFile(b);
            assertNotNull(b.client.multicast());
            assertEquals(Ipv4Address.parse("239.255.0.1"), b.client.multicast().group());
            assertEquals(BLOCKS, b.client.multicast().groupData()); // each block once, to the group
            assertTrue(!b.stack.isMember(Ipv4Address.parse("239.255.0.1"))); // left after the dally
        }
        TftpMulticastSession.Stats s = l.session();
        assertEquals(BLOCKS, s.dataSent());     // one pass for all three
        assertEquals(0, s.retransmissions());
        assertEquals(3, s.clients());
        assertEquals(3, s.served());
        assertEquals(1, l.boards().get(0).client.multicast().masterTurns());
        assertTrue(l.server().sessions().isEmpty()); // no unicast transfer at all
    }

    /** A sink that takes {@code per} ns of virtual time for each block, as a flash does: the master holds its ACK. */
    static final class Paced extends TftpServerOptionsTest.Collect {
        final long per;
        long at;
        long busyUntil;

        Paced(long per) {
            this.per = per;
        }

        @Override
        public boolean hasRoom(long now, int bytes) {
            at = now;
            return now >= busyUntil;
        }

        @Override
        public long readyAt(long now, long bytes) {
            return Math.max(now, busyUntil);
        }

        @Override
        public void write(java.nio.ByteBuffer buf, int off, int len) {
            super.write(buf, off, len);
            busyUntil = at + per;
        }
    }

    @Test
    void aClientThatJoinsAFewBlocksLateTakesTheStreamBackToBlockOneAndOnePassServesBoth() {
        // The second asks when the first has 3 blocks: it is made master at once, asks for block 1, and the first takes
        // the stream again from there. Every block goes once, and those sent before the second joined once more.
        Lan l = lan(FaultPlan.NONE, true, 0, Long.MAX_VALUE);
        Board first = l.boards().get(0);
        Board late = l.boards().get(1);
        l.sim().run(() -> first.client.stats().blocks() >= 3, 60 * S).orThrow();
        late.startAt = l.sim().now();
        l.runToEnd();
        l.boards().forEach(MulticastTftpTest::assertGotTheFile);
        TftpMulticastSession.Stats s = l.session();
        assertEquals(1, s.rewinds());
        assertTrue(s.rewound() >= 3 && s.rewound() <= MulticastRewinds.REWIND_AT_ONCE, s.toString());
        assertEquals(BLOCKS + s.rewound(), s.dataSent());
        assertEquals(s.rewound(), s.resentData());
        assertEquals(0, s.timeoutData());
        assertEquals(1, s.masterChanges());
        assertEquals(BLOCKS, late.client.multicast().groupData()); // all it took, each block once
        assertEquals(BLOCKS + s.rewound(), first.client.multicast().groupData());
        assertEquals(1, late.client.multicast().masterTurns());
    }

    @Test
    void clientsThatJoinLaterShareOneRewindASecondAfterTheFirstOfThem() {
        // 500 ms a block (a slow flash): the pass takes 25 s. Two boards ask when the first has 9 blocks and 10: past
        // REWIND_AT_ONCE, so the stream goes on for REWIND_WAIT, then back to block 1 once for both: about 11 blocks,
        // within the budget of a quarter of the file (12).
        Lan l = lan(FaultPlan.NONE, true, 0, Long.MAX_VALUE, Long.MAX_VALUE);
        for (Board b : l.boards()) {
            b.sink = new Paced(500_000_000L);
        }
        Board first = l.boards().get(0);
        l.sim().run(() -> first.client.stats().blocks() >= 9, 60 * S).orThrow();
        l.boards().get(1).startAt = l.sim().now();
        l.sim().run(() -> first.client.stats().blocks() >= 10, 60 * S).orThrow();
        l.boards().get(2).startAt = l.sim().now();
        l.runToEnd();
        l.sim().runFor(5 * S); // the last ACKs reach the server
        l.boards().forEach(MulticastTftpTest::assertGotTheFile);
        TftpMulticastSession.Stats s = l.session();
        assertEquals(1, s.rewinds(), s.toString());
        assertTrue(s.rewound() > MulticastRewinds.REWIND_AT_ONCE && s.rewound() <= BLOCKS / 4, s.toString());
        assertEquals(BLOCKS + s.rewound(), s.dataSent()); // one pass and the blocks taken back, not two passes
        // The rewind; and when the master acknowledges the last block the turn may go to a board whose own last ACK is
        // still on its way (it answers the OACK with that ACK): no DATA comes of it.
        assertTrue(s.masterChanges() >= 1 && s.masterChanges() <= 2, s.toString());
        assertEquals(3, s.served());
    }

    @Test
    void aClientThatJoinsLateGetsWhatItMissedInItsTurnAsMaster() {
        // The second asks 5 ms in: half the file went before (a round trip is 0.2 ms), more than REWIND_AT_ONCE
        // blocks, and the first is done long before REWIND_WAIT. The second keeps nothing past its gap, so its turn
        // as master takes the whole file again: 50 + 50 DATA.
        Lan l = lan(FaultPlan.NONE, true, 0, 5_000_000);
        l.runToEnd();
        l.boards().forEach(MulticastTftpTest::assertGotTheFile);
        assertEquals(1, l.boards().get(1).client.multicast().masterTurns());
        TftpMulticastSession.Stats s = l.session();
        assertEquals(2 * BLOCKS, s.dataSent());
        assertEquals(BLOCKS, s.retransmissions());
        assertEquals(1, s.masterChanges());
    }

    @Test
    void blocksLostOnTheWayComeInALaterTurn() {
        Lan l = lan(FaultPlan.loss(0.05), true, 0, 0, 0, 0);
        l.runToEnd();
        l.boards().forEach(MulticastTftpTest::assertGotTheFile);
        assertTrue(l.session().dataSent() > BLOCKS, l.session().toString());
    }

    @Test
    void aClientThatLosesABlockSaysWhichAndHasItAgainAtOnce() {
        // 5% loss, four boards: a passive board that sees a block past a gap acknowledges the last it has in order;
        // the server makes it master at once (a repair) and the stream goes back a block or two, instead of the
        // rest of the file coming again in a later pass for each board with a hole.
        Lan l = lan(FaultPlan.loss(0.05), true, 0, 0, 0, 0);
        l.runToEnd();
        l.boards().forEach(MulticastTftpTest::assertGotTheFile);
        TftpMulticastSession.Stats s = l.session();
        assertTrue(s.repairs() > 0, s.toString());
        assertTrue(s.repaired() <= s.repairs() * MulticastRewinds.REWIND_AT_ONCE, s.toString());
        // Every block once, and the few taken back: less than two passes (without repairs this run sent 142 DATA, the
        // blocks after each board's first hole again in its turn as master).
        assertTrue(s.dataSent() < 2 * BLOCKS, s.toString());
    }

    @Test
    void aDuplicatedAckFromTheMasterDoesNotSendItsBlockAgain() {
        // RFC 1123 section 4.2.3.1 (the Sorcerer's Apprentice): a duplicate ACK must not send the next block again; a
        // lost block comes again on the sender's timeout. On a wire that duplicates frames and loses none, one board
        // alone: every block goes to the group once. Answering each copy of an ACK sent its block twice, each copy of
        // which the board acknowledged, and so on to the end of the file (serve --duplicate 0.05: 434 DATA for 211
        // blocks, 161 of them twice).
        Lan l = lan(new FaultPlan(0, 0.2, 0), true, 0);
        l.runToEnd();
        assertGotTheFile(l.boards().getFirst());
        TftpMulticastSession.Stats s = l.session();
        assertEquals(BLOCKS, s.dataSent(), s.toString());
        assertEquals(0, s.resentData(), s.toString());
    }

    @Test
    void aSilentMasterLosesItsTurnAndTheNextClientFinishes() {
        Lan l = lan(FaultPlan.NONE, true, 0, 0);
        Board master = l.boards().get(0);
        l.sim().run(() -> master.client.stats().blocks() >= 20, 60 * S).orThrow();
        master.off = true; // its power is cut mid-transfer
        l.runToEnd();
        assertGotTheFile(l.boards().get(1));
        assertEquals(1, l.boards().get(1).client.multicast().masterTurns());
        // The silent board goes to the back of the line; after the second finishes it is offered the turn again,
        // until MAX_TURNS turns passed in silence, the one it fell silent in the first: 1 change to the second board,
        // then 2 back to the silent one.
        l.sim().run(() -> l.server().multicastSessions().getFirst().ended(), 600 * S).orThrow();
        TftpMulticastSession.Stats s = l.session();
        assertEquals(1, s.served());
        assertEquals(1, s.givenUp());
        assertEquals(1 + MulticastClients.MAX_TURNS - 1, s.masterChanges());
        // Every block once, and the block the silent master asked for last again at the 1st, 3rd and 5th of the server's 5
        // retries (the 2nd and 4th are its OACK, mc=1, again).
        assertEquals(BLOCKS + 3, s.dataSent());
    }

    @Test
    void aServerThatDoesNotOfferMulticastSendsTheFileAsUsual() {
        Lan l = lan(FaultPlan.NONE, false, 0, 0);
        l.runToEnd();
        for (Board b : l.boards()) {
            assertGotTheFile(b);
            assertNull(b.client.multicast()); // the OACK left multicast out: an ordinary transfer
        }
        assertEquals(2, l.server().sessions().size());
        assertTrue(l.server().multicastSessions().isEmpty());
    }
}
