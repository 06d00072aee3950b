package dev.netboot.emulator;

import java.util.Locale;

/**
 * How many transfers a {@link TftpServer} runs at once, and what it does with a request past that: the limits
 * real servers have. dnsmasq's {@code --tftp-max} (default 50) stops reading its port 69 while that many run, so
 * requests wait in the socket's receive queue and are served as transfers end (those past the queue are lost);
 * atftpd's {@code --maxthread} (default 100) reads the request and drops it; tftpd-hpa forks a process per
 * request and has no limit. A client that hears nothing sends its request again after its timeout.
 *
 * @param maxTransfers transfers running at once (downloads and uploads); 0 for no limit (tftpd-hpa)
 * @param whenFull     what a request past the limit gets
 * @param requestQueue requests port 69 holds while the server does not read it ({@link WhenFull#WAIT}); more are
 *                     lost, as when a socket's receive buffer is full
 */
public record TftpServerLimits(int maxTransfers, WhenFull whenFull, int requestQueue) {
    /** What happens to a request that comes while {@code maxTransfers} run. */
    public enum WhenFull {
        /** It waits in port 69's queue and is served when a transfer ends (dnsmasq). */
        WAIT,
        /** It is read and dropped (atftpd). */
        DROP,
        /** It gets ERROR 0 "Server busy". */
        BUSY;

        /** Returns the name as scenario files spell it. */
        public String spelling() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** No limit on transfers (tftpd-hpa); a queue of 256 requests, should one be set. */
    public static final TftpServerLimits NONE = new TftpServerLimits(0, WhenFull.WAIT, 256);

    /** Checks the ranges. */
    public TftpServerLimits {
        if (maxTransfers < 0 || requestQueue < 0 || whenFull == null) {
            throw new IllegalArgumentException("TFTP server limits: " + maxTransfers + " transfers, queue " + requestQueue
                    + ", when full " + whenFull + " (expected: transfers >= 0, 0 for no limit; queue >= 0)");
        }
    }

    /** Returns whether {@code running} transfers leave room for another. */
    boolean room(int running) {
        return maxTransfers == 0 || running < maxTransfers;
    }
}
