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
 * select the next oldest client"), a silent master goes to the back of it ("reattempt to send a OACK to the
 * non-responding client when the new master client is finished") and is given up after three silent turns, a client
 * leaves once. The expected lines are worked out from those rules by hand.
 */
class MulticastClientsTest {
    private static final int IP = 0x0A00002A;

    @Test
    void theOldestClientIsNextAndAClientIsFoundByAddressAndPort() {
        MulticastClients line = new MulticastClients();
        assertNull(line.oldest());
        Client a = line.add(IP, 1000, List.of());
        Client b = line.add(IP, 1001, List.of());
        Client c = line.add(IP + 1, 1000, List.of());
        assertEquals(3, line.joined());
        assertSame(a, line.oldest());
        assertSame(b, line.find(IP, 1001));
        assertSame(c, line.find(IP + 1, 1000));
        assertNull(line.find(IP + 1, 1001), "same port, another host: a stranger");
        assertNull(line.master());

        line.makeMaster(a);
        assertEquals(0, line.masterChanges(), "the first master is no change");
        assertTrue(line.finish(a, MulticastMember.Left.SERVED), "the master left: none is now");
        assertNull(line.master());
        assertSame(b, line.oldest());
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
        line.passTurn();
        assertNull(line.master());
        assertFalse(silent.done());
        assertTrue(line.contains(silent), "back in the line");
        assertSame(other, line.oldest(), "the next oldest is master next");
        line.makeMaster(other);
        assertTrue(line.finish(other, MulticastMember.Left.SERVED));
        assertSame(silent, line.oldest());
        line.makeMaster(silent);                      // turn 2
        line.passTurn();
        line.makeMaster(line.oldest());               // turn 3
        line.passTurn();
        assertTrue(silent.done(), "three turns without an answer: given up");
        assertFalse(line.contains(silent));
        assertNull(line.oldest());
        assertEquals(1, line.givenUp());
        assertEquals(3, line.masterChanges(), "other, then silent twice more");
    }

    @Test
    void anAnswerClearsTheTurnsLetPass() {
        MulticastClients line = new MulticastClients();
        Client c = line.add(IP, 1000, List.of());
        line.add(IP, 1001, List.of());
        line.makeMaster(c);
        line.passTurn();
        line.makeMaster(line.find(IP, 1001));
        line.passTurn();
        line.makeMaster(c);                            // its second turn
        line.answered(c);                              // it answered: the turns it let pass count no more
        line.passTurn();                               // and fell silent later in the same turn
        line.makeMaster(line.find(IP, 1001));
        line.passTurn();
        line.makeMaster(c);                            // its first silent turn since the answer (its fourth in all)
        line.passTurn();
        assertFalse(c.done(), "one silent turn since its answer, not three");
        assertTrue(line.contains(c));
        assertEquals(0, line.givenUp());
    }

    @Test
    void droppingAllReturnsTheLineOldestFirstAndLeavesNoMaster() {
        MulticastClients line = new MulticastClients();
        Client a = line.add(IP, 1000, List.of());
        Client b = line.add(IP, 1001, List.of());
        line.makeMaster(b);
        assertEquals(List.of(a, b), line.dropAll());
        assertNull(line.master());
        assertNull(line.oldest());
        assertEquals(2, line.joined());
    }
}
