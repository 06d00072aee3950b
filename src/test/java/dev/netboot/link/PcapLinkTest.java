package dev.netboot.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.wire.MacAddress;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PcapLinkTest {
    /** A link that echoes what it sends back to its receiver, and can refuse sends. */
    private static final class EchoLink implements Link {
        final ArrayDeque<byte[]> queue = new ArrayDeque<>();
        boolean full;

        @Override
        public MacAddress macAddress() {
            return new MacAddress(0x020000000002L);
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public boolean receive(long now, FrameHandler handler) {
            byte[] f = queue.poll();
            if (f == null) {
                return false;
            }
            ByteBuffer b = ByteBuffer.allocate(1514);
            b.put(0, f);
            handler.onFrame(now, b, f.length);
            return true;
        }

        @Override
        public boolean transmit(long now, int length, FrameFiller filler) {
            if (full) {
                return false;
            }
            ByteBuffer b = ByteBuffer.allocate(1514);
            filler.fill(b, length);
            byte[] f = new byte[length];
            b.get(0, f);
            queue.add(f);
            return true;
        }
    }

    /** Reads (time, frame) records back from a capture. */
    private record Rec(long time, byte[] bytes) {
    }

    private static List<Rec> records(byte[] pcap) {
        ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        List<Rec> out = new ArrayList<>();
        int p = PcapWriter.GLOBAL_HEADER_LEN;
        while (p < pcap.length) {
            long t = b.getInt(p) * 1_000_000_000L + b.getInt(p + 4);
            int incl = b.getInt(p + 8);
            out.add(new Rec(t, Arrays.copyOfRange(pcap, p + 16, p + 16 + incl)));
            p += 16 + incl;
        }
        return out;
    }

    private static void fillPattern(ByteBuffer b, int len) {
        for (int i = 0; i < len; i++) {
            b.put(i, (byte) i);
        }
    }

    @Test
    void capturesTransmittedAndReceivedFramesWithTheirTimes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EchoLink echo = new EchoLink();
        PcapWriter pcap = new PcapWriter(out);
        PcapLink link = new PcapLink(echo, pcap);
        assertTrue(link.transmit(1_000, 60, PcapLinkTest::fillPattern));
        List<byte[]> got = new ArrayList<>();
        assertTrue(link.receive(2_000, (now, f, len) -> {
            byte[] c = new byte[len];
            f.get(0, c);
            got.add(c);
        }));
        assertFalse(link.receive(3_000, (now, f, len) -> got.add(null)));
        pcap.close();

        byte[] expected = new byte[60];
        fillPattern(ByteBuffer.wrap(expected), 60);
        List<Rec> recs = records(out.toByteArray());
        assertEquals(2, recs.size());
        assertEquals(1_000, recs.get(0).time());
        assertArrayEquals(expected, recs.get(0).bytes());
        assertEquals(2_000, recs.get(1).time());
        assertArrayEquals(expected, recs.get(1).bytes());
        assertArrayEquals(expected, got.getFirst());
        assertEquals(echo.macAddress(), link.macAddress());
        assertEquals(1500, link.mtu());
    }

    @Test
    void refusedTransmitWritesNothing() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EchoLink echo = new EchoLink();
        echo.full = true;
        PcapWriter pcap = new PcapWriter(out);
        assertFalse(new PcapLink(echo, pcap).transmit(0, 60, PcapLinkTest::fillPattern));
        pcap.close();
        assertEquals(PcapWriter.GLOBAL_HEADER_LEN, out.size());
    }

    @Test
    void txOnlyCaptureSkipsReceivedFrames() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapWriter pcap = new PcapWriter(out);
        PcapLink link = new PcapLink(new EchoLink(), pcap, PcapLink.Direction.TX);
        link.transmit(5, 42, PcapLinkTest::fillPattern);
        link.receive(6, (now, f, len) -> { });
        pcap.close();
        assertEquals(1, records(out.toByteArray()).size());
    }
}
