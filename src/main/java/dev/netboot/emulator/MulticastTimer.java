package dev.netboot.emulator;

/**
 * The master's timer in one {@link TftpMulticastSession} (RFC 2090): how long the master has to answer what went to it
 * or to the group, and what its silence calls for. It decides; the session sends and moves the turn.
 *
 * <ul>
 *   <li>A master silent through the retries loses its turn ({@link Step#PASS}): "In the event a client fails to respond
 *       in a timely manner to a OACK enabling it as the master client, the server shall select the next" client; a new
 *       master that never answered its OACK gets {@link #OACK_TRIES} of them, one that did the server's retries.
 *       A master that answers its OACK {@link #OACK_TRIES} times in its turn without ever taking a block (acknowledging
 *       the one sent to the group in its turn) is deaf to the group (no route to it, a switch that does not forward it) and loses its
 *       turn too ({@link #deaf}): each of its ACK 0 started the retries again and brought block 1 again, which held
 *       the transfer at block 1 for ever, every other client waiting behind it.</li>
 *   <li>Otherwise each timeout sends again: the block the stream is at ({@link Step#DATA}), but every second time the
 *       master's OACK with mc=1 instead ({@link Step#OACK}; always while the master has not answered its OACK, or no
 *       block went yet), which a master answers with an ACK of what it holds in order, whatever it holds. A client that
 *       acknowledges a block it holds already once only, then waits for its own timeout, a silence on the wire, to
 *       acknowledge again (atftp 0.8: "got wrong block, sending extra ACK", then "ignoring"; its timer starts again at
 *       every datagram) would otherwise never answer again when both its ACKs were lost and the block came every
 *       timeout, shorter than its own: 20 retries of block 48 at 200 ms went unanswered and the turn passed (1
 *       ServeMulticastTest run in 3, --corrupt 0.05). Backing off instead would silence the clients waiting their turn
 *       too: atftp gives up after 10 of its timeouts without a datagram.</li>
 * </ul>
 */
final class MulticastTimer {
    /**
     * Times the OACK making a client master is sent before the turn passes on: "In the event a client fails to
     * respond in a timely manner to a OACK enabling it as the master client, the server shall select the next".
     */
    static final int OACK_TRIES = 3;

    /** What the time calls for. */
    enum Step {
        /** Nothing yet: the timeout has not passed. */
        WAIT,
        /** The master is silent through its retries: its turn passes to the next oldest client. */
        PASS,
        /** The master's OACK with mc=1 again. */
        OACK,
        /** The block the stream is at, again. */
        DATA
    }

    private final long timeout;
    private final int maxRetries;
    private long retryAt = Long.MAX_VALUE;
    private int retries;
    private boolean progressed;       // the master took a block in its turn (acknowledged one it had not before)
    private int deafAnswers;          // its answers to its OACK (mc=1) in its turn, none taking a block

    /** The timer of a transfer running with {@code timeout} (ns) and the server's {@code maxRetries}. */
    MulticastTimer(long timeout, int maxRetries) {
        this.timeout = timeout;
        this.maxRetries = maxRetries;
    }

    /** A client was made master at {@code now}, its OACK with mc=1 sent: it has its retries afresh. */
    void masterMade(long now) {
        retries = 0;
        progressed = false;
        deafAnswers = 0;
        retryAt = now + timeout;
    }

    /**
     * The master answered: its retries start again. {@code took}: it acknowledged the block sent to the group in its turn;
     * {@code oack}: its ACK answered its OACK (mc=1).
     */
    void answered(boolean took, boolean oack) {
        retries = 0;
        progressed |= took;
        if (oack && !took) {
            deafAnswers++;
        }
    }

    /** Returns whether the master answered its OACK {@link #OACK_TRIES} times in its turn without taking a block. */
    boolean deaf() {
        return !progressed && deafAnswers >= OACK_TRIES;
    }

    /** A block went to the group at {@code now}: the timeout runs from it. */
    void sent(long now) {
        retryAt = now + timeout;
    }

    /** No client is left: the timer stops. */
    void stop() {
        retryAt = Long.MAX_VALUE;
    }

    /** Returns when the timeout passes. */
    long retryAt() {
        return retryAt;
    }

    /**
     * Returns what {@code now} calls for, the master's OACK being unanswered or not ({@code oackPending}) and a block
     * having gone to the group in its turn or not ({@code streamStarted}); a retry counts and its timeout runs from now.
     */
    Step due(long now, boolean oackPending, boolean streamStarted) {
        if (now < retryAt) {
            return Step.WAIT;
        }
        if (deaf() || retries >= (oackPending ? Math.min(OACK_TRIES, maxRetries) : maxRetries)) {
            return Step.PASS;
        }
        retries++;
        retryAt = now + timeout;
        return oackPending || !streamStarted || retries % 2 == 0 ? Step.OACK : Step.DATA;
    }
}
