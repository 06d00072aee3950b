package dev.netboot.emulator;

/**
 * What an {@link EthernetSegment} does wrong. Each decision is taken per frame per receiving port,
 * from the segment's seeded generators, in a fixed order (ports in attach order).
 *
 * @param loss      probability (0..1) that a receiving port does not get a frame
 * @param duplicate probability (0..1) that a receiving port gets a delivered frame twice
 * @param maxQueue  frames a port may hold undelivered; more are dropped (tail drop); 0 for no limit
 */
public record FaultPlan(double loss, double duplicate, int maxQueue) {
    /** A perfect wire: nothing lost, nothing duplicated, no queue limit. */
    public static final FaultPlan NONE = new FaultPlan(0, 0, 0);

    /** Checks the ranges. */
    public FaultPlan {
        if (!(loss >= 0 && loss <= 1) || !(duplicate >= 0 && duplicate <= 1) || maxQueue < 0) {
            throw new IllegalArgumentException("fault plan: loss " + loss + ", duplicate " + duplicate + ", max queue "
                    + maxQueue + " (expected: probabilities in 0..1, max queue >= 0)");
        }
    }

    /** Returns a plan that loses each frame with probability {@code loss} and does nothing else. */
    public static FaultPlan loss(double loss) {
        return new FaultPlan(loss, 0, 0);
    }
}
