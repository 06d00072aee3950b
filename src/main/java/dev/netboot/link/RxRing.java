package dev.netboot.link;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A packet socket's receive ring ({@code PACKET_RX_RING}, {@code TPACKET_V2}; packet_mmap in the kernel's
 * documentation): frames the kernel copies into memory shared with us, so taking one is a few memory reads and no
 * system call. {@link RawSocketLink} copies each frame out of its slot into its own heap buffer and hands the slot
 * back at once.
 *
 * <p>The ring is {@code frames} slots of {@code frameSize} bytes, each a {@code struct tpacket2_hdr}, then a
 * {@code struct sockaddr_ll} at 32, then the frame at {@code tp_mac}. A slot is ours while its {@code tp_status}
 * has {@code TP_STATUS_USER}; the kernel sets that after it wrote the slot (a write barrier between), and takes the
 * slot back when we write {@code TP_STATUS_KERNEL}, so the status is read with acquire and written with release
 * semantics. The kernel fills slots in order and we take them in order; a frame that finds the next slot still
 * ours is dropped by the kernel (the ring is full).
 *
 * <p>A slot holds the largest frame the interface receives (MTU, Ethernet header, one 802.1Q tag) behind the
 * headers; a longer one (a segmentation-offload super-frame) arrives cut, {@code tp_snaplen} less than
 * {@code tp_len}. Not thread-safe.
 */
final class RxRing {
    // <linux/if_packet.h>
    private static final int SOL_PACKET = 263, PACKET_RX_RING = 5, PACKET_VERSION = 10, TPACKET_V2 = 1;
    static final int TP_STATUS_KERNEL = 0, TP_STATUS_USER = 1, TP_STATUS_CSUMNOTREADY = 8;
    /** struct tpacket2_hdr: status(4) len(4) snaplen(4) mac(2) net(2) sec(4) nsec(4) vlan_tci(2) vlan_tpid(2) pad(4). */
    private static final int TP_LEN = 4, TP_SNAPLEN = 8, TP_MAC = 12;
    /** Where the slot's struct sockaddr_ll starts: TPACKET_ALIGN(sizeof(struct tpacket2_hdr)). */
    private static final int SLL = 32, SLL_IFINDEX = PacketSocket.SLL_IFINDEX, SLL_PKTTYPE = PacketSocket.SLL_PKTTYPE;
    /** struct tpacket_req: block_size, block_nr, frame_size, frame_nr (four unsigned ints). */
    private static final int REQ_SIZE = 16;
    /** Headers before a frame in its slot, with room to spare: tp_mac is 66 for an untagged frame. */
    private static final int HEADROOM = 128;
    /** The ring's size: about what Linux's default socket buffer (212,992 bytes) holds, and never under 64 slots. */
    private static final int RING_BYTES = 256 * 1024, MIN_FRAMES = 64;
    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, SC_PAGESIZE = 30;

    private final MemorySegment ring;
    private final MemorySegment state; // where munmap captures errno: the socket's
    private final ByteBuffer slots; // the ring as a buffer: plain reads and writes, ordered by fences
    private final int frameSize;
    private final int frames;
    private int next;   // the slot the kernel fills after the last one we took
    private boolean closed;

    private RxRing(MemorySegment ring, MemorySegment state, int frameSize, int frames) {
        this.ring = ring;
        this.state = state;
        this.slots = ring.asByteBuffer().order(ByteOrder.nativeOrder());
        this.frameSize = frameSize;
        this.frames = frames;
    }

    /**
     * Sets up a receive ring on packet socket {@code fd}, whose frames are at most {@code longestFrame} bytes, or
     * returns null when the kernel refuses it (no {@code TPACKET_V2}, no memory for the ring, a sandbox without
     * packet_mmap): the caller then receives with {@code recvfrom}. Must come before anything else sets the socket's
     * version or ring.
     */
    static RxRing open(MemorySegment state, int fd, int longestFrame, Arena arena) {
        MemorySegment v = arena.allocate(JAVA_INT);
        v.set(JAVA_INT, 0, TPACKET_V2);
        if (Libc.setsockopt(state, fd, SOL_PACKET, PACKET_VERSION, v, 4) < 0) {
            return null;
        }
        long page = Libc.sysconf(state, SC_PAGESIZE);
        if (page <= 0 || Long.bitCount(page) != 1) {
            return null;
        }
        int frameSize = Integer.highestOneBit(HEADROOM + longestFrame - 1) << 1; // a power of two: slots fill blocks
        int blockSize = (int) Math.max(page, frameSize);
        int frames = Math.max(MIN_FRAMES, RING_BYTES / frameSize);
        frames = Math.ceilDiv(frames, blockSize / frameSize) * (blockSize / frameSize); // whole blocks
        long bytes = (long) frames * frameSize;
        MemorySegment req = arena.allocate(REQ_SIZE);
        req.set(JAVA_INT, 0, blockSize);
        req.set(JAVA_INT, 4, (int) (bytes / blockSize));
        req.set(JAVA_INT, 8, frameSize);
        req.set(JAVA_INT, 12, frames);
        if (Libc.setsockopt(state, fd, SOL_PACKET, PACKET_RX_RING, req, REQ_SIZE) < 0) {
            return null;
        }
        MemorySegment at = Libc.mmap(state, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0L);
        if (at == null) {
            return null; // MAP_FAILED; the ring goes with the socket
        }
        return new RxRing(at, state, frameSize, frames);
    }

    /** Returns the offset of the oldest slot the kernel filled and we have not taken, or -1 when there is none. */
    int filled() {
        int slot = next * frameSize;
        int status = slots.getInt(slot);
        VarHandle.acquireFence(); // the status before the frame: read with acquire semantics
        return (status & TP_STATUS_USER) != 0 ? slot : -1;
    }

    /** Returns the {@code tp_status} of the slot at {@code slot} (TP_STATUS_ bits). */
    int status(int slot) {
        return slots.getInt(slot);
    }

    /** Returns the frame's length on the wire ({@code tp_len}). */
    int length(int slot) {
        return slots.getInt(slot + TP_LEN);
    }

    /** Returns how many of the frame's bytes the slot holds ({@code tp_snaplen}): less than its length when it was cut. */
    int held(int slot) {
        return slots.getInt(slot + TP_SNAPLEN);
    }

    /** Returns the index of the interface that received the frame ({@code sll_ifindex}). */
    int interfaceIndex(int slot) {
        return slots.getInt(slot + SLL + SLL_IFINDEX);
    }

    /** Returns the frame's packet type ({@code sll_pkttype}: PACKET_HOST, PACKET_OUTGOING, ...). */
    int packetType(int slot) {
        return slots.get(slot + SLL + SLL_PKTTYPE) & 0xFF;
    }

    /** Copies the first {@code length} bytes of the frame into {@code to} at {@code offset}. */
    void copy(int slot, byte[] to, int offset, int length) {
        int mac = Short.toUnsignedInt(slots.getShort(slot + TP_MAC));
        if (mac + length > frameSize) {
            throw new IllegalStateException("ring slot: frame at " + mac + " of " + length + " bytes past the slot's " + frameSize);
        }
        slots.get(slot + mac, to, offset, length);
    }

    /** Hands the slot at {@code slot} (the one {@link #filled} returned) back to the kernel and moves to the next. */
    void release(int slot) {
        VarHandle.releaseFence(); // everything read from the slot before the kernel may write it again
        slots.putInt(slot, TP_STATUS_KERNEL);
        next = next + 1 == frames ? 0 : next + 1;
    }

    /** Returns the bytes of frames the ring holds while the stack is busy: its slots' size. */
    long bytes() {
        return ring.byteSize();
    }

    /** Unmaps the ring (before the socket closes). Idempotent. */
    void close() {
        if (!closed) {
            closed = true;
            int _ = Libc.munmap(state, ring);
        }
    }
}
