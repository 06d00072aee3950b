package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Port 69's admission under {@link TftpServerLimits}: past {@code maxTransfers} a request waits in a queue of
 * {@code requestQueue} (one more is dropped, as a full socket receive queue drops it), is dropped, or is to be refused
 * busy; those that waited start oldest first as room comes. Expected values follow from those rules.
 */
class RequestAdmissionTest {
    private static ByteBuffer request(int tag) {
        return ByteBuffer.wrap(new byte[] {0, 1, (byte) tag, 0, 'o', 'c', 't', 'e', 't', 0}); // RRQ "<tag>" octet
    }

    @Test
    void pastTheLimitRequestsWaitInAQueueOfItsSizeAndStartOldestFirst() {
        RequestAdmission a = new RequestAdmission();
        a.limit(new TftpServerLimits(2, TftpServerLimits.WhenFull.WAIT, 2));
        assertTrue(a.room(1));
        assertTrue(!a.room(2), "two running: the limit");
        assertEquals(RequestAdmission.Full.WAITS, a.full(1, 1001, request('a'), 0, 10));
        assertEquals(RequestAdmission.Full.WAITS, a.full(2, 1002, request('b'), 0, 10));
        assertEquals(RequestAdmission.Full.DROPPED, a.full(3, 1003, request('c'), 0, 10), "the queue holds two");
        assertEquals(2, a.queued());
        assertNull(a.next(2), "no room yet");
        RequestAdmission.Waiting w = a.next(1);
        assertEquals(1, w.srcIp());
        assertEquals(1001, w.srcPort());
        assertArrayEquals(request('a').array(), w.request());
        assertNull(a.next(2), "the one that started fills the limit again");
        assertEquals(2, a.next(0).srcIp());
        assertNull(a.next(0));
        assertEquals(2, a.waited());
        assertEquals(1, a.dropped());
    }

    @Test
    void dropAndBusyKeepNothing() {
        RequestAdmission drop = new RequestAdmission();
        drop.limit(new TftpServerLimits(1, TftpServerLimits.WhenFull.DROP, 256));
        assertEquals(RequestAdmission.Full.DROPPED, drop.full(1, 1001, request('a'), 0, 10));
        assertEquals(0, drop.queued());
        assertEquals(1, drop.dropped());
        RequestAdmission busy = new RequestAdmission();
        busy.limit(new TftpServerLimits(1, TftpServerLimits.WhenFull.BUSY, 256));
        assertEquals(RequestAdmission.Full.BUSY, busy.full(1, 1001, request('a'), 0, 10));
        assertEquals(0, busy.queued());
        assertEquals(0, busy.dropped());
        assertEquals(0, busy.waited());
        assertTrue(new RequestAdmission().room(1_000_000), "no limit by default (tftpd-hpa)");
    }
}
