package dev.netboot.cli;

import static dev.netboot.cli.BootCliTest.randomImage;
import static dev.netboot.cli.BootCliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file a command writes that is a file it reads, or that another of its outputs writes, is a usage error before anything
 * is created: the input is left as it was. Seen in the QA pass: {@code boot --image fw.bin --pcap fw.bin} truncated the
 * image to the capture and failed reading it ("fw.bin ends at byte 0"); {@code boot --image fw.bin --timeline fw.bin} and
 * {@code fleet --image fw.bin --plot fw.bin} replaced it with an SVG and exited 0; {@code --pcap x --timeline x} kept only the
 * SVG.
 */
class OutputFilesCliTest {
    @TempDir
    Path dir;

    private Path image() throws IOException {
        Path image = dir.resolve("fw.bin");
        Files.write(image, randomImage(4096, 5));
        return image;
    }

    /** Asserts the run was refused with exit 2 and exactly {@code message}, and {@code image} holds its bytes still. */
    private static void refused(String message, Path image, BootCliTest.Run r) throws IOException {
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        assertEquals("netboot: " + message + "\n", r.err());
        assertArrayEquals(randomImage(4096, 5), Files.readAllBytes(image));
    }

    @Test
    void bootRefusesACaptureOrTimelineOnTheImageItServes() throws IOException {
        Path image = image();
        refused("--pcap " + image + ": the same file as --image (expected: another file: writing it would destroy that input)",
                image, run("boot", "--image", image.toString(), "--pcap", image.toString(), "--flash-timing", "none"));
        refused("--timeline " + image + ": the same file as --image (expected: another file: writing it would destroy that"
                + " input)", image, run("boot", "--image", image.toString(), "--timeline", image.toString(), "--flash-timing", "none"));
    }

    /** The same file by another path: a hard link, and a path with a "." in it. */
    @Test
    void theSameFileByAnotherPathIsTheSameFile() throws IOException {
        Path image = image();
        Path link = Files.createLink(dir.resolve("link.bin"), image);
        refused("--pcap " + link + ": the same file as --image (expected: another file: writing it would destroy that input)",
                image, run("boot", "--image", image.toString(), "--pcap", link.toString(), "--flash-timing", "none"));
        Path dotted = dir.resolve(".").resolve("fw.bin");
        refused("--timeline " + dotted + ": the same file as --image (expected: another file: writing it would destroy that"
                + " input)", image, run("boot", "--image", image.toString(), "--timeline", dotted.toString()));
    }

    /** The digest and the signature served beside the image are read too, and so is the scenario. */
    @Test
    void bootRefusesAnOutputOnTheFilesBesideTheImageOrOnTheScenario() throws IOException {
        Path image = image();
        Path digest = dir.resolve("fw.bin.sha256");
        Files.writeString(digest, "0".repeat(64) + "  boot.img\n");
        BootCliTest.Run r = run("boot", "--image", image.toString(), "--pcap", digest.toString());
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        assertEquals("netboot: --pcap " + digest + ": the same file as --image's digest (expected: another file: writing it would"
                + " destroy that input)\n", r.err());
        assertEquals("0".repeat(64) + "  boot.img\n", Files.readString(digest));
        Path scenario = dir.resolve("lan.scenario");
        Files.writeString(scenario, "[emulator]\nseed = 3\n");
        r = run("boot", "--scenario", scenario.toString(), "--timeline", scenario.toString());
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        assertEquals("[emulator]\nseed = 3\n", Files.readString(scenario));
    }

    @Test
    void twoOutputsOfOneBootMayNotBeOneFile() throws IOException {
        Path out = dir.resolve("out");
        BootCliTest.Run r = run("boot", "--pcap", out.toString(), "--timeline", out.toString(), "--json");
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        String message = "--timeline " + out + ": the same file as --pcap (expected: another file: one would overwrite the other)";
        assertEquals("netboot: " + message + "\n", r.err());
        assertEquals(message, r.json().get("error").asText());
        assertFalse(Files.exists(out), "a usage error creates no file");
        Path flash = dir.resolve("flash.bin");
        r = run("boot", "--flash-file", flash.toString(), "--pcap", flash.toString());
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        assertEquals("netboot: --pcap " + flash + ": the same file as --flash-file (expected: another file: one would overwrite the"
                + " other)\n", r.err());
        assertFalse(Files.exists(flash), "a usage error creates no file");
    }

    @Test
    void fleetRefusesAPlotOnTheImageItServes() throws IOException {
        Path image = image();
        refused("--plot " + image + ": the same file as --image (expected: another file: writing it would destroy that input)",
                image, FleetCliTest.run("fleet", "--boards", "1", "--image", image.toString(), "--plot", image.toString()));
    }

    /** serve checks its options before it opens the interface, so no interface is needed to see the refusal. */
    @Test
    void serveRefusesACaptureOnTheImageItServes() throws IOException {
        Path image = image();
        refused("--pcap " + image + ": the same file as --image (expected: another file: writing it would destroy that input)",
                image, run("serve", "--interface", "netboot-no-such-if", "--image", image.toString(), "--pcap", image.toString()));
        Path root = Files.createDirectory(dir.resolve("root"));
        Path boot = root.resolve("boot.img");
        Files.write(boot, randomImage(4096, 5));
        refused("--timeline " + boot + ": the same file as --root's boot file (expected: another file: writing it would destroy that"
                + " input)", boot, run("serve", "--interface", "netboot-no-such-if", "--root", root.toString(),
                "--timeline", boot.toString()));
    }
    /**
     * "-" as an output is standard output to curl, tcpdump and busybox: every output option refuses it in one line rather
     * than make a file called '-' in the current folder (boot --pcap - did, 1.1 MB of capture, exit 0).
     */
    @Test
    void aDashAsAnOutputIsRefusedNotMadeAFileCalledDash() throws Exception {
        Path dash = Path.of("-");
        assertFalse(Files.exists(dash), "no '-' in the current folder before");
        String why = "-: standard output, which netboot does not write files to (expected: a file name; ./- for a file called '-')";
        String[][] lines = {
                {"--pcap", "boot", "--pcap", "-", "--flash-timing", "none"},
                {"--timeline", "boot", "--timeline", "-"},
                {"--flash-file", "boot", "--flash-file", "-"},
                {"--plot", "fleet", "--boards", "2", "--plot", "-"},
                {"--pcap", "serve", "--interface", "lo", "--pcap", "-"},
                {"--out", "sign", "--key", dir.resolve("k.pem").toString(), "--out", "-", image().toString()},
                {"--out", "keygen", "--out", "-"},
        };
        assertEquals(0, run("keygen", "--out", dir.resolve("k.pem").toString()).exit());
        for (String[] line : lines) {
            String[] args = java.util.Arrays.copyOfRange(line, 1, line.length);
            BootCliTest.Run r = run(args);
            assertEquals(Main.EXIT_USAGE, r.exit(), String.join(" ", args) + ": " + r.err());
            assertEquals("netboot: " + line[0] + " " + why + "\n", r.err(), String.join(" ", args));
            assertFalse(Files.exists(dash), "no file called '-' made by " + String.join(" ", args));
        }
    }
}
