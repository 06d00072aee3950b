package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.netboot.emulator.SenderWindow.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The RFC 7440 sender's window on its own: which blocks go, and what each ACK calls for. The expected blocks and
 * spacings are worked out from the RFC's rules (and a 1/8 smoothing gain) by hand, not read off the code.
 */
class SenderWindowTest {
    private static final long TIMEOUT = 1_000;

    private static SenderWindow window(int windowSize, long lastBlock) {
        return new SenderWindow(new TftpServerSession.Params(512, windowSize, 0, TIMEOUT, null), lastBlock, null);
    }

    /** Hands over every block waiting, marking each sent at {@code now}; returns them in order. */
    private static List<Long> drain(SenderWindow w, long now) {
        List<Long> out = new ArrayList<>();
        while (w.hasWork()) {
            long b = w.take();
            w.sent(now, b);
            out.add(b);
        }
        return out;
    }

    /** Returns a window whose first window, from block 1, all went out at time 0. */
    private static SenderWindow firstWindowSent(int windowSize, long lastBlock) {
        SenderWindow w = window(windowSize, lastBlock);
        w.start(0, 1);
        drain(w, 0);
        return w;
    }

    @Test
    void aHoleSlidesTheWindowOnFromTheAckAndSendsTheMissingBlockFirst() {
        SenderWindow w = window(4, 10);
        w.start(0, 1);
        assertEquals(List.of(1L, 2L, 3L, 4L), drain(w, 0));
        // ACK 2 of a window ending at 4: block 3 was lost. The window now ends at ACK + windowsize = 6.
        assertEquals(Step.HOLE, w.onAck(10, 2));
        assertEquals(3, w.base());
        w.resendAlone(10, 3);
        assertEquals(List.of(3L, 5L, 6L), drain(w, 10));
        assertEquals(2, w.acked());
    }

    @Test
    void anAckOfExactlyTheBlockResentAloneRestartsTheWindowAfterIt() {
        SenderWindow w = firstWindowSent(4, 10);
        w.onAck(10, 2);
        w.resendAlone(10, 3);
        drain(w, 10); // 3 again, then 5 and 6
        // The client's ACK names 3 and no more: it kept nothing past the hole (RFC 7440 section 4), so the next
        // window begins at 4, and 4..7 go out, 4, 5 and 6 for the second time.
        assertEquals(Step.WINDOW, w.onAck(20, 3));
        w.start(20, w.base());
        assertEquals(List.of(4L, 5L, 6L, 7L), drain(w, 20));
    }

    @Test
    void theAckOfTheWindowsEndOrOfTheLastBlockEndsIt() {
        SenderWindow w = firstWindowSent(4, 6);
        assertEquals(Step.WINDOW, w.onAck(10, 4));
        w.start(10, w.base());
        assertEquals(List.of(5L, 6L), drain(w, 10)); // never past the last block
        assertEquals(Step.COMPLETE, w.onAck(20, 6));
        assertEquals(6, w.acked());
    }

    @Test
    void ackNumbersWrapAt65536() {
        SenderWindow w = window(4, 70_000);
        w.setForTest(65_535, 65_536);
        // Wire number 0 after 65535 is block 65536 (rollover to 0).
        assertEquals(Step.WINDOW, w.onAck(0, 0));
        assertEquals(65_537, w.base());
        assertEquals(Step.DUPLICATE, w.onAck(0, 0));
        assertEquals(Step.STRAY, w.onAck(0, 9));
    }

    @Test
    void aDuplicateAckResendsTheBlockAtMostOncePerSmoothedRoundTrip() {
        SenderWindow w = window(8, 100);
        w.oackSent(0);
        w.oackAcked(80); // first round trip: 80
        w.start(80, 1);
        drain(w, 80); // 1..8, 8 sent once: its ACK is a sample
        assertEquals(Step.WINDOW, w.onAck(240, 8)); // round trip 160: 80 * 7/8 + 160 / 8 = 90
        w.start(240, w.base());
        drain(w, 240);
        assertEquals(Step.DUPLICATE, w.onAck(300, 8));
        assertEquals(Step.HOLE, w.onDuplicate(300)); // block 9 never went again
        w.resendAlone(300, 9);
        drain(w, 300);
        assertEquals(Step.NOTHING, w.onDuplicate(389)); // 89 < 90 after the resend
        assertEquals(Step.HOLE, w.onDuplicate(390));
    }

    @Test
    void withoutAnUnambiguousSampleDuplicatesAreSpacedByTheTimeout() {
        SenderWindow w = window(8, 100);
        w.oackSent(0);
        w.oackResent(); // Karn: ACK 0 may answer either copy
        w.oackAcked(80);
        w.start(80, 1);
        drain(w, 80);
        assertEquals(Step.DUPLICATE, w.onAck(100, 0));
        w.resendAlone(100, 1);
        drain(w, 100);
        assertEquals(Step.NOTHING, w.onDuplicate(100 + TIMEOUT - 1));
        assertEquals(Step.HOLE, w.onDuplicate(100 + TIMEOUT));
    }

    @Test
    void inLockStepADuplicateAckAsksForNothing() {
        SenderWindow w = firstWindowSent(1, 10);
        assertEquals(Step.WINDOW, w.onAck(10, 1));
        w.start(10, 2);
        drain(w, 10);
        assertEquals(Step.DUPLICATE, w.onAck(5_000, 1));
        assertEquals(Step.NOTHING, w.onDuplicate(5_000)); // RFC 1123 4.2.3.1: never on a duplicate ACK
        assertFalse(w.hasWork());
    }

    @Test
    void withTheSorcerersApprenticeBugEveryDuplicateAckSendsTheBlockAgain() {
        // The bug RFC 1123 section 4.2.3.1 forbids, asked for: block base again at each duplicate ACK, no spacing,
        // in lock-step and with a window alike.
        for (int size : new int[] {1, 8}) {
            SessionQuirks bug = new SessionQuirks(TftpQuirks.NONE.withSorcerersApprentice(true), new SplittableRandom(1),
                    null, null, 50_000, null, 0);
            SenderWindow w = new SenderWindow(new TftpServerSession.Params(512, size, 0, TIMEOUT, null), 100, bug);
            w.start(0, 1);
            drain(w, 0);
            assertEquals(Step.DUPLICATE, w.onAck(10, 0));
            assertEquals(Step.AGAIN, w.onDuplicate(10));
            assertEquals(Step.AGAIN, w.onDuplicate(11));
            assertEquals(1, w.base());
        }
    }
}
