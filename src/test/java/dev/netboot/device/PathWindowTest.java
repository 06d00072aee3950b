package dev.netboot.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The window {@code windowsize = auto} asks for. Expected values are worked out by hand from the link's rate:
 * a 1468-byte block takes 1468 + 70 = 1538 bytes of wire (Ethernet, IPv4, UDP and TFTP headers, FCS, preamble,
 * inter-frame gap), 123.04 us at 100 Mbit/s; a window must take 64 round trips to send.
 */
class PathWindowTest {
    static final long MBIT = 1_000_000L;
    static final long MS = 1_000_000L;

    @Test
    void aWindowTakesSixtyFourRoundTripsToSend() {
        // 64 x 1 ms / 123.04 us = 520.2: 521 blocks.
        assertEquals(521, PathWindow.of(100 * MBIT, 1 * MS, 1468));
        // 2 ms: 1040.3 -> 1041; 1 Gbit/s and 0.2 ms: 64 x 200 us / 12.304 us = 1040.3 -> 1041.
        assertEquals(1041, PathWindow.of(100 * MBIT, 2 * MS, 1468));
        assertEquals(1041, PathWindow.of(1000 * MBIT, 200_000, 1468));
        // 512-byte blocks: 582 bytes of wire, 46.56 us at 100 Mbit/s: 64 x 1 ms / 46.56 us = 1374.6 -> 1375.
        assertEquals(1375, PathWindow.of(100 * MBIT, 1 * MS, 512));
    }

    @Test
    void anUnmeasuredRoundTripIsALansAndAnUnknownRateGetsEight() {
        assertEquals(PathWindow.of(100 * MBIT, 1 * MS, 1468), PathWindow.of(100 * MBIT, 0, 1468));
        assertEquals(PathWindow.of(100 * MBIT, 1 * MS, 1468), PathWindow.of(100 * MBIT, -1, 1468));
        assertEquals(8, PathWindow.of(0, 1 * MS, 1468));
        assertEquals(8, PathWindow.of(0, 0, 1468));
    }

    @Test
    void theWindowStaysBetweenEightAnd4096() {
        // 10 Mbit/s, 50 us: 64 x 50 us / 1230.4 us = 2.6, raised to 8.
        assertEquals(8, PathWindow.of(10 * MBIT, 50_000, 1468));
        // 10 Gbit/s, 1 ms: 64 x 1 ms / 1.2304 us = 52016, capped at 4096.
        assertEquals(4096, PathWindow.of(10_000 * MBIT, 1 * MS, 1468));
    }

    @Test
    void aBoundedReceiveBufferCapsTheWindowAtWhatItHoldsCountingEachFrameTwice() {
        // Linux's default SO_RCVBUF, 212992 bytes / (2 x 1538) = 69.2: 69 blocks, on a veth's "10000 Mbit/s".
        assertEquals(69, PathWindow.of(10_000 * MBIT, 50_000, 1468, 212_992));
        // A buffer larger than the path needs changes nothing; 0 means unknown.
        assertEquals(521, PathWindow.of(100 * MBIT, 1 * MS, 1468, 16_000_000));
        assertEquals(521, PathWindow.of(100 * MBIT, 1 * MS, 1468, 0));
        // Too small for two blocks: lock-step, never 0.
        assertEquals(1, PathWindow.of(100 * MBIT, 1 * MS, 1468, 3000));
    }
}
