package dev.netboot.emulator;

/**
 * Behaviour of the emulated TFTP server. Times are virtual nanoseconds.
 *
 * @param timeout                wait for the ACK of a DATA before sending it again
 * @param maxRetries             retransmissions of one DATA before the session gives up (silently, as RFC 1350 allows)
 * @param blockSize              block size; 512 (RFC 1350) until RFC 2348 negotiation is added
 * @param sorcerersApprenticeBug TEST ONLY: misbehave by resending the current DATA on every duplicate ACK, the
 *                               bug RFC 1123 section 4.2.3.1 forbids, to check a client's storm resistance
 */
public record TftpServerConfig(long timeout, int maxRetries, int blockSize, boolean sorcerersApprenticeBug) {
    /** 1 s timeout, 5 retries, 512-byte blocks, well-behaved (scenarios set their own retries). */
    public static final TftpServerConfig DEFAULTS = new TftpServerConfig(1_000_000_000L, 5, 512, false);

    /** Checks the ranges. */
    public TftpServerConfig {
        if (timeout <= 0 || maxRetries < 0 || blockSize < 8 || blockSize > 65464) {
            throw new IllegalArgumentException("TFTP server settings: timeout " + timeout + " ns, retries " + maxRetries
                    + ", block size " + blockSize + " (expected: timeout > 0, retries >= 0, block size 8..65464)");
        }
    }

    /** Returns these settings with the given timeout and retry count. */
    public TftpServerConfig withRetry(long timeout, int maxRetries) {
        return new TftpServerConfig(timeout, maxRetries, blockSize, sorcerersApprenticeBug);
    }

    /** Returns these settings with the Sorcerer's Apprentice misbehaviour switched on or off. */
    public TftpServerConfig withSorcerersApprenticeBug(boolean on) {
        return new TftpServerConfig(timeout, maxRetries, blockSize, on);
    }
}
