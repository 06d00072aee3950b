package dev.netboot.emulator;

import java.util.Objects;

/**
 * What an {@link EthernetSegment} does wrong (the scenario's {@code [faults]} section). Each decision is taken
 * per frame per receiving port, from the segment's seeded generators, one per kind of fault, in a fixed order
 * (ports in attach order), so one seed gives one pattern and turning one fault on leaves the others' patterns
 * as they were. Times are virtual nanoseconds.
 *
 * @param loss         probability (0..1) that a receiving port does not get a frame
 * @param duplicate    probability (0..1) that a receiving port gets a delivered frame twice
 * @param maxQueue     frames a port may hold undelivered; more are dropped (tail drop); 0 for no limit
 * @param reorder      probability (0..1) that a frame is held back {@code reorderDelay} behind the frames sent after it
 * @param reorderDelay how long a reordered frame is held back
 * @param jitter       each frame takes up to this much longer to arrive, drawn uniformly; frames from one sender
 *                     to one receiver keep their order (a queue that varies, not a reordering)
 * @param corrupt      probability (0..1) that one bit of a frame's IPv4 part is flipped in flight, where the IPv4,
 *                     UDP and ICMP checksums catch it (frames of other types are left alone: the Ethernet FCS,
 *                     which the emulator does not model, would catch those)
 * @param tamper       probability (0..1) that a TFTP DATA block in flight gets one byte wrong and its UDP checksum
 *                     made right again: a peer sending wrong bytes that look right, which only the image's SHA-256
 *                     or signature can catch
 * @param linkDownAt   when the board's link goes down (a cable pulled, or a switch port held by spanning tree at
 *                     power-up: 0); frames to and from the board are lost while it is
 * @param linkDownFor  how long it stays down; 0 for never down
 * @param background   other machines' traffic on the board's segment
 */
public record FaultPlan(double loss, double duplicate, int maxQueue, double reorder, long reorderDelay, long jitter,
                        double corrupt, double tamper, long linkDownAt, long linkDownFor, Background background) {
    /** How long a reordered frame is held back unless said otherwise: 8 full frames at 100 Mbit/s. */
    public static final long DEFAULT_REORDER_DELAY = 1_000_000L;

    /** A perfect wire: nothing lost, nothing duplicated, no queue limit, nobody else talking. */
    public static final FaultPlan NONE = new FaultPlan(0, 0, 0);

    /** Checks the ranges. */
    public FaultPlan {
        Objects.requireNonNull(background, "background");
        if (!probability(loss) || !probability(duplicate) || maxQueue < 0 || !probability(reorder) || reorderDelay < 0
                || jitter < 0 || !probability(corrupt) || !probability(tamper) || linkDownAt < 0 || linkDownFor < 0) {
            throw new IllegalArgumentException("fault plan: loss " + loss + ", duplicate " + duplicate + ", max queue "
                    + maxQueue + ", reorder " + reorder + " by " + reorderDelay + " ns, jitter " + jitter + " ns, corrupt "
                    + corrupt + ", tamper " + tamper + ", link down at " + linkDownAt + " ns for " + linkDownFor
                    + " ns (expected: probabilities in 0..1, max queue and times >= 0)");
        }
    }

    /** Loss, duplication and a queue limit; nothing else. */
    public FaultPlan(double loss, double duplicate, int maxQueue) {
        this(loss, duplicate, maxQueue, 0, DEFAULT_REORDER_DELAY, 0, 0, 0, 0, 0, Background.NONE);
    }

    private static boolean probability(double p) {
        return p >= 0 && p <= 1;
    }

    /** Returns a plan that loses each frame with probability {@code loss} and does nothing else. */
    public static FaultPlan loss(double loss) {
        return new FaultPlan(loss, 0, 0);
    }

    /** Returns this plan losing frames with probability {@code p}. */
    public FaultPlan withLoss(double p) {
        return new FaultPlan(p, duplicate, maxQueue, reorder, reorderDelay, jitter, corrupt, tamper, linkDownAt, linkDownFor,
                background);
    }

    /** Returns this plan duplicating frames with probability {@code p}. */
    public FaultPlan withDuplicate(double p) {
        return new FaultPlan(loss, p, maxQueue, reorder, reorderDelay, jitter, corrupt, tamper, linkDownAt, linkDownFor,
                background);
    }

    /** Returns this plan holding frames back with probability {@code p}, by {@code delay}. */
    public FaultPlan withReorder(double p, long delay) {
        return new FaultPlan(loss, duplicate, maxQueue, p, delay, jitter, corrupt, tamper, linkDownAt, linkDownFor, background);
    }

    /** Returns this plan delaying frames by up to {@code nanos}. */
    public FaultPlan withJitter(long nanos) {
        return new FaultPlan(loss, duplicate, maxQueue, reorder, reorderDelay, nanos, corrupt, tamper, linkDownAt, linkDownFor,
                background);
    }

    /** Returns this plan flipping a bit of frames with probability {@code p}. */
    public FaultPlan withCorrupt(double p) {
        return new FaultPlan(loss, duplicate, maxQueue, reorder, reorderDelay, jitter, p, tamper, linkDownAt, linkDownFor,
                background);
    }

    /** Returns this plan changing TFTP DATA bytes (checksums fixed) with probability {@code p}. */
    public FaultPlan withTamper(double p) {
        return new FaultPlan(loss, duplicate, maxQueue, reorder, reorderDelay, jitter, corrupt, p, linkDownAt, linkDownFor,
                background);
    }

    /** Returns this plan taking the board's link down at {@code at} for {@code duration}. */
    public FaultPlan withLinkDown(long at, long duration) {
        return new FaultPlan(loss, duplicate, maxQueue, reorder, reorderDelay, jitter, corrupt, tamper, at, duration, background);
    }

    /** Returns this plan with {@code b} talking on the board's segment. */
    public FaultPlan withBackground(Background b) {
        return new FaultPlan(loss, duplicate, maxQueue, reorder, reorderDelay, jitter, corrupt, tamper, linkDownAt, linkDownFor, b);
    }

    /** Returns whether the board's link is down at {@code now}. */
    public boolean linkDown(long now) {
        return linkDownFor > 0 && now >= linkDownAt && now - linkDownAt < linkDownFor;
    }
}
