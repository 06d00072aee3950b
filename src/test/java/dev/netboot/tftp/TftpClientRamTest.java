package dev.netboot.tftp;

import static dev.netboot.net.ScriptedLink.MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.net.Frames;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * A sink whose RAM is full ({@link TftpSink#hasRoom}) never gets a block past its budget: the block is
 * dropped, the ACK of the block before it waits until the sink says room has come, no gap ACK asks for
 * the block meanwhile, and blocks held ahead of the gap are handed over as room comes. Timelines with
 * window 4 and 1468-byte blocks ({@link TftpNegotiationTest#WINDOWED}).
 */
class TftpClientRamTest {
    static final int B = 1468;
    final TftpNegotiationTest t = new TftpNegotiationTest();

    /** RAM for {@code budget} bytes; the test says when the chip takes them ({@link #drain}) and when it will. */
    static final class RamSink implements TftpSink {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final long budget;
        long held;
        long peak;
        long drainsAt;

        RamSink(long budget) {
            this.budget = budget;
        }

        void drain(long at) {
            held = 0;
            drainsAt = at;
        }

        @Override
        public void begin(long expectedSize) {
        }

        @Override
        public void write(ByteBuffer buf, int off, int len) {
            byte[] b = new byte[len];
            buf.get(off, b);
            data.writeBytes(b);
            held += len;
            peak = Math.max(peak, held);
        }

        @Override
        public boolean hasRoom(long now, int bytes) {
            return held + bytes <= budget;
        }

        @Override
        public long readyAt(long now, long bytes) {
            return held + Math.min(bytes, budget) <= budget ? now : drainsAt;
        }
    }

    void negotiated(RamSink sink) {
        t.client(TftpNegotiationTest.WINDOWED).startRead(0, TftpNegotiationTest.SERVER_IP, 69, "file", sink);
        t.link.takeOne(0);
        t.fromServer(10 * MS, TftpNegotiationTest.TID, TftpNegotiationTest.oack("blksize", "1468", "windowsize", "4"));
        t.expectAck(10 * MS, 0);
    }

    void data(long at, long block, int n) {
        t.fromServer(at, TftpNegotiationTest.TID, TftpNegotiationTest.data(block, B, n));
    }

    @Test
    void anInOrderBlockWithNoRoomIsDroppedAndTheAckWaitsForRoom() {
        RamSink sink = new RamSink(3L * B);    // less than the window of 4
        sink.drainsAt = 30 * MS;
        negotiated(sink);
        data(20 * MS, 1, B);
        data(20 * MS + 10_000, 2, B);
        data(20 * MS + 20_000, 3, B);
        data(20 * MS + 30_000, 4, B);            // the RAM is full: dropped
        t.link.expectNoTx();
        assertEquals(1, t.client.sinkDrops());
        assertEquals(30 * MS, t.client.pollAt(), "the ACK waits for the room");
        sink.drain(40 * MS);
        t.poll(30 * MS);
        t.expectAck(30 * MS, 3);                  // asks for block 4 again
        data(31 * MS, 4, B);
        data(31 * MS + 10_000, 5, 100);          // short: the end
        t.expectAck(31 * MS + 10_000, 5);
        assertInstanceOf(TftpClient.State.Done.class, t.client.state());
        assertArrayEquals(Frames.pattern(0, 4 * B + 100), sink.data.toByteArray());
        assertTrue(sink.peak <= sink.budget, "peak " + sink.peak);
        assertEquals(1, t.client.stats().dropped());
    }

    @Test
    void blocksHeldAheadOfTheDroppedOneGoToTheSinkAsRoomComesAndNoGapAckAsksMeanwhile() {
        RamSink sink = new RamSink(B);          // one block
        sink.drainsAt = 30 * MS;
        negotiated(sink);
        data(20 * MS, 1, B);
        data(20 * MS + 10_000, 2, B);            // no room: dropped, ACK 1 held until 30 ms
        data(20 * MS + 20_000, 3, B);            // ahead of the gap: held in the reorder buffer
        data(20 * MS + 30_000, 4, B);
        t.link.expectNoTx();                      // no gap ACK: block 2 would find no room either
        sink.drain(40 * MS);
        t.poll(30 * MS);
        t.expectAck(30 * MS, 1);
        data(31 * MS, 2, B);                      // room for 2; 3 waits in the reorder buffer, the ACK until 40 ms
        t.link.expectNoTx();
        sink.drain(50 * MS);
        t.poll(40 * MS);                          // 3 goes to the sink; 4 waits
        t.link.expectNoTx();
        sink.drain(60 * MS);
        t.poll(50 * MS);                          // 4 goes too: ACK 4 asks for what follows
        t.expectAck(50 * MS, 4);
        sink.drain(60 * MS);
        data(51 * MS, 5, 10);
        t.expectAck(51 * MS, 5);
        assertInstanceOf(TftpClient.State.Done.class, t.client.state());
        assertArrayEquals(Frames.pattern(0, 4 * B + 10), sink.data.toByteArray());
        assertTrue(sink.peak <= sink.budget, "peak " + sink.peak);
        assertEquals(1, t.client.sinkDrops());
    }

    @Test
    void aBlockInOrderWhileTheAckIsHeldDoesNotMakeTheClientDueBeforeItsRelease() {
        // Found in a lossy fleet (./netboot fleet --boards 300 --loss 0.05): the client said it was due at the retry
        // time the resent block set, did nothing there, and said so again: a poll loop that never moved on.
        RamSink sink = new RamSink(2L * B);
        sink.drainsAt = 3000 * MS;               // a slow erase: the ACK waits past the receive timeout
        negotiated(sink);
        data(20 * MS, 1, B);
        data(20 * MS + 10_000, 2, B);
        data(20 * MS + 20_000, 3, B);            // the RAM is full: dropped, ACK 2 held until 3 s
        assertEquals(3000 * MS, t.client.pollAt());
        sink.drain(3000 * MS);                   // the chip took blocks 1 and 2 early; the hold stands
        data(1100 * MS, 3, B);                   // the server's own timeout sends block 3 again: room for it
        t.link.expectNoTx();                     // the window (4) is not complete and the ACK is held
        assertEquals(3000 * MS, t.client.pollAt(), "nothing to do before the held ACK's release");
        t.poll(2100 * MS);                       // the receive timeout after block 3, were nothing held
        t.link.expectNoTx();
        t.poll(3000 * MS);
        t.expectAck(3000 * MS, 3);               // the held ACK, naming the last block in order
        assertEquals(1, t.client.stats().dropped());
    }
}
