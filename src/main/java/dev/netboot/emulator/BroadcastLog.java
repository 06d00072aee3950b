package dev.netboot.emulator;

import dev.netboot.net.FrameKind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The broadcasts a switched segment flooded that some ports have not taken yet: a fleet's boards hear every other
 * board's DHCP requests, and a board whose stack gives every frame of the request's {@link FrameKind} the same drop
 * ({@link dev.netboot.net.ReceiveFilter#verdictOfKind}) need not be told of each when it is sent. Such a port (a
 * reader, {@link EmulatedPort#filterWith}) takes the log's entries it deferred later, in order, through the switch's
 * queue toward it as the frame would have gone then ({@link EmulatedPort#catchUp}): before anything else is forwarded
 * to it, before its reader is polled and before counters are read. Each entry is an appended frame with its sender,
 * its time on the wire and its kind; entries every reader has taken are forgotten. A kind with an addressee
 * ({@link FrameKind#BOOTREPLY}: a DHCP server's broadcast reply, for the client its chaddr names; ARP, for the stacks
 * that look for an address it names) is left by every port whose stack drops the frames of the kind not for it, the
 * addressees' ports taking it as it is sent.
 */
final class BroadcastLog {
    /** Most kinds told apart; a frame of a further kind is forwarded to every port as it is sent. */
    static final int KINDS = 16;

    private final FrameKind classifier = new FrameKind();
    private final int[] kinds = new int[KINDS];
    private int kindCount;
    private final List<EmulatedPort> readers = new ArrayList<>();
    private long base; // the number of the first entry held
    private int size;
    private long[] at = new long[64];
    private byte[][] frames = new byte[64][];
    private EmulatedPort[] senders = new EmulatedPort[64];
    private byte[] kindOf = new byte[64];
    private long[] addressees = new long[64];
    private long[] lossDraws = new long[64];

    /** Adds {@code port} to the ports that may defer entries: it has taken none before the next one. */
    void reader(EmulatedPort port) {
        readers.add(port);
    }

    /** Returns whether a port may defer entries: without one, nothing is logged. */
    boolean hasReaders() {
        return !readers.isEmpty();
    }

    /** Returns the index (0..{@link #KINDS}-1) of the kind of {@code frame} (viewed as {@code view}), or -1 for none. */
    int kindIndex(ByteBuffer view, int length) {
        int k = classifier.of(view, length);
        if (k == FrameKind.NONE) {
            return -1;
        }
        for (int i = 0; i < kindCount; i++) {
            if (kinds[i] == k) {
                return i;
            }
        }
        if (kindCount == KINDS) {
            return -1;
        }
        kinds[kindCount] = k;
        return kindCount++;
    }

    /** Returns the addressee ({@link FrameKind#addressee}) of the frame {@link #kindIndex(ByteBuffer, int)} last sorted. */
    long addressee() {
        return classifier.addressee();
    }

    /** Returns the {@link FrameKind} of kind index {@code i}. */
    int kind(int i) {
        return kinds[i];
    }

    /** Returns the number the next entry will have: every entry before it has been appended. */
    long end() {
        return base + size;
    }

    /** Appends {@code frame}, sent by {@code from} and on the wire toward the switch until {@code at} less the latency; returns its number. */
    long append(EmulatedPort from, long at, byte[] frame, int kindIndex, long addressee, long lossDraw) {
        if (size == this.at.length) {
            makeRoom();
        }
        int i = size++;
        this.at[i] = at;
        frames[i] = frame;
        senders[i] = from;
        kindOf[i] = (byte) kindIndex;
        addressees[i] = addressee;
        lossDraws[i] = lossDraw;
        return base + i;
    }

    /** Returns when entry {@code n} reaches its receivers' switch ports plus the latency (forward's {@code at}). */
    long at(long n) {
        return at[(int) (n - base)];
    }

    /** Returns entry {@code n}'s frame. */
    byte[] frame(long n) {
        return frames[(int) (n - base)];
    }

    /** Returns entry {@code n}'s sender. */
    EmulatedPort sender(long n) {
        return senders[(int) (n - base)];
    }

    /** Returns entry {@code n}'s kind index. */
    int kindIndex(long n) {
        return kindOf[(int) (n - base)];
    }

    /** Returns entry {@code n}'s addressee ({@link FrameKind#addressee}). */
    long addressee(long n) {
        return addressees[(int) (n - base)];
    }

    /** Returns the first loss draw of entry {@code n}'s receivers (EthernetSegment.lostLate). */
    long lossDraw(long n) {
        return lossDraws[(int) (n - base)];
    }

    /** Returns the entries held, for a test that taken ones are forgotten. */
    int held() {
        return size;
    }

    /**
     * Forgets the entries every reader has taken; grows the arrays when that frees too little. A reader that has not
     * taken the older half of the entries held (a board not polled for long: one waiting 16 s for its next DHCPDISCOVER
     * held 16 s of the fleet's broadcasts) takes them all now ({@link EmulatedPort#catchUp}), as it would when next
     * polled or sent to: so the log holds about as many entries as it has readers.
     */
    private void makeRoom() {
        long behind = base + size / 2;
        long taken = end();
        for (EmulatedPort p : readers) {
            if (p.logPosition() < behind) {
                p.catchUp(p.segment().simulation().now(), false);
            }
            taken = Math.min(taken, p.logPosition());
        }
        int drop = (int) (taken - base);
        if (drop > 0) {
            int keep = size - drop;
            System.arraycopy(at, drop, at, 0, keep);
            System.arraycopy(frames, drop, frames, 0, keep);
            System.arraycopy(senders, drop, senders, 0, keep);
            System.arraycopy(kindOf, drop, kindOf, 0, keep);
            System.arraycopy(addressees, drop, addressees, 0, keep);
            System.arraycopy(lossDraws, drop, lossDraws, 0, keep);
            Arrays.fill(frames, keep, size, null);
            Arrays.fill(senders, keep, size, null);
            base = taken;
            size = keep;
        }
        // Room for a quarter of the entries held at least, and for as many as there are readers: the readers looked at
        // here once per so many entries appended.
        if (size * 4 > at.length * 3 || at.length < readers.size()) {
            int n = at.length * 2;
            at = Arrays.copyOf(at, n);
            frames = Arrays.copyOf(frames, n);
            senders = Arrays.copyOf(senders, n);
            kindOf = Arrays.copyOf(kindOf, n);
            addressees = Arrays.copyOf(addressees, n);
            lossDraws = Arrays.copyOf(lossDraws, n);
        }
    }
}
