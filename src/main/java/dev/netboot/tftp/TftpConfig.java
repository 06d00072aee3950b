package dev.netboot.tftp;

/**
 * Settings of the TFTP client: retransmission timing, and what it negotiates (RFC 2347-2349, RFC 7440).
 * Times are nanoseconds.
 *
 * <p>The retransmission timeout starts at {@code timeout}; RTT samples then move it to
 * {@code SRTT + 4 × RTTVAR} (RFC 6298), kept within {@code [minTimeout, maxTimeout]}; each timeout
 * without an answer doubles it, up to {@code maxTimeout} (RFC 1123 section 4.2.3.2 asks for backoff).
 *
 * @param timeout       initial retransmission timeout, before any RTT sample
 * @param minTimeout    the least the RTT estimate may bring the timeout down to
 * @param maxTimeout    the most the timeout may grow to, backoff included
 * @param maxRetries    retransmissions of one packet (or window) before the transfer fails
 * @param blockSize     block size to ask for (RFC 2348, 8..65464), or {@link #AUTO}: the largest that fits
 *                      the link MTU without IP fragmentation (1468 at MTU 1500). Never more than the link carries.
 * @param windowSize    RFC 7440 window to ask for, 1..65535; 1 is RFC 1350 lock-step and is not sent
 * @param options       whether requests carry options at all; false is plain RFC 1350 (512 bytes, window 1)
 * @param tsize         whether requests carry {@code tsize} (RFC 2349): the size before the first byte on a
 *                      read, the file's size on a write
 * @param rollover      tftpd-hpa's {@code rollover} option to ask for: 0 or 1 (the block after 65535),
 *                      or -1 not to ask; see {@link TftpClient} for what happens unasked
 * @param serverTimeout RFC 2349 {@code timeout} to ask the server for, in seconds 1..255, or 0 not to ask
 * @param reorderBudget bytes of RAM for blocks that arrive ahead of a gap; the client holds at most
 *                      {@code min(window × blksize, reorderBudget)} bytes and drops what does not fit
 * @param multicast     whether a read asks for RFC 2090 {@code multicast}: the server may then send the file to a group
 *                      many clients share; a server that does not answer the option gets an ordinary transfer
 */
public record TftpConfig(long timeout, long minTimeout, long maxTimeout, int maxRetries, int blockSize, int windowSize,
                         boolean options, boolean tsize, int rollover, int serverTimeout, long reorderBudget,
                         boolean multicast) {
    /** {@link #blockSize} meaning "the largest that fits the link MTU". */
    public static final int AUTO = 0;
    /** Smallest block size of RFC 2348. */
    public static final int MIN_BLOCK_SIZE = 8;
    /** Largest block size of RFC 2348. */
    public static final int MAX_BLOCK_SIZE = 65464;
    /** Largest window of RFC 7440. */
    public static final int MAX_WINDOW_SIZE = 65535;

    /** 1 s fixed timeout (8 s with backoff), 8 retries, 512-byte blocks, no options: plain RFC 1350. */
    public static final TftpConfig DEFAULTS = new TftpConfig(1_000_000_000L, 8, 512);

    /** Checks the ranges. */
    public TftpConfig {
        if (timeout <= 0 || minTimeout <= 0 || minTimeout > timeout || maxTimeout < timeout || maxRetries < 0
                || (blockSize != AUTO && (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE))
                || windowSize < 1 || windowSize > MAX_WINDOW_SIZE || rollover < -1 || rollover > 1
                || serverTimeout < 0 || serverTimeout > 255 || reorderBudget < 0) {
            throw new IllegalArgumentException("TFTP settings: timeout " + timeout + " ns (min " + minTimeout + ", max "
                    + maxTimeout + "), retries " + maxRetries + ", block size " + blockSize + ", window " + windowSize
                    + ", rollover " + rollover + ", server timeout " + serverTimeout + " s, reorder budget " + reorderBudget
                    + " (expected: 0 < min <= timeout <= max, retries >= 0, block size 0 (auto) or 8..65464, window 1..65535,"
                    + " rollover -1..1, server timeout 0..255, budget >= 0)");
        }
    }

    /** Settings that do not ask for multicast. */
    public TftpConfig(long timeout, long minTimeout, long maxTimeout, int maxRetries, int blockSize, int windowSize,
                      boolean options, boolean tsize, int rollover, int serverTimeout, long reorderBudget) {
        this(timeout, minTimeout, maxTimeout, maxRetries, blockSize, windowSize, options, tsize, rollover, serverTimeout,
                reorderBudget, false);
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
                serverTimeout, reorderBudget, multicast);
    }

    /** Returns these settings asking for window {@code w} with {@code budget} bytes to hold blocks out of order, options on. */
    public TftpConfig withWindow(int w, long budget) {
        return new TftpConfig(timeout, minTimeout, maxTimeout, maxRetries, blockSize, w, true, tsize, rollover,
                serverTimeout, budget, multicast);
    }

    /** Returns these settings with other timeout bounds. */
    public TftpConfig withTimeouts(long initial, long min, long max) {
        return new TftpConfig(initial, min, max, maxRetries, blockSize, windowSize, options, tsize, rollover,
                serverTimeout, reorderBudget, multicast);
    }

    /** Returns these settings with options switched on or off (off: plain RFC 1350, like curl's --tftp-no-options). */
    public TftpConfig withOptions(boolean on) {
        return new TftpConfig(timeout, minTimeout, maxTimeout, maxRetries, blockSize, windowSize, on, tsize, rollover,
                serverTimeout, reorderBudget, multicast);
    }

    /** Returns these settings asking for {@code tsize} or not. */
    public TftpConfig withTsize(boolean on) {
        return new TftpConfig(timeout, minTimeout, maxTimeout, maxRetries, blockSize, windowSize, options, on, rollover,
                serverTimeout, reorderBudget, multicast);
    }

    /** Returns these settings asking for tftpd-hpa's {@code rollover} option ({@code -1}: don't ask). */
    public TftpConfig withRollover(int r) {
        return new TftpConfig(timeout, minTimeout, maxTimeout, maxRetries, blockSize, windowSize, options, tsize, r,
                serverTimeout, reorderBudget, multicast);
    }

    /** Returns these settings asking the server for an RFC 2349 timeout of {@code seconds} (0: don't ask). */
    public TftpConfig withServerTimeout(int seconds) {
        return new TftpConfig(timeout, minTimeout, maxTimeout, maxRetries, blockSize, windowSize, options, tsize,
                rollover, seconds, reorderBudget, multicast);
    }

    /** Returns these settings asking for RFC 2090 multicast on reads, or not. */
    public TftpConfig withMulticast(boolean on) {
        return new TftpConfig(timeout, minTimeout, maxTimeout, maxRetries, blockSize, windowSize, options || on, tsize, rollover,
                serverTimeout, reorderBudget, on);
    }

    /** Returns the block size to ask for on a link whose largest UDP payload is {@code maxUdpPayload}. */
    public int requestedBlockSize(int maxUdpPayload) {
        // RFC 2348 asks the largest block that avoids IP fragmentation: payload minus the 4-byte DATA header.
        int fits = Math.min(MAX_BLOCK_SIZE, maxUdpPayload - 4);
        return blockSize == AUTO ? fits : Math.min(blockSize, fits);
    }
}
