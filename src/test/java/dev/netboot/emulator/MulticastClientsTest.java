package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.emulator.MulticastClients.Client;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The RFC 2090 line of clients on its own: the next master is the oldest client still in the line ("the server shall
 * select the next oldest client") that has shown itself alive (an ACK since it joined), else the oldest; a silent master goes to the back of it ("reattempt to send a OACK to the
 * non-responding client when the new master client is finished") and is given up after three silent turns, a client
 * leaves once. The expected lines are worked out from those rules by hand.
 */
class MulticastClientsTest {
    private static final int IP = 0x0A00002A;

    @Test
    void theOldestClientIsNextAndAClientIsFoundByAddressAndPort() {
        MulticastClients line = new MulticastClients();
        assertNull(line.next());
        Client a = line.add(IP, 1000, List.of());
        Client b = line.add(IP, 1001, List.of());
        Client c = line.add(IP + 1, 1000, List.of());
        assertEquals(3, line.joined());
        assertSame(a, line.next());
        assertSame(b, line.find(IP, 1001));
        assertSame(c, line.find(IP + 1, 1000));
        assertNull(line.find(IP + 1, 1001), "same port, another host: a stranger");
        assertNull(line.master());

        line.makeMaster(a);
        assertEquals(0, line.masterChanges(), "the first master is no change");
        assertTrue(line.finish(a, MulticastMember.Left.SERVED), "the master left: none is now");
        assertNull(line.master());
        assertSame(b, line.next());
        line.makeMaster(b);
        assertEquals(1, line.masterChanges());
        assertFalse(line.finish(c, MulticastMember.Left.ERROR), "an ERROR from a client that is not master");
        assertFalse(line.finish(c, MulticastMember.Left.SERVED), "a client leaves once");
        assertTrue(c.done());
        assertEquals(1, line.served(), "the ERROR served no one, the second finish counts nothing");
        assertNull(line.find(IP + 1, 1000));
        assertSame(b, line.master());
    }

    @Test
    void aSilentMasterGoesToTheBackOfTheLineAndIsGivenUpAfterThreeTurns() {
        MulticastClients line = new MulticastClients();
        Client silent = line.add(IP, 1000, List.of());
        Client other = line.add(IP, 1001, List.of());
        line.makeMaster(silent);                      // turn 1
        line.passTurn(false);
        assertNull(line.master());
        assertFalse(silent.done());
        assertTrue(line.contains(silent), "back in the line");
        assertSame(other, line.next(), "the next oldest is master next");
        line.makeMaster(other);
        assertTrue(line.finish(other, MulticastMember.Left.SERVED));
        assertSame(silent, line.next());
        line.makeMaster(silent);                      // turn 2
        line.passTurn(false);
        line.makeMaster(line.next());               // turn 3
        line.passTurn(false);
        assertTrue(silent.done(), "three turns without an answer: given up");
        assertFalse(line.contains(silent));
        assertNull(line.next());
        assertEquals(1, line.givenUp());
        assertEquals(3, line.masterChanges(), "other, then silent twice more");
    }

    @Test
    void anAnswerClearsTheTurnsLetPass() {
        MulticastClients line = new MulticastClients();
        Client c = line.add(IP, 1000, List.of());
        line.add(IP, 1001, List.of());
        line.makeMaster(c);
        line.passTurn(false);
        line.makeMaster(line.find(IP, 1001));
        line.passTurn(false);
        line.makeMaster(c);                            // its second turn
        line.answered(c, true);                              // it answered: the turns it let pass count no more
        line.passTurn(false);                               // and fell silent later in the same turn
        line.makeMaster(line.find(IP, 1001));
        line.passTurn(false);
        line.makeMaster(c);                            // its first silent turn since the answer (its fourth in all)
        line.passTurn(false);
        assertFalse(c.done(), "one silent turn since its answer, not three");
        assertTrue(line.contains(c));
        assertEquals(0, line.givenUp());
    }

    @Test
    void theNextMasterIsTheOldestClientThatSentAnAckBeforeOnesNeverHeardFrom() {
        MulticastClients line = new MulticastClients();
        Client first = line.add(IP, 1000, List.of());
        Client mute = line.add(IP, 1001, List.of());   // asked, then never a word
        Client alive = line.add(IP, 1002, List.of());
        Client late = line.add(IP, 1003, List.of());
        line.makeMaster(first);
        alive.acked(0);                                // it acknowledged its OACK (mc=0)
        late.acked(0);
        line.passTurn(false);                               // first was silent: to the back
        assertSame(alive, line.next(), "not the older mute one");
        line.makeMaster(alive);
        alive.acked(5);
        assertTrue(line.finish(alive, MulticastMember.Left.SERVED));
        assertSame(late, line.next());
        assertFalse(line.finish(late, MulticastMember.Left.SERVED), "served, not master");
        assertSame(mute, line.next(), "none heard from left: the oldest");
        first.acked(0);
        assertSame(first, line.next(), "heard from now, at the back of the line: before the mute one all the same");
    }

    @Test
    void aClientAskingAgainClearsTheTurnsItLetPass() {
        MulticastClients line = new MulticastClients();
        Client c = line.add(IP, 1000, List.of());
        line.makeMaster(c);                            // turn 1
        line.passTurn(false);
        line.makeMaster(c);                            // turn 2
        line.passTurn(false);
        line.askedAgain(c);                            // its request again: it is there
        assertTrue(c.heard());
        line.makeMaster(c);                            // its first turn since
        line.passTurn(false);
        assertFalse(c.done(), "one silent turn since it asked again, not three");
        line.makeMaster(c);
        line.passTurn(false);
        line.makeMaster(c);
        line.passTurn(false);
        assertTrue(c.done(), "three since: given up");
    }

    @Test
    void droppingAllReturnsTheLineOldestFirstAndLeavesNoMaster() {
        MulticastClients line = new MulticastClients();
        Client a = line.add(IP, 1000, List.of());
        Client b = line.add(IP, 1001, List.of());
        line.makeMaster(b);
        assertEquals(List.of(a, b), line.dropAll());
        assertNull(line.master());
        assertNull(line.next());
        assertEquals(2, line.joined());
    }
}
