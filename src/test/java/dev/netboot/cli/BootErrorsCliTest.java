package dev.netboot.cli;

import static dev.netboot.cli.BootCliTest.randomImage;
import static dev.netboot.cli.BootCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to {@code netboot boot}: one line on stderr saying what and why, in words (no Java exception
 * names, no stack trace), the documented exit status, with {@code --json} exactly one object on stdout,
 * and a usage error creates no file.
 */
class BootErrorsCliTest {
    @TempDir
    Path dir;

    /** Asserts a usage error: exit 2, exactly {@code "netboot: " + message} on stderr, one JSON object saying the same. */
    static void usage(String message, String... args) throws IOException {
        List<String> withJson = new ArrayList<>(List.of(args));
        withJson.add("--json");
        BootCliTest.Run r = run(withJson.toArray(String[]::new));
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        assertEquals("netboot: " + message + "\n", r.err());
        assertEquals(1, r.out().lines().count(), r.out());
        JsonNode j = r.json();
        assertEquals("error", j.get("result").asText());
        assertEquals("usage", j.get("stage").asText());
        assertEquals(message, j.get("error").asText());
    }

    /**
     * A shipped profile given as the scenario, or a shipped scenario as the profile, is said to be the other kind of
     * file at once. Before, a profile as --scenario was refused at line 62 ("[bootp] unknown key 'initial-timeout'"),
     * the first key of a section both kinds have that a scenario's lacks, and a scenario as --profile only as
     * "missing required section [board]". A scenario with none of the sections only scenarios have (short-lease's
     * [dhcp] alone) can only be said to lack [board].
     */
    @Test
    void aProfileGivenAsTheScenarioOrAScenarioAsTheProfileIsSaidToBeTheOtherKind() throws IOException {
        try (var profiles = Files.newDirectoryStream(Path.of("device-profiles"), "*.profile")) {
            for (Path p : profiles) {
                usage(p + ": a device profile, not an emulator scenario (it has [board]; give it with --profile)", "boot",
                        "--scenario", p.toString());
            }
        }
        List<String> scenarioOnly = List.of("emulator", "segment", "faults", "server", "relay", "dhcp-server", "proxy-dhcp", "host",
                "tftp-server");
        int named = 0;
        try (var scenarios = Files.newDirectoryStream(Path.of("emulator"), "*.scenario")) {
            for (Path s : scenarios) {
                List<String> headers = Files.readAllLines(s).stream().filter(l -> l.startsWith("["))
                        .map(l -> l.substring(1, l.indexOf(']')).split(" ")[0]).toList();
                String kind = scenarioOnly.stream().filter(headers::contains).findFirst().orElse(null);
                named += kind == null ? 0 : 1;
                usage(s + (kind == null ? ": missing required section [board]"
                        : ": an emulator scenario, not a device profile (it has [" + kind + "] and no [board]; give it with --scenario)"),
                        "boot", "--profile", s.toString());
            }
        }
        assertTrue(named >= 8, "most shipped scenarios have a section only scenarios have: " + named);
    }

    /**
     * An image larger than its slot is one failure, in one wording, whether the server announced its size (RFC 2349
     * tsize: refused before a byte is written) or not (a server that refuses options: refused at the first block past
     * the slot's end). Before, the second said "partition slot-a of ... at 0x100000" where the first said "slot A
     * (slot-a)". spi-nor-16m's slot A is 6 MiB at 1 MiB; without options the blocks are 512 bytes, so the first one
     * past the slot ends at 6 MiB + 512.
     */
    @Test
    void anImageTooLargeForItsSlotIsNamedAlikeWithOrWithoutItsSize() throws IOException {
        Path img = Files.write(dir.resolve("big.img"), new byte[9 << 20]);
        String slot = " does not fit slot A (partition slot-a of " + (6 << 20) + " bytes at 0x100000)";
        BootCliTest.Run r = run("boot", "--image", img.toString(), "--flash-timing", "none", "--json");
        assertEquals(Main.EXIT_FAILED, r.exit(), r.err());
        assertEquals("netboot: boot failed: [flash] image of " + (9 << 20) + " bytes" + slot + "\n", r.err());
        Path sc = Files.writeString(dir.resolve("no-options.scenario"), "[tftp]\noack = unasked\n");
        r = run("boot", "--image", img.toString(), "--flash-timing", "none", "--scenario", sc.toString(), "--json");
        assertEquals(Main.EXIT_FAILED, r.exit(), r.err());
        assertEquals("netboot: boot failed: [flash] image of at least " + ((6 << 20) + 512) + " bytes" + slot + "\n", r.err());
        assertEquals("flash", r.json().get("stage").asText(), r.out());
    }

    /**
     * A server without the boot file answers the RRQ with ERROR 1: the transfer never started, so the JSON says what the
     * board asked for (README, "CLI contract": blockSize 1468 on a 1500-byte MTU with blksize auto, the profile's window
     * 8), as for a boot that failed before the RRQ. Found with tftpd-hpa and dnsmasq on a real interface, which said 512
     * and 1, RFC 1350's defaults, beside a transferSeconds of null.
     */
    @Test
    void aBootFileTheServerDoesNotHaveReportsTheBlockAndWindowAskedFor() throws IOException {
        Path sc = Files.writeString(dir.resolve("nofile.scenario"), "[bootp]\nboot-file = nope.img\n");
        String text = Files.readString(Path.of("device-profiles/spi-nor-16m.profile")).replace("name = spi-nor-16m", "name = eight")
                .replace("windowsize = auto ", "windowsize = 8    ");
        Path prof = Files.writeString(dir.resolve("eight.profile"), text);
        BootCliTest.Run r = run("boot", "--scenario", sc.toString(), "--profile", prof.toString(), "--json");
        assertEquals(Main.EXIT_FAILED, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals("tftp", j.get("stage").asText());
        assertTrue(j.get("error").asText().contains("ERROR 1 (file not found)"), j.toString());
        assertTrue(j.get("transferSeconds").isNull(), j.toString());
        assertEquals(1468, j.get("blockSize").asInt());
        assertEquals(8, j.get("windowSize").asInt());
    }

    /**
     * A TFTP server, or the gateway toward one, that no host answers ARP for: the line names which it was. NetConfig's
     * defaults (README, "Use netboot in your own board"): 9 requests, 500 ms apart doubling to 4 s.
     */
    @Test
    void anArpFailureNamesTheTftpServerOrTheGatewayTowardIt() throws IOException {
        Path ghost = Files.writeString(dir.resolve("ghost.scenario"), "[bootp]\ntftp-server = 10.0.0.99\n");
        BootCliTest.Run r = run("boot", "--scenario", ghost.toString());
        assertEquals(Main.EXIT_FAILED, r.exit(), r.err());
        assertTrue(r.err().endsWith("netboot: boot failed: [arp] ARP: TFTP server 10.0.0.99 did not answer 9 requests\n"), r.err());
        Path far = Files.writeString(dir.resolve("far.scenario"), "[server]\nrouter = 10.0.0.254\n[bootp]\ntftp-server = 198.51.100.7\n");
        r = run("boot", "--scenario", far.toString());
        assertEquals(Main.EXIT_FAILED, r.exit(), r.err());
        assertTrue(r.err().endsWith("netboot: boot failed: [arp] ARP: gateway 10.0.0.254 toward TFTP server 198.51.100.7 did not"
                + " answer 9 requests\n"), r.err());
    }

    @Test
    void aMissingScenarioSaysNoSuchFile() throws IOException {
        Path missing = dir.resolve("nonexist.scenario");
        usage("--scenario " + missing + ": no such file", "boot", "--scenario", missing.toString());
    }

    /**
     * A shipped scenario named as a profile is ({@code --scenario relay}), or by its file name from another folder, is not
     * there: the line says which file was meant. Before, "relay: no such file", which named neither the option nor the
     * folder the scenarios are in. The same for serve and fleet (the missing file checked before anything else).
     */
    @Test
    void aShippedScenarioNamedWithoutItsFolderIsPointedTo() throws IOException {
        Path shipped = Path.of("").toAbsolutePath().resolve("emulator").resolve("relay.scenario");
        assertTrue(Files.isRegularFile(shipped), shipped.toString());
        usage("--scenario relay: no such file (did you mean " + shipped + "?)", "boot", "--scenario", "relay");
        usage("--scenario relay.scenario: no such file (did you mean " + shipped + "?)", "boot", "--scenario", "relay.scenario");
        usage("--scenario nothing-like-it: no such file", "boot", "--scenario", "nothing-like-it");
        for (String[] args : List.of(new String[] {"serve", "--interface", "lo", "--scenario", "relay"},
                new String[] {"fleet", "--boards", "2", "--scenario", "relay"})) {
            BootCliTest.Run r = run(args);
            assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
            assertEquals("netboot: --scenario relay: no such file (did you mean " + shipped + "?)\n", r.err());
        }
    }

    @Test
    void aBinaryScenarioIsNotATextFile() throws IOException {
        Path bin = Files.write(dir.resolve("image.scenario"), new byte[] {'#', ' ', 'x', '\n', '[', (byte) 0xFF, (byte) 0xFE, 0});
        usage(bin + ":2: not a text file: byte 0xff at offset 5 is not UTF-8 text (expected: a file in the netboot config format)",
                "boot", "--scenario", bin.toString());
    }

    /**
     * A scenario that cannot work is one line and exit 2 from each command that takes one, before anything runs: before,
     * another DHCP server's pool outside the subnet and 400 name servers were stack traces (exit 1) when the LAN was built
     * or the first DHCPDISCOVER answered, and a pool-size past the subnet was cut short without a word (exit 0).
     */
    @Test
    void aScenarioThatCannotWorkIsOneLineFromBootFleetAndServe() throws IOException {
        String many = String.join(",", java.util.stream.IntStream.range(0, 400).mapToObj(i -> "10.0." + (i / 200) + "." + (i % 200 + 2))
                .toList());
        Path peer = Files.writeString(dir.resolve("peer.scenario"),
                "[dhcp-server x]\nmac = 02:00:00:00:00:07\naddress = 10.0.0.7\npool-start = 10.0.5.1\n");
        Path names = Files.writeString(dir.resolve("names.scenario"), "[server]\nnetmask = 255.255.0.0\ndns = " + many + "\n");
        Path pool = Files.writeString(dir.resolve("pool.scenario"), "[bootp]\npool-size = 214\n");
        List<List<String>> cases = List.of(
                List.of(peer.toString(), peer + ":4: [dhcp-server x] pool-start: '10.0.5.1' is not a host address of the server's"
                        + " subnet 10.0.0.1/24: it lies outside (expected: a host address of it, the first of this server's 16)"),
                List.of(names.toString(), names + ":3: [server] dns: 400 addresses make the server's DHCPACK too long for the 576"
                        + " bytes every client takes (RFC 2131 section 2), even with options in the file and sname fields (expected:"
                        + " fewer name servers, or a shorter boot-file)"),
                List.of(pool.toString(), pool + ":2: [bootp] pool-size: '214' addresses from 10.0.0.42 run past 10.0.0.254, the last"
                        + " host of the server's subnet 10.0.0.1/24 (expected: at most 213 from there)"));
        for (List<String> c : cases) {
            for (List<String> command : List.of(List.of("boot"), List.of("fleet", "--boards", "2"),
                    List.of("serve", "--interface", "qa6-nosuch0"))) {
                List<String> args = new ArrayList<>(command);
                args.addAll(List.of("--scenario", c.get(0)));
                BootCliTest.Run r = run(args.toArray(String[]::new));
                assertEquals(Main.EXIT_USAGE, r.exit(), args + ": " + r.err());
                assertEquals("netboot: " + c.get(1) + "\n", r.err(), String.join(" ", args));
            }
        }
    }

    /**
     * A machine of the scenario with the board's MAC (spi-nor-16m.profile's [board] mac = 02:4e:42:00:00:01) is refused at
     * its key, as two machines with one MAC are: before, boot and fleet ran without a word, two stations with one MAC on
     * the segment.
     */
    @Test
    void aMachineWithTheBoardsMacIsRefusedAtItsKey() throws IOException {
        Path twin = Files.writeString(dir.resolve("twin.scenario"), "# the board's twin\n[host twin]\nmac = 02:4e:42:00:00:01\n"
                + "address = 10.0.0.66\n");
        usage(twin + ":3: [host twin] mac: '02:4e:42:00:00:01' is the board's MAC too (the profile's [board] mac; expected: a MAC"
                + " of this machine's own)", "boot", "--profile", "spi-nor-16m", "--scenario", twin.toString());
        Path server = Files.writeString(dir.resolve("server.scenario"), "[server]\nmac = 02:4e:42:00:00:01\n");
        usage(server + ":2: [server] mac: '02:4e:42:00:00:01' is the board's MAC too (the profile's [board] mac; expected: a MAC"
                + " of this machine's own)", "boot", "--profile", "spi-nor-16m", "--scenario", server.toString());
        // A fleet's boards have the profile's MAC and the ones after it: a host with the third's is refused with 3 boards.
        Path third = Files.writeString(dir.resolve("third.scenario"), "[host h]\nmac = 02:4e:42:00:00:03\naddress = 10.0.0.66\n");
        BootCliTest.Run r = run("fleet", "--profile", "spi-nor-16m", "--boards", "3", "--scenario", third.toString());
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        assertEquals("netboot: " + third + ":2: [host h] mac: '02:4e:42:00:00:03' is board 3's MAC too (the fleet's 3 boards have the"
                + " profile's [board] mac and the 2 after it; expected: a MAC of this machine's own)\n", r.err());
        // The one board of a boot has only the profile's: the host is another machine and the board boots.
        r = run("boot", "--profile", "spi-nor-16m", "--scenario", third.toString(), "--flash-timing", "none", "--json");
        assertEquals(0, r.exit(), r.err());
    }

    /**
     * The brief's own case: a scenario that moves the server to 192.0.2.1 and says nothing else boots from it, the router,
     * name server and TFTP server following the server and the board getting 192.0.2.42 (before: exit 2, "client 10.0.0.42
     * is not in the server's subnet 192.0.2.1/24"; with a client-address, exit 1 after ARP for 10.0.0.1 went unanswered).
     */
    @Test
    void aScenarioThatMovesTheServerBootsOnItsSubnet() throws IOException {
        Path moved = Files.writeString(dir.resolve("moved.scenario"), "[server]\naddress = 192.0.2.1\n");
        BootCliTest.Run r = run("boot", "--scenario", moved.toString(), "--flash-timing", "none", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals("192.0.2.42", j.get("ip").asText());
        assertEquals("192.0.2.1", j.get("gateway").asText());
        assertEquals("192.0.2.1", j.get("server").asText());
        assertEquals("192.0.2.1", j.get("dhcpServer").asText());
    }

    @Test
    void aFolderAsFlashFileIsNamedAsSuch() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("out"));
        usage("--flash-file " + folder + ": is a directory (expected: the board's flash image)", "boot", "--flash-file", folder + "/");
    }

    @Test
    void aProfilePathThatDoesNotExistIsNoSuchFileNotAnUnknownName() throws IOException {
        Path missing = dir.resolve("nonexist.profile");
        usage(missing + ": no such file", "boot", "--profile", missing.toString());
    }

    @Test
    void anEmptyProfileNameSaysSoAndNamesTheProfiles() throws IOException {
        // Path.of("") is the current folder: before, "netboot: : is a directory (expected: a file in the netboot config format)".
        usage("an empty profile name (expected: a profile in " + Path.of("device-profiles").toAbsolutePath()
                + ": nand-128m, spi-nor-16m, spi-nor-64m; or the path of a .profile file)", "boot", "--profile", "");
    }

    @Test
    void aFolderAsCaptureIsAUsageErrorAndCreatesNoFlashFile() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("captures"));
        Path flash = dir.resolve("flash.img");
        usage("--pcap " + folder + ": is a directory (expected: the capture file to write)", "boot", "--pcap", folder.toString(),
                "--flash-file", flash.toString());
        assertFalse(Files.exists(flash), "a usage error creates no flash file");
        assertFalse(Files.exists(FlashProfiles.recordOf(flash)));
    }

    @Test
    void everyUsageErrorComesBeforeTheFlashFileIsCreated() throws IOException {
        Path flash = dir.resolve("flash.img");
        usage("--loss 1.5: not a probability (expected: 0..1)", "boot", "--loss", "1.5", "--flash-file", flash.toString());
        usage("--image " + dir.resolve("none.img") + ": no such file", "boot", "--image", dir.resolve("none.img").toString(),
                "--flash-file", flash.toString());
        usage("--pcap " + dir.resolve("no/x.pcap") + ": no such directory " + dir.resolve("no"), "boot", "--pcap",
                dir.resolve("no/x.pcap").toString(), "--flash-file", flash.toString());
        assertFalse(Files.exists(flash));
    }

    @Test
    void anInterfaceThatCannotBeOpenedCreatesNoFlashFile() throws IOException {
        // README: a missing interface is one line and exit 2 (--json: stage link), and "a usage error leaves none
        // behind". Before, --flash-file was created (16 MiB of 0xFF and its .profile) before the interface was opened.
        // A name of 16 characters or more is no Linux interface (IFNAMSIZ), with or without root.
        Path flash = dir.resolve("flash.img");
        String iface = "no-such-interface";
        BootCliTest.Run r = run("boot", "--interface", iface, "--flash-file", flash.toString(), "--json");
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        assertEquals("netboot: no interface named " + iface + "\n", r.err());
        JsonNode j = r.json();
        assertEquals("link", j.get("stage").asText());
        assertEquals("no interface named " + iface, j.get("error").asText());
        assertFalse(Files.exists(flash), "an interface that cannot be opened leaves no flash file");
        assertFalse(Files.exists(FlashProfiles.recordOf(flash)));
    }

    /** Writes spi-nor-16m's profile as {@code name}, its flash {@code size} (the partitions stay where they are). */
    private Path profileWithFlashOf(String name, String size) throws IOException {
        String text = Files.readString(Path.of("device-profiles/spi-nor-16m.profile")).replace("name = spi-nor-16m", "name = " + name)
                .replaceFirst("(?m)^size = 16MiB ", "size = " + size + " ");
        return Files.writeString(dir.resolve(name + ".profile"), text);
    }

    @Test
    void aFlashLargerThanTheEmulatorHoldsInMemoryIsAUsageErrorNotAStackTrace() throws IOException {
        // 4 GiB of NOR: one Java array holds at most 2^31 - 9 bytes, so the in-memory simulator cannot take it.
        Path p = profileWithFlashOf("big", "4GiB");
        usage("profile big has a flash of 4294967296 bytes, more than the emulator holds in memory (at most 2147483639 bytes);"
                + " give --flash-file", "boot", "--profile", p.toString());
        BootCliTest.Run fleet = run("fleet", "--boards", "2", "--profile", p.toString());
        assertEquals(Main.EXIT_USAGE, fleet.exit(), fleet.err());
        assertEquals("netboot: profile big has a flash of 4294967296 bytes, more than the emulator holds in memory (at most"
                + " 2147483639 bytes)\n", fleet.err());
    }

    @Test
    void aFlashFileLargerThanTheFreeSpaceIsRefusedBeforeItIsCreated() throws IOException {
        // 2^60 bytes (1 EiB): no disk has that much free, and creating it would fill the disk with 0xFF first.
        Path p = profileWithFlashOf("huge", "0x1000000000000000");
        Path flash = dir.resolve("flash.img");
        BootCliTest.Run r = run("boot", "--profile", p.toString(), "--flash-file", flash.toString());
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        assertTrue(r.err().startsWith("netboot: --flash-file " + flash + ": profile huge has a flash of 1152921504606846976 bytes,"
                + " more than the "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(Files.exists(flash), "nothing created");
        assertFalse(Files.exists(FlashProfiles.recordOf(flash)));
    }

    @Test
    void anUnreadableImageIsOneLineAndOneObject() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("img"));
        usage("--image " + folder + ": is a directory (expected: a file)", "boot", "--image", folder.toString());
    }

    @Test
    void powerCutModeWithoutPowerCutAtIsAUsageError() throws IOException {
        usage("--power-cut-mode after needs --power-cut-at N (the flash operation to cut at)", "boot", "--power-cut-mode", "after");
    }

    @Test
    void aGroupMacOnTheCommandLineIsRefused() throws IOException {
        usage("--mac 01:00:5e:00:00:01: a multicast address (expected: a station's own MAC, the first octet even, like 02:00:00:00:00:01)",
                "boot", "--interface", "lo", "--mac", "01:00:5e:00:00:01");
    }

    @Test
    void aPowerCutThatNeverCameIsSaid() throws Exception {
        // 10,000 bytes on spi-nor-16m: 3 sector erases, 40 page programs, a metadata erase and program: far below 99999.
        Path img = Files.write(dir.resolve("small.img"), randomImage(10_000, 1));
        BootCliTest.Run r = run("boot", "--image", img.toString(), "--power-cut-at", "99999", "--flash-timing", "none");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("  power cut at flash operation 99999 never came: this boot made 45 flash operations\n"), r.out());
        BootCliTest.Run j = run("boot", "--image", img.toString(), "--power-cut-at", "99999", "--flash-timing", "none", "--json");
        assertFalse(j.json().get("powerCut").asBoolean());
        assertEquals(45, j.json().get("flashOps").asLong());
    }

    @Test
    void aBootThatFailsBeforeTheTransferReportsTheTftpSettingsItWouldAskFor() throws Exception {
        // Every frame lost: DHCP gives up (after 60 s of virtual time) and TFTP never starts. The default profile
        // asks for blksize auto (1468 on a 1500-byte MTU: RFC 2348, less IP, UDP and TFTP headers) and window 8.
        BootCliTest.Run r = run("boot", "--loss", "1", "--json");
        assertEquals(Main.EXIT_FAILED, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals("dhcp", j.get("stage").asText());
        assertTrue(j.get("protocol").isNull() && j.get("leaseSeconds").isNull() && j.get("dhcpServer").isNull(), j.toString());
        assertEquals(0, j.get("renewals").asInt());
        assertEquals(1468, j.get("blockSize").asInt());
        assertEquals(8, j.get("windowSize").asInt());
        assertEquals("typical", j.get("flashTiming").asText());
    }

    @Test
    void theFlashLineCountsTheErasesOfThisRunAndReadsRightWhenTheImageErasedNothing() throws Exception {
        // 10,000 bytes span 3 sectors of 4 KiB; the commit erases one 4 KiB metadata copy. Boot it into A, then B;
        // the third boot writes A again, which already holds these bytes: 0 sectors erased for the image.
        Path img = Files.write(dir.resolve("small.img"), randomImage(10_000, 2));
        Path flash = dir.resolve("flash.img");
        BootCliTest.Run first = run("boot", "--image", img.toString(), "--flash-file", flash.toString(), "--flash-timing", "none");
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().contains(", 3 sectors erased for the image and 1 for the slot metadata, 0 skipped, 0 ACKs held\n"),
                first.out());
        assertEquals(0, run("boot", "--image", img.toString(), "--flash-file", flash.toString()).exit());
        BootCliTest.Run third = run("boot", "--image", img.toString(), "--flash-file", flash.toString(), "--flash-timing", "none");
        assertEquals(0, third.exit(), third.err());
        // The metadata is written twice: once to mark slot A as being rewritten, once to commit it; each write
        // erases one of its two 4 KiB copies (BootSlots), so no sector was erased twice.
        assertTrue(third.out().contains(", 0 sectors erased for the image and 2 for the slot metadata, 3 skipped, 0 ACKs held\n"),
                third.out());
        assertFalse(third.out().contains("most-erased"), "nothing was erased twice: " + third.out());
    }

    @Test
    void tooLittleHeapIsOneLineNotAStackTrace() throws Exception {
        // The simulated flash in memory keeps what was written to it (4 KiB chunks): a child JVM with 8 MiB of heap
        // cannot hold a 6,000,000-byte image in it.
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Path img = Files.write(dir.resolve("six.img"), BootCliTest.randomImage(6_000_000, 6));
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElseThrow(), "-Xmx8m", "-Xshare:off",
                "-Dnetboot.home=" + Path.of("").toAbsolutePath(), "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "boot", "--image", img.toString(), "--flash-timing", "none", "--json");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child ended");
        String e = Files.readString(err);
        assertEquals(Main.EXIT_FAILED, p.exitValue(), e);
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("netboot: out of memory booting: the Java heap (at most 8 MiB) is too small; give the JVM more"), e);
        assertFalse(e.contains("java.lang"), e);
        JsonNode j = BootCliTest.JSON.readTree(Files.readString(out));
        assertEquals("memory", j.get("stage").asText());
    }
}
