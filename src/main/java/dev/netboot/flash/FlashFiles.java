package dev.netboot.flash;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/** Maps a simulator's backing file: created erased when missing, reused as it is otherwise. */
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
        FileChannel channel;
        boolean created;
        try {
            if (readOnly) {
                channel = FileChannel.open(file, StandardOpenOption.READ);
                created = false;
            } else {
            // CREATE_NEW rather than an exists() check, so a file appearing in between is not overwritten.
                channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
                created = true;
            }
        } catch (FileAlreadyExistsException e) {
            try {
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                created = false;
            } catch (IOException e2) {
                throw new FlashException(FlashException.Kind.IO, "flash file " + file + ": cannot open: " + describe(e2), e2);
            }
        } catch (IOException e) {
            throw new FlashException(FlashException.Kind.IO, "flash file " + file + ": cannot " + (readOnly ? "open" : "create")
                    + ": " + describe(e), e);
        }
        Arena arena = Arena.ofShared();
        try (FileChannel open = channel) {
            if (!created) {
                long length = open.size();
                if (length != size) {
                    throw new FlashException(FlashException.Kind.IO, "flash file " + file + " is " + length
                            + " bytes (expected: " + size + " for profile geometry)");
                }
            }
            // Mapping past the end grows the file; the mapping outlives the channel.
            MemorySegment cells = open.map(readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE, 0, size, arena);
            if (created) {
                cells.fill((byte) erasedValue);
                cells.force();
            }
            return new Mapped(cells, arena, created);
        } catch (IOException e) {
            arena.close();
            throw new FlashException(FlashException.Kind.IO, "flash file " + file + ": cannot map " + size + " bytes: " + describe(e), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
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
