package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.tftp.TftpClient;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The emulated server's RFC 2090 multicast when the master changes: while ACKs are on their way (a client made master,
 * by a repair or as the next in line after a client leaves, whose copy of an ACK it sent before, or the copy of another
 * client's, comes after the change), and when the master is a client that asked and fell silent, or one deaf to the
 * group. Scripted clients and boards on one segment (latency 100 us each way), the server's timeout 1 s.
 */
class MulticastMasterChangeTest {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;
    static final int PORT = 2000;
    static final Scenario SC = Scenario.DEFAULT;
    static final Ipv4Address GROUP = Scenario.Multicast.DEFAULT.firstGroup();

    /** The server, and clients on hosts 0 .. n - 1, each listening on {@link #PORT}, the port after it and the group's. */
    record Lan(Simulation sim, TftpServer server, TestClient[] hosts) {
        static Lan of(int n, TftpServerConfig config) {
            Simulation sim = new Simulation();
            EthernetSegment seg = sim.newSegment(100 * US, FaultPlan.NONE, 5);
            ServerHost host = sim.add(new ServerHost(seg, SC.serverMac(), SC.serverIp(), SC.netmask(), Ipv4Address.ANY));
            TftpServer server = host.startTftp(config, new SplittableRandom(1)).offerMulticast(Scenario.Multicast.DEFAULT);
            server.serve("f", TftpServerOptionsTest.file(10 * 512 - 1, 4));
            TestClient[] hosts = new TestClient[n];
            for (int i = 0; i < n; i++) {
                hosts[i] = sim.add(new TestClient(seg, new MacAddress(0x02_00_00_00_00_50L + i)));
                hosts[i].stack.configure(new Ipv4Address(SC.clientIp().value() + i), SC.netmask(), SC.gateway());
                hosts[i].listen(PORT).listen(PORT + 1).listen(Scenario.Multicast.DEFAULT.port());
                hosts[i].stack.joinGroup(0, GROUP);
            }
            return new Lan(sim, server, hosts);
        }

        /** Host {@code h}'s port {@code port} asks for the file with {@code multicast}; returns its OACK's multicast value. */
        String request(int h, int port) {
            hosts[h].send(sim.now(), port, SC.serverIp(), TftpServer.PORT,
                    new TftpPacket.Rrq("f", "octet", List.of(new TftpPacket.Option("multicast", ""))));
            TestClient.Rx rx = hosts[h].next(sim);
            return ((TftpPacket.Oack) rx.tftp()).option("multicast").orElseThrow();
        }

        void ack(int h, int port, int block) {
            hosts[h].send(sim.now(), port, SC.serverIp(), tid(), new TftpPacket.Ack(block));
        }

        int tid() {
            return server.multicastSessions().getFirst().port();
        }

        /** The DATA of block {@code b} host 0 heard on the group's port since {@code from} (an index into its received). */
        long dataHeard(int from, int b) {
            return hosts[0].received.subList(from, hosts[0].received.size()).stream()
                    .filter(rx -> rx.dstPort() == Scenario.Multicast.DEFAULT.port())
                    .filter(rx -> rx.tftp() instanceof TftpPacket.Data d && d.block() == b).count();
        }

        /** What host 0 heard since {@code from}: when, to which port, what. */
        List<String> heard(int from) {
            return hosts[0].received.subList(from, hosts[0].received.size()).stream()
                    .map(rx -> rx.at() / 1e9 + " s :" + rx.dstPort() + " " + rx.tftp()).toList();
        }

        /** The last OACK host {@code h}'s port {@code port} got: its multicast value, or null. */
        String lastOack(int h, int port) {
            String mc = null;
            for (TestClient.Rx rx : hosts[h].received) {
                if (rx.dstPort() == port && rx.tftp() instanceof TftpPacket.Oack o) {
                    mc = o.option("multicast").orElseThrow();
                }
            }
            return mc;
        }
    }

    /**
     * A client that asked for the file by multicast and answers each OACK making it master with ACK {@code ackWith},
     * never a DATA (deaf to the group: no route to it, a switch that does not forward it); {@code ackWith} -1: it
     * answers nothing (a board powered off after its request, a host gone without a word).
     */
    static final class Odd implements SimNode {
        final TestClient host;
        final int ackWith;
        int seen;

        Odd(EthernetSegment seg, int i, int ackWith, long at) {
            host = new TestClient(seg, new MacAddress(0x02_00_00_00_07_00L + i));
            host.stack.configure(new Ipv4Address(SC.clientIp().value() + 100 + i), SC.netmask(), Ipv4Address.ANY);
            host.listen(PORT);
            this.ackWith = ackWith;
            host.send(at, PORT, SC.serverIp(), TftpServer.PORT,
                    new TftpPacket.Rrq("f", "octet", List.of(new TftpPacket.Option("multicast", ""))));
        }

        @Override
        public void poll(long now) {
            host.poll(now);
            for (; seen < host.received.size(); seen++) {
                TestClient.Rx rx = host.received.get(seen);
                if (ackWith >= 0 && rx.tftp() instanceof TftpPacket.Oack o && o.option("multicast").orElseThrow().endsWith(",1")) {
                    host.send(now, PORT, SC.serverIp(), rx.srcPort(), new TftpPacket.Ack(ackWith));
                }
            }
        }

        @Override
        public long pollAt() {
            return host.pollAt();
        }
    }

    /** Boards as a profile sets them: timeout 1 s, give-up 25 s, multicast asked. */
    static final TftpConfig BOARD = new TftpConfig(S, 8, 512).withMulticast(true).withGiveUp(25 * S);

    /** A run of {@link #oddAhead}: the simulation, the server, the odd clients and the two boards. */
    record OddRun(Simulation sim, TftpServer server, List<Odd> odd, List<MulticastTftpTest.Board> boards) {
        TftpMulticastSession session() {
            return server.multicastSessions().getFirst();
        }

        /** Asserts that both boards have the file, done between {@code after} and 100 ms later. */
        void boardsDoneBetween(long after) {
            for (MulticastTftpTest.Board b : boards) {
                MulticastTftpTest.assertGotTheFile(b);
                long at = ((TftpClient.State.Done) b.client.state()).finishedAt();
                assertTrue(at > after && at < after + 100 * MS, at / 1e9 + " s; " + session().stats());
            }
        }
    }

    /**
     * The server (timeout 1 s, the default scenario's 20 retries) serving MulticastTftpTest's file to {@code odd}
     * clients and then two boards, all asking at 0; runs until both boards are done, or 600 s.
     */
    static OddRun oddAhead(int odd, int ackWith) {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(100 * US, FaultPlan.NONE, 5);
        ServerHost host = sim.add(new ServerHost(seg, SC.serverMac(), SC.serverIp(), SC.netmask(), Ipv4Address.ANY));
        TftpServer server = host.startTftp(SC.tftpConfig(), new SplittableRandom(1)).offerMulticast(Scenario.Multicast.DEFAULT);
        server.serve("f", MulticastTftpTest.FILE);
        List<Odd> odds = new ArrayList<>();
        for (int i = 0; i < odd; i++) {
            odds.add(sim.add(new Odd(seg, i, ackWith, 0)));
        }
        List<MulticastTftpTest.Board> boards = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            boards.add(sim.add(new MulticastTftpTest.Board(seg, i, BOARD, 0)));
        }
        sim.run(() -> boards.stream().allMatch(MulticastTftpTest.Board::finished), 600 * S);
        return new OddRun(sim, server, odds, boards);
    }

    @Test
    void clientsThatAskedAndFellSilentTakeTheirTurnsAfterTheBoardsThatAnswer() {
        // Ten clients ask and never say another word, then two boards. The first is master: its OACK and
        // MulticastTimer.OACK_TRIES more a timeout apart go unanswered, and 4 s on its turn passes. The boards
        // acknowledged their OACKs (mc=0): the older of them is master next, the file comes in one pass and both are
        // done a few milliseconds later. Before, each silent client was master in turn, the oldest first: 4 s each,
        // the boards done at 40 s, past their 25 s give-up.
        OddRun r = oddAhead(10, -1);
        r.boardsDoneBetween((1 + MulticastTimer.OACK_TRIES) * S);
        // The first, whose turn passed, was told so (mc=0) before the board was made master: back late, it would not
        // acknowledge as master beside the board.
        List<String> told = r.odd().getFirst().host.received.stream()
                .map(rx -> ((TftpPacket.Oack) rx.tftp()).option("multicast").orElseThrow()).toList();
        assertEquals(List.of(mc(1), mc(1), mc(1), mc(1), mc(0)), told);
        TftpMulticastSession.Stats s = r.session().stats();
        assertEquals(1, s.masterChanges(), s.toString());
        assertEquals(MulticastTftpTest.BLOCKS, s.dataSent(), s.toString());
    }

    @Test
    void aMasterDeafToTheGroupLosesItsTurnAndIsGivenUpAfterItsTurns() {
        // One client asks first and answers each OACK making it master with ACK 0, but never gets a DATA; two boards
        // ask with it, before any block went (no rewind). It answers its OACK at once: block 1 goes, again a timeout
        // on, its OACK again two timeouts on (ACK 0: block 1 again, the retries start again), and so on: at its
        // OACK_TRIES-th answer without taking a block (at 4 s), a timeout later its turn passes and the older board is
        // master. Before, block 1 every second for ever, the boards never done.
        OddRun r = oddAhead(1, 0);
        r.boardsDoneBetween((1 + 2 * (MulticastTimer.OACK_TRIES - 1)) * S);
        // Its turns after the boards: each passes so, and after MAX_TURNS it is given up and the transfer ends.
        r.sim().run(() -> r.session().ended(), 600 * S).orThrow();
        List<MulticastMember> m = r.session().members();
        assertEquals(MulticastMember.Left.GIVEN_UP, m.get(0).left(), m.toString());
        assertEquals(MulticastMember.Left.SERVED, m.get(1).left(), m.toString());
        assertEquals(MulticastMember.Left.SERVED, m.get(2).left(), m.toString());
        TftpMulticastSession.Stats s = r.session().stats();
        // Master after it: the older board, then the other (its ACK of the last block still on its way when the older
        // one's came), then the deaf one for its second and third turns.
        assertEquals(2 + MulticastClients.MAX_TURNS - 1, s.masterChanges(), s.toString());
        assertEquals(MulticastTftpTest.BLOCKS, s.dataSent() - s.resentData(), s.toString());
    }

    static String mc(int flag) {
        return GROUP + "," + Scenario.Multicast.DEFAULT.port() + "," + flag;
    }

    @Test
    void copiesOfAcksThatComeAfterTheMasterChangedSendNothingAgain() {
        // TftpServerFuzzTest::multicast's finding, as a timeline: the master M (host 0) and X (host 1, port 2001) both
        // acknowledge block 1 as block 2 goes out; within a latency (a wire's copies) X's ACK 1 again, X's ERROR and
        // M's ACK 1 again. X's first ACK 1 made X master (a repair) and sent nothing; its copy, taken for its first ACK
        // as master, sends block 2 for it. X left, M was made master again, and M's copy was taken for its answer to
        // that OACK: block 2 a third time, 0.3 ms on. RFC 1123 section 4.2.3.1: a copy of an ACK that was answered
        // sends nothing; block 2 goes once for each client's ACK 1, and M, master again, answers its OACK with ACK 2
        // and gets block 3.
        Lan l = Lan.of(2, TftpServerConfig.DEFAULTS.withRetry(S, 5));
        assertEquals(mc(1), l.request(0, PORT));
        assertEquals(mc(0), l.request(1, PORT + 1));
        l.ack(0, PORT, 0);
        TestClient.Rx first = l.hosts()[0].next(l.sim());
        assertEquals(1, ((TftpPacket.Data) first.tftp()).block());
        l.sim().runFor(10 * US); // host 1 has it too
        int from = l.hosts()[0].received.size();
        l.ack(0, PORT, 1);
        l.ack(1, PORT + 1, 1);
        l.sim().runFor(92 * US);
        l.ack(1, PORT + 1, 1);
        l.hosts()[1].send(l.sim().now(), PORT + 1, SC.serverIp(), l.tid(), new TftpPacket.Error(0, "stopped"));
        l.ack(0, PORT, 1);
        l.sim().runFor(500 * MS); // half the timeout: nothing goes again for it
        assertEquals(2, l.dataHeard(from, 2), () -> "heard by host 0: " + l.heard(from));
        assertEquals(mc(1), l.lastOack(0, PORT), "M is master again");
        int before = l.hosts()[0].received.size();
        l.ack(0, PORT, 2);
        l.sim().runFor(MS);
        assertEquals(1, l.dataHeard(before, 3));
        TftpMulticastSession.Stats s = l.server().multicastSessions().getFirst().stats();
        assertEquals(1, s.resentData(), s.toString());
    }
}
