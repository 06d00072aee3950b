package dev.netboot.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.netboot.link.Link;
import dev.netboot.link.WaitableLink;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link Link} keeps, as a JUnit 5 test suite: extend this class, implement {@link #pair} to
 * return two of your ports on one Ethernet segment, and your network driver runs the tests netboot's own links pass
 * (the raw socket on a veth pair, the emulator's ports, the pcap decorator).
 *
 * <pre>{@code
 * class MyLinkTest extends LinkContract {
 *     @Override
 *     protected LinkPair pair() {
 *         return LinkPair.realTime(MyLink.open("eth1"), MyLink.open("eth2"));   // two ports wired together
 *     }
 * }
 * }</pre>
 *
 * <p>What a link must do ({@link Link}'s Javadoc): report a unicast MAC and an MTU that carries a boot (576 to
 * 65535 bytes of payload); carry a frame of 60 to {@code 14 + MTU} bytes to the other port whole, in the order
 * sent, unicast or broadcast; hand a port none of its own frames back; hand over one frame per {@code receive}
 * call, and none when none is pending; never block in {@code receive} or {@code transmit}; refuse (with
 * {@link IllegalArgumentException}) a frame shorter than its 14-byte header or longer than the MTU allows, sending
 * nothing; lend the filler a buffer of at least the frame's length and send exactly the bytes it wrote. A
 * {@link WaitableLink} also wakes for a frame ({@link WaitableLink#awaitFrame}) and times out on a quiet link. A link
 * in virtual time says in {@link Link#pollAt()} when its next frame is due.
 *
 * <p>The kit's frames carry EtherType 0x88b5 (IEEE 802 local experimental); frames of any other kind that a real
 * segment carries (IPv6 neighbour discovery, LLDP) are skipped, so the pair needs a quiet segment, not a silent
 * one. Real-time waits are bounded at {@link #WAIT} for a frame that must come and {@link #QUIET} for one that must
 * not. A driver call that blocks fails its test rather than hanging the build: each test runs in a thread of its own
 * and fails after 60 s.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class LinkContract {
    /** How long a real-time test waits for a frame that must arrive. */
    public static final Duration WAIT = Duration.ofSeconds(2);
    /** How long a real-time test waits to see that a frame does not arrive. */
    public static final Duration QUIET = Duration.ofMillis(200);
    /** EtherType of the kit's frames: IEEE 802 local experimental ethertype 1. */
    public static final int ETHER_TYPE = 0x88b5;
    /** Shortest frame on the wire without FCS: 60 bytes (shorter ones are padded). */
    public static final int MIN_FRAME = 60;

    /**
     * Two ports of one Ethernet segment: what one transmits, the other receives.
     *
     * @param a           one port
     * @param b           the other
     * @param virtualTime true when frames move in virtual time (the kit passes a clock it advances to
     *                    {@link Link#pollAt()}); false for real time, where the kit passes the monotonic clock
     * @param close       what closes both ports after the test (may be a no-op)
     */
    public record LinkPair(Link a, Link b, boolean virtualTime, AutoCloseable close) {
        /** Checks for nulls. */
        public LinkPair {
            Objects.requireNonNull(a, "a");
            Objects.requireNonNull(b, "b");
            Objects.requireNonNull(close, "close");
        }

        /** Two ports in real time, each closed after the test when it is {@link AutoCloseable}. */
        public static LinkPair realTime(Link a, Link b) {
            return new LinkPair(a, b, false, () -> closeBoth(a, b));
        }

        /** Two ports in virtual time, each closed after the test when it is {@link AutoCloseable}. */
        public static LinkPair virtualTime(Link a, Link b) {
            return new LinkPair(a, b, true, () -> closeBoth(a, b));
        }

        private static void closeBoth(Link a, Link b) throws Exception {
            try {
                if (a instanceof AutoCloseable c) {
                    c.close();
                }
            } finally {
                if (b instanceof AutoCloseable c) {
                    c.close();
                }
            }
        }
    }

    private final List<LinkPair> pairs = new ArrayList<>();
    private final int run = (int) System.nanoTime();
    private long virtualNow;
    private final long origin = System.nanoTime();
    private boolean virtual;
    private int sequence;

    /** Returns two ports of one quiet segment; the kit closes them after the test. */
    protected abstract LinkPair pair() throws Exception;

    /** Closes the pairs this test opened. */
    @AfterEach
    public void closePairs() throws Exception {
        for (LinkPair p : pairs) {
            p.close().close();
        }
        pairs.clear();
    }

    private LinkPair open() throws Exception {
        LinkPair p = pair();
        pairs.add(p);
        virtual = p.virtualTime();
        return p;
    }

    /** Returns the time passed to the link: virtual, or nanoseconds since this test began. */
    private long now() {
        return virtual ? virtualNow : System.nanoTime() - origin;
    }

    /** Returns a kit frame from {@code src} to {@code dst} of {@code length} bytes, numbered. */
    private byte[] frame(MacAddress dst, MacAddress src, int length) {
        byte[] f = new byte[length];
        ByteBuffer b = ByteBuffer.wrap(f);
        dst.write(b, 0);
        src.write(b, 6);
        b.putShort(12, (short) ETHER_TYPE);
        b.putInt(14, run);
        int n = sequence++;
        b.putInt(18, n);
        for (int i = 22; i < length; i++) {
            f[i] = (byte) (i * 7 + n);
        }
        return f;
    }

    private boolean ours(byte[] f) {
        return f.length >= 22 && ((f[12] & 0xFF) << 8 | (f[13] & 0xFF)) == ETHER_TYPE && ByteBuffer.wrap(f).getInt(14) == run;
    }

    /** Sends {@code f} through {@code link}, retrying a link out of room for up to {@link #WAIT}. */
    private void send(Link link, byte[] f) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            boolean sent = link.transmit(now(), f.length, (buf, length) -> {
                assertEquals(f.length, length, "the filler is told the frame's length");
                assertTrue(buf.capacity() >= length, "the link lends a buffer of at least the frame: " + buf.capacity() + " < " + length);
                buf.put(0, f, 0, length);
            });
            if (sent) {
                return;
            }
            if (virtual || System.nanoTime() > deadline) {
                fail("transmit of a " + f.length + "-byte frame found no room" + (virtual ? " in virtual time" : " for " + WAIT));
            }
            LockSupport.parkNanos(1_000_000L);
        }
    }

    /** Calls {@code receive} once; returns the frame it handed over (exactly once, or never), or null. */
    private byte[] receiveOnce(Link link) {
        List<byte[]> got = new ArrayList<>(1);
        boolean any = link.receive(now(), (when, buf, length) -> {
            assertTrue(length >= 0 && length <= buf.capacity(), "frame length " + length + " within the lent buffer of " + buf.capacity());
            byte[] f = new byte[length];
            buf.get(0, f);
            got.add(f);
        });
        assertEquals(any ? 1 : 0, got.size(), "receive returned " + any + " and handed over " + got.size() + " frames");
        return any ? got.getFirst() : null;
    }

    /** Returns the next kit frame {@code link} receives within {@code timeout}, or null; skips others. */
    private byte[] take(Link link, Duration timeout) {
        long deadline = now() + (virtual ? Duration.ofSeconds(1).toNanos() : timeout.toNanos());
        while (true) {
            byte[] f = receiveOnce(link);
            if (f != null) {
                if (ours(f)) {
                    return f;
                }
                continue;
            }
            if (virtual) {
                long at = link.pollAt();
                if (at == Long.MAX_VALUE || at > deadline) {
                    return null;
                }
                assertTrue(at > virtualNow, "pollAt() " + at + " is due at " + virtualNow + " but receive handed nothing over");
                virtualNow = at;
            } else {
                long left = deadline - now();
                if (left <= 0) {
                    return null;
                }
                if (link instanceof WaitableLink w) {
                    w.awaitFrame(left);
                } else {
                    LockSupport.parkNanos(Math.min(left, 1_000_000L));
                }
            }
        }
    }

    /** Returns the number {@link #frame} gave {@code f}: the test makes and sends its frames in this order. */
    private static int number(byte[] f) {
        return ByteBuffer.wrap(f).getInt(18);
    }

    private byte[] expect(Link link, byte[] sent, String what) {
        byte[] got = take(link, WAIT);
        assertNotNull(got, what + ": nothing arrived" + (virtual ? " (pollAt() named no time within 1 s)" : " within " + WAIT));
        int due = number(sent);
        int came = number(got);
        if (came != due) {
            fail(what + ": the link handed over the test's frame #" + came + " where #" + due + " was due"
                    + " (numbered as sent): " + (came < due ? "an earlier frame again, duplicated, or one held back and reordered"
                    : "a later one, #" + due + " lost or reordered behind it"));
        }
        assertArrayEquals(sent, got, what + ": the frame arrives whole, byte for byte");
        return got;
    }

    private static int maxFrame(LinkPair p) {
        return 14 + Math.min(p.a().mtu(), p.b().mtu());
    }

    @Test
    public void theMacAddressIsUnicastStableAndEachPortsOwn() throws Exception {
        LinkPair p = open();
        for (Link l : List.of(p.a(), p.b())) {
            MacAddress mac = l.macAddress();
            assertNotNull(mac);
            assertEquals(0, (mac.value() >>> 40) & 1, mac + ": the group bit is clear (a unicast address)");
            assertNotEquals(MacAddress.ZERO, mac);
            assertEquals(mac, l.macAddress(), "the same address every time");
        }
        assertNotEquals(p.a().macAddress(), p.b().macAddress(), "two ports, two addresses");
    }

    @Test
    public void theMtuCarriesABoot() throws Exception {
        LinkPair p = open();
        for (Link l : List.of(p.a(), p.b())) {
            // RFC 2131: a DHCP client must take 576-byte datagrams; a TFTP block of 512 needs 544.
            assertTrue(l.mtu() >= 576 && l.mtu() <= 65535, "MTU " + l.mtu() + " (expected: 576..65535)");
            assertEquals(l.mtu(), l.mtu());
        }
    }

    @Test
    public void framesCrossWholeEitherWayUnicastAndBroadcast() throws Exception {
        LinkPair p = open();
        int max = maxFrame(p);
        byte[] small = frame(p.b().macAddress(), p.a().macAddress(), MIN_FRAME);
        byte[] full = frame(MacAddress.BROADCAST, p.a().macAddress(), max);
        send(p.a(), small);
        send(p.a(), full);
        if (!virtual && p.b() instanceof WaitableLink w) {
            assertTrue(w.awaitFrame(WAIT.toNanos()), "awaitFrame wakes for a frame sent to the port");
        }
        expect(p.b(), small, "a " + MIN_FRAME + "-byte unicast frame a -> b");
        expect(p.b(), full, "a " + max + "-byte broadcast frame a -> b");
        byte[] back = frame(p.a().macAddress(), p.b().macAddress(), 1000);
        send(p.b(), back);
        expect(p.a(), back, "a 1000-byte unicast frame b -> a");
    }

    @Test
    public void framesArriveInTheOrderSent() throws Exception {
        LinkPair p = open();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            byte[] f = frame(p.b().macAddress(), p.a().macAddress(), MIN_FRAME + i * 61 % (maxFrame(p) - MIN_FRAME));
            sent.add(f);
            send(p.a(), f);
        }
        for (int i = 0; i < sent.size(); i++) {
            expect(p.b(), sent.get(i), "frame " + i + " of 16");
        }
    }

    @Test
    public void aPortIsNotHandedItsOwnFramesBack() throws Exception {
        LinkPair p = open();
        byte[] f = frame(MacAddress.BROADCAST, p.a().macAddress(), 100);
        send(p.a(), f);
        expect(p.b(), f, "the broadcast reaches the other port");
        assertNull(take(p.a(), QUIET), "the sender does not receive its own frame");
    }

    @Test
    public void aQuietPortHasNothingAndReceiveDoesNotBlock() throws Exception {
        LinkPair p = open();
        assertTimeoutPreemptively(WAIT, () -> {
            for (int i = 0; i < 100; i++) {
                byte[] f = receiveOnce(p.b());
                assertTrue(f == null || !ours(f), "nothing was sent, yet a kit frame arrived");
            }
        }, "receive on a quiet link returns at once");
        if (!virtual && p.b() instanceof WaitableLink w) {
            long t0 = System.nanoTime();
            w.awaitFrame(0);
            assertTrue(System.nanoTime() - t0 < QUIET.toNanos(), "awaitFrame(0) only checks");
            t0 = System.nanoTime();
            w.awaitFrame(QUIET.toNanos());
            assertTrue(System.nanoTime() - t0 < WAIT.toNanos(), "awaitFrame returns by its timeout on a quiet link");
        }
    }

    @Test
    public void transmitDoesNotBlock() throws Exception {
        LinkPair p = open();
        byte[] f = frame(p.b().macAddress(), p.a().macAddress(), MIN_FRAME);
        // A link out of room says so (false) and the board retries on a later poll; it never waits for room or the wire.
        assertTimeoutPreemptively(WAIT, () -> {
            for (int i = 0; i < 100; i++) {
                p.a().transmit(now(), f.length, (buf, length) -> buf.put(0, f, 0, length));
            }
        }, "transmit returns at once, true or false (no room): 100 calls within " + WAIT);
    }

    @Test
    public void framesShorterThanAHeaderOrLongerThanTheMtuAreRefusedAndNothingIsSent() throws Exception {
        LinkPair p = open();
        int tooLong = 14 + p.a().mtu() + 1;
        assertThrows(IllegalArgumentException.class, () -> p.a().transmit(now(), tooLong, (buf, len) -> { }),
                "a frame of " + tooLong + " bytes on an MTU of " + p.a().mtu());
        assertThrows(IllegalArgumentException.class, () -> p.a().transmit(now(), 13, (buf, len) -> { }), "a 13-byte frame");
        assertNull(take(p.b(), QUIET), "nothing was sent");
        byte[] fine = frame(p.b().macAddress(), p.a().macAddress(), MIN_FRAME);
        send(p.a(), fine);
        expect(p.b(), fine, "the link still works after a refusal");
    }

    @Test
    public void aShortFrameAfterALongOneCarriesOnlyItsOwnBytes() throws Exception {
        LinkPair p = open();
        byte[] longFrame = frame(p.b().macAddress(), p.a().macAddress(), maxFrame(p));
        byte[] shortFrame = frame(p.b().macAddress(), p.a().macAddress(), MIN_FRAME + 4);
        send(p.a(), longFrame);
        send(p.a(), shortFrame);
        expect(p.b(), longFrame, "the long frame");
        byte[] got = expect(p.b(), shortFrame, "the short frame, not padded with the long one's bytes");
        assertEquals(MIN_FRAME + 4, got.length);
    }

    @Test
    public void receiveHandsOverOneFramePerCall() throws Exception {
        LinkPair p = open();
        byte[] first = frame(p.b().macAddress(), p.a().macAddress(), 200);
        byte[] second = frame(p.b().macAddress(), p.a().macAddress(), 300);
        send(p.a(), first);
        send(p.a(), second);
        // receiveOnce asserts, at every call of every test, that one call hands over one frame or none.
        expect(p.b(), first, "the first of two pending frames");
        expect(p.b(), second, "the second, on a later call");
        assertNull(take(p.b(), QUIET), "and then none");
    }
}
