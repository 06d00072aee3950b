package dev.netboot.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/** Says what an I/O error means for a file the user named, in words, without Java's exception names. */
final class IoProblems {
    private IoProblems() {
    }

    /** Returns e.g. {@code "boot.img: no such file"} or {@code "out/: is a directory"}. */
    static String of(Path file, IOException e) {
        return file + ": " + what(file, e);
    }

    /** Returns what went wrong with {@code file}: "no such file", "permission denied", "is a directory", ... */
    static String what(Path file, IOException e) {
        return switch (e) {
            case NoSuchFileException n -> missing(file, n);
            case AccessDeniedException _ -> "permission denied";
            case FileAlreadyExistsException _ -> "exists";
            case NotDirectoryException _ -> "a part of the path is not a directory";
            case java.nio.charset.CharacterCodingException _ -> "not UTF-8 text (expected: a text file)";
            case FileSystemException f when f.getReason() != null -> lower(f.getReason());
            default -> e.getMessage() == null ? "input/output error" : lower(e.getMessage());
        };
    }

    /** A missing file, or a file in a folder that does not exist: say which. */
    private static String missing(Path file, NoSuchFileException e) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            return "no such directory " + (file.getParent() != null ? file.getParent() : parent);
        }
        return "no such file";
    }

    private static String lower(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
    }

    /**
     * Returns the one line for a fault of a mapped flash file, or null when {@code e} is another internal error. The
     * JVM raises the kernel's SIGBUS on a mapped page the file system cannot give (the file cut short by another program
     * while mapped, a sparse file on a full disk) as an InternalError about an "unsafe memory access", possibly some
     * way past the access; the boot or the command has stopped there, as at a power cut.
     */
    static String mappedFault(Path flashFile, InternalError e) {
        if (flashFile == null || e.getMessage() == null || !e.getMessage().contains("unsafe memory access")) {
            return null;
        }
        return "the flash file " + flashFile + " could not be read or written where it is mapped: it was cut short while in use,"
                + " or its file system is full and the file sparse";
    }
}
