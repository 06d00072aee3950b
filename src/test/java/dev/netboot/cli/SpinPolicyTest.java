package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link SpinPolicy}: a trial of 64 waits spinning and 64 sleeping, compared by their mean (each wait capped at
 * 1 ms); spinning holds for the next 2,048 waits only when at least a tenth shorter; then a new trial.
 */
class SpinPolicyTest {
    static final long LIMIT = 100_000;
    static final long MS = 1_000_000;

    /** Runs one trial: 64 waits of {@code spun} ns while it spins, then 64 of {@code slept} ns while it sleeps. */
    static void trial(SpinPolicy p, long spun, long slept) {
        for (int i = 0; i < 64; i++) {
            assertEquals(LIMIT, p.spinFor(MS), "spinning half, wait " + i);
            p.waited(spun, true);
        }
        for (int i = 0; i < 64; i++) {
            assertEquals(0, p.spinFor(MS), "sleeping half, wait " + i);
            p.waited(slept, true);
        }
    }

    @Test
    void spinningThatShortensTheWaitsIsKeptForTheRun() {
        SpinPolicy p = new SpinPolicy(LIMIT, 2);
        assertEquals(30_000, p.spinFor(30_000)); // a deadline sooner than the limit: spin until it
        trial(p, 25_000, 120_000);               // a quiet VM: spinning 25 µs, sleeping 120 µs
        assertTrue(p.spinning());
        for (int i = 0; i < 2048; i++) {
            assertEquals(LIMIT, p.spinFor(MS), "run, wait " + i);
            p.waited(25_000, true);
        }
        assertEquals(LIMIT, p.spinFor(MS), "then a new trial, spinning half first");
        assertFalse(p.spinning());
    }

    @Test
    void spinningThatDoesNotShortenTheWaitsByATenthIsDropped() {
        SpinPolicy p = new SpinPolicy(LIMIT, 2);
        trial(p, 91_000, 100_000);               // 91 > 90: not a tenth shorter
        assertFalse(p.spinning());
        assertEquals(0, p.spinFor(MS));
        SpinPolicy q = new SpinPolicy(LIMIT, 2);
        trial(q, 90_000, 100_000);               // exactly a tenth: kept
        assertTrue(q.spinning());
    }

    @Test
    void aBusyMachineWhereSpinningWaitsLongerSleeps() {
        SpinPolicy p = new SpinPolicy(LIMIT, 2);
        trial(p, 400_000, 30_000);               // the spinner lost the CPU: sleeping answers sooner
        assertFalse(p.spinning());
        for (int i = 0; i < 2048; i++) {
            assertEquals(0, p.spinFor(MS), "run, wait " + i);
            p.waited(30_000, true);
        }
    }

    @Test
    void oneLongDeschedulingCountsAsAMillisecondOnly() {
        SpinPolicy p = new SpinPolicy(LIMIT, 2);
        // 63 spinning waits of 20 µs and one of 50 ms: capped at 1 ms, the mean is (63 × 20 + 1,000) / 64 = 35.3 µs,
        // against 100 µs sleeping: spinning still wins. Uncapped (800 µs mean) it would lose.
        for (int i = 0; i < 63; i++) {
            p.spinFor(MS);
            p.waited(20_000, true);
        }
        p.spinFor(MS);
        p.waited(50 * MS, true);
        for (int i = 0; i < 64; i++) {
            p.spinFor(MS);
            p.waited(100_000, true);
        }
        assertTrue(p.spinning());
    }

    @Test
    void waitsThatEndWithoutADatagramDoNotCount() {
        SpinPolicy p = new SpinPolicy(LIMIT, 2);
        for (int i = 0; i < 500; i++) {
            p.waited(5 * MS, false);             // retransmission timeouts: the trial does not move
        }
        assertEquals(LIMIT, p.spinFor(MS));
        trial(p, 25_000, 120_000);
        assertTrue(p.spinning());
    }

    @Test
    void oneProcessorOrALimitOfZeroNeverSpins() {
        assertEquals(0, new SpinPolicy(LIMIT, 1).spinFor(MS));
        assertEquals(0, new SpinPolicy(LIMIT, 1).limit());
        assertEquals(0, new SpinPolicy(0, 8).spinFor(MS));
        assertThrows(IllegalArgumentException.class, () -> new SpinPolicy(-1, 2));
    }

    @Test
    void thePropertySetsTheLimitInMicroseconds() {
        String before = System.getProperty(SpinPolicy.PROPERTY);
        try {
            System.setProperty(SpinPolicy.PROPERTY, "0");
            assertEquals(0, SpinPolicy.ofThisProcess().limit());
            System.clearProperty(SpinPolicy.PROPERTY);
            long expected = Runtime.getRuntime().availableProcessors() > 1 ? 100_000 : 0;
            assertEquals(expected, SpinPolicy.ofThisProcess().limit());
        } finally {
            if (before == null) {
                System.clearProperty(SpinPolicy.PROPERTY);
            } else {
                System.setProperty(SpinPolicy.PROPERTY, before);
            }
        }
    }
}
