package dev.netboot.cli;

import dev.netboot.emulator.EmulatedBoot;
import dev.netboot.emulator.Scenario;
import dev.netboot.emulator.ServedFile;
import dev.netboot.emulator.TftpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code netboot serve} serves as the scenario's boot file when no {@code --root} is given: the image, and the
 * files a board asks for beside it, its SHA-256 ({@code FILE.sha256}, as sha256sum writes it: a board checks it before
 * it commits) and its detached signature ({@code FILE.sig}, netboot sign: a board with a public key checks it).
 *
 * @param image     the boot file
 * @param digest    its {@code .sha256}; null when there is none
 * @param signature its {@code .sig}; null when there is none
 */
record ServeImage(ServedFile image, ServedFile digest, ServedFile signature) implements AutoCloseable {
    /**
     * Opens {@code --image FILE} and the {@code FILE.sha256} and {@code FILE.sig} that lie beside it.
     *
     * @throws UsageError when one of them cannot be read (nothing is left open)
     */
    static ServeImage open(Path image) {
        if (Files.isDirectory(image)) {
            throw new UsageError("--image " + image + ": is a directory (expected: a file)");
        }
        ServedFile served;
        try {
            served = ServedFile.open(image);
        } catch (IOException e) {
            throw new UsageError("--image " + IoProblems.of(image, e));
        }
        ServedFile digest = null;
        try {
            digest = beside(image, ".sha256", "--image's digest ");
            return new ServeImage(served, digest, beside(image, ".sig", "--image's signature "));
        } catch (UsageError e) {
            served.close();
            if (digest != null) {
                digest.close();
            }
            throw e;
        }
    }

    /** The image a scenario generates from its seed (1 MiB + 337 bytes), with its SHA-256 served beside it. */
    static ServeImage generated(Scenario sc) {
        ServedFile served = ServedFile.of(EmulatedBoot.generatedImage(sc.seed()));
        try {
            return new ServeImage(served, ServedFile.of((served.sha256() + "  " + sc.servedFile() + "\n").getBytes(StandardCharsets.US_ASCII)),
                    null);
        } catch (IOException e) {
            throw new IllegalStateException("an image in memory cannot fail to read", e);
        }
    }

    /** Serves the image on {@code tftp} as {@code name}, and what lies beside it; returns the names of those beside it. */
    List<String> serveOn(TftpServer tftp, String name) {
        tftp.serve(name, image);
        List<String> sidecars = new ArrayList<>();
        if (digest != null) {
            tftp.serve(name + ".sha256", digest);
            sidecars.add(name + ".sha256");
        }
        if (signature != null) {
            tftp.serve(name + ".sig", signature);
            sidecars.add(name + ".sig");
        }
        return sidecars;
    }

    @Override
    public void close() {
        image.close();
        if (digest != null) {
            digest.close();
        }
        if (signature != null) {
            signature.close();
        }
    }

    /** Opens {@code image + suffix} when it is a file beside the image; null when there is none. */
    private static ServedFile beside(Path image, String suffix, String what) {
        Path file = image.resolveSibling(image.getFileName() + suffix);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return ServedFile.open(file);
        } catch (IOException e) {
            throw new UsageError(what + IoProblems.of(file, e));
        }
    }
}
