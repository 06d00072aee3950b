package dev.netboot.device;

import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashException;
import dev.netboot.flash.FlashWriter;
import dev.netboot.flash.Partition;
import dev.netboot.flash.SlotMetadata;
import dev.netboot.flash.SlotReader;
import dev.netboot.tftp.TftpSink;
import dev.netboot.tftp.TftpSinkException;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;
import java.security.PublicKey;

/**
 * One image update into the A/B slot the board does not boot now, in the only order that survives a
 * power cut at any point: pick a target that is neither the slot the board boots now nor the verified
 * fallback of a trial ({@link BootSlots#planUpdate}); refuse what cannot fit, or is implausibly small
 * (under {@code [boot] min-image-size}), before touching flash; mark the target slot empty in the
 * metadata ({@link BootSlots#prepare}); stream the image in ({@link FlashWriter}: erase ahead, program
 * pages, read back); check length and SHA-256 by reading back ({@link #finish}); check the signature when
 * the board requires one; then, and only then, {@link #commit} it as the active slot. Until the
 * commit the slot that booted before stays the one that boots, whatever happens.
 *
 * <p>It is the TFTP client's sink: a refusal becomes TFTP ERROR 3 "disk full or allocation exceeded"
 * for an image that does not fit, ERROR 0 with the reason for any other flash error.
 *
 * <p><b>Pacing.</b> On a timed flash ({@link Flash#busyUntil()}) an operation issued while the chip is
 * busy starts when it is ready; until a page program starts, its bytes are still in RAM. The update
 * counts those bytes against a RAM budget ({@link #bufferBytes()}) and answers {@link #readyAt} with the
 * instant the chip will have started enough of them for the next window to fit, so the TFTP client
 * holds its ACK until then: the network runs ahead of the flash by at most the budget, and the boot
 * takes about as long as the slower of the two instead of their sum. The budget is a hard limit:
 * {@link #hasRoom} says no to a block that would pass it, and the client drops that block.
 */
public final class SlotUpdate implements TftpSink {
    private final BootSlots slots;
    private final Flash flash;
    private final BootSlots.UpdatePlan plan;
    private final int target;
    private final FlashWriter writer;
    private final FlashBacklog backlog;
    private final BootObserver observer;
    private final long minImage;
    // With no announced size, the first bytes wait here until the image has shown it is at least minImage
    // long: a refused image then has touched neither the target slot nor the metadata.
    private final byte[] stage;
    private final ByteBuffer stageView;
    private int staged;
    private boolean started;
    private long now;
    private long expected = -1;
    private long length = -1;

    /**
     * Prepares an update of {@code slots} on {@code flash}: reads the metadata and the slots and picks the target (see below).
     *
     * @param options writer options (skip unchanged sectors costs one erase unit of RAM)
     */
    public SlotUpdate(BootSlots slots, Flash flash, FlashWriter.Options options, BootObserver observer) {
        this(slots, flash, options, Long.MAX_VALUE, BootLayout.DEFAULT_MIN_IMAGE_SIZE, observer);
    }

    /**
     * Prepares an update that keeps at most {@code bufferBytes} of received image bytes waiting for a
     * busy flash chip (see the class comment); {@code Long.MAX_VALUE} never holds the network back.
     * Reads the metadata and the slots' content to pick the target ({@link BootSlots#planUpdate}): never
     * the slot the board boots now, nor the verified fallback of a trial. Writes nothing.
     *
     * @throws IllegalArgumentException if {@code bufferBytes} is not positive
     * @throws FlashException NO_FREE_SLOT when no slot may be written (a trial and its fallback are both
     *                        kept), or any flash failure while reading the metadata and slots
     */
    public SlotUpdate(BootSlots slots, Flash flash, FlashWriter.Options options, long bufferBytes, BootObserver observer) {
        this(slots, flash, options, bufferBytes, BootLayout.DEFAULT_MIN_IMAGE_SIZE, observer);
    }

    /**
     * Prepares an update as above that refuses an image under {@code minImageSize} bytes before anything is
     * erased: in {@link #begin} when the size is announced; otherwise the first bytes wait in RAM (at most
     * {@code minImageSize}, and at most half of {@code bufferBytes}, counted in it) and flash is touched
     * only once that many have come, so an image that ends sooner is refused by {@link #finish} with the
     * target slot and the metadata as they were.
     *
     * @throws IllegalArgumentException if {@code bufferBytes} or {@code minImageSize} is not positive
     */
    public SlotUpdate(BootSlots slots, Flash flash, FlashWriter.Options options, long bufferBytes, long minImageSize,
                      BootObserver observer) {
        if (bufferBytes <= 0 || minImageSize <= 0) {
            throw new IllegalArgumentException("flash buffer of " + bufferBytes + " bytes, smallest image " + minImageSize
                    + " bytes (expected: both > 0)");
        }
        this.minImage = minImageSize;
        this.stage = new byte[(int) Math.min(Math.min(minImageSize, bufferBytes / 2), 1 << 20)];
        this.stageView = ByteBuffer.wrap(stage);
        this.slots = slots;
        this.flash = flash;
        slots.load();
        this.plan = slots.planUpdate();
        if (!plan.possible()) {
            throw new FlashException(FlashException.Kind.NO_FREE_SLOT, plan.note());
        }
        this.target = plan.target();
        this.backlog = new FlashBacklog(flash, bufferBytes);
        this.writer = new FlashWriter(backlog, slots.slot(target), options, "slot " + BootSlots.name(target));
        this.observer = observer;
    }

    /** Returns the RAM budget for image bytes waiting for the flash chip. */
    public long bufferBytes() {
        return backlog.budget();
    }

    /** Returns the most image bytes that waited in RAM for the flash chip at once. */
    public long peakBufferedBytes() {
        return backlog.peak();
    }

    /** Returns the slot being written (0 is A, 1 is B). */
    public int target() {
        return target;
    }

    /**
     * Returns the slot the board boots now and the update leaves alone (it stays the active slot until the
     * commit), or {@code SlotMetadata.NONE} when no slot held a verified image.
     */
    public int previous() {
        return plan.keep();
    }

    /** Returns the partition being written. */
    public Partition partition() {
        return slots.slot(target);
    }

    /** Returns the writer (for its counters). */
    public FlashWriter writer() {
        return writer;
    }

    /** Sets the virtual time: for progress reports and for when the chip takes buffered bytes. */
    public void at(long now) {
        this.now = now;
        backlog.time(now);
    }

    @Override
    public long readyAt(long now, long bytes) {
        return backlog.readyAt(now, bytes);
    }

    /** Returns whether {@code bytes} more fit in the RAM budget for bytes waiting for the chip: never past it. */
    @Override
    public boolean hasRoom(long now, int bytes) {
        return backlog.hasRoom(now, bytes);
    }

    @Override
    public void begin(long expectedSize) {
        expected = expectedSize;
        Partition p = partition();
        if (expectedSize > SlotReader.goodBytes(flash, p)) {
            // Refuse before anything is written, the metadata included (RFC 2349 tsize makes this possible): past the
            // partition, or past its good blocks on NAND, which the writer would refuse only after prepare had run.
            throw refuse(writer.refusal(expectedSize));
        }
        if (expectedSize >= 0 && expectedSize < minImage) {
            throw refuse(tooSmall(expectedSize));
        }
        if (expectedSize >= 0 || stage.length == 0) {
            try {
                start(expectedSize);
            } catch (FlashException e) {
                throw refuse(e);
            }
        }
    }

    @Override
    public void write(ByteBuffer buf, int off, int len) {
        try {
            if (!started && len <= stage.length - staged) {
                // Size unknown and not yet shown to be plausible: hold the bytes, touch nothing.
                buf.get(off, stage, staged, len);
                staged += len;
                backlog.received(len);
                if (staged >= minImage) {
                    start(-1);
                }
            } else {
                if (!started) {
                    start(-1); // the hold is full (a floor above what RAM can hold): go on, finish still refuses
                }
                toWriter(buf, off, len);
                backlog.received(len);
            }
        } catch (FlashException e) {
            throw refuse(e);
        }
        observer.progress(now, accepted(), expected);
    }

    /** Prepares the target (the metadata first), begins the writer and hands it the bytes held so far. */
    private void start(long size) {
        slots.prepare(plan);
        writer.begin(size);
        started = true;
        if (staged > 0) {
            int n = staged;
            staged = 0;
            toWriter(stageView, 0, n);
        }
    }

    private void toWriter(ByteBuffer buf, int off, int len) {
        long skippedBefore = writer.skippedSectors();
        writer.write(buf, off, len);
        if (writer.skippedSectors() != skippedBefore) {
            backlog.skipped((writer.skippedSectors() - skippedBefore) * flash.geometry().eraseUnit());
        }
    }

    /** Returns the image bytes taken so far, held or handed to the writer. */
    private long accepted() {
        return started ? writer.bytesWritten() : staged;
    }

    private FlashException tooSmall(long size) {
        return new FlashException(FlashException.Kind.IMAGE_TOO_SMALL, "image of " + size + " bytes refused: this board takes"
                + " images of at least " + minImage + " bytes ([boot] min-image-size); "
                + (started ? "nothing was committed" : "nothing was written")
                + (plan.keep() == SlotMetadata.NONE ? "" : ", slot " + BootSlots.name(plan.keep()) + " still boots"));
    }

    /**
     * Programs the last page and verifies the image by reading it back.
     *
     * @return the image length
     * @throws FlashException IMAGE_TOO_SMALL when the image ended under the board's smallest image (with
     *                        flash untouched unless the floor is above what RAM holds); else when the
     *                        read-back does not match or the flash fails
     */
    public long finish() {
        long got = accepted();
        if (got < minImage) {
            writer.abort();
            throw tooSmall(got);
        }
        if (!started) {
            start(-1);
        }
        length = writer.finish();
        return length;
    }

    /** Checks a detached Ed25519 signature over the image in flash; returns null when good, else why not. */
    public String checkSignature(byte[] signature, PublicKey key) {
        return ImageSignature.check(flash, partition(), length, signature, key);
    }

    /**
     * Makes the verified image the active slot (pending for {@code trialBoots} boots when positive).
     *
     * @throws FlashException when the metadata write fails
     */
    public void commit(int trialBoots) {
        commit(trialBoots, SlotMetadata.UNSIGNED);
    }

    /**
     * Makes the verified image the active slot as {@link #commit(int)} does, recording that it was taken on an Ed25519
     * signature by the key {@code signer} names ({@link SlotMetadata#keyId}), or none ({@link SlotMetadata#UNSIGNED}).
     *
     * @throws FlashException when the metadata write fails
     */
    public void commit(int trialBoots, int signer) {
        if (length < 0) {
            throw new IllegalStateException("commit before finish");
        }
        // The writer read every unit back once complete and compared the digest; nothing wrote to the slot since.
        slots.commitVerified(target, length, writer.sha256(), trialBoots, signer);
    }

    /** Stops writing; nothing is committed. */
    public void abort() {
        writer.abort();
    }

    private TftpSinkException refuse(FlashException e) {
        int code = switch (e.kind()) {
            case IMAGE_TOO_LARGE -> TftpWire.ERR_DISK_FULL;
            case POWER_CUT -> TftpSinkException.SILENT; // the board is off: it tells the server nothing
            default -> TftpWire.ERR_NOT_DEFINED;
        };
        return new TftpSinkException(code, e.getMessage(), e);
    }
}
