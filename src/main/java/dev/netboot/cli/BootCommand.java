package dev.netboot.cli;

import dev.netboot.device.DeviceProfile;
import dev.netboot.emulator.Seeds;
import dev.netboot.flash.Flash;
import dev.netboot.flash.PowerCutFlash;
import dev.netboot.flash.SlotMetadata;
import dev.netboot.link.LinkException;
import dev.netboot.link.RawSocketLink;
import dev.netboot.tftp.TftpConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code netboot boot}: boots a board on the built-in emulator, or on a real interface, and reports what happened.
 * The options are here; {@link BootSetup} checks them and loads what they name, {@link BootRun} runs the board,
 * {@link BootSummary} reports.
 */
@Command(name = "boot", mixinStandardHelpOptions = true,
        description = {"Boot a board on the built-in emulator: BOOTP, ARP, TFTP, then stream the image into flash and verify it.",
                "With --interface, boot over a real Linux interface instead (root or CAP_NET_RAW), from real BOOTP and TFTP servers.",
                "Exit status: 0 booted, 1 the boot failed, 2 usage or profile error, or the interface cannot be opened."})
final class BootCommand implements Callable<Integer> {
    @Option(names = "--profile", paramLabel = "NAME|FILE",
            description = "Board profile: a name in device-profiles/ or a path (default: the one recorded beside --flash-file, "
                    + "else " + DeviceProfile.DEFAULT_NAME + ").")
    String profile;

    @Option(names = "--image", paramLabel = "FILE",
            description = "File the emulated TFTP server serves as the boot file (default: a generated image).")
    Path image;

    @Option(names = "--signature", paramLabel = "FILE",
            description = "The image's detached Ed25519 signature, served as the boot file's name + .sig "
                    + "(default: IMAGE.sig when it lies beside --image).")
    Path signature;

    @Option(names = "--digest", paramLabel = "FILE",
            description = "The image's SHA-256 as sha256sum writes it, served as the boot file's name + .sha256 (default: "
                    + "IMAGE.sha256 when it lies beside --image; the generated image's own without --image).")
    Path digest;

    @Option(names = "--flash-file", paramLabel = "FILE",
            description = "Back the board's flash with this file: created erased at the profile's flash size if missing (with the profile "
                    + "copied beside it as FILE.profile), reused as is if present.")
    Path flashFile;

    @Option(names = "--scenario", paramLabel = "FILE",
            description = "Emulator scenario: segment, servers, faults (default: emulator/default.scenario).")
    Path scenarioFile;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the emulator's randomness (default: the scenario's).")
    Long seed;

    @Option(names = "--loss", paramLabel = "P", description = "Probability 0..1 that the link loses a frame (default: the scenario's).")
    Double loss;

    @Mixin
    FaultOptions faults = new FaultOptions();

    @Option(names = "--bandwidth", paramLabel = "RATE",
            description = "Emulated link rate, e.g. 100Mbit or 1Gbit (Kbit/Mbit/Gbit, decimal); frames take serialisation time and queue. 0: infinitely fast (default: the scenario's).")
    String bandwidth;

    @Option(names = "--rtt", paramLabel = "TIME",
            description = "Emulated round-trip propagation time, e.g. 1ms: each frame's one-way latency is half of it (default: twice the scenario's latency).")
    String rtt;

    @Option(names = "--blksize", paramLabel = "N|auto",
            description = "TFTP block size to ask for (RFC 2348: 8..65464, or auto: the largest the MTU carries, 1468) instead of the profile's.")
    String blksize;

    @Option(names = "--windowsize", paramLabel = "N|auto",
            description = "TFTP window to ask for (RFC 7440: 1.." + TftpConfig.MAX_WINDOW_SIZE + ", half the 16-bit block numbers; 1 is"
                    + " stop-and-wait; or auto: sized from the link's rate and round trip) instead of the profile's.")
    String windowsize;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write every frame on the emulated wire to this libpcap file.")
    Path pcap;

    @Option(names = "--timeline", paramLabel = "FILE",
            description = "Draw the emulated boot as an SVG sequence diagram in this file: board and server as lanes, every exchange, "
                    + "losses and retransmissions marked, flash busy periods shaded, stages labelled.")
    Path timeline;

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
            description = {"Flash chip times from the profile: typical or worst-case (max) datasheet times, or none "
                    + "(default: typical on the emulator, in virtual time; none with --interface, where they would be real time). "
                    + "The network is paced by the flash: ACKs wait while the board's RAM is full."})
    String flashTiming;

    @Option(names = "--power-cut-at", paramLabel = "N",
            description = "Cut the board's power at flash operation N (1-based: each program, and each erase unit of an erase); "
                    + "the boot stops there (exit 1) and the flash file keeps what the cut left.")
    Long powerCutAt;

    @Option(names = "--power-cut-mode", paramLabel = "before|after|torn",
            description = "With --power-cut-at: what the cut operation leaves: before (never ran), after (completed) or torn "
                    + "(half done) (default: torn).")
    String powerCutMode;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        String doing = "checking the options";
        try {
            BootSetup.Plan plan = BootSetup.plan(this);
            // The interface is opened before the flash: one that cannot be opened (none of that name, no privilege) is
            // exit 2, and a usage error leaves no flash file behind (before, --flash-file was created first).
            try (plan; RawSocketLink raw = iface == null ? null : RawSocketLink.open(iface)) {
                doing = "opening the board's " + sizeOf(plan.profile().flash().size()) + " flash"
                        + (flashFile == null ? " (held in memory; --flash-file maps a file instead)" : "");
                BootSetup.Board opened = BootSetup.openFlash(this, plan);
                doing = "booting";
                return boot(plan, opened, raw, out, err);
            }
        } catch (LinkException e) {
            return BootSummary.refused(json, Main.EXIT_USAGE, "link", e.getMessage(), out, err);
        } catch (UsageError e) {
            return BootSummary.refused(json, Main.EXIT_USAGE, "usage", e.getMessage(), out, err);
        } catch (InternalError e) {
            String fault = IoProblems.mappedFault(flashFile, e);
            if (fault == null) {
                throw e;
            }
            return BootSummary.refused(json, Main.EXIT_FAILED, "flash", fault + "; the boot stopped there, as at a power cut", out, err);
        } catch (OutOfMemoryError e) {
            // Not a stack trace: what ran out, and how to give it more.
            return BootSummary.refused(json, Main.EXIT_FAILED, "memory", "out of memory " + doing + ": the Java heap (at most "
                    + sizeOf(Runtime.getRuntime().maxMemory()) + ") is too small; give the JVM more, e.g. JAVA_OPTS=-Xmx512m", out, err);
        }
    }

    /** Runs the board on the opened flash (and {@code raw}, the opened interface, or null on the emulator), then reports; closes the flash. */
    private int boot(BootSetup.Plan plan, BootSetup.Board opened, RawSocketLink raw, PrintStream out, PrintStream err) {
        DeviceProfile prof = plan.profile();
        Flash flash = opened.flash();
        Flash board = flash; // what the board sees: with --power-cut-at, the flash with the cut ahead
        if (powerCutAt != null) {
            board = new PowerCutFlash(flash, powerCutAt, plan.cutMode(),
                    Seeds.derive(plan.scenario() != null ? plan.scenario().seed() : 0, "power-cut"));
        }
        boolean progress = !json && Home.terminal();
        BootProgress observer = new BootProgress(err, progress, !json);
        long wallStart = System.nanoTime();
        BootRun.Outcome o;
        BootTimeline drawing = null;
        SlotMetadata after;
        try (flash) {
            o = iface != null ? BootRun.onInterface(raw, iface, prof, board, plan.boardMac(), seed, pcap, observer, plan.timingMode(), blksize)
                    : BootRun.onEmulator(plan.scenario(), prof, plan.served(), plan.signature(), plan.digest(), board, pcap, observer,
                    plan.timingMode(), blksize, drawing = timeline == null ? null : new BootTimeline(observer, prof.mac()));
            if (drawing != null) {
                try {
                    drawing.write(timeline, "netboot boot: " + prof.name() + " (" + prof.mac() + ") on the emulator, seed "
                            + plan.scenario().seed());
                } catch (IOException e) {
                    observer.clearLine();
                    return BootSummary.refused(json, Main.EXIT_FAILED, "timeline", "cannot write the timeline "
                            + IoProblems.of(timeline, e), out, err);
                }
            }
            after = prof.bootSlots(flash).load(); // the chip itself: after a cut the board's view is dead
        } catch (LinkException e) {
            observer.clearLine();
            return BootSummary.refused(json, Main.EXIT_USAGE, "link", e.getMessage(), out, err);
        } catch (IOException | UncheckedIOException e) {
            observer.clearLine();
            IOException io = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            return BootSummary.refused(json, Main.EXIT_FAILED, "capture", "cannot write the capture "
                    + IoProblems.of(pcap, io), out, err);
        } finally {
            FlashLock.release(opened.lock()); // after the flash is closed: the next run sees all this one wrote
        }
        double wall = (System.nanoTime() - wallStart) / 1e9;
        observer.clearLine();
        return BootSummary.print(new BootSummary.Facts(iface, json, powerCutAt, plan, opened.target(), flash, board, o,
                observer.lease(), observer.renewals(), after, wall, observer.ramNote()), out, err);
    }

    /** Returns a byte count for messages: 16 MiB, 512 KiB, 100 bytes. */
    static String sizeOf(long bytes) {
        return bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB"
                : bytes >= 1 << 20 ? String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0)
                : bytes >= 1 << 10 && bytes % (1 << 10) == 0 ? (bytes >> 10) + " KiB" : bytes + " bytes";
    }
}
