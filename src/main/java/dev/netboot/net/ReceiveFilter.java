package dev.netboot.net;

import java.nio.ByteBuffer;

/**
 * What a stack would do with a frame, told without taking it: for a link that hands one frame to many stacks (the
 * emulator's segment, where every board hears every other board's broadcasts) and may spare a stack the frames it
 * would only count and drop. A real NIC's address filter does the first part of this in hardware; this goes as far
 * as the stack's own early drops (another host's ARP, a datagram to a port nobody listens on, another client's
 * DHCP reply).
 *
 * <p>Contract: {@link #verdict} changes nothing the stack will later act on (it may reuse its parsing views), and
 * depends only on the frame and the stack's state, which changes only while the stack is polled or handed a frame.
 * For a frame whose verdict is not {@link #TAKE}, handing it to the stack ({@code onFrame}) at any instant until the
 * stack's state next changes does exactly what {@link #dropped} does: it moves the same counters and nothing else.
 */
public interface ReceiveFilter {
    /** The verdict of a frame the stack would act on (answer, learn from, hand to a port): it must be handed over. */
    int TAKE = -1;

    /** Returns {@link #TAKE}, or a code (>= 0) naming the counters the frame would only move. */
    int verdict(ByteBuffer frame, int length);

    /**
     * Returns a number that moves (and never comes back) whenever the stack's state changes in a way that may change a
     * {@link #verdict}: while it stays the same, every verdict given stands.
     */
    long receiveState();

    /** Counts one frame of verdict {@code verdict} (not {@link #TAKE}) as the stack counts it when it drops it. */
    void dropped(int verdict);

    /**
     * Returns the verdict the stack, in its state now, gives every frame of kind {@code kind} ({@link FrameKind}) whose
     * Ethernet source is not its own address, or {@link #TAKE} when that depends on more than the kind (then ask
     * {@link #verdict}). Of the kinds with an addressee, every such frame not for the stack: a
     * {@link FrameKind#BOOTREPLY} whose chaddr is not its address, an ARP packet naming none of its
     * {@link #arpInterests} as sender or target protocol address. Stands while {@link #receiveState} does. The default
     * knows no kind.
     */
    default int verdictOfKind(int kind) {
        return TAKE;
    }

    /**
     * Fills {@code into} with the IPv4 addresses (as ints) an ARP packet must name for the stack to act on it: first the
     * two its target protocol address may be (0: none), then those its sender protocol address may be; returns how
     * many in all, or -1 when they do not fit or the stack cannot say (the default): then ask {@link #verdict} about
     * every ARP packet. Stands while {@link #receiveState} does.
     */
    default int arpInterests(int[] into) {
        return -1;
    }
}
