package dev.netboot.tftp;

import dev.netboot.wire.Ipv4Address;

/**
 * A {@link TftpClient}'s transfer as its caller reads it: which way the file goes, the state the transfer is in (sealed:
 * a {@code switch} over it is exhaustive) and its figures. The types are declared here, apart from the client's
 * machinery, and reached as they always were, as {@code TftpClient.State.Done}, {@code TftpClient.Stats}: a class
 * inherits the member types of the interfaces it implements (JLS 8.5).
 */
public sealed interface TftpTransfer permits TftpClient {
    /** Which way the file goes. */
    public enum Direction {
        /** RRQ: the server sends. */
        READ,
        /** WRQ: we send. */
        WRITE
    }

    /** What the client is doing. */
    public sealed interface State {
        /** Not started. */
        record Idle() implements State {
        }

        /** Request sent to the server's well-known port; no answer yet. */
        record Requesting(Ipv4Address server, int port, String file, Direction direction) implements State {
        }

        /** Receiving DATA from the transfer ID {@code server}:{@code tid} at {@code blockSize}. */
        record Receiving(Ipv4Address server, int tid, int blockSize) implements State {
        }

        /**
         * Receiving DATA by RFC 2090 multicast from the transfer ID {@code server}:{@code tid}, sent to {@code group}:{@code
         * port}, at {@code blockSize}.
         */
        record Multicast(Ipv4Address server, int tid, int blockSize, Ipv4Address group, int port) implements State {
        }

        /** Sending DATA to the transfer ID {@code server}:{@code tid} at {@code blockSize}. */
        record Sending(Ipv4Address server, int tid, int blockSize) implements State {
        }

        /**
         * The last block was acknowledged: on a read every block reached the sink and the final ACK went (or could not go:
         * the file is whole all the same); on a write the receiver acknowledged it. Final: no state follows it.
         */
        record Done(long bytes, long finishedAt) implements State {
        }

        /** The transfer failed. Final: no state follows it. */
        record Failed(TftpFailure failure) implements State {
        }
    }

    /**
     * Counters of one transfer.
     *
     * @param retransmissions packets we sent again: after a timeout, re-ACKs of a duplicate, DATA resent
     * @param duplicates      DATA (read; and an OACK again, before DATA or after the end) or ACKs (write) received again
     * @param strayPackets    packets from a wrong transfer ID (each answered with ERROR 5, unless itself an ERROR)
     * @param dropped         malformed, unexpected, or out-of-order packets with no room to hold them
     * @param blocks          blocks delivered to the sink (read) or acknowledged (write)
     * @param outOfOrderHeld  blocks kept in the reorder buffer ahead of a gap
     * @param gapAcks         immediate ACKs of the last in-order block on a gap
     * @param rttEstimate     smoothed round-trip time in nanoseconds, or -1 before a sample
     * @param timeout         retransmission timeout in use (without backoff), nanoseconds
     * @param windowSize      window in use now
     */
    public record Stats(long retransmissions, long duplicates, long strayPackets, long dropped, long blocks,
                        long outOfOrderHeld, long gapAcks, long rttEstimate, long timeout, int windowSize) {
    }

    /**
     * The figures of a multicast read.
     *
     * @param group       the group the server sent to
     * @param masterTurns times this client was made master client
     * @param acksHeld    ACKs held while the sink was full
     * @param sinkDrops   blocks dropped for want of room in the sink
     * @param held        blocks kept ahead of a gap
     * @param groupData   DATA received on the group's port
     */
    public record MulticastStats(Ipv4Address group, long masterTurns, long acksHeld, long sinkDrops, long held, long groupData) {
    }

    /** Returns the current state. */
    State state();

    /** Returns the counters. */
    Stats stats();

    /**
     * Returns the figures of an RFC 2090 multicast read, or null when the transfer was not one: how often this client
     * was master, the ACKs it held for the sink, the blocks it dropped for want of room in the sink, the blocks held
     * ahead of a gap, and the DATA that came to the group.
     */
    MulticastStats multicast();
}
