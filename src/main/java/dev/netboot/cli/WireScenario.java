package dev.netboot.cli;

import dev.netboot.emulator.Background;
import dev.netboot.emulator.FaultPlan;
import dev.netboot.emulator.LinkModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What of a scenario's wire {@code serve} can make on a real interface, and in what words it refuses the rest: its fault
 * stage ({@link ChaosLink}) loses, duplicates, reorders, corrupts, delays and adds latency, but paces nothing and carries
 * no other hosts' traffic, so a scenario asking for those is refused in one line rather than left out without a word.
 */
final class WireScenario {
    private WireScenario() {}

    /**
     * Returns why a scenario's {@code bandwidth} cannot hold on {@code iface}, or null when it does: the stage does not pace
     * frames, so the rate holds only where the interface's own (its link speed, {@code mbps}; -1 when it reports none,
     * as a bridge, a TAP or a missing interface do) is no faster than the scenario asks.
     */
    static String bandwidth(long bitsPerSecond, String iface, long mbps) {
        if (bitsPerSecond <= 0 || (mbps > 0 && mbps * 1_000_000 <= bitsPerSecond)) {
            return null;
        }
        String rate = LinkModel.formatRate(bitsPerSecond);
        return mbps > 0
                ? rate + " is slower than " + iface + "'s own " + LinkModel.formatRate(mbps * 1_000_000)
                        + ", and serve does not pace frames (its stage adds only latency and faults): leave bandwidth out, or"
                        + " serve on an interface of at most " + rate
                : rate + " is a rate serve does not make (" + iface + " reports no link speed of its own, and its stage adds only"
                        + " latency and faults): leave bandwidth out";
    }

    /** Returns the link speed {@code iface} reports (Mbit/s, sysfs), or -1 when it reports none or there is no such interface. */
    static long interfaceMbps(String iface) {
        if (iface == null || iface.isEmpty() || iface.contains("/") || iface.startsWith(".")) {
            return -1;
        }
        try {
            return Long.parseLong(Files.readString(Path.of("/sys/class/net", iface, "speed")).trim());
        } catch (IOException | NumberFormatException | SecurityException e) {
            return -1;
        }
    }

    /**
     * Returns the first fault of a scenario's {@code [faults]} that the stage ({@link ChaosLink}) does not make, as its key
     * and value and why, or null when it makes them all: what the emulator's wire does to one board's port (tamper, a link
     * down, a queue limit, a reordering by a fixed delay, other hosts' traffic) has no counterpart here, and is refused
     * rather than left out without a word.
     */
    static String unmade(FaultPlan f) {
        Background bg = f.background();
        String what = f.tamper() > 0 ? "tamper " + number(f.tamper())
                : f.linkDownFor() > 0 ? "link-down-for " + time(f.linkDownFor())
                : f.maxQueue() > 0 ? "max-queue " + f.maxQueue()
                : f.reorder() > 0 && f.reorderDelay() != FaultPlan.DEFAULT_REORDER_DELAY ? "reorder-delay " + time(f.reorderDelay())
                : bg.broadcasts() > 0 ? "broadcasts " + number(bg.broadcasts())
                : bg.arpChatter() > 0 ? "arp-chatter " + number(bg.arpChatter())
                : bg.udpNoise() > 0 ? "udp-noise " + number(bg.udpNoise())
                : bg.flood() > 0 ? "flood " + bg.flood() : null;
        return what == null ? null : what + " is a fault serve does not make (its stage makes loss, duplicate, reorder, corrupt and jitter)";
    }

    /** A number as a scenario would say it: 100, not 100.0. */
    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** A time as a scenario would say it, in the largest unit it is a whole number of: 5s, 5ms, 250us. */
    static String time(long nanos) {
        return nanos % 1_000_000_000L == 0 ? nanos / 1_000_000_000L + "s" : nanos % 1_000_000L == 0 ? nanos / 1_000_000L + "ms"
                : nanos % 1_000L == 0 ? nanos / 1_000L + "us" : nanos + "ns";
    }
}
