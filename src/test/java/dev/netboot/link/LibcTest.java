package dev.netboot.link;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The typed calls over {@link Libc}'s one shared descriptor shape (every argument a {@code long}): results narrowed
 * as their C type, {@code errno} captured, pointers passed as the addresses of native segments, and a heap segment,
 * whose {@code address()} is an offset into its array, refused rather than passed as an address. The expected values
 * are the kernel's and glibc's (errno.h, close(2), if_nametoindex(3)), not what the calls happen to return.
 */
class LibcTest {
    private static final int EBADF = 9, ENODEV = 19, SOL_SOCKET = 1, SO_TYPE = 3, AF_PACKET = 17, SOCK_RAW = 3;

    @Test
    void aFailedIntCallReturnsMinusOneAndCapturesErrno() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CALL_STATE);
            // int -1 comes back in eax/w0; the register's upper half is not part of it.
            assertEquals(-1, Libc.close(state, -1));
            assertEquals(EBADF, Libc.errno(state));
            assertEquals("Bad file descriptor", Libc.strerror(state, EBADF));
        }
    }

    @Test
    void pointersGoByAddressAndUnsignedResultsComeBackWhole() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CALL_STATE);
            assertEquals(1, Libc.ifNametoindex(state, arena.allocateFrom("lo"))); // loopback is every namespace's first
            assertEquals(0, Libc.ifNametoindex(state, arena.allocateFrom("lwnosuch0")));
            assertEquals(ENODEV, Libc.errno(state));
        }
    }

    @Test
    void aSocketOptionIsReadThroughTwoPointers() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CALL_STATE);
            int fd = Libc.socket(state, AF_PACKET, SOCK_RAW, 0); // the tests run as root (HostNet)
            assertTrue(fd >= 0, "socket: errno " + Libc.errno(state));
            try {
                MemorySegment value = arena.allocate(JAVA_INT);
                MemorySegment length = arena.allocate(JAVA_INT);
                length.set(JAVA_INT, 0, 4);
                assertEquals(0, Libc.getsockopt(state, fd, SOL_SOCKET, SO_TYPE, value, length));
                assertEquals(SOCK_RAW, value.get(JAVA_INT, 0));
                assertEquals(4, length.get(JAVA_INT, 0));
            } finally {
                assertEquals(0, Libc.close(state, fd));
            }
        }
    }

    @Test
    void aHeapSegmentIsNotPassedByAddress() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CALL_STATE);
            MemorySegment heap = MemorySegment.ofArray(new byte[PacketSocket.SLL_SIZE]);
            assertThrows(IllegalArgumentException.class, () -> Libc.bind(state, -1, heap, PacketSocket.SLL_SIZE));
        }
    }
}
