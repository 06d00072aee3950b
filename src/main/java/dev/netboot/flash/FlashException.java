package dev.netboot.flash;

/**
 * The one exception of the flash layer: an operation broke a rule of the chip, an image does not
 * fit, a read-back differs, or the backing file failed.
 *
 * <p>Messages state facts in the form "what: actual (expected: X)" with offsets in hex, for
 * example {@code "program at 0x1000f0 len 32 crosses the 256-byte page at 0x100000 (expected:
 * within one page)"}. A flash operation that throws has changed nothing, except {@link Kind#IO},
 * {@link Kind#PROGRAM_FAILED} and {@link Kind#ERASE_FAILED} (the block is then marked bad), and
 * {@link Kind#POWER_CUT} (the cut operation left the state its mode documents).
 */
public final class FlashException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a flash operation failed; callers switch on it rather than parse the message. */
    public enum Kind {
        /** An erase offset or length is not a multiple of the erase unit. */
        MISALIGNED_ERASE,
        /** A range is empty, negative, or reaches past the end of flash. */
        OUT_OF_RANGE,
        /** A program operation crosses a page boundary. */
        CROSSES_PAGE,
        /** A program operation needs a bit to go from 0 to 1, which only an erase can do. */
        NOT_ERASED,
        /** What was read back differs from what was programmed. */
        VERIFY_FAILED,
        /** An image is larger than the partition it is written into. */
        IMAGE_TOO_LARGE,
        /** An image is smaller than the board accepts as bootable (a profile's {@code [boot] min-image-size}). */
        IMAGE_TOO_SMALL,
        /** The backing file could not be created, opened, sized or written. */
        IO,
        /** The call is not allowed in the object's current state (closed, finished, aborted). */
        STATE,
        /** NAND: a page is programmed after a higher page of the same block since the block's erase. */
        OUT_OF_ORDER,
        /** NAND: a page already had its maximum number of partial programs (NOP) since erase. */
        TOO_MANY_PARTIAL_PROGRAMS,
        /** NAND: the block is marked bad; it must not be erased or programmed. */
        BAD_BLOCK,
        /** NAND: the chip reported a program status failure; the block is now marked bad. */
        PROGRAM_FAILED,
        /** NAND: the chip reported an erase status failure; the block is now marked bad. */
        ERASE_FAILED,
        /** NAND: a sector read back with more bit errors than its ECC corrects. */
        ECC_UNCORRECTABLE,
        /** The power was cut ({@link PowerCutFlash}); no operation runs until power returns. */
        POWER_CUT,
        /**
         * Both A/B slots hold an image the board must keep (a trial slot with boots left and its verified
         * fallback), so an update has no slot to write ({@link BootSlots#planUpdate}).
         */
        NO_FREE_SLOT
    }

    private final Kind kind;

    /** Creates the exception with its kind and a factual message. */
    public FlashException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    /** Creates the exception with its kind, a factual message and the underlying cause. */
    public FlashException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** Returns why the operation failed. */
    public Kind kind() {
        return kind;
    }
}
