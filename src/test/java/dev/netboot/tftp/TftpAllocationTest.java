package dev.netboot.tftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.link.Link;
import dev.netboot.net.Frames;
import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStack;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import dev.netboot.wire.UdpDatagram;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * "The hot path of a transfer allocates nothing": after warm-up, receiving a DATA block and sending its
 * ACK through NetStack and TftpClient into a discarding sink allocates no bytes on this thread.
 */
class TftpAllocationTest {
    static final MacAddress OUR_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress SERVER_MAC = MacAddress.parse("02:00:00:00:00:05");
    static final Ipv4Address OUR_IP = Ipv4Address.parse("10.0.0.2");
    static final Ipv4Address SERVER_IP = Ipv4Address.parse("10.0.0.5");
    static final int TID = 3000;
    static final int WARM_UP = 60_000;
    static final int MEASURED = 10_000;

    /**
     * A link that plays an endless 512-byte-block server without allocating: each receive rewrites the block
     * number and UDP checksum of one prebuilt DATA frame; each transmit is filled into one reused buffer.
     */
    static final class LoopbackServerLink implements Link {
        final ByteBuffer rx = ByteBuffer.allocate(1514);
        final ByteBuffer tx = ByteBuffer.allocate(1514);
        byte[] oneShot;
        int rxLength;
        boolean dataPending;
        int block;
        int clientPort;
        int lastAck = -1;
        long txFrames;

        @Override
        public MacAddress macAddress() {
            return OUR_MAC;
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public boolean receive(long now, FrameHandler handler) {
            if (oneShot != null) {
                byte[] f = oneShot;
                oneShot = null;
                rx.put(0, f);
                handler.onFrame(now, rx, f.length);
                return true;
            }
            if (!dataPending) {
                return false;
            }
            dataPending = false;
            rx.putShort(Frames.PAYLOAD_OFF + 2, (short) block);
            UdpDatagram.emit(rx, Frames.UDP_OFF, TID, clientPort, 4 + 512, SERVER_IP.value(), OUR_IP.value());
            handler.onFrame(now, rx, rxLength);
            return true;
        }

        @Override
        public boolean transmit(long now, int length, FrameFiller filler) {
            filler.fill(tx, length);
            txFrames++;
            if (tx.getShort(Frames.PAYLOAD_OFF) == TftpPacket.OP_ACK) {
                lastAck = tx.getShort(Frames.PAYLOAD_OFF + 2) & 0xFFFF;
            }
            return true;
        }
    }

    /** Takes every block and keeps nothing. */
    static final class DiscardingSink implements TftpSink {
        long bytes;

        @Override
        public void begin(long expectedSize) {
        }

        @Override
        public void write(ByteBuffer buf, int off, int len) {
            bytes += len;
        }
    }

    @Test
    void receivingDataAndSendingAckAllocatesNothingPerBlock() {
        LoopbackServerLink link = new LoopbackServerLink();
        NetStack net = new NetStack(link, NetConfig.DEFAULTS);
        net.configure(OUR_IP, Ipv4Address.parse("255.255.255.0"), Ipv4Address.ANY);
        link.oneShot = Frames.arpRequest(SERVER_MAC, SERVER_IP, OUR_IP);   // the server's MAC, learned up front
        net.poll(0);
        DiscardingSink sink = new DiscardingSink();
        TftpClient client = new TftpClient(net, TftpConfig.DEFAULTS, new SplittableRandom(5));
        client.startRead(0, SERVER_IP, 69, "boot.img", sink);
        link.clientPort = client.localPort();
        byte[] frame = Frames.udp(SERVER_MAC, OUR_MAC, SERVER_IP, TID, OUR_IP, client.localPort(),
                Frames.tftp(new TftpPacket.Data(1, Frames.pattern(0, 512))));
        link.rx.put(0, frame);
        link.rxLength = frame.length;

        long[] now = {1_000};
        int[] next = {1};
        run(link, net, client, now, next, WARM_UP);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        run(link, net, client, now, next, MEASURED);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertInstanceOf(TftpClient.State.Receiving.class, client.state());
        assertEquals((long) (WARM_UP + MEASURED) * 512, sink.bytes);
        assertEquals(0, client.stats().retransmissions());
        assertTrue(allocated < MEASURED, allocated + " bytes allocated over " + MEASURED + " blocks ("
                + (double) allocated / MEASURED + " per block; expected: < 1)");
    }

    /**
     * The windowed data path: window 4 negotiated by OACK, and in every window the third block arrives
     * before the second, so each window goes through the reorder buffer, a gap ACK and the adaptive window.
     */
    @Test
    void windowedTransferWithReorderingAllocatesNothingPerBlock() {
        LoopbackServerLink link = new LoopbackServerLink();
        NetStack net = new NetStack(link, NetConfig.DEFAULTS);
        net.configure(OUR_IP, Ipv4Address.parse("255.255.255.0"), Ipv4Address.ANY);
        link.oneShot = Frames.arpRequest(SERVER_MAC, SERVER_IP, OUR_IP);
        net.poll(0);
        DiscardingSink sink = new DiscardingSink();
        TftpClient client = new TftpClient(net, TftpConfig.DEFAULTS.withWindow(4, 4 * 512), new SplittableRandom(5));
        client.startRead(0, SERVER_IP, 69, "boot.img", sink);
        link.clientPort = client.localPort();
        link.oneShot = Frames.udp(SERVER_MAC, OUR_MAC, SERVER_IP, TID, OUR_IP, client.localPort(),
                Frames.tftp(new TftpPacket.Oack(java.util.List.of(new TftpPacket.Option("windowsize", "4")))));
        net.poll(500);
        if (link.lastAck != 0) {
            throw new AssertionError("OACK not acknowledged with ACK 0");
        }
        byte[] frame = Frames.udp(SERVER_MAC, OUR_MAC, SERVER_IP, TID, OUR_IP, client.localPort(),
                Frames.tftp(new TftpPacket.Data(1, Frames.pattern(0, 512))));
        link.rx.put(0, frame);
        link.rxLength = frame.length;

        long[] now = {1_000};
        long[] next = {1};
        runWindows(link, net, client, now, next, WARM_UP / 4);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        runWindows(link, net, client, now, next, MEASURED / 4);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertInstanceOf(TftpClient.State.Receiving.class, client.state());
        assertEquals((long) (WARM_UP + MEASURED) * 512, sink.bytes);
        assertTrue(client.stats().outOfOrderHeld() >= (WARM_UP + MEASURED) / 4, client.stats().toString());
        assertEquals(0, client.stats().dropped());
        assertTrue(allocated < MEASURED, allocated + " bytes allocated over " + MEASURED + " blocks ("
                + (double) allocated / MEASURED + " per block; expected: < 1)");
    }

    private static final int[] ORDER = {0, 2, 1, 3};

    /** Delivers {@code windows} windows of 4 blocks in the order 1, 3, 2, 4, one per microsecond. */
    private static void runWindows(LoopbackServerLink link, NetStack net, TftpClient client, long[] now, long[] next, int windows) {
        for (int w = 0; w < windows; w++) {
            long first = next[0];
            for (int k : ORDER) {
                link.block = (int) ((first + k) & 0xFFFF);
                link.dataPending = true;
                net.poll(now[0]);
                client.poll(now[0]);
                now[0] += 1_000;
            }
            // Each window has a gap, so the window in use halves and ACKs come every 1..4 blocks; all that
            // matters here is that the client kept up: the ACK is at most a window behind.
            int behind = ((int) ((first + 3) & 0xFFFF) - link.lastAck) & 0xFFFF;
            if (behind > 3) {
                throw new AssertionError("window ending at " + (first + 3) + ": last ACK " + link.lastAck);
            }
            next[0] = first + 4;
        }
    }

    /** Delivers {@code n} blocks, one per microsecond, each acknowledged before the next. */
    private static void run(LoopbackServerLink link, NetStack net, TftpClient client, long[] now, int[] next, int n) {
        for (int i = 0; i < n; i++) {
            link.block = next[0];
            link.dataPending = true;
            net.poll(now[0]);
            client.poll(now[0]);
            if (link.lastAck != next[0]) {
                throw new AssertionError("block " + next[0] + " not acknowledged (last ACK " + link.lastAck + ")");
            }
            next[0] = (next[0] + 1) & 0xFFFF;
            now[0] += 1_000;
        }
    }
}
