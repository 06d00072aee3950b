package dev.netboot.emulator;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The files a TFTP server reads out, by name (exact match) and in the request's mode (RFC 1350): octet as they are,
 * netascii as {@link ServedFile.Netascii} carries them, each file's netascii view made on its first such request and
 * kept until the file is served anew.
 */
final class ServedFiles {
    private final Map<String, ServedFile> files = new LinkedHashMap<>();
    private final Map<String, ServedFile> netascii = new HashMap<>();

    /** Serves {@code content} under {@code name}, replacing what was served under it. */
    void serve(String name, ServedFile content) {
        files.put(name, Objects.requireNonNull(content, "content"));
        netascii.remove(name);
    }

    /**
     * Returns what a read of {@code name} sends: the file, or with {@code netascii} its netascii view; null when no
     * file has that name.
     *
     * @throws IOException when the file cannot be read to make its netascii view
     */
    ServedFile read(String name, boolean netascii) throws IOException {
        ServedFile raw = files.get(name);
        if (raw == null || !netascii) {
            return raw;
        }
        ServedFile view = this.netascii.get(name);
        if (view == null) {
            view = ServedFile.netascii(raw);
            this.netascii.put(name, view);
        }
        return view;
    }
}
