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
 */
@SuppressWarnings("restricted")
final class Libc {
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

    static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPT);
    static final MethodHandle SETSOCKOPT = handle("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPT);
    static final MethodHandle BIND = handle("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPT);
    // send and recvfrom with MSG_DONTWAIT return at once: critical calls (no thread state change, the GC waits
    // for them), whose buffer may be a heap array the kernel reads or writes in place.
    private static final Linker.Option HEAP_OK = Linker.Option.critical(true);
    static final MethodHandle SEND = handle("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
            ERRNO_OPT, HEAP_OK);
    // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
    static final MethodHandle MMAP = handle("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO_OPT);
    static final MethodHandle SYSCONF = handle("sysconf", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    static final MethodHandle IF_NAMETOINDEX = handle("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS), ERRNO_OPT);
    // int ioctl(int fd, unsigned long request, ...): the struct ifreq pointer is the first variadic argument.
    static final MethodHandle IOCTL = handle("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            ERRNO_OPT, Linker.Option.firstVariadicArg(2));

    private Libc() {
    }

    // Linked at their first call, each in a class of its own: linking a downcall spins its stub and method-handle
    // classes, which the AOT cache does not keep (milliseconds each at start), and a board needs these only after its
    // first frame (poll, close, munmap), without a receive ring (recvfrom, getsockopt) or on an error (getsockopt,
    // strerror) (issue 11).

    /** recvfrom(2), where the kernel gives no receive ring. */
    static final class Recvfrom {
        static final MethodHandle HANDLE = handle("recvfrom",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS), ERRNO_OPT, HEAP_OK);

        private Recvfrom() {
        }
    }

    /** getsockopt(2): {@code SO_RCVBUF} where there is no ring, {@code SO_ERROR} when a send or receive failed. */
    static final class Getsockopt {
        static final MethodHandle HANDLE = handle("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), ERRNO_OPT);

        private Getsockopt() {
        }
    }

    /** poll(2). */
    static final class Poll {
        static final MethodHandle HANDLE = handle("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_OPT);

        private Poll() {
        }
    }

    /** close(2). */
    static final class Close {
        static final MethodHandle HANDLE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

        private Close() {
        }
    }

    /** munmap(2): {@code int munmap(void *addr, size_t length)}. */
    static final class Munmap {
        static final MethodHandle HANDLE = handle("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

        private Munmap() {
        }
    }

    /** strerror(3). */
    static final class Strerror {
        static final MethodHandle HANDLE = handle("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

        private Strerror() {
        }
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

    /** Returns libc's text for {@code errno}, e.g. "Network is down". */
    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) Strerror.HANDLE.invokeExact(errno);
            return s.reinterpret(256).getString(0);
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
