package dev.netboot.cli;

import dev.netboot.device.BootFailure;
import dev.netboot.device.BootSequence;
import dev.netboot.device.DeviceProfile;
import dev.netboot.device.RealTimeBoot;
import dev.netboot.emulator.EmulatedBoot;
import dev.netboot.emulator.EmulatedPort;
import dev.netboot.emulator.Scenario;
import dev.netboot.emulator.Seeds;
import dev.netboot.emulator.ServedFile;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashStats;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.TimedFlash;
import dev.netboot.link.Link;
import dev.netboot.link.LinkException;
import dev.netboot.link.PcapLink;
import dev.netboot.link.PcapWriter;
import dev.netboot.link.RawSocketLink;
import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStack;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.wire.MacAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/** The middle of {@code netboot boot}: one run of the board, on the emulator or on a real interface. */
final class BootRun {
    private BootRun() {
    }

    /**
     * What a run produced, on the emulator or a real interface, for the summary.
     *
     * @param stopped       why a run that did not finish stopped, e.g. "emulation stopped after 3.0 s of virtual time"
     * @param where         "the emulator" or the interface's name
     * @param nanos         the boot's time: virtual on the emulator, wall on an interface
     * @param framesLost    frames the emulator dropped; null on a real wire
     * @param loss          the emulator's loss probability; null on a real wire
     * @param windowSize    TFTP window in use
     * @param transferNanos time from RRQ to the last block, or -1
     * @param flashTime     the flash side of an emulated run; null on a real interface
     * @param drops         what was dropped, where and why (the wire's part null on a real interface)
     */
    record Outcome(BootSequence.State state, String stopped, String where, MacAddress mac, long nanos, long bytes,
                   int blockSize, int windowSize, long transferNanos, long retransmissions, long flashOps,
                   Long framesLost, long seed, Double loss, EmulatedBoot.FlashTime flashTime, EmulatedBoot.Drops drops) {
    }

    /**
     * Boots the board of {@code prof} with {@code flash} on the emulated LAN of {@code scenario}, serving {@code served}.
     *
     * @throws IOException when the capture cannot be written
     */
    static Outcome onEmulator(Scenario scenario, DeviceProfile prof, ServedFile served, ServedFile signature, ServedFile digest,
                              Flash flash, Path pcap, BootProgress observer, FlashTiming.Mode timingMode, String blksizeOption)
            throws IOException {
        return onEmulator(scenario, prof, served, signature, digest, flash, pcap, observer, timingMode, blksizeOption, null);
    }

    /** As {@link #onEmulator(Scenario, DeviceProfile, ServedFile, ServedFile, ServedFile, Flash, Path, BootProgress, FlashTiming.Mode, String)}, drawn by {@code timeline} (or null). */
    static Outcome onEmulator(Scenario scenario, DeviceProfile prof, ServedFile served, ServedFile signature, ServedFile digest,
                              Flash flash, Path pcap,
                              BootProgress observer, FlashTiming.Mode timingMode, String blksizeOption, BootTimeline timeline)
            throws IOException {
        noteBlockSize(prof, EmulatedPort.MTU, blksizeOption);
        EmulatedBoot.Result result = EmulatedBoot.run(new EmulatedBoot.Config(scenario, prof, served, signature, digest, flash, pcap,
                timeline == null ? observer : timeline, timingMode), timeline == null ? new EmulatedBoot.Tap() {
                } : timeline);
        BootSequence.State end = result.state();
        if (end instanceof BootSequence.State.Done d) {
            // Every check passed; the served file and flash must still agree, or say so, loudly.
            String servedSha;
            try {
                servedSha = served.sha256();
            } catch (IOException e) {
                servedSha = "unreadable: " + e.getMessage();
            }
            if (!d.report().sha256().equals(servedSha)) {
                end = new BootSequence.State.Failed(new BootFailure("verify", "image in flash (SHA-256 " + d.report().sha256()
                        + ") differs from the served file (" + servedSha + ")"));
            }
        }
        return new Outcome(end, "emulation stopped after " + seconds(result.simulatedNanos())
                + " s of virtual time", "the emulator", prof.mac(), result.simulatedNanos(), result.bytesReceived(),
                result.blockSize(), result.windowSize(), result.transferNanos(), result.retransmissions(),
                result.flashOps(), result.framesLost(), scenario.seed(), scenario.faults().loss(), result.flash(), result.drops());
    }

    /**
     * Boots over {@code raw}, the interface {@code iface} opened by the caller before the flash (an interface that
     * cannot be opened is a usage error, and a usage error leaves no flash file behind): BootSequence on that
     * {@link RawSocketLink} (captured when {@code pcap} is set), driven in real time for at most BOOTP's budget plus
     * an hour. The caller closes {@code raw}.
     *
     * @param seed     --seed, or null for a random one
     * @param boardMac --mac, or null
     * @param timingMode the flash's datasheet times, in real time (none: the file takes no time)
     * @throws LinkException when the interface cannot be set up for the board (its MAC's frames)
     */
    static Outcome onInterface(RawSocketLink raw, String iface, DeviceProfile prof, Flash flash, MacAddress boardMac, Long seed,
                               Path pcap, BootProgress observer, FlashTiming.Mode timingMode, String blksizeOption) {
        // The seed of the board's xids and backoff jitter, which RFC 2131 asks to be random, not secret: SplittableRandom's
        // own seed (the clocks, mixed) rather than a SecureRandom, whose providers and entropy source cost a board
        // ~20 ms before its first DHCPDISCOVER (issue 11).
        long deviceSeed = seed != null ? seed : new SplittableRandom().nextLong();
        try (PcapWriter capture = pcap == null ? null : PcapWriter.create(pcap)) {
            // The interface's own MAC unless the profile (mac-source = profile) or --mac says otherwise.
            MacAddress m = boardMac != null ? boardMac : prof.macOverridesInterface() ? prof.mac() : raw.macAddress();
            if (!m.equals(raw.macAddress())) {
                raw.receiveAllFrames(); // frames to the board's own MAC must reach us, not only the NIC's
            }
            noteBlockSize(prof, raw.mtu(), blksizeOption);
            Link link = capture == null ? raw : new PcapLink(raw, capture);
            FlashStats before = flash.stats();
            // As on the emulator, the chip's datasheet times when asked for; here they pass in real time.
            TimedFlash timed = timingMode == FlashTiming.Mode.NONE ? null : new TimedFlash(flash, prof.timing(), timingMode);
            BootSequence boot = new BootSequence(link, m, prof, NetConfig.DEFAULTS, timed == null ? flash : timed,
                    Seeds.random(deviceSeed, "device"), observer);
            long limit = prof.bootp().giveUp() + 3_600_000_000_000L;
            RealTimeBoot.Result run;
            try {
                // The seconds it waits for its lease warm the JIT up for the transfer (JitWarmup).
                run = RealTimeBoot.run(boot, raw, limit, JitWarmup.forProfile(prof));
            } catch (LinkException e) {
                // The link failed mid-boot (interface gone or down): a failed boot, not a usage error.
                BootFailure f = new BootFailure("link", e.getMessage());
                observer.failed(0, f);
                run = new RealTimeBoot.Result(new BootSequence.State.Failed(f), 0, false);
            }
            FlashStats after = flash.stats();
            long flashOps = (after.erases() - before.erases()) + (after.programs() - before.programs());
            EmulatedBoot.FlashTime flashTime = EmulatedBoot.flashTime(timed, boot);
            return new Outcome(run.state(), "gave up after " + seconds(run.elapsedNanos()) + " s on " + iface, iface, m,
                    run.elapsedNanos(), observer.bytes(), EmulatedBoot.blockSize(boot, prof), EmulatedBoot.windowSize(boot, prof),
                    boot.tftp().finishedAt() < 0 ? -1 : boot.tftp().finishedAt() - boot.tftp().startedAt(),
                    boot.retransmissions(), flashOps, null, deviceSeed, null, flashTime, EmulatedBoot.Drops.of(boot));
        }
    }

    /**
     * Says once on stderr when the block size asked for is more than the link's MTU carries, and what is asked instead.
     *
     * @param blksizeOption --blksize, or null when the profile's is used
     */
    private static void noteBlockSize(DeviceProfile prof, int mtu, String blksizeOption) {
        int asked = prof.tftp().blockSize();
        int fits = prof.tftp().requestedBlockSize(NetStack.maxUdpPayload(mtu));
        if (asked != TftpConfig.AUTO && asked > fits) {
            System.err.println("netboot: " + (blksizeOption != null ? "--blksize " : "the profile's blksize ") + asked
                    + " does not fit the link's MTU of " + mtu + " without IP fragmentation: asking for " + fits);
        }
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }
}
