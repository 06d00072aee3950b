package dev.netboot.net;

import java.nio.ByteBuffer;

/** Writes a UDP payload into a frame buffer the link lends. Implemented by the protocol clients themselves so sending allocates nothing. */
@FunctionalInterface
public interface PayloadWriter {
    /** Writes exactly {@code len} bytes at {@code off} with absolute puts. */
    void writePayload(ByteBuffer buf, int off, int len);
}
