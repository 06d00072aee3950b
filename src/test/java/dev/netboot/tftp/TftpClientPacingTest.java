package dev.netboot.tftp;

import static dev.netboot.net.ScriptedLink.MS;
import static dev.netboot.net.ScriptedLink.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.netboot.net.Frames;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A sink that is busy holds the ACK that asks for more data ({@link TftpSink#readyAt}), as timelines. */
class TftpClientPacingTest {
    final TftpClientTest t = new TftpClientTest();
    /** Ready at the instants given, one per question; records what it was asked. */
    static final class BusySink implements TftpSink {
        final TftpClientTest.Sink data = new TftpClientTest.Sink();
        final List<Long> readyAts = new ArrayList<>();
        final List<Long> asked = new ArrayList<>();

        @Override
        public void begin(long expectedSize) {
            data.begin(expectedSize);
        }

        @Override
        public void write(ByteBuffer buf, int off, int len) {
            data.write(buf, off, len);
        }

        @Override
        public long readyAt(long now, long bytes) {
            asked.add(bytes);
            return readyAts.isEmpty() ? now : readyAts.removeFirst();
        }
    }

    final BusySink busy = new BusySink();

    void startedBusy() {
        t.client(TftpClientTest.PLAIN).startRead(0, TftpClientTest.SERVER_IP, 69, TftpClientTest.FILE, busy);
        t.link.takeOne(0);
    }

    @Test
    void lockStepAckWaitsUntilTheSinkIsReady() {
        startedBusy();
        busy.readyAts.add(35 * MS);
        t.fromServer(10 * MS, TftpClientTest.TID, TftpClientTest.data(1, 0, 512));
        t.link.expectNoTx();  // held: the flash is busy
        assertEquals(List.of(512L), busy.asked);  // asked for one block's room
        assertEquals(35 * MS, t.client.pollAt());
        t.poll(34 * MS);
        t.link.expectNoTx();
        t.poll(35 * MS);
        t.expectAck(35 * MS, 1);  // released when ready
        assertEquals(1, t.client.acksHeld());
        assertEquals(0, t.client.stats().retransmissions());  // a held ACK is no retransmission
        t.fromServer(40 * MS, TftpClientTest.TID, TftpClientTest.data(2, 512, 100));  // the last block's ACK is never held
        t.expectAck(40 * MS, 2);
        assertInstanceOf(TftpClient.State.Done.class, t.client.state());
        assertArrayEquals(Frames.pattern(0, 612), busy.data.data.toByteArray());
    }

    @Test
    void aHoldLongerThanTheTimeoutIsNoTimeout() {
        startedBusy();
        busy.readyAts.add(3 * SEC);  // e.g. a NOR sector erase at its worst
        t.fromServer(10 * MS, TftpClientTest.TID, TftpClientTest.data(1, 0, 512));
        t.poll(1010 * MS);
        t.poll(2010 * MS);
        t.link.expectNoTx();  // no ACK 0/1 retransmitted meanwhile
        t.poll(3 * SEC);
        t.expectAck(3 * SEC, 1);
        assertEquals(0, t.client.stats().retransmissions());
        assertEquals(3 * SEC + 1 * SEC, t.client.pollAt());  // the receive timeout runs again from the ACK
    }

    @Test
    void aDuplicateWhileHeldIsNotAnswered() {
        startedBusy();
        busy.readyAts.add(2 * SEC);
        t.fromServer(10 * MS, TftpClientTest.TID, TftpClientTest.data(1, 0, 512));
        t.fromServer(1010 * MS, TftpClientTest.TID, TftpClientTest.data(1, 0, 512));  // the server's own timeout resends block 1
        t.link.expectNoTx();  // nothing to say: it is ours, the ACK waits
        t.poll(2 * SEC);
        t.expectAck(2 * SEC, 1);
        assertEquals(1, t.client.stats().duplicates());
    }

    @Test
    void readySinkChangesNothing() {
        startedBusy();
        t.fromServer(10 * MS, TftpClientTest.TID, TftpClientTest.data(1, 0, 512));
        t.expectAck(10 * MS, 1);
        assertEquals(0, t.client.acksHeld());
    }
}
