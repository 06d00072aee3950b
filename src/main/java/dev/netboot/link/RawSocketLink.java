package dev.netboot.link;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.MacAddress;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Linux network interface as a {@link Link}: an {@code AF_PACKET}/{@code SOCK_RAW} socket bound to the
 * interface, called through the FFM API (no JNI, no library beyond libc). Frames go out and come in
 * whole, Ethernet header included; the kernel adds nothing and strips nothing but the FCS.
 *
 * <p><b>Receiving.</b> Frames come through a receive ring the kernel fills ({@link RxRing}: {@code PACKET_RX_RING},
 * 128 slots of 2 KiB at an MTU of 1500): taking one costs no system call, and the socket is polled only when the
 * ring is empty. Where the kernel gives no ring (a sandbox without packet_mmap), each frame is one {@code recvfrom}.
 *
 * <p>Checksum offload is finished here, as a NIC would: a frame sent by this host's own stack (a server
 * on a veth pair, a bridge or a tap) reaches a packet socket with its UDP checksum not yet computed. The kernel
 * says so in the ring slot's status ({@code TP_STATUS_CSUMNOTREADY}; the checksum's place follows from the IPv4
 * header), or, with {@code recvfrom}, in a {@code virtio_net_hdr} before each frame ({@code PACKET_VNET_HDR}:
 * {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}, where the sum starts and where it goes), and {@link #receive}
 * finishes what the NIC would have: for a UDP datagram in an untagged IPv4 frame it writes 0, "no checksum"
 * (RFC 768), since such a frame never crossed a wire and a sum of its own bytes cannot disagree with them
 * (Linux's own stack does not verify such packets either); for anything else it computes the Internet checksum,
 * which the stack then verifies. Sent frames carry no offload request (an all-zero header where there is one).
 *
 * <p><b>Only this interface.</b> The socket is bound to the interface before the kernel queues it a single
 * frame ({@link PacketSocket}, which sets the socket up). {@link #receive} also checks each frame's
 * {@code sll_ifindex} and drops (and counts, {@link #droppedForeignFrames()}) any other interface's frame.
 *
 * <p>No protocol logic: it moves frames. It drops only what is ours: frames this socket or another on
 * the host sent (the kernel leaves them out with {@code PACKET_IGNORE_OUTGOING}, Linux 4.20 and later;
 * older kernels mark them {@code sll_pkttype == PACKET_OUTGOING}) and frames whose source MAC is the
 * interface's. Destination filtering is the stack's job (the socket sees every frame for the host, and
 * with a promiscuous interface, every frame on the segment).
 *
 * <p>Allocation-free per frame: one receive buffer, one transmit buffer (both on the heap: a frame is copied
 * out of its ring slot, or written in place by {@code recvfrom}, a critical downcall; a frame to send is copied
 * into a native buffer of its size, so {@code send} links with the other calls' shape, {@code Libc}), the ring and
 * the small native structs of the calls are allocated at {@link #open}.
 * {@link #receive} never blocks; {@link #awaitFrame} waits in {@code poll(2)}. Needs root or
 * {@code CAP_NET_RAW}; not thread-safe.
 *
 * @see <a href="https://man7.org/linux/man-pages/man7/packet.7.html">packet(7)</a>
 */
public final class RawSocketLink implements WaitableLink, AutoCloseable {
    private static final int MSG_DONTWAIT = 0x40, MSG_TRUNC = 0x20, PACKET_OUTGOING = 4;
    private static final int EINTR = 4, EAGAIN = 11, ENOBUFS = 105;
    private static final short POLLIN = 0x1, POLLERR = 0x8;
    private static final int SLL_SIZE = PacketSocket.SLL_SIZE, SLL_IFINDEX = PacketSocket.SLL_IFINDEX;
    private static final int SLL_PKTTYPE = PacketSocket.SLL_PKTTYPE;
    private static final int ETH_HEADER = EthernetFrame.HEADER_LEN;
    /** struct virtio_net_hdr (native byte order): flags(1) gso_type(1) hdr_len(2) gso_size(2) csum_start(2) csum_offset(2). */
    private static final int VNET_HDR = 10, VNET_FLAGS = 0, VNET_GSO_TYPE = 1, VNET_CSUM_START = 6, VNET_CSUM_OFFSET = 8;
    private static final int VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;

    private final PacketSocket socket;
    // The socket's, held here too for the per-frame calls.
    private final MemorySegment state;
    private final int fd;
    private final int index;
    private final MacAddress mac;
    private final RxRing ring; // null: the kernel gave none, frames come by recvfrom with a virtio_net_hdr
    private final MemorySegment txFrame; // what send() sends: the frame, after a zero virtio_net_hdr when recvfrom is used
    private final MemorySegment txNative; // txFrame's native copy, which send() reads (Libc: one downcall shape)
    private final MemorySegment rx;
    private final byte[] rxArray;
    private final ByteBuffer rxHeader;
    private final ByteBuffer rxBuf;
    private final ByteBuffer txBuf;
    private final MemorySegment from;
    private final ByteBuffer fromView;
    private final MemorySegment fromLen;
    private final ByteBuffer fromLenView;
    private final MemorySegment pollFd;
    private long droppedOwn;
    private long droppedForeign;
    private long droppedTooLong;

    /**
     * Opens a raw socket on the interface called {@code name}, reading its MAC address and MTU.
     *
     * @throws LinkException "no interface named X", "raw sockets need root or CAP_NET_RAW", "X is down", ...
     */
    public static RawSocketLink open(String name) {
        return open(name, true);
    }

    /** {@link #open(String)}; with {@code ring} false it receives by {@code recvfrom}, as where the kernel gives no ring. */
    static RawSocketLink open(String name, boolean ring) {
        PacketSocket socket = PacketSocket.open(name, ring);
        try {
            return new RawSocketLink(socket);
        } catch (RuntimeException | Error e) {
            socket.close();
            throw e;
        }
    }

    private RawSocketLink(PacketSocket socket) {
        this.socket = socket;
        this.state = socket.state;
        this.fd = socket.fd;
        this.index = socket.index;
        this.mac = socket.mac;
        this.ring = socket.ring;
        // A received frame may carry an 802.1Q tag the MTU does not count; longer ones are dropped.
        // On the heap (written in place by recvfrom, a critical downcall, Libc; sent from a native copy), so the stack
        // parses and builds frames in the same kind of buffer as on the emulator: one JIT profile for both.
        byte[] in = new byte[VNET_HDR + PacketSocket.FRAME_OVERHEAD + socket.mtu];
        rx = MemorySegment.ofArray(in);
        rxArray = in;
        rxHeader = ByteBuffer.wrap(in, 0, VNET_HDR).order(ByteOrder.nativeOrder());
        rxBuf = ByteBuffer.wrap(in).slice(VNET_HDR, in.length - VNET_HDR).order(ByteOrder.BIG_ENDIAN);
        byte[] out = new byte[VNET_HDR + ETH_HEADER + socket.mtu]; // the header stays all zero
        MemorySegment tx = MemorySegment.ofArray(out);
        txFrame = ring != null ? tx.asSlice(VNET_HDR) : tx;
        txNative = socket.arena.allocate(txFrame.byteSize());
        txBuf = ByteBuffer.wrap(out).slice(VNET_HDR, out.length - VNET_HDR).order(ByteOrder.BIG_ENDIAN);
        // recvfrom's struct sockaddr_ll and its length on the heap too, read as plain buffers (native byte order).
        byte[] sll = new byte[SLL_SIZE];
        from = MemorySegment.ofArray(sll);
        fromView = ByteBuffer.wrap(sll).order(ByteOrder.nativeOrder());
        byte[] sllLen = new byte[Integer.BYTES];
        fromLen = MemorySegment.ofArray(sllLen);
        fromLenView = ByteBuffer.wrap(sllLen).order(ByteOrder.nativeOrder());
        pollFd = socket.arena.allocate(8); // struct pollfd: int fd, short events, short revents (poll only writes revents)
        pollFd.set(JAVA_INT, 0, fd);
        pollFd.set(JAVA_SHORT, 4, POLLIN);
    }

    /**
     * Puts the interface in promiscuous mode for this socket's lifetime (PACKET_MR_PROMISC membership,
     * dropped by the kernel when the socket closes), so that frames to a board MAC other than the
     * interface's own reach the stack.
     *
     * @throws LinkException when the kernel refuses
     */
    public void receiveAllFrames() {
        socket.checkOpen();
        socket.receiveAllFrames();
    }

    /**
     * Has the interface pass frames to multicast address {@code group} up for this socket's lifetime (a
     * PACKET_MR_MULTICAST membership: the NIC's multicast filter gets the address; the kernel drops it when the
     * socket closes). Without it a NIC that filters multicast in hardware never delivers the group's frames.
     *
     * @throws LinkException when the kernel refuses
     */
    @Override
    public void joinMulticast(MacAddress group) {
        socket.checkOpen();
        socket.multicast(true, group);
    }

    @Override
    public void leaveMulticast(MacAddress group) {
        socket.checkOpen();
        socket.multicast(false, group);
    }

    /** Returns the interface's name. */
    public String name() {
        return socket.name;
    }

    /** Returns the interface's MAC address (the stack may use another one: see {@code NetStack}). */
    @Override
    public MacAddress macAddress() {
        return mac;
    }

    /**
     * Returns the interface's speed as the kernel reports it ({@code /sys/class/net/NAME/speed}, Mbit/s: the
     * negotiated speed of a NIC, 10000 for a veth), or 0 when it reports none (-1, unreadable, an interface
     * without a carrier).
     */
    @Override
    public long bitsPerSecond() {
        try {
            long mbit = Long.parseLong(Files.readString(Path.of("/sys/class/net", socket.name, "speed")).trim());
            return mbit > 0 ? mbit * 1_000_000L : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /**
     * {@inheritDoc} The receive ring's bytes (its slots), or without a ring the socket's {@code SO_RCVBUF} as read at
     * {@link #open}, 0 when the kernel did not say.
     */
    @Override
    public long receiveBufferBytes() {
        return socket.receiveBuffer;
    }

    /** Returns the interface's MTU as read at {@link #open}. */
    @Override
    public int mtu() {
        return socket.mtu;
    }

    /** Returns how many frames were dropped as our own transmissions echoed back. */
    public long droppedOwnFrames() {
        return droppedOwn;
    }

    /** Returns how many frames were dropped because another interface received them (none, if the kernel keeps its word). */
    public long droppedForeignFrames() {
        return droppedForeign;
    }

    /**
     * Returns how many received frames were dropped as unusable: longer than the MTU (plus a VLAN tag), a
     * segmentation-offload super-frame, or checksum-offload offsets outside the frame.
     */
    public long droppedTooLong() {
        return droppedTooLong;
    }

    @Override
    public boolean receive(long now, FrameHandler handler) {
        socket.checkOpen();
        return ring != null ? receiveFromRing(now, handler) : receiveFromSocket(now, handler);
    }

    /**
     * Takes the oldest frame of the ring: copied out of its slot into the receive buffer, the slot handed back
     * before the stack sees the frame. The same drops as {@link #receiveFromSocket}, in the same order.
     */
    private boolean receiveFromRing(long now, FrameHandler handler) {
        int slot;
        while ((slot = ring.filled()) >= 0) {
            int status = ring.status(slot);
            int length = ring.length(slot);
            int held = Math.min(ring.held(slot), rxBuf.capacity());
            boolean foreign = ring.interfaceIndex(slot) != index;
            boolean outgoing = ring.packetType(slot) == PACKET_OUTGOING;
            ring.copy(slot, rxArray, VNET_HDR, held);
            ring.release(slot);
            if (foreign) {
                droppedForeign++;
                continue;
            }
            if (outgoing || (held >= ETH_HEADER && MacAddress.readLong(rxBuf, 6) == mac.value())) {
                droppedOwn++;
                continue;
            }
            if (length > held) {
                droppedTooLong++; // longer than the MTU, or a segmentation-offload super-frame
                continue;
            }
            if ((status & RxRing.TP_STATUS_CSUMNOTREADY) != 0 && !NicChecksum.finishIpv4(rxBuf, length)) {
                droppedTooLong++;
                continue;
            }
            handler.onFrame(now, rxBuf, length);
            return true;
        }
        return false;
    }

    /** Takes one frame by {@code recvfrom}, behind the virtio_net_hdr the kernel writes before it. */
    private boolean receiveFromSocket(long now, FrameHandler handler) {
        while (true) {
            fromLenView.putInt(0, SLL_SIZE);
            long n;
            try {
                // MSG_TRUNC: the result is the frame's real length even when it did not fit.
                n = (long) Libc.Recvfrom.HANDLE.invokeExact(state, fd, rx, rx.byteSize(), MSG_DONTWAIT | MSG_TRUNC, from, fromLen);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n < 0) {
                int e = errno();
                if (e == EAGAIN || e == EINTR) {
                    return false;
                }
                throw failure("recvfrom", e);
            }
            if (fromView.getInt(SLL_IFINDEX) != index) {
                droppedForeign++; // another interface's frame: never the stack's business
                continue;
            }
            int length = (int) Math.min(Integer.MAX_VALUE, n - VNET_HDR);
            if ((fromView.get(SLL_PKTTYPE) & 0xFF) == PACKET_OUTGOING
                    || (length >= ETH_HEADER && MacAddress.readLong(rxBuf, 6) == mac.value())) {
                droppedOwn++;
                continue;
            }
            if (n > rx.byteSize() || n < VNET_HDR || rxHeader.get(VNET_GSO_TYPE) != 0) {
                droppedTooLong++; // longer than the MTU, or a segmentation-offload super-frame
                continue;
            }
            if ((rxHeader.get(VNET_FLAGS) & VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0 && !completeChecksum(length)) {
                droppedTooLong++;
                continue;
            }
            handler.onFrame(now, rxBuf, length);
            return true;
        }
    }

    /** Finishes the checksum the sender left to the NIC where the frame's virtio_net_hdr says ({@link NicChecksum}). */
    private boolean completeChecksum(int length) {
        int start = Short.toUnsignedInt(rxHeader.getShort(VNET_CSUM_START));
        return NicChecksum.finish(rxBuf, start, start + Short.toUnsignedInt(rxHeader.getShort(VNET_CSUM_OFFSET)), length);
    }

    /**
     * Sends one frame without blocking. A full socket buffer or device queue ({@code EAGAIN},
     * {@code ENOBUFS}) returns false after the filler ran; a capture around this link then shows a frame
     * that did not leave.
     *
     * @throws LinkException when the kernel refuses the frame for another reason (interface down, ...)
     */
    @Override
    public boolean transmit(long now, int length, FrameFiller filler) {
        socket.checkOpen();
        if (length < ETH_HEADER || length > txBuf.capacity()) {
            throw new IllegalArgumentException("frame of " + length + " bytes (expected: " + ETH_HEADER + ".." + txBuf.capacity()
                    + " on " + socket.name + ", MTU " + socket.mtu + ")");
        }
        filler.fill(txBuf, length);
        long bytes = txFrame.byteSize() - txBuf.capacity() + length;
        MemorySegment.copy(txFrame, 0, txNative, 0, bytes);
        long n = Libc.send(state, fd, txNative, bytes, MSG_DONTWAIT);
        if (n < 0) {
            int e = errno();
            if (e == EAGAIN || e == ENOBUFS || e == EINTR) {
                return false;
            }
            throw failure("send", e);
        }
        return true;
    }

    @Override
    public boolean awaitFrame(long timeoutNanos) {
        socket.checkOpen();
        if (ring != null && ring.filled() >= 0) {
            return true;
        }
        // poll(2) counts milliseconds: round up, so a deadline 0.3 ms away is not a busy loop.
        long ms = Math.ceilDiv(Math.max(0, timeoutNanos), 1_000_000L);
        int r = Libc.poll(state, pollFd, 1L, (int) Math.min(Integer.MAX_VALUE, ms));
        if (r < 0) {
            int e = errno();
            if (e == EINTR) {
                return false;
            }
            throw failure("poll", e);
        }
        if (r > 0 && (pollFd.get(JAVA_SHORT, 6) & POLLERR) != 0) {
            // The socket has an error (the interface went down: ENETDOWN). recvfrom would report it; the ring does
            // not, and poll says so at once every time: take it (SO_ERROR clears it) and report it, not a busy loop.
            int e = socket.takeError();
            if (e != 0) {
                throw failure("poll", e);
            }
        }
        return r > 0;
    }

    /** Closes the socket and frees the buffers; the link is unusable afterwards (LinkException). Idempotent. */
    @Override
    public void close() {
        socket.close();
    }

    private int errno() {
        return socket.errno();
    }

    private LinkException failure(String call, int errno) {
        return socket.failure(call, errno);
    }

    private static RuntimeException rethrow(Throwable t) {
        return Libc.rethrow(t);
    }
}
