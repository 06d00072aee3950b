package dev.netboot.cli;

import dev.netboot.device.ConfigException;
import dev.netboot.device.ConfigValues;
import dev.netboot.emulator.Background;
import dev.netboot.emulator.FaultPlan;
import dev.netboot.emulator.Scenario;
import dev.netboot.emulator.ScenarioValues;
import picocli.CommandLine.Option;

/**
 * The faults of the emulated wire that {@code netboot boot} takes on the command line besides {@code --loss}:
 * each overrides its scenario {@code [faults]} key (see {@link FaultPlan}, {@link Background}). Emulator only.
 */
final class FaultOptions {
    @Option(names = "--duplicate", paramLabel = "P", description = "Probability 0..1 that a frame arrives twice (default: the scenario's).")
    Double duplicate;

    @Option(names = "--reorder", paramLabel = "P",
            description = "Probability 0..1 that a frame is held back behind the next few (by the scenario's reorder-delay, default 1ms).")
    Double reorder;

    @Option(names = "--jitter", paramLabel = "TIME",
            description = "Each frame takes up to this much longer to arrive, e.g. 5ms; frames keep their order (default: the scenario's).")
    String jitter;

    @Option(names = "--corrupt", paramLabel = "P",
            description = "Probability 0..1 that a bit of a frame's IPv4 part flips in flight, where the checksums catch it.")
    Double corrupt;

    @Option(names = "--tamper", paramLabel = "P",
            description = "Probability 0..1 that a TFTP DATA block gets a byte wrong with its UDP checksum made right: only the"
                    + " image's signature can tell.")
    Double tamper;

    @Option(names = "--link-down", paramLabel = "AT,FOR",
            description = "Take the board's link down at AT for FOR, e.g. 0s,30s (a switch port held by spanning tree) or"
                    + " 2s,5s (a cable pulled mid-transfer).")
    String linkDown;

    @Option(names = "--flood", paramLabel = "N",
            description = "N broadcast frames from another host at line rate (100 Mbit/s of minimum frames), from 1 s on.")
    Long flood;

    /** Returns the first of these options given, for "configures the emulator", or null. */
    String firstGiven() {
        return duplicate != null ? "--duplicate" : reorder != null ? "--reorder" : jitter != null ? "--jitter"
                : corrupt != null ? "--corrupt" : tamper != null ? "--tamper" : linkDown != null ? "--link-down"
                : flood != null ? "--flood" : null;
    }

    /** Returns {@code sc} with these options applied, or throws a usage error naming the bad one. */
    Scenario apply(Scenario sc) {
        FaultPlan f = sc.faults();
        if (duplicate != null) {
            f = f.withDuplicate(probability("--duplicate", duplicate));
        }
        if (reorder != null) {
            f = f.withReorder(probability("--reorder", reorder), f.reorderDelay());
        }
        if (jitter != null) {
            f = f.withJitter(time("--jitter", jitter));
        }
        if (corrupt != null) {
            f = f.withCorrupt(probability("--corrupt", corrupt));
        }
        if (tamper != null) {
            f = f.withTamper(probability("--tamper", tamper));
        }
        if (linkDown != null) {
            String[] parts = linkDown.split(",", -1);
            if (parts.length != 2) {
                throw new UsageError("--link-down " + linkDown + ": expected AT,FOR, two durations like 2s,5s");
            }
            f = f.withLinkDown(time("--link-down", parts[0]), time("--link-down", parts[1]));
        }
        if (flood != null) {
            if (flood < 0 || flood > ScenarioValues.MAX_FLOOD) {
                throw new UsageError("--flood " + flood + ": out of range (expected: 0..100000000 frames)");
            }
            f = f.withBackground(f.background().withFlood(flood, 1_000_000_000L, Background.LINE_RATE_100M));
        }
        try {
            return sc.withFaults(f);
        } catch (IllegalArgumentException e) {
            // The one option that adds talkers whose addresses the scenario may have taken: said as the option's problem.
            String m = e.getMessage().replaceFirst("^scenario: ", "");
            throw new UsageError(flood != null && m.startsWith("background traffic") ? "--flood " + flood + ": " + m : e.getMessage());
        }
    }

    private static double probability(String option, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw notAProbability(option, p);
        }
        return p;
    }

    private static long time(String option, String text) {
        long t;
        try {
            t = ConfigValues.parseDuration(text.trim());
        } catch (ConfigException e) {
            throw new UsageError(option + ": " + e.getMessage());
        }
        if (t < 0 || t > ScenarioValues.MAX_FAULT_TIME) {
            throw new UsageError(option + " " + text.trim() + ": out of range (expected: 0.." + ScenarioValues.MAX_FAULT_TIME_TEXT + ")");
        }
        return t;
    }

    /**
     * The one line for a probability outside 0..1, the value in decimals as given ("--loss 2", "--reorder 0.0001"), not
     * Double's "2.0" or "1.0E-4".
     */
    static UsageError notAProbability(String option, double p) {
        String shown = Double.isFinite(p) ? java.math.BigDecimal.valueOf(p).stripTrailingZeros().toPlainString() : String.valueOf(p);
        return new UsageError(option + " " + shown + ": not a probability (expected: 0..1)");
    }
}
