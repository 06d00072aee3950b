package dev.netboot.emulator;

/**
 * Other machines' traffic on the board's segment (the scenario's {@code [faults]} keys; {@link BackgroundTraffic}
 * sends it): none of it is for the board, all of it reaches it. Rates are frames per second, spread at random
 * (seeded) around their mean; times are virtual nanoseconds.
 *
 * @param broadcasts UDP broadcasts from other hosts to ports the board does not listen on (NetBIOS, mDNS, ...)
 * @param arpChatter ARP requests from other hosts for other addresses
 * @param udpNoise   UDP datagrams to the board's address and MAC, for ports nobody listens on
 * @param flood      this many broadcast frames, back to back, starting at {@code floodAt}
 * @param floodAt    when the flood starts
 * @param floodRate  how many flood frames per second (default 148,810: minimum-size frames filling 100 Mbit/s)
 */
public record Background(double broadcasts, double arpChatter, double udpNoise, long flood, long floodAt, long floodRate) {
    /** Minimum-size frames (64 bytes, with 20 of preamble and gap) that fill 100 Mbit/s. */
    public static final long LINE_RATE_100M = 148_810;

    /** Nobody else talking. */
    public static final Background NONE = new Background(0, 0, 0, 0, 0, LINE_RATE_100M);

    /** Checks the ranges. */
    public Background {
        if (!(broadcasts >= 0 && broadcasts <= 1e6) || !(arpChatter >= 0 && arpChatter <= 1e6) || !(udpNoise >= 0 && udpNoise <= 1e6)
                || flood < 0 || flood > 100_000_000 || floodAt < 0 || floodRate < 1 || floodRate > 100_000_000) {
            throw new IllegalArgumentException("background traffic: broadcasts " + broadcasts + "/s, ARP " + arpChatter
                    + "/s, UDP " + udpNoise + "/s, flood " + flood + " frames at " + floodAt + " ns, " + floodRate
                    + "/s (expected: rates 0..1000000 per second, a flood of 0..100000000 frames at 1..100000000 per second)");
        }
    }

    /** Returns whether anybody talks at all. */
    public boolean any() {
        return broadcasts > 0 || arpChatter > 0 || udpNoise > 0 || flood > 0;
    }

    /** Returns this traffic with a flood of {@code frames} at {@code at}, {@code rate} per second. */
    public Background withFlood(long frames, long at, long rate) {
        return new Background(broadcasts, arpChatter, udpNoise, frames, at, rate);
    }
}
