package dev.netboot.cli;

import dev.netboot.emulator.FleetBoot;
import dev.netboot.emulator.FleetReport;
import dev.netboot.emulator.LinkModel;
import dev.netboot.emulator.TftpServerLimits;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The end of {@code netboot fleet}: the human summary on stdout, or one JSON object with {@code --json}. Both
 * report the same figures; only the wall time and the emulator's cost differ from one run of a seed to the next.
 */
final class FleetSummary {
    private FleetSummary() {
    }

    /**
     * What the summary reports.
     *
     * @param config    what ran
     * @param report    how it went
     * @param scenario  the scenario's name as given
     * @param multicast --multicast
     * @param loss      --loss, or null
     */
    record Facts(FleetBoot.Config config, FleetReport report, String scenario, boolean multicast, Double loss, String stoppedBy) {
    }

    /** Prints a usage error: one line on stderr (and the JSON object); returns exit status 2. */
    static int refused(boolean json, String message, PrintStream out, PrintStream err) {
        return refused(json, Main.EXIT_USAGE, "usage", message, out, err);
    }

    /** Prints a failure before the summary: one line on stderr (and the JSON object); returns {@code exit}. */
    static int refused(boolean json, int exit, String stage, String message, PrintStream out, PrintStream err) {
        return BootSummary.refused(json, exit, stage, message, out, err);
    }

    /** Prints the summary and returns the exit status: 0 every board booted, 1 otherwise. */
    static int print(Facts f, boolean json, PrintStream out, PrintStream err) {
        FleetReport r = f.report();
        FleetBoot.Config c = f.config();
        if (json) {
            out.println(json(f));
        } else {
            for (String line : lines(f)) {
                out.println(line);
            }
        }
        if (r.failed() > 0) {
            Map.Entry<String, Integer> top = r.failures().entrySet().iterator().next();
            err.println("netboot: fleet: " + r.failed() + " of " + r.boards() + " boards failed; most often ("
                    + top.getValue() + "): " + top.getKey());
            return Main.EXIT_FAILED;
        }
        return 0;
    }

    /**
     * Says that SIG{@code signal} stopped the run (after its summary of the run so far, which {@link #print} wrote) and
     * returns the signal's exit status, 128 + its number, as a shell reports a process it ended.
     */
    static int interrupted(String signal, FleetReport r, PrintStream err) {
        err.printf(Locale.ROOT, "netboot: fleet: stopped by SIG%s at %.3f s of virtual time; the summary is of the run so far:"
                + " %d of %d boards booted, the boards still busy counted as failed (unfinished)%n", signal, r.simulatedNanos() / 1e9, r.booted(),
                r.boards());
        return 128 + (signal.equals("INT") ? 2 : 15);
    }

    /** Returns the JSON object of a run. */
    static Json json(Facts f) {
        FleetReport r = f.report();
        FleetBoot.Config c = f.config();
        Json failures = Json.object();
        r.failures().forEach((why, n) -> failures.put(why, (long) n));
        Json j = Json.object()
                .put("result", r.failed() == 0 ? "ok" : "error")
                .put("boards", r.boards())
                .put("booted", r.booted())
                .put("failed", r.failed())
                .put("failures", failures);
        if (f.stoppedBy() == null) {
            j.putNull("stoppedBy"); // ran to its end, or to --max-time
        } else {
            j.put("stoppedBy", "SIG" + f.stoppedBy()); // the run so far: the boards still busy are unfinished
        }
        seconds(j, "lastBootedSeconds", r.lastBooted());
        seconds(j, "p50Seconds", r.p50());
        seconds(j, "p95Seconds", r.p95());
        seconds(j, "p99Seconds", r.p99());
        seconds(j, "maxSeconds", r.max());
        j.put("serverFrames", r.serverFrames())
                .put("serverBytes", r.serverBytes())
                .put("imageBytes", r.imageBytes());
        // An empty image has no ratio (0 / 0): null, as the text says "the image is empty" (before: NaN there, 0.0 here).
        if (r.imageBytes() > 0) {
            j.put("serverBytesPerImage", round(r.serverBytes() / (double) r.imageBytes(), 3));
        } else {
            j.putNull("serverBytesPerImage");
        }
        j.put("serverResentFrames", r.serverResentFrames())
                .put("serverResentBytes", r.serverResentBytes())
                .put("serverOverheadFrames", r.serverOverheadFrames())
                .put("serverOverheadBytes", r.serverOverheadBytes())
                .put("retransmissions", r.boardRetransmissions())
                .put("dhcpRetransmissions", r.dhcpRetransmissions())
                .put("serverRetransmissions", r.serverRetransmissions())
                .put("leaseCollisions", r.leaseCollisions())
                .put("declines", r.declines())
                .put("firstRequests", spread(r.firstRequests()))
                .put("tftpRequests", spread(r.tftpRequests()))
                .put("peakTransfers", r.peakTransfers())
                .put("requestsWaited", r.requestsWaited())
                .put("requestsDropped", r.requestsDropped())
                .put("requestsBusy", r.requestsBusy());
        if (r.multicast() == null) {
            j.putNull("multicastTransfers");
        } else {
            FleetReport.Multicast m = r.multicast();
            j.put("multicastTransfers", Json.object().put("boards", m.boards()).put("transfers", m.transfers())
                    .put("groupData", m.groupData()).put("groupBytes", m.groupBytes()).put("masterChanges", m.masterChanges()).put("masterTurns", m.masterTurns())
                    .put("sinkDrops", m.sinkDrops()).put("resentData", m.resentData()).put("resentBytes", m.resentBytes())
                    .put("timeoutData", m.timeoutData()).put("timeoutBytes", m.timeoutBytes()).put("rewinds", m.rewinds())
                    .put("rewound", m.rewound()).put("repairs", m.repairs()).put("repaired", m.repaired()));
        }
        if (r.linkBitsPerSecond() == 0) {
            j.putNull("linkUse").putNull("peakLinkUse");
        } else {
            j.put("linkUse", round(r.linkUse(), 3)).put("peakLinkUse", round(r.peakLinkUse(), 3));
        }
        j.put("profile", c.profile().name())
                .put("scenario", f.scenario())
                .put("multicast", f.multicast())
                .put("flashTiming", BootSetup.name(c.timing()))
                .put("staggerSeconds", c.stagger() / 1e9)
                .put("seed", c.scenario().seed())
                .put("loss", c.scenario().faults().loss())
                .put("simulatedSeconds", r.simulatedNanos() / 1e9)
                .put("frames", r.frames())
                .put("polls", r.polls())
                .put("wallSeconds", round(r.wallNanos() / 1e9, 3))
                .put("wallMicrosPerFrame", round(r.wallNanosPerFrame() / 1e3, 3));
        return j;
    }

    /** Returns the human summary, one line per string. */
    static List<String> lines(Facts f) {
        FleetReport r = f.report();
        FleetBoot.Config c = f.config();
        List<String> l = new ArrayList<>();
        TftpServerLimits lim = c.scenario().fleet().tftpLimits();
        String server = lim.maxTransfers() == 0 ? "no limit on transfers"
                : "at most " + lim.maxTransfers() + " transfers, then requests " + switch (lim.whenFull()) {
                    case WAIT -> "wait (queue " + lim.requestQueue() + ")";
                    case DROP -> "are dropped";
                    case BUSY -> "get \"Server busy\"";
                };
        l.add(String.format(Locale.ROOT, "fleet of %,d %s boards on %s (%s %s, %s), seed %d, flash %s%s%s",
                r.boards(), c.profile().name(), f.scenario(), LinkModel.formatRate(r.linkBitsPerSecond()),
                c.scenario().fleet().switched() ? "switch" : "hub", server, c.scenario().seed(), BootSetup.name(c.timing()),
                c.stagger() > 0 ? String.format(Locale.ROOT, ", powered up over %.3f s", c.stagger() / 1e9) : ", powered up together",
                f.multicast() ? ", multicast asked" : ""));
        l.add(String.format(Locale.ROOT, "  booted    %,d of %,d, failed %,d", r.booted(), r.boards(), r.failed()));
        r.failures().forEach((why, n) -> l.add(String.format(Locale.ROOT, "  failed    %,d x %s", n, why)));
        if (r.lastBooted() >= 0) {
            l.add(String.format(Locale.ROOT, "  last      %.3f s after the first power-up (virtual time)", r.lastBooted() / 1e9));
            l.add(String.format(Locale.ROOT, "  per board p50 %.3f s, p95 %.3f s, p99 %.3f s, max %.3f s (power-up to committed image)",
                    r.p50() / 1e9, r.p95() / 1e9, r.p99() / 1e9, r.max() / 1e9));
        }
        long[] d = r.firstRequests();
        long[] t = r.tftpRequests();
        l.add(String.format(Locale.ROOT, "  requests  first DHCP requests %s; first TFTP requests %s", range(d), range(t)));
        l.add(String.format(Locale.ROOT, "  dhcp      %,d requests sent again, %,d lease collisions, %,d addresses declined",
                r.dhcpRetransmissions(), r.leaseCollisions(), r.declines()));
        l.add(String.format(Locale.ROOT, "  server    %,d DATA frames, %,d bytes (%s), of which %,d frames"
                        + " (%,d bytes) sent again; besides, %,d frames (%,d bytes) of DHCP, ARP, OACK and ERROR",
                r.serverFrames(), r.serverBytes(), r.imageBytes() == 0 ? "the image is empty"
                        : String.format(Locale.ROOT, "%.2f x the %,d-byte image", r.serverBytes() / (double) r.imageBytes(), r.imageBytes()),
                r.serverResentFrames(), r.serverResentBytes(), r.serverOverheadFrames(), r.serverOverheadBytes()));
        l.add(String.format(Locale.ROOT, "  transfers %,d packets sent again (DATA, OACK); at most %,d transfers at once,"
                        + " %,d requests waited, %,d dropped, %,d refused busy",
                r.serverRetransmissions(), r.peakTransfers(), r.requestsWaited(), r.requestsDropped(), r.requestsBusy()));
        if (r.multicast() != null) {
            FleetReport.Multicast m = r.multicast();
            l.add(String.format(Locale.ROOT, "  multicast %,d boards by multicast in %,d transfers: %,d DATA (%,d bytes) to the groups, %,d of"
                            + " them again (%,d after a timeout); %,d rewinds for late boards took back %,d blocks, %,d repairs of"
                            + " lost blocks took back %,d blocks; the master changed %,d times; boards dropped %,d blocks while their flash was busy",
                    m.boards(), m.transfers(), m.groupData(), m.groupBytes(), m.resentData(), m.timeoutData(), m.rewinds(),
                    m.rewound(), m.repairs(), m.repaired(), m.masterChanges(), m.sinkDrops()));
        }
        if (r.linkBitsPerSecond() > 0) {
            l.add(String.format(Locale.ROOT, "  link      servers' ports %.1f%% busy while sending (peak %.1f%% over %d ms)",
                    r.linkUse() * 100, r.peakLinkUse() * 100, FleetBoot.SAMPLE_NANOS / 1_000_000));
        }
        l.add(String.format(Locale.ROOT, "  boards    %,d packets sent again (DHCP, TFTP)", r.boardRetransmissions()));
        l.add(String.format(Locale.ROOT, "  time      %.3f s virtual, %.1f s wall; the emulator took %.1f us per frame (%,d frames, %,d polls)",
                r.simulatedNanos() / 1e9, r.wallNanos() / 1e9, r.wallNanosPerFrame() / 1e3, r.frames(), r.polls()));
        return l;
    }

    private static String range(long[] v) {
        if (v[0] < 0) {
            return "none";
        }
        if (v[0] == v[2]) {
            return String.format(Locale.ROOT, "all at %.3f s", v[0] / 1e9);
        }
        return String.format(Locale.ROOT, "%.3f..%.3f s (median %.3f s)", v[0] / 1e9, v[2] / 1e9, v[1] / 1e9);
    }

    private static Json spread(long[] v) {
        Json j = Json.object();
        if (v[0] < 0) {
            return j.putNull("firstSeconds").putNull("medianSeconds").putNull("lastSeconds");
        }
        return j.put("firstSeconds", v[0] / 1e9).put("medianSeconds", v[1] / 1e9).put("lastSeconds", v[2] / 1e9);
    }

    private static void seconds(Json j, String key, long nanos) {
        if (nanos < 0) {
            j.putNull(key);
        } else {
            j.put(key, nanos / 1e9);
        }
    }

    private static double round(double v, int places) {
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }
}
