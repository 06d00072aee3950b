package dev.netboot.cli;

import dev.netboot.link.ForwardingLink;
import dev.netboot.link.WaitableLink;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.UdpDatagram;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * {@code netboot serve}'s fault stage: a {@link WaitableLink} decorator between the servers' stack and the real
 * interface that makes the wire lose, duplicate, corrupt, delay and reorder frames, in both directions (what a
 * client sends before the servers see it, what the servers send before it goes out), each decision per frame
 * from its own seeded generator. In order, per frame: lost ({@link Faults#loss}); one bit flipped past the
 * Ethernet header ({@link Faults#corrupt}: the IP or UDP checksum no longer matches, and a careful receiver drops
 * it); delayed by {@link Faults#latencyNanos} and a uniform 0..{@link Faults#jitterNanos} more (order kept per
 * direction); held back behind the next
 * frame of its direction ({@link Faults#reorder}: swapped with it, or let go after {@link #REORDER_HOLD} when none
 * comes); sent twice ({@link Faults#duplicate}). Every frame and its fate goes to a {@link Tap}.
 *
 * <p>The real clock drives it: a frame held for later is handed over by the first {@link #receive} or
 * {@link #transmit} at or after its time; {@link #pollAt()} says when that is.
 */
final class ChaosLink extends ForwardingLink implements WaitableLink {
    /** How long a frame held back for reordering waits for a later one to overtake it. */
    static final long REORDER_HOLD = 50_000_000L;

    /**
     * What the wire does wrong.
     *
     * @param loss        probability 0..1 that a frame is lost
     * @param duplicate   probability 0..1 that a frame arrives twice
     * @param reorder     probability 0..1 that a frame is held back behind the next one
     * @param corrupt     probability 0..1 that a frame has one bit flipped past its Ethernet header
     * @param jitterNanos each frame is delayed by a uniform 0..jitter (0: none)
     * @param latencyNanos each frame is delayed by this much first, both ways (0: none)
     */
    record Faults(double loss, double duplicate, double reorder, double corrupt, long jitterNanos, long latencyNanos) {
        static final Faults NONE = new Faults(0, 0, 0, 0, 0);

        /** The faults without a latency of their own. */
        Faults(double loss, double duplicate, double reorder, double corrupt, long jitterNanos) {
            this(loss, duplicate, reorder, corrupt, jitterNanos, 0);
        }

        /** Returns whether the wire is perfect. */
        boolean none() {
            return loss == 0 && duplicate == 0 && reorder == 0 && corrupt == 0 && jitterNanos == 0 && latencyNanos == 0;
        }
    }

    /** Which way a frame goes: from the wire to the servers, or from the servers to the wire. */
    enum Direction { IN, OUT }

    /** Hears every frame (as it was before any fault) and what the stage did to it. */
    interface Tap {
        /**
         * A frame of {@code length} bytes in {@code frame[0..length)}, at {@code now}; may not keep the array.
         *
         * @param lost   the stage dropped it
         * @param faults what else the stage did, joined by '+' ("corrupted+delayed"), or null for nothing
         */
        void frame(long now, Direction dir, byte[] frame, int length, boolean lost, String faults);
    }

    private record Held(long at, long seq, Direction dir, byte[] frame) {
    }

    private final WaitableLink wire; // the same link as inner, for awaitFrame
    private final Faults faults;
    private final Tap tap;
    private final SplittableRandom lossRandom, duplicateRandom, reorderRandom, corruptRandom, jitterRandom;
    private final PriorityQueue<Held> later = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
            : Long.compare(a.seq, b.seq));
    private final ArrayDeque<Held> inbound = new ArrayDeque<>(); // due for the stack, in order
    private final Held[] reorderHeld = new Held[2];
    private final long[] lastDue = new long[2];
    private final byte[] scratch = new byte[EthernetFrame.HEADER_LEN + 9216];
    private final ByteBuffer scratchBuf = ByteBuffer.wrap(scratch);
    private long seq;
    private long lost, corrupted, duplicated, delayed, reordered;

    ChaosLink(WaitableLink inner, Faults faults, long seed, Tap tap) {
        super(inner);
        this.wire = inner;
        this.faults = faults;
        this.tap = tap;
        SplittableRandom root = new SplittableRandom(seed);
        this.lossRandom = root.split();
        this.duplicateRandom = root.split();
        this.reorderRandom = root.split();
        this.corruptRandom = root.split();
        this.jitterRandom = root.split();
    }

    @Override
    public boolean receive(long now, FrameHandler handler) {
        release(now);
        Held h = inbound.poll();
        if (h != null) {
            handler.onFrame(now, ByteBuffer.wrap(h.frame), h.frame.length);
            return true;
        }
        // Take frames off the wire until one is due now or none is left; the others wait in the stage.
        while (inner.receive(now, (t, buf, len) -> {
            buf.get(0, scratch, 0, len);
            decide(t, Direction.IN, len);
        })) {
            release(now);
            h = inbound.poll();
            if (h != null) {
                handler.onFrame(now, ByteBuffer.wrap(h.frame), h.frame.length);
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean transmit(long now, int length, FrameFiller filler) {
        release(now);
        if (length > scratch.length) {
            throw new IllegalArgumentException("frame of " + length + " bytes (expected: at most " + scratch.length + ")");
        }
        filler.fill(scratchBuf, length);
        decide(now, Direction.OUT, length);
        // A frame the stage holds is taken: the NIC has it, as far as the sender can tell.
        release(now);
        return true;
    }

    /** Decides the fate of the frame in {@code scratch[0..length)} and queues what is to be delivered. */
    private void decide(long now, Direction dir, int length) {
        boolean lose = lossRandom.nextDouble() < faults.loss();
        boolean flip = corruptRandom.nextDouble() < faults.corrupt();
        long jitter = faults.jitterNanos() == 0 ? 0 : jitterRandom.nextLong(faults.jitterNanos() + 1);
        boolean hold = reorderRandom.nextDouble() < faults.reorder();
        boolean twice = duplicateRandom.nextDouble() < faults.duplicate();
        if (lose) {
            lost++;
            tap.frame(now, dir, scratch, length, true, null);
            return;
        }
        byte[] f = new byte[length];
        System.arraycopy(scratch, 0, f, 0, length);
        StringBuilder what = new StringBuilder();
        if (flip && length > EthernetFrame.HEADER_LEN) {
            corrupted++;
            checksumAsOnAWire(f);
            int bit = corruptRandom.nextInt((length - EthernetFrame.HEADER_LEN) * 8);
            f[EthernetFrame.HEADER_LEN + bit / 8] ^= (byte) (1 << (bit % 8));
            what.append("+corrupted");
        }
        int d = dir.ordinal();
        long arrives = now + faults.latencyNanos(); // every frame takes the latency: only more is a delay
        long at = Math.max(arrives + jitter, lastDue[d]);
        if (at > arrives) {
            delayed++;
            what.append("+delayed");
        }
        lastDue[d] = at;
        if (twice) {
            duplicated++;
            what.append("+duplicated");
        }
        boolean held = hold && reorderHeld[d] == null;
        if (held) {
            reordered++;
            what.append("+reordered");
        }
        tap.frame(now, dir, scratch, length, false, what.isEmpty() ? null : what.substring(1));
        if (held) {
            reorderHeld[d] = new Held(arrives + REORDER_HOLD, seq++, dir, f);
            if (twice) {
                schedule(at, dir, f);
            }
            return;
        }
        schedule(at, dir, f);
        if (twice) {
            schedule(at, dir, f);
        }
        // The held frame goes right behind the first frame that overtook it.
        Held r = reorderHeld[d];
        if (r != null) {
            reorderHeld[d] = null;
            schedule(at, dir, r.frame);
        }
    }

    /**
     * Gives a UDP datagram in IPv4 whose checksum is 0 the checksum it would carry on a wire, before a bit of it is
     * flipped: a frame from a veth or a VM's tap comes with the checksum left to the NIC, and RawSocketLink hands it on
     * with 0 ("none", RFC 768), so that the flip would pass every check and the servers would act on the changed
     * datagram (an ACK of a block never sent taken as the last: a client with a tenth of the file served).
     */
    private static void checksumAsOnAWire(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        if (f.length < EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN + UdpDatagram.HEADER_LEN
                || (b.getShort(12) & 0xFFFF) != EthernetFrame.TYPE_IPV4) {
            return;
        }
        try {
            Ipv4Packet ip = new Ipv4Packet().wrap(b, EthernetFrame.HEADER_LEN, f.length - EthernetFrame.HEADER_LEN, false);
            if (ip.protocol() != Ipv4Packet.PROTO_UDP || ip.isFragment()) {
                return;
            }
            UdpDatagram udp = new UdpDatagram().wrap(b, ip.payloadOffset(), ip.payloadLength(), ip.src(), ip.dst(), false);
            if (udp.checksum() == 0) {
                udp.fillChecksum(ip.src(), ip.dst());
            }
        } catch (MalformedPacketException e) {
            // not a datagram the servers would take: flipped as it is
        }
    }

    private void schedule(long at, Direction dir, byte[] f) {
        later.add(new Held(at, seq++, dir, f));
    }

    /** Hands over what is due at {@code now}: outgoing frames to the wire, incoming ones to the stack's queue. */
    private void release(long now) {
        for (int d = 0; d < 2; d++) {
            Held r = reorderHeld[d];
            if (r != null && r.at <= now) {
                reorderHeld[d] = null;
                schedule(now, r.dir, r.frame);
            }
        }
        while (!later.isEmpty() && later.peek().at <= now) {
            Held h = later.peek();
            if (h.dir == Direction.OUT) {
                if (!inner.transmit(now, h.frame.length, (buf, len) -> buf.put(0, h.frame, 0, len))) {
                    return; // the NIC has no room: try again on the next poll
                }
            } else {
                inbound.add(h);
            }
            later.poll();
        }
    }

    @Override
    public long pollAt() {
        long at = inbound.isEmpty() ? inner.pollAt() : Long.MIN_VALUE;
        if (!later.isEmpty()) {
            at = Math.min(at, later.peek().at);
        }
        for (Held r : reorderHeld) {
            if (r != null) {
                at = Math.min(at, r.at);
            }
        }
        return at;
    }

    @Override
    public boolean awaitFrame(long timeoutNanos) {
        return !inbound.isEmpty() || wire.awaitFrame(timeoutNanos);
    }

    /** Returns the frames lost, both directions. */
    long lost() {
        return lost;
    }

    /** Returns the frames with a bit flipped. */
    long corrupted() {
        return corrupted;
    }

    /** Returns the frames sent twice. */
    long duplicated() {
        return duplicated;
    }

    /** Returns the frames delayed by jitter. */
    long delayed() {
        return delayed;
    }

    /** Returns the frames held back behind a later one. */
    long reordered() {
        return reordered;
    }
}
