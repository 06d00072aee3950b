package dev.netboot.flash;

/**
 * Reads an image back from its partition the way {@link FlashWriter} laid it out: logical erase
 * unit k of the image is the partition's k-th good unit (NOR has no bad units, so this is the
 * plain offset there). Memory is the caller's one buffer, typically a page.
 */
public final class SlotReader {
    private SlotReader() {
    }

    /** Receives consecutive chunks of the image. */
    @FunctionalInterface
    public interface Chunks {
        /** Takes bytes {@code [0, n)} of {@code buf}, the next part of the image. */
        void accept(byte[] buf, int n);
    }

    /** Returns the bytes an image may take in {@code partition}: its good units (on NOR, all of it). */
    public static long goodBytes(Flash flash, Partition partition) {
        int unit = flash.geometry().eraseUnit();
        long good = 0;
        for (long at = partition.offset(); at < partition.end(); at += unit) {
            good += flash.isBad((int) (at / unit)) ? 0 : unit;
        }
        return good;
    }

    /**
     * Reads the first {@code length} bytes of the image in {@code partition} into {@code buf}, a chunk at a
     * time, skipping bad units.
     *
     * @throws FlashException OUT_OF_RANGE when the partition has too few good units for {@code length}
     */
    public static void read(Flash flash, Partition partition, long length, byte[] buf, Chunks out) {
        int unit = flash.geometry().eraseUnit();
        long physical = partition.offset();
        long left = length;
        while (left > 0) {
            while (physical < partition.end() && flash.isBad((int) (physical / unit))) {
                physical += unit;
            }
            if (physical >= partition.end()) {
                throw new FlashException(FlashException.Kind.OUT_OF_RANGE, "partition " + partition.name() + " has too few good units for "
                        + length + " bytes");
            }
            long inUnit = Math.min(unit, left);
            for (long done = 0; done < inUnit; ) {
                int n = (int) Math.min(buf.length, inUnit - done);
                flash.read(physical + done, buf, 0, n);
                out.accept(buf, n);
                done += n;
            }
            left -= inUnit;
            physical += unit;
        }
    }
}
