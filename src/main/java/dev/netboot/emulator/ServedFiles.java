package dev.netboot.emulator;

import dev.netboot.wire.TftpWire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The files a TFTP server reads out, by name (exact match, or with the leading {@code /}s of the request left out, as
 * tftpd-hpa's {@code -s} reads "/boot.img"); what a request's mode makes of them (RFC 1350's netascii) is the session's
 * ({@link ReadBlocks}).
 *
 * <p>Beside the names given one by one, a folder may be served ({@link #serveFolder}), as tftpd-hpa's {@code -s DIR}
 * serves one: a name is a path under the folder, a leading {@code /} standing for the folder itself; a name with a
 * {@code ..} part, or one whose file lies outside the folder once symbolic links are followed, is refused (ERROR 2),
 * and so is anything but a regular file. A name with a part longer than {@link #NAME_MAX} bytes, or longer than
 * {@link #PATH_MAX} in all, is answered as tftpd-hpa 5.2 {@code -s} and dnsmasq 2.90 answer it, ERROR 0 "File name too
 * long" (their open() fails with ENAMETOOLONG; atftpd 0.8 says ERROR 1; measured on loopback): not an access violation,
 * and not a file that might appear. A file changed on disk since it was last asked for is served as it is now;
 * at most {@link #MAX_OPEN} of the folder's files are open at once, the least recently read closed first (reopened when
 * read again), so no number of clients and files runs the server out of file descriptors.
 */
final class ServedFiles implements AutoCloseable {
    /** A request the folder refuses: the TFTP error code and message to answer with. */
    static final class Refused extends Exception {
        private final int code;

        Refused(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        /** Returns the TFTP error code. */
        int code() {
            return code;
        }
    }

    /** The folder's files open at once, at most. */
    static final int MAX_OPEN = 64;

    private final Map<String, ServedFile> files = new LinkedHashMap<>();
    private Path folder;     // null: the names given one by one only
    private Path realFolder; // the folder with its symbolic links followed
    private final Map<String, ServedFile.InFolder> known = new HashMap<>(); // by real path, the version last asked for
    // The folder's files with an open channel, least recently read first.
    private final LinkedHashMap<ServedFile.InFolder, Boolean> open = new LinkedHashMap<>(16, 0.75f, true);

    /** Serves {@code content} under {@code name}, replacing what was served under it. */
    void serve(String name, ServedFile content) {
        files.put(name, Objects.requireNonNull(content, "content"));
    }

    /**
     * Serves the regular files under {@code folder} by their paths in it (after the names given one by one).
     *
     * @throws IOException when {@code folder} is not a folder that can be read
     */
    void serveFolder(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new NoSuchFileException(folder.toString(), null, "not a folder");
        }
        this.folder = folder.toAbsolutePath().normalize();
        this.realFolder = folder.toRealPath();
    }

    /**
     * Returns the file a read of {@code name} sends; null when no file has that name.
     *
     * @throws Refused when the served folder refuses the name
     */
    ServedFile read(String name) throws Refused {
        ServedFile f = files.get(name);
        if (f == null && (name.startsWith("/") || name.startsWith("./"))) {
            // As tftpd-hpa -s reads it, "/boot.img" is boot.img: a boot loader told the file's path from the root; and
            // so are "./boot.img" and "/./boot.img", the path from the served folder, which tftpd-hpa -s sends too.
            f = files.get(name.replaceFirst("^(/|\\./)+", ""));
        }
        if (f == null && folder != null) {
            f = fromFolder(name);
        }
        return f;
    }

    private ServedFile fromFolder(String name) throws Refused {
        tooLong(name);
        String relative = name;
        while (relative.startsWith("/")) {
            relative = relative.substring(1); // tftpd-hpa -s: "/boot.img" is the folder's boot.img
        }
        if (relative.isEmpty()) {
            return null;
        }
        for (String part : relative.split("/")) {
            if (part.equals("..")) {
                throw new Refused(TftpWire.ERR_ACCESS, "Access violation: '..' in the file name");
            }
        }
        Path path;
        try {
            path = folder.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            return null; // a NUL or another byte no file name here has
        }
        BasicFileAttributes a;
        Path real;
        try {
            real = path.toRealPath();
            a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new Refused(TftpWire.ERR_ACCESS, "Access violation: the file cannot be read");
        }
        if (!real.startsWith(realFolder)) {
            throw new Refused(TftpWire.ERR_ACCESS, "Access violation: outside the served folder");
        }
        if (!a.isRegularFile()) {
            throw new Refused(TftpWire.ERR_ACCESS, "Access violation: not a regular file");
        }
        if (!Files.isReadable(real)) {
            throw new Refused(TftpWire.ERR_ACCESS, "Access violation: permission denied");
        }
        ServedFile.InFolder f = known.get(real.toString());
        if (f == null || !f.sameAs(a)) {
            // A session still reading the old version fails if its file must be opened again.
            f = new ServedFile.InFolder(real, a, this::opened);
            known.put(real.toString(), f);
        }
        return f;
    }

    /** Longest name of one file or folder on Linux file systems (ext4, xfs, tmpfs), bytes. */
    static final int NAME_MAX = 255;
    /** Longest path the Linux kernel takes, bytes, its terminating NUL left out. */
    static final int PATH_MAX = 4095;

    /** Refuses a name no file can have here (ENAMETOOLONG), as tftpd-hpa and dnsmasq do: ERROR 0 "File name too long". */
    private void tooLong(String name) throws Refused {
        boolean tooLong = (folder.toString() + "/" + name).getBytes(StandardCharsets.UTF_8).length > PATH_MAX;
        for (String part : name.split("/")) {
            tooLong |= part.getBytes(StandardCharsets.UTF_8).length > NAME_MAX;
        }
        if (tooLong) {
            throw new Refused(TftpWire.ERR_NOT_DEFINED, "File name too long");
        }
    }

    /** {@code f} was read: it is the most recently read; past {@link #MAX_OPEN}, the least recently read is closed. */
    private void opened(ServedFile.InFolder f) {
        open.put(f, Boolean.TRUE);
        if (open.size() > MAX_OPEN) {
            ServedFile.InFolder eldest = open.keySet().iterator().next();
            open.remove(eldest);
            eldest.close();
        }
    }

    /** Closes the files this opened from the folder (the names given one by one stay their givers'). */
    @Override
    public void close() {
        for (ServedFile.InFolder f : open.keySet()) {
            f.close();
        }
        open.clear();
        known.clear();
    }
}
