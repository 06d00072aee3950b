package dev.netboot.flash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;

/**
 * NOR flash kept in an ordinary file: the boot storage of a board whose system shows it as a file (an
 * image on an SD card or eMMC partition), and the flash of the device-only build, which carries no
 * simulator. Erasing writes the erased value, programming writes the bytes; every rule of {@link Flash}
 * holds as on a chip: a program that needs a bit from 0 to 1 is refused and writes nothing.
 *
 * <p>Positional reads and writes through one {@link FileChannel}, no mapping: the heap holds one page
 * (to check a program against what is there), a 4 KiB run of the erased value and the erase counters.
 * Data reaches the file as each call returns and {@link #close()} forces it to storage.
 */
public final class FileFlash implements Flash {
    private static final int FILL = 4096;

    private final FlashGeometry geometry;
    private final FileChannel channel;
    private final Path file;
    private final byte[] page;
    private final ByteBuffer erased;
    private final long[] eraseCounts;
    private long erases, programs, reads, bytesProgrammed, bytesErased;
    private boolean closed;

    private FileFlash(FlashGeometry geometry, FileChannel channel, Path file) {
        this.geometry = geometry;
        this.channel = channel;
        this.file = file;
        this.page = new byte[geometry.pageSize()];
        byte[] fill = new byte[Math.min(FILL, geometry.eraseUnit())];
        Arrays.fill(fill, (byte) geometry.erasedValue());
        this.erased = ByteBuffer.wrap(fill);
        this.eraseCounts = new long[Math.toIntExact(geometry.size() / geometry.eraseUnit())];
    }

    /**
     * Opens {@code file} as a flash of {@code geometry}: created and filled with the erased value when
     * missing, taken as it is otherwise.
     *
     * @throws FlashException IO if the file cannot be created or opened, or an existing file is not
     *                        {@code geometry.size()} bytes long
     */
    public static FileFlash open(Path file, FlashGeometry geometry) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(geometry, "geometry");
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            FileFlash made = create(file, geometry);
            if (made != null) {
                return made;
            }
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw io("flash file " + file + ": cannot open", e);
        }
        FileFlash f = new FileFlash(geometry, ch, file);
        try {
            if (ch.size() != geometry.size()) {
                throw new FlashException(FlashException.Kind.IO, "flash file " + file + " is " + ch.size()
                        + " bytes (expected: " + geometry.size() + " for profile geometry)");
            }
            return f;
        } catch (IOException e) {
            f.closeQuietly();
            throw io("flash file " + file + ": cannot open", e);
        } catch (RuntimeException e) {
            f.closeQuietly();
            throw e;
        }
    }

    /**
     * Makes {@code file} erased under a name of its own, then gives it its name, so a power cut during the fill leaves no
     * short flash file for the next power-up to refuse ({@link FlashFiles#newFile}); returns null if another process made
     * {@code file} first.
     */
    private static FileFlash create(Path file, FlashGeometry geometry) {
        Path part = FlashFiles.newFile(file);
        FileChannel ch;
        try {
            ch = FileChannel.open(part, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            FlashFiles.deleteQuietly(part);
            throw io("flash file " + file + ": cannot create", e);
        }
        FileFlash f = new FileFlash(geometry, ch, file);
        boolean published = false;
        try {
            for (long at = 0; at < geometry.size(); at += f.erased.capacity()) {
                f.writeFully(f.erased.clear().limit((int) Math.min(f.erased.capacity(), geometry.size() - at)), at);
            }
            ch.force(true);
            published = FlashFiles.publish(part, file);
            return published ? f : null;
        } catch (IOException e) {
            throw io("flash file " + file + ": cannot fill " + geometry.size() + " bytes", e);
        } finally {
            if (!published) { // an error (a full disk), or the other process's file won
                f.closeQuietly();
                FlashFiles.deleteQuietly(part);
            }
        }
    }

    @Override
    public FlashGeometry geometry() {
        return geometry;
    }

    @Override
    public void read(long offset, byte[] dst, int dstOff, int len) {
        checkOpen();
        FlashRules.checkRead(geometry, offset, dst, dstOff, len);
        readFully(ByteBuffer.wrap(dst, dstOff, len), offset);
        reads++;
    }

    @Override
    public void erase(long offset, long length) {
        checkOpen();
        FlashRules.checkErase(geometry, offset, length);
        for (long at = offset; at < offset + length; at += erased.capacity()) {
            writeFully(erased.clear().limit((int) Math.min(erased.capacity(), offset + length - at)), at);
        }
        int unit = geometry.eraseUnit();
        erases += length / unit;
        bytesErased += length;
        for (long u = offset / unit; u < (offset + length) / unit; u++) {
            eraseCounts[(int) u]++;
        }
    }

    @Override
    public void program(long offset, byte[] src, int srcOff, int len) {
        checkOpen();
        FlashRules.checkProgram(geometry, offset, src, srcOff, len); // within one page: len <= page.length
        readFully(ByteBuffer.wrap(page, 0, len), offset);
        // Check every byte before writing any, so a refused program leaves flash as it was.
        for (int i = 0; i < len; i++) {
            int old = page[i] & 0xFF;
            int data = src[srcOff + i] & 0xFF;
            if ((old & data) != data) {
                throw new FlashException(FlashException.Kind.NOT_ERASED, String.format(
                        "program at 0x%x len %d: byte at 0x%x is 0x%02x, data 0x%02x needs bits 0->1 (expected: erase first)",
                        offset, len, offset + i, old, data));
            }
        }
        // old & data == data for every byte: writing data is the NOR result old & data.
        writeFully(ByteBuffer.wrap(src, srcOff, len), offset);
        programs++;
        bytesProgrammed += len;
    }

    @Override
    public FlashStats stats() {
        return new FlashStats(erases, programs, reads, bytesProgrammed, bytesErased);
    }

    @Override
    public long[] eraseCounts() {
        return eraseCounts.clone();
    }

    /** Forces the file to storage and closes it; later calls throw STATE. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (FileChannel ch = channel) {
            ch.force(true);
        } catch (IOException e) {
            throw io("flash file " + file + ": cannot force to storage", e);
        }
    }

    @Override
    public String toString() {
        return "FileFlash[" + geometry + ", file " + file + (closed ? ", closed]" : "]");
    }

    private void readFully(ByteBuffer dst, long at) {
        int start = dst.position();
        try {
            while (dst.hasRemaining()) {
                if (channel.read(dst, at + dst.position() - start) < 0) {
                    throw new FlashException(FlashException.Kind.IO, "flash file " + file + " ends at 0x"
                            + Long.toHexString(at + dst.position() - start) + " (expected: " + geometry.size() + " bytes)");
                }
            }
        } catch (IOException e) {
            throw io("flash file " + file + ": cannot read at 0x" + Long.toHexString(at), e);
        }
    }

    private void writeFully(ByteBuffer src, long at) {
        int start = src.position();
        try {
            while (src.hasRemaining()) {
                channel.write(src, at + src.position() - start);
            }
        } catch (IOException e) {
            throw io("flash file " + file + ": cannot write at 0x" + Long.toHexString(at), e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new FlashException(FlashException.Kind.STATE, "flash file " + file + " is closed (expected: open)");
        }
    }

    private void closeQuietly() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            // giving up on this file anyway; the caller reports why
        }
    }

    private static FlashException io(String what, IOException e) {
        return new FlashException(FlashException.Kind.IO, what + ": " + FlashFiles.describe(e), e);
    }
}
