package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.ImageSignature;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashGeometry;
import dev.netboot.flash.FlashWriter;
import dev.netboot.flash.Partition;
import dev.netboot.flash.SimulatedNorFlash;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignCommandsTest {
    @TempDir
    Path dir;

    @Test
    void keygenThenSignProducesASignatureTheBoardAccepts() throws Exception {
        Path key = dir.resolve("k.pem");
        BootCliTest.Run kg = BootCliTest.run("keygen", "--out", key.toString());
        assertEquals(0, kg.exit(), kg.err());
        String line = kg.out().trim();
        assertTrue(line.startsWith("public-key = "), line);
        byte[] pub = HexFormat.of().parseHex(line.substring("public-key = ".length()));
        assertEquals(32, pub.length);

        byte[] image = BootCliTest.randomImage(3000, 4);
        Path img = Files.write(dir.resolve("boot.img"), image);
        BootCliTest.Run sg = BootCliTest.run("sign", "--key", key.toString(), img.toString());
        assertEquals(0, sg.exit(), sg.err());
        byte[] sig = Files.readAllBytes(dir.resolve("boot.img.sig"));
        assertEquals(64, sig.length);

        Flash flash = SimulatedNorFlash.inMemory(new FlashGeometry(1 << 20, 4096, 256, 0xFF));
        Partition slot = new Partition("a", 0, 0x10000);
        FlashWriter w = new FlashWriter(flash, slot);
        w.begin(image.length);
        w.write(ByteBuffer.wrap(image), 0, image.length);
        w.finish();
        assertNull(ImageSignature.check(flash, slot, image.length, sig, ImageSignature.publicKey(pub)));
    }

    @Test
    void keygenNeverOverwritesAKey() throws Exception {
        Path key = Files.writeString(dir.resolve("k.pem"), "precious");
        assertEquals(2, BootCliTest.run("keygen", "--out", key.toString()).exit());
        assertEquals("precious", Files.readString(key));
    }

    @Test
    void keygenWhosePublicKeyCannotBePrintedKeepsNoKey() throws Exception {
        // Standard output on a full disk: the public key line is lost. Before, the private key stayed, exit 1, and the
        // next keygen refused to overwrite it ("exists; not overwriting a key"): a key whose public half was nowhere.
        Path key = dir.resolve("k.pem");
        int exit;
        synchronized (BootCliTest.class) {
            java.io.PrintStream old = System.out;
            System.setOut(new java.io.PrintStream(new java.io.OutputStream() {
                @Override
                public void write(int b) throws java.io.IOException {
                    throw new java.io.IOException("No space left on device");
                }
            }, true));
            try {
                exit = Main.run("keygen", "--out", key.toString());
            } finally {
                System.setOut(old);
            }
        }
        assertEquals(Main.EXIT_FAILED, exit);
        assertTrue(Files.notExists(key), "no key without its public key");
        assertEquals(0, BootCliTest.run("keygen", "--out", key.toString()).exit(), "keygen again makes one");
    }

    @Test
    void keygenIntoAFolderSaysItIsAFolder() throws Exception {
        // Before: "DIR exists; not overwriting a key", as if a key were there.
        BootCliTest.Run r = BootCliTest.run("keygen", "--out", dir.toString());
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertEquals("netboot: --out " + dir + ": is a directory (expected: a file name)\n", r.err());
    }

    @Test
    void keygenWritesThePrivateKeyReadableByItsOwnerOnly() throws Exception {
        Path key = dir.resolve("k.pem");
        assertEquals(0, BootCliTest.run("keygen", "--out", key.toString()).exit());
        assertEquals(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(key));
    }

    @Test
    void keygenIntoAMissingFolderIsOneLine() {
        BootCliTest.Run r = BootCliTest.run("keygen", "--out", dir.resolve("missing-dir/k").toString());
        assertEquals(2, r.exit());
        assertEquals("netboot: --out " + dir.resolve("missing-dir/k") + ": no such directory " + dir.resolve("missing-dir") + "\n",
                r.err());
    }

    @Test
    void signIntoAMissingFolderIsOneLineAndWritesNothing() throws Exception {
        Path key = dir.resolve("k.pem");
        assertEquals(0, BootCliTest.run("keygen", "--out", key.toString()).exit());
        Path img = Files.write(dir.resolve("boot.img"), BootCliTest.randomImage(1000, 1));
        BootCliTest.Run r = BootCliTest.run("sign", "--key", key.toString(), "--out", dir.resolve("missing-dir/x.sig").toString(),
                img.toString());
        assertEquals(2, r.exit());
        assertEquals("netboot: --out " + dir.resolve("missing-dir/x.sig") + ": no such directory " + dir.resolve("missing-dir") + "\n",
                r.err());
    }

    @Test
    void signWithABinaryFileAsKeyIsOneLine() throws Exception {
        Path bin = Files.write(dir.resolve("boot.img"), new byte[] {(byte) 0xC3, 0x28, 0, (byte) 0xFF, 0x7F});
        BootCliTest.Run r = BootCliTest.run("sign", "--key", bin.toString(), bin.toString());
        assertEquals(2, r.exit());
        assertEquals("netboot: --key " + bin + " is not a PKCS#8 Ed25519 private key: expected a '-----BEGIN PRIVATE KEY-----' block,"
                + " as 'netboot keygen' writes\n", r.err());
    }

    @Test
    void aKeyOrImageWithoutEndOrSizeIsOneLine() throws Exception {
        // /dev/zero has no size and no end: before, it was read whole as the key, a stack trace of OutOfMemoryError.
        BootCliTest.Run r = BootCliTest.run("sign", "--key", "/dev/zero", "x");
        assertEquals(2, r.exit(), r.err());
        assertEquals("netboot: --key /dev/zero is not a PKCS#8 Ed25519 private key: it is more than 65536 bytes (expected: a PEM text"
                + " of a few lines)\n", r.err());
        // An image that is a device: before, "no such file", of a file that is there.
        Path key = dir.resolve("k.pem");
        assertEquals(0, BootCliTest.run("keygen", "--out", key.toString()).exit());
        r = BootCliTest.run("sign", "--key", key.toString(), "/dev/null");
        assertEquals(2, r.exit(), r.err());
        assertEquals("netboot: /dev/null: not a regular file (expected: the image to sign)\n", r.err());
    }

    @Test
    void signNeverWritesItsSignatureOverTheImageOrTheKey() throws Exception {
        // Before: --out naming the image (or the key) replaced it with the 64-byte signature, exit 0: the image, or
        // the private key, lost.
        Path key = dir.resolve("k.pem");
        assertEquals(0, BootCliTest.run("keygen", "--out", key.toString()).exit());
        byte[] keyBytes = Files.readAllBytes(key);
        byte[] image = BootCliTest.randomImage(3000, 7);
        Path img = Files.write(dir.resolve("boot.img"), image);
        Path link = Files.createSymbolicLink(dir.resolve("link.img"), img.getFileName());
        Path hard = Files.createLink(dir.resolve("hard.pem"), key);
        for (Path out : new Path[] {img, link, key, hard}) {
            BootCliTest.Run r = BootCliTest.run("sign", "--key", key.toString(), "--out", out.toString(), img.toString());
            assertEquals(Main.EXIT_USAGE, r.exit(), out + ": " + r.err());
            String which = out.equals(img) || out.equals(link) ? "the image it signs" : "the private key --key";
            assertEquals("netboot: --out " + out + " is " + which
                    + "; not overwriting it with the signature (expected: a file of its own, e.g. boot.img.sig)\n", r.err());
            assertEquals(java.util.Arrays.toString(image), java.util.Arrays.toString(Files.readAllBytes(img)));
            assertEquals(new String(keyBytes), Files.readString(key));
        }
        assertTrue(Files.notExists(dir.resolve("boot.img.sig")));
        // A signature of its own, and one written again over an older one, as before.
        Path sig = Files.write(dir.resolve("old.sig"), new byte[64]);
        assertEquals(0, BootCliTest.run("sign", "--key", key.toString(), "--out", sig.toString(), img.toString()).exit());
        assertEquals(64, Files.size(sig));
        assertEquals(0, BootCliTest.run("sign", "--key", key.toString(), img.toString()).exit());
        assertEquals(64, Files.size(dir.resolve("boot.img.sig")));
    }

    @Test
    void anImageTooLargeForOneJavaArrayIsRefusedInOneLine() throws Exception {
        // Before: a 3 GiB image ran 24 s and ended in a stack trace, "OutOfMemoryError: Required array length
        // 2147483639 + 9 is too large", exit 1: the JDK's Ed25519 keeps the message in one array until it signs, and a
        // Java array holds at most Integer.MAX_VALUE - 8 bytes (the JDK's SOFT_MAX_ARRAY_LENGTH). A sparse file: no disk.
        Path key = dir.resolve("k.pem");
        assertEquals(0, BootCliTest.run("keygen", "--out", key.toString()).exit());
        Path img = dir.resolve("huge.img");
        long size = Integer.MAX_VALUE - 8 + 1L;
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(size);
        }
        BootCliTest.Run r = BootCliTest.run("sign", "--key", key.toString(), img.toString());
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        assertEquals("netboot: " + img + " is 2147483640 bytes, too large to sign (expected: at most 2147483639 bytes: Ed25519"
                + " (RFC 8032) hashes the message twice, so the JDK holds the whole image in memory, in one array)\n", r.err());
        assertTrue(Files.notExists(dir.resolve("huge.img.sig")));
    }

    @Test
    void signWithAMissingKeyIsAUsageError() {
        BootCliTest.Run r = BootCliTest.run("sign", "--key", dir.resolve("nope.pem").toString(), "x");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("no such file"), r.err());
    }
    /**
     * A signature that cannot be written whole (the file system is full) leaves no signature file where there was none,
     * the one that was there where there was one, and no part file. Before, the file was created (or emptied) and then
     * written: a full disk left an empty FILE.sig, exit 1, which the board then fetched and refused. Runs as root: a
     * 1 MiB tmpfs, filled, is the full disk.
     */
    @Test
    void aSignatureThatCannotBeWrittenWholeLeavesTheOldOne() throws Exception {
        Path key = dir.resolve("k.pem");
        assertEquals(0, BootCliTest.run("keygen", "--out", key.toString()).exit());
        Path mount = Files.createDirectory(dir.resolve("full"));
        mount(mount);
        try {
            Path img = Files.write(mount.resolve("boot.img"), BootCliTest.randomImage(3000, 5));
            Path sig = mount.resolve("boot.img.sig");
            byte[] old = new byte[64];
            java.util.Arrays.fill(old, (byte) 0x11);
            Path other = Files.write(mount.resolve("other.img.sig"), old); // a page to free later, for the old signature
            try (java.io.OutputStream fill = Files.newOutputStream(mount.resolve("filler"))) {
                byte[] block = new byte[4096];
                while (true) {
                    fill.write(block);
                    fill.flush();
                }
            } catch (java.io.IOException e) {
                assertTrue(String.valueOf(e.getMessage()).contains("No space left"), String.valueOf(e.getMessage()));
            }
            BootCliTest.Run sg = BootCliTest.run("sign", "--key", key.toString(), img.toString());
            assertEquals(Main.EXIT_FAILED, sg.exit(), sg.err());
            assertTrue(sg.err().startsWith("netboot: cannot write the signature: "), sg.err());
            assertEquals(1, sg.err().lines().count(), sg.err());
            assertEquals(java.util.List.of("boot.img", "filler", "other.img.sig"), names(mount), "no signature, no part file");
            // An old signature beside it (the page it holds came from the other one).
            Files.delete(other);
            Files.write(sig, old);
            sg = BootCliTest.run("sign", "--key", key.toString(), img.toString());
            assertEquals(Main.EXIT_FAILED, sg.exit(), sg.err());
            org.junit.jupiter.api.Assertions.assertArrayEquals(old, Files.readAllBytes(sig), "the signature that was there");
            assertEquals(java.util.List.of("boot.img", "boot.img.sig", "filler"), names(mount), "no part file left");
            // Room again: the signature is written, with the old one's permissions.
            Files.delete(mount.resolve("filler"));
            Files.setPosixFilePermissions(sig, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
            assertEquals(0, BootCliTest.run("sign", "--key", key.toString(), img.toString()).exit());
            assertEquals(64, Files.size(sig));
            assertTrue(!java.util.Arrays.equals(old, Files.readAllBytes(sig)));
            assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(sig)));
        } finally {
            Process p = new ProcessBuilder("umount", mount.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertEquals(0, p.waitFor(), "umount " + mount);
        }
    }

    private static java.util.List<String> names(Path folder) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void mount(Path at) throws Exception {
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "netboot-test", at.toString()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "mount: " + out);
    }
}
