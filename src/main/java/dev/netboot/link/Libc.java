package dev.netboot.link;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The libc calls {@link RawSocketLink} makes, as FFM downcall handles (no JNI, no library beyond libc).
 * Calls that can fail capture {@code errno} into a segment of {@link #CALL_STATE}'s layout, passed first.
 * Downcalls are restricted methods: the launcher runs with {@code --enable-native-access=ALL-UNNAMED}.
 *
 * <p>All calls but {@code recvfrom} share one descriptor shape, {@link #WORDS}: six {@code long}
 * arguments and a {@code long} result, {@code errno} captured, variadic from the third argument (ioctl's). Linking
 * a downcall spins a stub and method-handle classes for its shape, which JDK 25's AOT cache does not keep: in a scratch
 * program the first link of a run cost about 50 ms here, each further shape about 5 ms more, a further handle of a
 * shape already linked 0.1-0.3 ms (issue 11; README, "Start-up"). The shape is sound on the two ABIs packet sockets run on, System V
 * x86-64 and AArch64 Linux: integer and pointer arguments go in 64-bit registers, in order, whatever their C type,
 * the callee ignores the upper bits of an {@code int} and the registers past its own arguments; an {@code int}
 * result is the low half of the register, truncated here; a variadic call only adds the count of vector registers
 * in {@code al} on x86-64, which a fixed-argument callee ignores. The typing the descriptors gave is kept by the
 * typed methods below, the only way in: each passes a native segment as its address ({@link #address}: a heap
 * segment throws) and narrows the result as its C type. A segment passed by address is not kept alive by the call
 * as an {@code ADDRESS} argument is: every one is the socket's own native memory, which only
 * {@link PacketSocket#close} frees, on the thread that makes the calls. {@code recvfrom}, linked only where the kernel
 * gives no receive ring, keeps a typed descriptor: its buffers are heap arrays, which only an {@code ADDRESS} of a
 * critical call can reach; {@code send} sends a native copy of the frame ({@link RawSocketLink#transmit}).
 */
@SuppressWarnings("restricted")
final class Libc {
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");
    /** long f(long, long, long, long, long, long): the one shape of every call but recvfrom (above). */
    private static final FunctionDescriptor WORDS = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final Linker.Option VARIADIC_FROM_3RD = Linker.Option.firstVariadicArg(2);

    private static final MethodHandle SOCKET = word("socket");
    private static final MethodHandle SETSOCKOPT = word("setsockopt");
    private static final MethodHandle BIND = word("bind");
    private static final MethodHandle MMAP = word("mmap");
    private static final MethodHandle SYSCONF = word("sysconf");
    private static final MethodHandle IF_NAMETOINDEX = word("if_nametoindex");
    private static final MethodHandle IOCTL = word("ioctl");
    private static final MethodHandle SEND = word("send");
    // recvfrom with MSG_DONTWAIT returns at once: a critical call (no thread state change, the GC waits for it), whose
    // buffers are heap arrays the kernel writes in place.
    private static final Linker.Option HEAP_OK = Linker.Option.critical(true);

    private Libc() {
    }

    /** Does nothing: its first call links the calls above, which fails on a system without Linux's libc. */
    static void link() {
    }

    // Linked at their first call, each in a class of its own: a board needs these only after its first frame (poll,
    // close, munmap), without a receive ring (recvfrom, getsockopt) or on an error (getsockopt, strerror) (issue 11).
    // recvfrom's own shape spins its classes then (milliseconds); the others cost a fraction of one.

    /** recvfrom(2), where the kernel gives no receive ring. */
    static final class Recvfrom {
        static final MethodHandle HANDLE = handle("recvfrom",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS), ERRNO_OPT, HEAP_OK);

        private Recvfrom() {
        }
    }

    /** getsockopt(2): {@code SO_RCVBUF} where there is no ring, {@code SO_ERROR} when a send or receive failed. */
    static final class Getsockopt {
        static final MethodHandle HANDLE = word("getsockopt");

        private Getsockopt() {
        }
    }

    /** poll(2). */
    static final class Poll {
        static final MethodHandle HANDLE = word("poll");

        private Poll() {
        }
    }

    /** close(2). */
    static final class Close {
        static final MethodHandle HANDLE = word("close");

        private Close() {
        }
    }

    /** munmap(2). */
    static final class Munmap {
        static final MethodHandle HANDLE = word("munmap");

        private Munmap() {
        }
    }

    /** strerror(3). */
    static final class Strerror {
        static final MethodHandle HANDLE = word("strerror");

        private Strerror() {
        }
    }

    // The typed calls. Each returns what libc returns (-1 on failure, errno in state), narrowed to its C type.

    /** {@code int socket(int domain, int type, int protocol)}. */
    static int socket(MemorySegment state, int domain, int type, int protocol) {
        return (int) call(SOCKET, state, domain, type, protocol, 0, 0, 0);
    }

    /** {@code int setsockopt(int fd, int level, int name, const void *value, socklen_t length)}. */
    static int setsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value, int length) {
        return (int) call(SETSOCKOPT, state, fd, level, name, address(value), length, 0);
    }

    /** {@code int getsockopt(int fd, int level, int name, void *value, socklen_t *length)}. */
    static int getsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value, MemorySegment length) {
        return (int) call(Getsockopt.HANDLE, state, fd, level, name, address(value), address(length), 0);
    }

    /** {@code ssize_t send(int fd, const void *buffer, size_t length, int flags)}. */
    static long send(MemorySegment state, int fd, MemorySegment buffer, long length, int flags) {
        return call(SEND, state, fd, address(buffer), length, flags, 0, 0);
    }

    /** {@code int bind(int fd, const struct sockaddr *address, socklen_t length)}. */
    static int bind(MemorySegment state, int fd, MemorySegment sockaddr, int length) {
        return (int) call(BIND, state, fd, address(sockaddr), length, 0, 0, 0);
    }

    /** {@code int ioctl(int fd, unsigned long request, ...)} with one pointer argument (a struct ifreq). */
    static int ioctl(MemorySegment state, int fd, long request, MemorySegment arg) {
        return (int) call(IOCTL, state, fd, request, address(arg), 0, 0, 0);
    }

    /** {@code unsigned int if_nametoindex(const char *name)}: 0 when there is no such interface. */
    static int ifNametoindex(MemorySegment state, MemorySegment name) {
        return (int) call(IF_NAMETOINDEX, state, address(name), 0, 0, 0, 0, 0);
    }

    /** {@code long sysconf(int name)}. */
    static long sysconf(MemorySegment state, int name) {
        return call(SYSCONF, state, name, 0, 0, 0, 0, 0);
    }

    /**
     * {@code void *mmap(NULL, size_t length, int prot, int flags, int fd, off_t offset)}: the mapping, or null when it
     * failed ({@code MAP_FAILED}).
     */
    static MemorySegment mmap(MemorySegment state, long length, int prot, int flags, int fd, long offset) {
        long at = call(MMAP, state, 0, length, prot, flags, fd, offset);
        return at == -1L ? null : MemorySegment.ofAddress(at).reinterpret(length);
    }

    /** {@code int munmap(void *address, size_t length)} of all of {@code mapping}. */
    static int munmap(MemorySegment state, MemorySegment mapping) {
        return (int) call(Munmap.HANDLE, state, address(mapping), mapping.byteSize(), 0, 0, 0, 0);
    }

    /** {@code int poll(struct pollfd *fds, nfds_t count, int timeoutMillis)}. */
    static int poll(MemorySegment state, MemorySegment fds, long count, int timeoutMillis) {
        return (int) call(Poll.HANDLE, state, address(fds), count, timeoutMillis, 0, 0, 0);
    }

    /** {@code int close(int fd)}. */
    static int close(MemorySegment state, int fd) {
        return (int) call(Close.HANDLE, state, fd, 0, 0, 0, 0, 0);
    }

    /**
     * Calls {@code handle}, a downcall of the one shape ({@link #WORDS}), with its six words (ints widened, sign and
     * all, unused ones 0); returns its result word. Each typed method above passes a static final handle, so once this
     * is inlined into it the JIT sees a constant handle, as with {@code invokeExact} written there.
     */
    private static long call(MethodHandle handle, MemorySegment state, long a, long b, long c, long d, long e, long f) {
        try {
            return (long) handle.invokeExact(state, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Returns the address of native {@code segment} (a heap segment has none: its address() is an offset). */
    private static long address(MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("a heap segment passed to libc by address");
        }
        return segment.address();
    }

    private static MethodHandle word(String function) {
        return handle(function, WORDS, ERRNO_OPT, VARIADIC_FROM_3RD);
    }

    private static MethodHandle handle(String function, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment address = LINKER.defaultLookup().find(function)
                .orElseThrow(() -> new LinkException("raw sockets need Linux: libc has no " + function + "()"));
        return LINKER.downcallHandle(address, descriptor, options);
    }

    /** Returns the {@code errno} the last call captured into {@code state}. */
    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** Returns libc's text for {@code errno}, e.g. "Network is down" ({@code state} is written over). */
    static String strerror(MemorySegment state, int errno) {
        try {
            long text = (long) Strerror.HANDLE.invokeExact(state, (long) errno, 0L, 0L, 0L, 0L, 0L);
            return MemorySegment.ofAddress(text).reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "error " + errno;
        }
    }

    /** Returns {@code v} in network byte order, as the native short the kernel reads. */
    static short htons(int v) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? (short) v : Short.reverseBytes((short) v);
    }

    /** Rethrows what a downcall threw: unchecked as it is, anything else as a {@link LinkException}. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new LinkException("native call failed: " + t);
    }
}
