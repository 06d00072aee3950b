package dev.netboot.cli;

import dev.netboot.device.ConfigException;
import dev.netboot.device.ConfigValues;
import dev.netboot.emulator.Scenario;
import dev.netboot.emulator.ScenarioFile;
import dev.netboot.emulator.WireServers;
import dev.netboot.emulator.timeline.TimelineRecorder;
import dev.netboot.emulator.timeline.WireFrame;
import dev.netboot.link.LinkException;
import dev.netboot.link.PcapWriter;
import dev.netboot.link.RawSocketLink;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code netboot serve}: the emulator's DHCP (or BOOTP) and TFTP servers on a real interface, through a raw socket
 * and {@link ChaosLink}'s faults, so a real board or a virtual machine boots against a network that loses,
 * duplicates, corrupts, delays and reorders. The servers are the emulator's own ({@link WireServers}), set up from
 * the scenario (addresses, pool, boot file, lease, TFTP timeout), answering with the interface's MAC; the loop polls
 * them on the real clock and waits in {@code poll(2)} until a frame comes or a deadline is due. Each client's progress
 * goes to stderr, a summary per client to stdout when it stops: on SIGINT or SIGTERM, after {@code --clients N}
 * finished clients, or after {@code --for T}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the emulator's DHCP/BOOTP and TFTP servers on a real interface (root or CAP_NET_RAW), with the faults "
                + "the scenario and options ask for, so a real board or a VM boots against a network that loses, reorders and lies.",
                "Stops on SIGINT or SIGTERM, or as --clients and --for say, and prints a summary per client.",
                "Exit status: 0 served until stopped, 1 --for ran out before --clients N finished (or a file could not be written), "
                        + "2 usage error, or the interface cannot be opened."})
final class ServeCommand implements Callable<Integer> {
    private static final long MAX_WAIT = 100_000_000L;
    /**
     * The one-way latency a real LAN has of its own (a switch and a short cable: the default scenario's): the stage
     * delays every frame by what a scenario's {@code [segment] latency} asks beyond it, and cannot make a wire faster.
     */
    static final long LAN_LATENCY = Scenario.DEFAULT.latencyNanos();

    /** The longest a frame is delayed, {@code --jitter} or the scenario's {@code jitter}. */
    private static final long MAX_JITTER = 10_000_000_000L;
    /** How long {@code --clients N} waits, once N clients finished, for no TFTP request and no transfer running. */
    static final long LINGER = 2_000_000_000L;

    @Option(names = "--interface", paramLabel = "NAME", required = true,
            description = "The Linux interface to serve on (raw Ethernet frames; the host's own addresses are not touched).")
    String iface;

    @Option(names = "--image", paramLabel = "FILE",
            description = "The file served as the scenario's boot file (default: a generated image, 1 MiB + 337 bytes).")
    Path image;

    @Option(names = "--root", paramLabel = "DIR",
            description = "Serve every regular file under DIR by its path in it, as tftpd-hpa -s DIR does (a leading / is DIR itself; "
                    + "nothing outside DIR, nothing but regular files), for boot loaders that fetch more than one file. "
                    + "The scenario's boot file must be one of them. Not with --image.")
    Path root;

    @Option(names = "--scenario", paramLabel = "FILE",
            description = "Scenario: server address, pool, boot file, lease, TFTP settings, faults (default: emulator/default.scenario).")
    Path scenarioFile;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the faults and the TFTP ports (default: the scenario's).")
    Long seed;

    @Option(names = "--loss", paramLabel = "P", description = "Probability 0..1 that a frame is lost, each way (default: the scenario's).")
    Double loss;

    @Option(names = "--duplicate", paramLabel = "P", description = "Probability 0..1 that a frame arrives twice (default: the scenario's).")
    Double duplicate;

    @Option(names = "--reorder", paramLabel = "P", description = "Probability 0..1 that a frame is held back behind the next one (default: the scenario's).")
    Double reorder;

    @Option(names = "--corrupt", paramLabel = "P",
            description = "Probability 0..1 that a frame has one bit flipped past its Ethernet header (default: the scenario's).")
    Double corrupt;

    @Option(names = "--jitter", paramLabel = "TIME", description = "Delay each frame by a random 0..TIME, e.g. 20ms; order kept (default: the scenario's).")
    String jitter;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write every frame, as sent and before any fault, to this libpcap file.")
    Path pcap;

    @Option(names = "--timeline", paramLabel = "FILE", description = "Draw what happened as an SVG sequence diagram in this file when it stops.")
    Path timeline;

    @Option(names = "--clients", paramLabel = "N", description = "Stop once N clients have finished their transfer (complete or failed; "
            + "not one the server gave up on, the client silent) and for 2 s no TFTP request came and no transfer ran (a board's FILE.sha256 or FILE.sig fetch).")
    Integer clients;

    @Option(names = "--for", paramLabel = "TIME", description = "Stop after this long, e.g. 60s.")
    String duration;

    @Option(names = "--json", description = "Print the summary as one JSON object on stdout instead of text.")
    boolean json;

    private static volatile boolean stop;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        Setup s;
        try {
            s = setup();
        } catch (UsageError e) {
            err.println("netboot: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        try (ServeImage files = s.files(); RawSocketLink raw = RawSocketLink.open(iface);
             PcapWriter capture = pcap == null ? null : PcapWriter.create(pcap)) {
            return serve(s, files, raw, capture, out, err);
        } catch (LinkException e) {
            err.println("netboot: " + e.getMessage());
            return Main.EXIT_USAGE;
        } catch (UncheckedIOException e) {
            err.println("netboot: cannot write the capture " + IoProblems.of(pcap, e.getCause()));
            return Main.EXIT_FAILED;
        }
    }

    /** What to serve: {@code files} is the image and what lies beside it, null with {@code --root}. */
    private record Setup(Scenario scenario, ServeImage files, ChaosLink.Faults faults, long forNanos) {
    }

    /** Checks every option and loads the scenario and the image; creates nothing. */
    private Setup setup() {
        Path sf = scenarioFile != null ? scenarioFile : Home.defaultScenario();
        String missing = Home.missingScenario(scenarioFile);
        if (missing != null) {
            throw new UsageError(missing);
        }
        Scenario sc;
        try {
            sc = Files.exists(sf) || scenarioFile != null ? ScenarioFile.load(sf) : Scenario.DEFAULT;
        } catch (ConfigException e) {
            throw new UsageError(e.getMessage());
        }
        String other = WireServers.emulatorOnly(sc);
        if (other != null) {
            throw new UsageError("--scenario " + sf + ": " + other);
        }
        String unmade = WireScenario.unmade(sc.faults());
        if (unmade != null) {
            throw new UsageError("--scenario " + sf + ": its [faults] " + unmade);
        }
        String unpaced = WireScenario.bandwidth(sc.link().bitsPerSecond(), iface, WireScenario.interfaceMbps(iface));
        if (unpaced != null) {
            throw new UsageError("--scenario " + sf + ": its [segment] bandwidth " + unpaced);
        }
        long latency = Math.max(0, sc.latencyNanos() - LAN_LATENCY);
        if (seed != null) {
            sc = sc.withSeed(seed);
        }
        double l = probability("--loss", loss, sc.faults().loss());
        double d = probability("--duplicate", duplicate, sc.faults().duplicate());
        double r = probability("--reorder", reorder, sc.faults().reorder());
        double c = probability("--corrupt", corrupt, sc.faults().corrupt());
        long j = jitter == null ? sc.faults().jitter() : duration("--jitter", jitter);
        if (j > MAX_JITTER) {
            throw new UsageError(jitter != null ? "--jitter " + jitter + ": out of range (expected: 0..10s)"
                    : "--scenario " + sf + ": its [faults] jitter " + WireScenario.time(j) + ": out of range (expected: 0..10s, as --jitter)");
        }
        long forNanos = duration == null ? Long.MAX_VALUE : duration("--for", duration);
        if (duration != null && forNanos <= 0) {
            throw new UsageError("--for " + duration + ": expected a duration above 0, e.g. 60s");
        }
        if (clients != null && clients < 1) {
            throw new UsageError("--clients " + clients + " (expected: 1 or more)");
        }
        BootSetup.checkWritable("--pcap", pcap, "the capture file to write");
        BootSetup.checkWritable("--timeline", timeline, "the SVG file to write");
        OutputFiles files = new OutputFiles().reads("--scenario", scenarioFile).reads("--image", image);
        if (image != null) {
            files.reads("--image's signature", BootSetup.beside(image, ".sig")).reads("--image's digest", BootSetup.beside(image, ".sha256"));
        }
        if (root != null && Files.isDirectory(root) && !sc.bootFile().replaceFirst("^/+", "").isEmpty()) {
            files.reads("--root's boot file", root.resolve(sc.bootFile().replaceFirst("^/+", "")));
        }
        files.writes("--pcap", pcap).writes("--timeline", timeline).check();
        ChaosLink.Faults faults = new ChaosLink.Faults(l, d, r, c, j, latency);
        if (root != null) {
            if (image != null) {
                throw new UsageError("--root and --image: give one or the other (--root serves the boot file from the folder)");
            }
            if (!Files.isDirectory(root)) {
                throw new UsageError("--root " + root + ": " + (Files.exists(root) ? "not a folder" : "no such folder"));
            }
            String boot = sc.bootFile().replaceFirst("^/+", "");
            if (!boot.isEmpty() && !Files.isRegularFile(root.resolve(boot))) {
                // Every board would be refused: say so now, not once per board.
                throw new UsageError("--root " + root + ": the boot file the scenario names, " + sc.bootFile() + ", is not a file in it");
            }
            return new Setup(sc, null, faults, forNanos);
        }
        return new Setup(sc, image != null ? ServeImage.open(image) : ServeImage.generated(sc), faults, forNanos);
    }

    private static double probability(String option, Double value, double otherwise) {
        if (value == null) {
            return otherwise;
        }
        if (!(value >= 0 && value <= 1)) {
            throw FaultOptions.notAProbability(option, value);
        }
        return value;
    }

    private static long duration(String option, String text) {
        try {
            return ConfigValues.parseDuration(text);
        } catch (ConfigException e) {
            throw new UsageError(option + ": " + e.getMessage());
        }
    }

    private int serve(Setup s, ServeImage files, RawSocketLink raw, PcapWriter capture, PrintStream out, PrintStream err) {
        Scenario sc = s.scenario();
        String bootFile = files != null ? sc.servedFile() : sc.bootFile();
        long size;
        try {
            size = files != null ? files.image().size() : bootFile.isEmpty() ? 0 : Files.size(root.resolve(bootFile.replaceFirst("^/+", "")));
        } catch (IOException e) {
            err.println("netboot: --root " + IoProblems.of(root.resolve(bootFile), e));
            return Main.EXIT_USAGE;
        }
        ServeClients watch = new ServeClients(err, raw.macAddress());
        TimelineRecorder drawing = timeline == null ? null : new TimelineRecorder(raw.macAddress(), "server " + sc.serverIp());
        long origin = System.nanoTime();
        ChaosLink chaos = new ChaosLink(raw, s.faults(), dev.netboot.emulator.Seeds.derive(sc.seed(), "serve-faults"),
                (now, dir, frame, length, lost, faults) -> {
                    if (capture != null) {
                        capture.write(now, java.nio.ByteBuffer.wrap(frame), 0, length);
                    }
                    watch.frame(now, WireFrame.of(frame, length));
                    if (drawing != null) {
                        drawing.frame(now, frame, length, lost, faults);
                    }
                });
        WireServers servers = WireServers.start(chaos, raw.macAddress(), sc);
        if (servers.dhcp() != null) {
            servers.dhcp().bound(ServeClientTable.DEFAULT_LIMIT); // a flood from random MACs holds no address away from a board
        }
        watch.noAddressBecause(servers.dhcp() != null ? noAddressBecause(servers.dhcp()::refusedForPool, servers.dhcp()::unknownRelay)
                : noAddressBecause(servers.bootp()::refusedForPool, servers.bootp()::unknownRelay));
        try (Closing _ = servers.tftp()::closeFiles) { // the files opened from --root
            List<String> sidecars = List.of();
            if (files != null) {
                sidecars = files.serveOn(servers.tftp(), sc.servedFile());
            } else {
                try {
                    servers.tftp().serveFolder(root);
                } catch (IOException e) {
                    err.println("netboot: --root " + IoProblems.of(root, e));
                    return Main.EXIT_USAGE;
                }
            }
            Scenario.Multicast mc = WireServers.offered(sc);
            long longest = WireServers.longestWait(sc);
            err.printf(Locale.ROOT, "netboot: serving on %s as %s (%s): %s, pool from %s, %sboot file %s (%d bytes%s), TFTP timeout %.1f s%s%s; "
                            + "faults: %s%n", iface, sc.serverIp(), raw.macAddress(), servers.dhcp() != null ? "DHCP" : "BOOTP", sc.clientIp(),
                    root == null ? "" : "the files under " + root + ", ", bootFile, size,
                    sidecars.isEmpty() ? "" : ", with " + String.join(" and ", sidecars), sc.tftpTimeout() / 1e9,
                    sc.tftpTimeout() < longest ? String.format(Locale.ROOT, " (unicast doubling to %.1f s)", longest / 1e9) : "",
                    mc == null ? "" : ", multicast on " + mc.firstGroup() + (mc.groups() == 1 ? "" : " and " + (mc.groups() - 1) + " more groups")
                            + " port " + mc.port(), faults(s.faults()));
            stop = false;
            installSignals();
            long now = 0;
            String why = "stopped by a signal";
            boolean short_ = false;
            boolean linkFailed = false;
            try {
                while (true) {
                    now = System.nanoTime() - origin;
                    servers.poll(now);
                    watch.poll(now, servers.tftp());
                    if (stop) {
                        break;
                    }
                    if (clients != null && watch.finished() >= clients && watch.quiet(now, LINGER)) {
                        why = watch.finished() + " of " + clients + " clients finished";
                        break;
                    }
                    if (now >= s.forNanos()) {
                        why = String.format(Locale.ROOT, "stopped after %s", duration);
                        short_ = clients != null;
                        break;
                    }
                    long wait = Math.min(servers.pollAt(), s.forNanos()) - now;
                    if (wait > 0) {
                        raw.awaitFrame(Math.min(wait, MAX_WAIT));
                    }
                }
            } catch (LinkException e) {
                // The interface went down or away mid-run (ip link set down, a USB NIC unplugged, a TAP deleted): the
                // run failed (exit 1, not a usage error), and what was served until then is still said.
                why = "interface lost: " + e.getMessage();
                linkFailed = true;
            }
            // "stopped after 25s (25.001 s)", "stopped by a signal (8.120 s)", "3 of 3 clients finished (12.004 s)"
            err.printf(Locale.ROOT, "netboot: %s (%.3f s)%n", why, now / 1e9);
            if (json) {
                ChaosLink.Faults f = s.faults();
                out.println(Json.object().put("interface", iface).put("server", sc.serverIp().toString()).put("seconds", now / 1e9)
                        .put("stopped", why).put("root", root == null ? null : root.toString()).put("file", bootFile).put("size", size)
                        .putArray("sidecars", sidecars)
                        .put("faults", Json.object().put("loss", f.loss()).put("duplicate", f.duplicate()).put("reorder", f.reorder())
                                .put("corrupt", f.corrupt()).put("jitterSeconds", f.jitterNanos() / 1e9)
                                .put("latencySeconds", f.latencyNanos() / 1e9))
                        .put("finished", watch.finished()).put("givenUp", watch.givenUp()).putArray("clients", watch.json(now))
                        .put("unlisted", watch.unlistedJson())
                        .putArray("multicast", watch.multicastJson())
                        .put("wire", Json.object().put("lost", chaos.lost()).put("duplicated", chaos.duplicated())
                                .put("corrupted", chaos.corrupted()).put("delayed", chaos.delayed()).put("reordered", chaos.reordered())));
            } else {
                out.printf(Locale.ROOT, "served on %s as %s for %.3f s (%s); faults: %s%n", iface, sc.serverIp(), now / 1e9, why, faults(s.faults()));
                watch.summary(out, now);
                out.printf(Locale.ROOT, "  wire: %d lost, %d duplicated, %d corrupted, %d delayed, %d reordered%n", chaos.lost(),
                        chaos.duplicated(), chaos.corrupted(), chaos.delayed(), chaos.reordered());
            }
            if (drawing != null) {
                try {
                    drawing.write(timeline, "netboot serve on " + iface + ": " + sc.serverIp() + ", faults " + faults(s.faults()));
                } catch (IOException e) {
                    err.println("netboot: cannot write the timeline " + IoProblems.of(timeline, e));
                    return Main.EXIT_FAILED;
                }
            }
            if (linkFailed) {
                return Main.EXIT_FAILED;
            }
            if (short_) {
                int gone = watch.givenUp();
                err.println("netboot: only " + watch.finished() + " of " + clients + " clients finished within " + duration
                        + (gone == 0 ? "" : " (" + gone + " given up on: silent or gone mid-transfer)"));
                return Main.EXIT_FAILED;
            }
            return 0;
        }
    }

    /** Something to close that says no checked exception. */
    private interface Closing extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * The summary's words for a client the DHCP or BOOTP server left without an address (its {@code refusedForPool} and
     * {@code unknownRelay}), or null when it did not refuse it.
     */
    static java.util.function.Function<MacAddress, String> noAddressBecause(java.util.function.Predicate<MacAddress> refusedForPool,
                                                                            java.util.function.Function<MacAddress, Ipv4Address> unknownRelay) {
        return mac -> {
            if (refusedForPool.test(mac)) {
                return "none left in the pool";
            }
            Ipv4Address relay = unknownRelay.apply(mac);
            return relay == null ? null : "relayed by " + relay + ", a subnet the scenario has no [relay] for";
        };
    }

    private static String faults(ChaosLink.Faults f) {
        if (f.none()) {
            return "none";
        }
        return String.format(Locale.ROOT, "loss %s, duplicate %s, reorder %s, corrupt %s, jitter %s ms", f.loss(), f.duplicate(),
                f.reorder(), f.corrupt(), f.jitterNanos() / 1e6) + (f.latencyNanos() == 0 ? "" : ", latency " + f.latencyNanos() / 1e6 + " ms more");
    }

    /** Turns SIGINT and SIGTERM into a request to stop: the loop sees it within {@link #MAX_WAIT} and prints the summary. */
    private static void installSignals() {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), _ -> stop = true);
            } catch (IllegalArgumentException e) {
                // the JVM reserves this signal here (e.g. -Xrs): it then ends the process as usual, without a summary
            }
        }
    }
}
