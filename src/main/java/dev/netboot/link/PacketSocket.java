package dev.netboot.link;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.MacAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The set-up half of {@link RawSocketLink}: an {@code AF_PACKET}/{@code SOCK_RAW} socket bound to one interface
 * (packet(7)), what the interface is (netdevice(7): its index, MAC address and MTU, up or not, Ethernet or not),
 * how frames will come (a receive ring, or {@code recvfrom} with a {@code virtio_net_hdr}), the memberships a
 * socket holds on the interface, and the errors the calls report. {@link RawSocketLink} moves the frames.
 *
 * <p>The socket is opened for no protocol at all, so the kernel queues nothing to it until {@code bind} names the
 * interface (with {@code ETH_P_ALL}): a packet socket opened for {@code ETH_P_ALL} hears every interface of the
 * host, loopback included, until it is bound, and what it queued meanwhile stays queued.
 */
final class PacketSocket {
    // <bits/socket.h>, <linux/if_ether.h>, <linux/if_packet.h>, <linux/sockios.h>, <linux/if.h>, <asm-generic/errno*.h>
    private static final int AF_PACKET = 17, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000, ETH_P_ALL = 0x0003;
    private static final long SIOCGIFFLAGS = 0x8913, SIOCGIFMTU = 0x8921, SIOCGIFHWADDR = 0x8927;
    private static final int IFF_UP = 0x1, ARPHRD_ETHER = 1, IFNAMSIZ = 16, IFREQ_SIZE = 40, IFR_DATA = 16;
    private static final int EPERM = 1, ENXIO = 6, EACCES = 13, ENODEV = 19, ENOPROTOOPT = 92;
    /** struct sockaddr_ll: family(2) protocol(2, big-endian) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8). */
    static final int SLL_SIZE = 20, SLL_IFINDEX = 4, SLL_PKTTYPE = 10;
    private static final int SLL_PROTOCOL = 2;
    private static final int SOL_PACKET = 263, PACKET_VNET_HDR = 15, PACKET_ADD_MEMBERSHIP = 1, PACKET_MR_PROMISC = 1;
    private static final int PACKET_DROP_MEMBERSHIP = 2, PACKET_MR_MULTICAST = 0;
    private static final int PACKET_IGNORE_OUTGOING = 23;
    private static final int SOL_SOCKET = 1, SO_ERROR = 4, SO_RCVBUF = 8;
    /** struct packet_mreq: ifindex(4) type(2) alen(2) address(8). */
    private static final int MREQ_SIZE = 16, MREQ_TYPE = 4;
    /** The longest frame the interface hands over beyond its MTU: the Ethernet header and one 802.1Q tag. */
    static final int FRAME_OVERHEAD = EthernetFrame.HEADER_LEN + 4;

    final String name;
    final Arena arena;
    /** Where the calls capture errno ({@link Libc#CALL_STATE}). */
    final MemorySegment state;
    final int fd;
    final int index;
    final MacAddress mac;
    final int mtu;
    /** The receive ring, or null: frames come by {@code recvfrom}, each behind a {@code virtio_net_hdr}. */
    final RxRing ring;
    /** Bytes of frames the kernel holds for us while we are busy: the ring's, or the socket's {@code SO_RCVBUF}. */
    final long receiveBuffer;
    private final MemorySegment intValue;
    private final MemorySegment intLength;
    private boolean closed;

    private PacketSocket(String name, Arena arena, boolean tryRing) {
        this.name = name;
        this.arena = arena;
        this.state = arena.allocate(Libc.CALL_STATE);
        this.intValue = arena.allocate(JAVA_INT);
        this.intLength = arena.allocate(JAVA_INT);
        MemorySegment cName = arena.allocateFrom(name);
        index = Libc.ifNametoindex(state, cName);
        // Protocol 0: nothing is queued to the socket before bind() names the interface (packet(7)).
        fd = Libc.socket(state, AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        if (index == 0) {
            LinkException e = failure("if_nametoindex", errno());
            if (fd >= 0) {
                closeFd();
            }
            throw e;
        }
        if (fd < 0) {
            throw failure("socket", errno());
        }
        RxRing rxRing = null;
        try {
            MemorySegment ifr = arena.allocate(IFREQ_SIZE);
            ifr.copyFrom(cName);
            ioctl(SIOCGIFFLAGS, ifr, "SIOCGIFFLAGS");
            if ((ifr.get(JAVA_SHORT, IFR_DATA) & IFF_UP) == 0) {
                throw new LinkException(name + " is down (bring it up: ip link set " + name + " up)");
            }
            ioctl(SIOCGIFHWADDR, ifr, "SIOCGIFHWADDR");
            // ifr_hwaddr is a struct sockaddr: sa_family (the ARPHRD_ type) then the address bytes.
            if (ifr.get(JAVA_SHORT, IFR_DATA) != ARPHRD_ETHER) {
                throw new LinkException(name + " is not an Ethernet interface (hardware type " + ifr.get(JAVA_SHORT, IFR_DATA) + ")");
            }
            mac = MacAddress.read(ifr.asByteBuffer(), IFR_DATA + 2);
            ioctl(SIOCGIFMTU, ifr, "SIOCGIFMTU");
            mtu = ifr.get(JAVA_INT, IFR_DATA);

            // The host's own transmissions on the interface are not queued to us at all (Linux 4.20+);
            // an older kernel says ENOPROTOOPT and the link drops them by their PACKET_OUTGOING type.
            if (setInt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1) < 0 && errno() != ENOPROTOOPT) {
                throw failure("setsockopt(PACKET_IGNORE_OUTGOING)", errno());
            }
            // Frames by a ring the kernel fills, or, where it gives none, one recvfrom each with a virtio_net_hdr
            // saying what checksum the sender left to the NIC (the ring says that in each slot's status).
            rxRing = tryRing ? RxRing.open(state, fd, FRAME_OVERHEAD + mtu, arena) : null;
            if (rxRing == null && setInt(SOL_PACKET, PACKET_VNET_HDR, 1) < 0) {
                throw failure("setsockopt(PACKET_VNET_HDR)", errno());
            }
            MemorySegment sll = arena.allocate(SLL_SIZE);
            sll.set(JAVA_SHORT, 0, (short) AF_PACKET);
            sll.set(JAVA_SHORT, SLL_PROTOCOL, Libc.htons(ETH_P_ALL));
            sll.set(JAVA_INT, SLL_IFINDEX, index);
            if (Libc.bind(state, fd, sll, SLL_SIZE) < 0) {
                throw failure("bind", errno());
            }
            // What the kernel queues for us while we are busy: the ring, or socket(7) SO_RCVBUF (net.core.rmem_default
            // unless set), asked only without a ring (getsockopt is then linked after the first frame, issue 11).
            receiveBuffer = rxRing != null ? rxRing.bytes() : Math.max(0, getInt(SOL_SOCKET, SO_RCVBUF));
        } catch (RuntimeException | Error e) {
            closeRingAndFd(rxRing);
            throw e;
        }
        ring = rxRing;
    }

    /**
     * Opens a packet socket on the interface called {@code name}; with {@code tryRing} false frames will come by
     * {@code recvfrom}, as where the kernel gives no ring.
     *
     * @throws LinkException "no interface named X", "raw sockets need root or CAP_NET_RAW", "X is down", ...
     */
    static PacketSocket open(String name, boolean tryRing) {
        return open(name, tryRing, Libc::link);
    }

    /** {@link #open(String, boolean)}, running {@code linkLibc} first: the first use of {@link Libc} links its calls. */
    static PacketSocket open(String name, boolean tryRing, Runnable linkLibc) {
        if (name.isEmpty() || name.length() >= IFNAMSIZ || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new LinkException(name.isEmpty() ? "no interface named '' (the name is empty)" : "no interface named " + name);
        }
        try {
            linkLibc.run();
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
            throw libcMissing(e);
        }
        Arena arena = Arena.ofShared();
        try {
            return new PacketSocket(name, arena, tryRing);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Returns the one line for libc's calls failing to link, where {@link Libc}'s initialiser threw (a system without
     * Linux's libc: a function missing, no FFM linker for the platform) or threw before ({@code NoClassDefFoundError}):
     * README's "CLI contract" makes that exit 2, the interface cannot be opened, not a stack trace.
     */
    static LinkException libcMissing(LinkageError e) {
        Throwable cause = e instanceof ExceptionInInitializerError ? e.getCause() : null;
        if (cause instanceof LinkException l) {
            return l;
        }
        return new LinkException("raw sockets need Linux: libc's calls cannot be linked here ("
                + (cause != null ? cause : e.getMessage()) + ")");
    }

    /** Puts the interface in promiscuous mode for the socket's lifetime (a PACKET_MR_PROMISC membership). */
    void receiveAllFrames() {
        MemorySegment mreq = arena.allocate(MREQ_SIZE);
        mreq.set(JAVA_INT, 0, index);
        mreq.set(JAVA_SHORT, MREQ_TYPE, (short) PACKET_MR_PROMISC);
        if (setsockopt(PACKET_ADD_MEMBERSHIP, mreq) < 0) {
            throw failure("setsockopt(PACKET_ADD_MEMBERSHIP, PACKET_MR_PROMISC)", errno());
        }
    }

    /** Adds ({@code join}) or drops the socket's PACKET_MR_MULTICAST membership of {@code group}. */
    void multicast(boolean join, MacAddress group) {
        MemorySegment mreq = arena.allocate(MREQ_SIZE);
        mreq.set(JAVA_INT, 0, index);
        mreq.set(JAVA_SHORT, MREQ_TYPE, (short) PACKET_MR_MULTICAST);
        mreq.set(JAVA_SHORT, MREQ_TYPE + 2, (short) MacAddress.LENGTH);
        long v = group.value();
        for (int i = 0; i < MacAddress.LENGTH; i++) {
            mreq.set(JAVA_BYTE, MREQ_TYPE + 4 + i, (byte) (v >>> (40 - 8 * i)));
        }
        if (setsockopt(join ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP, mreq) < 0) {
            throw failure("setsockopt(" + (join ? "PACKET_ADD_MEMBERSHIP" : "PACKET_DROP_MEMBERSHIP") + ", PACKET_MR_MULTICAST "
                    + group + ")", errno());
        }
    }

    /** Returns and clears the socket's pending error ({@code SO_ERROR}: ENETDOWN when the interface went down), 0 when none. */
    int takeError() {
        int e = getInt(SOL_SOCKET, SO_ERROR);
        return e < 0 ? errno() : e;
    }

    /** Returns the {@code errno} the last call captured. */
    int errno() {
        return Libc.errno(state);
    }

    /** Returns the exception for {@code call} failing with {@code errno}: missing privilege and interface in words of their own. */
    LinkException failure(String call, int errno) {
        return new LinkException(switch (errno) {
            case EPERM, EACCES -> "raw sockets need root or CAP_NET_RAW (opening " + name + ")";
            case ENODEV, ENXIO -> "no interface named " + name;
            default -> name + ": " + call + " failed: " + Libc.strerror(state, errno) + " (errno " + errno + ")";
        });
    }

    /** Throws when closed: the ring is unmapped (a read of it would crash the JVM) and the descriptor may be reused. */
    void checkOpen() {
        if (closed) {
            throw new LinkException(name + ": the link is closed");
        }
    }

    /** Unmaps the ring, closes the socket and frees its memory. Idempotent. */
    void close() {
        if (!closed) {
            closed = true;
            try {
                closeRingAndFd(ring);
            } finally {
                arena.close();
            }
        }
    }

    private int setsockopt(int option, MemorySegment value) {
        return Libc.setsockopt(state, fd, SOL_PACKET, option, value, (int) value.byteSize());
    }

    private int setInt(int level, int option, int value) {
        intValue.set(JAVA_INT, 0, value);
        return Libc.setsockopt(state, fd, level, option, intValue, 4);
    }

    /** Returns the socket option's int value, or -1 when the call failed (errno says why). */
    private int getInt(int level, int option) {
        intLength.set(JAVA_INT, 0, 4);
        int r = Libc.getsockopt(state, fd, level, option, intValue, intLength);
        return r < 0 ? -1 : intValue.get(JAVA_INT, 0);
    }

    private void ioctl(long request, MemorySegment ifr, String what) {
        if (Libc.ioctl(state, fd, request, ifr) < 0) {
            throw failure(what, errno());
        }
    }

    private void closeRingAndFd(RxRing rxRing) {
        try {
            if (rxRing != null) {
                rxRing.close();
            }
        } finally {
            closeFd();
        }
    }

    private void closeFd() {
        int _ = Libc.close(state, fd);
    }
}
