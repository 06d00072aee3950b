package dev.netboot.cli;

import static dev.netboot.cli.BootCliTest.randomImage;
import static dev.netboot.cli.BootCliTest.run;
import static dev.netboot.cli.BootCliTest.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netboot.emulator.EmulatedBoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code boot} and the image's expected SHA-256: {@code IMAGE.sha256} beside {@code --image} or named by
 * {@code --digest}, the generated image's own by default, and the profile's {@code [boot] digest}.
 */
class BootDigestCliTest {
    /** SHA-256 of "abc", FIPS 180-2 appendix B.1. */
    static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @TempDir
    Path dir;

    Path profile(String digestLine) throws Exception {
        String text = Files.readString(Path.of("device-profiles/spi-nor-16m.profile")).replace("name = spi-nor-16m", "name = d")
                .replaceAll("(?m)^digest = .*$", digestLine);
        assertTrue(text.contains(digestLine), "the shipped profile says digest = ...");
        return Files.writeString(dir.resolve("d.profile"), text);
    }

    @Test
    void theDefaultBootServesAndChecksTheGeneratedImagesDigest() throws Exception {
        BootCliTest.Run r = run("boot", "--flash-timing", "none", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals("checked", j.get("digest").asText());
        assertEquals(sha256(EmulatedBoot.generatedImage(j.get("seed").asLong())), j.get("sha256").asText());
        BootCliTest.Run human = run("boot", "--flash-timing", "none");
        assertTrue(human.out().contains("  digest    boot.img.sha256 matches\n"), human.out());
    }

    @Test
    void aBoardAskingForTheImageByMulticastFetchesItsDigestWithout() throws Exception {
        // multicast = yes on the board and the server's: the image goes to the group, and its transfer's port stays the
        // board's for the dally. The digest asked for by multicast too got the same group and port, which the board then
        // refused ("the multicast group's port 1758 is taken on this board"), its image never committed; with a flash
        // that takes no time (a file, as boot --interface writes) every such boot failed so.
        String text = Files.readString(Path.of("device-profiles/spi-nor-16m.profile")).replace("name = spi-nor-16m", "name = m")
                .replaceFirst("(?m)^min-timeout = .*$", "$0\nmulticast = yes");
        assertTrue(text.contains("\nmulticast = yes"), text);
        Path prof = Files.writeString(dir.resolve("m.profile"), text);
        Path sc = Files.writeString(dir.resolve("m.scenario"), "[tftp]\nmulticast = yes\nmulticast-port = 1758\n");
        byte[] image = randomImage(50_000, 9);
        Path img = Files.write(dir.resolve("boot.img"), image);
        Files.writeString(dir.resolve("boot.img.sha256"), sha256(image) + "  boot.img\n");
        BootCliTest.Run r = run("boot", "--profile", prof.toString(), "--scenario", sc.toString(), "--image", img.toString(),
                "--flash-timing", "none", "--json", "--pcap", dir.resolve("m.pcap").toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals("checked", j.get("digest").asText(), r.out());
        assertEquals(sha256(image), j.get("sha256").asText());
        assertEquals(j.get("slot").asText(), j.get("activeSlot").asText(), r.out());
        // The image by multicast (its OACK names the group), the digest without (its RRQ asks no multicast).
        List<String> asked = CaptureDissectionTest.tshark(dir.resolve("m.pcap"), "-Y", "tftp.opcode == 1", "-T", "fields",
                "-e", "tftp.source_file", "-e", "tftp.option.name");
        assertEquals(2, asked.size(), asked.toString());
        assertTrue(asked.get(0).startsWith("boot.img\t") && asked.get(0).contains("multicast"), asked.toString());
        assertTrue(asked.get(1).startsWith("boot.img.sha256\t") && !asked.get(1).contains("multicast"), asked.toString());
    }

    @Test
    void aSidecarBesideTheImageIsServedAndChecked() throws Exception {
        byte[] image = randomImage(50_000, 1);
        Path img = Files.write(dir.resolve("boot.img"), image);
        Files.writeString(dir.resolve("boot.img.sha256"), sha256(image) + "  boot.img\n");
        BootCliTest.Run r = run("boot", "--image", img.toString(), "--flash-timing", "none", "--json");
        assertEquals(0, r.exit(), r.err());
        assertEquals("checked", r.json().get("digest").asText());
    }

    /** No sidecar: an if-present board boots and says the digest was absent; tampering then reaches flash unseen by the board. */
    @Test
    void withoutASidecarTheBoardBootsAndSaysSo() throws Exception {
        byte[] image = randomImage(50_000, 2);
        Path img = Files.write(dir.resolve("boot.img"), image);
        BootCliTest.Run r = run("boot", "--image", img.toString(), "--flash-timing", "none", "--json");
        assertEquals(0, r.exit(), r.err());
        assertEquals("absent", r.json().get("digest").asText());
        BootCliTest.Run human = run("boot", "--image", img.toString(), "--flash-timing", "none");
        assertTrue(human.out().contains("  digest    the server has no boot.img.sha256: not checked\n"), human.out());

        Path big = Files.write(dir.resolve("big.img"), randomImage(400_000, 6));
        BootCliTest.Run t = run("boot", "--image", big.toString(), "--tamper", "0.05", "--flash-timing", "none", "--json");
        assertTrue(t.json().get("drops").get("wire").get("tampered").asLong() > 0, t.out());
        assertEquals(1, t.exit(), t.err());
        assertTrue(t.err().startsWith("netboot: boot failed: [verify] image in flash (SHA-256 "), t.err());
    }

    @Test
    void aWrongDigestNamedByTheOptionIsRefusedNamingBoth() throws Exception {
        byte[] image = randomImage(50_000, 3);
        Path img = Files.write(dir.resolve("boot.img"), image);
        Path d = Files.writeString(dir.resolve("other.sha256"), ABC + "  abc.txt\n");
        BootCliTest.Run r = run("boot", "--image", img.toString(), "--digest", d.toString(), "--flash-timing", "none", "--json");
        assertEquals(1, r.exit(), r.err());
        assertEquals("digest", r.json().get("stage").asText());
        assertEquals("netboot: boot failed: [digest] image boot.img refused: its SHA-256 read back from flash is " + sha256(image)
                + " but boot.img.sha256 says " + ABC + "; nothing committed, no slot is active", r.err().strip());
    }

    @Test
    void aMalformedSidecarIsOneLine() throws Exception {
        Path img = Files.write(dir.resolve("boot.img"), randomImage(50_000, 4));
        Files.writeString(dir.resolve("boot.img.sha256"), "not a digest\n");
        BootCliTest.Run r = run("boot", "--image", img.toString(), "--flash-timing", "none", "--json");
        assertEquals(1, r.exit(), r.err());
        assertEquals("netboot: boot failed: [digest] boot.img.sha256 is not a SHA-256 line: character 1 is 'n' (expected: 64 hex "
                + "digits); nothing committed, no slot is active", r.err().strip());
    }

    @Test
    void aRequiredDigestThatIsNotServedFailsCleanly() throws Exception {
        Path p = profile("digest = required");
        Path img = Files.write(dir.resolve("boot.img"), randomImage(50_000, 5));
        BootCliTest.Run r = run("boot", "--profile", p.toString(), "--image", img.toString(), "--flash-timing", "none", "--json");
        assertEquals(1, r.exit(), r.err());
        assertEquals("digest", r.json().get("stage").asText());
        assertEquals("the server has no boot.img.sha256 and this board's profile says digest = required; nothing committed, "
                + "no slot is active", r.json().get("error").asText());
    }

    @Test
    void digestOffSaysOffAndAWrongValueIsAProfileError() throws Exception {
        BootCliTest.Run r = run("boot", "--profile", profile("digest = off").toString(), "--flash-timing", "none", "--json");
        assertEquals(0, r.exit(), r.err());
        assertEquals("off", r.json().get("digest").asText());
        BootCliTest.Run bad = run("boot", "--profile", profile("digest = yes").toString(), "--flash-timing", "none");
        assertEquals(Main.EXIT_USAGE, bad.exit(), bad.err());
        assertTrue(bad.err().contains("[boot] digest: 'yes' is not supported (expected: off or if-present or required)"), bad.err());
    }

    @Test
    void digestConfiguresTheEmulator() throws Exception {
        BootErrorsCliTest.usage("--digest configures the emulator; it has no meaning with --interface",
                "boot", "--interface", "lo", "--digest", "x.sha256");
    }
}
