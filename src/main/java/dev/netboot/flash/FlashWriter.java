package dev.netboot.flash;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Streams an image into one partition as its blocks arrive, in bounded RAM.
 *
 * <p>Call {@link #begin(long)}, then {@link #write(ByteBuffer, int, int)} once per received block,
 * then {@link #finish()}. The writer holds exactly one page of image bytes; when the page is full
 * it erases the page's erase unit if this is the unit's first page ("erase ahead", so a short
 * image erases only what it needs), programs the page, and reads it back into a second page
 * buffer to compare. {@code finish()} programs the last partial page (only the image bytes; the
 * rest of that page stays erased) and re-reads the whole image to compare its SHA-256 with the
 * digest of the bytes received.
 *
 * <p>Nothing outside the partition is ever erased or programmed: an image that would overflow
 * the partition fails with {@link FlashException.Kind#IMAGE_TOO_LARGE} before any of its
 * offending bytes is written, and a known size that cannot fit fails in {@code begin} before
 * flash is touched. Erase units of the partition beyond the image's end are left as they were;
 * a later change may erase them or skip units whose content already matches.
 *
 * <p>A writer is used once. After a failure, {@link #abort()} or {@code finish()}, further
 * writes throw {@link FlashException.Kind#STATE}. Not thread-safe.
 */
public final class FlashWriter {
    /** The writer's life; each state carries only its own data. */
    private sealed interface State {
        record Idle() implements State {}

        record Writing(long expectedSize) implements State {}

        record Finished(long bytes, byte[] sha256) implements State {}

        record Aborted() implements State {}

        record Failed(FlashException cause) implements State {}
    }

    private final Flash flash;
    private final Partition partition;
    private final int pageSize;
    private final int eraseUnit;
    // The two page buffers are the writer's only RAM for data: one filling, one for read-back.
    private final byte[] page;
    private final byte[] readBack;
    private final MessageDigest received;
    private final MessageDigest reread;

    private State state = new State.Idle();
    private int pageFill;        // bytes of the current page buffered in page[]
    private long written;        // image bytes accepted, buffered or programmed
    private long programmedEnd;  // partition-relative end of programmed pages
    private long erasedEnd;      // partition-relative end of erase units erased by this writer

    /**
     * Prepares a writer for {@code partition} of {@code flash}, allocating its page buffers.
     *
     * @throws IllegalArgumentException if the partition is not inside flash on erase-unit boundaries
     */
    public FlashWriter(Flash flash, Partition partition) {
        this.flash = Objects.requireNonNull(flash, "flash");
        this.partition = Objects.requireNonNull(partition, "partition");
        FlashGeometry g = flash.geometry();
        partition.checkFits(g);
        this.pageSize = g.pageSize();
        this.eraseUnit = g.eraseUnit();
        this.page = new byte[pageSize];
        this.readBack = new byte[pageSize];
        this.received = sha256Digest();
        this.reread = sha256Digest();
    }

    /**
     * Starts an image of {@code expectedSize} bytes, or of unknown size if negative.
     *
     * <p>The size is used only to refuse an image that cannot fit before flash is touched; the
     * partition's end is enforced on every write either way.
     *
     * @throws FlashException IMAGE_TOO_LARGE if the known size exceeds the partition; STATE if
     *                        already begun
     */
    public void begin(long expectedSize) {
        if (!(state instanceof State.Idle)) {
            throw stateError("begin");
        }
        if (expectedSize > partition.size()) {
            throw fail(new FlashException(FlashException.Kind.IMAGE_TOO_LARGE, String.format(
                    "image of %d bytes does not fit partition %s of %d bytes at 0x%x",
                    expectedSize, partition.name(), partition.size(), partition.offset())));
        }
        state = new State.Writing(expectedSize);
    }

    /**
     * Appends bytes {@code [off, off + len)} of {@code src} to the image, reading with absolute
     * gets so the buffer's position and limit do not move.
     *
     * @throws FlashException IMAGE_TOO_LARGE if the image would pass the partition's end (none of
     *                        these bytes is then written); VERIFY_FAILED if a page reads back
     *                        different; STATE if not begun or already ended; any flash failure
     * @throws IndexOutOfBoundsException if the range is not inside {@code [0, src.limit())}
     */
    public void write(ByteBuffer src, int off, int len) {
        if (!(state instanceof State.Writing)) {
            throw stateError("write");
        }
        Objects.checkFromIndexSize(off, len, src.limit());
        if (len > partition.size() - written) {
            throw fail(new FlashException(FlashException.Kind.IMAGE_TOO_LARGE, String.format(
                    "image of at least %d bytes does not fit partition %s of %d bytes at 0x%x",
                    written + len, partition.name(), partition.size(), partition.offset())));
        }
        try {
            while (len > 0) {
                int n = Math.min(len, pageSize - pageFill);
                src.get(off, page, pageFill, n);
                received.update(page, pageFill, n);
                pageFill += n;
                written += n;
                off += n;
                len -= n;
                if (pageFill == pageSize) {
                    programPage(pageSize);
                }
            }
        } catch (FlashException e) {
            throw fail(e);
        }
    }

    /**
     * Programs the last partial page, verifies the whole image by its SHA-256 and returns its length.
     *
     * @throws FlashException VERIFY_FAILED if flash reads back different from what was received;
     *                        STATE if not begun or already ended; any flash failure
     */
    public long finish() {
        if (!(state instanceof State.Writing)) {
            throw stateError("finish");
        }
        try {
            if (pageFill > 0) {
                programPage(pageFill); // only the image bytes: the page's tail stays erased
            }
            byte[] expected = received.digest();
            for (long at = 0; at < written; at += pageSize) {
                int n = (int) Math.min(pageSize, written - at);
                flash.read(partition.offset() + at, readBack, 0, n);
                reread.update(readBack, 0, n);
            }
            byte[] actual = reread.digest();
            if (!MessageDigest.isEqual(expected, actual)) {
                HexFormat hex = HexFormat.of();
                throw new FlashException(FlashException.Kind.VERIFY_FAILED, String.format(
                        "image of %d bytes at 0x%x reads back with SHA-256 %s (expected: %s as received)",
                        written, partition.offset(), hex.formatHex(actual), hex.formatHex(expected)));
            }
            state = new State.Finished(written, expected);
            return written;
        } catch (FlashException e) {
            throw fail(e);
        }
    }

    /** Stops the image; nothing more is written. Does nothing once finished, failed or aborted. */
    public void abort() {
        if (state instanceof State.Idle || state instanceof State.Writing) {
            state = new State.Aborted();
        }
    }

    /**
     * Returns the SHA-256 of the image as verified on flash.
     *
     * @throws FlashException STATE unless {@link #finish()} succeeded
     */
    public byte[] sha256() {
        if (state instanceof State.Finished(_, byte[] sha)) {
            return sha.clone();
        }
        throw stateError("sha256");
    }

    /** Returns the image bytes accepted so far; the last partial page stays in RAM until finish. */
    public long bytesWritten() {
        return written;
    }

    /** Returns the flash offset where the image starts, the partition's offset. */
    public long offset() {
        return partition.offset();
    }

    /** Returns the bytes of buffer RAM this writer holds: two pages. */
    public int ramBytes() {
        return page.length + readBack.length;
    }

    /** Erases ahead if needed, programs {@code len} bytes of the page buffer and reads them back. */
    private void programPage(int len) {
        // Page size divides the erase unit, so a page never straddles two units and the unit's
        // first page is the one that starts it.
        if (programmedEnd == erasedEnd) {
            flash.erase(partition.offset() + erasedEnd, eraseUnit);
            erasedEnd += eraseUnit;
        }
        long at = partition.offset() + programmedEnd;
        flash.program(at, page, 0, len);
        flash.read(at, readBack, 0, len);
        int bad = Arrays.mismatch(page, 0, len, readBack, 0, len);
        if (bad >= 0) {
            throw new FlashException(FlashException.Kind.VERIFY_FAILED, String.format(
                    "verify at 0x%x: read 0x%02x (expected: 0x%02x as programmed)",
                    at + bad, readBack[bad] & 0xFF, page[bad] & 0xFF));
        }
        programmedEnd += len;
        pageFill = 0;
    }

    private FlashException fail(FlashException e) {
        state = new State.Failed(e);
        return e;
    }

    private FlashException stateError(String call) {
        String now = switch (state) {
            case State.Idle _ -> "not begun";
            case State.Writing _ -> "writing";
            case State.Finished f -> "finished after " + f.bytes() + " bytes";
            case State.Aborted _ -> "aborted";
            case State.Failed f -> "failed: " + f.cause().getMessage();
        };
        String expected = switch (call) {
            case "begin" -> "not begun";
            case "sha256" -> "finished";
            default -> "writing, after begin and before finish";
        };
        return new FlashException(FlashException.Kind.STATE, "flash writer for partition " + partition.name()
                + ": " + call + " while " + now + " (expected: " + expected + ")");
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform is required to provide SHA-256.
            throw new IllegalStateException("SHA-256 missing from this JDK", e);
        }
    }
}
