package dev.netboot.link;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes Ethernet frames to a libpcap capture file that Wireshark and tshark read.
 *
 * <p>The format, all fields little-endian here (readers detect the byte order from the magic):
 * <pre>
 *  global header (24 bytes)
 *   magic_number  (4)  0xa1b23c4d: timestamps are seconds + NANOseconds
 *   version_major (2)  2
 *   version_minor (2)  4
 *   thiszone      (4)  0 (GMT)
 *   sigfigs       (4)  0
 *   snaplen       (4)  65535
 *   network       (4)  1 (LINKTYPE_ETHERNET)
 *  record header (16 bytes), then incl_len bytes of frame
 *   ts_sec        (4)  seconds
 *   ts_nsec       (4)  nanoseconds within the second
 *   incl_len      (4)  bytes saved (at most snaplen)
 *   orig_len      (4)  bytes on the wire
 * </pre>
 *
 * @see <a href="https://wiki.wireshark.org/Development/LibpcapFileFormat">libpcap file format</a>
 */
public final class PcapWriter implements Closeable, Flushable {
    /** Magic number of a capture with nanosecond timestamps. */
    public static final int MAGIC_NANOS = 0xa1b23c4d;
    /** Major version of the format. */
    public static final int VERSION_MAJOR = 2;
    /** Minor version of the format. */
    public static final int VERSION_MINOR = 4;
    /** Longest frame part saved per record. */
    public static final int SNAPLEN = 65535;
    /** Link type of Ethernet frames. */
    public static final int LINKTYPE_ETHERNET = 1;
    /** Length of the global header. */
    public static final int GLOBAL_HEADER_LEN = 24;
    /** Length of a record header. */
    public static final int RECORD_HEADER_LEN = 16;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final OutputStream out;
    private final ByteBuffer header = ByteBuffer.allocate(GLOBAL_HEADER_LEN).order(ByteOrder.LITTLE_ENDIAN);
    private final byte[] scratch = new byte[SNAPLEN];
    private long records;

    /**
     * Starts a capture on {@code out} by writing the global header. The stream is buffered here
     * and closed by {@link #close()}.
     *
     * @throws UncheckedIOException when the header cannot be written
     */
    public PcapWriter(OutputStream out) {
        this.out = new BufferedOutputStream(out);
        header.putInt(0, MAGIC_NANOS)
                .putShort(4, (short) VERSION_MAJOR)
                .putShort(6, (short) VERSION_MINOR)
                .putInt(8, 0)
                .putInt(12, 0)
                .putInt(16, SNAPLEN)
                .putInt(20, LINKTYPE_ETHERNET);
        writeOut(header.array(), GLOBAL_HEADER_LEN);
    }

    /**
     * Creates (or truncates) {@code file}, creating its parent folders, and starts a capture in it.
     *
     * @throws UncheckedIOException when the file cannot be created
     */
    public static PcapWriter create(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            return new PcapWriter(Files.newOutputStream(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create capture file " + file, e);
        }
    }

    /**
     * Appends one frame: bytes {@code [off, off+len)} of {@code frame} (absolute; position and limit
     * are not moved) seen at {@code timeNanos}. Frames longer than {@link #SNAPLEN} are cut.
     *
     * @throws IllegalArgumentException when the time is negative or the range lies outside the buffer
     * @throws UncheckedIOException     when the stream fails
     */
    public void write(long timeNanos, ByteBuffer frame, int off, int len) {
        if (timeNanos < 0) {
            throw new IllegalArgumentException("capture time " + timeNanos + " ns (expected: >= 0)");
        }
        if (off < 0 || len < 0 || len > frame.capacity() - off) {
            throw new IllegalArgumentException("frame range [" + off + ", +" + len + ") outside a buffer of " + frame.capacity());
        }
        long seconds = timeNanos / NANOS_PER_SECOND;
        if (seconds > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("capture time " + timeNanos + " ns does not fit 32-bit seconds");
        }
        int incl = Math.min(len, SNAPLEN);
        header.putInt(0, (int) seconds)
                .putInt(4, (int) (timeNanos % NANOS_PER_SECOND))
                .putInt(8, incl)
                .putInt(12, len);
        writeOut(header.array(), RECORD_HEADER_LEN);
        frame.get(off, scratch, 0, incl);
        writeOut(scratch, incl);
        records++;
    }

    /** Appends one frame held in an array; see {@link #write(long, ByteBuffer, int, int)}. */
    public void write(long timeNanos, byte[] frame) {
        write(timeNanos, ByteBuffer.wrap(frame), 0, frame.length);
    }

    /** Returns the number of records written. */
    public long records() {
        return records;
    }

    /** Pushes buffered bytes to the underlying stream. */
    @Override
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("pcap flush failed", e);
        }
    }

    /** Flushes and closes the underlying stream. */
    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("pcap close failed", e);
        }
    }

    private void writeOut(byte[] b, int len) {
        try {
            out.write(b, 0, len);
        } catch (IOException e) {
            throw new UncheckedIOException("pcap write failed", e);
        }
    }
}
