package dev.netboot.flash;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Streams an image into one partition as its blocks arrive, in bounded RAM.
 *
 * <p>Call {@link #begin(long)}, then {@link #write(ByteBuffer, int, int)} once per received block,
 * then {@link #finish()}. By default the writer holds one page of image bytes (2 KiB on NAND:
 * whole pages are buffered, so four 512-byte TFTP blocks make one page program); when the page is full
 * it programs the page into an erased unit and reads it back into a second page buffer to compare.
 * <b>Erase ahead</b>: with a known size, {@code begin} erases the image's first unit before any data
 * arrives, and the first page of unit k erases unit k + 1 (if the image reaches it) right after it is
 * programmed, so on a timed chip an erase runs while the next unit's data is still on the network and
 * the last unit is ready when its bytes come. With an unknown size the unit is erased when its first
 * page is full, so a short image erases only what it needs either way.
 *
 * <p><b>Verify</b> ({@link ReadBack}). Each page is read back right after it is programmed and compared
 * byte for byte. Each erase unit is read back again once all its pages are programmed, into a SHA-256 and a
 * CRC-32C of what flash holds; {@code finish()} programs the last partial page (only the image bytes; the
 * rest of that page stays erased), reads back the last unit, and compares that CRC-32C with the CRC-32C of
 * the bytes received. The SHA-256 of the image is thus the one of what flash holds.
 *
 * <p>Nothing outside the partition is ever erased or programmed: an image that would overflow
 * the partition fails with {@link FlashException.Kind#IMAGE_TOO_LARGE} before any of its
 * offending bytes is written, and a known size that cannot fit fails in {@code begin} before
 * flash is touched. Erase units of the partition beyond the image's end are left as they were.
 *
 * <p><b>Skipping unchanged units</b> ({@link Options#skipUnchanged()}, U-Boot's {@code sf update}):
 * the writer buffers a whole erase unit instead of a page, reads the unit already on flash page by
 * page and compares; a unit whose bytes already match is neither erased nor programmed
 * ({@link #skippedSectors()}), otherwise it is erased and programmed ({@link #erasedSectors()}).
 * This costs one erase unit of RAM instead of one page ({@link #ramBytes()}): 4 KiB on NOR,
 * 128 KiB on NAND. In that mode the last unit's bytes past the image end keep whatever they held
 * if the unit is skipped, and are erased otherwise.
 *
 * <p><b>Bad blocks</b>: erase units for which {@link Flash#isBad(int)} is true are skipped, so
 * the image's logical unit k lands on the partition's k-th good unit (NOR has none). An erase that
 * fails with {@link FlashException.Kind#ERASE_FAILED} (the chip marked the block bad) moves on to
 * the next good unit. A partition must therefore reserve spare blocks: on SLC NAND about 2% are
 * bad from the factory and more grow with use, so an image needs {@code size + spare} of
 * partition. The capacity is the partition's good units when {@link #begin} runs; running out
 * later fails with {@code IMAGE_TOO_LARGE}. A {@code PROGRAM_FAILED} fails the writer: the pages
 * already written to that block are no longer in RAM, so the caller restarts the download (the
 * block is now bad and the retry maps around it). The final SHA-256 verify walks the same good
 * units, so it stays correct with skipped and bad units.
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

    /**
     * How a writer works.
     *
     * @param skipUnchanged buffer a whole erase unit and skip units whose content already matches
     */
    public record Options(boolean skipUnchanged) {
        /** Page buffering, erase ahead, no comparison: the least RAM. */
        public static final Options DEFAULTS = new Options(false);
        /** Whole-unit buffering that skips units already holding the image's bytes. */
        public static final Options SKIP_UNCHANGED = new Options(true);
    }

    private final Flash flash;
    private final Partition partition;
    private final String where;  // how error lines name what is written: the partition, or a slot and its partition
    private final Options options;
    private final int pageSize;
    private final int eraseUnit;
    // The buffers are the writer's only RAM for data: one filling (a page, or a unit when skipping
    // unchanged units), one page for read-back (the ReadBack's).
    private final byte[] buffer;
    private final ReadBack readBack;

    private State state = new State.Idle();
    private int fill;            // bytes buffered in buffer[]
    private long written;        // image bytes accepted, buffered or programmed
    private long programmedEnd;  // logical (image-relative) end of bytes on flash
    private long capacity;       // bytes of good units in the partition at begin
    private long unitAt = -1;    // physical offset of the unit holding logical unit programmedEnd / eraseUnit, -1 if not chosen
    private long aheadAt = -1;   // physical offset of a unit erased ahead for the next logical unit, -1 if none
    private long expectedSize = -1;
    private long nextUnit;       // physical offset of the next partition unit to consider
    private long erasedSectors, skippedSectors, badSectorsSkipped;

    /**
     * Prepares a writer for {@code partition} of {@code flash} with {@link Options#DEFAULTS}.
     *
     * @throws IllegalArgumentException if the partition is not inside flash on erase-unit boundaries
     */
    public FlashWriter(Flash flash, Partition partition) {
        this(flash, partition, Options.DEFAULTS);
    }

    /**
     * Prepares a writer for {@code partition} of {@code flash}, allocating its buffers.
     *
     * @throws IllegalArgumentException if the partition is not inside flash on erase-unit boundaries
     */
    public FlashWriter(Flash flash, Partition partition, Options options) {
        this(flash, partition, options, null);
    }

    /**
     * Prepares a writer as {@link #FlashWriter(Flash, Partition, Options)} does, whose error lines name the partition
     * by its {@code role} first: {@code slot A (partition slot-a of 6291456 bytes at 0x100000)}.
     *
     * @param role what the partition is to the caller, e.g. "slot A"; null names the partition alone
     * @throws IllegalArgumentException if the partition is not inside flash on erase-unit boundaries
     */
    public FlashWriter(Flash flash, Partition partition, Options options, String role) {
        this.flash = Objects.requireNonNull(flash, "flash");
        this.partition = Objects.requireNonNull(partition, "partition");
        this.where = role == null ? partition.describe() : role + " (" + partition.describe() + ")";
        this.options = Objects.requireNonNull(options, "options");
        FlashGeometry g = flash.geometry();
        partition.checkFits(g);
        this.pageSize = g.pageSize();
        this.eraseUnit = g.eraseUnit();
        this.buffer = new byte[options.skipUnchanged() ? eraseUnit : pageSize];
        this.readBack = new ReadBack(flash, pageSize);
    }

    /**
     * Starts an image of {@code expectedSize} bytes, or of unknown size if negative.
     *
     * <p>The size is used only to refuse an image that cannot fit before flash is touched; the
     * partition's end is enforced on every write either way.
     *
     * @throws FlashException IMAGE_TOO_LARGE if the known size exceeds the partition's good
     *                        units; STATE if already begun
     */
    public void begin(long expectedSize) {
        if (!(state instanceof State.Idle)) {
            throw stateError("begin");
        }
        capacity = SlotReader.goodBytes(flash, partition);
        nextUnit = partition.offset();
        if (expectedSize > capacity) {
            throw fail(tooLarge("image of " + expectedSize + " bytes"));
        }
        this.expectedSize = expectedSize;
        state = new State.Writing(expectedSize);
        if (!options.skipUnchanged() && expectedSize > 0) {
            try {
                aheadAt = chooseAndErase(); // erase ahead: the first unit, before the first byte arrives
            } catch (FlashException e) {
                throw fail(e);
            }
        }
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
        if (len > capacity - written) {
            throw fail(tooLarge("image of at least " + (written + len) + " bytes"));
        }
        try {
            while (len > 0) {
                int n = Math.min(len, buffer.length - fill);
                src.get(off, buffer, fill, n);
                readBack.received(buffer, fill, n);
                fill += n;
                written += n;
                off += n;
                len -= n;
                if (fill == buffer.length) {
                    flush();
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
            if (fill > 0) {
                flush(); // only the image bytes: the last page's tail stays erased
            }
            state = new State.Finished(written, readBack.finish(unitAt, written, partition.offset()));
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

    /**
     * Returns the bytes of buffer RAM this writer holds: two pages, or one erase unit and one page
     * when skipping unchanged units.
     */
    public int ramBytes() {
        return buffer.length + readBack.ramBytes();
    }

    /** Returns the erase units this writer erased (NOR sectors, NAND blocks). */
    public long erasedSectors() {
        return erasedSectors;
    }

    /** Returns the erase units left alone because they already held the image's bytes. */
    public long skippedSectors() {
        return skippedSectors;
    }

    /** Returns the bad erase units passed over, found bad at the start or failing their erase. */
    public long badSectorsSkipped() {
        return badSectorsSkipped;
    }

    /** Writes the buffered bytes: one page (erase ahead) or one whole unit (compare first). */
    private void flush() {
        if (programmedEnd > 0 && programmedEnd % eraseUnit == 0) {
            readBack.unit(unitAt, eraseUnit); // the previous unit is complete: read it back into the final digest now
        }
        if (!options.skipUnchanged()) {
            // Page size divides the erase unit, so a page never straddles two units and the unit's
            // first page is the one that starts it.
            boolean unitStarts = programmedEnd % eraseUnit == 0;
            if (unitStarts) {
                unitAt = aheadAt >= 0 ? aheadAt : chooseAndErase();
                aheadAt = -1;
            }
            programAndVerify(unitAt + programmedEnd % eraseUnit, 0, fill);
            if (unitStarts && expectedSize > programmedEnd + eraseUnit) {
                aheadAt = chooseAndErase(); // erase ahead: the next unit, while this one's data arrives
            }
        } else {
            unitAt = choose();
            if (readBack.holds(unitAt, buffer, fill)) {
                skippedSectors++;
            } else {
                unitAt = erase(unitAt);
                for (int p = 0; p < fill; p += pageSize) {
                    programAndVerify(unitAt + p, p, Math.min(pageSize, fill - p));
                }
            }
        }
        programmedEnd += fill;
        fill = 0;
    }

    /** Picks the next good unit of the partition and returns its offset. */
    private long choose() {
        while (nextUnit < partition.end() && flash.isBad(unitIndex(nextUnit))) {
            badSectorsSkipped++;
            nextUnit += eraseUnit;
        }
        if (nextUnit >= partition.end()) {
            throw tooLarge("image of at least " + written + " bytes");
        }
        long at = nextUnit;
        nextUnit += eraseUnit;
        return at;
    }

    /** Picks the next good unit and erases it; returns its offset. */
    private long chooseAndErase() {
        return erase(choose());
    }

    /**
     * Erases the unit at {@code at} and returns its offset; a unit whose erase fails (now bad) is
     * replaced by the next good one, whose offset is returned instead.
     */
    private long erase(long at) {
        while (true) {
            try {
                flash.erase(at, eraseUnit);
                erasedSectors++;
                return at;
            } catch (FlashException e) {
                if (e.kind() != FlashException.Kind.ERASE_FAILED) {
                    throw e;
                }
                badSectorsSkipped++;
                capacity -= eraseUnit;
                at = choose();
            }
        }
    }

    /** Programs {@code buffer[from, from + len)} at flash {@code at} and reads it back. */
    private void programAndVerify(long at, int from, int len) {
        flash.program(at, buffer, from, len);
        readBack.page(at, buffer, from, len);
    }

    private int unitIndex(long offset) {
        return (int) (offset / eraseUnit);
    }

    /**
     * Returns the refusal of an image of {@code size} bytes larger than the partition's good units, worded as the writer's
     * own (with the bad blocks it counts), for a caller that refuses it before beginning (nothing changes here).
     */
    public FlashException refusal(long size) {
        return tooLarge("image of " + size + " bytes", SlotReader.goodBytes(flash, partition));
    }

    private FlashException tooLarge(String image) {
        return tooLarge(image, capacity);
    }

    private FlashException tooLarge(String image, long good) {
        long bad = partition.size() - good;
        return new FlashException(FlashException.Kind.IMAGE_TOO_LARGE, bad == 0
                ? image + " does not fit " + where
                : String.format("%s does not fit %s with %d bad blocks (%d good bytes; expected: spare blocks reserved)",
                        image, where, bad / eraseUnit, good));
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
}
