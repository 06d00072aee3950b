package dev.netboot.device;

import dev.netboot.flash.FlashException;
import dev.netboot.flash.FlashWriter;
import dev.netboot.tftp.TftpSink;
import dev.netboot.tftp.TftpSinkException;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;

/**
 * Streams a TFTP download into a {@link FlashWriter}. A refusal by the writer (image larger than the
 * partition) becomes TFTP ERROR 3 "disk full or allocation exceeded"; any other flash error ERROR 0
 * with the reason.
 */
final class FlashSink implements TftpSink {
    private final FlashWriter writer;
    private final BootObserver observer;
    private long now;
    private long expected = -1;
    private FlashException failure;

    FlashSink(FlashWriter writer, BootObserver observer) {
        this.writer = writer;
        this.observer = observer;
    }

    /** Sets the time reported with progress. */
    void at(long now) {
        this.now = now;
    }

    /** Returns the flash error that stopped the transfer, if one did. */
    FlashException failure() {
        return failure;
    }

    @Override
    public void begin(long expectedSize) {
        expected = expectedSize;
        try {
            writer.begin(expectedSize);
        } catch (FlashException e) {
            throw refuse(e);
        }
    }

    @Override
    public void write(ByteBuffer buf, int off, int len) {
        try {
            writer.write(buf, off, len);
        } catch (FlashException e) {
            throw refuse(e);
        }
        observer.progress(now, writer.bytesWritten(), expected);
    }

    private TftpSinkException refuse(FlashException e) {
        failure = e;
        int code = e.kind() == FlashException.Kind.IMAGE_TOO_LARGE ? TftpWire.ERR_DISK_FULL : TftpWire.ERR_NOT_DEFINED;
        return new TftpSinkException(code, e.getMessage(), e);
    }
}
