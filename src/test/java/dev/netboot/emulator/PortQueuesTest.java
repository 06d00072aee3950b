package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A port's queues (the frames on their way to it, the times frames leave a transmit queue) hold a burst in order
 * and, once it has drained, give back the room it took: a fleet's ports each queue about a thousand broadcasts in its
 * first seconds and would otherwise keep that room, about 25 KiB a port, to the end of the run.
 */
class PortQueuesTest {
    private record Sent(long at, int seq, byte[] frame) {
    }

    @Test
    void aBurstComesOutInArrivalOrderAndTheRingGoesBackToItsFirstSizeOnceEmpty() {
        ArrivalQueue q = new ArrivalQueue();
        SplittableRandom r = new SplittableRandom(11);
        for (int round = 0; round < 3; round++) {
            List<Sent> sent = new ArrayList<>();
            long t = round * 1_000_000L;
            for (int i = 0; i < 1000; i++) {
                t += r.nextInt(4); // mostly in order, some at the same instant
                long at = r.nextInt(10) == 0 ? t - r.nextInt(20) : t; // some overtake the ones before them
                Sent s = new Sent(at, i, new byte[] {(byte) i});
                sent.add(s);
                q.add(s.at(), s.frame());
            }
            assertTrue(q.capacity() >= 1000);
            // Earliest arrival first; frames due at the same instant in the order they were handed over.
            sent.sort(Comparator.comparingLong(Sent::at).thenComparingInt(Sent::seq));
            for (Sent s : sent) {
                assertEquals(s.at(), q.peekAt());
                assertSame(s.frame(), q.poll());
            }
            assertTrue(q.isEmpty());
            assertEquals(ArrivalQueue.INITIAL, q.capacity(), "round " + round);
        }
    }

    @Test
    void aSmallQueueKeepsItsRingWhenItEmpties() {
        ArrivalQueue q = new ArrivalQueue();
        for (int i = 0; i < 100; i++) {
            q.add(i, new byte[1]);
        }
        int room = q.capacity();
        while (!q.isEmpty()) {
            q.poll();
        }
        assertEquals(128, room);
        assertEquals(room, q.capacity(), "a ring below SHRINK_FROM is kept: the next burst needs no new one");
    }

    @Test
    void leaveTimesCountTheBacklogAndGiveBackTheRoomOnceEveryFrameLeft() {
        LeaveTimes l = new LeaveTimes();
        for (int i = 1; i <= 1000; i++) {
            l.add(i * 10L);
        }
        assertEquals(1000, l.backlog(5));
        assertEquals(500, l.backlog(5000));
        assertEquals(5010, l.first());
        assertTrue(l.capacity() >= 1000);
        assertEquals(0, l.backlog(10_000));
        assertEquals(Long.MIN_VALUE, l.first());
        assertEquals(ArrivalQueue.INITIAL, l.capacity());
        l.add(20_000);
        assertEquals(1, l.backlog(19_999));
        assertEquals(20_000, l.first());
    }
}
