package dev.netboot.flash;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Maps a simulator's backing file: created erased when missing (made whole under a name of its own, then given its name:
 * {@link #newFile}, {@link #publish}), reused as it is otherwise.
 */
final class FlashFiles {
    private FlashFiles() {}

    /**
     * A mapped file: its cells, the arena that unmaps them, and whether it was just created.
     *
     * @param cells   the mapping, {@code size} bytes
     * @param arena   closing it unmaps the file
     * @param created true if the file did not exist and was filled with the erased value
     */
    record Mapped(MemorySegment cells, Arena arena, boolean created) {}

    /**
     * Maps {@code size} bytes of {@code file}, creating it filled with {@code erasedValue} if missing.
     *
     * @throws FlashException IO if the file cannot be created or mapped, or if an existing file's
     *                        length is not {@code size}
     */
    static Mapped map(Path file, long size, int erasedValue) {
        return map(file, size, erasedValue, false);
    }

    /**
     * Maps {@code size} bytes of {@code file} as {@link #map(Path, long, int)} does, or, when {@code readOnly}, maps the
     * existing file for reading only: it is opened without write access (a file the user may only read, an immutable
     * file or a read-only file system all do), never created, and a write to its cells throws STATE.
     */
    static Mapped map(Path file, long size, int erasedValue, boolean readOnly) {
        Objects.requireNonNull(file, "file");
        if (!readOnly && !Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Mapped made = create(file, size, erasedValue);
            if (made != null) {
                return made;
            }
        }
        FileChannel channel;
        try {
            channel = readOnly ? FileChannel.open(file, StandardOpenOption.READ)
                    : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new FlashException(FlashException.Kind.IO, "flash file " + file + ": cannot open: " + describe(e), e);
        }
        Arena arena = Arena.ofShared();
        try (FileChannel open = channel) {
            long length = open.size();
            if (length != size) {
                throw new FlashException(FlashException.Kind.IO, "flash file " + file + " is " + length
                        + " bytes (expected: " + size + " for profile geometry)");
            }
            // The mapping outlives the channel.
            MemorySegment cells = open.map(readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE, 0, size, arena);
            return new Mapped(cells, arena, false);
        } catch (IOException e) {
            arena.close();
            throw new FlashException(FlashException.Kind.IO, "flash file " + file + ": cannot map " + size + " bytes: " + describe(e), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Makes {@code file} anew, {@code size} bytes of {@code erasedValue}, under a name of its own beside it ({@link #newFile}),
     * and maps it; returns null if another process made {@code file} first (then its file is the one to open).
     */
    private static Mapped create(Path file, long size, int erasedValue) {
        Path part = newFile(file);
        Arena arena = Arena.ofShared();
        boolean mapped = false;
        try (FileChannel open = FileChannel.open(part, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // Mapping past the end grows the file.
            MemorySegment cells = open.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            try {
                cells.fill((byte) erasedValue);
            } catch (InternalError e) { // the JVM's word for a fault in a mapping: here, no room for the file's pages
                throw new FlashException(FlashException.Kind.IO, "flash file " + file + ": cannot create: no room for its "
                        + size + " bytes (is the file system full?)", e);
            }
            cells.force();
            mapped = publish(part, file);
            return mapped ? new Mapped(cells, arena, true) : null;
        } catch (IOException e) {
            throw new FlashException(FlashException.Kind.IO, "flash file " + file + ": cannot map " + size + " bytes: " + describe(e), e);
        } finally {
            if (!mapped) { // an error (a full file system faults the fill), or the other process's file won
                arena.close();
                deleteQuietly(part);
            }
        }
    }

    /**
     * Creates, empty, the file in which a new flash file is made whole before it takes its name ({@link #publish}):
     * {@code .NAME.creating-PID-N} beside {@code file}. So no process, and no later run after a power cut or a kill during
     * the fill, ever opens a flash file shorter than its chip or not yet erased (such a file was refused as the wrong size,
     * or taken as written with zeros). What runs that died while making one left there is removed first.
     *
     * @throws FlashException IO if it cannot be created (as {@code file} could not be)
     */
    static Path newFile(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString();
        // A file name is at most 255 bytes: a long NAME is cut (at a character) to leave room for the longest PID-N.
        while (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255 - ".creating-".length() - 2 * 20 - 1) {
            name = name.substring(0, name.length() - (Character.isLowSurrogate(name.charAt(name.length() - 1)) ? 2 : 1));
        }
        String prefix = "." + name + ".creating-";
        removeLeftovers(dir, prefix);
        Path part = dir.resolve(prefix + ProcessHandle.current().pid() + "-" + CREATED.incrementAndGet());
        try {
            FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
            return part;
        } catch (IOException e) {
            throw new FlashException(FlashException.Kind.IO, "flash file " + file + ": cannot create: " + describe(e), e);
        }
    }

    private static final java.util.concurrent.atomic.AtomicLong CREATED = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Gives {@code part}, written whole and forced, the name {@code file}, unless {@code file} exists by now (then another
     * run made it first: {@code part} is removed and false returned). A hard link: taking the name and finding it taken are
     * one step; a file system without hard links gets a rename that checks first.
     *
     * @throws FlashException IO if the name cannot be given
     */
    static boolean publish(Path part, Path file) {
        try {
            try {
                Files.createLink(file, part);
                deleteQuietly(part);
            } catch (FileAlreadyExistsException e) {
                throw e;
            } catch (UnsupportedOperationException | IOException e) {
                Files.move(part, file); // FileAlreadyExistsException if it is there
            }
        } catch (FileAlreadyExistsException e) {
            deleteQuietly(part);
            return false;
        } catch (IOException e) {
            deleteQuietly(part);
            throw new FlashException(FlashException.Kind.IO, "flash file " + file + ": cannot create: " + describe(e), e);
        }
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true); // the new name survives a power cut, as the bytes do
        } catch (IOException e) {
            // a folder that cannot be forced (not every file system allows it): the name is there, made durable later
        }
        return true;
    }

    /** Removes the files in {@code dir} named {@code prefix + PID-N} whose process has ended: a fill a kill or power cut stopped. */
    private static void removeLeftovers(Path dir, String prefix) {
        try (java.nio.file.DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (!name.startsWith(prefix)) {
                    continue;
                }
                int dash = name.indexOf('-', prefix.length());
                try {
                    long pid = Long.parseLong(name.substring(prefix.length(), dash < 0 ? name.length() : dash));
                    if (ProcessHandle.of(pid).isEmpty()) {
                        deleteQuietly(p);
                    }
                } catch (NumberFormatException e) {
                    // not one of ours
                }
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            // an unreadable folder: nothing is removed; creating the file will say what is wrong
        }
    }

    /** Deletes {@code p} if it is there; a failure leaves it, as a leftover the next creation removes. */
    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // left for removeLeftovers
        }
    }

    /** Says what went wrong in words ("is a directory", "no such file or directory"), without Java's exception names. */
    static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        String why = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        return why == null || why.isEmpty() ? "input/output error" : Character.toLowerCase(why.charAt(0)) + why.substring(1);
    }

    /** Forces a file mapping to storage and unmaps it; {@code description} names it in the error. */
    static void forceAndClose(MemorySegment cells, Arena arena, String description) {
        try {
            if (!cells.isReadOnly()) {
                cells.force();
            }
        } catch (java.io.UncheckedIOException e) {
            throw new FlashException(FlashException.Kind.IO, "flash " + description + ": cannot force to storage: " + describe(e.getCause()), e);
        } finally {
            arena.close();
        }
    }
}
