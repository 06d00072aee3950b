package dev.netboot.tftp;

/**
 * Retransmission and block-size settings of the TFTP client. Times are nanoseconds.
 *
 * @param timeout    wait for the peer's next packet before retransmitting our last one
 * @param maxRetries retransmissions of one packet before the transfer fails
 * @param blockSize  block size to use (512 is RFC 1350's; larger needs RFC 2348 negotiation)
 */
public record TftpConfig(long timeout, int maxRetries, int blockSize) {
    /** 1 s timeout, 8 retries, 512-byte blocks. */
    public static final TftpConfig DEFAULTS = new TftpConfig(1_000_000_000L, 8, 512);

    /** Checks the ranges. */
    public TftpConfig {
        if (timeout <= 0 || maxRetries < 0 || blockSize < 8 || blockSize > 65464) {
            throw new IllegalArgumentException("TFTP settings: timeout " + timeout + " ns, retries " + maxRetries
                    + ", block size " + blockSize + " (expected: timeout > 0, retries >= 0, block size 8..65464)");
        }
    }
}
