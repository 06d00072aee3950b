package dev.netboot.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.testkit.LinkContract;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RawSocketLink} on a veth pair made for this test (no addresses, IPv6 off): the test kit's
 * {@link LinkContract} (frames cross whole and in order, our own frames are not handed back, nothing blocks,
 * too long a frame is refused), and what a raw socket adds: frames another socket sends from the interface and
 * frames carrying our source MAC are dropped and counted, waits time out, the MTU is the interface's, and opening
 * fails with a clear message. UDP runs on loopback throughout ({@link LoopbackChatter}): no frame of another
 * interface may get through. Needs root and iproute2 (fails, never skips, without them).
 */
class RawSocketLinkTest extends LinkContract {
    static final MacAddress MAC_A = MacAddress.parse("02:00:00:77:00:0a");
    static final MacAddress MAC_B = MacAddress.parse("02:00:00:77:00:0b");
    static HostNet host;
    static String a;
    static String b;
    static LoopbackChatter chatter;

    @BeforeAll
    static void veth() {
        chatter = new LoopbackChatter();
        host = new HostNet();
        a = host.name("a");
        b = host.name("b");
        host.veth(a, MAC_A.toString(), null, b, MAC_B.toString(), null);
        HostNet.run("ip", "link", "set", b, "mtu", "1400");
    }

    @AfterAll
    static void cleanUp() {
        if (host != null) {
            host.close();
        }
        if (chatter != null) {
            chatter.close();
        }
    }

    /** Returns a frame from {@code src} to {@code dst} of EtherType 0x88b5 (IEEE local experimental) and {@code len} bytes. */
    static byte[] frame(MacAddress dst, MacAddress src, int len, int seed) {
        byte[] f = new byte[len];
        ByteBuffer bb = ByteBuffer.wrap(f);
        dst.write(bb, 0);
        src.write(bb, 6);
        bb.putShort(12, (short) 0x88b5);
        for (int i = 14; i < len; i++) {
            f[i] = (byte) (i * 7 + seed);
        }
        return f;
    }

    /** Opens the link as the board does: frames through the kernel's receive ring. */
    RawSocketLink open(String name) {
        return RawSocketLink.open(name);
    }

    /** What the link says it queues while the stack is busy: the ring, 128 slots of 2 KiB (a slot holds b's longest frame, 14 + 4 + 1400 bytes, behind up to 128 bytes of headers, and slots are powers of two), for 256 KiB. */
    long expectedReceiveBuffer() {
        return 128 * 2048;
    }

    /** How many frames the link holds while nobody takes them: the ring's slots, one frame each (-1: not a fixed number). */
    int framesHeldUnread() {
        return 128;
    }

    static byte[] take(RawSocketLink link) {
        byte[][] got = new byte[1][];
        boolean any = link.receive(0, (now, buf, length) -> {
            got[0] = new byte[length];
            buf.get(0, got[0]);
        });
        return any ? got[0] : null;
    }

    @Test
    void readsTheInterfacesMacAndMtu() {
        try (RawSocketLink la = open(a); RawSocketLink lb = open(b)) {
            assertEquals(MAC_A, la.macAddress());
            assertEquals(1500, la.mtu());
            assertEquals(MAC_B, lb.macAddress());
            assertEquals(1400, lb.mtu());
            assertEquals(a, la.name());
        }
    }

    /** The veth pair: b's MTU is 1400, so the kit's largest frame is 1414 bytes. */
    @Override
    protected LinkPair pair() {
        RawSocketLink la = open(a);
        try {
            return LinkPair.realTime(la, open(b));
        } catch (RuntimeException e) {
            la.close();
            throw e;
        }
    }

    @Test
    void framesSentFromTheInterfaceAndFramesWithOurSourceMacAreDropped() {
        try (RawSocketLink la = open(a); RawSocketLink lb = open(b);
             RawSocketLink other = open(a)) {
            byte[] small = frame(MAC_B, MAC_A, 60, 1);
            byte[] full = frame(MacAddress.BROADCAST, MAC_A, 14 + 1400, 2);
            assertTrue(la.transmit(0, small.length, (buf, len) -> buf.put(0, small, 0, len)));
            assertTrue(la.transmit(0, full.length, (buf, len) -> buf.put(0, full, 0, len)));
            assertTrue(lb.awaitFrame(2_000_000_000L), "a frame arrives on the peer");
            assertArrayEquals(small, take(lb));
            assertTrue(lb.awaitFrame(2_000_000_000L));
            assertArrayEquals(full, take(lb));
            assertFalse(lb.receive(0, (now, buf, len) -> { }), "nothing else pending");

            // Another socket on the sending interface is not handed them either (the kernel leaves them
            // out, or they come marked PACKET_OUTGOING and are dropped); they crossed before lb got them.
            assertNull(take(other), "frames sent from this interface are not handed back");
            assertNull(take(la));

            // A frame with our source MAC coming in (a loop, a duplicate address) is dropped too.
            byte[] spoofed = frame(MAC_A, MAC_B, 60, 3);
            spoofed[6 + 5] = 0x0a; // source MAC_A
            assertTrue(lb.transmit(0, spoofed.length, (buf, len) -> buf.put(0, spoofed, 0, len)));
            byte[] fine = frame(MAC_A, MAC_B, 64, 4);
            assertTrue(lb.transmit(0, fine.length, (buf, len) -> buf.put(0, fine, 0, len)));
            assertTrue(la.awaitFrame(2_000_000_000L));
            byte[] got = take(la);
            assertArrayEquals(fine, got, () -> "got " + Arrays.toString(got));
            assertTrue(la.droppedOwnFrames() >= 1, "the spoofed frame was counted");
        }
    }

    /**
     * b is quiet (no addresses, IPv6 off, its peer sends nothing) while loopback carries UDP: a link on b
     * is handed nothing, and the kernel queued nothing foreign to it, not even between socket() and bind().
     */
    @Test
    void framesOfOtherInterfacesNeverReachTheLink() {
        for (int i = 0; i < 20; i++) {
            int open = i;
            try (RawSocketLink lb = open(b)) {
                chatter.awaitSent(chatter.sent() + 10); // loopback frames went by while the link was open
                byte[] got = take(lb);
                assertNull(got, () -> "open #" + open + " was handed a frame of another interface: " + Arrays.toString(got));
                assertEquals(0, lb.droppedForeignFrames(), "nothing foreign was queued to the socket");
            }
        }
    }

    @Test
    void awaitFrameTimesOutOnAQuietLink() {
        try (RawSocketLink lb = open(b)) {
            long t0 = System.nanoTime();
            assertFalse(lb.awaitFrame(80_000_000L));
            long waited = System.nanoTime() - t0;
            assertTrue(waited >= 70_000_000L && waited < 2_000_000_000L, "waited " + waited + " ns");
            assertFalse(lb.awaitFrame(0));
        }
    }

    @Test
    void refusesFramesLongerThanTheMtu() {
        try (RawSocketLink lb = open(b)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> lb.transmit(0, 14 + 1401, (buf, len) -> { }));
            assertEquals("frame of 1415 bytes (expected: 14..1414 on " + b + ", MTU 1400)", e.getMessage());
        }
    }

    @Test
    void missingInterfaceIsNamed() {
        LinkException e = assertThrows(LinkException.class, () -> open(host.name("zz")));
        assertEquals("no interface named " + host.name("zz"), e.getMessage());
        assertEquals("no interface named this-name-is-too-long",
                assertThrows(LinkException.class, () -> open("this-name-is-too-long")).getMessage());
        // An empty name (--interface "", an unset shell variable) is said to be one: "no interface named " ended there.
        assertEquals("no interface named '' (the name is empty)", assertThrows(LinkException.class, () -> open("")).getMessage());
    }

    @Test
    void downInterfaceIsReported() {
        String c = host.name("c");
        String d = host.name("d");
        host.veth(c, null, null, d, null, null);
        HostNet.run("ip", "link", "set", c, "down");
        LinkException e = assertThrows(LinkException.class, () -> open(c));
        assertEquals(c + " is down (bring it up: ip link set " + c + " up)", e.getMessage());
    }

    /**
     * Frames the host's own stack sends over a veth leave their transport checksum to a NIC (virtio_net_hdr
     * NEEDS_CSUM, the field holding only the pseudo-header sum). The link finishes them: a UDP datagram's checksum
     * becomes 0, "no checksum" (RFC 768: the frame crossed no wire), a TCP segment's is computed and verifies.
     * The sums here are worked out by the test itself (RFC 1071), not by the code under test.
     */
    @Test
    void checksumsLeftToTheNicAreFinished() {
        String ns = host.netns("csum");
        String x = host.name("x");
        String y = host.name("y");
        MacAddress macY = MacAddress.parse("02:00:00:77:00:0c");
        host.veth(x, null, ns, y, macY.toString(), null);
        host.exec(ns, "ip", "addr", "add", "192.0.2.1/24", "dev", x);
        host.exec(ns, "ip", "neigh", "replace", "192.0.2.2", "lladdr", macY.toString(), "dev", x);
        try (RawSocketLink link = open(y)) {
            host.exec(ns, "bash", "-c", "printf hello >/dev/udp/192.0.2.2/9");
            byte[] udp = nextIpv4(link, 17);
            int ihl = (udp[14] & 0x0F) * 4;
            int u = 14 + ihl;
            assertEquals(0xFFFF, sum(udp, 14, ihl, 0), "the IPv4 header's checksum (computed by the host) verifies");
            assertEquals(0, word(udp, u + 6), "UDP checksum left to the NIC: 0, no checksum");
            assertEquals(13, word(udp, u + 4), "UDP length: 8 + 5");
            assertEquals("hello", new String(udp, u + 8, 5, java.nio.charset.StandardCharsets.US_ASCII));

            host.exec(ns, "bash", "-c", "timeout 1 bash -c 'exec 3<>/dev/tcp/192.0.2.2/9' || true");
            byte[] tcp = nextIpv4(link, 6);
            int t = 14 + (tcp[14] & 0x0F) * 4;
            int segment = word(tcp, 16) - (t - 14);
            long pseudo = word(tcp, 26) + word(tcp, 28) + word(tcp, 30) + word(tcp, 32) + 6 + segment;
            assertTrue(word(tcp, t + 16) != 0, "a TCP checksum was written");
            assertEquals(0xFFFF, sum(tcp, t, segment, pseudo), "the TCP checksum completed by the link verifies");
        }
    }

    /** Returns the next IPv4 frame of protocol {@code proto} the link hands over within 2 s, skipping others. */
    private static byte[] nextIpv4(RawSocketLink link, int proto) {
        long end = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < end) {
            link.awaitFrame(100_000_000L);
            byte[] f;
            while ((f = take(link)) != null) {
                if (f.length >= 34 && word(f, 12) == 0x0800 && (f[23] & 0xFF) == proto) {
                    return f;
                }
            }
        }
        throw new AssertionError("no IPv4 frame of protocol " + proto + " within 2 s");
    }

    private static int word(byte[] f, int at) {
        return (f[at] & 0xFF) << 8 | f[at + 1] & 0xFF;
    }

    /** RFC 1071: the one's complement sum of {@code len} bytes from {@code off} (odd byte padded), plus {@code sum}, folded. */
    private static int sum(byte[] f, int off, int len, long sum) {
        for (int i = 0; i < len; i += 2) {
            sum += i + 1 < len ? word(f, off + i) : (f[off + i] & 0xFF) << 8;
        }
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    /**
     * The link lends heap buffers, as the emulator does (the kernel reads and writes them in place), so the stack's
     * code sees one kind of ByteBuffer on both and the JIT's profiles from emulated boots (the AOT training) fit.
     */
    @Test
    void buffersLentAreOnTheHeap() {
        try (RawSocketLink la = open(a); RawSocketLink lb = open(b)) {
            byte[] f = frame(MAC_B, MAC_A, 100, 5);
            boolean[] heap = new boolean[2];
            assertTrue(la.transmit(0, f.length, (buf, len) -> {
                heap[0] = buf.hasArray() && !buf.isDirect();
                buf.put(0, f, 0, len);
            }));
            assertTrue(lb.awaitFrame(2_000_000_000L));
            assertTrue(lb.receive(0, (now, buf, len) -> {
                heap[1] = buf.hasArray() && !buf.isDirect();
                byte[] got = new byte[len];
                buf.get(0, got);
                assertArrayEquals(f, got);
            }));
            assertTrue(heap[0], "transmit lends a heap buffer");
            assertTrue(heap[1], "receive lends a heap buffer");
        }
    }

    @Test
    void saysWhatItQueuesWhileTheStackIsBusy() {
        try (RawSocketLink lb = open(b)) {
            assertEquals(expectedReceiveBuffer(), lb.receiveBufferBytes());
        }
    }

    /**
     * A burst nobody takes fills what the link holds, and the kernel drops the rest: what arrives is the burst's head,
     * whole and in order, as many frames as the link holds; then the link goes on as before.
     */
    @Test
    void aBurstLargerThanTheLinkHoldsLosesOnlyItsTail() {
        try (RawSocketLink la = open(a); RawSocketLink lb = open(b)) {
            java.util.List<Integer> sent = new java.util.ArrayList<>();
            for (int i = 0; i < 400; i++) {
                byte[] f = frame(MAC_B, MAC_A, 14 + 1400, i);
                if (la.transmit(0, f.length, (buf, len) -> buf.put(0, f, 0, len))) {
                    sent.add(i);
                }
            }
            assertTrue(sent.size() > 128, "the burst is larger than the link holds: " + sent.size() + " sent");
            int got = 0;
            byte[] f;
            while ((f = take(lb)) != null) {
                assertArrayEquals(frame(MAC_B, MAC_A, 14 + 1400, sent.get(got)), f, "frame " + got + " of the burst");
                got++;
            }
            if (framesHeldUnread() > 0) {
                assertEquals(framesHeldUnread(), got, "frames held while nobody took them");
            } else {
                assertTrue(got >= 32 && got < sent.size(), "a socket buffer holds the burst's head: " + got + " of " + sent.size());
            }
            byte[] after = frame(MAC_B, MAC_A, 60, 77);
            assertTrue(la.transmit(0, after.length, (buf, len) -> buf.put(0, after, 0, len)));
            assertTrue(lb.awaitFrame(2_000_000_000L));
            assertArrayEquals(after, take(lb), "the link goes on after the loss");
        }
    }

    /** Taken as they come, a thousand frames (the ring's slots many times over) all arrive, whole and in order. */
    @Test
    void framesTakenAsTheyComeAllArriveInOrder() {
        try (RawSocketLink la = open(a); RawSocketLink lb = open(b)) {
            for (int i = 0; i < 1000; i++) {
                byte[] f = frame(MAC_B, MAC_A, 60 + i % 1355, i);
                assertTrue(la.transmit(0, f.length, (buf, len) -> buf.put(0, f, 0, len)));
                assertTrue(lb.awaitFrame(2_000_000_000L), "frame " + i + " arrives");
                assertArrayEquals(f, take(lb), "frame " + i);
            }
            assertNull(take(lb));
        }
    }

    /**
     * The interface goes down under an open link (ip link set down): waiting and taking frames report it in one
     * exception naming the interface and the kernel's ENETDOWN, at once, rather than waking for nothing until the
     * stack's timers run out.
     */
    @Test
    void anInterfaceGoingDownIsReportedAtOnce() {
        String e = host.name("e");
        String f = host.name("f");
        host.veth(e, null, null, f, null, null);
        try (RawSocketLink le = open(e)) {
            HostNet.run("ip", "link", "set", e, "down");
            long t0 = System.nanoTime();
            int wakes = 0;
            LinkException down = null;
            while (down == null && System.nanoTime() - t0 < 1_000_000_000L) {
                try {
                    if (le.awaitFrame(100_000_000L)) {
                        wakes++;
                        le.receive(0, (now, buf, len) -> { });
                    }
                } catch (LinkException x) {
                    down = x;
                }
            }
            assertTrue(down != null, "no error within 1 s; woke " + wakes + " times for nothing");
            assertTrue(down.getMessage().startsWith(e + ": ") && down.getMessage().endsWith(": Network is down (errno 100)"),
                    down.getMessage());
        }
    }

    @Test
    void closeIsIdempotent() {
        RawSocketLink lb = open(b);
        lb.close();
        lb.close();
    }

    /**
     * A closed link refuses every call in one line. Before, receive read the receive ring after close had unmapped it
     * and the JVM died of SIGSEGV (a board's loop polling a link its error path had closed); transmit sent on a file
     * descriptor number the system may have given to another file by then.
     */
    @Test
    void aClosedLinkRefusesEveryCall() {
        RawSocketLink la = open(a);
        la.close();
        String closed = a + ": the link is closed";
        assertEquals(closed, assertThrows(LinkException.class, () -> la.receive(0, (now, f, len) -> { })).getMessage());
        assertEquals(closed, assertThrows(LinkException.class, () -> la.transmit(0, 60, (f, len) -> { })).getMessage());
        assertEquals(closed, assertThrows(LinkException.class, () -> la.awaitFrame(1_000_000L)).getMessage());
        assertEquals(closed, assertThrows(LinkException.class, () -> la.joinMulticast(MacAddress.parse("01:00:5e:00:00:01")))
                .getMessage());
        assertEquals(closed, assertThrows(LinkException.class, () -> la.leaveMulticast(MacAddress.parse("01:00:5e:00:00:01")))
                .getMessage());
        assertEquals(closed, assertThrows(LinkException.class, la::receiveAllFrames).getMessage());
    }
}
