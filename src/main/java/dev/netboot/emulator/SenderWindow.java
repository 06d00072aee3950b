package dev.netboot.emulator;

import dev.netboot.tftp.BlockNumbers;

/**
 * The sending side of an RFC 7440 window for one {@link TftpSession}: which blocks are out, which go next, and what
 * an ACK means for them. It decides; the session sends, keeps the timer and counts. Block n is 1-based and counted
 * in a {@code long}; an ACK's 16-bit number is read against {@link #base()} ({@link BlockNumbers#seq}).
 *
 * <ul>
 *   <li>A window is blocks {@code first .. first + windowSize - 1}, never past the last block, handed over one at a
 *       time ({@link #take()}), in a shuffled order when {@link TftpQuirks#shuffle()} asks for it.</li>
 *   <li>An ACK of the window's end, or of all that went out, or any ACK in lock-step, calls for the next window
 *       ({@link Step#WINDOW}). An ACK of an earlier block names a hole: the window slides on to end at the ACK plus
 *       the window, and the block after the ACK goes again alone ({@link Step#HOLE}). When the ACK answering that
 *       single resend names exactly it, the client kept nothing past the hole, and the window restarts after it (RFC
 *       7440 section 4: "The notified DSND SHOULD send a new data block window whose beginning MUST be set based on
 *       the ACK received out of sequence"). With {@link TftpQuirks#restartWindows()} every ACK short of the window's
 *       end restarts it, RFC 7440's plain recovery as atftpd 0.8 does it.</li>
 *   <li>A duplicate ACK (of block base-1) with a window is the receiver's note of a lost block base: it goes again
 *       alone, but not when it was already sent again (alone or first of a restarted window) within the last
 *       smoothed round trip ({@link #onDuplicate}); in lock-step it asks for nothing (RFC 1123 section 4.2.3.1: "The
 *       sender ... must never resend the current DATA packet on receipt of a duplicate ACK"), unless
 *       {@link TftpQuirks#sorcerersApprentice()} asks for the bug that rule forbids: block base again at every one.</li>
 *   <li>Round trips are measured as Karn says, from packets sent once only: the OACK to ACK 0, and a window's last
 *       block to its ACK; they are smoothed with a gain of 1/8.</li>
 * </ul>
 */
final class SenderWindow {
    /** What an ACK calls for. */
    enum Step {
        /** The last block is acknowledged: the transfer is complete. */
        COMPLETE,
        /** Start a window from {@link #base()}. */
        WINDOW,
        /** Send block {@link #base()} again alone, ahead of the rest of the window ({@link #resendAlone}). */
        HOLE,
        /** A duplicate ACK, of the block before {@link #base()}. */
        DUPLICATE,
        /** Nothing: the ACK names no block that is out, nor the one before them. */
        STRAY,
        /** Send block {@link #base()} again at once, the timer left as it is: the Sorcerer's Apprentice bug. */
        AGAIN,
        /** Nothing to send for this duplicate ACK. */
        NOTHING
    }

    private final int windowSize;
    private final int rolloverTo;
    private final long timeout;
    private long lastBlock;     // Long.MAX_VALUE while not known (netascii: until the last block is made)
    private final boolean restarts;
    private final boolean apprentice; // TftpQuirks.sorcerersApprentice: every duplicate ACK sends block base again
    private final SessionQuirks quirks;
    private final int[] order;    // the order the current window's blocks go out in (shuffled windows)
    private long windowStart;     // the first block of the window being handed over
    private int orderLen;         // blocks of that window in order[]
    private long base = 1;      // first block not acknowledged
    private long next = 1;      // next block of the current window to hand to the port
    private long end;           // last block of the current window
    private long highestSent;
    private long resend = -1;   // a block to send again before the next of the window, or -1
    private long lastResent = -1; // the block last sent again, alone or first of a restarted window, and when
    private long lastResentAt;
    // The block last resent alone, while no window restart has sent the blocks after it again; -1 otherwise.
    // An ACK of exactly it shows that the client kept nothing past it.
    private long aloneResent = -1;
    private long srtt = -1;     // smoothed round trip (Karn: packets sent once), to space repeated single resends
    private long sampleBlock = -1; // a window's last block, sent once; its ACK measures a round trip
    private long sampleAt;
    private boolean oackSample;    // the OACK went once: ACK 0 measures a round trip
    private long acked;

    /**
     * A window over {@code lastBlock} blocks ({@link ReadBlocks#UNKNOWN}: not known yet, see {@link #lastBlockIs}) of
     * {@code params}' window size, whose round trip is taken to be the timeout until one is measured; {@code quirks}
     * (null: well-behaved) may shuffle windows, restart them on every short ACK or answer every duplicate ACK.
     */
    SenderWindow(TftpServerSession.Params params, long lastBlock, SessionQuirks quirks) {
        this.windowSize = params.windowSize();
        this.rolloverTo = params.rolloverTo();
        this.timeout = params.timeout();
        this.lastBlock = lastBlock == ReadBlocks.UNKNOWN ? Long.MAX_VALUE : lastBlock;
        this.quirks = quirks;
        this.restarts = quirks != null && quirks.quirks().restartWindows();
        this.apprentice = quirks != null && quirks.quirks().sorcerersApprentice();
        this.order = quirks != null && quirks.quirks().shuffle() ? new int[windowSize] : null;
    }

    /**
     * The last block is {@code b}, learnt when it was made (a netascii transfer's size is known only then): the window
     * ends there. A block handed over is never past it: blocks are made in order, and a shuffled window is only
     * started once its blocks are known to exist ({@link #shuffled}).
     */
    void lastBlockIs(long b) {
        lastBlock = b;
        end = Math.min(end, b);
    }

    /** Returns whether the last block is known. */
    boolean lastBlockKnown() {
        return lastBlock != Long.MAX_VALUE;
    }

    /** Returns whether the current window ends with the file's last block (a netascii one's is known once made). */
    boolean reachesLastBlock() {
        return end >= lastBlock;
    }

    /** Returns whether windows go out in a shuffled order ({@link TftpQuirks#shuffle()}). */
    boolean shuffled() {
        return order != null;
    }

    /** Returns the first block not acknowledged. */
    long base() {
        return base;
    }

    /** Returns the highest block handed over. */
    long highestSent() {
        return highestSent;
    }

    /** Returns the blocks acknowledged. */
    long acked() {
        return acked;
    }

    /** Puts the window mid-transfer: blocks before {@code base} acknowledged, up to {@code sent} out (-1: leave that). */
    void setForTest(long base, long sent) {
        this.base = base;
        if (sent >= 0) {
            highestSent = sent;
            next = sent + 1;
            end = sent;
        }
    }

    /** The OACK went out for the first time at {@code now}. */
    void oackSent(long now) {
        oackSample = true;
        sampleAt = now;
    }

    /** The OACK went out again: ACK 0 may answer either copy (Karn). */
    void oackResent() {
        oackSample = false;
    }

    /** ACK 0 accepted the OACK at {@code now}. */
    void oackAcked(long now) {
        if (oackSample) {
            srtt = now - sampleAt;
        }
    }

    /** Starts the window {@code first ..}: at most windowSize blocks, never past the last. */
    void start(long now, long first) {
        next = first;
        windowStart = first;
        end = Math.min(first + windowSize - 1, lastBlock);
        if (order != null) {
            orderLen = (int) (end - first + 1);
            quirks.windowOrder(order, orderLen);
        }
        resend = -1;
        if (first <= highestSent) {
            sampleBlock = -1;
            aloneResent = -1; // the blocks after any single resend go again: an ACK past it will show nothing
            lastResent = first; // a duplicate ACK of first - 1 already in flight must not send it once more
            lastResentAt = now;
        }
    }

    /** Marks block {@code b} to go again ahead of the rest of the window. */
    void resendAlone(long now, long b) {
        resend = b;
        lastResent = b;
        aloneResent = b;
        lastResentAt = now;
        if (sampleBlock >= b) {
            sampleBlock = -1; // Karn: the ACK of a block sent twice measures nothing
        }
    }

    /** Returns whether a block waits to be handed over: a single resend, or the rest of the window. */
    boolean hasWork() {
        return resend >= 0 || next <= end;
    }

    /** Returns whether the next block handed over is a single resend. */
    boolean resendPending() {
        return resend >= 0;
    }

    /** Returns the next block to hand over: a pending single resend first, then the window's next (in its order). */
    long take() {
        if (resend >= 0) {
            long b = resend;
            resend = -1;
            return b;
        }
        long b = next++;
        long k = b - windowStart;
        if (order != null && k >= 0 && k < orderLen) {
            b = windowStart + order[(int) k]; // a shuffled window: the k-th block handed over is another one
        }
        return b;
    }

    /** Block {@code b} (from {@link #take()}) went out at {@code now}. */
    void sent(long now, long b) {
        if (b > highestSent) {
            highestSent = b;
            if (b == end) {
                sampleBlock = b; // sent once, the window's last: its ACK comes a round trip later
                sampleAt = now;
            }
        }
    }

    /** Takes ACK {@code ack} (its 16-bit number) at {@code now}; returns what it calls for. */
    Step onAck(long now, int ack) {
        long s = BlockNumbers.seq(ack, base, rolloverTo);
        if (s >= base && s <= highestSent) {
            acked += s - base + 1;
            base = s + 1;
            if (sampleBlock >= 0 && s >= sampleBlock) {
                long r = now - sampleAt;
                srtt = srtt < 0 ? r : srtt - srtt / 8 + r / 8;
                sampleBlock = -1;
            }
            if (s == lastBlock) {
                return Step.COMPLETE;
            }
            if (s >= end || s == highestSent || windowSize == 1) {
                return Step.WINDOW; // the window (or all that went out) arrived: the next one
            }
            if (s == aloneResent || restarts) {
                // The ACK covers our single resend and no more: the client kept nothing past the hole, as RFC 7440
                // allows, or dropped it for want of room. Do what the RFC says: a new window from the block after
                // the ACK. (A server that restarts on every ACK does so at once.)
                return Step.WINDOW;
            }
            // RFC 7440 section 4: the client lost block s + 1 and says so at once. A client that keeps the blocks
            // after a hole needs only that block again; the window slides from the ACK and the new blocks keep
            // flowing. Should it have kept nothing, its ACK of exactly this block says so (above).
            end = Math.min(base + windowSize - 1, lastBlock);
            sampleBlock = -1; // the window's end moved: its ACK comes later than a round trip
            return Step.HOLE;
        }
        return s == base - 1 ? Step.DUPLICATE : Step.STRAY;
    }

    /**
     * Returns what a duplicate ACK at {@code now} calls for: with a window, a restart ({@link Step#WINDOW}) from a
     * server that restarts on every ACK, else block base again alone ({@link Step#HOLE}) at most once a round trip;
     * {@link Step#NOTHING} in lock-step; {@link Step#AGAIN} always from a server with the Sorcerer's Apprentice bug.
     */
    Step onDuplicate(long now) {
        if (apprentice) {
            return Step.AGAIN; // the bug RFC 1123 section 4.2.3.1 forbids, on request
        }
        if (windowSize > 1 && restarts) {
            return Step.WINDOW; // RFC 7440: the last ACK received sets where the window starts
        }
        if (windowSize > 1 && (base != lastResent || now - lastResentAt >= resendSpacing())) {
            return Step.HOLE; // the receiver's note of a lost block base (RFC 7440): send it again, once per round trip
        }
        return Step.NOTHING;
    }

    private long resendSpacing() {
        return srtt > 0 ? srtt : timeout;
    }
}
