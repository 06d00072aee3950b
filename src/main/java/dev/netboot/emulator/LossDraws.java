package dev.netboot.emulator;

import java.util.SplittableRandom;

/**
 * The loss decisions of a segment: the stream of doubles of the first {@link SplittableRandom#split} of
 * {@code new SplittableRandom(seed)}, read at any index rather than in order. {@link SplittableRandom} is SplitMix64: its
 * k-th value is a function of its seed plus k times its gamma, and a split's seed and gamma are the parent's next two
 * values mixed. So a broadcast taken late from the switch's log ({@link BroadcastLog}) draws the number it would have
 * drawn as it was sent, from its index: the same seed loses the same frames whichever port takes them when.
 */
final class LossDraws {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private final long seed;
    private final long gamma;
    private long drawn; // the draws handed out so far

    /** The draws of {@code new SplittableRandom(seed).split()}. */
    LossDraws(long seed) {
        long s = seed + GOLDEN_GAMMA;
        this.seed = mix64(s);
        this.gamma = mixGamma(s + GOLDEN_GAMMA);
    }

    /** Hands out the draws of a frame's {@code receivers} receptions, one each; returns the first's index. */
    long next(int receivers) {
        long first = drawn;
        drawn += receivers;
        return first;
    }

    /** Returns the place of {@code to} among the receivers of a frame {@code from} floods: ports in attach order, but its sender. */
    static int rank(EmulatedPort from, EmulatedPort to) {
        return to.id() < from.id() ? to.id() : to.id() - 1;
    }

    /** Returns the {@code k}-th (from 0) {@link SplittableRandom#nextDouble()} of the stream. */
    double at(long k) {
        return (mix64(seed + (k + 1) * gamma) >>> 11) * 0x1.0p-53;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static long mixGamma(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        z = (z ^ (z >>> 33)) | 1L;
        return Long.bitCount(z ^ (z >>> 1)) < 24 ? z ^ 0xaaaaaaaaaaaaaaaaL : z;
    }
}
