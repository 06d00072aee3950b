package dev.netboot.cli;

import dev.netboot.device.ImageSignature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code netboot keygen} and {@code netboot sign}: Ed25519 keys and detached image signatures. */
final class SignCommands {
    private SignCommands() {
    }

    /** The largest key file read: a PEM key is a few lines; anything this big is not one. */
    private static final int MAX_KEY_FILE = 64 * 1024;
    /**
     * The largest image {@code sign} takes: the JDK's Ed25519 keeps the message in one byte array until it signs (RFC
     * 8032's PureEdDSA hashes it twice), and a Java array holds at most this many bytes ({@code ArraysSupport}'s
     * {@code SOFT_MAX_ARRAY_LENGTH}); past it, an OutOfMemoryError whatever the heap.
     */
    static final long MAX_SIGNED = Integer.MAX_VALUE - 8;
    private static final String PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PEM_END = "-----END PRIVATE KEY-----";

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = {"Create an Ed25519 signing key (PKCS#8 PEM, readable by its owner only, as ssh-keygen writes keys) "
                    + "and print the public key for a profile's [security] public-key."})
    static final class Keygen implements Callable<Integer> {
        @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the private key (refuses to overwrite).")
        Path out;

        @Override
        public Integer call() throws GeneralSecurityException {
            String problem = writableTarget(out); // a folder first: it exists, but is no key not to overwrite
            if (problem != null) {
                System.err.println("netboot: --out " + problem);
                return Main.EXIT_USAGE;
            }
            if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
                System.err.println("netboot: " + out + " exists; not overwriting a key");
                return Main.EXIT_USAGE;
            }
            KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            String pem = PEM_BEGIN + "\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(kp.getPrivate().getEncoded()) + "\n" + PEM_END + "\n";
            try {
                writePrivate(out, pem.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                System.err.println("netboot: cannot write the key: " + IoProblems.of(out, e));
                return Main.EXIT_FAILED;
            }
            System.out.println("public-key = " + HexFormat.of().formatHex(ImageSignature.rawKey(kp.getPublic())));
            if (System.out.checkError()) {
                // The public key is lost (stdout on a full disk, /dev/full), and a key kept would make the next keygen
                // refuse to overwrite it: no key, and Main says the output was lost (exit 1); run it again.
                try {
                    Files.deleteIfExists(out);
                } catch (IOException e) {
                    System.err.println("netboot: cannot remove the key whose public key was lost: " + IoProblems.of(out, e));
                }
                return Main.EXIT_FAILED;
            }
            return 0;
        }
    }

    /**
     * Creates {@code file} (it must not exist) readable and writable by its owner only, from the start: the
     * permissions are given to the create call, so there is no moment when others could open it.
     */
    static void writePrivate(Path file, byte[] content) throws IOException {
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        boolean posix = file.toAbsolutePath().getFileSystem().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        try (SeekableByteChannel ch = Files.newByteChannel(file, options, attrs)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        if (posix) {
            // The umask can only take permissions away; make sure they are exactly 0600 (e.g. under an odd ACL default).
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }

    /** Returns what keeps {@code file} from being created ("x/k: no such directory x"), or null. */
    static String writableTarget(Path file) {
        String dash = OutputFiles.standardOutput(file);
        if (dash != null) {
            return dash;
        }
        if (Files.isDirectory(file)) {
            return file + ": is a directory (expected: a file name)";
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            return file + ": no such directory " + (file.getParent() != null ? file.getParent() : parent);
        }
        return null;
    }

    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = {"Sign an image: writes FILE.sig, the 64-byte raw Ed25519 signature the board fetches next to FILE."})
    static final class Sign implements Callable<Integer> {
        @Option(names = "--key", paramLabel = "FILE", required = true, description = "PKCS#8 PEM private key from 'netboot keygen'.")
        Path key;

        @Option(names = "--out", paramLabel = "FILE", description = "Signature file (default: IMAGE.sig).")
        Path out;

        @Parameters(paramLabel = "IMAGE", description = "The image to sign.")
        Path image;

        @Override
        public Integer call() {
            PrivateKey pk;
            try {
                pk = readKey(key);
            } catch (IOException e) {
                System.err.println("netboot: --key " + IoProblems.of(key, e));
                return Main.EXIT_USAGE;
            } catch (IllegalArgumentException e) {
                System.err.println("netboot: --key " + key + " is not a PKCS#8 Ed25519 private key: " + e.getMessage());
                return Main.EXIT_USAGE;
            }
            if (Files.isDirectory(image)) {
                System.err.println("netboot: " + image + ": is a directory (expected: the image to sign)");
                return Main.EXIT_USAGE;
            }
            if (!Files.isRegularFile(image)) {
                System.err.println("netboot: " + image + (Files.exists(image) ? ": not a regular file (expected: the image to sign)"
                        : ": no such file"));
                return Main.EXIT_USAGE;
            }
            Path target = out != null ? out : image.resolveSibling(image.getFileName() + ".sig");
            String problem = writableTarget(target);
            if (problem != null) {
                System.err.println("netboot: " + (out != null ? "--out " : "") + problem);
                return Main.EXIT_USAGE;
            }
            // The signature replaces what is there: never the image it signs, nor the private key (by name, link or
            // hard link), which a slip of --out would otherwise lose for 64 bytes of signature.
            String which = sameFile(target, image) ? "the image it signs" : sameFile(target, key) ? "the private key --key" : null;
            if (which != null) {
                System.err.println("netboot: " + (out != null ? "--out " : "") + target + " is " + which
                        + "; not overwriting it with the signature (expected: a file of its own, e.g. " + image.getFileName() + ".sig)");
                return Main.EXIT_USAGE;
            }
            long size;
            try {
                size = Files.size(image);
            } catch (IOException e) {
                System.err.println("netboot: cannot read " + IoProblems.of(image, e));
                return Main.EXIT_FAILED;
            }
            if (size > MAX_SIGNED) {
                System.err.println("netboot: " + image + " is " + size + " bytes, too large to sign (expected: at most " + MAX_SIGNED
                        + " bytes: Ed25519 (RFC 8032) hashes the message twice, so the JDK holds the whole image in memory, in one array)");
                return Main.EXIT_USAGE;
            }
            byte[] signature;
            try (InputStream in = Files.newInputStream(image)) {
                // Read in 64 KiB pieces, but the JDK's Ed25519 keeps every byte until sign(): the heap must hold the
                // image (twice over at its end), which is what MAX_SIGNED and the OutOfMemoryError below are about.
                Signature s = Signature.getInstance("Ed25519");
                s.initSign(pk);
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) > 0; ) {
                    s.update(buf, 0, n);
                }
                signature = s.sign();
            } catch (IOException e) {
                System.err.println("netboot: cannot read " + IoProblems.of(image, e));
                return Main.EXIT_FAILED;
            } catch (GeneralSecurityException e) {
                System.err.println("netboot: signing failed: " + e.getMessage());
                return Main.EXIT_FAILED;
            } catch (OutOfMemoryError e) {
                // Not a stack trace: what ran out, and how much would do. The array grows by doubling and is copied at
                // sign(), and the serial GC's old generation is part of the heap: 200 MB needed 446..520 MiB, 50 MB
                // 100..150 MiB (measured); four times the image and 64 MiB besides holds both with room.
                long advise = Math.max(256, (4 * size >> 20) + 64);
                System.err.println("netboot: out of memory signing " + image + " (" + size + " bytes): the Java heap (at most "
                        + BootCommand.sizeOf(Runtime.getRuntime().maxMemory()) + ") is too small, since Ed25519 holds the whole image"
                        + " in memory; give the JVM more, e.g. JAVA_OPTS=-Xmx" + advise + "m");
                return Main.EXIT_FAILED;
            }
            try {
                writeWhole(target, signature);
            } catch (IOException e) {
                System.err.println("netboot: cannot write the signature: " + IoProblems.of(target, e));
                return Main.EXIT_FAILED;
            }
            System.out.println(target);
            return 0;
        }
    }

    /**
     * Writes {@code bytes} to {@code target} whole or not at all: into a part file beside it ({@link HostFiles.Download#partName}),
     * forced, then renamed over it, with its permissions (a symbolic link is followed: the file it names is replaced).
     * Written in place, a full disk or a kill left a short or empty signature where a good one had been. A target that
     * is not a regular file (a device, a pipe: {@code --out /dev/stdout}) is written as it is.
     */
    private static void writeWhole(Path target, byte[] bytes) throws IOException {
        Path real = Files.exists(target) ? target.toRealPath() : target;
        if (Files.exists(real) && !Files.isRegularFile(real)) {
            Files.write(real, bytes);
            return;
        }
        Path part = real.resolveSibling(HostFiles.Download.partName(real.getFileName().toString(),
                Long.toHexString(ProcessHandle.current().pid())));
        try {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(part, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            HostFiles.Download.keepMode(real, part);
            Files.move(part, real, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(part); // there only when something failed
        }
    }

    /** Whether {@code a} exists and is the file {@code b} is (the same name, a link to it, or another hard link). */
    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false; // what cannot be told apart is written as before, and its error said then
        }
    }

    /**
     * Reads a PKCS#8 PEM Ed25519 private key.
     *
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException when it is not one, saying what was expected
     */
    static PrivateKey readKey(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("it is a directory");
        }
        if (Files.size(file) > MAX_KEY_FILE) {
            throw new IllegalArgumentException("it is " + Files.size(file) + " bytes (expected: a PEM text of a few lines)");
        }
        // A device or a pipe has no size, and may have no end (/dev/zero): read no more than a key file may hold.
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_KEY_FILE + 1);
        }
        if (bytes.length > MAX_KEY_FILE) {
            throw new IllegalArgumentException("it is more than " + MAX_KEY_FILE + " bytes (expected: a PEM text of a few lines)");
        }
        // ISO-8859-1 reads any bytes: a binary file is refused below for what it lacks, not for its encoding.
        String text = new String(bytes, StandardCharsets.ISO_8859_1).trim();
        if (!text.startsWith(PEM_BEGIN) || !text.endsWith(PEM_END)) {
            throw new IllegalArgumentException("expected a '" + PEM_BEGIN + "' block, as 'netboot keygen' writes");
        }
        String b64 = text.substring(PEM_BEGIN.length(), text.length() - PEM_END.length()).replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("its PEM block is not base64");
        }
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("its PEM block holds no Ed25519 key (expected: a key from 'netboot keygen')");
        }
    }
}
