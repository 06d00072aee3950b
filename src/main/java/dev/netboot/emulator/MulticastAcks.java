package dev.netboot.emulator;

import dev.netboot.emulator.MulticastClients.Client;

/**
 * What an ACK from a client of one {@link TftpMulticastSession} calls for (RFC 2090), read against the master's stream:
 * the block last sent to the group, when it went, and the master's round trip. It decides; the session sends, keeps
 * the timer and the line of clients ({@link MulticastClients}), and counts.
 *
 * <ul>
 *   <li>An ACK of the last block is its client's end ({@link Step#SERVED}): "Each client must terminate the transfer by
 *       sending an acknowledgment of the last packet". The master's ends its turn.</li>
 *   <li>From a client that is not master, an ACK n &gt; 0 of a block before the stream's, at most
 *       {@link MulticastRewinds#REWIND_AT_ONCE} back, says that the client lost block n + 1 (this project's client
 *       sends it when a block past a gap comes): it is made master at once ({@link Step#REPAIR}), the stream goes back
 *       to n + 1, and the client gets what it lost now, not in a later pass of the rest of the file; but not for a copy
 *       of its ACK n within a round trip of block n + 1 going out (as for the master, below): that block is on its way.
 *       Any other ACK from it (its acknowledgment of its OACK, ACK 0) gets another OACK with mc=0 ({@link Step#OACK}):
 *       "At any point if a client, other than the master client, sends a ACK to the server, the server will respond
 *       with another OACK with the mc field holding a value of zero".</li>
 *   <li>From the master, ACK n sends block n + 1 to the group ({@link Step#NEXT}; lock-step, sent again after the
 *       timeout). A new master's first ACK, after the OACK with mc=1 that made it master (the first client, the next in
 *       line, a client that joined late or lost a block), is answered whatever it names: it asks for a repair; but not
 *       a copy of an ACK of its own that already had the block it asks for sent, within a round trip of that block
 *       going out: that crossed the OACK, whose answer is still to come.</li>
 *   <li>But the master's ACK of a block it had acknowledged already, within a round trip of the block that ACK asks for
 *       going out, is a copy of the ACK already answered, not a note that the block was lost (that comes after the
 *       client's own timeout): it sends nothing ({@link Step#COPY}). RFC 1123 section 4.2.3.1: sending the block again
 *       for it would send every block after it twice (the Sorcerer's Apprentice). So is, at any time, an ACK of a block
 *       before one the master acknowledged in its turn: a copy that came late or out of order (a lock-step master's
 *       ACKs never go back in its turn). The master holds the block after it; from a client that acknowledges every
 *       DATA it gets, duplicates too, sending it again would start a second stream a block behind the first.
 *       A copy is told by the block last sent to the group and when, whoever asked for it: a master change between an
 *       ACK and its copy (a repair, a client leaving, the turn passing, at the same instant) makes the copy no answer.
 *       (Forgetting that block at each change sent block 2 three times in 0.3 ms for two clients' ACK 1 and their
 *       copies: TftpServerFuzzTest::multicast.)</li>
 *   <li>The round trip is measured as Karn says, from a block sent once only to the master's ACK of it, and smoothed
 *       with a gain of 1/8 (as {@link SenderWindow}'s); until one is measured, the timeout stands for it.</li>
 * </ul>
 */
final class MulticastAcks {
    /** What an ACK calls for. */
    enum Step {
        /** The client acknowledged the last block: it is done. */
        SERVED,
        /** A client that is not master lost the block after the one it acknowledged: make it master now. */
        REPAIR,
        /** Another OACK with mc=0 to a client that is not master. */
        OACK,
        /** Nothing: a copy of the master's ACK already answered. */
        COPY,
        /** Send the block after the one acknowledged. */
        NEXT
    }

    private final long lastBlock;
    private final long timeout;
    private boolean oackPending;      // the master's OACK (mc=1) is out, its first ACK not in
    private boolean oackAsked;        // its OACK went again after a timeout, the ACK answering it not in
    private long sent = -1;           // the block last sent in the master's turn (-1: the OACK)
    private long lastSent = -1;       // the block last sent to the group, in any turn (-1: none yet)
    private long sentAt;              // when it was sent
    private boolean sentOnce;         // it went once only: its ACK times a round trip (Karn)
    private long srtt;                // the master's smoothed round trip, DATA to its ACK (0: none measured yet)
    private long turnAcked = -1;      // the highest block the master acknowledged in its turn (-1: none yet)

    /** The ACKs of a file of {@code lastBlock} blocks; its round trip is {@code timeout} until one is measured. */
    MulticastAcks(long lastBlock, long timeout) {
        this.lastBlock = lastBlock;
        this.timeout = timeout;
    }

    /** A client was made master and sent its OACK with mc=1: its first ACK is answered whatever it names. */
    void masterMade() {
        oackPending = true;
        oackAsked = false;
        sent = -1;
        turnAcked = -1;
    }

    /**
     * The master's OACK (mc=1) went again after a timeout: it answers with what it holds in order, whatever it holds, so
     * its next ACK is no late copy even when it names a block before one it acknowledged in its turn (a client that
     * said more than it had, or lost what it had: answered as a copy, its turn passed on its true answers).
     */
    void oackAgain() {
        oackAsked = true;
    }

    /** Returns whether the master's next ACK answers its OACK (mc=1): the first, or one sent again after a timeout. */
    boolean answersOack() {
        return oackPending || oackAsked;
    }

    /** Returns whether the master's OACK (mc=1) is out and its first ACK not in. */
    boolean oackPending() {
        return oackPending;
    }

    /** Returns the block the master's stream is at: the last it sent to the group, or -1 before its first. */
    long position() {
        return sent;
    }

    /** Block {@code b} went to the group at {@code now}; {@code again}: it had gone before. */
    void sent(long now, long b, boolean again) {
        sent = b;
        lastSent = b;
        sentAt = now;
        sentOnce = !again;
    }

    /** Takes ACK {@code n} from {@code from} ({@code master}: the master) at {@code now}; returns what it calls for. */
    Step onAck(long now, Client from, boolean master, long n) {
        long ackedBefore = from.acked();
        from.acked(Math.min(n, lastBlock));
        if (n >= lastBlock) {
            return Step.SERVED;
        }
        boolean copy = n + 1 == lastSent && ackedBefore >= n && now - sentAt < copySpacing();
        if (!master) {
            boolean lost = n >= 1 && n < sent && sent - n <= MulticastRewinds.REWIND_AT_ONCE && !copy;
            return lost ? Step.REPAIR : Step.OACK;
        }
        // Its OACK (mc=1) pending, only a copy of its own ACK that already had block n + 1 sent, within a round trip
        // of it going out, is no answer; any other ACK, its ACK 0 of an earlier OACK (mc=0) again say, is one.
        boolean ownCopy = from.askedFor() == n + 1 && n + 1 == lastSent && now - sentAt < copySpacing();
        if (oackPending ? ownCopy : copy || !oackAsked && n < turnAcked) {
            return Step.COPY;
        }
        if (n == sent && sentOnce) {
            long sample = now - sentAt;
            srtt = srtt == 0 ? sample : srtt + (sample - srtt) / 8;
        }
        turnAcked = oackPending || oackAsked ? n : Math.max(turnAcked, n); // what it says it holds, answering its OACK
        oackPending = false;
        oackAsked = false;
        from.askedFor(n + 1);
        return Step.NEXT;
    }

    /** How soon after a block went out an ACK asking for it again is a copy: a round trip (the timeout till one is measured). */
    private long copySpacing() {
        return srtt > 0 ? srtt : timeout;
    }
}
