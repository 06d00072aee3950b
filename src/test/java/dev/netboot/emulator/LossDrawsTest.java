package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link LossDraws} reads, at any index, the doubles the JDK's own first split of a seed's generator gives in order. */
class LossDrawsTest {
    @ParameterizedTest
    @ValueSource(longs = {0, 1, 2, 42, -7, Long.MIN_VALUE, Long.MAX_VALUE, 0x5DEECE66DL})
    void theKthDrawIsTheKthNextDoubleOfTheFirstSplit(long seed) {
        SplittableRandom split = new SplittableRandom(seed).split();
        double[] inOrder = new double[100_000];
        for (int k = 0; k < inOrder.length; k++) {
            inOrder[k] = split.nextDouble();
        }
        LossDraws draws = new LossDraws(seed);
        for (int k = inOrder.length - 1; k >= 0; k--) { // read last first: any index, any order
            assertEquals(inOrder[k], draws.at(k), "seed " + seed + ", draw " + k);
        }
    }
}
