package dev.netboot.emulator;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What the emulated {@link TftpServer} serves under one name: bytes in memory, or a file read block by
 * block where it lies (positional reads), so an image of any size is served without holding it in memory.
 */
public sealed interface ServedFile extends AutoCloseable {
    /** Returns the size in bytes. */
    long size();

    /**
     * Fills {@code dst} from its position to its limit with the bytes at {@code offset}.
     *
     * @throws IOException when the bytes cannot be read (an I/O error, or a file that shrank)
     */
    void read(long offset, ByteBuffer dst) throws IOException;

    /** Releases the file, if any. */
    @Override
    void close();

    /** Returns {@code bytes} (not copied: don't change them while they are served). */
    static ServedFile of(byte[] bytes) {
        return new InMemory(bytes);
    }

    /**
     * Opens {@code file} for reading; its size is taken now.
     *
     * @throws IOException when it cannot be opened (missing, a folder, no permission, a device or pipe)
     */
    static ServedFile open(Path file) throws IOException {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // Each block is read again where it lies, a resent one too; a pipe cannot be, and opening one may wait for ever.
            throw new FileSystemException(file.toString(), null, "not a regular file (expected: a file the server reads block by block"
                    + " where it lies)");
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new OnDisk(file, ch, ch.size());
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Returns the SHA-256 of the whole content as lowercase hex, read in 64 KiB pieces.
     *
     * @throws IOException when it cannot be read
     */
    default String sha256() throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        for (long off = 0; off < size(); off += buf.limit()) {
            buf.clear().limit((int) Math.min(buf.capacity(), size() - off));
            read(off, buf);
            md.update(buf.flip());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Bytes in memory. They are not to change while served ({@link #of}), so their SHA-256 is worked out once: an
     * emulated boot of the generated image asks for it twice, for the digest it serves beside the image and to check
     * the flash against the served file at the end, and a pass over 1 MiB takes 9-12 ms under C1 once compiled,
     * more before (issue 11).
     */
    final class InMemory implements ServedFile {
        private final byte[] bytes;
        private String sha256;

        InMemory(byte[] bytes) {
            this.bytes = Objects.requireNonNull(bytes, "bytes");
        }

        /** Returns the bytes served (not a copy). */
        public byte[] bytes() {
            return bytes;
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public void read(long offset, ByteBuffer dst) {
            dst.put(bytes, Math.toIntExact(offset), dst.remaining());
        }

        @Override
        public String sha256() throws IOException {
            if (sha256 == null) {
                sha256 = ServedFile.super.sha256();
            }
            return sha256;
        }

        @Override
        public void close() {
        }
    }

    /** A file, read where it lies. */
    final class OnDisk implements ServedFile {
        private final Path path;
        private final FileChannel channel;
        private final long size;

        private OnDisk(Path path, FileChannel channel, long size) {
            this.path = path;
            this.channel = channel;
            this.size = size;
        }

        /** Returns the file's path. */
        public Path path() {
            return path;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            readAt(channel, size, offset, dst);
        }

        @Override
        public void close() {
            closeQuietly(channel);
        }
    }

    /** Fills {@code dst} from {@code channel} at {@code offset}; a file that ends sooner than {@code size} said fails. */
    private static void readAt(FileChannel channel, long size, long offset, ByteBuffer dst) throws IOException {
        long at = offset;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
                throw new EOFException("the file ends at byte " + at + " (it was " + size + " bytes when the server opened it)");
            }
            at += n;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // read-only: nothing was written that closing could lose
        }
    }

    /**
     * A file of a served folder ({@link TftpServer#serveFolder}): its channel is opened when a read needs it and may be
     * closed between reads ({@link #close}), so a server keeps only so many folder files open however many clients ask
     * for how many files. Opened again, it must still be the file it was (the same file system object, size and time
     * of last change), or the read fails: a transfer never mixes two versions of a file replaced by a rename (one
     * rewritten in place under an open channel may reach it mixed, as from any server).
     */
    final class InFolder implements ServedFile {
        private final Path path;
        private final long size;
        private final FileTime modified;
        private final Object fileKey;
        private final Consumer<InFolder> onOpen;
        private FileChannel channel;

        /** {@code path} as {@code attributes} describe it; {@code onOpen} hears of every read that keeps it open. */
        InFolder(Path path, BasicFileAttributes attributes, Consumer<InFolder> onOpen) {
            this.path = path;
            this.size = attributes.size();
            this.modified = attributes.lastModifiedTime();
            this.fileKey = attributes.fileKey();
            this.onOpen = onOpen;
        }

        /** Returns whether {@code attributes} still describe the file this serves. */
        boolean sameAs(BasicFileAttributes attributes) {
            return attributes.size() == size && attributes.lastModifiedTime().equals(modified)
                    && Objects.equals(attributes.fileKey(), fileKey);
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            if (channel == null) {
                FileChannel ch;
                try {
                    ch = FileChannel.open(path, StandardOpenOption.READ);
                } catch (FileSystemException e) {
                    throw new IOException("the file cannot be opened again: " + (e instanceof NoSuchFileException
                            ? "it is gone (deleted, or renamed away)" : e.getReason() != null ? e.getReason() : "permission denied"), e);
                }
                try {
                    if (!sameAs(Files.readAttributes(path, BasicFileAttributes.class))) {
                        throw new IOException("the file changed on disk while it was being served");
                    }
                } catch (NoSuchFileException e) {
                    ch.close();
                    throw new IOException("the file cannot be opened again: it is gone (deleted, or renamed away)", e);
                } catch (IOException | RuntimeException e) {
                    ch.close();
                    throw e;
                }
                channel = ch;
            }
            onOpen.accept(this);
            readAt(channel, size, offset, dst);
        }

        /** Closes the channel, if open; a later read opens it again. */
        @Override
        public void close() {
            if (channel != null) {
                closeQuietly(channel);
                channel = null;
            }
        }
    }
}
