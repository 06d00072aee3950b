package dev.netboot.tftp;

/**
 * Settings of the TFTP client: retransmission timing, and what it negotiates (RFC 2347-2349, RFC 7440).
 * Times are nanoseconds.
 *
 * <p>The retransmission timeout starts at {@code timeout}; RTT samples then move it to
 * {@code SRTT + 4 × RTTVAR} (RFC 6298), kept within {@code [minTimeout, maxTimeout]}; each timeout
 * without an answer doubles it, up to {@code maxTimeout} (RFC 1123 section 4.2.3.2 asks for backoff).
 *
 * <p>Giving up is a budget of time, not a count of retransmissions: the transfer fails when what it waits
 * for (the answer to the request, the next DATA, the ACK that moves the window) has not come for
 * {@code giveUp}, whatever else arrived meanwhile and however often a short measured timeout sent the last
 * packet again. Unless set, it is {@link #giveUpFor}: as long as {@code maxRetries} retransmissions take at
 * the initial {@code timeout}, each wait doubling up to {@code maxTimeout} (1 s and 6 retries: 1 + 2 + 4 +
 * 8 + 8 + 8 + 8 = 39 s), so a measured round trip makes the client retransmit sooner, never give up sooner.
 *
 * @param timeout       initial retransmission timeout, before any RTT sample
 * @param minTimeout    the least the RTT estimate may bring the timeout down to
 * @param maxTimeout    the most the timeout may grow to, backoff included
 * @param maxRetries    retransmissions at the initial timeout that {@link #giveUpFor} turns into the default
 *                      {@code giveUp}; not a limit by itself
 * @param blockSize     block size to ask for (RFC 2348, 8..65464), or {@link #AUTO}: the largest that fits
 *                      the link MTU without IP fragmentation (1468 at MTU 1500). Never more than the link carries.
 * @param windowSize    RFC 7440 window to ask for, 1..{@link #MAX_WINDOW_SIZE}; 1 is RFC 1350 lock-step and is not sent; or
 *                      {@link #AUTO}: sized from the path by whoever starts the client, which must set a
 *                      number first ({@link #withWindow}): a board does so from its link's rate and round trip
 * @param options       whether requests carry options at all; false is plain RFC 1350 (512 bytes, window 1)
 * @param tsize         whether requests carry {@code tsize} (RFC 2349): the size before the first byte on a
 *                      read, the file's size on a write
 * @param rollover      tftpd-hpa's {@code rollover} option to ask for: 0 or 1 (the block after 65535),
 *                      or -1 not to ask; see {@link TftpClient} for what happens unasked
 * @param serverTimeout RFC 2349 {@code timeout} to ask the server for, in seconds 1..255, or 0 not to ask
 * @param reorderBudget bytes of RAM for blocks that arrive ahead of a gap; the client holds at most
 *                      {@code min(window × blksize, reorderBudget)} bytes and drops what does not fit
 * @param giveUp        how long the client waits for what it needs next before the transfer fails, nanoseconds
 * @param multicast     whether a read asks for RFC 2090 {@code multicast}: the server may then send the file to a group
 *                      many clients share; a server that does not answer the option gets an ordinary transfer
 */
public record TftpConfig(long timeout, long minTimeout, long maxTimeout, int maxRetries, int blockSize, int windowSize,
                         boolean options, boolean tsize, int rollover, int serverTimeout, long reorderBudget, long giveUp,
                         boolean multicast) {
    /** {@link #blockSize} meaning "the largest that fits the link MTU"; {@link #windowSize} meaning "from the path". */
    public static final int AUTO = 0;
    /** Smallest block size of RFC 2348. */
    public static final int MIN_BLOCK_SIZE = 8;
    /** Largest block size of RFC 2348. */
    public static final int MAX_BLOCK_SIZE = 65464;
    /**
     * Largest window netboot asks for, or its emulated server grants: 32767, half the block numbers, not RFC 7440's
     * 65535 ({@link #WINDOWSIZE_OPTION_MAX}). Block numbers are 16 bits and wrap past 65535 (RFC 1350; see
     * {@link BlockNumbers}), and a receiver knows a block only by its number. After acknowledging block {@code a} it
     * may be sent the next window, {@code a + 1 .. a + w}, and, should its ACK be lost, the last one again,
     * {@code a - w + 1 .. a} (RFC 7440 section 4: "the last received ACK SHALL set the beginning of the next
     * windowsize data block window"): {@code 2w} blocks, which have {@code 2w} different numbers only while
     * {@code 2w} is no more than the numbers in a cycle: 65536 for a server that wraps to 0, 65535 for one that wraps
     * to 1. With a larger window on a file past 65535 blocks a block sent again can look like a new one, and the
     * window's last ACK like an old one to its sender: the transfer stalls, or takes the wrong block. The same
     * holds for the ACKs a sender reads, so a server granting more cannot serve such a file either.
     */
    public static final int MAX_WINDOW_SIZE = 32767;
    /**
     * Largest {@code windowsize} a request may carry (RFC 7440 section 3: "between 1 and 65535 blocks, inclusive"):
     * what a server must accept from a client, granting at most {@link #MAX_WINDOW_SIZE} of it (its OACK may
     * answer less than asked).
     */
    public static final int WINDOWSIZE_OPTION_MAX = 65535;
    /** Why a window over {@link #MAX_WINDOW_SIZE} is refused, for the one line that refuses it. */
    public static final String WINDOW_LIMIT_WHY = "a larger window spans over half the 16-bit block numbers,"
            + " so past block 65535 a block sent again would look new";

    /** 1 s fixed timeout (8 s with backoff), 8 retries, 512-byte blocks, no options: plain RFC 1350. */
    public static final TftpConfig DEFAULTS = new TftpConfig(1_000_000_000L, 8, 512);

    /** Checks the ranges. */
    public TftpConfig {
        if (timeout <= 0 || minTimeout <= 0 || minTimeout > timeout || maxTimeout < timeout || maxRetries < 0
                || (blockSize != AUTO && (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE))
                || windowSize < 0 || windowSize > MAX_WINDOW_SIZE || rollover < -1 || rollover > 1
                || serverTimeout < 0 || serverTimeout > 255 || reorderBudget < 0 || giveUp < timeout) {
            throw new IllegalArgumentException("TFTP settings: timeout " + timeout + " ns (min " + minTimeout + ", max "
                    + maxTimeout + "), retries " + maxRetries + ", block size " + blockSize + ", window " + windowSize
                    + ", rollover " + rollover + ", server timeout " + serverTimeout + " s, reorder budget " + reorderBudget
                    + ", give-up " + giveUp + " ns (expected: 0 < min <= timeout <= max, retries >= 0, block size 0 (auto) or"
                    + " 8..65464, window 0 (auto) or 1.." + MAX_WINDOW_SIZE + ", rollover -1..1, server timeout 0..255, budget >= 0, give-up >= timeout)");
        }
    }

    /** Settings whose give-up budget is {@link #giveUpFor} their timeouts and retries, not asking for multicast. */
    public TftpConfig(long timeout, long minTimeout, long maxTimeout, int maxRetries, int blockSize, int windowSize,
                      boolean options, boolean tsize, int rollover, int serverTimeout, long reorderBudget) {
        this(timeout, minTimeout, maxTimeout, maxRetries, blockSize, windowSize, options, tsize, rollover, serverTimeout,
                reorderBudget, giveUpFor(timeout, maxTimeout, maxRetries), false);
    }

    /** Settings giving up after {@code giveUp} without what the client waits for, not asking for multicast. */
    public TftpConfig(long timeout, long minTimeout, long maxTimeout, int maxRetries, int blockSize, int windowSize,
                      boolean options, boolean tsize, int rollover, int serverTimeout, long reorderBudget, long giveUp) {
        this(timeout, minTimeout, maxTimeout, maxRetries, blockSize, windowSize, options, tsize, rollover, serverTimeout,
                reorderBudget, giveUp, false);
    }

    /**
     * Returns how long {@code retries} retransmissions take from a first timeout of {@code timeout}, each wait
     * doubling up to {@code maxTimeout} (RFC 1123 section 4.2.3.2): the sum of {@code retries + 1} waits.
     */
    public static long giveUpFor(long timeout, long maxTimeout, int retries) {
        long total = 0;
        long wait = timeout;
        for (int i = 0; i <= retries; i++) {
            total = Math.addExact(total, Math.min(wait, maxTimeout));
            wait = wait >= maxTimeout ? maxTimeout : wait << 1;
        }
        return total;
    }

    /**
     * The classic settings: a fixed {@code timeout} (the RTT estimate may only raise it), backoff up to 8 ×,
     * window 1, and options only when {@code blockSize} is not 512 (then {@code blksize} and {@code tsize}).
     */
    public TftpConfig(long timeout, int maxRetries, int blockSize) {
        this(timeout, timeout, timeout * 8, maxRetries, blockSize, 1, blockSize != 512, true, -1, 0, 0);
    }

    /** Returns these settings asking for {@code size} ({@link #AUTO} for the MTU's largest), options on. */
    public TftpConfig withBlockSize(int size) {
        return new TftpConfig(timeout, minTimeout, maxTimeout, maxRetries, size, windowSize, true, tsize, rollover,
                serverTimeout, reorderBudget, giveUp, multicast);
    }

    /** Returns these settings asking for window {@code w} with {@code budget} bytes to hold blocks out of order, options on. */
    public TftpConfig withWindow(int w, long budget) {
        return new TftpConfig(timeout, minTimeout, maxTimeout, maxRetries, blockSize, w, true, tsize, rollover,
                serverTimeout, budget, giveUp, multicast);
    }

    /** Returns these settings with other timeout bounds, and the give-up budget {@link #giveUpFor} them. */
    public TftpConfig withTimeouts(long initial, long min, long max) {
        return new TftpConfig(initial, min, max, maxRetries, blockSize, windowSize, options, tsize, rollover,
                serverTimeout, reorderBudget, giveUpFor(initial, max, maxRetries), multicast);
    }

    /** Returns these settings giving up after {@code nanos} without what the client waits for. */
    public TftpConfig withGiveUp(long nanos) {
        return new TftpConfig(timeout, minTimeout, maxTimeout, maxRetries, blockSize, windowSize, options, tsize, rollover,
                serverTimeout, reorderBudget, nanos, multicast);
    }

    /** Returns these settings with options switched on or off (off: plain RFC 1350, like curl's --tftp-no-options). */
    public TftpConfig withOptions(boolean on) {
        return new TftpConfig(timeout, minTimeout, maxTimeout, maxRetries, blockSize, windowSize, on, tsize, rollover,
                serverTimeout, reorderBudget, giveUp, multicast);
    }

    /** Returns these settings asking for {@code tsize} or not. */
    public TftpConfig withTsize(boolean on) {
        return new TftpConfig(timeout, minTimeout, maxTimeout, maxRetries, blockSize, windowSize, options, on, rollover,
                serverTimeout, reorderBudget, giveUp, multicast);
    }

    /** Returns these settings asking for tftpd-hpa's {@code rollover} option ({@code -1}: don't ask). */
    public TftpConfig withRollover(int r) {
        return new TftpConfig(timeout, minTimeout, maxTimeout, maxRetries, blockSize, windowSize, options, tsize, r,
                serverTimeout, reorderBudget, giveUp, multicast);
    }

    /** Returns these settings asking the server for an RFC 2349 timeout of {@code seconds} (0: don't ask). */
    public TftpConfig withServerTimeout(int seconds) {
        return new TftpConfig(timeout, minTimeout, maxTimeout, maxRetries, blockSize, windowSize, options, tsize,
                rollover, seconds, reorderBudget, giveUp, multicast);
    }

    /** Returns these settings asking for RFC 2090 multicast on reads, or not. */
    public TftpConfig withMulticast(boolean on) {
        return new TftpConfig(timeout, minTimeout, maxTimeout, maxRetries, blockSize, windowSize, options || on, tsize, rollover,
                serverTimeout, reorderBudget, giveUp, on);
    }

    /**
     * Returns these settings not asking for multicast, with options as a profile without {@code multicast = yes} asks
     * them: only for a block size other than 512, a window, a server timeout or rollover ({@link #withMulticast} turned
     * them on for multicast alone).
     */
    public TftpConfig withoutMulticast() {
        boolean needed = blockSize != 512 || windowSize != 1 || serverTimeout > 0 || rollover >= 0;
        return new TftpConfig(timeout, minTimeout, maxTimeout, maxRetries, blockSize, windowSize, options && needed, tsize,
                rollover, serverTimeout, reorderBudget, giveUp, false);
    }

    /** Returns the block size to ask for on a link whose largest UDP payload is {@code maxUdpPayload}. */
    public int requestedBlockSize(int maxUdpPayload) {
        // RFC 2348 asks the largest block that avoids IP fragmentation: payload minus the 4-byte DATA header.
        int fits = Math.min(MAX_BLOCK_SIZE, maxUdpPayload - 4);
        return blockSize == AUTO ? fits : Math.min(blockSize, fits);
    }
}
