package dev.netboot.cli;

import dev.netboot.device.BootReport;
import dev.netboot.device.BootSequence;
import dev.netboot.device.ImageDigest;
import dev.netboot.device.DeviceProfile;
import dev.netboot.dhcp.Lease;
import dev.netboot.emulator.EmulatedBoot;
import dev.netboot.emulator.EthernetSegment;
import dev.netboot.net.NetStats;
import dev.netboot.tftp.TftpClient;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashWear;
import dev.netboot.flash.PowerCutFlash;
import dev.netboot.flash.SlotMetadata;
import dev.netboot.wire.Ipv4Address;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The end of {@code netboot boot}: what the run did, as the JSON object of {@code --json} or as the human
 * summary on stdout, and the one-line error on stderr when it failed.
 */
final class BootSummary {
    private BootSummary() {
    }

    /**
     * Everything the summary reports.
     *
     * @param iface       --interface, or null on the emulator
     * @param json        --json
     * @param powerCutAt  --power-cut-at, or null
     * @param plan        what the options asked for
     * @param target      the slot the update was to write ({@code SlotMetadata.NONE}: none may be written)
     * @param flash       the chip (its erase counters are this run's)
     * @param board       what the board saw: {@code flash}, or a {@link PowerCutFlash} over it
     * @param outcome     what the run produced
     * @param lease       the board's lease as the last renewal left it, or null
     * @param renewals    the DHCPACKs that extended the lease during the boot
     * @param after       the slot metadata read back from the chip after the run
     * @param wall        wall-clock seconds of the run
     * @param ramNote     what the board asks for instead of what its RAM cannot hold, or null ({@link dev.netboot.device.RamBudget})
     */
    record Facts(String iface, boolean json, Long powerCutAt, BootSetup.Plan plan, int target, Flash flash, Flash board,
                 BootRun.Outcome outcome, Lease lease, int renewals, SlotMetadata after, double wall, String ramNote) {
    }

    /** Prints the summary and returns the exit status: 0 booted, 1 failed. */
    static int print(Facts f, PrintStream out, PrintStream err) {
        DeviceProfile prof = f.plan().profile();
        BootRun.Outcome o = f.outcome();
        EmulatedBoot.FlashTime flashTime = o.flashTime();
        String timing = BootSetup.name(f.plan().timingMode());
        Json j = Json.object();
        BootSequence.State end = o.state();
        boolean ok = end instanceof BootSequence.State.Done;
        j.put("result", ok ? "ok" : "error");
        if (end instanceof BootSequence.State.Failed failed) {
            j.put("error", failed.failure().message());
            j.put("stage", failed.failure().stage());
        } else if (!ok) {
            j.put("error", o.stopped() + " in stage " + end.getClass().getSimpleName());
            j.put("stage", end.getClass().getSimpleName().toLowerCase(Locale.ROOT));
        }
        j.put("profile", prof.name());
        if (f.iface() != null) {
            j.put("interface", f.iface());
        }
        j.put("mac", o.mac().toString());
        Lease lease = f.lease();
        putAddress(j, "ip", lease == null ? null : lease.address());
        putAddress(j, "netmask", lease == null ? null : lease.netmask());
        putAddress(j, "gateway", lease == null || lease.gateway().isAny() ? null : lease.gateway());
        putAddress(j, "server", lease == null ? null : lease.server());
        if (lease == null) {
            j.putNull("bootFile");
            j.putNull("protocol");
        } else {
            j.put("bootFile", lease.bootFile());
            j.put("protocol", lease.source().toString());
        }
        putAddress(j, "dhcpServer", lease == null ? null : lease.dhcpServer());
        putAddress(j, "proxyServer", lease == null || lease.proxyServer().isAny() ? null : lease.proxyServer());
        if (lease == null || lease.infinite()) {
            j.putNull("leaseSeconds");
        } else {
            j.put("leaseSeconds", lease.leaseSeconds());
        }
        j.put("renewals", f.renewals());
        BootReport r = end instanceof BootSequence.State.Done d ? d.report() : null;
        j.put("bytes", r != null ? r.bytes() : o.bytes());
        if (r != null) {
            j.put("sha256", r.sha256());
            j.put("slot", r.slot());
            j.put("signed", r.signed());
            j.put("digest", r.digest());
            j.put("partition", r.partition());
            j.put("partitionOffset", r.partitionOffset());
            j.put("blockSize", r.blockSize());
            j.put("erasedSectors", r.erasedSectors());
            j.put("skippedSectors", r.skippedSectors());
        } else {
            j.putNull("sha256");
            j.put("slot", BootSlots.name(f.target()));
            j.put("signed", false);
            j.putNull("digest");
            if (f.target() == SlotMetadata.NONE) { // both slots kept (a trial and its fallback): nothing to write into
                j.putNull("partition");
                j.putNull("partitionOffset");
            } else {
                j.put("partition", prof.slot(f.target()).name());
                j.put("partitionOffset", prof.slot(f.target()).offset());
            }
            j.put("blockSize", o.blockSize());
        }
        j.put("activeSlot", BootSlots.name(f.after().active()));
        j.put("windowSize", o.windowSize());
        if (o.transferNanos() < 0) {
            j.putNull("transferSeconds");
        } else {
            j.put("transferSeconds", o.transferNanos() / 1e9);
        }
        j.put("retransmissions", o.retransmissions());
        j.put("flashOps", o.flashOps());
        // Flash time and wear of this run (erase counters live in memory: they start at 0 when the file is opened).
        FlashWear wear = FlashWear.of(f.flash().eraseCounts());
        j.put("flashTiming", timing);
        j.put("flashSeconds", flashTime == null ? 0.0 : flashTime.busyNanos() / 1e9);
        j.put("maxEraseCount", wear.max());
        j.put("totalErases", wear.total());
        if (flashTime != null) {
            j.put("flashBufferBytes", flashTime.bufferBytes());
            j.put("flashBufferPeak", flashTime.peakBufferedBytes());
            j.put("reorderBytes", flashTime.reorderBytes());
            j.put("acksHeld", flashTime.acksHeld());
            j.put("ramDrops", flashTime.ramDrops());
        }
        if (f.ramNote() == null) {
            j.putNull("ramNote");
        } else {
            j.put("ramNote", f.ramNote());
        }
        if (f.board() instanceof PowerCutFlash pc) {
            j.put("powerCutAt", f.powerCutAt());
            j.put("powerCutMode", BootSetup.name(f.plan().cutMode()));
            j.put("powerCut", pc.isCut());
        }
        // A real wire's losses are unknown: null, not 0.
        if (o.framesLost() == null) {
            j.putNull("framesLost");
        } else {
            j.put("framesLost", o.framesLost());
        }
        j.put("drops", drops(o.drops(), flashTime == null ? 0 : flashTime.ramDrops()));
        j.put("seed", o.seed());
        if (o.loss() == null) {
            j.putNull("loss");
        } else {
            j.put("loss", o.loss());
        }
        // On a real interface the boot's clock is the wall clock: the time from BOOTP to the verified image.
        j.put("simulatedSeconds", o.nanos() / 1e9);
        j.put("wallSeconds", f.wall());

        if (f.json()) {
            out.println(j);
        } else if (r != null && ok) {
            out.printf(Locale.ROOT, "booted %s (%s) on %s%n", prof.name(), o.mac(), o.where());
            out.printf(Locale.ROOT, "  address   %s/%d  gateway %s%n", r.address(), r.netmask().prefixLength(),
                    r.gateway().isAny() ? "none" : r.gateway());
            out.printf(Locale.ROOT, "  lease     %s%n", describe(lease, f.renewals()));
            out.printf(Locale.ROOT, "  server    %s  file %s%n", r.server(), Shown.text(r.bootFile()));
            out.printf(Locale.ROOT, "  wrote     %d bytes into slot %s (%s at 0x%x), %d-byte blocks, %d flash ops%n", r.bytes(),
                    r.slot(), r.partition(), r.partitionOffset(), r.blockSize(), o.flashOps());
            SlotMetadata m = f.after();
            // With trial-boots the new image is pending when it has a slot to fall back to: say so, and what a confirm decides.
            String trial = m.pending() && m.previous() != SlotMetadata.NONE ? " on trial: " + m.triesLeft() + " boot"
                    + (m.triesLeft() == 1 ? "" : "s") + " to confirm it (netboot flash confirm), else slot " + BootSlots.name(m.previous())
                    + " boots again" : "";
            out.printf(Locale.ROOT, "  sha256    %s (verified by read-back%s); slot %s is active%s%n", r.sha256(),
                    r.signed() ? ", Ed25519 signature good" : "", r.slot(), trial);
            out.printf(Locale.ROOT, "  digest    %s%n", switch (r.digest()) {
                case ImageDigest.CHECKED -> r.bootFile() + ".sha256 matches";
                case ImageDigest.ABSENT -> "the server has no " + r.bootFile() + ".sha256: not checked";
                default -> "not asked for (digest = off)";
            });
            out.printf(Locale.ROOT, "  transfer  %.3f s, window %d x %d bytes%n", o.transferNanos() / 1e9, o.windowSize(),
                    r.blockSize());
            if (flashTime != null) {
                // This run's erases: the image's sectors, and the rest (the slot metadata's copies).
                long other = Math.max(0, wear.total() - r.erasedSectors());
                out.printf(Locale.ROOT, "  flash     %.3f s busy (%s), %s erased for the image%s, %d skipped%s, %s held%n",
                        flashTime.busyNanos() / 1e9, timing, count(r.erasedSectors(), "sector"),
                        other > 0 ? " and " + other + " for the slot metadata" : "", r.skippedSectors(),
                        wear.max() > 1 ? ", the most-erased one " + wear.max() + " times" : "", count(flashTime.acksHeld(), "ACK"));
            }
            if (f.board() instanceof PowerCutFlash pc && !pc.isCut()) {
                out.printf(Locale.ROOT, "  power cut at flash operation %d never came: this boot made %s%n", f.powerCutAt(),
                        count(o.flashOps(), "flash operation"));
            }
            if (f.iface() == null) {
                out.printf(Locale.ROOT, "  network   %d retransmissions, %d frames lost (seed %d, loss %s)%n", o.retransmissions(),
                        o.framesLost(), o.seed(), o.loss());
                out.printf(Locale.ROOT, "  time      %.3f s virtual, %.3f s wall%n", o.nanos() / 1e9, f.wall());
            } else {
                out.printf(Locale.ROOT, "  network   %d retransmissions (seed %d)%n", o.retransmissions(), o.seed());
                out.printf(Locale.ROOT, "  time      %.3f s on %s%n", o.nanos() / 1e9, f.iface());
            }
        }
        if (!ok) {
            err.println("netboot: boot failed: " + Shown.text(end instanceof BootSequence.State.Failed failed
                    ? "[" + failed.failure().stage() + "] " + failed.failure().message()
                    : o.stopped()));
            return Main.EXIT_FAILED;
        }
        return 0;
    }

    /**
     * Reports a run that stopped before the board ran (a usage error, a missing interface, no memory):
     * one line on stderr and, with {@code --json}, one object on stdout. Returns {@code exit}.
     */
    static int refused(boolean json, int exit, String stage, String message, PrintStream out, PrintStream err) {
        err.println("netboot: " + Shown.text(message));
        if (json) {
            out.println(Json.object().put("result", "error").put("stage", stage).put("error", message));
        }
        return exit;
    }

    /**
     * Returns how the board got its identity, for the summary: "dhcp from 10.0.0.1, 3600 s, renewed 0 times",
     * "bootp from 10.0.0.1, no end", "proxy: address by DHCP from 10.0.0.1, 3600 s, ...; boot file by ProxyDHCP from 10.0.0.3".
     */
    static String describe(Lease l, int renewals) {
        String times = l.infinite() ? "no end" : l.leaseSeconds() + " s, renewed " + count(renewals, "time");
        return switch (l.source()) {
            case DHCP, BOOTP -> l.source() + " from " + l.dhcpServer() + ", " + times;
            case PROXY -> "proxy: address by DHCP from " + l.dhcpServer() + ", " + times + "; boot file by ProxyDHCP from "
                    + l.proxyServer();
        };
    }

    /** Returns "1 sector", "3 sectors". */
    static String count(long n, String thing) {
        return n + " " + thing + (n == 1 ? "" : "s");
    }

    /**
     * Returns what was dropped and why: {@code board} (the board's network stack: frames for another station or
     * address, malformed, a bad checksum, fragments, an unknown type or protocol, no listener on the UDP port, ICMP
     * it ignored), {@code tftp} (the image transfer: duplicates, packets from strangers, malformed or unexpected
     * ones; blocks dropped for want of RAM are {@code ramDrops}) and {@code wire} (the emulated wire: lost, while the board's link was down, a full receive or transmit
     * queue; and what it did to frames it delivered: corrupted, tampered, duplicated, reordered; the most frames
     * that waited at the board's port), null on a real interface.
     */
    static Json drops(EmulatedBoot.Drops d, long ramDrops) {
        NetStats n = d.board();
        TftpClient.Stats t = d.tftp();
        Json j = Json.object();
        j.put("board", Json.object().put("notForUs", n.dropNotForUs()).put("malformed", n.dropMalformed())
                .put("badChecksum", n.dropChecksum()).put("fragment", n.dropFragment()).put("unsupported", n.dropUnsupported())
                .put("noListener", n.dropNoListener()).put("icmpIgnored", n.icmpIgnored()));
        j.put("tftp", Json.object().put("duplicates", t.duplicates()).put("strangers", t.strayPackets())
                .put("malformedOrUnexpected", t.dropped() - ramDrops)); // blocks with no RAM are ramDrops, said apart
        EthernetSegment.Stats w = d.wire();
        if (w == null) {
            j.putNull("wire");
        } else {
            j.put("wire", Json.object().put("lost", w.droppedByLoss()).put("linkDown", w.droppedByLinkDown())
                    .put("queueFull", w.droppedByQueue()).put("txQueueFull", w.droppedByTxQueue()).put("corrupted", w.corrupted())
                    .put("tampered", w.tampered()).put("duplicated", w.duplicated()).put("reordered", w.reordered())
                    .put("rxQueuePeak", d.rxQueuePeak()));
        }
        return j;
    }

    private static void putAddress(Json j, String key, Ipv4Address a) {
        if (a == null) {
            j.putNull(key);
        } else {
            j.put(key, a.toString());
        }
    }
}
