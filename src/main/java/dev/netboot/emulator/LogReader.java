package dev.netboot.emulator;

import dev.netboot.net.FrameKind;
import dev.netboot.net.ReceiveFilter;

/**
 * One port's reading of its segment's {@link BroadcastLog}: the number of the first entry it has not taken, and what its
 * stack says of the log's kinds of frame ({@link ReceiveFilter#verdictOfKind}) and of the addresses its ARP looks for
 * ({@link ReceiveFilter#arpInterests}), asked once and kept until the stack's state changes ({@link #forget}).
 */
final class LogReader {
    private static final int UNKNOWN = Integer.MIN_VALUE;
    final BroadcastLog log;
    private final ReceiveFilter filter;
    private final long mac;
    /** The number of the first entry not taken. */
    long position;
    // The stack's verdict on each kind of frame (UNKNOWN: not asked since its state changed); the addresses its ARP
    // looks for and how many (UNKNOWN: not asked; -1: it cannot say).
    private final int[] kindVerdicts = new int[BroadcastLog.KINDS];
    private final int[] arpInterests = new int[8];
    private int arpInterestCount = UNKNOWN;

    /** Reads {@code log} from its end on, for the stack {@code filter} of MAC {@code mac} (its port's). */
    LogReader(BroadcastLog log, ReceiveFilter filter, long mac) {
        this.log = log;
        this.filter = filter;
        this.mac = mac;
        this.position = log.end();
        java.util.Arrays.fill(kindVerdicts, UNKNOWN);
    }

    /** The stack's state changed: its verdicts by kind and its ARP's addresses are asked again when needed. */
    void forget() {
        java.util.Arrays.fill(kindVerdicts, UNKNOWN);
        arpInterestCount = UNKNOWN;
    }

    /**
     * Returns whether the port leaves a frame of the log's kind {@code kindIndex} from MAC {@code src} in the log: its
     * stack drops every frame of that kind not for it, in its state now, without acting, and {@code addressee}
     * ({@link FrameKind#addressee}) is not for it (frames from its own MAC are asked about).
     */
    boolean defers(int kindIndex, long src, long addressee) {
        return src != mac && kindVerdict(kindIndex) != ReceiveFilter.TAKE && !addressed(kindIndex, addressee);
    }

    /**
     * Returns the stack's verdict, in its state now, on entry {@code n} ({@code frame}): by its kind when that says, else
     * asked of the stack with a view of the frame ({@link EthernetSegment#view}, made only then: a port taking many
     * entries would make one for each).
     */
    int verdict(long n, byte[] frame, EthernetSegment segment) {
        int k = log.kindIndex(n);
        int v = kindVerdict(k);
        if (v == ReceiveFilter.TAKE || addressed(k, log.addressee(n))) {
            v = filter.verdict(segment.view(frame), frame.length);
        }
        return v;
    }

    /**
     * Returns whether a frame of the log's kind {@code kindIndex} with {@code addressee} may be for the stack, which then
     * says itself: a DHCP reply for its MAC (the stack's own in a fleet), ARP naming an address its ARP looks for.
     */
    private boolean addressed(int kindIndex, long addressee) {
        int kind = log.kind(kindIndex);
        if (kind == FrameKind.BOOTREPLY) {
            return addressee == mac;
        }
        if (kind != FrameKind.ARP_PROBE && kind != FrameKind.ARP_SENDER) {
            return false;
        }
        if (arpInterestCount == UNKNOWN) {
            arpInterestCount = filter.arpInterests(arpInterests);
        }
        if (arpInterestCount < 0) {
            return true;
        }
        int spa = (int) (addressee >>> 32);
        int tpa = (int) addressee;
        if (tpa != 0 && (tpa == arpInterests[0] || tpa == arpInterests[1])) {
            return true; // to its address, or to the one it probes
        }
        for (int i = 2; i < arpInterestCount; i++) {
            if (arpInterests[i] == spa) {
                return true; // from an address it probes, has cached or resolves
            }
        }
        return false;
    }

    private int kindVerdict(int kindIndex) {
        int v = kindVerdicts[kindIndex];
        if (v == UNKNOWN) {
            v = filter.verdictOfKind(log.kind(kindIndex));
            kindVerdicts[kindIndex] = v;
        }
        return v;
    }
}
