package dev.netboot.cli;

import static dev.netboot.cli.BootCliTest.randomImage;
import static dev.netboot.cli.BootCliTest.run;
import static dev.netboot.cli.BootCliTest.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code boot --image}: the emulated server serves the file where it lies (any size), and its detached
 * signature beside it ({@code IMAGE.sig}) or named by {@code --signature}.
 */
class BootImageCliTest {
    @TempDir
    Path dir;

    /** Creates a key with keygen and a copy of the default profile that accepts only images it signed. */
    Path signedProfile() throws Exception {
        BootCliTest.Run kg = run("keygen", "--out", dir.resolve("board.key").toString());
        assertEquals(0, kg.exit(), kg.err());
        String text = Files.readString(Path.of("device-profiles/spi-nor-16m.profile")).replace("name = spi-nor-16m", "name = signed")
                + "\n[security]\n" + kg.out().strip() + "\n";
        return Files.writeString(dir.resolve("signed.profile"), text);
    }

    /**
     * A board whose profile needs signatures keeps needing them when the record of its profile beside its flash file is
     * lost, or another profile of the same layout without a key is named: its slot metadata says its image was taken on
     * a signature by key K (the first two bytes of the key's SHA-256), and anything that would take unsigned images is
     * refused in one line, exit 2, nothing written. Its own profile named again boots it, and is recorded again.
     */
    @Test
    void aSignedBoardStaysSignedWhenItsProfileRecordIsLost() throws Exception {
        Path profile = signedProfile();
        String keyHex = Files.readString(profile).lines().filter(l -> l.startsWith("public-key = ")).findFirst().orElseThrow()
                .substring("public-key = ".length()).strip();
        byte[] keyHash = java.security.MessageDigest.getInstance("SHA-256").digest(java.util.HexFormat.of().parseHex(keyHex));
        String keyId = java.util.HexFormat.of().formatHex(keyHash, 0, 2);
        Path img = Files.write(dir.resolve("boot.img"), randomImage(100_000, 1));
        assertEquals(0, run("sign", "--key", dir.resolve("board.key").toString(), img.toString()).exit());
        Path flash = dir.resolve("board.flash");
        Path record = FlashProfiles.recordOf(flash);
        BootCliTest.Run first = run("boot", "--profile", profile.toString(), "--image", img.toString(), "--flash-file", flash.toString(),
                "--flash-timing", "none", "--json");
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.json().get("signed").asBoolean());
        Path unsigned = Files.write(dir.resolve("evil.img"), randomImage(100_000, 2));
        JsonNode inspected = run("flash", "inspect", "--flash-file", flash.toString(), "--json").json();
        assertEquals(keyId, inspected.get("slots").get(0).get("signedBy").asText(), "flash inspect names the key");
        assertTrue(inspected.get("slots").get(1).get("signedBy").isNull());

        // The record is there, but a keyless profile of the same layout is named.
        String flashSha = sha256(Files.readAllBytes(flash));
        BootCliTest.Run keyless = run("boot", "--profile", "spi-nor-16m", "--image", unsigned.toString(), "--flash-file", flash.toString(),
                "--flash-timing", "none");
        assertEquals(Main.EXIT_USAGE, keyless.exit(), keyless.out());
        assertEquals("netboot: " + flash + ": slot A holds an image taken on its Ed25519 signature (key " + keyId + ", its slot"
                + " metadata says), but profile spi-nor-16m has no [security] public-key and would take unsigned images (expected:"
                + " the board's profile, with that key, as recorded in " + record + ")\n", keyless.err());

        Files.delete(record);
        for (String[] args : List.of(
                new String[] {"boot", "--image", unsigned.toString(), "--flash-file", flash.toString(), "--flash-timing", "none"},
                new String[] {"boot", "--profile", "spi-nor-16m", "--image", unsigned.toString(), "--flash-file", flash.toString()},
                new String[] {"flash", "select", "--flash-file", flash.toString()})) {
            BootCliTest.Run r = run(args);
            assertEquals(Main.EXIT_USAGE, r.exit(), String.join(" ", args));
            String how = args[1].equals("--profile") ? "profile spi-nor-16m" : "the default profile spi-nor-16m";
            assertEquals("netboot: " + flash + ": slot A holds an image taken on its Ed25519 signature (key " + keyId + ", its slot"
                    + " metadata says), but " + how + " has no [security] public-key and would take unsigned images (expected:"
                    + " --profile naming the board's profile, with that key: " + record + " is missing)\n", r.err(), String.join(" ", args));
            assertEquals(flashSha, sha256(Files.readAllBytes(flash)), "nothing written: " + String.join(" ", args));
            assertFalse(Files.exists(record), "no record written: " + String.join(" ", args));
        }
        BootCliTest.Run own = run("boot", "--profile", profile.toString(), "--image", img.toString(), "--flash-file", flash.toString(),
                "--flash-timing", "none", "--json");
        assertEquals(0, own.exit(), own.err());
        assertEquals("B", own.json().get("slot").asText());
        assertTrue(Files.readString(record).contains("public-key = " + keyHex), "recorded again");
    }

    @Test
    void aSignedImageBootsWithTheSignatureBesideIt() throws Exception {
        Path profile = signedProfile();
        byte[] image = randomImage(100_000, 1);
        Path img = Files.write(dir.resolve("boot.img"), image);
        assertEquals(0, run("sign", "--key", dir.resolve("board.key").toString(), img.toString()).exit());
        BootCliTest.Run r = run("boot", "--profile", profile.toString(), "--image", img.toString(), "--flash-timing", "none", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals("ok", j.get("result").asText());
        assertTrue(j.get("signed").asBoolean());
        assertEquals(sha256(image), j.get("sha256").asText());
    }

    @Test
    void signatureNamesTheSignatureFileExplicitly() throws Exception {
        Path profile = signedProfile();
        byte[] image = randomImage(30_000, 2);
        Path img = Files.write(dir.resolve("release-1.bin"), image);
        Path sig = dir.resolve("detached.sig");
        assertEquals(0, run("sign", "--key", dir.resolve("board.key").toString(), "--out", sig.toString(), img.toString()).exit());
        BootCliTest.Run r = run("boot", "--profile", profile.toString(), "--image", img.toString(), "--signature", sig.toString(),
                "--flash-timing", "none", "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.json().get("signed").asBoolean());

        // Without it, nothing named release-1.bin.sig lies beside the image: the board refuses, as it must.
        BootCliTest.Run unsigned = run("boot", "--profile", profile.toString(), "--image", img.toString(), "--flash-timing", "none",
                "--json");
        assertEquals(Main.EXIT_FAILED, unsigned.exit());
        assertEquals("signature", unsigned.json().get("stage").asText());
    }

    @Test
    void aTamperedImageBesideItsSignatureIsRefused() throws Exception {
        Path profile = signedProfile();
        byte[] image = randomImage(30_000, 3);
        Path img = Files.write(dir.resolve("boot.img"), image);
        assertEquals(0, run("sign", "--key", dir.resolve("board.key").toString(), img.toString()).exit());
        image[12_345] ^= 1;
        Files.write(img, image);
        BootCliTest.Run r = run("boot", "--profile", profile.toString(), "--image", img.toString(), "--flash-timing", "none", "--json");
        assertEquals(Main.EXIT_FAILED, r.exit());
        assertEquals("signature", r.json().get("stage").asText());
        // The signature was served and checked: it is the check that refuses the image, not a missing .sig.
        assertTrue(r.json().get("error").asText().contains("Ed25519 signature does not match the image in flash"),
                r.json().get("error").asText());
        assertFalse(r.json().get("signed").asBoolean());
    }

    @Test
    void anImageThatIsNoRegularFileIsAUsageErrorForEveryCommandThatServesOne() throws Exception {
        // The server reads the image again where it lies for each block it sends (and again for a retransmission): a
        // device or a pipe cannot be. Before, /dev/null was served as an image of 0 bytes (boot: "[flash] image of 0
        // bytes refused", exit 1; fleet: every board failed so) and a FIFO without a writer hung each command for ever.
        for (String[] args : List.of(new String[] {"boot", "--image", "/dev/null"}, new String[] {"fleet", "--boards", "1", "--image", "/dev/null"},
                new String[] {"serve", "--interface", "serve-nosuch0", "--image", "/dev/null"})) {
            BootCliTest.Run r = run(args);
            assertEquals(Main.EXIT_USAGE, r.exit(), String.join(" ", args) + ": " + r.err());
            assertEquals("netboot: --image /dev/null: not a regular file (expected: a file the server reads block by block where it lies)",
                    r.err().strip(), String.join(" ", args));
        }
        Path img = Files.write(dir.resolve("boot.img"), randomImage(30_000, 4));
        BootCliTest.Run r = run("boot", "--image", img.toString(), "--signature", "/dev/null");
        assertEquals("netboot: --signature /dev/null: not a regular file (expected: a file the server reads block by block where it lies)",
                r.err().strip());
        r = run("boot", "--digest", "/dev/null");
        assertEquals("netboot: --digest /dev/null: not a regular file (expected: a file the server reads block by block where it lies)",
                r.err().strip());
    }

    @Test
    void aMissingSignatureFileIsAUsageError() {
        BootCliTest.Run r = run("boot", "--signature", dir.resolve("none.sig").toString());
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertEquals("netboot: --signature " + dir.resolve("none.sig") + ": no such file\n", r.err());
    }

    @Test
    void anImageOverTwoGibibytesIsRefusedByTheBoardNotByTheHeap() throws Exception {
        // Sparse, 3 GiB: more than a Java array holds. The server streams it; the board learns its size from
        // tsize (RFC 2349) and refuses it before writing anything.
        Path big = dir.resolve("big.img");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(3L << 30);
        }
        BootCliTest.Run r = run("boot", "--image", big.toString(), "--flash-file", dir.resolve("flash.img").toString(), "--json");
        assertEquals(Main.EXIT_FAILED, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals("error", j.get("result").asText());
        assertTrue(j.get("error").asText().contains("3221225472"), j.get("error").asText());
        assertEquals(0, j.get("flashOps").asLong());
        assertEquals(1, r.err().lines().count(), r.err());
    }
    /**
     * A signed image is checked a page at a time, holding none of it: a 12 MB signed boot of spi-nor-64m with a flash
     * file (mapped, off the heap) fits in 24 MiB of heap, as the unsigned one does. Before, the JDK's Ed25519 verifier kept
     * the whole image until it verified, and the boot ended "out of memory booting" at -Xmx24m.
     */
    @Test
    void aSignedBootHoldsNoImageInTheHeap() throws Exception {
        BootCliTest.Run kg = run("keygen", "--out", dir.resolve("board.key").toString());
        assertEquals(0, kg.exit(), kg.err());
        Path profile = Files.writeString(dir.resolve("signed64.profile"), Files.readString(Path.of("device-profiles/spi-nor-64m.profile"))
                .replace("name = spi-nor-64m", "name = signed64") + "\n[security]\n" + kg.out().strip() + "\n");
        Path img = Files.write(dir.resolve("boot.img"), randomImage(12_000_000, 3));
        assertEquals(0, run("sign", "--key", dir.resolve("board.key").toString(), img.toString()).exit());
        Path out = dir.resolve("out.json");
        Path err = dir.resolve("err.txt");
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElseThrow(), "-Xmx24m",
                "-Dnetboot.home=" + Path.of("").toAbsolutePath(), "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "boot", "--profile", profile.toString(), "--image", img.toString(), "--flash-file", dir.resolve("f.img").toString(),
                "--flash-timing", "none", "--json");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "the child ended");
        assertEquals(0, p.exitValue(), Files.readString(err));
        JsonNode j = BootCliTest.JSON.readTree(Files.readString(out));
        assertTrue(j.get("signed").asBoolean(), j.toString());
        assertEquals(sha256(Files.readAllBytes(img)), j.get("sha256").asText());
    }
}
