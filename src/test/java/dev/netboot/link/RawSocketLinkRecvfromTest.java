package dev.netboot.link;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Every test of {@link RawSocketLinkTest} again on a link that receives by {@code recvfrom}, as where the kernel gives
 * no receive ring (a sandbox without packet_mmap): the same frames, drops, checksum completion and waits. What it
 * queues is the socket's receive buffer, Linux's {@code net.core.rmem_default}, charged per frame by the kernel's
 * accounting, so a burst that nobody takes keeps a head of the kernel's choosing.
 */
class RawSocketLinkRecvfromTest extends RawSocketLinkTest {
    @Override
    RawSocketLink open(String name) {
        return RawSocketLink.open(name, false);
    }

    @Override
    long expectedReceiveBuffer() {
        try {
            return Long.parseLong(Files.readAllLines(Path.of("/proc/sys/net/core/rmem_default")).getFirst().trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    int framesHeldUnread() {
        return -1;
    }
}
