package dev.netboot.cli;

import dev.netboot.device.BootObserver;
import dev.netboot.device.BootSequence;
import dev.netboot.device.DeviceProfile;
import dev.netboot.device.RealTimeBoot;
import dev.netboot.emulator.EmulatedBoot;
import dev.netboot.emulator.EmulatedLan;
import dev.netboot.emulator.Scenario;
import dev.netboot.emulator.ServedFile;
import dev.netboot.emulator.Simulation;
import dev.netboot.flash.Flash;
import dev.netboot.flash.Flashes;
import java.util.SplittableRandom;

/**
 * Warms the JIT up for a board on a real interface while it waits for its lease: boots of the same profile on the
 * emulator, in virtual time, in the slices {@link RealTimeBoot} gives it, so the code that handles a TFTP block
 * (the stack, the TFTP client, the flash writer, its digests) is compiled before the real transfer starts instead
 * of while it runs (README, "Real-wire benchmark"). A board spends seconds getting its address (DHCP's exchanges,
 * the RFC 5227 check of the address); the JVM would otherwise sleep through them and compile during the transfer,
 * on the CPUs the transfer needs.
 *
 * <p>It stops after {@link #TARGET_BLOCKS} blocks, {@link #MAX_WORK} of its own wall time, or when the board has its
 * lease, whichever comes first. Its image and flash are in memory, sized from the heap (a sixteenth of it each, at
 * most 4 MiB), and nothing of it reaches the real board, the terminal or the disk. {@code -Dnetboot.warmup=false}
 * turns it off.
 */
final class JitWarmup implements RealTimeBoot.IdleWork {
    /** The system property that turns the warm-up off ({@code -Dnetboot.warmup=false}). */
    static final String PROPERTY = "netboot.warmup";
    /** Blocks handled before the warm-up ends: twice the invocations after which C2 compiles a method. */
    static final long TARGET_BLOCKS = 30_000;
    /** Wall time the warm-up may take in all. */
    static final long MAX_WORK = 2_500_000_000L;
    /** Virtual time a step of the emulated boot covers, between looks at the wall clock. */
    private static final long VIRTUAL_STEP = 2_000_000;
    private static final int MAX_IMAGE = 4 << 20;
    private static final int NOISE = 64 << 10;

    private final DeviceProfile profile;
    private final int imageSize;
    // Made at the first work(), once the board has sent its first frame: the flash's and the image's memory cost
    // milliseconds the board's DHCPDISCOVER need not wait for (issue 11).
    private byte[] image;
    private Flash flash;
    private final long targetBlocks;
    private final long maxWork;
    private long seed;
    private Simulation sim;
    private BootSequence boot;
    private long blocks;
    private long worked;

    /** A warm-up booting {@code image} until {@code targetBlocks} blocks or {@code maxWork} ns of its own time. */
    JitWarmup(DeviceProfile profile, byte[] image, long targetBlocks, long maxWork) {
        this(profile, image.length, targetBlocks, maxWork);
        this.image = image;
    }

    /** A warm-up booting {@link #image(int) noise} of {@code imageSize} bytes, made when it first works. */
    private JitWarmup(DeviceProfile profile, int imageSize, long targetBlocks, long maxWork) {
        this.profile = profile;
        this.imageSize = imageSize;
        this.targetBlocks = targetBlocks;
        this.maxWork = maxWork;
    }

    /** Returns the warm-up for boards of {@code profile}, or null when {@link #PROPERTY} turns it off. */
    static JitWarmup forProfile(DeviceProfile profile) {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return null;
        }
        long size = Math.min(MAX_IMAGE, Math.min(profile.slot(0).size() / 2, Runtime.getRuntime().maxMemory() / 16));
        return new JitWarmup(profile, (int) Math.max(profile.boot().minImageSize(), size), TARGET_BLOCKS, MAX_WORK);
    }

    /**
     * Returns {@code size} bytes of noise: 64 KiB drawn once, then copied over and over. Drawing megabytes one by one
     * would take tens of milliseconds before the boot starts and keep the JIT's optimizing compiler busy with the
     * generator's loop just when the warm-up needs it.
     */
    static byte[] image(int size) {
        byte[] image = new byte[size];
        byte[] noise = new byte[Math.min(size, NOISE)];
        new SplittableRandom(1).nextBytes(noise);
        for (int off = 0; off < size; off += noise.length) {
            System.arraycopy(noise, 0, image, off, Math.min(noise.length, size - off));
        }
        return image;
    }

    @Override
    public boolean work(long budgetNanos) {
        long start = System.nanoTime();
        do {
            if (boot == null || boot.finished()) {
                if (boot != null) {
                    blocks += boot.tftp().stats().blocks();
                }
                if (blocks >= targetBlocks) {
                    return false;
                }
                startBoot();
            }
            sim.advance(boot::finished, sim.now() + VIRTUAL_STEP);
        } while (System.nanoTime() - start < budgetNanos);
        worked += System.nanoTime() - start;
        return worked < maxWork;
    }

    /** Returns the blocks the finished warm-up boots handled. */
    long blocks() {
        return blocks;
    }

    /** Returns the warm-up boots started so far. */
    long boots() {
        return seed;
    }

    /** Returns the state of the last warm-up boot, null before the first. */
    BootSequence.State lastState() {
        return boot == null ? null : boot.state();
    }

    private void startBoot() {
        if (flash == null) {
            flash = Flashes.open(profile.chip(), null, 0);
        }
        if (image == null) {
            image = image(imageSize);
        }
        EmulatedLan lan = EmulatedLan.of(Scenario.DEFAULT.withSeed(++seed));
        lan.serve(Scenario.DEFAULT.servedFile(), ServedFile.of(image));
        // The server sends UDP checksums of 0, as a server on the board's own host does to its packet socket (where
        // RawSocketLink writes 0 for the checksum the NIC would have filled in; README, "Real interface"), so the
        // board's code takes the branches it takes on the real wire, and the JIT spends no time on the sums.
        lan.server().stack().sendUdpChecksums(false);
        boot = EmulatedBoot.addBoard(lan, profile, flash, new BootObserver() { });
        sim = lan.simulation();
        boot.start(sim.now());
    }
}
