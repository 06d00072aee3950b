package dev.netboot.emulator;

import dev.netboot.device.BootFailure;
import dev.netboot.device.BootObserver;
import dev.netboot.device.BootReport;
import dev.netboot.device.BootSequence;
import dev.netboot.device.DeviceProfile;
import dev.netboot.device.RamBudget;
import dev.netboot.dhcp.Lease;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashStats;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.PowerCutFlash;
import dev.netboot.flash.TimedFlash;
import dev.netboot.link.Link;
import dev.netboot.link.PcapWriter;
import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStats;
import dev.netboot.tftp.TftpClient;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One board booting on the emulated LAN of a {@link Scenario}: the device's {@link BootSequence}
 * (the same code a real board runs) as one more node of the simulation, in virtual time.
 */
public final class EmulatedBoot {
    /** Size of the image served when the user gives none: odd on purpose, so the last block is short. */
    public static final int GENERATED_IMAGE_SIZE = (1 << 20) + 337;

    /**
     * What to run.
     *
     * @param scenario  the LAN
     * @param profile   the board
     * @param image     the file the TFTP server serves under the scenario's served-file name
     * @param signature served as that name + {@code .sig} (the image's detached signature), or null for none
     * @param digest    served as that name + {@code .sha256} (the image's SHA-256, one {@code sha256sum} line), or null for none
     * @param flash     the board's flash
     * @param pcap      where to capture the wire (every segment, in time order), or null
     * @param observer  hears the boot's progress
     * @param timing    which of the profile's flash times the chip takes in virtual time ({@code NONE}: no time)
     */
    public record Config(Scenario scenario, DeviceProfile profile, ServedFile image, ServedFile signature, ServedFile digest,
                         Flash flash, Path pcap, BootObserver observer, FlashTiming.Mode timing) {
        /** Checks the image and the timing mode. */
        public Config {
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(timing, "timing");
        }

        /** A run serving {@code image} and its {@code signature} (or null), without a digest. */
        public Config(Scenario scenario, DeviceProfile profile, ServedFile image, ServedFile signature, Flash flash, Path pcap,
                      BootObserver observer, FlashTiming.Mode timing) {
            this(scenario, profile, image, signature, null, flash, pcap, observer, timing);
        }

        /** A run serving {@code image} from memory, without a signature or a digest. */
        public Config(Scenario scenario, DeviceProfile profile, byte[] image, Flash flash, Path pcap, BootObserver observer,
                      FlashTiming.Mode timing) {
            this(scenario, profile, ServedFile.of(image), null, flash, pcap, observer, timing);
        }

        /** A run whose flash takes no time, as before flash timing existed. */
        public Config(Scenario scenario, DeviceProfile profile, byte[] image, Flash flash, Path pcap, BootObserver observer) {
            this(scenario, profile, image, flash, pcap, observer, FlashTiming.Mode.NONE);
        }
    }

    /**
     * The flash side of a run.
     *
     * @param busyNanos         time the chip was busy (erase, program, read), in the run's timing mode
     * @param bufferBytes       RAM budget for image bytes waiting for the chip, 0 if the transfer never started
     * @param peakBufferedBytes most image bytes that waited for the chip at once
     * @param acksHeld          window ACKs the TFTP client held until the flash had room
     * @param reorderBytes      RAM for TFTP blocks held ahead of a gap (see {@link RamBudget})
     * @param ramDrops          blocks dropped for want of RAM (in order with the flash buffer full, ahead of a gap with the
     *                          reorder buffer full), and sent again
     */
    public record FlashTime(long busyNanos, long bufferBytes, long peakBufferedBytes, long acksHeld, long reorderBytes,
                            long ramDrops) {
    }

    /**
     * What happened.
     *
     * @param state           the boot's final state: Done, Failed, or the stage it was in when the simulation stopped
     * @param outcome         why the simulation stopped
     * @param simulatedNanos  virtual time at the end
     * @param bytesReceived   bytes of the image that reached flash
     * @param blockSize       TFTP block size in use; before the transfer started, the one the board asks for
     * @param retransmissions packets the board sent again
     * @param flashOps        erase plus program operations on the flash during this boot
     * @param framesLost      frames the fault plan dropped, on every segment
     * @param windowSize      TFTP window negotiated (RFC 7440; 1 is lock-step); before the transfer started, the one asked for
     * @param transferNanos   virtual time from the RRQ to the last ACK, or -1 when the transfer did not finish
     * @param flash           flash busy time and the pacing of the transfer
     * @param drops           what was dropped, where and why
     */
    public record Result(BootSequence.State state, Simulation.Outcome outcome, long simulatedNanos, long bytesReceived,
                         int blockSize, long retransmissions, long flashOps, long framesLost, int windowSize,
                         long transferNanos, FlashTime flash, Drops drops) {
    }

    /**
     * What was dropped and why: by the board's network stack (every frame, by reason), by its TFTP client, and
     * on the emulated wire.
     *
     * @param board       the board's network counters
     * @param tftp        the image transfer's counters: duplicates, strangers, malformed or unexpected packets
     * @param wire        the emulated wire's counters, summed over its segments; null on a real interface
     * @param rxQueuePeak most frames that waited at the board's port at once (the emulated NIC's ring); -1 on a real interface
     */
    public record Drops(NetStats board, TftpClient.Stats tftp, EthernetSegment.Stats wire, long rxQueuePeak) {
        /** Returns the counters of a boot on a real interface: the board's own, nothing of a wire. */
        public static Drops of(BootSequence boot) {
            return new Drops(boot.net().stats(), boot.tftp().stats(), null, -1);
        }
    }

    private EmulatedBoot() {
    }

    /** Returns the image served when none is given: {@link #GENERATED_IMAGE_SIZE} seeded pseudo-random bytes. */
    public static byte[] generatedImage(long seed) {
        byte[] b = new byte[GENERATED_IMAGE_SIZE];
        new SplittableRandom(Seeds.derive(seed, "image")).nextBytes(b);
        return b;
    }

    /**
     * Runs the boot to its end (done, failed, or no more events).
     *
     * @throws IOException when the capture file cannot be written
     */
    public static Result run(Config c) throws IOException {
        return run(c, new Tap() {
        });
    }

    /**
     * Sees inside one run, for a picture of it ({@code netboot boot --timeline}): the LAN once built, and the board's
     * port and flash as the board uses them. A tap that returns what it is given changes nothing.
     */
    public interface Tap {
        /** The LAN is built and serves the image; the board is not on it yet. */
        default void lan(EmulatedLan lan) {
        }

        /** Returns the link the board uses instead of {@code port} (a decorator of it). */
        default Link boardLink(Link port) {
            return port;
        }

        /** Returns the flash the board uses instead of {@code flash}, which charges the chip's time (a decorator of it). */
        default Flash boardFlash(Flash flash) {
            return flash;
        }
    }

    /** Runs the boot as {@link #run(Config)} does, with {@code tap} seeing inside. */
    public static Result run(Config c, Tap tap) throws IOException {
        Scenario sc = c.scenario();
        EmulatedLan lan = EmulatedLan.of(sc);
        lan.serve(sc.servedFile(), c.image());
        if (c.signature() != null) {
            lan.serve(sc.servedFile() + ".sig", c.signature());
        }
        if (c.digest() != null) {
            lan.serve(sc.servedFile() + ".sha256", c.digest());
        }
        PcapWriter pcap = null;
        try {
            if (c.pcap() != null) {
                pcap = PcapWriter.create(c.pcap());
                lan.capture(pcap);
            }
            DeviceProfile p = c.profile();
            Watcher watcher = new Watcher(c.observer());
            FlashStats before = c.flash().stats();
            // The chip's datasheet times in virtual time: operations queue on one busy chip.
            TimedFlash timed = c.timing() == FlashTiming.Mode.NONE ? null : new TimedFlash(c.flash(), p.timing(), c.timing());
            tap.lan(lan);
            BootSequence boot = addBoard(lan, tap.boardLink(lan.attach(p.mac())), p, tap.boardFlash(timed == null ? c.flash() : timed),
                    watcher, c.flash());
            Simulation sim = lan.simulation();
            boot.start(sim.now());
            // Bound the run in virtual time: BOOTP's whole budget, then an hour for the transfer.
            Simulation.RunResult run = sim.run(boot::finished, p.bootp().giveUp() + 3_600_000_000_000L);
            FlashStats after = c.flash().stats();
            long flashOps = (after.erases() - before.erases()) + (after.programs() - before.programs());
            long bytes = boot.state() instanceof BootSequence.State.Done d ? d.report().bytes() : watcher.bytes;
            return new Result(boot.state(), run.outcome(), run.time(), bytes, blockSize(boot, p), boot.retransmissions(),
                    flashOps, lan.framesLost(), windowSize(boot, p),
                    boot.tftp().finishedAt() < 0 ? -1 : boot.tftp().finishedAt() - boot.tftp().startedAt(),
                    flashTime(timed, boot), new Drops(boot.net().stats(), boot.tftp().stats(), lan.wireStats(),
                    lan.boardPort().queuedPeak()));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            if (pcap != null) {
                pcap.close();
            }
        }
    }

    /** Returns the flash side of a boot: {@code timed}'s busy time (null: untimed) and the update's pacing. */
    public static FlashTime flashTime(TimedFlash timed, BootSequence boot) {
        return new FlashTime(timed == null ? 0 : timed.busyNanos(), boot.update() == null ? 0 : boot.update().bufferBytes(),
                boot.update() == null ? 0 : boot.update().peakBufferedBytes(), boot.tftp().acksHeld(),
                boot.ram() == null ? 0 : boot.ram().reorderBytes(), boot.tftp().ramDrops());
    }

    /**
     * Returns the TFTP block size of a boot: the one in use once the transfer started (512 when the server
     * granted no option), else the one the board would ask for: also when the server answered the request with an
     * ERROR (no such file), which negotiates nothing.
     */
    public static int blockSize(BootSequence boot, DeviceProfile p) {
        if (boot.tftp().began()) {
            return boot.tftp().blockSize();
        }
        return boot.ram() != null ? boot.ram().blockSize() : p.tftp().requestedBlockSize(boot.net().maxUdpPayload());
    }

    /**
     * Returns the TFTP window of a boot: the one in use once the transfer started, else (an ERROR for the request
     * too) the one the board would ask for (the profile's, or less when its RAM cannot hold it, see {@link RamBudget}).
     */
    public static int windowSize(BootSequence boot, DeviceProfile p) {
        if (boot.tftp().began()) {
            return boot.tftp().windowSize();
        }
        return boot.ram() != null ? boot.ram().window() : Math.max(1, p.tftp().windowSize());
    }

    /**
     * Puts a board of profile {@code p} with {@code flash} on the LAN as a node of its simulation, its
     * randomness seeded from the scenario; the caller starts it.
     */
    public static BootSequence addBoard(EmulatedLan lan, DeviceProfile p, Flash flash, BootObserver observer) {
        return addBoard(lan, lan.attach(p.mac()), p, flash, observer, flash);
    }

    /** As above on {@code port}; a board whose flash is (or is over) a {@link PowerCutFlash} goes dark at the cut. */
    private static BootSequence addBoard(EmulatedLan lan, Link port, DeviceProfile p, Flash flash, BootObserver observer,
                                         Flash chip) {
        Link powered = chip instanceof PowerCutFlash pc ? new PoweredLink(port, pc) : port;
        BootSequence boot = new BootSequence(powered, p.mac(), p, NetConfig.DEFAULTS, flash,
                Seeds.random(lan.scenario().seed(), "device"), observer);
        lan.simulation().add(new SimNode() {
            @Override
            public void poll(long now) {
                boot.poll(now);
            }

            @Override
            public long pollAt() {
                return boot.pollAt();
            }
        });
        return boot;
    }

    /** Passes events on and remembers how far the image got. */
    private static final class Watcher implements BootObserver {
        private final BootObserver next;
        long bytes;

        Watcher(BootObserver next) {
            this.next = next;
        }

        @Override
        public void ramShared(long now, RamBudget ram) {
            next.ramShared(now, ram);
        }

        @Override
        public void leased(long now, Lease lease) {
            next.leased(now, lease);
        }

        @Override
        public void renewed(long now, Lease lease) {
            next.renewed(now, lease);
        }

        @Override
        public void triedAnotherServer(long now, Lease lease, BootFailure why) {
            next.triedAnotherServer(now, lease, why);
        }

        @Override
        public void fellBackToUnicast(long now, Lease lease, BootFailure why) {
            bytes = 0;
            next.fellBackToUnicast(now, lease, why);
        }

        @Override
        public void resolved(long now, Ipv4Address hop, MacAddress mac) {
            next.resolved(now, hop, mac);
        }

        @Override
        public void transferStarted(long now, Ipv4Address server, String file) {
            next.transferStarted(now, server, file);
        }

        @Override
        public void progress(long now, long b, long expected) {
            bytes = b;
            next.progress(now, b, expected);
        }

        @Override
        public void finished(long now, BootReport report) {
            next.finished(now, report);
        }

        @Override
        public void failed(long now, BootFailure failure) {
            next.failed(now, failure);
        }
    }
}
