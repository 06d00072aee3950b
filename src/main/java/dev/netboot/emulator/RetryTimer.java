package dev.netboot.emulator;

/**
 * A read session's retransmission timer (RFC 1350 section 2: "If a packet gets lost in the network, the intended
 * recipient will timeout and may retransmit"): how long the session waits for an ACK before it sends what is out again,
 * and when it gives up. The wait is the session's timeout (the server's, or the client's RFC 2349 {@code timeout}),
 * doubled for each retransmission left unanswered up to {@link TftpServerConfig#maxTimeout()}, as tftpd-hpa waits; with
 * that at most the timeout (the emulator's default), every wait is the timeout.
 *
 * <p>Why double: a client that acknowledges a block it holds already only once and then waits for its own timer, a
 * silence on the wire, before it acknowledges again (atftp 0.8: "got wrong block, sending extra ACK" once, then
 * "ignoring", its 5 s timer starting again at every datagram) is never given that silence by a server resending every
 * timeout shorter than its own: with its ACK and that one extra ACK lost, it stalls until the server gives up. Doubling
 * waits past its timer, and it speaks.
 *
 * <p>Not when what is out reaches the file's last block: a client holding it all has ended (RFC 1350 section 6: the
 * host acknowledging the final DATA "may terminate its side of the connection on sending the final ACK"), and waiting
 * longer would only hold off the server's conclusion; one missing some of it takes the block it waits for, in order,
 * from the window sent again.
 */
final class RetryTimer {
    private final long timeout;
    private final long longest;
    private final int maxRetries;

    /** The timer of a session running with {@code timeout} (ns) under {@code config}'s longest wait and retries. */
    RetryTimer(long timeout, TftpServerConfig config) {
        this.timeout = timeout;
        this.longest = config.maxTimeout();
        this.maxRetries = config.maxRetries();
    }

    /**
     * Returns the wait (ns) after the {@code retries}-th retransmission of what is out (0: its first sending), which
     * {@code reachesLastBlock} or not.
     */
    long waitAfter(int retries, boolean reachesLastBlock) {
        if (longest <= timeout || retries == 0 || reachesLastBlock) {
            return timeout;
        }
        long t = timeout;
        for (int i = 0; i < retries && t < longest; i++) {
            t <<= 1;
        }
        return Math.min(t, longest);
    }

    /** Returns whether, after {@code retries} retransmissions went unanswered, the session gives up. */
    boolean exhausted(int retries) {
        return retries >= maxRetries;
    }
}
