package dev.netboot.cli;

import dev.netboot.device.ConfigException;
import dev.netboot.device.ConfigValues;
import dev.netboot.device.DeviceProfile;
import dev.netboot.emulator.EmulatedBoot;
import dev.netboot.emulator.LinkModel;
import dev.netboot.emulator.Scenario;
import dev.netboot.emulator.ScenarioFile;
import dev.netboot.emulator.ScenarioValues;
import dev.netboot.emulator.ServedFile;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashException;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.Flashes;
import dev.netboot.flash.PowerCutFlash;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.wire.MacAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The first half of {@code netboot boot}: checks every option and loads what they name (the profile with
 * its overrides, the scenario, the served image and its signature) without creating anything, so a usage
 * error leaves no file behind; then {@link #openFlash} creates or opens the board's flash. Every problem
 * is a {@link UsageError}.
 */
final class BootSetup {
    /** The longest --rtt accepted: beyond any LAN or WAN a board boots over; twice a scenario's longest latency. */
    private static final long MAX_RTT = 2 * ScenarioValues.MAX_LATENCY;

    private BootSetup() {
    }

    /**
     * What the options ask for.
     *
     * @param board      the board's profile, with --blksize and --windowsize applied, and how it was chosen
     * @param scenario   the emulated LAN, or null with --interface
     * @param served     the image the emulated server serves, or null with --interface
     * @param signature  the detached signature it serves beside the image, or null
     * @param digest     the image's SHA-256 line it serves beside the image, or null
     * @param boardMac   --mac, or null
     * @param timingMode --flash-timing: typical by default on the emulator, none on an interface
     * @param cutMode    --power-cut-mode (torn by default)
     */
    record Plan(FlashProfiles.Choice board, Scenario scenario, ServedFile served, ServedFile signature, ServedFile digest,
                MacAddress boardMac,
                FlashTiming.Mode timingMode, PowerCutFlash.Mode cutMode) implements AutoCloseable {
        /** Returns the board's profile. */
        DeviceProfile profile() {
            return board.profile();
        }

        /** Closes the served files. */
        @Override
        public void close() {
            if (served != null) {
                served.close();
            }
            if (signature != null) {
                signature.close();
            }
            if (digest != null) {
                digest.close();
            }
        }
    }

    /**
     * The board's flash, opened.
     *
     * @param flash  the chip (the file with --flash-file)
     * @param target the slot an update writes into
     * @param lock   holds the flash file's lock ({@link FlashLock}) until closed, after the flash; null in memory
     */
    record Board(Flash flash, int target, java.nio.channels.FileChannel lock) {
    }

    /** Checks every option and loads the profile, scenario, image and signature they name; creates nothing. */
    static Plan plan(BootCommand o) {
        if (o.iface != null) {
            String emulatorOnly = o.image != null ? "--image" : o.signature != null ? "--signature"
                    : o.digest != null ? "--digest" : o.scenarioFile != null ? "--scenario"
                    : o.loss != null ? "--loss" : o.bandwidth != null ? "--bandwidth" : o.rtt != null ? "--rtt"
                    : o.faults.firstGiven();
            if (emulatorOnly != null) {
                throw new UsageError(emulatorOnly + " configures the emulator; it has no meaning with --interface");
            }
        } else if (o.mac != null) {
            throw new UsageError("--mac needs --interface (on the emulator the board has the profile's MAC)");
        }
        FlashTiming.Mode timingMode = o.flashTiming == null ? (o.iface == null ? FlashTiming.Mode.TYPICAL : FlashTiming.Mode.NONE)
                : switch (o.flashTiming.toLowerCase(Locale.ROOT)) {
                    case "typical" -> FlashTiming.Mode.TYPICAL;
                    case "max" -> FlashTiming.Mode.MAX;
                    case "none" -> FlashTiming.Mode.NONE;
                    default -> throw new UsageError("--flash-timing " + o.flashTiming + " (expected: typical, max or none)");
                };
        PowerCutFlash.Mode cutMode = PowerCutFlash.Mode.TORN;
        if (o.powerCutMode != null) {
            cutMode = switch (o.powerCutMode.toLowerCase(Locale.ROOT)) {
                case "before" -> PowerCutFlash.Mode.BEFORE;
                case "after" -> PowerCutFlash.Mode.AFTER;
                case "torn" -> PowerCutFlash.Mode.TORN;
                default -> throw new UsageError("--power-cut-mode " + o.powerCutMode + " (expected: before, after or torn)");
            };
            if (o.powerCutAt == null) {
                throw new UsageError("--power-cut-mode " + o.powerCutMode + " needs --power-cut-at N (the flash operation to cut at)");
            }
        }
        if (o.powerCutAt != null && o.powerCutAt < 1) {
            throw new UsageError("--power-cut-at " + o.powerCutAt + " (expected: a flash operation, 1 or more)");
        }
        if (o.iface != null && o.timeline != null) {
            throw new UsageError("--timeline draws an emulated boot; it has no meaning with --interface");
        }
        MacAddress boardMac = o.mac == null ? null : unicastMac(o.mac);
        checkWritable("--flash-file", o.flashFile, "the board's flash image");
        if (o.flashFile != null && !Files.exists(o.flashFile) && Files.isDirectory(FlashProfiles.recordOf(o.flashFile))) {
            throw new UsageError("--flash-file " + o.flashFile + ": " + FlashProfiles.recordOf(o.flashFile) + " is a directory (expected:"
                    + " nothing there, or the profile boot records beside the flash file)");
        }
        checkWritable("--pcap", o.pcap, "the capture file to write");
        checkWritable("--timeline", o.timeline, "the SVG file to write");

        FlashProfiles.Choice board = FlashProfiles.choose(o.profile, o.flashFile);
        outputs(o).check();
        if (o.flashFile != null && Files.exists(o.flashFile)) {
            FlashProfiles.checkSize(o.flashFile, board);
            FlashProfiles.checkSlots(o.flashFile, o.profile, board);
        }
        FlashProfiles.checkRoom(board, o.flashFile, "; give --flash-file");
        if (o.blksize != null || o.windowsize != null) {
            String bad = tftpOverrides(o);
            if (bad != null) {
                throw new UsageError(bad);
            }
            board = new FlashProfiles.Choice(withTftpOverrides(o, board.profile()), board.text(), board.how());
        }
        if (o.iface != null) {
            return new Plan(board, null, null, null, null, boardMac, timingMode, cutMode);
        }
        Scenario scenario = scenario(o, board.profile());
        ServedFile served = o.image != null ? open("--image", o.image) : ServedFile.of(EmulatedBoot.generatedImage(scenario.seed()));
        ServedFile signature = null;
        try {
            signature = signatureOf(o);
            return new Plan(board, scenario, served, signature, digestOf(o, scenario, served), null, timingMode, cutMode);
        } catch (UsageError e) {
            served.close();
            if (signature != null) {
                signature.close();
            }
            throw e;
        }
    }

    /** The files the boot reads and writes, for {@link OutputFiles#check}: none written may be one read, nor two one file. */
    private static OutputFiles outputs(BootCommand o) {
        OutputFiles files = new OutputFiles().reads("--image", o.image).reads("--signature", o.signature).reads("--digest", o.digest)
                .reads("--scenario", o.scenarioFile);
        if (o.image != null) {
            files.reads("--image's signature", beside(o.image, ".sig")).reads("--image's digest", beside(o.image, ".sha256"));
        }
        if (o.profile != null) {
            files.reads("--profile", DeviceProfile.locate(o.profile, Home.profiles()));
        }
        return files.writes("--flash-file", o.flashFile).writes("--pcap", o.pcap).writes("--timeline", o.timeline);
    }

    /** Returns {@code file} + {@code suffix} when it is a regular file, else null. */
    static Path beside(Path file, String suffix) {
        Path p = file.resolveSibling(file.getFileName() + suffix);
        return Files.isRegularFile(p) ? p : null;
    }

    private static MacAddress unicastMac(String text) {
        MacAddress m;
        try {
            m = MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageError("--mac: '" + text + "' is not a MAC address (expected: six hex octets like 02:00:00:00:00:01)");
        }
        if (m.isGroup() || m.equals(MacAddress.ZERO)) {
            throw new UsageError("--mac " + text + ": a " + (m.equals(MacAddress.ZERO) ? "zero" : m.equals(MacAddress.BROADCAST)
                    ? "broadcast" : "multicast") + " address (expected: a station's own MAC, the first octet even, like 02:00:00:00:00:01)");
        }
        return m;
    }

    /**
     * Checks that {@code file} (null: not given) can be written or created, without creating it: not a
     * folder, in a folder that exists.
     */
    static void checkWritable(String option, Path file, String what) {
        if (file == null) {
            return;
        }
        if (Files.isDirectory(file)) {
            throw new UsageError(option + " " + file + ": is a directory (expected: " + what + ")");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UsageError(option + " " + file + ": no such directory " + (file.getParent() != null ? file.getParent() : parent));
        }
        if (Files.exists(file) ? !Files.isRegularFile(file) || !Files.isWritable(file) : parent != null && !Files.isWritable(parent)) {
            throw new UsageError(option + " " + file + ": " + (Files.exists(file) && !Files.isRegularFile(file) ? "not a regular file"
                    : "permission denied") + " (expected: " + what + ")");
        }
    }

    /** Loads the scenario and applies --seed, --loss, the other faults ({@link FaultOptions}), --bandwidth and --rtt. */
    private static Scenario scenario(BootCommand o, DeviceProfile profile) {
        Path sf = o.scenarioFile != null ? o.scenarioFile : Home.defaultScenario();
        String missing = Home.missingScenario(o.scenarioFile);
        if (missing != null) {
            throw new UsageError(missing);
        }
        Scenario scenario;
        try {
            scenario = Files.exists(sf) || o.scenarioFile != null ? ScenarioFile.load(sf, profile.mac(), 1) : Scenario.DEFAULT;
        } catch (ConfigException e) {
            throw new UsageError(e.getMessage());
        }
        if (o.seed != null) {
            scenario = scenario.withSeed(o.seed);
        }
        if (o.loss != null) {
            if (!(o.loss >= 0 && o.loss <= 1)) {
                throw FaultOptions.notAProbability("--loss", o.loss);
            }
            scenario = scenario.withLoss(o.loss);
        }
        scenario = o.faults.apply(scenario);
        if (o.bandwidth != null) {
            try {
                scenario = scenario.withLink(scenario.link().withRate(LinkModel.parseRate(o.bandwidth)));
            } catch (IllegalArgumentException e) {
                throw new UsageError("--bandwidth: " + e.getMessage());
            }
        }
        if (o.rtt != null) {
            long t;
            try {
                t = ConfigValues.parseDuration(o.rtt);
            } catch (ConfigException e) {
                throw new UsageError("--rtt: " + e.getMessage());
            }
            if (t < 0 || t > MAX_RTT) {
                throw new UsageError("--rtt " + o.rtt + ": out of range (expected: 0..10s)");
            }
            scenario = scenario.withLatency(t / 2);
        }
        return scenario;
    }

    /** Returns --signature, or IMAGE.sig when it lies beside --image, opened; or null. */
    private static ServedFile signatureOf(BootCommand o) {
        if (o.signature != null) {
            return open("--signature", o.signature);
        }
        if (o.image != null) {
            Path beside = o.image.resolveSibling(o.image.getFileName() + ".sig");
            if (Files.isRegularFile(beside)) {
                return open("--image's signature", beside);
            }
        }
        return null;
    }

    /**
     * Returns --digest, or IMAGE.sha256 when it lies beside --image, opened; without --image, the generated image's
     * own SHA-256 as {@code sha256sum} writes it; or null.
     */
    private static ServedFile digestOf(BootCommand o, Scenario scenario, ServedFile served) {
        if (o.digest != null) {
            return open("--digest", o.digest);
        }
        if (o.image != null) {
            Path beside = o.image.resolveSibling(o.image.getFileName() + ".sha256");
            return Files.isRegularFile(beside) ? open("--image's digest", beside) : null;
        }
        try {
            String line = served.sha256() + "  " + scenario.servedFile() + "\n";
            return ServedFile.of(line.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IllegalStateException("an image in memory cannot fail to read", e);
        }
    }

    /** Opens a file the emulated server serves; it is read block by block during the run, never whole. */
    private static ServedFile open(String option, Path file) {
        if (Files.isDirectory(file)) {
            throw new UsageError(option + " " + file + ": is a directory (expected: a file)");
        }
        try {
            return ServedFile.open(file);
        } catch (IOException e) {
            throw new UsageError(option + " " + IoProblems.of(file, e));
        }
    }

    /**
     * Opens the board's flash (--flash-file, or in memory) and finds the slot an update writes into. A flash
     * file created here gets its profile recorded beside it ({@link FlashProfiles#record}).
     */
    static Board openFlash(BootCommand o, Plan plan) {
        DeviceProfile prof = plan.profile();
        boolean create = o.flashFile != null && !Files.exists(o.flashFile);
        // A file made now, or one whose record was lost (the profile was then given, else checkSlots refused it), is recorded.
        boolean record = o.flashFile != null && (create || !Files.exists(FlashProfiles.recordOf(o.flashFile)));
        Flash flash;
        try {
            // NAND's seeded faults (random bad blocks) follow the run's seed, so a run is repeatable.
            flash = Flashes.open(prof.chip(), o.flashFile, plan.scenario() != null ? plan.scenario().seed() : o.seed != null ? o.seed : 0);
        } catch (FlashException e) {
            throw new UsageError("--flash-file " + o.flashFile + ": " + e.getMessage());
        }
        java.nio.channels.FileChannel lock = null;
        try {
            // Before the slots are read: the slot this run writes is chosen, and written, by one run at a time.
            lock = o.flashFile == null ? null : FlashLock.take(o.flashFile, false);
            BootSlots slots = prof.bootSlots(flash);
            slots.load();
            if (record) {
                FlashProfiles.record(o.flashFile, plan.board());
            }
            return new Board(flash, slots.updateTarget(), lock);
        } catch (IOException e) {
            release(flash, lock);
            throw new UsageError("cannot record the profile of " + o.flashFile + ": " + IoProblems.of(FlashProfiles.recordOf(o.flashFile), e));
        } catch (FlashException e) {
            release(flash, lock);
            throw new UsageError("--flash-file " + o.flashFile + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            release(flash, lock);
            throw new UsageError("profile " + prof.name() + " does not fit its flash: " + e.getMessage());
        } catch (UsageError e) {
            release(flash, lock);
            throw e;
        }
    }

    /** Closes the flash, then gives up its file's lock (null: none). */
    private static void release(Flash flash, java.nio.channels.FileChannel lock) {
        try {
            flash.close();
        } finally {
            FlashLock.release(lock);
        }
    }

    /** Returns what is wrong with --blksize or --windowsize, or null. */
    private static String tftpOverrides(BootCommand o) {
        if (o.blksize != null && !o.blksize.equals("auto")) {
            int n;
            try {
                n = Integer.parseInt(o.blksize.trim());
            } catch (NumberFormatException e) {
                return "--blksize " + o.blksize + ": not a number (expected: 8..65464 or auto)";
            }
            if (n < TftpConfig.MIN_BLOCK_SIZE || n > TftpConfig.MAX_BLOCK_SIZE) {
                return "--blksize " + n + ": out of range (expected: 8..65464 or auto, RFC 2348)";
            }
        }
        if (o.windowsize != null && !o.windowsize.equals("auto")) {
            int n;
            try {
                n = Integer.parseInt(o.windowsize.trim());
            } catch (NumberFormatException e) {
                return "--windowsize " + o.windowsize + ": not a number (expected: 1.." + TftpConfig.MAX_WINDOW_SIZE + " or auto)";
            }
            if (n < 1 || n > TftpConfig.MAX_WINDOW_SIZE) {
                return "--windowsize " + n + ": out of range (expected: 1.." + TftpConfig.MAX_WINDOW_SIZE + " or auto"
                        + (n > TftpConfig.MAX_WINDOW_SIZE ? "; " + TftpConfig.WINDOW_LIMIT_WHY : ", RFC 7440") + ")";
            }
        }
        return null;
    }

    /**
     * Returns {@code prof} asking for --blksize and --windowsize; a window keeps the profile's reorder
     * budget, or gets the RAM the flash pages and frames leave over, as a profile's [tftp] windowsize does.
     */
    private static DeviceProfile withTftpOverrides(BootCommand o, DeviceProfile prof) {
        TftpConfig t = prof.tftp();
        if (o.blksize != null) {
            t = t.withBlockSize(o.blksize.equals("auto") ? TftpConfig.AUTO : Integer.parseInt(o.blksize.trim()));
        }
        if (o.windowsize != null) {
            long budget = t.windowSize() != 1 ? t.reorderBudget()
                    : Math.max(0, prof.ramBudget() - DeviceProfile.minimumRam(prof.flash()));
            t = t.withWindow(o.windowsize.equals("auto") ? TftpConfig.AUTO : Integer.parseInt(o.windowsize.trim()), budget);
        }
        return prof.withTftp(t);
    }

    /** Returns the mode's name as the options and the JSON spell it. */
    static String name(Enum<?> mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }
}
