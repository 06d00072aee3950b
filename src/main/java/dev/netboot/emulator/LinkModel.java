package dev.netboot.emulator;

import java.util.Locale;

/**
 * The speed of an {@link EthernetSegment}'s ports: how long a frame occupies a sender's wire, and how
 * many frames a sender may have waiting for it.
 *
 * <p>A frame of {@code len} bytes (destination MAC to the end of the payload, as handed to
 * {@link EmulatedPort#transmit}) occupies the wire for {@link #wireBytes(int)} = max(len, 60) + 4 FCS +
 * 8 preamble and start-of-frame delimiter + 12 inter-frame gap bytes, at {@code bitsPerSecond}: a
 * full-size 1514-byte frame takes (1514 + 24) x 8 / 100e6 s = 123.04 us at 100 Mbit/s. Frames shorter
 * than 60 bytes are padded to the 64-byte minimum (IEEE 802.3 clause 3.2.8). Each port has its own
 * full-duplex transmitter: its frames go out one after another in FIFO order, each starting when the
 * previous one has left (or at once on an idle wire), and the receivers get a frame when its last bit
 * arrives, the segment's latency after it left.
 *
 * @param bitsPerSecond the link rate; 0 for an infinitely fast link (no serialisation, no queue)
 * @param txQueue       frames a port may have queued or on the wire; one more is dropped and counted
 *                      ({@link EthernetSegment.Stats#droppedByTxQueue()}), like a full Linux qdisc
 *                      (whose default {@code txqueuelen} is 1000)
 */
public record LinkModel(long bitsPerSecond, int txQueue) {
    /** Bytes a frame takes on the wire beyond its header and payload: FCS 4, preamble + SFD 8, inter-frame gap 12. */
    public static final int OVERHEAD = 4 + 8 + 12;
    /** Shortest frame without FCS; shorter ones are padded on the wire. */
    public static final int MIN_FRAME = 60;
    /** Frames a port may queue by default: Linux's default {@code txqueuelen}. */
    public static final int DEFAULT_TX_QUEUE = 1000;
    /** An infinitely fast link: frames take no time to send and never queue (the emulator's original wire). */
    public static final LinkModel INFINITE = new LinkModel(0, DEFAULT_TX_QUEUE);

    /** Checks the ranges. */
    public LinkModel {
        if (bitsPerSecond < 0 || txQueue < 1) {
            throw new IllegalArgumentException("link: " + bitsPerSecond + " bit/s, transmit queue " + txQueue
                    + " (expected: rate >= 0, 0 for infinite; queue >= 1)");
        }
    }

    /** Returns a link of {@code bitsPerSecond} (0: infinite) with the default transmit queue. */
    public static LinkModel of(long bitsPerSecond) {
        return new LinkModel(bitsPerSecond, DEFAULT_TX_QUEUE);
    }

    /** Returns this link at another rate. */
    public LinkModel withRate(long bps) {
        return new LinkModel(bps, txQueue);
    }

    /** Returns whether frames take no time on the wire. */
    public boolean infinite() {
        return bitsPerSecond == 0;
    }

    /** Returns the bytes a frame of {@code len} bytes (no FCS) occupies on the wire: padding, FCS, preamble, gap. */
    public static int wireBytes(int len) {
        return Math.max(len, MIN_FRAME) + OVERHEAD;
    }

    /** Returns the nanoseconds a frame of {@code len} bytes occupies the wire, rounded up; 0 on an infinite link. */
    public long serialisationNanos(int len) {
        return nanosFor(wireBytes(len));
    }

    /** Returns the nanoseconds {@code bytes} take at this rate, rounded up; 0 on an infinite link. */
    public long nanosFor(long bytes) {
        if (bitsPerSecond == 0) {
            return 0;
        }
        long bits = bytes * 8;
        // bits x 1e9 overflows past ~9.2e9 bits (1.15 GB); split to stay exact below and correct above.
        long whole = bits / bitsPerSecond;
        long rest = bits % bitsPerSecond;
        return whole * 1_000_000_000L + Math.ceilDiv(rest * 1_000_000_000L, bitsPerSecond);
    }

    /**
     * Parses a rate: a number and a unit {@code bit}, {@code Kbit}, {@code Mbit} or {@code Gbit} (decimal:
     * 1 Kbit = 1000 bit/s), optionally followed by {@code /s}, case-insensitive ("100Mbit", "1.5 Mbit/s",
     * "2500000bit"); "0" alone is an infinite link.
     *
     * @throws IllegalArgumentException naming the text and what was expected
     */
    public static long parseRate(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return 0;
        }
        if (t.endsWith("/s")) {
            t = t.substring(0, t.length() - 2);
        }
        long scale;
        String number;
        if (t.endsWith("gbit")) {
            scale = 1_000_000_000L;
            number = t.substring(0, t.length() - 4);
        } else if (t.endsWith("mbit")) {
            scale = 1_000_000L;
            number = t.substring(0, t.length() - 4);
        } else if (t.endsWith("kbit")) {
            scale = 1_000L;
            number = t.substring(0, t.length() - 4);
        } else if (t.endsWith("bit")) {
            scale = 1;
            number = t.substring(0, t.length() - 3);
        } else {
            throw new IllegalArgumentException("'" + text.trim() + "' is not a rate (expected: a number and bit, Kbit, Mbit"
                    + " or Gbit, like 100Mbit; 0 for infinite)");
        }
        number = number.trim();
        double v;
        try {
            if (number.isEmpty() || !number.matches("[0-9]+(\\.[0-9]+)?")) {
                throw new NumberFormatException();
            }
            v = Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text.trim() + "' is not a rate (expected: a number and bit, Kbit, Mbit"
                    + " or Gbit, like 100Mbit; 0 for infinite)");
        }
        double bps = v * scale;
        if (bps > 1e12 || (bps != 0 && bps < 1000)) {
            throw new IllegalArgumentException("rate " + text.trim() + " (expected: 0 for infinite, or 1Kbit..1000Gbit)");
        }
        return Math.round(bps);
    }

    /** Returns the rate as text: "infinite", or e.g. "100Mbit/s". */
    public static String formatRate(long bps) {
        if (bps == 0) {
            return "infinite";
        }
        if (bps % 1_000_000_000L == 0) {
            return bps / 1_000_000_000L + "Gbit/s";
        }
        if (bps % 1_000_000L == 0) {
            return bps / 1_000_000L + "Mbit/s";
        }
        if (bps % 1_000L == 0) {
            return bps / 1_000L + "Kbit/s";
        }
        return bps + "bit/s";
    }
}
