package dev.netboot.device;

import dev.netboot.tftp.TftpSink;
import dev.netboot.tftp.TftpSinkException;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Holds a small file fetched beside the image ({@code FILE.sha256}, {@code FILE.sig}) in a fixed buffer of RAM: a file
 * announced (tsize) or arriving longer than the buffer is refused as soon as that is known, with TFTP ERROR 3 (disk
 * full) to the server, so a hostile server cannot make the board hold more than {@code limit} bytes.
 */
final class SidecarSink implements TftpSink {
    private final byte[] buf;
    private final String what;
    private final String expected;
    private int len;

    /**
     * @param limit    the most bytes the file may have
     * @param what     what it is, for messages: {@code "signature"}
     * @param expected what it should be, for messages: {@code "a raw Ed25519 signature"}
     */
    SidecarSink(int limit, String what, String expected) {
        this.buf = new byte[limit];
        this.what = what;
        this.expected = expected;
    }

    @Override
    public void begin(long expectedSize) {
        if (expectedSize > buf.length) {
            throw new TftpSinkException(TftpWire.ERR_DISK_FULL, what + " of " + expectedSize + " bytes (expected: at most "
                    + buf.length + ", " + expected + ")", null);
        }
    }

    @Override
    public void write(ByteBuffer b, int off, int n) {
        if (n > buf.length - len) {
            throw new TftpSinkException(TftpWire.ERR_DISK_FULL, what + " longer than " + buf.length + " bytes (expected: "
                    + expected + ")", null);
        }
        b.get(off, buf, len, n);
        len += n;
    }

    /** Returns the bytes received so far. */
    byte[] bytes() {
        return Arrays.copyOf(buf, len);
    }

    /** Returns the buffer, valid up to {@link #length}. */
    byte[] buffer() {
        return buf;
    }

    int length() {
        return len;
    }
}
