package dev.netboot.cli;

import dev.netboot.device.ConfigException;
import dev.netboot.device.ConfigValues;
import dev.netboot.device.DeviceProfile;
import dev.netboot.emulator.EmulatedBoot;
import dev.netboot.emulator.FleetBoot;
import dev.netboot.emulator.FleetReport;
import dev.netboot.emulator.LinkModel;
import dev.netboot.emulator.Scenario;
import dev.netboot.emulator.ScenarioFile;
import dev.netboot.emulator.ServedFile;
import dev.netboot.flash.FlashGeometry;
import dev.netboot.flash.FlashSpec;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.FlashType;
import dev.netboot.flash.Flashes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code netboot fleet}: N boards power up on the emulator at once (or over a stagger) and boot from the
 * scenario's servers; prints how the boards and the servers fared ({@link FleetSummary}).
 */
@Command(name = "fleet", mixinStandardHelpOptions = true,
        description = {"Boot a fleet of boards on the built-in emulator at once: each its own MAC, stack and flash, against the"
                + " scenario's DHCP and TFTP servers; report how the boards and the servers fared.",
                "Exit status: 0 every board booted, 1 some failed, 2 usage or profile error."})
final class FleetCommand implements Callable<Integer> {
    /** The virtual time a fleet may take unless --max-time says otherwise: an hour. */
    static final long DEFAULT_BUDGET = 3_600_000_000_000L;

    @Option(names = "--boards", paramLabel = "N", required = true, description = "How many boards (1.." + FleetBoot.MAX_BOARDS + ").")
    int boards;

    @Option(names = "--profile", paramLabel = "NAME|FILE",
            description = "The boards' profile: a name in device-profiles/ or a path (default: " + DeviceProfile.DEFAULT_NAME + ").")
    String profile;

    @Option(names = "--scenario", paramLabel = "FILE",
            description = "Emulator scenario: network, servers and their limits (default: emulator/fleet.scenario).")
    Path scenarioFile;

    @Option(names = "--stagger", paramLabel = "TIME",
            description = "Power the boards up at random instants over this long, e.g. 2s (default: 0, all at once).")
    String stagger;

    @Option(names = "--loss", paramLabel = "P", description = "Probability 0..1 that the link loses a frame (default: the scenario's).")
    Double loss;

    @Option(names = "--multicast", description = "The boards ask for the image by multicast (RFC 2090) where the server offers it.")
    boolean multicast;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the emulator's randomness (default: the scenario's).")
    Long seed;

    @Option(names = "--image", paramLabel = "FILE", description = "The file the TFTP servers serve (default: a generated 1 MiB + 337 bytes).")
    Path image;

    @Option(names = "--bandwidth", paramLabel = "RATE", description = "Every port's link rate, e.g. 1Gbit (default: the scenario's).")
    String bandwidth;

    @Option(names = "--flash-timing", paramLabel = "typical|max|none",
            description = "The boards' flash chip times from the profile, in virtual time (default: typical).")
    String flashTiming;

    @Option(names = "--max-time", paramLabel = "TIME",
            description = "Stop after this much virtual time; boards still busy count as failed (default: 60min).")
    String maxTime;

    @Option(names = "--json", description = "Print one JSON object on stdout at the end instead of the human summary.")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE",
            description = "Write an SVG picture of the boards booted over time and of the servers' link use.")
    Path plot;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        FleetBoot.Config config;
        String scenarioName;
        try {
            if (boards < 1 || boards > FleetBoot.MAX_BOARDS) {
                throw new UsageError("--boards " + boards + " (expected: 1.." + FleetBoot.MAX_BOARDS + ")");
            }
            FlashTiming.Mode timing = flashTiming == null ? FlashTiming.Mode.TYPICAL : switch (flashTiming.toLowerCase(Locale.ROOT)) {
                case "typical" -> FlashTiming.Mode.TYPICAL;
                case "max" -> FlashTiming.Mode.MAX;
                case "none" -> FlashTiming.Mode.NONE;
                default -> throw new UsageError("--flash-timing " + flashTiming + " (expected: typical, max or none)");
            };
            long staggerNanos = stagger == null ? 0 : duration("--stagger", stagger);
            long budget = maxTime == null ? DEFAULT_BUDGET : duration("--max-time", maxTime);
            if (budget <= 0) {
                throw new UsageError("--max-time " + maxTime + " (expected: more than 0)");
            }
            if (plot != null) {
                Path parent = plot.toAbsolutePath().getParent();
                if (Files.isDirectory(plot) || (parent != null && !Files.isDirectory(parent))) {
                    throw new UsageError("--plot " + plot + ": " + (Files.isDirectory(plot) ? "is a directory" : "no such directory "
                            + parent) + " (expected: the SVG file to write)");
                }
            }
            FlashProfiles.Choice chosen = FlashProfiles.choose(profile, null);
            new OutputFiles().reads("--image", image).reads("--scenario", scenarioFile)
                    .reads("--profile", profile == null ? null : DeviceProfile.locate(profile, Home.profiles())).writes("--plot", plot).check();
            FlashProfiles.checkRoom(chosen, null, "");
            DeviceProfile prof = chosen.profile();
            if (multicast) {
                prof = prof.withTftp(prof.tftp().withMulticast(true));
            }
            Path sf = scenarioFile != null ? scenarioFile : Home.dir().resolve("emulator").resolve("fleet.scenario");
            scenarioName = scenarioFile != null ? scenarioFile.toString() : "emulator/fleet.scenario";
            Scenario sc = scenario(sf, prof);
            if (boards > sc.fleet().poolSize()) {
                err.println("netboot: note: " + boards + " boards, " + sc.fleet().poolSize() + " addresses in the scenario's pool:"
                        + " the boards past it get no address ([bootp] pool-size)");
            }
            ServedFile served = image != null ? openImage(image) : ServedFile.of(EmulatedBoot.generatedImage(sc.seed()));
            config = new FleetBoot.Config(sc, prof, served, boards, staggerNanos, timing, budget);
        } catch (UsageError e) {
            return FleetSummary.refused(json, e.getMessage(), out, err);
        }
        boolean bar = !json && Home.terminal();
        FleetProgress progress = new FleetProgress(err, bar);
        FleetReport report;
        List<sun.misc.SignalHandler> before = catchSignals(progress);
        try (ServedFile _ = config.image()) { // closed when the fleet is done
            report = FleetBoot.run(config, progress);
        } catch (OutOfMemoryError e) {
            progress.clear();
            return FleetSummary.refused(json, Main.EXIT_FAILED, "memory", outOfMemory(config, Runtime.getRuntime().maxMemory()), out, err);
        } finally {
            restoreSignals(before);
        }
        progress.clear();
        if (plot != null) {
            try {
                Files.writeString(plot, FleetPlot.svg(report, config));
            } catch (IOException e) {
                return FleetSummary.refused(json, Main.EXIT_FAILED, "plot", "cannot write the plot " + IoProblems.of(plot, e), out, err);
            }
        }
        FleetSummary.Facts facts = new FleetSummary.Facts(config, report, scenarioName, multicast, loss, progress.signal());
        int exit = FleetSummary.print(facts, json, out, err);
        return progress.signal() == null ? exit : FleetSummary.interrupted(progress.signal(), report, err);
    }

    /** The signals that stop a fleet early, with its summary so far: Ctrl-C, and what {@code kill} and {@code timeout} send. */
    private static final String[] SIGNALS = {"INT", "TERM"};

    /** Makes SIGINT and SIGTERM ask {@code progress} to stop the run; returns the handlers they had. */
    private static List<sun.misc.SignalHandler> catchSignals(FleetProgress progress) {
        List<sun.misc.SignalHandler> before = new ArrayList<>();
        for (String name : SIGNALS) {
            try {
                before.add(sun.misc.Signal.handle(new sun.misc.Signal(name), _ -> progress.interrupt(name)));
            } catch (IllegalArgumentException e) {
                before.add(null); // the JVM reserves it here (-Xrs): it ends the process as usual, without a summary
            }
        }
        return before;
    }

    private static void restoreSignals(List<sun.misc.SignalHandler> before) {
        for (int i = 0; i < SIGNALS.length; i++) {
            if (before.get(i) != null) {
                sun.misc.Signal.handle(new sun.misc.Signal(SIGNALS[i]), before.get(i));
            }
        }
    }

    /**
     * Says that {@code config}'s fleet ran out of a heap of {@code maxHeap} bytes, and how much to give it. The image the
     * boards write is held once, their chips sharing the chunks of 4 KiB they write alike ({@link Flashes.Sharing}); each
     * board that gets an address keeps the part of its chip's index that covers what it wrote (groups of 64 chunks, 8
     * bytes a chunk) and what it wrote unlike the others (its slot metadata, two chunks at most); every board its chip's
     * erase counters (4 bytes a NOR sector, 8 a NAND block), its stack, its buffers and its port, about
     * {@link #PER_BOARD} besides (measured: 200 boards of the 1 MiB image held at most 37 MiB after a collection, 800
     * boards 81 MiB). The advice leaves the collector half as much again, and is more than the heap that ran out.
     */
    static String outOfMemory(FleetBoot.Config config, long maxHeap) {
        long booting = Math.min(config.boards(), config.scenario().fleet().poolSize());
        FlashSpec chip = config.profile().chip();
        FlashGeometry g = chip.geometry();
        long raw = g.size() + (chip.type() == FlashType.NAND ? g.size() / g.pageSize() * chip.spareSize() : 0);
        long groups = (raw + 4095) / 4096 / 64 + 1;
        long image = (config.image().size() + 4095) / 4096 * 4096;
        long own = (image / 4096 / 64 + 3) * 64 * 8 + 2 * 4096; // the groups the image and the metadata fall in
        long counters = g.size() / g.eraseUnit() * (chip.type() == FlashType.NAND ? 8 : 4);
        long needed = 32L * MIB + image + config.boards() * (PER_BOARD + counters + 2 * groups * 8) + booting * own;
        long advice = Math.max(needed / 2 * 3, 2 * maxHeap);
        String xmx = advice >= 1L << 30 ? (advice + (1L << 30) - 1 >> 30) + "g" : (advice + 64 * MIB - 1) / (64 * MIB) * 64 + "m";
        return String.format(Locale.ROOT, "out of memory with %,d boards: the Java heap (at most %s) is too small for about %s:"
                        + " the image once (the boards' flash chips share it), and for each of the %,d boards that get an address"
                        + " its flash's index and slot metadata (%s), for every board its stack, buffers and flash counters"
                        + " (%s); give the JVM more, e.g. JAVA_OPTS=-Xmx%s", config.boards(), BootCommand.sizeOf(maxHeap),
                gib(needed), booting, kib(own), kib(PER_BOARD + counters + 2 * groups * 8), xmx);
    }

    private static String kib(long bytes) {
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }

    private static final long MIB = 1L << 20;
    /** What a board holds besides its flash: its stack and buffers (the profile's RAM), its port, its boot's state. */
    private static final long PER_BOARD = 128 * 1024;

    /** A size in GiB with one decimal, or in MiB below 1 GiB. */
    private static String gib(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30)) : (bytes + MIB - 1) / MIB + " MiB";
    }

    private Scenario scenario(Path sf, DeviceProfile prof) {
        String missing = Home.missingScenario(scenarioFile);
        if (missing != null) {
            throw new UsageError(missing);
        }
        Scenario sc;
        try {
            sc = Files.exists(sf) || scenarioFile != null ? ScenarioFile.load(sf, prof.mac(), boards) : Scenario.DEFAULT;
        } catch (ConfigException e) {
            throw new UsageError(e.getMessage());
        }
        if (seed != null) {
            sc = sc.withSeed(seed);
        }
        if (loss != null) {
            if (!(loss >= 0 && loss <= 1)) {
                throw FaultOptions.notAProbability("--loss", loss);
            }
            sc = sc.withLoss(loss);
        }
        if (bandwidth != null) {
            try {
                sc = sc.withLink(sc.link().withRate(LinkModel.parseRate(bandwidth)));
            } catch (IllegalArgumentException e) {
                throw new UsageError("--bandwidth: " + e.getMessage());
            }
        }
        return sc;
    }

    private static long duration(String option, String text) {
        try {
            long t = ConfigValues.parseDuration(text);
            if (t < 0) {
                throw new UsageError(option + " " + text + " (expected: 0 or more)");
            }
            return t;
        } catch (ConfigException e) {
            throw new UsageError(option + ": " + e.getMessage());
        }
    }

    private static ServedFile openImage(Path file) {
        if (Files.isDirectory(file)) {
            throw new UsageError("--image " + file + ": is a directory (expected: a file)");
        }
        try {
            return ServedFile.open(file);
        } catch (IOException e) {
            throw new UsageError("--image " + IoProblems.of(file, e));
        }
    }
}
