package dev.netboot.tftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.wire.TftpPacket.Option;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link OptionOffer} on its own: what a request asks for, and the OACK check. Expected values come from
 * RFC 2347 (negotiation), 2348 (blksize 8..65464, the server may answer less), 2349 (tsize, timeout
 * 1..255 echoed exactly) and 7440 (windowsize 1..65535, the server may answer less).
 */
class OptionOfferTest {
    /** blksize 1468 (MTU 1500), tsize 0 (a read), timeout 5 s, window 16, rollover 0. */
    static final OptionOffer ALL = new OptionOffer(1468, 0, 5, 16, 0);

    static Option opt(String name, String value) {
        return new Option(name, value);
    }

    static OptionOffer.Agreed agreed(OptionOffer.Answer a) {
        return assertInstanceOf(OptionOffer.Agreed.class, a);
    }

    static String refused(OptionOffer.Answer a) {
        return assertInstanceOf(OptionOffer.Refused.class, a).reason();
    }

    // ------------------------------------------------------------------ the offer

    @Test
    void plainRequestAsksNothing() {
        // RFC 1350 (options off, or the retry after ERROR 8): no options, so no OACK can be right.
        assertFalse(OptionOffer.NONE.any());
        assertEquals(List.of(), OptionOffer.NONE.options());
    }

    @Test
    void defaultBlockSizeIsNotAskedFor() {
        // 512 is RFC 1350's own size: asking for it would be noise; tsize still goes (RFC 2349: 0 on a read).
        OptionOffer o = OptionOffer.of(TftpConfig.DEFAULTS, 512, 0);
        assertEquals(new OptionOffer(OptionOffer.NOT_ASKED, 0, OptionOffer.NOT_ASKED, OptionOffer.NOT_ASKED,
                OptionOffer.NOT_ASKED), o);
        assertEquals(List.of(opt("tsize", "0")), o.options());
    }

    @Test
    void offerListsOptionsInOrderWithTheirValues() {
        TftpConfig c = new TftpConfig(1_000_000_000L, 3, 512).withBlockSize(TftpConfig.AUTO).withWindow(16, 1 << 20)
                .withServerTimeout(5).withRollover(0);
        // RFC 2348: AUTO on a 1472-byte UDP payload (MTU 1500) is 1472 - 4 = 1468.
        OptionOffer o = OptionOffer.of(c, c.requestedBlockSize(1472), 0);
        assertEquals(ALL, o);
        assertTrue(o.any());
        assertEquals(List.of(opt("blksize", "1468"), opt("tsize", "0"), opt("timeout", "5"), opt("windowsize", "16"),
                opt("rollover", "0")), o.options());
    }

    @Test
    void tsizeIsLeftOutWhenTheSizeIsUnknownOrNotWanted() {
        TftpConfig c = new TftpConfig(1_000_000_000L, 3, 1024);
        assertEquals(List.of(opt("blksize", "1024"), opt("tsize", "70000")), OptionOffer.of(c, 1024, 70_000).options());
        assertEquals(List.of(opt("blksize", "1024")), OptionOffer.of(c, 1024, -1).options());
        assertEquals(List.of(opt("blksize", "1024")), OptionOffer.of(c.withTsize(false), 1024, 0).options());
    }

    // ------------------------------------------------------------------ the OACK

    @Test
    void emptyOackKeepsRfc1350Values() {
        assertEquals(new OptionOffer.Agreed(512, 1, -1, -1), agreed(ALL.check(List.of())));
    }

    @Test
    void serverMayAnswerSmallerBlockSizeAndWindow() {
        OptionOffer.Agreed a = agreed(ALL.check(List.of(opt("blksize", "1024"), opt("tsize", "123456"),
                opt("timeout", "5"), opt("windowsize", "8"), opt("rollover", "1"))));
        assertEquals(new OptionOffer.Agreed(1024, 8, 123_456, 1), a);
    }

    @Test
    void blockSizeBoundsOfRfc2348() {
        assertEquals(8, agreed(ALL.check(List.of(opt("blksize", "8")))).blockSize());
        assertEquals(1468, agreed(ALL.check(List.of(opt("blksize", "1468")))).blockSize());
        assertEquals("OACK blksize 7 (expected: 8..1468)", refused(ALL.check(List.of(opt("blksize", "7")))));
        assertEquals("OACK blksize 1469 (expected: 8..1468)", refused(ALL.check(List.of(opt("blksize", "1469")))));
    }

    @Test
    void timeoutMustEchoTheRequest() {
        // RFC 2349: "the specified timeout value must match the value specified by the client".
        assertEquals("OACK timeout 6 (expected: 5)", refused(ALL.check(List.of(opt("timeout", "6")))));
    }

    @Test
    void windowBoundsOfRfc7440() {
        assertEquals(1, agreed(ALL.check(List.of(opt("windowsize", "1")))).windowSize());
        assertEquals("OACK windowsize 0 (expected: 1..16)", refused(ALL.check(List.of(opt("windowsize", "0")))));
        assertEquals("OACK windowsize 17 (expected: 1..16)", refused(ALL.check(List.of(opt("windowsize", "17")))));
    }

    @Test
    void tsizeAndRolloverRanges() {
        assertEquals(0, agreed(ALL.check(List.of(opt("tsize", "0")))).tsize());
        assertEquals("OACK tsize -1 (expected: a byte count)", refused(ALL.check(List.of(opt("tsize", "-1")))));
        assertEquals("OACK rollover 2 (expected: 0 or 1)", refused(ALL.check(List.of(opt("rollover", "2")))));
    }

    @Test
    void anOptionNamedTwiceIsRefused() {
        // Which of the two would the server use? The second QA pass met one sending the first: refused, not guessed.
        assertEquals("OACK names blksize twice (1468, then 512)",
                refused(ALL.check(List.of(opt("blksize", "1468"), opt("tsize", "9"), opt("blksize", "512")))));
        assertEquals("OACK names tsize twice (9, then 9)", refused(ALL.check(List.of(opt("tsize", "9"), opt("tsize", "9")))));
    }

    @Test
    void unrequestedOptionIsRefused() {
        // RFC 2347 section 2: the server must not acknowledge an option the client did not send.
        OptionOffer blksizeOnly = new OptionOffer(1024, -1, -1, -1, -1);
        assertEquals("OACK option 'tsize' was never requested", refused(blksizeOnly.check(List.of(opt("tsize", "5")))));
        assertEquals("OACK option 'multicast' was never requested",
                refused(ALL.check(List.of(opt("multicast", "")))));
    }

    @Test
    void aMulticastGroupInTheLocalControlBlockIsRefused() {
        // RFC 5771: 224.0.0.0/24 is the local network control block (224.0.0.1 all systems, .2 all routers, .251 mDNS),
        // no group for a file's DATA; 224.0.0.1 is never joined (RFC 2236 section 6). The first group past it is one.
        OptionOffer mc = new OptionOffer(-1, -1, -1, -1, -1, true);
        for (String group : List.of("224.0.0.0", "224.0.0.1", "224.0.0.2", "224.0.0.251", "224.0.0.255")) {
            String v = group + ",1758,1";
            assertEquals("OACK multicast " + v + " (expected: group,port,0 or 1, the group in 224.0.0.0/4 past 224.0.0.255,"
                    + " like 239.255.0.1,1758,1)", refused(mc.check(List.of(opt("multicast", v)))));
        }
        assertEquals(new MulticastOption(dev.netboot.wire.Ipv4Address.parse("224.0.1.0"), 1758, true),
                agreed(mc.check(List.of(opt("multicast", "224.0.1.0,1758,1")))).multicast());
        assertEquals(new MulticastOption(dev.netboot.wire.Ipv4Address.parse("239.255.255.255"), 1, false),
                agreed(mc.check(List.of(opt("multicast", "239.255.255.255,1,0")))).multicast());
    }

    @Test
    void oackFromTheWire() {
        // opcode 6, then "blksize\0" "1024\0" (RFC 2347 figure of the OACK)
        ByteBuffer buf = ByteBuffer.wrap("\0\6blksize\0001024\0".getBytes(StandardCharsets.US_ASCII));
        assertEquals(1024, agreed(ALL.check(buf, 0, buf.capacity())).blockSize());
        assertEquals("OACK without options requested", refused(OptionOffer.NONE.check(buf, 0, buf.capacity())));

        ByteBuffer torn = ByteBuffer.wrap("\0\6blksize\0001024".getBytes(StandardCharsets.US_ASCII)); // no final NUL
        assertTrue(refused(ALL.check(torn, 0, torn.capacity())).startsWith("malformed OACK: "));
    }

    @Test
    void numbersAreUnsignedDecimalOnly() {
        assertEquals(0, OptionOffer.number("0"));
        assertEquals(12, OptionOffer.number("0012"));
        assertEquals(999_999_999_999_999_999L, OptionOffer.number("999999999999999999"));
        assertEquals(-1, OptionOffer.number(""));
        assertEquals(-1, OptionOffer.number("+5"));
        assertEquals(-1, OptionOffer.number("1e3"));
        assertEquals(-1, OptionOffer.number("1000000000000000000")); // 19 digits: past what the client reads
    }
}
