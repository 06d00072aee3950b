package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * {@link SpinPolicy}: spins while datagrams come within its limit, learns how soon they come from an average of
 * an eighth per wait (integer nanoseconds), worked out by hand below.
 */
class SpinPolicyTest {
    static final long LIMIT = 100_000;

    @Test
    void spinsAtFirstUpToItsLimitOrTheWait() {
        SpinPolicy p = new SpinPolicy(LIMIT, 2);
        assertEquals(LIMIT, p.spinFor(1_000_000));
        assertEquals(30_000, p.spinFor(30_000)); // a deadline sooner than the limit: spin until it, no sleep
    }

    @Test
    void aServerAMillisecondAwayStopsTheSpinningAndAFastOneStartsItAgain() {
        SpinPolicy p = new SpinPolicy(LIMIT, 2);
        p.waited(1_000_000, true);            // average 0 + 1,000,000 / 8 = 125,000 >= 100,000
        assertEquals(0, p.spinFor(1_000_000));
        p.waited(20_000, true);               // 125,000 - 105,000 / 8 (13,125) = 111,875
        p.waited(20_000, true);               // 111,875 - 91,875 / 8 (11,484) = 100,391: still not below the limit
        assertEquals(0, p.spinFor(1_000_000));
        p.waited(20_000, true);               // 100,391 - 80,391 / 8 (10,048) = 90,343 < 100,000
        assertEquals(LIMIT, p.spinFor(1_000_000));
    }

    @Test
    void waitsThatEndWithoutADatagramDoNotCount() {
        SpinPolicy p = new SpinPolicy(LIMIT, 2);
        for (int i = 0; i < 20; i++) {
            p.waited(5_000_000, false);       // retransmission timeouts: a lost block says nothing of the peer
        }
        assertEquals(LIMIT, p.spinFor(1_000_000));
    }

    @Test
    void oneProcessorOrALimitOfZeroNeverSpins() {
        assertEquals(0, new SpinPolicy(LIMIT, 1).spinFor(1_000_000));
        assertEquals(0, new SpinPolicy(LIMIT, 1).limit());
        assertEquals(0, new SpinPolicy(0, 8).spinFor(1_000_000));
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
