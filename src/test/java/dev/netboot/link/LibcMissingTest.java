package dev.netboot.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * {@code boot --interface} and {@code serve} on a system without Linux's libc: {@link Libc}'s initialiser links every
 * call it needs, and fails there (a function its lookup cannot find, or no FFM linker for the platform at all). That
 * failure is a {@link LinkException}, one line, which the CLI turns into exit 2 (README, "CLI contract"), where an
 * {@code ExceptionInInitializerError} with its stack trace used to escape. This machine has Linux's libc, so stand-ins
 * whose initialisers fail as {@link Libc}'s would take its place; the JVM's own class initialisation does the rest.
 */
class LibcMissingTest {
    /** As {@link Libc}'s initialiser fails where libc has no {@code socket()}. */
    static final class NoSocket {
        static final Object HANDLE = missing(new LinkException("raw sockets need Linux: libc has no socket()"));

        static void link() {
        }
    }

    /** As {@code Linker.nativeLinker()} fails where the JDK has no linker for the platform. */
    static final class NoLinker {
        static final Object LINKER = missing(new UnsupportedOperationException("Unsupported os or arch"));

        static void link() {
        }
    }

    static Object missing(RuntimeException e) {
        throw e;
    }

    @Test
    void aLibcWithoutTheCallsIsOneLineNotAStackTraceEachTimeTheInterfaceIsOpened() {
        LinkException first = assertThrows(LinkException.class, () -> PacketSocket.open("eth0", true, NoSocket::link));
        assertEquals("raw sockets need Linux: libc has no socket()", first.getMessage());
        // A second open finds the class failed before (NoClassDefFoundError): still one line.
        LinkException again = assertThrows(LinkException.class, () -> PacketSocket.open("eth0", true, NoSocket::link));
        assertEquals("raw sockets need Linux: libc's calls cannot be linked here (Could not initialize class "
                + NoSocket.class.getName() + ")", again.getMessage());
    }

    @Test
    void aPlatformWithoutAnFfmLinkerIsOneLine() {
        LinkException e = assertThrows(LinkException.class, () -> PacketSocket.open("eth0", false, NoLinker::link));
        assertEquals("raw sockets need Linux: libc's calls cannot be linked here"
                + " (java.lang.UnsupportedOperationException: Unsupported os or arch)", e.getMessage());
    }
}
