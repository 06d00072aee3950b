package dev.netboot.device;

/**
 * The RFC 7440 window a board asks for with {@code [tftp] windowsize = auto}: sized from the path (its rate
 * and round trip), not from RAM. Windows are lock-step: after each window the sender waits for its ACK, so
 * the link idles about one round trip per window. A window that takes {@link #IDLE_SHARE} round trips to
 * send keeps that idle time near 1/{@code IDLE_SHARE} of the transfer:
 *
 * <pre>
 *   window = ceil(IDLE_SHARE × rtt × rate / (8 × (blksize + 70)))      clamped to [MIN, MAX]
 * </pre>
 *
 * <p>70 bytes is what a DATA block costs on Ethernet besides its payload: 14 header, 20 IPv4, 8 UDP, 4 TFTP,
 * 4 FCS, 8 preamble and 12 inter-frame gap. At 100 Mbit/s and a 1 ms round trip that is 521 blocks of 1468
 * bytes. The rate is the link's ({@code Link#bitsPerSecond}: a NIC's negotiated speed, an emulated segment's
 * rate); the round trip is the board's own ARP exchange with its next hop, measured when one request was
 * answered, else {@link #ASSUMED_RTT}. Only out-of-order blocks need RAM, and the reorder buffer is bounded on
 * its own ({@link RamBudget}); blocks past it are dropped and come again after the gap ACK.
 *
 * <p>A link that reports no rate (the emulator's infinitely fast default wire, an interface without a speed)
 * gets {@link #UNKNOWN_RATE}: nothing says how large a window the path needs.
 *
 * <p>A window arrives as one burst at the link's rate, and a link that queues received frames in a bounded
 * buffer ({@code Link#receiveBufferBytes}: a raw socket's receive ring, or its {@code SO_RCVBUF}) loses what a
 * busy poll loop has not taken when it fills. The window is therefore never more than that buffer holds, counting
 * each frame twice (a socket buffer charges a frame its whole receive buffer and bookkeeping, about 1.5 times a full
 * frame; a ring slot is 2 KiB): 85 blocks of 1468 bytes in a 256 KiB ring, 69 in Linux's default socket buffer of
 * 212,992 bytes. A veth says 10,000 Mbit/s and answers ARP in tens of microseconds, so its path window is large;
 * its receive buffer, not the path, sets the window there.
 */
final class PathWindow {
    /** Round trips of sending a window takes: the idle round trip after it is then under 2% of the time. */
    static final int IDLE_SHARE = 64;
    /** Bytes a DATA block takes on Ethernet besides its payload (class comment). */
    static final int FRAME_OVERHEAD = 14 + 20 + 8 + 4 + 4 + 8 + 12;
    /** The round trip assumed when the board measured none (its next hop's MAC was known): a LAN's. */
    static final long ASSUMED_RTT = 1_000_000L;
    /** The window when the link's rate is unknown. */
    static final int UNKNOWN_RATE = 8;
    /** The least window asked for. */
    static final int MIN = 8;
    /** The largest: one window's burst (6 MB at 1468-byte blocks) is then still something a LAN's switches hold. */
    static final int MAX = 4096;

    private PathWindow() {
    }

    /**
     * Returns the window for blocks of {@code blockSize} bytes on a link of {@code bitsPerSecond} (0: unknown) with
     * a round trip of {@code rttNanos} (0 or less: not measured) and a receive buffer of {@code receiveBuffer} bytes
     * (0: unknown or unbounded).
     */
    static int of(long bitsPerSecond, long rttNanos, int blockSize, long receiveBuffer) {
        int w = of(bitsPerSecond, rttNanos, blockSize);
        if (receiveBuffer > 0) {
            long fits = receiveBuffer / (2L * (blockSize + FRAME_OVERHEAD));
            w = (int) Math.max(1, Math.min(w, fits));
        }
        return w;
    }

    /** Returns the window for the path alone: {@link #of(long, long, int, long)} with no receive buffer to fit. */
    static int of(long bitsPerSecond, long rttNanos, int blockSize) {
        if (bitsPerSecond <= 0) {
            return UNKNOWN_RATE;
        }
        long rtt = rttNanos > 0 ? rttNanos : ASSUMED_RTT;
        double blockNanos = (blockSize + FRAME_OVERHEAD) * 8e9 / bitsPerSecond;
        double w = Math.ceil(IDLE_SHARE * rtt / blockNanos);
        return (int) Math.max(MIN, Math.min(MAX, w));
    }
}
