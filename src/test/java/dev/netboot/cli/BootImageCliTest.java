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
}
