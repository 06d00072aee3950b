package dev.netboot.cli;

import dev.netboot.tftp.TftpSink;
import dev.netboot.tftp.TftpSinkException;
import dev.netboot.wire.TftpWire;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * The files of host mode: where a download goes and what an upload reads, checked before the first
 * packet; a download that appears only whole; an upload's source is {@link HostUpload}.
 */
final class HostFiles {
    private HostFiles() {
    }

    /**
     * Returns the file a download of {@code remote} writes, given LOCAL as typed ({@code null}: none),
     * or throws a usage error that says what is wrong with LOCAL. No LOCAL, an existing folder, or a
     * name ending in '/' (which must then be an existing folder, as for curl) keep REMOTE's last name
     * part. A symbolic link is followed, so the file it points to is replaced. The file's folder must
     * exist and be writable, and the file, if it exists, must be a regular file: the download is
     * written beside it and renamed over it.
     */
    static Path downloadTarget(String local, String remote) {
        if ("-".equals(local)) {
            // curl -o -, busybox tftp -l -: standard output. A file called '-' instead would surprise such a user, and a
            // pipe cannot take a download that appears whole or not at all.
            throw new TftpCommand.UsageException("LOCAL - would be standard output, which a download does not go to (it is"
                    + " written beside LOCAL and renamed over it, whole or not at all); give a file name (./- for a file called '-')");
        }
        Path file;
        boolean folder = local == null || endsWithSeparator(local) || Files.isDirectory(path(local));
        if (folder) {
            if (local != null && !Files.isDirectory(path(local))) {
                throw new TftpCommand.UsageException("LOCAL " + local + (Files.exists(path(local)) ? " is not a folder"
                        : ": no such folder (a name ending in '/' names a folder; create it first)"));
            }
            String base = baseName(remote);
            if (base.isEmpty() || base.equals(".") || base.equals("..")) {
                throw new TftpCommand.UsageException("REMOTE " + remote + " names no file; give LOCAL");
            }
            file = local == null ? path(base) : path(local).resolve(path(base));
        } else {
            file = path(local);
        }
        Path descriptor = descriptorLink(file);
        if (descriptor != null) {
            throw new TftpCommand.UsageException("LOCAL " + file + " is an open file descriptor (" + descriptor + "), not a file:"
                    + " the download is written beside LOCAL and renamed over it, which would replace the file it refers to; give a file name");
        }
        if (Files.isSymbolicLink(file)) {
            try {
                file = file.toRealPath();
            } catch (IOException e) {
                throw new TftpCommand.UsageException("LOCAL " + file + " is a symbolic link to nothing");
            }
        }
        if (Files.isDirectory(file)) {
            throw new TftpCommand.UsageException("LOCAL " + file + " is a folder");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new TftpCommand.UsageException("LOCAL " + file + " is not a regular file (a device, pipe or socket);"
                    + " the download is written beside LOCAL and renamed over it");
        }
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new TftpCommand.UsageException("LOCAL " + file + ": " + (Files.exists(dir) ? dir + " is not a folder"
                    : "no such folder " + dir));
        }
        if (!Files.isWritable(dir)) {
            throw new TftpCommand.UsageException("LOCAL " + file + ": cannot write in " + dir + ": permission denied");
        }
        return file;
    }

    /**
     * Returns the link in {@code file}'s chain of symbolic links that names an open file descriptor ({@code /proc/self/fd/1},
     * where {@code /dev/stdout} leads; {@code /dev/fd/N}), or null. Followed like any link it leads to the file a shell
     * redirected to ({@code > log}): renamed over, that file would lose what was written to it before, and what comes after
     * would go to one no longer there.
     */
    private static Path descriptorLink(Path file) {
        Path p = file.toAbsolutePath();
        for (int hops = 0; hops < 40 && Files.isSymbolicLink(p); hops++) {
            try {
                Path real = p.getParent().toRealPath();
                int n = real.getNameCount();
                if (n >= 3 && real.getName(0).toString().equals("proc") && real.getFileName().toString().equals("fd")
                        && (n == 3 || n == 5 && real.getName(2).toString().equals("task"))) {
                    return p;
                }
                p = p.getParent().resolve(Files.readSymbolicLink(p));
            } catch (IOException e) {
                return null; // a dangling link or a folder that cannot be read: said below
            }
        }
        return null;
    }

    /** Returns the file an upload reads, LOCAL as typed, or throws a usage error that says what is wrong with it. */
    static Path uploadSource(String local) {
        if ("-".equals(local)) {
            throw new TftpCommand.UsageException("LOCAL - would be standard input, which an upload does not read from (its size"
                    + " goes first, as tsize, and a window is read again when resent); give a file name (./- for a file called '-')");
        }
        Path file = path(local);
        if (Files.isDirectory(file)) {
            throw new TftpCommand.UsageException("LOCAL " + local + " is a folder");
        }
        if (!Files.exists(file)) {
            throw new TftpCommand.UsageException("LOCAL " + local + ": no such file");
        }
        if (endsWithSeparator(local)) {
            throw new TftpCommand.UsageException("LOCAL " + local + " is not a folder"); // as open("file/") says: ENOTDIR
        }
        if (!Files.isRegularFile(file)) {
            throw new TftpCommand.UsageException("LOCAL " + local + " is not a regular file (a device, pipe or socket)");
        }
        if (!Files.isReadable(file)) {
            throw new TftpCommand.UsageException("LOCAL " + local + ": permission denied");
        }
        return file;
    }

    private static boolean endsWithSeparator(String name) {
        return name.endsWith("/") || name.endsWith(File.separator);
    }

    private static Path path(String name) {
        try {
            return Path.of(name);
        } catch (InvalidPathException e) {
            throw new TftpCommand.UsageException("'" + name + "' is not a valid file name: " + e.getReason());
        }
    }

    /** Returns the last part of a server's file name, '/' or '\\' separated. */
    static String baseName(String name) {
        int i = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        return name.substring(i + 1);
    }

    /** Returns what went wrong with a file in words, without the JDK's exception names: "permission denied". */
    static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f) {
            return f.getFile() + ": cannot use it";
        }
        return e.getMessage() == null ? "input/output error" : e.getMessage();
    }

    /**
     * A download into {@code LOCAL.part-<random>} beside {@code LOCAL}: written through a 1 MiB buffer,
     * synced and renamed over {@code LOCAL} by {@link #commit()}, deleted by {@link #abort()}, by a
     * shutdown hook if the JVM ends first (Ctrl-C), and on any failure. So no partial {@code LOCAL} ever
     * exists, and no {@code .part} file outlives the process but after a power cut.
     */
    static final class Download implements TftpSink, AutoCloseable {
        private static final int STAGING = 1 << 20;
        private static final int NAME_MAX = 255;

        private final Path target;
        private final Path part;
        private final FileChannel out;
        private final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING);
        private final Thread hook;
        private long expected = -1;
        private long written;
        private boolean finished;

        /** Creates the {@code .part} file beside {@code target}. */
        Download(Path target, RandomGenerator random) throws IOException {
            this.target = target.toAbsolutePath();
            Path dir = this.target.getParent();
            this.part = dir.resolve(partName(this.target.getFileName().toString(), HexFormat.of().toHexDigits(random.nextInt())));
            this.out = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            keepMode(this.target, part);
            this.hook = new Thread(this::deletePart, "netboot-tftp-cleanup");
            Runtime.getRuntime().addShutdownHook(hook);
        }

        /**
         * Returns the part file's name: {@code NAME.part-HEX}, NAME cut (at a character) so the whole is at most 255 bytes
         * in UTF-8, what a name on Linux file systems may hold (NAME_MAX). Else a LOCAL of 242 to 255 bytes, itself a good
         * name, could not be downloaded ("File name too long" for its part file).
         */
        static String partName(String name, String hex) {
            String suffix = ".part-" + hex;
            int room = NAME_MAX - suffix.getBytes(StandardCharsets.UTF_8).length;
            int end = name.length();
            while (name.substring(0, end).getBytes(StandardCharsets.UTF_8).length > room) {
                end = name.offsetByCodePoints(end, -1);
            }
            return name.substring(0, end) + suffix;
        }

        /**
         * Gives the part file the permissions of the file it will replace, if there is one, before a byte is written: a
         * file renamed over another has its own, and the QA pass saw a 0700 LOCAL come back 0644 (tftp-hpa and curl,
         * writing into it, keep them): a private file made readable by all, a script no longer executable. A file system
         * without POSIX permissions keeps its own.
         */
        static void keepMode(Path target, Path part) {
            try {
                Files.setPosixFilePermissions(part, Files.getPosixFilePermissions(target));
            } catch (IOException | UnsupportedOperationException e) {
                // no file to replace (NoSuchFileException), or no POSIX permissions here
            }
        }

        /** Returns the temporary file. */
        Path part() {
            return part;
        }

        /** Returns the size the server announced (tsize), or -1. */
        long expected() {
            return expected;
        }

        /** Returns the bytes received so far. */
        long received() {
            return written + staging.position();
        }

        @Override
        public void begin(long expectedSize) {
            this.expected = expectedSize;
            if (expectedSize > 0) {
                // RFC 2349 tsize lets us refuse before the first byte instead of failing at the end.
                // File's statvfs answers at once; Files.getFileStore reads /proc/mounts first, a few milliseconds of
                // a transfer that should start like a native tool's (issue 11). File says 0 when it cannot tell.
                long free = part.toFile().getUsableSpace();
                if (free == 0) {
                    try {
                        free = Files.getFileStore(part).getUsableSpace();
                    } catch (IOException e) {
                        return; // unknown: try, and let a write fail if it must
                    }
                }
                if (expectedSize > free) {
                    throw new TftpSinkException(TftpWire.ERR_DISK_FULL, "file of " + expectedSize + " bytes does not fit: "
                            + free + " bytes free in " + part.getParent(), "file of " + expectedSize + " bytes does not fit: "
                            + free + " bytes free", null);
                }
            }
        }

        @Override
        public void write(ByteBuffer buf, int off, int len) {
            if (len > staging.remaining()) {
                flush();
            }
            staging.put(staging.position(), buf, off, len);
            staging.position(staging.position() + len);
        }

        private void flush() {
            staging.flip();
            try {
                while (staging.hasRemaining()) {
                    written += out.write(staging);
                }
            } catch (IOException e) {
                throw new TftpSinkException(TftpWire.ERR_DISK_FULL, "cannot write " + part + ": " + e.getMessage(),
                        "cannot write the file: " + e.getMessage(), e);
            } finally {
                staging.clear();
            }
        }

        /**
         * Writes what is buffered, syncs the data to disk and renames the file to its name: the download appears
         * whole. The data (and the size that reads it back) is on disk before the name is, so no crash can leave a
         * partial LOCAL; the folder is not synced after the rename (one more journal commit, milliseconds of a
         * run that should end like a native tool's, issue 11): a power cut in the few seconds before the
         * kernel writes it back leaves what was there before (no LOCAL, or the old one) and the whole
         * {@code .part} file, as a cut during the transfer does.
         */
        void commit() throws IOException {
            try {
                flush();
            } catch (TftpSinkException e) {
                throw new IOException(e.getMessage(), e);
            }
            out.force(false); // fdatasync: the data and the size, not the times
            out.close();
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING); // same folder: cannot happen on POSIX
            }
            finished = true;
        }

        /** Deletes the temporary file (nothing if {@link #commit()} succeeded). */
        void abort() {
            deletePart();
        }

        private void deletePart() {
            try {
                out.close();
            } catch (IOException e) {
                // deleting it anyway
            }
            if (!finished) {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException e) {
                    // best effort; the message names the file below
                    System.err.println("netboot: cannot delete " + part + ": " + e.getMessage());
                }
            }
        }

        /** Aborts unless committed, and removes the shutdown hook. */
        @Override
        public void close() {
            deletePart();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs deletePart, which is idempotent
            }
        }
    }
}
