package dev.netboot.cli;

import dev.netboot.device.ConfigException;
import dev.netboot.device.ConfigText;
import dev.netboot.device.DeviceProfile;
import dev.netboot.emulator.EmulatedBoot;
import dev.netboot.emulator.LinkModel;
import dev.netboot.emulator.Scenario;
import dev.netboot.emulator.ScenarioFile;
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
 * The first half of {@code netboot boot}: checks the options and turns them into what the run needs (the
 * profile with its overrides, the scenario, the served image, the board's flash). Every problem is a
 * {@link UsageError}.
 */
final class BootSetup {
    /** The longest --rtt accepted: beyond any LAN or WAN a board boots over. */
    private static final long MAX_RTT = 10_000_000_000L;

    private BootSetup() {
    }

    /**
     * What the options ask for.
     *
     * @param profile    the board, with --blksize and --windowsize applied
     * @param scenario   the emulated LAN, or null with --interface
     * @param served     the image the emulated server serves, or null with --interface
     * @param signature  the detached signature it serves beside the image, or null
     * @param boardMac   --mac, or null
     * @param timingMode --flash-timing
     * @param cutMode    --power-cut-mode
     */
    record Plan(DeviceProfile profile, Scenario scenario, ServedFile served, ServedFile signature, MacAddress boardMac,
                FlashTiming.Mode timingMode, PowerCutFlash.Mode cutMode) implements AutoCloseable {
        /** Closes the served files. */
        @Override
        public void close() {
            if (served != null) {
                served.close();
            }
            if (signature != null) {
                signature.close();
            }
        }
    }

    /**
     * The board's flash, opened.
     *
     * @param flash  the chip (the file with --flash-file)
     * @param target the slot an update writes into
     */
    record Board(Flash flash, int target) {
    }

    /** Checks the options and loads the profile, scenario and image they name. */
    static Plan plan(BootCommand o) {
        if (o.iface != null) {
            String emulatorOnly = o.image != null ? "--image" : o.signature != null ? "--signature" : o.scenarioFile != null ? "--scenario" : o.loss != null ? "--loss"
                    : o.bandwidth != null ? "--bandwidth" : o.rtt != null ? "--rtt" : null;
            if (emulatorOnly != null) {
                throw new UsageError(emulatorOnly + " configures the emulator; it has no meaning with --interface");
            }
        } else if (o.mac != null) {
            throw new UsageError("--mac needs --interface (on the emulator the board has the profile's MAC)");
        }
        FlashTiming.Mode timingMode;
        PowerCutFlash.Mode cutMode;
        try {
            timingMode = FlashTiming.Mode.valueOf(o.flashTiming.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageError("--flash-timing " + o.flashTiming + " (expected: typical, max or none)");
        }
        try {
            cutMode = PowerCutFlash.Mode.valueOf(o.powerCutMode.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageError("--power-cut-mode " + o.powerCutMode + " (expected: before, after or torn)");
        }
        if (o.powerCutAt != null && o.powerCutAt < 1) {
            throw new UsageError("--power-cut-at " + o.powerCutAt + " (expected: a flash operation, 1 or more)");
        }
        DeviceProfile prof;
        Scenario scenario = null;
        ServedFile served = null;
        ServedFile signature = null;
        MacAddress boardMac = null;
        try {
            prof = DeviceProfile.resolve(o.profile, Home.profiles());
            if (o.blksize != null || o.windowsize != null) {
                String bad = tftpOverrides(o);
                if (bad != null) {
                    throw new UsageError(bad);
                }
                prof = withTftpOverrides(o, prof);
            }
            if (o.iface == null) {
                scenario = scenario(o);
                served = o.image != null ? open("--image", o.image) : ServedFile.of(EmulatedBoot.generatedImage(scenario.seed()));
                try {
                    signature = signatureOf(o);
                } catch (UsageError e) {
                    served.close();
                    throw e;
                }
            } else if (o.mac != null) {
                boardMac = MacAddress.parse(o.mac);
            }
        } catch (ConfigException e) {
            throw new UsageError(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UsageError("--mac: " + e.getMessage());
        }
        return new Plan(prof, scenario, served, signature, boardMac, timingMode, cutMode);
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

    /** Loads the scenario and applies --seed, --loss, --bandwidth and --rtt. */
    private static Scenario scenario(BootCommand o) {
        Path sf = o.scenarioFile != null ? o.scenarioFile : Home.defaultScenario();
        Scenario scenario = Files.exists(sf) || o.scenarioFile != null ? ScenarioFile.load(sf) : Scenario.DEFAULT;
        if (o.seed != null) {
            scenario = scenario.withSeed(o.seed);
        }
        if (o.loss != null) {
            if (!(o.loss >= 0 && o.loss <= 1)) {
                throw new UsageError("--loss " + o.loss + ": not a probability (expected: 0..1)");
            }
            scenario = scenario.withLoss(o.loss);
        }
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
                t = ConfigText.parseDuration(o.rtt);
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

    /** Opens the board's flash (--flash-file, or in memory) and finds the slot an update writes into. */
    static Board openFlash(BootCommand o, Plan plan) {
        DeviceProfile prof = plan.profile();
        try {
            // NAND's seeded faults (random bad blocks) follow the run's seed, so a run is repeatable.
            Flash flash = Flashes.open(prof.chip(), o.flashFile,
                    plan.scenario() != null ? plan.scenario().seed() : o.seed != null ? o.seed : 0);
            BootSlots slots = prof.bootSlots(flash);
            slots.load();
            return new Board(flash, slots.updateTarget());
        } catch (FlashException e) {
            throw new UsageError("--flash-file: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UsageError("profile " + prof.name() + " does not fit its flash: " + e.getMessage());
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
        if (o.windowsize != null && (o.windowsize < 1 || o.windowsize > TftpConfig.MAX_WINDOW_SIZE)) {
            return "--windowsize " + o.windowsize + ": out of range (expected: 1..65535, RFC 7440)";
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
            long budget = t.windowSize() > 1 ? t.reorderBudget()
                    : Math.max(0, prof.ramBudget() - DeviceProfile.minimumRam(prof.flash()));
            t = t.withWindow(o.windowsize, budget);
        }
        return prof.withTftp(t);
    }
}
