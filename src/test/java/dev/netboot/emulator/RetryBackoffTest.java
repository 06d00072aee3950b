package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A read session's waits for an ACK ({@link RetryTimer}) against a lock-step client that acknowledges a block it holds
 * already once only and then says nothing until its own timer runs out, a silence on the wire: atftp 0.8 ("got wrong
 * block, sending extra ACK" once, then "ignoring"; its 5 s select() timeout starts again at every datagram). With its
 * ACK of block 1 and that one extra ACK lost, a server resending every 300 ms never gives it 5 s of silence: it gives
 * up after its 20 retries (6.3 s) and the client's ACK, 5 s after the last resend, comes to a closed port. With the
 * waits doubling (300, 600, 1200, 2400, 4800 ms, then 9600 ms cut to the 8 s longest) the client's timer runs out
 * 5 s into the sixth wait, and the transfer goes on.
 */
class RetryBackoffTest {
    static final long MS = 1_000_000L;
    static final long TIMEOUT = 300 * MS;
    static final long LONGEST = 8_000 * MS;
    static final long CLIENT_TIMEOUT = 5_000 * MS;
    static final int PORT = 2000;

    /** One server, one client on a clean segment. */
    record Lan(Simulation sim, TftpServer server, TestClient client, Scenario sc) {
        static Lan of(TftpServerConfig config, byte[] file) {
            Simulation sim = new Simulation();
            EthernetSegment seg = sim.newSegment(100_000, FaultPlan.NONE, 5);
            Scenario sc = Scenario.DEFAULT;
            ServerHost host = sim.add(new ServerHost(seg, sc.serverMac(), sc.serverIp(), sc.netmask(), Ipv4Address.ANY));
            TftpServer server = host.startTftp(config, new SplittableRandom(1));
            server.serve("f", file);
            TestClient c = sim.add(new TestClient(seg, MacAddress.parse("02:00:00:00:00:42")));
            c.stack.configure(sc.clientIp(), sc.netmask(), sc.gateway());
            c.listen(PORT);
            return new Lan(sim, server, c, sc);
        }

        /** Sends the RRQ (no options: 512-byte blocks, lock-step) and returns DATA 1. */
        TestClient.Rx request() {
            client.send(sim.now(), PORT, sc.serverIp(), TftpServer.PORT, new TftpPacket.Rrq("f", "octet", List.of()));
            return client.next(sim);
        }

        void ack(TestClient.Rx data, int block) {
            client.send(sim.now(), PORT, sc.serverIp(), data.srcPort(), new TftpPacket.Ack(block));
        }

        /**
         * The atftp-like client after its ACK and its one extra ACK were lost: hears datagrams until {@code silence}
         * passes without one, and returns when each came (ms after {@code since}), each checked to be DATA {@code block}.
         */
        List<Long> hearUntilSilent(TestClient.Rx since, int block, long silence) {
            List<Long> heard = new ArrayList<>();
            while (true) {
                int n = client.received.size();
                if (!sim.run(() -> client.received.size() > n, silence).done()) {
                    return heard;
                }
                TestClient.Rx rx = client.received.get(n);
                assertEquals(block, ((TftpPacket.Data) rx.tftp()).block(), heard.toString());
                heard.add((rx.at() - since.at()) / MS);
            }
        }
    }

    @Test
    void doublingWaitsGiveAClientThatIgnoresRepeatsTheSilenceItWaitsFor() {
        Lan lan = Lan.of(TftpServerConfig.DEFAULTS.withRetry(TIMEOUT, 20).withMaxTimeout(LONGEST),
                TftpServerOptionsTest.file(10 * 512 - 1, 7));
        TestClient.Rx first = lan.request();
        assertEquals(1, ((TftpPacket.Data) first.tftp()).block());

        List<Long> heard = lan.hearUntilSilent(first, 1, CLIENT_TIMEOUT);
        // Resent after 300, 600, 1200, 2400 and 4800 ms; then 9600 ms (8000 at most) of silence, past the client's 5 s.
        assertEquals(List.of(300L, 900L, 2100L, 4500L, 9300L), heard);
        assertNull(lan.server.sessions().getFirst().stats().end(), "the session is still waiting");

        // Its timer ran out: it acknowledges block 1 again, and block 2 comes at once.
        lan.ack(first, 1);
        TestClient.Rx second = lan.client.next(lan.sim);
        assertEquals(2, ((TftpPacket.Data) second.tftp()).block());
        assertTrue(second.at() - first.at() < 14_400 * MS, (second.at() - first.at()) / MS + " ms");
        // Answered, the waits start again from the timeout: block 2 unanswered comes again 300 ms later.
        TestClient.Rx again = lan.client.next(lan.sim);
        assertEquals(2, ((TftpPacket.Data) again.tftp()).block());
        assertEquals(TIMEOUT, again.at() - second.at());
    }

    @Test
    void withoutALongestWaitEveryWaitIsTheTimeoutAndThatClientIsGivenUp() {
        // The emulator's default (and the server before the longest wait): the stall this test's first case ends.
        Lan lan = Lan.of(TftpServerConfig.DEFAULTS.withRetry(TIMEOUT, 20), TftpServerOptionsTest.file(10 * 512 - 1, 7));
        TestClient.Rx first = lan.request();
        List<Long> heard = lan.hearUntilSilent(first, 1, CLIENT_TIMEOUT);
        List<Long> every300 = new ArrayList<>();
        for (long i = 1; i <= 20; i++) {
            every300.add(i * 300);
        }
        assertEquals(every300, heard);
        assertEquals(TftpSession.End.GAVE_UP, lan.server.sessions().getFirst().stats().end());
    }

    @Test
    void aWindowReachingTheLastBlockIsSentAgainAfterTheTimeoutAlone() {
        // 3 blocks; the client acknowledges 1 and 2 and then, done (RFC 1350 section 6), is gone: block 3 is sent again
        // every 300 ms, 20 times, not after doubling waits, and the session gives up.
        Lan lan = Lan.of(TftpServerConfig.DEFAULTS.withRetry(TIMEOUT, 20).withMaxTimeout(LONGEST),
                TftpServerOptionsTest.file(2 * 512 + 100, 8));
        TestClient.Rx d = lan.request();
        for (int b = 1; b <= 2; b++) {
            assertEquals(b, ((TftpPacket.Data) d.tftp()).block());
            lan.ack(d, b);
            d = lan.client.next(lan.sim);
        }
        assertEquals(3, ((TftpPacket.Data) d.tftp()).block());
        TestClient.Rx last = d;
        List<Long> heard = lan.hearUntilSilent(last, 3, CLIENT_TIMEOUT);
        assertEquals(20, heard.size(), heard.toString());
        for (int i = 0; i < heard.size(); i++) {
            assertEquals(300L * (i + 1), heard.get(i), heard.toString());
        }
        assertEquals(TftpSession.End.GAVE_UP, lan.server.sessions().getFirst().stats().end());
    }

    @Test
    void aScenariosMaxTimeoutDoublesTheEmulatedServersWaitsUpToIt() {
        // The rule (RetryTimer): the first wait is the timeout; after the k-th retransmission left unanswered it is
        // timeout x 2^k, at most max-timeout. 300 ms doubling up to 2 s: waits of 300, 600, 1200, 2000 (2400 cut),
        // 2000 and 2000 ms before the 6 retries, and 2000 ms after the last before the server gives up. So, after block
        // 1 first went: 300, 900, 2100, 4100, 6100 and 8100 ms, given up at 10100.
        assertEquals(List.of(300L, 900L, 2100L, 4100L, 6100L, 8100L, 10100L), resendsAndGiveUp("max-timeout = 2s\n"));
        // Left out, or 0: every wait is the 300 ms timeout, the emulator's default. 6 x 300 ms, given up 300 ms later.
        List<Long> fixed = List.of(300L, 600L, 900L, 1200L, 1500L, 1800L, 2100L);
        assertEquals(fixed, resendsAndGiveUp(""));
        assertEquals(fixed, resendsAndGiveUp("max-timeout = 0s\n"));
    }

    /**
     * Boots nothing: a client on the emulated LAN of a scenario whose {@code [tftp]} has a 300 ms timeout, 6 retries and
     * {@code key}, fetching a 10-block file lock-step, whose link goes down 100 ms in (a pulled cable: its ACK of block 1,
     * sent at 150 ms, and every block sent again are lost). Returns when the server sent block 1 again, and when it gave
     * up, in ms after block 1 first went.
     */
    private static List<Long> resendsAndGiveUp(String key) {
        Scenario sc = ScenarioFile.parse("[faults]\nlink-down-at = 100ms\nlink-down-for = 60s\n[tftp]\ntimeout = 300ms\nretries = 6\n"
                + key, "t.scenario");
        EmulatedLan lan = EmulatedLan.of(sc);
        Simulation sim = lan.simulation();
        lan.tftp().serve(sc.servedFile(), TftpServerOptionsTest.file(10 * 512 - 1, 7));
        TestClient c = sim.add(new TestClient(lan.segment(), MacAddress.parse("02:00:00:00:00:42")).listen(PORT));
        lan.segment().boardPort(c.port); // the link the fault takes down
        c.stack.configure(sc.clientIp(), sc.netmask(), sc.gateway());
        c.send(0, PORT, sc.serverIp(), TftpServer.PORT, new TftpPacket.Rrq(sc.servedFile(), "octet", List.of()));
        sim.run(() -> !lan.tftp().sessions().isEmpty(), 50 * MS).orThrow();
        TftpSession s = lan.tftp().sessions().getFirst();
        assertEquals(1, s.stats().dataSent(), "block 1 went as the request came");
        long first = sim.now();
        TestClient.Rx data = c.next(sim);
        assertEquals(1, ((TftpPacket.Data) data.tftp()).block());
        sim.runUntil(150 * MS);
        c.send(sim.now(), PORT, sc.serverIp(), data.srcPort(), new TftpPacket.Ack(1));
        List<Long> at = new ArrayList<>();
        while (!s.ended()) {
            long sent = s.stats().dataSent();
            sim.run(() -> s.ended() || s.stats().dataSent() > sent, 60_000 * MS).orThrow();
            at.add((sim.now() - first) / MS);
            assertEquals(0, (sim.now() - first) % MS, "on the millisecond: " + (sim.now() - first) + " ns");
        }
        assertEquals(TftpSession.End.GAVE_UP, s.stats().end());
        assertEquals(0, s.stats().blocksAcked(), "its ACK was lost: nothing acknowledged");
        assertEquals(List.of(data), c.received, "the client heard block 1 once, before its link went down");
        assertEquals(1 + 6, lan.segment().stats().droppedByLinkDown(), "its ACK and the 6 blocks sent again were lost");
        return at;
    }

    @Test
    void theLongestWaitIsNoShorterThanNothingAndATimeoutAboveItIsKept() {
        assertThrows(IllegalArgumentException.class, () -> TftpServerConfig.DEFAULTS.withMaxTimeout(-1));
        RetryTimer longTimeout = new RetryTimer(10_000 * MS, TftpServerConfig.DEFAULTS.withMaxTimeout(LONGEST));
        for (int r = 0; r < 5; r++) {
            assertEquals(10_000 * MS, longTimeout.waitAfter(r, false));
        }
        RetryTimer t = new RetryTimer(1_000 * MS, TftpServerConfig.DEFAULTS.withMaxTimeout(LONGEST));
        // 1, 2, 4, 8 s and no longer; never past the timeout where the last block is out.
        assertEquals(List.of(1_000 * MS, 2_000 * MS, 4_000 * MS, 8_000 * MS, 8_000 * MS, 8_000 * MS),
                List.of(t.waitAfter(0, false), t.waitAfter(1, false), t.waitAfter(2, false), t.waitAfter(3, false),
                        t.waitAfter(4, false), t.waitAfter(40, false)));
        assertEquals(1_000 * MS, t.waitAfter(3, true));
        assertFalse(t.exhausted(4));
        assertTrue(t.exhausted(5)); // DEFAULTS: 5 retries
    }
}
