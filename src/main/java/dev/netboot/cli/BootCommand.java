package dev.netboot.cli;

import dev.netboot.device.BootFailure;
import dev.netboot.device.BootObserver;
import dev.netboot.device.BootReport;
import dev.netboot.device.BootSequence;
import dev.netboot.device.ConfigException;
import dev.netboot.device.ConfigText;
import dev.netboot.device.DeviceProfile;
import dev.netboot.device.RealTimeBoot;
import dev.netboot.dhcp.Lease;
import dev.netboot.emulator.EmulatedBoot;
import dev.netboot.emulator.LinkModel;
import dev.netboot.emulator.Scenario;
import dev.netboot.emulator.ScenarioFile;
import dev.netboot.emulator.Seeds;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashException;
import dev.netboot.flash.FlashStats;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.FlashWear;
import dev.netboot.flash.Flashes;
import dev.netboot.flash.PowerCutFlash;
import dev.netboot.link.Link;
import dev.netboot.link.LinkException;
import dev.netboot.link.PcapLink;
import dev.netboot.link.PcapWriter;
import dev.netboot.link.RawSocketLink;
import dev.netboot.net.NetConfig;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code netboot boot}: boots a board on the built-in emulator, or on a real interface, and reports what happened. */
@Command(name = "boot", mixinStandardHelpOptions = true,
        description = {"Boot a board on the built-in emulator: BOOTP, ARP, TFTP, then stream the image into flash and verify it.",
                "With --interface, boot over a real Linux interface instead (root or CAP_NET_RAW), from real BOOTP and TFTP servers.",
                "Exit status: 0 booted, 1 the boot failed, 2 usage or profile error, or the interface cannot be opened."})
final class BootCommand implements Callable<Integer> {
    @Option(names = "--profile", paramLabel = "NAME|FILE",
            description = "Board profile: a name in device-profiles/ or a path (default: ${DEFAULT-VALUE}).",
            defaultValue = DeviceProfile.DEFAULT_NAME)
    String profile;

    @Option(names = "--image", paramLabel = "FILE",
            description = "File the emulated TFTP server serves as the boot file (default: a generated image).")
    Path image;

    @Option(names = "--flash-file", paramLabel = "FILE",
            description = "Back the board's flash with this file: created erased at the profile's flash size if missing, reused as is if present.")
    Path flashFile;

    @Option(names = "--scenario", paramLabel = "FILE",
            description = "Emulator scenario: segment, servers, faults (default: emulator/default.scenario).")
    Path scenarioFile;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the emulator's randomness (default: the scenario's).")
    Long seed;

    @Option(names = "--loss", paramLabel = "P", description = "Probability 0..1 that the link loses a frame (default: the scenario's).")
    Double loss;

    @Option(names = "--bandwidth", paramLabel = "RATE",
            description = "Emulated link rate, e.g. 100Mbit or 1Gbit (Kbit/Mbit/Gbit, decimal); frames take serialisation time and queue. 0: infinitely fast (default: the scenario's).")
    String bandwidth;

    @Option(names = "--rtt", paramLabel = "TIME",
            description = "Emulated round-trip propagation time, e.g. 1ms: each frame's one-way latency is half of it (default: twice the scenario's latency).")
    String rtt;

    @Option(names = "--blksize", paramLabel = "N|auto",
            description = "TFTP block size to ask for (RFC 2348: 8..65464, or auto: the largest the MTU carries, 1468) instead of the profile's.")
    String blksize;

    @Option(names = "--windowsize", paramLabel = "N",
            description = "TFTP window to ask for (RFC 7440: 1..65535; 1 is stop-and-wait) instead of the profile's.")
    Integer windowsize;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write every frame on the emulated wire to this libpcap file.")
    Path pcap;

    @Option(names = "--json", description = "Print one JSON object on stdout at the end instead of the human summary.")
    boolean json;

    @Option(names = "--interface", paramLabel = "NAME",
            description = {"Boot over this Linux network interface (raw Ethernet frames; needs root or CAP_NET_RAW) instead of the emulator.",
                    "The board uses the interface's MAC unless the profile says mac-source = profile or --mac is given;"
                            + " the host's own IP configuration is not touched."})
    String iface;

    @Option(names = "--mac", paramLabel = "MAC", description = "With --interface: the board's MAC address instead of the interface's.")
    String mac;

    @Option(names = "--flash-timing", paramLabel = "typical|max|none",
            description = {"Flash chip times from the profile in virtual time: typical or worst-case (max) datasheet times, "
                    + "or none (default: ${DEFAULT-VALUE}). The network is paced by the flash: ACKs wait while the board's RAM is full."},
            defaultValue = "typical")
    String flashTiming;

    @Option(names = "--power-cut-at", paramLabel = "N",
            description = "Cut the board's power at flash operation N (1-based: each program, and each erase unit of an erase); "
                    + "the boot stops there (exit 1) and the flash file keeps what the cut left.")
    Long powerCutAt;

    @Option(names = "--power-cut-mode", paramLabel = "before|after|torn",
            description = "What the cut operation leaves: before (never ran), after (completed) or torn (half done) (default: ${DEFAULT-VALUE}).",
            defaultValue = "torn")
    String powerCutMode;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        if (iface != null) {
            String emulatorOnly = image != null ? "--image" : scenarioFile != null ? "--scenario" : loss != null ? "--loss"
                    : bandwidth != null ? "--bandwidth" : rtt != null ? "--rtt" : null;
            if (emulatorOnly != null) {
                return usage(err, emulatorOnly + " configures the emulator; it has no meaning with --interface");
            }
        } else if (mac != null) {
            return usage(err, "--mac needs --interface (on the emulator the board has the profile's MAC)");
        }
        FlashTiming.Mode timingMode;
        PowerCutFlash.Mode cutMode;
        try {
            timingMode = FlashTiming.Mode.valueOf(flashTiming.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return usage(err, "--flash-timing " + flashTiming + " (expected: typical, max or none)");
        }
        try {
            cutMode = PowerCutFlash.Mode.valueOf(powerCutMode.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return usage(err, "--power-cut-mode " + powerCutMode + " (expected: before, after or torn)");
        }
        if (powerCutAt != null && powerCutAt < 1) {
            return usage(err, "--power-cut-at " + powerCutAt + " (expected: a flash operation, 1 or more)");
        }
        DeviceProfile prof;
        Scenario scenario = null;
        byte[] served = null;
        MacAddress boardMac = null;
        try {
            prof = DeviceProfile.resolve(profile, Home.profiles());
            if (blksize != null || windowsize != null) {
                String bad = tftpOverrides(prof);
                if (bad != null) {
                    return usage(err, bad);
                }
                prof = withTftpOverrides(prof);
            }
            if (iface == null) {
                Path sf = scenarioFile != null ? scenarioFile : Home.defaultScenario();
                scenario = Files.exists(sf) || scenarioFile != null ? ScenarioFile.load(sf) : Scenario.DEFAULT;
                if (seed != null) {
                    scenario = scenario.withSeed(seed);
                }
                if (loss != null) {
                    if (!(loss >= 0 && loss <= 1)) {
                        return usage(err, "--loss " + loss + ": not a probability (expected: 0..1)");
                    }
                    scenario = scenario.withLoss(loss);
                }
                if (bandwidth != null) {
                    try {
                        scenario = scenario.withLink(scenario.link().withRate(LinkModel.parseRate(bandwidth)));
                    } catch (IllegalArgumentException e) {
                        return usage(err, "--bandwidth: " + e.getMessage());
                    }
                }
                if (rtt != null) {
                    long t;
                    try {
                        t = ConfigText.parseDuration(rtt);
                    } catch (ConfigException e) {
                        return usage(err, "--rtt: " + e.getMessage());
                    }
                    if (t < 0 || t > MAX_RTT) {
                        return usage(err, "--rtt " + rtt + ": out of range (expected: 0..10s)");
                    }
                    scenario = scenario.withLatency(t / 2);
                }
                served = image != null ? Files.readAllBytes(image) : EmulatedBoot.generatedImage(scenario.seed());
            } else if (mac != null) {
                boardMac = MacAddress.parse(mac);
            }
        } catch (ConfigException e) {
            return usage(err, e.getMessage());
        } catch (NoSuchFileException e) {
            return usage(err, e.getFile() + ": no such file");
        } catch (IOException e) {
            return usage(err, "cannot read " + image + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return usage(err, "--mac: " + e.getMessage());
        }

        Flash flash;
        int target;
        try {
            // NAND's seeded faults (random bad blocks) follow the run's seed, so a run is repeatable.
            flash = Flashes.open(prof.chip(), flashFile, scenario != null ? scenario.seed() : seed != null ? seed : 0);
            BootSlots slots = prof.bootSlots(flash);
            slots.load();
            target = slots.updateTarget();
        } catch (FlashException e) {
            return usage(err, "--flash-file: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return usage(err, "profile " + prof.name() + " does not fit its flash: " + e.getMessage());
        }

        Flash board = flash; // what the board sees: with --power-cut-at, the flash with the cut ahead
        if (powerCutAt != null) {
            board = new PowerCutFlash(flash, powerCutAt, cutMode, Seeds.derive(scenario != null ? scenario.seed() : 0, "power-cut"));
        }
        boolean progress = !json && System.console() != null && System.console().isTerminal();
        Progress observer = new Progress(err, progress, !json);
        long wallStart = System.nanoTime();
        Outcome o;
        int activeAfter;
        EmulatedBoot.FlashTime flashTime = null;
        try (flash) {
            if (iface != null) {
                o = onInterface(prof, board, boardMac, observer);
            } else {
                EmulatedBoot.Result result = EmulatedBoot.run(new EmulatedBoot.Config(scenario, prof, served, board, pcap, observer,
                        timingMode));
                flashTime = result.flash();
                o = new Outcome(result.state(), "emulation stopped after " + seconds(result.simulatedNanos())
                        + " s of virtual time", "the emulator", prof.mac(), result.simulatedNanos(), result.bytesReceived(),
                        result.blockSize(), result.windowSize(), result.transferNanos(), result.retransmissions(),
                        result.flashOps(), result.framesLost(), scenario.seed(),
                        scenario.faults().loss());
            }
            activeAfter = prof.bootSlots(flash).load().active(); // the chip itself: after a cut the board's view is dead
        } catch (LinkException e) {
            err.println("netboot: " + e.getMessage());
            return Main.EXIT_USAGE;
        } catch (IOException | UncheckedIOException e) {
            err.println("netboot: cannot write " + pcap + ": " + e.getMessage());
            return Main.EXIT_FAILED;
        }
        double wall = (System.nanoTime() - wallStart) / 1e9;
        observer.clearLine();

        Json j = Json.object();
        BootSequence.State end = o.state();
        String servedSha = served == null ? null : sha256(served);
        switch (end) {
            case BootSequence.State.Done d when servedSha != null -> {
                BootReport r = d.report();
                if (!r.sha256().equals(servedSha)) {
                    // The server's file and flash disagree although every check passed: say so, loudly.
                    end = new BootSequence.State.Failed(new BootFailure("verify", "image in flash (SHA-256 " + r.sha256()
                            + ") differs from the served file (" + servedSha + ")"));
                }
            }
            default -> {
            }
        }
        boolean ok = end instanceof BootSequence.State.Done;
        j.put("result", ok ? "ok" : "error");
        if (end instanceof BootSequence.State.Failed f) {
            j.put("error", f.failure().message());
            j.put("stage", f.failure().stage());
        } else if (!ok) {
            j.put("error", o.stopped() + " in stage " + end.getClass().getSimpleName());
            j.put("stage", end.getClass().getSimpleName().toLowerCase(Locale.ROOT));
        }
        j.put("profile", prof.name());
        if (iface != null) {
            j.put("interface", iface);
        }
        j.put("mac", o.mac().toString());
        Lease lease = observer.lease;
        putAddress(j, "ip", lease == null ? null : lease.address());
        putAddress(j, "netmask", lease == null ? null : lease.netmask());
        putAddress(j, "gateway", lease == null || lease.gateway().isAny() ? null : lease.gateway());
        putAddress(j, "server", lease == null ? null : lease.server());
        if (lease == null) {
            j.putNull("bootFile");
        } else {
            j.put("bootFile", lease.bootFile());
        }
        BootReport r = end instanceof BootSequence.State.Done d ? d.report() : null;
        j.put("bytes", r != null ? r.bytes() : o.bytes());
        if (r != null) {
            j.put("sha256", r.sha256());
            j.put("slot", r.slot());
            j.put("signed", r.signed());
            j.put("partition", r.partition());
            j.put("partitionOffset", r.partitionOffset());
            j.put("blockSize", r.blockSize());
            j.put("erasedSectors", r.erasedSectors());
            j.put("skippedSectors", r.skippedSectors());
        } else {
            j.putNull("sha256");
            j.put("slot", BootSlots.name(target));
            j.put("signed", false);
            j.put("partition", prof.slot(target).name());
            j.put("partitionOffset", prof.slot(target).offset());
            j.put("blockSize", o.blockSize());
        }
        j.put("activeSlot", BootSlots.name(activeAfter));
        j.put("windowSize", o.windowSize());
        if (o.transferNanos() < 0) {
            j.putNull("transferSeconds");
        } else {
            j.put("transferSeconds", o.transferNanos() / 1e9);
        }
        j.put("retransmissions", o.retransmissions());
        j.put("flashOps", o.flashOps());
        // Flash time and wear of this run (erase counters live in memory: they start at 0 when the file is opened).
        FlashWear wear = FlashWear.of(flash.eraseCounts());
        j.put("flashTiming", iface == null ? timingMode.name().toLowerCase(Locale.ROOT) : "none");
        j.put("flashSeconds", flashTime == null ? 0.0 : flashTime.busyNanos() / 1e9);
        j.put("maxEraseCount", wear.max());
        j.put("totalErases", wear.total());
        if (flashTime != null) {
            j.put("flashBufferBytes", flashTime.bufferBytes());
            j.put("flashBufferPeak", flashTime.peakBufferedBytes());
            j.put("acksHeld", flashTime.acksHeld());
        }
        if (board instanceof PowerCutFlash pc) {
            j.put("powerCutAt", powerCutAt);
            j.put("powerCutMode", cutMode.name().toLowerCase(Locale.ROOT));
            j.put("powerCut", pc.isCut());
        }
        // A real wire's losses are unknown: null, not 0.
        if (o.framesLost() == null) {
            j.putNull("framesLost");
        } else {
            j.put("framesLost", o.framesLost());
        }
        j.put("seed", o.seed());
        if (o.loss() == null) {
            j.putNull("loss");
        } else {
            j.put("loss", o.loss());
        }
        // On a real interface the boot's clock is the wall clock: the time from BOOTP to the verified image.
        j.put("simulatedSeconds", o.nanos() / 1e9);
        j.put("wallSeconds", wall);

        if (json) {
            out.println(j);
        } else if (r != null && ok) {
            out.printf(Locale.ROOT, "booted %s (%s) on %s%n", prof.name(), o.mac(), o.where());
            out.printf(Locale.ROOT, "  address   %s/%d  gateway %s%n", r.address(), r.netmask().prefixLength(),
                    r.gateway().isAny() ? "none" : r.gateway());
            out.printf(Locale.ROOT, "  server    %s  file %s%n", r.server(), r.bootFile());
            out.printf(Locale.ROOT, "  wrote     %d bytes into slot %s (%s at 0x%x), %d-byte blocks, %d flash ops%n", r.bytes(),
                    r.slot(), r.partition(), r.partitionOffset(), r.blockSize(), o.flashOps());
            out.printf(Locale.ROOT, "  sha256    %s (verified by read-back%s); slot %s is active%n", r.sha256(),
                    r.signed() ? ", Ed25519 signature good" : "", r.slot());
            out.printf(Locale.ROOT, "  transfer  %.3f s, window %d x %d bytes%n", o.transferNanos() / 1e9, o.windowSize(),
                    r.blockSize());
            if (flashTime != null) {
                out.printf(Locale.ROOT, "  flash     %.3f s busy (%s), %d erased, %d skipped, most-erased sector %d time(s), "
                                + "%d ACKs held%n", flashTime.busyNanos() / 1e9, timingMode.name().toLowerCase(Locale.ROOT),
                        r.erasedSectors(), r.skippedSectors(), wear.max(), flashTime.acksHeld());
            }
            if (iface == null) {
                out.printf(Locale.ROOT, "  network   %d retransmissions, %d frames lost (seed %d, loss %s)%n", o.retransmissions(),
                        o.framesLost(), o.seed(), o.loss());
                out.printf(Locale.ROOT, "  time      %.3f s virtual, %.3f s wall%n", o.nanos() / 1e9, wall);
            } else {
                out.printf(Locale.ROOT, "  network   %d retransmissions (seed %d)%n", o.retransmissions(), o.seed());
                out.printf(Locale.ROOT, "  time      %.3f s on %s%n", o.nanos() / 1e9, iface);
            }
        }
        if (!ok) {
            err.println("netboot: boot failed: " + (end instanceof BootSequence.State.Failed f
                    ? "[" + f.failure().stage() + "] " + f.failure().message()
                    : o.stopped()));
            return Main.EXIT_FAILED;
        }
        return 0;
    }

    /**
     * What a run produced, on the emulator or a real interface, for the summary.
     *
     * @param stopped   why a run that did not finish stopped, e.g. "emulation stopped after 3.0 s of virtual time"
     * @param where     "the emulator" or the interface's name
     * @param nanos     the boot's time: virtual on the emulator, wall on an interface
     * @param framesLost frames the emulator dropped; null on a real wire
     * @param loss      the emulator's loss probability; null on a real wire
     * @param windowSize    TFTP window in use
     * @param transferNanos time from RRQ to the last block, or -1
     */
    private record Outcome(BootSequence.State state, String stopped, String where, MacAddress mac, long nanos, long bytes,
                           int blockSize, int windowSize, long transferNanos, long retransmissions, long flashOps,
                           Long framesLost, long seed, Double loss) {
    }

    /**
     * Boots over the interface {@link #iface}: BootSequence on a {@link RawSocketLink} (captured when
     * {@code --pcap}), driven in real time for at most BOOTP's budget plus an hour.
     *
     * @throws LinkException when the interface cannot be opened
     */
    private Outcome onInterface(DeviceProfile prof, Flash flash, MacAddress boardMac, Progress observer) {
        long deviceSeed = seed != null ? seed : new SecureRandom().nextLong();
        try (RawSocketLink raw = RawSocketLink.open(iface); PcapWriter capture = pcap == null ? null : PcapWriter.create(pcap)) {
            // The interface's own MAC unless the profile (mac-source = profile) or --mac says otherwise.
            MacAddress m = boardMac != null ? boardMac : prof.macOverridesInterface() ? prof.mac() : raw.macAddress();
            if (!m.equals(raw.macAddress())) {
                raw.receiveAllFrames(); // frames to the board's own MAC must reach us, not only the NIC's
            }
            Link link = capture == null ? raw : new PcapLink(raw, capture);
            FlashStats before = flash.stats();
            BootSequence boot = new BootSequence(link, m, prof, NetConfig.DEFAULTS, flash, Seeds.random(deviceSeed, "device"),
                    observer);
            long limit = prof.bootp().giveUp() + 3_600_000_000_000L;
            RealTimeBoot.Result run;
            try {
                run = RealTimeBoot.run(boot, raw, limit);
            } catch (LinkException e) {
                // The link failed mid-boot (interface gone or down): a failed boot, not a usage error.
                BootFailure f = new BootFailure("link", e.getMessage());
                observer.failed(0, f);
                run = new RealTimeBoot.Result(new BootSequence.State.Failed(f), 0, false);
            }
            FlashStats after = flash.stats();
            long flashOps = (after.erases() - before.erases()) + (after.programs() - before.programs());
            return new Outcome(run.state(), "gave up after " + seconds(run.elapsedNanos()) + " s on " + iface, iface, m,
                    run.elapsedNanos(), observer.bytes, boot.tftp().blockSize(), boot.tftp().windowSize(),
                    boot.tftp().finishedAt() < 0 ? -1 : boot.tftp().finishedAt() - boot.tftp().startedAt(),
                    boot.retransmissions(), flashOps, null,
                    deviceSeed, null);
        }
    }

    /** The longest --rtt accepted: beyond any LAN or WAN a board boots over. */
    private static final long MAX_RTT = 10_000_000_000L;

    /** Returns what is wrong with --blksize or --windowsize, or null. */
    private String tftpOverrides(DeviceProfile prof) {
        if (blksize != null && !blksize.equals("auto")) {
            int n;
            try {
                n = Integer.parseInt(blksize.trim());
            } catch (NumberFormatException e) {
                return "--blksize " + blksize + ": not a number (expected: 8..65464 or auto)";
            }
            if (n < TftpConfig.MIN_BLOCK_SIZE || n > TftpConfig.MAX_BLOCK_SIZE) {
                return "--blksize " + n + ": out of range (expected: 8..65464 or auto, RFC 2348)";
            }
        }
        if (windowsize != null && (windowsize < 1 || windowsize > TftpConfig.MAX_WINDOW_SIZE)) {
            return "--windowsize " + windowsize + ": out of range (expected: 1..65535, RFC 7440)";
        }
        return null;
    }

    /**
     * Returns {@code prof} asking for --blksize and --windowsize; a window keeps the profile's reorder
     * budget, or gets the RAM the flash pages and frames leave over, as a profile's [tftp] windowsize does.
     */
    private DeviceProfile withTftpOverrides(DeviceProfile prof) {
        TftpConfig t = prof.tftp();
        if (blksize != null) {
            t = t.withBlockSize(blksize.equals("auto") ? TftpConfig.AUTO : Integer.parseInt(blksize.trim()));
        }
        if (windowsize != null) {
            long budget = t.windowSize() > 1 ? t.reorderBudget()
                    : Math.max(0, prof.ramBudget() - DeviceProfile.minimumRam(prof.flash()));
            t = t.withWindow(windowsize, budget);
        }
        return prof.withTftp(t);
    }

    private static void putAddress(Json j, String key, Ipv4Address a) {
        if (a == null) {
            j.putNull(key);
        } else {
            j.put(key, a.toString());
        }
    }

    private static int usage(PrintStream err, String message) {
        err.println("netboot: " + message);
        return Main.EXIT_USAGE;
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Shows the boot's stages on stderr, and a progress bar when stderr is a terminal. */
    static final class Progress implements BootObserver {
        private final PrintStream err;
        private final boolean bar;
        private final boolean stages;
        private Lease lease;
        private long bytes;
        private long lastShown = -1;
        private boolean lineOpen;

        Progress(PrintStream err, boolean bar, boolean stages) {
            this.err = err;
            this.bar = bar;
            this.stages = stages;
        }

        @Override
        public void leased(long now, Lease l) {
            lease = l;
            stage(now, l.source().toString(), "address " + l.address() + "/" + l.netmask().prefixLength() + " from " + l.dhcpServer()
                    + ", server " + l.server() + ", file " + l.bootFile());
        }

        @Override
        public void resolved(long now, Ipv4Address hop, MacAddress mac) {
            stage(now, "arp", hop + " is at " + mac);
        }

        @Override
        public void transferStarted(long now, Ipv4Address server, String file) {
            stage(now, "tftp", "reading " + file + " from " + server);
        }

        @Override
        public void progress(long now, long bytes, long expected) {
            this.bytes = bytes;
            if (!bar || bytes - lastShown < 64 * 1024) {
                return;
            }
            lastShown = bytes;
            err.print(expected > 0
                    ? String.format(Locale.ROOT, "\r  %,d / %,d bytes (%d%%)", bytes, expected, bytes * 100 / expected)
                    : String.format(Locale.ROOT, "\r  %,d bytes", bytes));
            lineOpen = true;
        }

        @Override
        public void finished(long now, BootReport report) {
            stage(now, "flash", report.bytes() + " bytes verified at 0x" + Long.toHexString(report.partitionOffset()));
        }

        private void stage(long now, String name, String text) {
            if (stages) {
                clearLine();
                err.printf(Locale.ROOT, "[%9.3f s] %-5s %s%n", now / 1e9, name, text);
            }
        }

        void clearLine() {
            if (lineOpen) {
                err.print("\r\033[K");
                lineOpen = false;
            }
        }
    }
}
