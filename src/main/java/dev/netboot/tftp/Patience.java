package dev.netboot.tftp;

import dev.netboot.wire.Ipv4Address;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * The give-up budget of one transfer ({@link TftpConfig#giveUp()}): since when its {@link TftpClient} waits for
 * what it needs next (the answer to its request, the next DATA, the ACK that moves the window), and the
 * counters of what it ignored meanwhile. The budget is time, not a count of retransmissions: a measured
 * timeout of 20 ms makes the client send its last packet again sooner, never give up sooner; and packets
 * that bring nothing new (duplicates, strangers, junk) do not keep a dead transfer alive. When the budget
 * runs out, {@link #message} says in one line what was missing, how long, and what came instead, so a user
 * never reads "no answer" while packets kept arriving.
 */
final class Patience {
    private final TftpClient c;
    private long since;
    private long duplicates, strays, dropped, retransmissions; // the client's counters at the last progress
    private long fragments; // the stack's IPv4 fragments dropped, at the last progress

    Patience(TftpClient client) {
        this.c = client;
    }

    /** The client has what it waited for: the clock restarts at {@code now}. */
    void restart(long now) {
        since = now;
        duplicates = c.duplicates;
        strays = c.errors.strayPackets;
        dropped = c.dropped;
        retransmissions = c.retransmissions;
        fragments = c.net.fragmentsDropped();
    }

    /** Returns when the budget runs out, or {@link Long#MAX_VALUE} when that is past the end of time. */
    long endsAt() {
        long end = since + c.config.giveUp();
        return end < since ? Long.MAX_VALUE : end;
    }

    /** Returns whether the whole budget has passed since the last progress. */
    boolean spent(long now) {
        return now - since >= c.config.giveUp();
    }

    /**
     * Returns the failure line: "TFTP: {@code missing} in 25 s (12 retransmissions{@code of}); 183,000 stale packets
     * ignored: 183,000 duplicates", or "...; nothing else came"; IPv4 fragments the stack dropped meanwhile are named
     * too (a block size the path's MTU cannot carry whole: the server's DATA came, in pieces).
     */
    String message(long now, String missing, String of) {
        long again = c.retransmissions - retransmissions;
        long dup = c.duplicates - duplicates;
        long stray = c.errors.strayPackets - strays;
        long junk = c.dropped - dropped;
        long stale = dup + stray + junk;
        StringBuilder m = new StringBuilder("TFTP: ").append(missing).append(" in ").append(seconds(now - since))
                .append(" s (").append(count(again)).append(again == 1 ? " retransmission" : " retransmissions").append(of).append(')');
        long frag = c.net.fragmentsDropped() - fragments;
        if (frag > 0) {
            // What the server sent did not fit the path's MTU whole: the stack does not reassemble, so no "nothing else came".
            m.append("; ").append(count(frag)).append(frag == 1 ? " IP fragment" : " IP fragments")
                    .append(" dropped (this stack does not reassemble: blocks of ").append(c.blockSize)
                    .append(" bytes do not fit the path's MTU; ask for smaller ones)");
        }
        if (stale == 0) {
            return frag > 0 ? m.toString() : m.append("; nothing else came").toString();
        }
        m.append("; ").append(count(stale)).append(stale == 1 ? " stale packet" : " stale packets").append(" ignored:");
        String sep = " ";
        if (dup > 0) {
            m.append(sep).append(count(dup)).append(dup == 1 ? " duplicate" : " duplicates");
            sep = ", ";
        }
        if (stray > 0) {
            // The last one's address: a server answering from another of its addresses is the usual cause.
            m.append(sep).append(count(stray)).append(" from other transfer IDs (the last from ")
                    .append(new Ipv4Address(c.errors.lastStrayIp)).append(':').append(c.errors.lastStrayPort).append(')');
            sep = ", ";
        }
        if (junk > 0) {
            m.append(sep).append(count(junk)).append(" malformed or unexpected");
        }
        return m.toString();
    }

    /** Returns {@code n} with thousands separators: "183,183". */
    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Returns nanoseconds as seconds to the millisecond without trailing zeros: "25", "0.14". */
    static String seconds(long nanos) {
        return BigDecimal.valueOf(Math.round(nanos / 1e6), 3).stripTrailingZeros().toPlainString();
    }
}
