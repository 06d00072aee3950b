package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netboot.emulator.EmulatedBoot;
import org.junit.jupiter.api.Test;

/** {@code boot --bandwidth/--rtt/--blksize/--windowsize}: applied to the emulated link and the board's TFTP, or refused with exit 2. */
class BootLinkCliTest {
    private static void refused(String expected, String... args) {
        BootCliTest.Run r = BootCliTest.run(args);
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertEquals("", r.out());
    }

    @Test
    void badValuesExitTwoWithOneClearLine() {
        refused("--bandwidth: '100MB' is not a rate", "boot", "--bandwidth", "100MB");
        refused("--bandwidth: rate 5bit", "boot", "--bandwidth", "5bit");
        refused("--rtt: '1' is not a duration: no unit", "boot", "--rtt", "1");
        refused("--rtt 11s: out of range (expected: 0..10s)", "boot", "--rtt", "11s");
        refused("--blksize 7: out of range (expected: 8..65464 or auto", "boot", "--blksize", "7");
        refused("--blksize big: not a number", "boot", "--blksize", "big");
        refused("--windowsize 0: out of range (expected: 1..32767 or auto, RFC 7440)", "boot", "--windowsize", "0");
        refused("--windowsize 65536: out of range", "boot", "--windowsize", "65536");
        refused("--bandwidth configures the emulator", "boot", "--interface", "nope0", "--bandwidth", "1Gbit");
        refused("--rtt configures the emulator", "boot", "--interface", "nope0", "--rtt", "1ms");
    }

    /**
     * RFC 7440 allows asking for up to 65535, but block numbers are 16 bits (RFC 1350): after its ACK of block a the
     * board may be sent a + 1 .. a + w, or a - w + 1 .. a again, 2w blocks that have distinct numbers only while 2w is
     * at most the 65535 numbers a server that wraps to 1 cycles through (65536 wrapping to 0). So no window over 32767
     * is asked for: such a one was accepted, and the boot of an image past block 65535 failed after 25 s.
     */
    @Test
    void aWindowOverHalfTheBlockNumbersIsRefusedWithOneLineSayingWhy() {
        for (String w : new String[] {"32768", "49152", "65534", "65535"}) {
            BootCliTest.Run r = BootCliTest.run("boot", "--flash-timing", "none", "--blksize", "8", "--windowsize", w);
            assertEquals(Main.EXIT_USAGE, r.exit(), w + ": " + r.err());
            assertEquals("netboot: --windowsize " + w + ": out of range (expected: 1..32767 or auto; a larger window spans over"
                    + " half the 16-bit block numbers, so past block 65535 a block sent again would look new)\n", r.err(), w);
            assertEquals("", r.out(), w);
        }
    }

    @Test
    void theOptionsShapeTheTransfer() throws Exception {
        // --flash-timing none: the flash takes no time, so the link alone shapes the transfer.
        BootCliTest.Run r = BootCliTest.run("boot", "--bandwidth", "100Mbit", "--rtt", "1ms", "--blksize", "auto",
                "--windowsize", "16", "--flash-timing", "none", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals(1468, j.get("blockSize").asInt());
        assertEquals(16, j.get("windowSize").asInt());
        // The generated image's payload alone takes size x 8 / 1e8 s at 100 Mbit/s; the transfer cannot beat it.
        double lineRate = EmulatedBoot.GENERATED_IMAGE_SIZE * 8 / 100e6;
        double t = j.get("transferSeconds").asDouble();
        assertTrue(t > lineRate && t < 3 * lineRate, "transfer " + t + " s, line rate " + lineRate + " s");

        BootCliTest.Run plain = BootCliTest.run("boot", "--blksize", "512", "--windowsize", "1", "--flash-timing", "none", "--json");
        assertEquals(0, plain.exit(), plain.err());
        assertEquals(512, plain.json().get("blockSize").asInt());
        assertEquals(1, plain.json().get("windowSize").asInt());
        // Without --bandwidth the wire is infinitely fast: lock-step costs one 200 us round trip per block.
        double blocks = Math.ceil((EmulatedBoot.GENERATED_IMAGE_SIZE + 1) / 512.0);
        assertEquals(blocks * 200e-6, plain.json().get("transferSeconds").asDouble(), blocks * 200e-6 * 0.05);
    }
}
