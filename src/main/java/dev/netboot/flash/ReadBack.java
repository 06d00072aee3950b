package dev.netboot.flash;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The read-back verification of a {@link FlashWriter}'s image: what flash holds is read again and compared with
 * what the writer received, in one page of RAM.
 *
 * <p>Each page is read back right after it is programmed and compared byte for byte ({@link #page}). Each erase unit
 * is read back again once all its pages are programmed (when the next unit starts), into a SHA-256 and a CRC-32C of
 * what flash holds ({@link #unit}); {@link #finish} reads back the last unit and compares that CRC-32C with the
 * CRC-32C of the bytes received ({@link #received}), which catches every error of up to 32 bits, and any other with
 * odds of 1 in 2^32. The SHA-256 of the image is thus the one of what flash holds, and only that one is computed: a
 * second SHA-256 of the bytes received costs as much again, and is slow while the JVM is still interpreting it. Later
 * operations only touch other units, so this equals a re-read of the whole image after the last block, without its
 * delay.
 *
 * <p>When the writer skips unchanged units, the same page buffer reads a unit already on flash to compare it with the
 * one buffered ({@link #holds}). The writer owns it: one per writer, used once, no allocation after construction.
 */
final class ReadBack {
    private final Flash flash;
    private final byte[] page;           // one page, read back
    private final CRC32C received;
    private final CRC32C reread;
    private final MessageDigest rereadSha256;
    private long end;                    // logical end of the bytes read back into the final digest

    ReadBack(Flash flash, int pageSize) {
        this.flash = flash;
        this.page = new byte[pageSize];
        this.received = new CRC32C();
        this.reread = new CRC32C();
        this.rereadSha256 = sha256Digest();
    }

    /** Returns the bytes of RAM it holds: one page. */
    int ramBytes() {
        return page.length;
    }

    /** Returns the logical (image-relative) end of the bytes read back into the final digest so far. */
    long end() {
        return end;
    }

    /** Counts {@code src[off, off + len)}, bytes of the image as received, into the CRC-32C the final check compares. */
    void received(byte[] src, int off, int len) {
        received.update(src, off, len);
    }

    /**
     * Reads back the page just programmed at flash {@code at} and compares it with {@code programmed[from, from + len)}.
     *
     * @throws FlashException VERIFY_FAILED at the first byte that differs; any flash failure of the read
     */
    void page(long at, byte[] programmed, int from, int len) {
        flash.read(at, page, 0, len);
        int bad = Arrays.mismatch(programmed, from, from + len, page, 0, len);
        if (bad >= 0) {
            throw new FlashException(FlashException.Kind.VERIFY_FAILED, String.format(
                    "verify at 0x%x: read 0x%02x (expected: 0x%02x as programmed)",
                    at + bad, page[bad] & 0xFF, programmed[from + bad] & 0xFF));
        }
    }

    /**
     * Reads the first {@code len} bytes of the unit at flash {@code unitAt} (the logical unit that starts at
     * {@link #end}) back into the final digest. A unit is read back once all its pages are programmed: every later
     * operation goes to other units, so this is as good as reading the whole image after the last block, and on a
     * timed chip it runs during the transfer instead of after it.
     */
    void unit(long unitAt, int len) {
        int pageSize = page.length;
        for (int p = 0; p < len; p += pageSize) {
            int n = Math.min(pageSize, len - p);
            flash.read(unitAt + p, page, 0, n);
            reread.update(page, 0, n);
            rereadSha256.update(page, 0, n);
        }
        end += len;
    }

    /** Returns whether the unit at flash {@code unitAt} already holds {@code buffer[0, len)}; an unreadable unit does not. */
    boolean holds(long unitAt, byte[] buffer, int len) {
        int pageSize = page.length;
        try {
            for (int p = 0; p < len; p += pageSize) {
                int n = Math.min(pageSize, len - p);
                flash.read(unitAt + p, page, 0, n);
                if (Arrays.mismatch(buffer, p, p + n, page, 0, n) >= 0) {
                    return false;
                }
            }
            return true;
        } catch (FlashException e) {
            if (e.kind() == FlashException.Kind.ECC_UNCORRECTABLE) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Reads back what is left of the image's last unit (at flash {@code unitAt}), compares the CRC-32C of the
     * {@code written} bytes on flash with the one of the bytes received, and returns the SHA-256 of what flash holds.
     *
     * @param offset where the image starts on flash, for the message
     * @throws FlashException VERIFY_FAILED if flash reads back different from what was received; any flash failure
     */
    byte[] finish(long unitAt, long written, long offset) {
        if (written > end) {
            unit(unitAt, (int) (written - end)); // the last unit, complete now
        }
        long expected = received.getValue();
        long actual = reread.getValue();
        if (expected != actual) {
            throw new FlashException(FlashException.Kind.VERIFY_FAILED, String.format(
                    "image of %d bytes at 0x%x reads back with CRC-32C %08x (expected: %08x as received)",
                    written, offset, actual, expected));
        }
        return rereadSha256.digest();
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
