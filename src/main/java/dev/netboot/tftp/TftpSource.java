package dev.netboot.tftp;

import java.nio.ByteBuffer;

/**
 * Where an upload (WRQ) comes from: random access by offset, since a window is sent again from the
 * block after the last acknowledged one (RFC 7440 section 4).
 */
public interface TftpSource {
    /** Returns the size in bytes, or -1 when unknown (then no {@code tsize} is sent and the end is the first short read). */
    long size();

    /**
     * Copies up to {@code len} bytes from file offset {@code offset} into {@code dst} at {@code off}
     * (absolute puts) and returns how many; fewer than {@code len} only at the end of the file.
     * Throwing {@link TftpSinkException} stops the upload with its error code.
     */
    int read(long offset, ByteBuffer dst, int off, int len);
}
