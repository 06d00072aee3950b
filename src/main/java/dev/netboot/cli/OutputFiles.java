package dev.netboot.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a command writes (a capture, a timeline, a plot, a flash file), checked before any is created against the
 * files it reads (the image, its signature and digest, the scenario, the profile) and against each other. An output that
 * is an input would destroy it: {@code boot --image fw.bin --pcap fw.bin} truncated the user's image and then failed
 * reading it, and {@code --timeline fw.bin} replaced it with an SVG and exited 0. Two outputs that are one file keep only
 * the one written last. The same file is the same path, or, where both exist, the same file by another path (a link).
 */
final class OutputFiles {
    private record Named(String option, Path file) {
    }

    private final List<Named> reads = new ArrayList<>();
    private final List<Named> writes = new ArrayList<>();

    /** Notes that the command reads {@code file} (null: not given) for {@code option}, like {@code --image}. */
    OutputFiles reads(String option, Path file) {
        if (file != null) {
            reads.add(new Named(option, file));
        }
        return this;
    }

    /** Notes that the command writes {@code file} (null: not given) for {@code option}, like {@code --pcap}. */
    OutputFiles writes(String option, Path file) {
        if (file != null) {
            writes.add(new Named(option, file));
        }
        return this;
    }

    /**
     * Refuses the first output that is an input or an output named before it.
     *
     * @throws UsageError naming both options
     */
    void check() {
        for (int i = 0; i < writes.size(); i++) {
            Named w = writes.get(i);
            String dash = standardOutput(w.file);
            if (dash != null) {
                throw new UsageError(w.option + " " + dash);
            }
            for (Named r : reads) {
                if (same(w.file, r.file)) {
                    throw new UsageError(w.option + " " + w.file + ": the same file as " + r.option
                            + " (expected: another file: writing it would destroy that input)");
                }
            }
            for (Named earlier : writes.subList(0, i)) {
                if (same(w.file, earlier.file)) {
                    throw new UsageError(w.option + " " + w.file + ": the same file as " + earlier.option
                            + " (expected: another file: one would overwrite the other)");
                }
            }
        }
    }

    /**
     * Returns what is wrong with {@code file} as an output when it is {@code -}, else null: to curl ({@code -o -}), tcpdump
     * ({@code -w -}) and busybox it is standard output, which netboot's own lines use; a file called '-' made instead
     * would surprise such a user.
     */
    static String standardOutput(Path file) {
        return file.toString().equals("-") ? "-: standard output, which netboot does not write files to (expected: a file"
                + " name; ./- for a file called '-')" : null;
    }

    private static boolean same(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        if (!Files.exists(a) || !Files.exists(b)) {
            return false;
        }
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false; // cannot tell; the command's own checks of each file say what is wrong with it
        }
    }
}
