package dev.netboot.tftp;

import java.nio.ByteBuffer;

/**
 * Where a download goes, block by block, as lwIP's TFTP write callback: the client never sees flash
 * geometry. Implementations throw {@link TftpSinkException} to stop the transfer; the client then
 * sends the exception's TFTP error code to the server.
 */
public interface TftpSink {
    /**
     * Called once before the first byte: {@code expectedSize} is the server's tsize (RFC 2349) or -1.
     * Throwing here refuses the file before anything is written.
     */
    void begin(long expectedSize);

    /** Takes bytes {@code [off, off+len)} of {@code buf}, the next part of the file; must not keep the buffer. */
    void write(ByteBuffer buf, int off, int len);
}
