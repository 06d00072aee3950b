package dev.netboot.emulator;

import dev.netboot.tftp.TftpConfig;

/**
 * Behaviour of the emulated TFTP server. Times are virtual nanoseconds.
 *
 * @param timeout                wait for the ACK of a window (or the next DATA of an upload) before sending again;
 *                               a client's RFC 2349 {@code timeout} option replaces it for its session
 * @param maxTimeout             the longest wait: after each retransmission left unanswered the wait doubles, up to this
 *                               (as tftpd-hpa does); at most {@code timeout} (0, the defaults): every wait is the timeout.
 *                               A window that reaches the file's last block is sent again after the timeout alone
 *                               ({@link TftpSession})
 * @param maxRetries             retransmissions of one window before the session gives up (silently, as RFC 1350 allows)
 * @param maxBlockSize           the largest block size granted (RFC 2348); the link MTU caps it too. Without a
 *                               {@code blksize} option a session runs at 512
 * @param maxWindowSize          the largest window granted (RFC 7440), 1..{@link TftpConfig#MAX_WINDOW_SIZE}: past
 *                               block 65535 a larger one's ACKs could not be told from earlier ones'; without the
 *                               option a session runs lock-step
 * @param options                how requests with options are answered
 * @param singlePort             answer from port 69 instead of a fresh transfer ID (dnsmasq {@code --tftp-single-port})
 * @param acceptWrites           take WRQ uploads into memory ({@link TftpServer#uploads()}); otherwise ERROR 2
 * @param quirks                 how it misbehaves (TEST ONLY: the servers of the wild, to check a client against them)
 */
public record TftpServerConfig(long timeout, long maxTimeout, int maxRetries, int maxBlockSize, int maxWindowSize, Options options,
                               boolean singlePort, boolean acceptWrites, TftpQuirks quirks) {
    /** How the server answers a request that carries options (RFC 2347). */
    public enum Options {
        /** Negotiate blksize, tsize, timeout, windowsize and rollover with an OACK. */
        HONOUR,
        /** An old server: no OACK, as if the options were not there (512-byte blocks, lock-step). */
        IGNORE,
        /** A broken server: ERROR 8 to any request with options. */
        REFUSE
    }

    /**
     * 1 s timeout, never longer, 5 retries, options honoured up to 65464-byte blocks and window 64, uploads accepted,
     * well-behaved.
     */
    public static final TftpServerConfig DEFAULTS = new TftpServerConfig(1_000_000_000L, 0, 5, 65464, 64, Options.HONOUR,
            false, true, TftpQuirks.NONE);

    /** Checks the ranges. */
    public TftpServerConfig {
        if (timeout <= 0 || maxTimeout < 0 || maxRetries < 0 || maxBlockSize < 8 || maxBlockSize > 65464 || maxWindowSize < 1
                || maxWindowSize > TftpConfig.MAX_WINDOW_SIZE || options == null || quirks == null) {
            throw new IllegalArgumentException("TFTP server settings: timeout " + timeout + " ns, longest " + maxTimeout
                    + " ns, retries " + maxRetries
                    + ", max block size " + maxBlockSize + ", max window " + maxWindowSize + ", options " + options
                    + " (expected: timeout > 0, longest >= 0, retries >= 0, block size 8..65464, window 1.." + TftpConfig.MAX_WINDOW_SIZE
                    + ", options set)");
        }
    }

    /** Returns whether the block after 65535 is numbered 1 unless the client negotiates {@code rollover}. */
    public boolean wrapToOne() {
        return quirks.wrapToOne();
    }

    /** Returns whether the server resends DATA for every duplicate ACK (the Sorcerer's Apprentice bug). */
    public boolean sorcerersApprenticeBug() {
        return quirks.sorcerersApprentice();
    }

    /** Returns these settings with the given timeout and retry count. */
    public TftpServerConfig withRetry(long t, int retries) {
        return new TftpServerConfig(t, maxTimeout, retries, maxBlockSize, maxWindowSize, options, singlePort, acceptWrites, quirks);
    }

    /**
     * Returns these settings doubling the wait after each unanswered retransmission up to {@code longest} nanoseconds
     * ({@code <= timeout}: never).
     */
    public TftpServerConfig withMaxTimeout(long longest) {
        return new TftpServerConfig(timeout, longest, maxRetries, maxBlockSize, maxWindowSize, options, singlePort, acceptWrites,
                quirks);
    }

    /** Returns these settings granting at most {@code blockSize} and {@code window}. */
    public TftpServerConfig withLimits(int blockSize, int window) {
        return new TftpServerConfig(timeout, maxTimeout, maxRetries, blockSize, window, options, singlePort, acceptWrites, quirks);
    }

    /** Returns these settings answering options as {@code o}. */
    public TftpServerConfig withOptions(Options o) {
        return new TftpServerConfig(timeout, maxTimeout, maxRetries, maxBlockSize, maxWindowSize, o, singlePort, acceptWrites, quirks);
    }

    /** Returns these settings answering from port 69 or not. */
    public TftpServerConfig withSinglePort(boolean on) {
        return new TftpServerConfig(timeout, maxTimeout, maxRetries, maxBlockSize, maxWindowSize, options, on, acceptWrites, quirks);
    }

    /** Returns these settings wrapping block numbers to 1 (unless negotiated) or not. */
    public TftpServerConfig withWrapToOne(boolean on) {
        return withQuirks(quirks.withWrapToOne(on));
    }

    /** Returns these settings accepting uploads or not. */
    public TftpServerConfig withWrites(boolean on) {
        return new TftpServerConfig(timeout, maxTimeout, maxRetries, maxBlockSize, maxWindowSize, options, singlePort, on, quirks);
    }

    /** Returns these settings with the Sorcerer's Apprentice misbehaviour switched on or off. */
    public TftpServerConfig withSorcerersApprenticeBug(boolean on) {
        return withQuirks(quirks.withSorcerersApprentice(on));
    }

    /** Returns these settings misbehaving as {@code q}. */
    public TftpServerConfig withQuirks(TftpQuirks q) {
        return new TftpServerConfig(timeout, maxTimeout, maxRetries, maxBlockSize, maxWindowSize, options, singlePort, acceptWrites, q);
    }
}
