package dev.netboot.flash;

import java.util.List;

/**
 * What goes wrong on a simulated NAND chip, all drawn from one seed so that a run repeats.
 *
 * <ul>
 *   <li>Factory bad blocks: {@code factoryBad} by index, plus {@code randomFactoryBad} more chosen
 *       from the seed (never block 0, which MT29F-class vendors guarantee good). They are marked
 *       when a chip is created; a reopened file keeps the marks it has.</li>
 *   <li>Grown bad blocks: each erase of a block fails with probability {@code eraseFailRate} and
 *       each program with {@code programFailRate}, as a chip's status register reports FAIL; the
 *       block is then marked bad.</li>
 *   <li>Read disturb: each read of a programmed ECC sector flips one random bit of what is read,
 *       with probability {@code readFlipRate}, never more than one per sector per read, so ECC always
 *       corrects these; the stored cells stay as they were.</li>
 * </ul>
 *
 * @param seed             seed of every random choice
 * @param factoryBad       blocks marked bad at creation
 * @param randomFactoryBad further blocks marked bad at creation, chosen from the seed
 * @param programFailRate  probability that one program reports a status failure, 0..1
 * @param eraseFailRate    probability that one block erase reports a status failure, 0..1
 * @param readFlipRate     probability that a read of one programmed sector sees one flipped bit, 0..1
 */
public record NandFaults(long seed, List<Integer> factoryBad, int randomFactoryBad, double programFailRate,
                         double eraseFailRate, double readFlipRate) {
    /** A perfect chip: no bad blocks, no failures, no bit flips. */
    public static final NandFaults NONE = new NandFaults(0, List.of(), 0, 0, 0, 0);

    /** Checks counts and probabilities. */
    public NandFaults {
        factoryBad = List.copyOf(factoryBad);
        if (randomFactoryBad < 0) {
            throw new IllegalArgumentException("random factory bad blocks: " + randomFactoryBad + " (expected: >= 0)");
        }
        checkRate("program fail rate", programFailRate);
        checkRate("erase fail rate", eraseFailRate);
        checkRate("read flip rate", readFlipRate);
    }

    /** Returns a chip whose only faults are the given factory bad blocks. */
    public static NandFaults factoryBad(Integer... blocks) {
        return new NandFaults(0, List.of(blocks), 0, 0, 0, 0);
    }

    /** Returns a copy with another seed. */
    public NandFaults withSeed(long newSeed) {
        return new NandFaults(newSeed, factoryBad, randomFactoryBad, programFailRate, eraseFailRate, readFlipRate);
    }

    private static void checkRate(String what, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(what + ": " + rate + " (expected: 0..1)");
        }
    }
}
