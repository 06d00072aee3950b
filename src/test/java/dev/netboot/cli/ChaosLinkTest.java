package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.link.WaitableLink;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.UdpDatagram;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code serve}'s fault stage, frame by frame, against a wire that records what reaches it and what it hands over. */
class ChaosLinkTest {
    /** A wire: frames queued to be received, and the frames transmitted (with their time). */
    static final class Wire implements WaitableLink {
        final ArrayDeque<byte[]> incoming = new ArrayDeque<>();
        final List<byte[]> sent = new ArrayList<>();
        final List<Long> sentAt = new ArrayList<>();

        @Override
        public MacAddress macAddress() {
            return MacAddress.parse("02:00:00:00:00:01");
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public boolean receive(long now, FrameHandler handler) {
            byte[] f = incoming.poll();
            if (f == null) {
                return false;
            }
            handler.onFrame(now, java.nio.ByteBuffer.wrap(f), f.length);
            return true;
        }

        @Override
        public boolean transmit(long now, int length, FrameFiller filler) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(length);
            filler.fill(b, length);
            sent.add(b.array());
            sentAt.add(now);
            return true;
        }

        @Override
        public boolean awaitFrame(long timeoutNanos) {
            return !incoming.isEmpty();
        }
    }

    static byte[] frame(int tag) {
        byte[] f = new byte[60];
        f[12] = 0x08;
        f[20] = (byte) tag;
        return f;
    }

    static void send(ChaosLink l, long now, byte[] f) {
        l.transmit(now, f.length, (b, n) -> b.put(0, f, 0, n));
    }

    static List<byte[]> drain(ChaosLink l, long now) {
        List<byte[]> got = new ArrayList<>();
        while (l.receive(now, (t, b, n) -> {
            byte[] c = new byte[n];
            b.get(0, c, 0, n);
            got.add(c);
        })) {
            // collect
        }
        return got;
    }

    @Test
    void aPerfectWirePassesEveryFrameAsItIsAtOnce() {
        Wire w = new Wire();
        List<String> seen = new ArrayList<>();
        ChaosLink l = new ChaosLink(w, ChaosLink.Faults.NONE, 1, (now, dir, f, n, lost, faults) -> seen.add(dir + " " + lost + " " + faults));
        send(l, 5, frame(1));
        w.incoming.add(frame(2));
        List<byte[]> in = drain(l, 6);
        assertEquals(1, w.sent.size());
        assertArrayEquals(frame(1), w.sent.getFirst());
        assertEquals(5L, w.sentAt.getFirst());
        assertEquals(1, in.size());
        assertArrayEquals(frame(2), in.getFirst());
        assertEquals(List.of("OUT false null", "IN false null"), seen);
    }

    @Test
    void lossOneDropsEverythingBothWaysAndSaysSo() {
        Wire w = new Wire();
        List<Boolean> lost = new ArrayList<>();
        ChaosLink l = new ChaosLink(w, new ChaosLink.Faults(1, 0, 0, 0, 0), 1, (now, dir, f, n, ls, faults) -> lost.add(ls));
        for (int i = 0; i < 5; i++) {
            send(l, i, frame(i));
            w.incoming.add(frame(100 + i));
        }
        assertEquals(0, drain(l, 10).size());
        assertEquals(0, w.sent.size());
        assertEquals(10, l.lost());
        assertEquals(List.of(true, true, true, true, true, true, true, true, true, true), lost);
    }

    @Test
    void duplicateOneDeliversEveryFrameTwice() {
        Wire w = new Wire();
        ChaosLink l = new ChaosLink(w, new ChaosLink.Faults(0, 1, 0, 0, 0), 1, (now, dir, f, n, ls, faults) -> {
        });
        send(l, 0, frame(1));
        w.incoming.add(frame(2));
        List<byte[]> in = drain(l, 0);
        assertEquals(2, w.sent.size());
        assertEquals(2, in.size());
        assertArrayEquals(frame(2), in.get(1));
    }

    @Test
    void corruptionFlipsExactlyOneBitPastTheEthernetHeader() {
        Wire w = new Wire();
        ChaosLink l = new ChaosLink(w, new ChaosLink.Faults(0, 0, 0, 1, 0), 9, (now, dir, f, n, ls, faults) -> {
        });
        for (int i = 0; i < 50; i++) {
            send(l, i, frame(i));
        }
        for (int i = 0; i < 50; i++) {
            byte[] a = frame(i);
            byte[] b = w.sent.get(i);
            int bits = 0;
            for (int k = 0; k < a.length; k++) {
                bits += Integer.bitCount((a[k] ^ b[k]) & 0xFF);
                if (k < 14) {
                    assertEquals(a[k], b[k], "the Ethernet header is left alone");
                }
            }
            assertEquals(1, bits);
        }
    }

    @Test
    void aCorruptedDatagramWhoseChecksumWasLeftToTheNicIsOneACarefulReceiverDrops() {
        // A frame from a veth or a VM's tap comes with its UDP checksum left to the NIC, and RawSocketLink hands it on
        // with the checksum 0 ("none", RFC 768). On a wire it would have carried one: a flipped bit must show, as the
        // class says, or serve --corrupt hands its servers a changed datagram (an ACK of block 22 whose high byte flipped
        // made serve take an atftp client with 24 of 211 blocks as served, and stop answering it).
        Wire w = new Wire();
        ChaosLink l = new ChaosLink(w, new ChaosLink.Faults(0, 0, 0, 1, 0), 11, (now, dir, f, n, ls, faults) -> {
        });
        int src = 0xC000022A, dst = 0xC0000201; // 192.0.2.42 to 192.0.2.1
        for (int i = 0; i < 200; i++) {
            // An ACK of block i with 100 bytes more, so that the frame has no Ethernet padding, where a flip is harmless.
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(14 + 20 + 8 + 104);
            b.putShort(12, (short) 0x0800);
            Ipv4Packet.emit(b, 14, 8 + 104, Ipv4Packet.PROTO_UDP, src, dst, 64, i);
            b.putShort(14 + 20 + 8, (short) 4).putShort(14 + 20 + 8 + 2, (short) i);
            UdpDatagram.emitWithoutChecksum(b, 14 + 20, 40000, 50000, 104);
            w.incoming.add(b.array());
        }
        List<byte[]> got = drain(l, 0);
        assertEquals(200, got.size());
        for (byte[] f : got) {
            assertTrue(dropped(f, src, dst), "a corrupted frame that verifies: " + java.util.HexFormat.of().formatHex(f));
        }
    }

    /** Returns whether a careful receiver (the stack's checks) drops {@code f}: malformed, or a checksum fails. */
    static boolean dropped(byte[] f, int src, int dst) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(f);
        try {
            Ipv4Packet ip = new Ipv4Packet().wrap(b, 14, f.length - 14, false);
            return !ip.checksumOk() || !new UdpDatagram().wrap(b, ip.payloadOffset(), ip.payloadLength(), src, dst, false)
                    .checksumOk(src, dst);
        } catch (MalformedPacketException e) {
            return true;
        }
    }

    @Test
    void reorderHoldsAFrameUntilTheNextHasPassedIt() {
        Wire w = new Wire();
        ChaosLink l = new ChaosLink(w, new ChaosLink.Faults(0, 0, 1, 0, 0), 1, (now, dir, f, n, ls, faults) -> {
        });
        for (int i = 1; i <= 4; i++) {
            send(l, 0, frame(i));
        }
        assertEquals(List.of(2, 1, 4, 3), w.sent.stream().map(f -> (int) f[20]).toList());
        // A held frame nobody overtakes goes out after the hold.
        send(l, 1, frame(5));
        assertEquals(4, w.sent.size());
        assertEquals(1 + ChaosLink.REORDER_HOLD, l.pollAt());
        drain(l, 1 + ChaosLink.REORDER_HOLD);
        assertEquals(5, w.sent.getLast()[20]);
    }

    @Test
    void jitterDelaysEachFrameWithinTheBoundAndKeepsTheOrder() {
        Wire w = new Wire();
        long jitter = 20_000_000;
        ChaosLink l = new ChaosLink(w, new ChaosLink.Faults(0, 0, 0, 0, jitter), 3, (now, dir, f, n, ls, faults) -> {
        });
        for (int i = 0; i < 20; i++) {
            send(l, i * 1_000_000L, frame(i));
        }
        for (long t = 0; t < 100_000_000L; t += 100_000) {
            drain(l, t); // a poll loop: hands over what is due
        }
        assertEquals(20, w.sent.size());
        for (int i = 0; i < 20; i++) {
            assertEquals(i, w.sent.get(i)[20], "order kept");
            long delay = w.sentAt.get(i) - i * 1_000_000L;
            assertTrue(delay >= 0 && delay <= jitter + 100_000, "frame " + i + " delayed " + delay + " ns");
        }
        assertTrue(l.delayed() > 0);
    }

    @Test
    void latencyDelaysEveryFrameBothWaysByItsTimeAndIsNoFault() {
        // serve's [segment] latency (beyond a LAN's own): every frame takes it, each way; the order is kept and the tap
        // calls none of it a fault (before, the stage had no latency: frames went out at once).
        Wire w = new Wire();
        long latency = 30_000_000;
        List<String> seen = new ArrayList<>();
        ChaosLink l = new ChaosLink(w, new ChaosLink.Faults(0, 0, 0, 0, 0, latency), 3, (now, dir, f, n, ls, faults) -> seen.add(dir
                + " " + faults));
        for (int i = 0; i < 5; i++) {
            send(l, i * 1_000_000L, frame(i));
        }
        w.incoming.add(frame(9));
        assertEquals(List.of(), drain(l, 10_000_000L), "an incoming frame waits its latency too");
        List<byte[]> in = new ArrayList<>();
        List<Long> inAt = new ArrayList<>();
        for (long t = 10_000_000L; t < 100_000_000L; t += 100_000) {
            for (byte[] f : drain(l, t)) {
                in.add(f);
                inAt.add(t);
            }
        }
        assertEquals(5, w.sent.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(i, w.sent.get(i)[20], "order kept");
            assertEquals(i * 1_000_000L + latency, w.sentAt.get(i), "frame " + i);
        }
        assertEquals(1, in.size());
        assertEquals(10_000_000L + latency, inAt.getFirst());
        assertEquals(0, l.delayed(), "the latency is no jitter");
        assertEquals(List.of("OUT null", "OUT null", "OUT null", "OUT null", "OUT null", "IN null"), seen);
    }
}
