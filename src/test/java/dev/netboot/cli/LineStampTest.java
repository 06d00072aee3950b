package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** LineStamp writes what {@code String.format("[%W.3f s] ", nanos / 1e9)} writes, the JDK's Formatter being the reference. */
class LineStampTest {
    private static String formatter(long nanos, int width) {
        return String.format(Locale.ROOT, "[%" + width + ".3f s] ", nanos / 1e9);
    }

    @Test
    void halvesOfAMillisecondRoundUpAndNarrowFieldsGrow() {
        long[] cases = {0, 1, 499_999, 500_000, 500_001, 999_499_999, 999_500_000, 1_000_000_000, 9_999_499_999L,
            9_999_500_000L, 12_345_500_000L, 99_999_999_999L, 123_456_789_012L, 999_999_999_499_999L, 999_999_999_500_000L,
            999_999_999_999_999L, 1_000_000_000_000_000L, 5_000_000_000_000_000L};
        for (int width : new int[] {1, 5, 9, 10, 14}) {
            for (long n : cases) {
                assertEquals(formatter(n, width), LineStamp.of(n, width).toString(), n + " ns, width " + width);
            }
        }
    }

    @Test
    void randomTimesUpToElevenDaysPrintAsTheFormatterPrintsThem() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 200_000; i++) {
            long n = switch (i % 4) {
                case 0 -> r.nextLong(100_000_000_000L);                 // the first 100 s, most lines
                case 1 -> r.nextLong(1_000_000_000_000_000L);           // anything a run reaches
                case 2 -> r.nextLong(1_000_000L) * 1_000_000L + 500_000; // exactly half a millisecond over
                default -> r.nextLong(1_000_000_000L) * 1_000_000L - 1; // just under a whole millisecond
            };
            int width = i % 2 == 0 ? 9 : 10;
            assertEquals(formatter(n, width), LineStamp.of(n, width).toString(), n + " ns");
        }
    }
}
