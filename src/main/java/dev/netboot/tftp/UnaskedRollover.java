package dev.netboot.tftp;

import dev.netboot.wire.TftpWire;

/**
 * How a read tells where a server wraps its block numbers past 65535 when no {@code rollover} option said so (the
 * client's "Block numbers past 65535"): RFC 1350 numbers blocks in 16 bits and says nothing of the wrap; servers
 * wrap to 0 (the default here) or to 1. In lock-step, DATA 1 where 0 was due marks a server that wraps to 1. With
 * an RFC 7440 window the same packet could be block 65537 after a lost block 0; but a server that wraps to 0
 * answers our ACK of 65535 with 0 first, so {@link #WRAP_EVIDENCE} answers of 1 to it, and never a 0, mark a server
 * that wraps to 1, trusted only when an RFC 2349 tsize can check the guess. What it learns goes into its client's
 * {@code rolloverTo} and {@code rolloverKnown}; {@link Download} asks it about each DATA while that is open.
 */
final class UnaskedRollover {
    /** Answers of DATA 1 to our ACK of 65535, never a 0, that make the client take the server for one that wraps to 1. */
    static final int WRAP_EVIDENCE = 3;

    /** {@link #onData}: nothing changes for this block. */
    static final int SAME = 0;
    /** {@link #onData}: the server wraps to 1 after all; the blocks held under the other numbering are void. */
    static final int RENUMBERED = 1;
    /** {@link #onData}: the transfer failed (the server told why). */
    static final int FAILED = 2;

    private final TftpClient c;
    // Past 65535 with a window and no rollover option: how many times our ACK of the block numbered 65535 was
    // answered with DATA 1 rather than 0, and whether the next DATA answers such an ACK.
    private int oneForZero;
    private boolean askedPastWrap;

    UnaskedRollover(TftpClient client) {
        this.c = client;
    }

    /** Our ACK of block {@code received} (in order) went out: notes whether the next DATA answers an ACK of 65535. */
    void acked(long received) {
        askedPastWrap = c.windowSize > 1 && !c.rolloverKnown && c.rolloverTo == 0 && (received & 0xFFFF) == 0xFFFF;
    }

    /**
     * DATA {@code b} came while block {@code expected} was due, under an announced size of {@code tsize} (-1: none):
     * {@link #SAME}, {@link #RENUMBERED} or {@link #FAILED}.
     */
    int onData(long now, int b, long expected, long tsize) {
        boolean answer = askedPastWrap;
        askedPastWrap = false;
        if (!c.rolloverKnown && c.rolloverTo == 0 && (expected & 0xFFFF) == 0) {
            return wrap(now, b, answer, tsize);
        }
        return SAME;
    }

    /**
     * Block 65536 is due (wire number 0 where servers wrap to 0) and DATA {@code b} came; {@code answer} says it is
     * the first DATA after our ACK of 65535. In lock-step, 1 marks a server that wraps to 1. With a window, 1 could
     * also be block 65537 after a lost 0; but a server that wraps to 0 answers our ACK of 65535 with 0 first, so a
     * 1 there, {@link #WRAP_EVIDENCE} times and never a 0, marks a server that wraps to 1 unasked. That is trusted
     * only when the server announced a size (tsize): a wrong guess shifts every later block by one and the last one
     * then misses the size, which fails the transfer before anything is committed. Without one, the transfer fails
     * with the cause.
     */
    private int wrap(long now, int b, boolean answer, long tsize) {
        if (c.windowSize == 1) {
            if (b == 1) {
                c.rolloverTo = 1; // lock-step, 0 was due after 65535 and 1 came: this server wraps to 1
            }
            return SAME;
        }
        if (b == 0) {
            c.rolloverKnown = true; // seen: this server wraps to 0
            return SAME;
        }
        if (b != 1 || !answer || ++oneForZero < WRAP_EVIDENCE) {
            return SAME;
        }
        if (tsize < 0) {
            String why = "TFTP: server " + c.server + ":" + c.tid + " numbers the block after 65535 as 1, not 0, without the"
                    + " rollover option; with a window that cannot be told from a lost block 0, and it announced no size"
                    + " (tsize) to check it by: use windowsize 1 (or a server that answers rollover)";
            c.errors.send(now, c.serverIp, c.tid, TftpWire.ERR_NOT_DEFINED, why.substring(6));
            c.fail(new TftpFailure(TftpFailure.Kind.PROTOCOL, TftpWire.ERR_NOT_DEFINED, why));
            return FAILED;
        }
        c.rolloverTo = 1;
        c.rolloverKnown = true;
        return RENUMBERED;
    }
}
