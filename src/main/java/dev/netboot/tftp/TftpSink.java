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

    /**
     * Returns the earliest instant at which the sink can take {@code bytes} more without going over its
     * buffer, for example when a flash chip still busy with earlier data will have started enough of it.
     * The client holds the ACK that asks the server for the next {@code bytes} (a window, or one block in
     * lock-step) until then; an instant at or before {@code now} means "now". The default is always ready.
     * Must not allocate: it runs once per acknowledged window.
     */
    default long readyAt(long now, long bytes) {
        return now;
    }

    /**
     * Returns whether the sink has room for {@code bytes} more now. The client asks before it hands over each
     * block: a block the sink has no room for is not written past its buffer but dropped (the sender sends
     * it again), and the ACK that asks for it waits until {@link #readyAt} says room has come. The default
     * always has room. Must not allocate: it runs once per block.
     */
    default boolean hasRoom(long now, int bytes) {
        return true;
    }
}
