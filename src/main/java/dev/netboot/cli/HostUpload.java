package dev.netboot.cli;

import dev.netboot.tftp.TftpSinkException;
import dev.netboot.tftp.TftpSource;
import dev.netboot.wire.TftpWire;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What {@code netboot tftp put} sends: LOCAL read by offset, through a direct buffer (a window is read again when it
 * is resent, RFC 7440 section 4), as long as it was when the upload began.
 */
final class HostUpload implements TftpSource, AutoCloseable {
    private final Path file;
    private final FileChannel in;
    private final long size;
    private final ByteBuffer staging = ByteBuffer.allocateDirect(HostUdpTransport.MAX_DATAGRAM);

    /** Opens {@code file} for reading. */
    HostUpload(Path file) throws IOException {
        this.file = file;
        this.in = FileChannel.open(file, StandardOpenOption.READ);
        this.size = in.size();
    }

    @Override
    public long size() {
        return size;
    }

    /**
     * Reads the file as long as it was when opened (the size sent as tsize, whose end the last block says): a file that
     * grew meanwhile is sent without what came after, one that shrank fails the upload with ERROR 0. Before, the bytes
     * there were were sent: a grown file's last block came full, so the server waited for one more that never came
     * while the client said it was done, and a shrunk one ended early at a short block, exit 0 with the server holding
     * part of the file.
     */
    @Override
    public int read(long offset, ByteBuffer dst, int off, int len) {
        int want = (int) Math.max(0, Math.min(len, size - offset));
        staging.clear().limit(Math.min(want, staging.capacity()));
        try {
            while (staging.hasRemaining()) {
                int n = in.read(staging, offset + staging.position());
                if (n < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new TftpSinkException(TftpWire.ERR_NOT_DEFINED, "cannot read " + file + ": " + e.getMessage(),
                    "cannot read the file: " + e.getMessage(), e);
        }
        int n = staging.position();
        if (n < staging.limit()) {
            long now = offset + n; // at most: a read past the end reads nothing
            try {
                now = in.size();
            } catch (IOException e) {
                // said as read
            }
            throw new TftpSinkException(TftpWire.ERR_NOT_DEFINED, file + " shrank while it was sent: " + now
                    + " bytes now, " + size + " when the upload began", "the file shrank while it was sent: " + now
                    + " bytes now, " + size + " when the upload began", null);
        }
        dst.put(off, staging, 0, n);
        return n;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
