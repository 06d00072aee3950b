package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netboot.device.DeviceProfile;
import dev.netboot.emulator.EmulatedBoot;
import dev.netboot.emulator.FleetBoot;
import dev.netboot.emulator.Scenario;
import dev.netboot.emulator.ScenarioFile;
import dev.netboot.emulator.ServedFile;
import dev.netboot.flash.FlashTiming;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * {@code netboot fleet} end to end, in process. Expected figures are worked out from the inputs: the generated image
 * is 1 MiB + 337 = 1,048,913 bytes, so a board asking for 1468-byte blocks (an MTU of 1500 less IP, UDP and TFTP
 * headers) takes ceil(1048913 / 1468) = 715 DATA frames (714 full, one of 761 bytes); emulator/fleet.scenario is a
 * 1 Gbit/s switch with one server and no limit on transfers.
 */
class FleetCliTest {
    static final long IMAGE = (1 << 20) + 337;
    static final int DATA_FRAMES = (int) ((IMAGE + 1467) / 1468);

    @TempDir
    Path dir;

    static BootCliTest.Run run(String... args) {
        return BootCliTest.run(args);
    }

    /**
     * An image larger than the boards' slot fails every board with the words a boot says (README, CLI contract: "image of
     * 9437184 bytes does not fit slot A (partition slot-a of 6291456 bytes at 0x100000)"), numbers as N. Before, the hex
     * offset came out as "at NxN": its digits were masked one run at a time.
     */
    @Test
    void anImageLargerThanTheSlotFailsEveryBoardInTheBootsWordsNumbersAsN() throws Exception {
        Path image = java.nio.file.Files.write(dir.resolve("big.bin"), new byte[6_291_456 + 1]);
        BootCliTest.Run r = run("fleet", "--boards", "2", "--image", image.toString(), "--flash-timing", "none", "--json");
        assertEquals(1, r.exit(), r.err());
        String why = "flash: image of N bytes does not fit slot A (partition slot-a of N bytes at N)";
        assertEquals(2, r.json().get("failures").get(why).asInt(), r.out());
        assertEquals("netboot: fleet: 2 of 2 boards failed; most often (2): " + why + "\n", r.err());
    }

    /**
     * A fleet stopped by SIGINT or SIGTERM (FleetStopTest: the run so far) says so after its summary and exits as a shell
     * reports the signal, 128 + its number: 130 and 143.
     */
    @Test
    void aFleetStoppedByASignalSaysSoAndExitsWithTheSignalsStatus() throws Exception {
        var profile = dev.netboot.device.DeviceProfile.load(Path.of("device-profiles/spi-nor-16m.profile"));
        var config = new dev.netboot.emulator.FleetBoot.Config(dev.netboot.emulator.ScenarioFile.load(Path.of("emulator/fleet.scenario")),
                profile, dev.netboot.emulator.ServedFile.of(new byte[4096]), 3, 0, dev.netboot.flash.FlashTiming.Mode.NONE, 3_600_000_000_000L);
        FleetProgress stopped = new FleetProgress(System.err, false);
        stopped.interrupt("INT");
        var report = dev.netboot.emulator.FleetBoot.run(config, stopped);
        var err = new java.io.ByteArrayOutputStream();
        assertEquals(130, FleetSummary.interrupted("INT", report, new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals("netboot: fleet: stopped by SIGINT at 0.010 s of virtual time; the summary is of the run so far: 0 of 3 boards"
                + " booted, the boards still busy counted as failed (unfinished)\n", err.toString(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(143, FleetSummary.interrupted("TERM", report, new java.io.PrintStream(new java.io.ByteArrayOutputStream())));
        // --json says it too, for a script that reads stdout alone.
        JsonNode j = BootCliTest.JSON.readTree(FleetSummary.json(new FleetSummary.Facts(config, report, "fleet.scenario", false, null, "INT")).toString());
        assertEquals("SIGINT", j.get("stoppedBy").asText());
        assertEquals(3, j.get("failed").asInt());
    }

    @Test
    void everyBoardBootsAndTheServerSendsEachItsOwnCopyAtTheLinksRate() throws Exception {
        BootCliTest.Run r = run("fleet", "--boards", "40", "--flash-timing", "none", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals(40, j.get("boards").asInt());
        assertEquals(40, j.get("booted").asInt());
        assertEquals(0, j.get("failed").asInt());
        assertEquals(0, j.get("failures").size());
        assertEquals(0, j.get("leaseCollisions").asInt());
        assertTrue(j.get("stoppedBy").isNull(), "a fleet that ran to its end was stopped by nothing");
        // Per board the server sends the 715 DATA frames (serverFrames) and besides (serverOverheadFrames) a DHCPOFFER,
        // a DHCPACK, the ARP reply to the board's request for its MAC, the OACK, and ERROR 1 to the board's request for
        // boot.img.sha256 (the fleet serves no digest); nothing is lost, so nothing is sent again.
        assertEquals(40L * DATA_FRAMES, j.get("serverFrames").asLong());
        assertEquals(40L * (4 + 1), j.get("serverOverheadFrames").asLong());
        assertEquals(0, j.get("serverResentFrames").asLong());
        assertEquals(0, j.get("serverResentBytes").asLong());
        assertEquals(0, j.get("serverRetransmissions").asLong());
        assertEquals(0, j.get("retransmissions").asLong());
        // Each DATA frame is 1468 + 4 (TFTP) + 8 (UDP) + 20 (IPv4) + 14 (Ethernet) = 1514 bytes but the last (761 + 46).
        long dataBytes = 714L * 1514 + 761 + 46;
        assertEquals(40 * dataBytes, j.get("serverBytes").asLong());
        assertTrue(j.get("serverOverheadBytes").asLong() > 40 * 5 * 42 && j.get("serverOverheadBytes").asLong() < 40 * 2000,
                j.toString());
        // The server's 1 Gbit/s port cannot send the 40 x 715 DATA frames faster than their wire time (1514 + 24 bytes).
        double wire = 40.0 * (714 * 1538 + 807 + 24) * 8 / 1e9;
        double last = j.get("lastBootedSeconds").asDouble();
        assertTrue(last > wire && last < wire + 1.0, "last board at " + last + " s, the image's wire time " + wire + " s");
        assertTrue(j.get("p50Seconds").asDouble() <= j.get("p95Seconds").asDouble());
        assertTrue(j.get("p99Seconds").asDouble() <= j.get("maxSeconds").asDouble());
        assertEquals(last, j.get("maxSeconds").asDouble()); // all powered up at 0
        assertEquals(0.0, j.get("firstRequests").get("lastSeconds").asDouble());
        assertEquals(40, j.get("peakTransfers").asInt());
    }

    @Test
    void theSameSeedGivesTheSameSummaryAndAnotherSeedAnother() throws Exception {
        String[] args = {"fleet", "--boards", "25", "--flash-timing", "none", "--stagger", "300ms", "--loss", "0.02", "--json",
                "--seed", "7"};
        JsonNode a = withoutWallTime(run(args).json());
        JsonNode b = withoutWallTime(run(args).json());
        assertEquals(a, b);
        assertTrue(a.get("retransmissions").asLong() > 0, a.toString()); // 2% loss costs something
        args[args.length - 1] = "8";
        assertNotEquals(a, withoutWallTime(run(args).json()));
        // The human summary too, but for its last line (wall time and the emulator's cost).
        List<String> x = run("fleet", "--boards", "10", "--flash-timing", "none", "--seed", "3").out().lines().toList();
        List<String> y = run("fleet", "--boards", "10", "--flash-timing", "none", "--seed", "3").out().lines().toList();
        assertEquals(x.subList(0, x.size() - 1), y.subList(0, y.size() - 1));
        assertTrue(x.get(x.size() - 1).startsWith("  time "), x.toString());
    }

    private static JsonNode withoutWallTime(JsonNode j) {
        ObjectNode o = (ObjectNode) j.deepCopy();
        o.remove("wallSeconds");
        o.remove("wallMicrosPerFrame");
        return o;
    }

    @Test
    void aServerThatRunsFiveTransfersMakesTheOthersWaitInItsQueue() throws Exception {
        Path sc = scenario("max-transfers = 5\nwhen-full = wait\n");
        JsonNode j = run("fleet", "--boards", "20", "--flash-timing", "none", "--json", "--scenario", sc.toString()).json();
        assertEquals(20, j.get("booted").asInt(), j.toString());
        assertEquals(5, j.get("peakTransfers").asInt());
        assertTrue(j.get("requestsWaited").asInt() >= 15, j.toString()); // 15 boards at least asked while 5 ran
        assertEquals(0, j.get("requestsDropped").asInt());
    }

    @Test
    void aServerThatDropsRequestsPastItsLimitIsAskedAgainUntilARequestGetsIn() throws Exception {
        Path sc = scenario("max-transfers = 5\nwhen-full = drop\n");
        JsonNode j = run("fleet", "--boards", "20", "--flash-timing", "none", "--json", "--scenario", sc.toString()).json();
        assertEquals(20, j.get("booted").asInt(), j.toString());
        assertEquals(5, j.get("peakTransfers").asInt());
        assertTrue(j.get("requestsDropped").asInt() >= 15, j.toString());
        assertTrue(j.get("retransmissions").asInt() >= 15, j.toString()); // the dropped boards sent their RRQ again
    }

    @Test
    void aServerThatRefusesPastItsLimitFailsTheBoardsItRefused() throws Exception {
        Path sc = scenario("max-transfers = 5\nwhen-full = busy\n");
        BootCliTest.Run r = run("fleet", "--boards", "12", "--flash-timing", "none", "--json", "--scenario", sc.toString());
        assertEquals(1, r.exit());
        JsonNode j = r.json();
        assertEquals(12 - j.get("booted").asInt(), j.get("failed").asInt());
        assertTrue(j.get("failed").asInt() > 0 && j.get("requestsBusy").asInt() == j.get("failed").asInt(), j.toString());
        String why = j.get("failures").fieldNames().next();
        assertTrue(why.contains("Server busy"), why);
        assertTrue(r.err().startsWith("netboot: fleet: " + j.get("failed").asInt() + " of 12 boards failed"), r.err());
    }

    @Test
    void withMulticastTheServerSendsTheImageToAGroupInsteadOfToEachBoard() throws Exception {
        JsonNode j = run("fleet", "--boards", "30", "--flash-timing", "none", "--multicast", "--json").json();
        assertEquals(30, j.get("booted").asInt(), j.toString());
        JsonNode m = j.get("multicastTransfers");
        assertEquals(30, m.get("boards").asInt());
        assertEquals(1, m.get("transfers").asInt()); // one file, one block size: one transfer for all
        assertEquals(1, j.get("peakTransfers").asInt());
        // Every block reaches the group once; a board that joined after block 1 went takes the stream back to block 1
        // (a rewind, at most a quarter of the file in all): no second pass.
        long data = m.get("groupData").asLong();
        assertEquals(DATA_FRAMES + m.get("rewound").asLong(), data, j.toString());
        assertTrue(m.get("rewound").asLong() <= DATA_FRAMES / 4, j.toString());
        assertEquals(data - DATA_FRAMES, j.get("serverRetransmissions").asLong(), j.toString()); // lossless: only DATA again
        assertEquals(data - DATA_FRAMES, m.get("resentData").asLong(), j.toString());
        assertEquals(0, m.get("timeoutData").asLong(), j.toString());
        assertEquals(data, j.get("serverFrames").asLong()); // the image went to the group alone
        // The DATA frames' bytes: full blocks of 1468 and the short last one, 46 bytes of headers each.
        long passes = data / DATA_FRAMES;
        long oneImage = IMAGE + 46L * DATA_FRAMES;
        assertEquals(passes * oneImage + (data % DATA_FRAMES) * (1468 + 46), m.get("groupBytes").asLong());
        assertEquals(m.get("groupBytes").asLong(), j.get("serverBytes").asLong());
        // Besides those DATA the server sent each board a DHCPOFFER, a DHCPACK, an ARP reply and OACKs: far less
        // than a copy each.
        assertTrue(j.get("serverOverheadBytes").asLong() < 30L * 2_000, j.toString());
    }

    @Test
    void theMulticastLineSaysWhatTheRewindsAndTheRepairsTookBack() throws Exception {
        // The text summary's multicast line names each count and what it counts, as --json does: rewinds and the
        // blocks they took back, repairs of lost blocks and the blocks they took back.
        String[] args = {"fleet", "--boards", "30", "--flash-timing", "none", "--multicast", "--loss", "0.02"};
        JsonNode m = run(java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--json"))
                .toArray(String[]::new)).json().get("multicastTransfers");
        String line = run(args).out().lines().filter(l -> l.startsWith("  multicast ")).findFirst().orElseThrow();
        assertTrue(line.contains(String.format(java.util.Locale.ROOT, "; %,d rewinds for late boards took back %,d blocks, %,d repairs"
                + " of lost blocks took back %,d blocks; ", m.get("rewinds").asLong(), m.get("rewound").asLong(), m.get("repairs").asLong(),
                m.get("repaired").asLong())), line);
    }

    @Test
    void threeServersNamedInTurnShareTheFleet() throws Exception {
        // 300 boards, 3 servers of at most 100 transfers each: spread in turn, no request waits; all on one would
        // have made 200 wait.
        JsonNode j = run("fleet", "--boards", "300", "--flash-timing", "none", "--json", "--scenario",
                "emulator/fleet-servers.scenario").json();
        assertEquals(300, j.get("booted").asInt(), j.toString());
        assertEquals(100, j.get("peakTransfers").asInt(), j.toString());
        assertEquals(0, j.get("requestsWaited").asInt(), j.toString());
        assertEquals(300L * DATA_FRAMES, j.get("serverFrames").asLong(), j.toString());
        assertEquals(300L * (4 + 1), j.get("serverOverheadFrames").asLong(), j.toString()); // + ERROR 1 to the digest's RRQ
    }

    @Test
    void withMulticastThreeServersSendOnePassEach() throws Exception {
        // The same three servers, offering multicast: each sends the image to its own boards once (a transfer each),
        // the blocks taken back for boards that joined late aside; unicast would have sent 30 copies.
        JsonNode j = run("fleet", "--boards", "30", "--flash-timing", "none", "--multicast", "--json", "--scenario",
                "emulator/fleet-servers.scenario").json();
        assertEquals(30, j.get("booted").asInt(), j.toString());
        JsonNode m = j.get("multicastTransfers");
        assertEquals(3, m.get("transfers").asInt(), j.toString());
        assertEquals(30, m.get("boards").asInt(), j.toString());
        assertEquals(3L * DATA_FRAMES + m.get("rewound").asLong(), j.get("serverFrames").asLong(), j.toString());
        assertTrue(m.get("rewound").asLong() <= 3L * (DATA_FRAMES / 4), j.toString());
    }

    @Test
    void readmeNamesEveryFieldFleetJsonPrints() throws Exception {
        String text = Files.readString(Path.of("README.md"));
        int from = text.indexOf("`--json` fields: `result`, `boards`");
        assertTrue(from >= 0, "README lists the fleet --json fields");
        String list = text.substring(from, text.indexOf("\n\n", from));
        JsonNode j = run("fleet", "--boards", "3", "--flash-timing", "none", "--multicast", "--json").json();
        List<String> missing = new java.util.ArrayList<>();
        for (var it = j.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!list.contains("`" + k + "`")) {
                missing.add(k);
            }
        }
        for (var it = j.get("multicastTransfers").fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!list.contains("`" + k + "`")) {
                missing.add("multicastTransfers." + k);
            }
        }
        assertEquals(List.of(), missing, "fields fleet --json prints that README's list does not name");
    }

    @Test
    void plotIsAnSvgOfTheBoardsBootedAndTheLinksUse() throws Exception {
        Path svg = dir.resolve("fleet.svg");
        BootCliTest.Run r = run("fleet", "--boards", "8", "--flash-timing", "none", "--plot", svg.toString());
        assertEquals(0, r.exit(), r.err());
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", d.getDocumentElement().getNodeName());
        assertEquals(2, d.getElementsByTagName("path").getLength()); // boards booted, link use
    }

    @Test
    void boardsPastThePoolFailBecauseThePoolWasExhaustedAndSayItInWords() throws Exception {
        // 12 boards, a pool of 8: boards 0..7 ask first and take the 8 addresses (FleetPoolTest works it out); the 4
        // others' DHCPDISCOVERs find the pool empty, go unanswered, and each board gives up after its profile's 60 s.
        Path sc = Files.writeString(dir.resolve("pool8.scenario"), Files.readString(Path.of("emulator/fleet.scenario"))
                .replaceAll("(?m)^pool-size = .*$", "pool-size = 8"));
        String why = "dhcp: no DHCP offer: the server's pool of 8 addresses was exhausted; the board: "
                + "DHCP: no usable offer after N DHCPDISCOVERs in N s";
        BootCliTest.Run r = run("fleet", "--boards", "12", "--flash-timing", "none", "--json", "--scenario", sc.toString());
        assertEquals(1, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals(8, j.get("booted").asInt());
        assertEquals(4, j.get("failed").asInt());
        assertEquals(1, j.get("failures").size(), j.toString());
        assertEquals(4, j.get("failures").get(why).asInt(), j.toString());
        assertTrue(r.err().contains("netboot: fleet: 4 of 12 boards failed; most often (4): " + why), r.err());
        r = run("fleet", "--boards", "12", "--flash-timing", "none", "--scenario", sc.toString());
        assertTrue(r.out().contains("  failed    4 x " + why), r.out());
    }

    @Test
    void badOptionsAreOneLineAndExitTwo() throws Exception {
        BootCliTest.Run r = run("fleet", "--boards", "0", "--json");
        assertEquals(2, r.exit());
        assertEquals("usage", r.json().get("stage").asText());
        assertEquals("netboot: --boards 0 (expected: 1..100000)", r.err().strip());
        r = run("fleet", "--boards", "3", "--stagger", "soon");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("netboot: --stagger: "), r.err());
        r = run("fleet", "--boards", "3", "--plot", dir.resolve("no/such/dir/p.svg").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("no such directory"), r.err());
        assertTrue(Files.notExists(dir.resolve("no")));
    }

    @Test
    void theMaxTimeDefaultTheHelpNamesIsAValueTheOptionTakes() throws Exception {
        // Before, --help (and README) said "(default: 1h)", which --max-time refuses: "'1h' is not a duration".
        BootCliTest.Run help = run("fleet", "--help");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("boards still busy count as failed\\s+\\(default: (\\S+)\\)\\.")
                .matcher(help.out().replaceAll("\\s+", " "));
        assertTrue(m.find(), help.out());
        BootCliTest.Run r = run("fleet", "--boards", "1", "--flash-timing", "none", "--max-time", m.group(1), "--json");
        assertEquals(0, r.exit(), m.group(1) + ": " + r.err());
        assertEquals(1, r.json().get("booted").asInt());
    }

    @Test
    void anEmptyImageHasNoRatioToItInTheSummary() throws Exception {
        // serverBytes / imageBytes is 0 / 0 for an empty image: no number. Before, the text said "(NaN x the 0-byte
        // image)" and the JSON 0.0. Every board refuses an image under [boot] min-image-size (1 KiB): exit 1.
        Path empty = Files.write(dir.resolve("empty.img"), new byte[0]);
        BootCliTest.Run r = run("fleet", "--boards", "2", "--image", empty.toString());
        assertEquals(Main.EXIT_FAILED, r.exit(), r.err());
        assertTrue(!r.out().contains("NaN"), r.out());
        String server = r.out().lines().filter(l -> l.startsWith("  server ")).findFirst().orElseThrow();
        assertTrue(server.contains(" 0 bytes (the image is empty), "), server);
        r = run("fleet", "--boards", "2", "--image", empty.toString(), "--json");
        assertEquals(Main.EXIT_FAILED, r.exit(), r.err());
        assertEquals(0, r.json().get("imageBytes").asLong());
        assertTrue(r.json().get("serverBytesPerImage").isNull(), r.out());
    }

    /** Returns the heap that an out-of-memory line advises, from its {@code JAVA_OPTS=-XmxN[mg]}, in bytes. */
    static long advisedHeap(String line) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("JAVA_OPTS=-Xmx(\\d+)([mg])$").matcher(line);
        assertTrue(m.find(), line);
        return Long.parseLong(m.group(1)) << (m.group(2).equals("g") ? 30 : 20);
    }

    @Test
    void outOfMemoryAdvisesAHeapThatHoldsWhatTheBoardsWrite() throws Exception {
        // The boards' chips share the image (one copy); each board keeps at least its chip's erase counters, 4 bytes for
        // each 4 KiB sector of its 16 MiB: 16 KiB. Before, the advice was -Xmx4g whatever the fleet, and whatever the heap
        // it had: less than the 6 GiB here.
        DeviceProfile prof = DeviceProfile.load(Path.of("device-profiles/spi-nor-16m.profile"));
        ServedFile image = ServedFile.of(EmulatedBoot.generatedImage(1));
        String text = Files.readString(Path.of("emulator/fleet.scenario")).replaceAll("(?m)^netmask = .*$", "netmask = 255.255.192.0")
                .replaceAll("(?m)^pool-size = .*$", "pool-size = 10000");
        Scenario all = ScenarioFile.parse(text, "big.scenario");
        long sixGiB = 6L << 30;
        String line = FleetCommand.outOfMemory(new FleetBoot.Config(all, prof, image, 10_000, 0, FlashTiming.Mode.NONE, 1), sixGiB);
        assertTrue(line.startsWith("out of memory with 10,000 boards: the Java heap (at most 6144 MiB) is too small"), line);
        assertTrue(advisedHeap(line) >= 10_000 * (16L << 20) / 4096 * 4 + IMAGE, line);
        assertTrue(advisedHeap(line) >= 2 * sixGiB, line); // at least twice the heap that ran out
        // The shipped fleet scenario's pool of 2,000: the advice is still more than the heap it had.
        Scenario fleet = ScenarioFile.load(Path.of("emulator/fleet.scenario"));
        line = FleetCommand.outOfMemory(new FleetBoot.Config(fleet, prof, image, 10_000, 0, FlashTiming.Mode.NONE, 1), sixGiB);
        assertTrue(advisedHeap(line) > sixGiB, line);
        line = FleetCommand.outOfMemory(new FleetBoot.Config(fleet, prof, image, 200, 0, FlashTiming.Mode.NONE, 1), 64L << 20);
        assertTrue(advisedHeap(line) >= 200 * (16L << 20) / 4096 * 4 + IMAGE && advisedHeap(line) < 1L << 30, line);
    }

    @Test
    void theHeapTheOutOfMemoryLineAdvisesBootsTheFleet() throws Exception {
        // A child JVM with 32 MiB of heap cannot hold 400 boards (their stacks and buffers, each chip's index); the line
        // says what to give it, and with that the same fleet boots.
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        String[] fleet = {"fleet", "--boards", "400", "--flash-timing", "none", "--json"};
        assertEquals(Main.EXIT_FAILED, child("-Xmx32m", fleet, out, err), Files.readString(err));
        String e = Files.readString(err);
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("netboot: out of memory with 400 boards: the Java heap (at most 32 MiB) is too small"), e);
        assertEquals("memory", BootCliTest.JSON.readTree(Files.readString(out)).get("stage").asText());
        long advised = advisedHeap(e.strip());
        assertEquals(0, child("-Xmx" + (advised >> 20) + "m", fleet, out, err), Files.readString(err));
        assertEquals(400, BootCliTest.JSON.readTree(Files.readString(out)).get("booted").asInt());
    }

    /** Runs netboot {@code args} in a child JVM with heap option {@code xmx}; returns its exit status. */
    private static int child(String xmx, String[] args, Path out, Path err) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), xmx, "-Xshare:off",
                "-Dnetboot.home=" + Path.of("").toAbsolutePath(), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS), "the child ended");
        return p.exitValue();
    }

    /** Writes emulator/fleet.scenario with {@code tftp} lines added to its [tftp] section. */
    private Path scenario(String tftp) throws Exception {
        String text = Files.readString(Path.of("emulator/fleet.scenario"));
        text = text.replaceAll("(?m)^max-transfers = .*$\\n", "").replaceAll("(?m)^when-full = .*$\\n", "")
                .replace("[tftp]\n", "[tftp]\n" + tftp);
        return Files.writeString(dir.resolve("limited.scenario"), text);
    }
}
