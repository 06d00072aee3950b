package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.emulator.TftpSession;
import dev.netboot.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How serve tells a transfer the server gave up on, by what the client had acknowledged: nothing at all (the server's
 * answers, from a port of their own, RFC 1350 section 4, may never reach it), some blocks, or all but the last.
 */
class ServeTransferTest {
    static final long SIZE = 300_000; // 586 blocks of 512: 585 full and a short last one

    static TftpSession.Stats gaveUp(long blocksAcked, long dataSent) {
        return new TftpSession.Stats(50000, Ipv4Address.parse("192.0.2.101"), 40000, "boot.img", 512, 1, blocksAcked, dataSent,
                20, 0, 0, 0, TftpSession.End.GAVE_UP, SIZE);
    }

    static String json(TftpSession.Stats s) {
        ServeTransfer t = new ServeTransfer("boot.img", 0);
        t.last = s;
        t.endAt = 1;
        return t.json(2).toString();
    }

    @Test
    void anOackNeverAcknowledgedSaysSoAndWhyAClientMayHearNothing() {
        // Options asked for: the OACK went 21 times, no ACK 0 came, no DATA was sent (RFC 2347).
        String end = ServeTransfer.end(gaveUp(0, 0));
        assertTrue(end.startsWith("gave up: its OACK was never acknowledged, after every retry"), end);
        assertTrue(end.contains("firewall or NAT in front of the client that lets only port 69 through"), end);
        assertTrue(json(gaveUp(0, 0)).contains("\"end\":\"gave-up\""));
    }

    @Test
    void noBlockAcknowledgedSaysSoAndWhyAClientMayHearNothing() {
        // No options: DATA 1 went at once and 20 times again, never acknowledged.
        String end = ServeTransfer.end(gaveUp(0, 21));
        assertTrue(end.startsWith("gave up: no block acknowledged, after every retry"), end);
        assertTrue(end.contains("firewall or NAT"), end);
    }

    @Test
    void aClientThatAcknowledgedBlocksAndFellSilentIsNotToldAboutFirewalls() {
        assertEquals("gave up (no ACK after every retry)", ServeTransfer.end(gaveUp(100, 121)));
        // Every block but the last acknowledged: the client may have it all (its final ACK lost).
        String end = ServeTransfer.end(gaveUp(585, 606));
        assertTrue(end.startsWith("every block sent, the last never acknowledged"), end);
        assertTrue(json(gaveUp(585, 606)).contains("\"end\":\"last-ack-missing\""));
    }

    static TftpSession.Stats running(long blocksAcked) {
        return new TftpSession.Stats(50000, Ipv4Address.parse("192.0.2.101"), 40000, "boot.img", 512, 1, blocksAcked, blocksAcked,
                0, 0, 0, 0, null, SIZE);
    }

    /**
     * Which request of a host's was a fetch of its own (ServeClientsTest: three busybox gets at once) is RFC 1350 section
     * 4's rule as serve reads it: request k is one when an earlier session j acknowledged blocks after k was seen. Worked
     * out here pair by pair from every session's figures at each request, over random runs (sessions asked for, blocks
     * acknowledged, in any order), and after the transfer is split there, for the part split off. serve kept every pair
     * (N^2 / 2 figures, and as many looked at each poll): 7850 requests for one file from one host, a flood from many
     * ports, made a busybox fetch of 1 MiB from serve take 11.4 s instead of 0.5 s; it keeps one figure a session now.
     */
    @Test
    void aRequestIsAFetchOfItsOwnWhenAnEarlierSessionAcknowledgedBlocksSinceItCame() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(1350);
        int splits = 0;
        for (int round = 0; round < 2000; round++) {
            java.util.List<TftpSession.Stats> all = new java.util.ArrayList<>();
            java.util.List<long[]> seen = new java.util.ArrayList<>(); // at each request, every earlier session's ACKs
            ServeTransfer t = new ServeTransfer("boot.img", 0);
            int steps = r.nextInt(1, 40);
            for (int step = 0; step < steps; step++) {
                if (all.isEmpty() || r.nextInt(3) == 0) {
                    long[] then = new long[all.size()];
                    for (int j = 0; j < then.length; j++) {
                        then[j] = all.get(j).blocksAcked();
                    }
                    seen.add(then);
                    all.add(running(0));
                    t.add(all.size() - 1, step, all);
                } else if (r.nextInt(4) == 0) {
                    int j = r.nextInt(all.size());
                    all.set(j, running(all.get(j).blocksAcked() + r.nextInt(1, 5)));
                }
            }
            int expected = -1;
            for (int k = 1; k < all.size() && expected < 0; k++) {
                for (int j = 0; j < k; j++) {
                    if (all.get(j).blocksAcked() > seen.get(k)[j]) {
                        expected = k;
                        break;
                    }
                }
            }
            assertEquals(expected, t.besideFrom(all), "round " + round);
            if (expected > 0) {
                splits++;
                ServeTransfer own = t.split(expected);
                int again = -1;
                for (int k = expected + 1; k < all.size() && again < 0; k++) {
                    for (int j = expected; j < k; j++) {
                        if (all.get(j).blocksAcked() > seen.get(k)[j]) {
                            again = k - expected;
                            break;
                        }
                    }
                }
                assertEquals(again, own.besideFrom(all), "round " + round + ", the part split off");
                assertEquals(-1, t.besideFrom(all), "round " + round + ", the part left");
            }
        }
        assertTrue(splits > 100, "runs with a fetch of its own: " + splits);
    }

    @Test
    void aFloodOfRequestsForOneFileFromOneHostKeepsTheFiguresOfSixtyFourAndCountsEveryRequest() {
        // 1,000 requests from one host, each from a port of its own, each given up on; then the 1,001st is served whole.
        List<TftpSession.Stats> all = new ArrayList<>();
        ServeTransfer t = new ServeTransfer("boot.img", 0);
        List<Integer> folded = new ArrayList<>();
        for (int i = 0; i <= 1000; i++) {
            all.add(i < 1000 ? gaveUp(0, 21) : running(0));
            t.add(i, i * 1_000_000L, all);
            for (int f = t.fold(all); f >= 0; f = t.fold(all)) {
                folded.add(f);
            }
        }
        assertEquals(ServeTransfer.KEPT, t.sessions.size());
        assertEquals(1001 - ServeTransfer.KEPT, folded.size());
        assertEquals(folded, java.util.stream.IntStream.range(0, 1001 - ServeTransfer.KEPT).boxed().toList(), "the earliest first");
        all.set(1000, new TftpSession.Stats(50000, Ipv4Address.parse("192.0.2.101"), 40000, "boot.img", 512, 1, 586, 586,
                0, 0, 0, 0, TftpSession.End.COMPLETE, SIZE));
        assertTrue(t.finished(all));
        assertEquals(" (asked 1001 times: request 1001 was served, in 0.500 s)", t.served(all, 1_500_000_000L));
        assertEquals(TftpSession.End.COMPLETE, t.best(all).end());
    }

    @Test
    void aRequestStillRunningIsNeverFoldedNorAnyAfterIt() {
        List<TftpSession.Stats> all = new ArrayList<>();
        ServeTransfer t = new ServeTransfer("boot.img", 0);
        all.add(running(5));
        t.add(0, 0, all);
        for (int i = 1; i <= 200; i++) {
            all.add(gaveUp(0, 21));
            t.add(i, i, all);
            assertEquals(-1, t.fold(all));
        }
        assertEquals(201, t.sessions.size());
    }
}
