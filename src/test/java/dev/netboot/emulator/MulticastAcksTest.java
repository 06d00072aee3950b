package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.emulator.MulticastAcks.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 2090's ACKs on their own: what an ACK from the master and from another client calls for, and when a copy of the
 * master's ACK sends nothing (RFC 1123 section 4.2.3.1). The expected steps and spacings are worked out by hand from
 * those rules, a Karn round trip and a 1/8 smoothing gain; the file has 10 blocks, the timeout is 1000.
 */
class MulticastAcksTest {
    private static final long LAST = 10;
    private static final long TIMEOUT = 1_000;

    private static MulticastClients.Client client(int port) {
        return new MulticastClients.Client(0x0A00002A, port, List.of());
    }

    /** A master's stream at block 3: ACK 0 and 1 and 2 came, each block went once; block b went at time 100 * b. */
    private static MulticastAcks atBlock3(MulticastClients.Client master) {
        MulticastAcks a = new MulticastAcks(LAST, TIMEOUT);
        a.masterMade();
        assertEquals(Step.NEXT, a.onAck(0, master, true, 0));
        for (long b = 1; b <= 3; b++) {
            a.sent(100 * b, b, false);
            if (b < 3) {
                assertEquals(Step.NEXT, a.onAck(100 * b + 40, master, true, b)); // a round trip of 40
            }
        }
        return a;
    }

    @Test
    void theLastBlocksAckEndsAnyClientAndAnotherClientsAckGetsAnOackOrARepair() {
        MulticastClients.Client master = client(1000);
        MulticastAcks a = atBlock3(master);
        assertEquals(Step.SERVED, a.onAck(500, client(1001), false, LAST));
        assertEquals(Step.SERVED, a.onAck(500, client(1002), true, LAST + 5), "past the last block: served too");
        assertEquals(Step.OACK, a.onAck(500, client(1003), false, 0), "ACK 0 of its OACK: another OACK, mc=0");
        assertEquals(Step.REPAIR, a.onAck(500, client(1004), false, 2), "it lost block 3, the one the stream is at");
        assertEquals(Step.REPAIR, a.onAck(500, client(1004), false, 1));
        assertEquals(Step.OACK, a.onAck(500, client(1005), false, 3), "at the stream: nothing lost");
        MulticastClients.Client far = client(1006);
        MulticastAcks deep = new MulticastAcks(LAST * 10, TIMEOUT);
        deep.masterMade();
        deep.sent(0, 20, false);
        assertEquals(Step.REPAIR, deep.onAck(1, far, false, 12), "8 blocks back: at once");
        assertEquals(Step.OACK, deep.onAck(1, far, false, 11), "9 back: its turn will come");
    }

    @Test
    void aCopyOfTheMastersAckWithinARoundTripSendsNothingALaterOneSendsTheBlockAgain() {
        MulticastClients.Client master = client(1000);
        MulticastAcks a = atBlock3(master); // round trip 40, measured twice: 40
        assertEquals(Step.COPY, a.onAck(300 + 39, master, true, 2), "39 after block 3 went: a copy of ACK 2");
        assertEquals(Step.NEXT, a.onAck(300 + 40, master, true, 2), "a round trip after: block 3 was lost");
        a.sent(340, 3, true);
        assertEquals(Step.COPY, a.onAck(341, master, true, 2));
        assertEquals(Step.NEXT, a.onAck(400, master, true, 3));
        assertFalse(a.oackPending());
    }

    @Test
    void theRoundTripIsTheTimeoutUntilMeasuredAndABlockSentAgainMeasuresNothing() {
        MulticastClients.Client master = client(1000);
        MulticastAcks a = new MulticastAcks(LAST, TIMEOUT);
        a.masterMade();
        assertEquals(Step.NEXT, a.onAck(0, master, true, 0));
        a.sent(0, 1, false);
        a.sent(500, 1, true); // sent again: Karn, its ACK times nothing
        assertEquals(Step.NEXT, a.onAck(540, master, true, 1));
        a.sent(540, 2, false);
        assertEquals(Step.COPY, a.onAck(540 + 999, master, true, 1), "no round trip yet: the timeout stands for it");
        assertEquals(Step.NEXT, a.onAck(540 + 1000, master, true, 1));
        a.sent(2000, 2, true);
        a.sent(2000, 3, false);
        assertEquals(Step.NEXT, a.onAck(2800, master, true, 3), "block 3 went once: a round trip of 800");
        a.sent(2800, 4, false);
        assertEquals(Step.COPY, a.onAck(2800 + 799, master, true, 3));
        assertEquals(Step.NEXT, a.onAck(2800 + 800, master, true, 3));
        a.sent(3600, 4, true);
        a.sent(3600, 5, false);
        assertEquals(Step.NEXT, a.onAck(3600 + 8, master, true, 5), "a round trip of 8: 800 + (8 - 800) / 8 = 701");
        a.sent(3608, 6, false);
        assertEquals(Step.COPY, a.onAck(3608 + 700, master, true, 5));
        assertEquals(Step.NEXT, a.onAck(3608 + 701, master, true, 5));
    }

    @Test
    void aNewMastersFirstAckIsAnsweredWhateverItNamesButNotACopyOfOneItSentBefore() {
        MulticastClients.Client master = client(1000);
        MulticastAcks a = atBlock3(master);
        assertEquals(Step.COPY, a.onAck(301, master, true, 2));
        a.masterMade(); // the same client made master again (say, a repair): its OACK with mc=1 went out
        assertTrue(a.oackPending());
        assertEquals(-1, a.position(), "the OACK");
        assertEquals(Step.COPY, a.onAck(302, master, true, 2), "a copy of its ACK 2, which had block 3 sent: no answer to the OACK");
        assertTrue(a.oackPending());
        assertEquals(Step.NEXT, a.onAck(300 + 40, master, true, 2), "a round trip on: its first ACK as master asks for block 3");
        assertFalse(a.oackPending());
        MulticastClients.Client fresh = client(1001);
        a.sent(340, 3, true);
        assertEquals(Step.NEXT, a.onAck(341, fresh, true, 2), "a master that never acknowledged block 2: no copy");
    }

    @Test
    void anAckOlderThanOneTheMasterSentThisTurnSendsNothingAtAnyTime() {
        MulticastClients.Client master = client(1000);
        MulticastAcks a = atBlock3(master); // ACK 2 taken, block 3 out
        assertEquals(Step.COPY, a.onAck(300 + 5_000, master, true, 1), "ACK 1 after ACK 2: a late copy, not a loss");
        assertEquals(Step.COPY, a.onAck(300 + 5_000, master, true, 0));
        assertEquals(Step.NEXT, a.onAck(300 + 5_000, master, true, 2), "ACK 2 again a timeout on: block 3 was lost");
        a.masterMade(); // made master again: its first ACK names what it holds, whatever it acknowledged before
        assertEquals(Step.NEXT, a.onAck(6_000, master, true, 1));
        a.sent(6_000, 2, true);
        assertEquals(Step.NEXT, a.onAck(6_100, master, true, 2));
    }

    @Test
    void aNewMastersAck0AgainAnswersItsOackThoughBlock1JustWentForAnother() {
        // A client that joined late acknowledged its OACK (mc=0) with ACK 0; made master (a rewind), it answers the OACK
        // (mc=1) with ACK 0 again, a round trip on, block 1 having gone a moment before for the master before it. Taken
        // for a copy, it waited a timeout for the OACK again: the 1,000-board fleet's median board 0.5 s later.
        MulticastClients.Client first = client(1000);
        MulticastClients.Client late = client(1001);
        MulticastAcks a = new MulticastAcks(LAST, TIMEOUT);
        a.masterMade();
        assertEquals(Step.NEXT, a.onAck(0, first, true, 0));
        a.sent(0, 1, false);
        assertEquals(Step.OACK, a.onAck(10, late, false, 0), "its OACK's ACK 0: another OACK, mc=0");
        a.masterMade(); // the rewind: late is master
        assertEquals(Step.NEXT, a.onAck(30, late, true, 0), "block 1, 30 after it went (within the timeout): asked for");
    }

    @Test
    void theAnswerToTheMastersOackSentAgainIsNoLateCopyWhateverItNames() {
        MulticastClients.Client master = client(1000);
        MulticastAcks a = atBlock3(master); // ACK 2 taken, block 3 out at 300
        assertEquals(Step.COPY, a.onAck(300 + 5_000, master, true, 1), "ACK 1 after ACK 2: a late copy");
        a.oackAgain(); // a timeout on, its OACK (mc=1) again: it answers with what it holds, having said more before
        assertEquals(Step.NEXT, a.onAck(300 + 5_100, master, true, 1), "its answer: block 2 again");
        a.sent(5_400, 2, true);
        assertEquals(Step.NEXT, a.onAck(5_500, master, true, 2), "block 3 next: what it holds counts now, not ACK 2 before");
        a.sent(5_600, 3, true);
        assertEquals(Step.COPY, a.onAck(5_700, master, true, 1), "no OACK again since: a late copy once more");
    }

    @Test
    void aCopyOfAnotherClientsAckWithinARoundTripOfTheBlockItAsksForIsNoRepair() {
        MulticastClients.Client master = client(1000);
        MulticastClients.Client other = client(1001);
        MulticastAcks a = atBlock3(master); // block 3 went at 300, round trip 40
        assertEquals(Step.REPAIR, a.onAck(301, other, false, 2), "its ACK 2 as block 3 went: it lost block 3");
        a.masterMade();
        // Its ACK 2 sent no block: its copy is answered as its first ACK (one DATA 3 for its two ACK 2).
        assertEquals(Step.NEXT, a.onAck(302, other, true, 2), "master now: its first ACK, a copy or not, is answered");
        a.sent(302, 3, true);
        assertEquals(Step.OACK, a.onAck(303, master, false, 2), "the old master's ACK 2 again: block 3 just went");
        assertEquals(Step.REPAIR, a.onAck(302 + 40, master, false, 2), "a round trip on: it lost block 3");
    }
}
