package dev.netboot.soak;

import dev.netboot.device.BootLayout;
import dev.netboot.device.BootObserver;
import dev.netboot.device.BootSequence;
import dev.netboot.device.DeviceProfile;
import dev.netboot.device.ImageSignature;
import dev.netboot.emulator.Background;
import dev.netboot.emulator.EmulatedBoot;
import dev.netboot.emulator.FaultPlan;
import dev.netboot.emulator.Neighbours;
import dev.netboot.emulator.RogueDhcp;
import dev.netboot.emulator.Scenario;
import dev.netboot.emulator.ServedFile;
import dev.netboot.emulator.Simulation;
import dev.netboot.emulator.TftpQuirks;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.Flashes;
import dev.netboot.flash.PowerCutFlash;
import dev.netboot.flash.SlotMetadata;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.NamedParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The soak (issue 10): N seeded emulated boards, each over a random mix of the emulator's faults, on every shipped
 * profile, in one JVM. Each run first boots an image (v1) on a clean LAN into slot A, then boots another (v2) over
 * the mix, and checks what the board was left with:
 * <ul>
 * <li>booted: v2 committed in slot B, active, its content v2's SHA-256, and {@code select()} boots it;</li>
 * <li>failed cleanly: one line that names a stage, and slot A still active with v1, checking out, chosen by
 *     {@code select()}; after a power cut, {@code select()} chooses a slot that checks out and holds v1 or v2;</li>
 * <li>anything else is a violation: an exception out of the stack, a run that did not end within its virtual-time
 *     bound, a committed image that is not v2, a failure that left no bootable slot, a failure line of several lines.</li>
 * </ul>
 * The mix, the images and every choice of the emulator come from the run's seed, so {@code --seed S} repeats one run.
 * Usage: {@code Soak N [--threads T] [--first-seed S] [--seed S]}; exit 1 when a run violated.
 */
public final class Soak {
    /** How long a run may take in virtual time: DHCP's 60 s budget, the longest link-down, stalls and TFTP's budgets. */
    static final long VIRTUAL_BOUND = 600_000_000_000L;
    /** How long one run may take on the wall clock. */
    static final long WALL_BOUND = 20_000_000_000L;
    static final long MS = 1_000_000L;
    static final long S = 1_000 * MS;

    /** How a run ended. */
    enum Outcome {
        BOOTED, FAILED_CLEANLY, VIOLATION;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    /**
     * One run's mix of faults.
     *
     * @param kinds     the names of the faults on, for the table
     * @param profile   the profile (a signed variant when {@code signed})
     * @param digest    the server serves {@code boot.img.sha256} beside each image (the profiles check it: digest = if-present)
     * @param faults    the wire's faults
     * @param quirks    the TFTP server's misbehaviour
     * @param rogue     a rogue DHCP server answering first, or {@link RogueDhcp#NONE}
     * @param cutAt     the flash operation the power is cut at, 0 for none
     * @param cutMode   what the cut leaves
     * @param timing    the flash's datasheet times or none
     * @param imageSize v2's size
     */
    record Mix(List<String> kinds, DeviceProfile profile, boolean signed, boolean digest, FaultPlan faults, TftpQuirks quirks, RogueDhcp rogue,
               long cutAt, PowerCutFlash.Mode cutMode, FlashTiming.Mode timing, int imageSize) {
    }

    /** One run: its seed, profile, mix, outcome and why, and its times. */
    record Run(long seed, String profile, Mix mix, Outcome outcome, String detail, long virtualNanos, long wallNanos) {
    }

    private final List<DeviceProfile> profiles;
    private final KeyPair key;

    Soak(Path profilesDir) {
        this.profiles = DeviceProfile.available(profilesDir).stream().map(n -> DeviceProfile.resolve(n, profilesDir)).toList();
        if (profiles.isEmpty()) {
            throw new IllegalStateException("no profiles in " + profilesDir.toAbsolutePath() + " (run from the project's root)");
        }
        this.key = keyPair();
    }

    /** A fixed Ed25519 key, so a seed repeats its run byte for byte. */
    private static KeyPair keyPair() {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(0x5eed_50a4L);
            KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
            g.initialize(NamedParameterSpec.ED25519, r);
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    List<DeviceProfile> profiles() {
        return profiles;
    }

    /** Draws the mix of run {@code seed}: each fault on with probability 0.35, at a random strength. */
    Mix mix(long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x50a4_5eedL);
        DeviceProfile p = profiles.get((int) Long.remainderUnsigned(seed, profiles.size()));
        List<String> kinds = new ArrayList<>();
        FaultPlan f = FaultPlan.NONE;
        if (on(r)) {
            f = f.withLoss(r.nextDouble() * 0.3);
            kinds.add("loss");
        }
        if (on(r)) {
            f = f.withDuplicate(r.nextDouble() * 0.2);
            kinds.add("duplicate");
        }
        if (on(r)) {
            f = f.withReorder(r.nextDouble() * 0.2, (1 + r.nextInt(5)) * MS);
            kinds.add("reorder");
        }
        if (on(r)) {
            f = f.withJitter(r.nextLong(1, 10 * MS));
            kinds.add("jitter");
        }
        if (on(r)) {
            f = f.withCorrupt(r.nextDouble() * 0.05);
            kinds.add("corrupt");
        }
        boolean tamper = r.nextDouble() < 0.15;
        if (tamper) {
            f = f.withTamper(0.001 + r.nextDouble() * 0.02);
            kinds.add("tamper");
        }
        if (on(r)) {
            // Up to 40 s: past TFTP's 25 s budget now and then, and past DHCP's 60 s never.
            f = f.withLinkDown(r.nextLong(0, 3 * S), r.nextLong(100 * MS, 40 * S));
            kinds.add("link-down");
        }
        if (on(r)) {
            boolean flood = r.nextBoolean();
            f = f.withBackground(new Background(r.nextDouble() * 200, r.nextDouble() * 50, r.nextDouble() * 20,
                    flood ? r.nextLong(1, 30_000) : 0, r.nextLong(0, 2 * S), Background.LINE_RATE_100M));
            kinds.add(flood ? "flood" : "background");
        }
        TftpQuirks q = TftpQuirks.NONE;
        if (on(r)) {
            q = quirks(r, kinds);
        }
        RogueDhcp rogue = RogueDhcp.NONE;
        if (r.nextDouble() < 0.2) {
            rogue = RogueDhcp.values()[1 + r.nextInt(RogueDhcp.values().length - 1)];
            kinds.add("rogue-dhcp");
        }
        // A tampered image passes every checksum: only a signature or the served digest catches it, so those boards are
        // signed, or unsigned and served boot.img.sha256, half and half. (Drawn apart from r, so the rest of the mix is
        // what it was before digests.)
        SplittableRandom d = new SplittableRandom(seed ^ 0x5a4a_3d16_e2b1_c0f7L);
        boolean signed = tamper ? d.nextBoolean() : r.nextDouble() < 0.25;
        boolean digest = tamper && !signed || d.nextDouble() < 0.5;
        if (signed) {
            kinds.add("signed");
        }
        if (digest) {
            kinds.add("digest");
        }
        int size = r.nextDouble() < 0.03 ? 1 + r.nextInt(1023) : (int) Math.round(Math.exp(r.nextDouble(Math.log(1024), Math.log(256 * 1024))));
        if (size < 1024) {
            kinds.add("image < 1 KiB");
        }
        long cutAt = 0;
        PowerCutFlash.Mode mode = PowerCutFlash.Mode.TORN;
        if (on(r)) {
            // About the operations of the update: one program per page, one erase per unit, and the metadata's.
            long ops = size / p.flash().pageSize() + size / p.flash().eraseUnit() + 12;
            cutAt = r.nextLong(1, ops + 1);
            mode = PowerCutFlash.Mode.values()[r.nextInt(PowerCutFlash.Mode.values().length)];
            kinds.add("power-cut");
        }
        FlashTiming.Mode timing = r.nextBoolean() ? FlashTiming.Mode.TYPICAL : FlashTiming.Mode.NONE;
        if (kinds.isEmpty()) {
            kinds.add("none");
        }
        return new Mix(List.copyOf(kinds), signed ? signed(p) : p, signed, digest, f, q, rogue, cutAt, mode, timing, size);
    }

    private static boolean on(SplittableRandom r) {
        return r.nextDouble() < 0.35;
    }

    /** One or two misbehaviours of the TFTP server, each named in {@code kinds}. */
    private static TftpQuirks quirks(SplittableRandom r, List<String> kinds) {
        boolean twice = false, shuffle = false, apprentice = false;
        double junk = 0, stranger = 0, oversize = 0;
        TftpQuirks.Oack oack = TftpQuirks.Oack.NONE;
        long tsizeLie = 0, stopAfter = 0, errorAfter = 0, stallAt = 0, stall = 0;
        for (int i = 0, n = 1 + r.nextInt(2); i < n; i++) {
            switch (r.nextInt(10)) {
                case 0 -> { twice = true; kinds.add("tftp send-twice"); }
                case 1 -> { shuffle = true; kinds.add("tftp shuffle-windows"); }
                case 2 -> { junk = r.nextDouble() * 0.2; kinds.add("tftp junk"); }
                case 3 -> { stranger = r.nextDouble() * 0.2; kinds.add("tftp stranger"); }
                case 4 -> { oack = TftpQuirks.Oack.values()[1 + r.nextInt(3)]; kinds.add("tftp oack"); }
                case 5 -> { oversize = r.nextDouble() * 0.1; kinds.add("tftp oversize"); }
                case 6 -> { tsizeLie = r.nextBoolean() ? r.nextLong(1, 5000) : -r.nextLong(1, 5000); kinds.add("tftp tsize-lie"); }
                case 7 -> { stopAfter = r.nextLong(1, 100); kinds.add("tftp stop-after"); }
                case 8 -> { errorAfter = r.nextLong(1, 100); kinds.add("tftp error-after"); }
                default -> {
                    if (r.nextBoolean()) {
                        apprentice = true;
                        kinds.add("tftp sorcerers-apprentice");
                    } else {
                        stallAt = r.nextLong(1, 50);
                        stall = r.nextLong(100 * MS, 30 * S);
                        kinds.add("tftp stall");
                    }
                }
            }
        }
        return new TftpQuirks(false, twice, shuffle, junk, stranger, oack, oversize, tsizeLie, stopAfter, errorAfter,
                "Disk read failure", r.nextBoolean(), apprentice, stallAt, stall, false);
    }

    private DeviceProfile signed(DeviceProfile p) {
        BootLayout b = p.boot();
        return p.withBoot(new BootLayout(b.slotA(), b.slotB(), b.metadata(), b.trialBoots(),
                HexFormat.of().formatHex(ImageSignature.rawKey(key.getPublic())), b.minImageSize()));
    }

    /** Returns the image's SHA-256 as sha256sum writes it. */
    private static ServedFile sidecar(byte[] data) {
        try {
            String hex = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
            return ServedFile.of((hex + "  boot.img\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] sign(byte[] data) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            PrivateKey k = key.getPrivate();
            s.initSign(k);
            s.update(data);
            return s.sign();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the soak's run {@code seed}. */
    Run run(long seed) {
        long t0 = System.nanoTime();
        Mix m = mix(seed);
        try {
            SplittableRandom r = new SplittableRandom(seed);
            byte[] v1 = new byte[2048 + r.nextInt(8192)];
            r.nextBytes(v1);
            byte[] v2 = new byte[m.imageSize()];
            r.nextBytes(v2);
            DeviceProfile p = m.profile();
            Flash flash = Flashes.open(p.chip(), null, seed);
            // v1 on a clean LAN: slot A, active.
            EmulatedBoot.Result first = EmulatedBoot.run(new EmulatedBoot.Config(Scenario.DEFAULT.withSeed(seed), p, ServedFile.of(v1),
                    m.signed() ? ServedFile.of(sign(v1)) : null, m.digest() ? sidecar(v1) : null, flash, null, new BootObserver() {
                    }, FlashTiming.Mode.NONE));
            if (!(first.state() instanceof BootSequence.State.Done)) {
                return done(seed, m, Outcome.VIOLATION, "the clean boot of v1 did not complete: " + first.state(), first, t0);
            }
            Scenario sc = Scenario.DEFAULT.withSeed(seed).withFaults(m.faults()).withTftpQuirks(m.quirks());
            if (m.rogue() != RogueDhcp.NONE) {
                sc = sc.withDhcp(sc.dhcp().withOfferDelay(300 * MS)).withNeighbours(new Neighbours(List.of(new Neighbours.Server("rogue",
                        MacAddress.parse("02:00:00:00:00:66"), Ipv4Address.parse("10.0.0.6"), Ipv4Address.parse("10.0.0.200"),
                        sc.servedFile(), 0, m.rogue())), null, List.of()));
            }
            PowerCutFlash cut = m.cutAt() > 0 ? new PowerCutFlash(flash, m.cutAt(), m.cutMode(), seed) : null;
            EmulatedBoot.Result res = EmulatedBoot.run(new EmulatedBoot.Config(sc, p, ServedFile.of(v2),
                    m.signed() ? ServedFile.of(sign(v2)) : null, m.digest() ? sidecar(v2) : null, cut == null ? flash : cut, null, new BootObserver() {
                    }, m.timing()));
            String why = check(p, flash, res, v1, v2, cut != null && cut.isCut());
            Outcome o = why != null ? Outcome.VIOLATION
                    : res.state() instanceof BootSequence.State.Done ? Outcome.BOOTED : Outcome.FAILED_CLEANLY;
            if (o != Outcome.VIOLATION && res.simulatedNanos() > VIRTUAL_BOUND) {
                o = Outcome.VIOLATION;
                why = "ran " + res.simulatedNanos() / 1e9 + " s of virtual time (bound " + VIRTUAL_BOUND / 1e9 + " s)";
            }
            String detail = why != null ? why : res.state() instanceof BootSequence.State.Failed f
                    ? "[" + f.failure().stage() + "] " + f.failure().message() : "ok";
            Run run = done(seed, m, o, detail, res, t0);
            if (run.outcome() != Outcome.VIOLATION && run.wallNanos() > WALL_BOUND) {
                return new Run(seed, run.profile(), m, Outcome.VIOLATION, "took " + run.wallNanos() / 1e9 + " s of wall time",
                        run.virtualNanos(), run.wallNanos());
            }
            return run;
        } catch (Throwable e) {
            java.io.StringWriter w = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(w));
            return new Run(seed, m.profile().name(), m, Outcome.VIOLATION, "exception: " + w, -1, System.nanoTime() - t0);
        }
    }

    private static Run done(long seed, Mix m, Outcome o, String detail, EmulatedBoot.Result res, long t0) {
        return new Run(seed, m.profile().name(), m, o, detail, res.simulatedNanos(), System.nanoTime() - t0);
    }

    /** Returns why the flash and the end state break the rules, or null when they keep them. */
    static String check(DeviceProfile p, Flash flash, EmulatedBoot.Result res, byte[] v1, byte[] v2, boolean powerCut) {
        if (res.outcome() != Simulation.Outcome.DONE) {
            return "the boot did not end: " + res.outcome() + " after " + res.simulatedNanos() / 1e9 + " s, state " + res.state();
        }
        BootSlots slots = p.bootSlots(flash);
        SlotMetadata meta = slots.load();
        BootSlots.Selection sel = slots.select();
        switch (res.state()) {
            case BootSequence.State.Done d -> {
                if (powerCut) {
                    return "done although the power was cut";
                }
                if (meta.active() != 1 || !slots.checks(meta, 1) || sel.slot() != 1) {
                    return "done, but slot B is not the active, verified, selected slot: active " + meta.active() + ", " + sel;
                }
                if (!Arrays.equals(slots.digest(1, v2.length), sha256(v2)) || d.report().bytes() != v2.length) {
                    return "done, but slot B does not hold the served image (" + d.report().bytes() + " bytes, SHA-256 "
                            + d.report().sha256() + ")";
                }
                return null;
            }
            case BootSequence.State.Failed f -> {
                String msg = f.failure().message();
                if (msg == null || msg.isBlank() || msg.contains("\n") || f.failure().stage() == null) {
                    return "failed without one clear line: " + f.failure();
                }
                if (sel.slot() == 0 && slots.checks(meta, 0) && Arrays.equals(slots.digest(0, v1.length), sha256(v1))) {
                    return powerCut || meta.active() == 0 ? null : "failed, yet slot " + meta.active() + " is active: " + f.failure();
                }
                if (powerCut && sel.slot() == 1 && slots.checks(meta, 1) && Arrays.equals(slots.digest(1, v2.length), sha256(v2))) {
                    return null; // the cut came after the commit: v2 boots
                }
                return "failed and left no slot that boots v1" + (powerCut ? " or v2" : "") + ": selection " + sel + "; " + f.failure();
            }
            default -> {
                return "ended in state " + res.state();
            }
        }
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs seeds {@code first .. first + n - 1} on {@code threads} threads; returns the runs in seed order. */
    List<Run> runAll(long first, int n, int threads) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<Run>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long seed = first + i;
                futures.add(pool.submit(() -> run(seed)));
            }
            List<Run> runs = new ArrayList<>();
            for (Future<Run> f : futures) {
                runs.add(f.get());
            }
            return runs;
        }
    }

    /** Returns the table of outcomes by fault kind, by profile, the slowest runs and every violation. */
    static String report(List<Run> runs, long wallNanos, int threads) {
        StringBuilder b = new StringBuilder();
        Map<String, long[]> byKind = new TreeMap<>();
        Map<String, long[]> byProfile = new TreeMap<>();
        long[] all = new long[3];
        long maxVirtual = 0;
        for (Run r : runs) {
            int o = r.outcome().ordinal();
            all[o]++;
            for (String k : r.mix().kinds()) {
                byKind.computeIfAbsent(k, x -> new long[3])[o]++;
            }
            byProfile.computeIfAbsent(r.profile(), x -> new long[3])[o]++;
            maxVirtual = Math.max(maxVirtual, r.virtualNanos());
        }
        b.append(String.format(Locale.ROOT, "%-28s %7s %8s %15s %10s%n", "fault kind", "runs", "booted", "failed cleanly", "violations"));
        Map<String, long[]> rows = new LinkedHashMap<>(byKind);
        rows.put("", null);
        byProfile.forEach((k, v) -> rows.put("profile " + k, v));
        rows.put("all", all);
        rows.forEach((k, v) -> {
            if (v == null) {
                b.append('\n');
            } else {
                b.append(String.format(Locale.ROOT, "%-28s %7d %8d %15d %10d%n", k, v[0] + v[1] + v[2], v[0], v[1], v[2]));
            }
        });
        b.append(String.format(Locale.ROOT, "%nruns %d, violations %d, wall %.1f s on %d threads (%.1f ms a run), longest virtual run %.1f s%n",
                runs.size(), all[2], wallNanos / 1e9, threads, runs.isEmpty() ? 0 : wallNanos / 1e6 * threads / runs.size(),
                maxVirtual / 1e9));
        b.append("\nslowest runs (wall):\n");
        runs.stream().sorted(Comparator.comparingLong(Run::wallNanos).reversed()).limit(5).forEach(r -> b.append(String.format(Locale.ROOT,
                "  seed %-8d %-12s %7.0f ms wall %7.1f s virtual  %s: %s  [%s]%n", r.seed(), r.profile(), r.wallNanos() / 1e6,
                r.virtualNanos() / 1e9, r.outcome(), firstLine(r.detail()), String.join(", ", r.mix().kinds()))));
        for (Run r : runs) {
            if (r.outcome() == Outcome.VIOLATION) {
                b.append(String.format(Locale.ROOT, "%nVIOLATION seed %d (%s) [%s]: %s%n", r.seed(), r.profile(),
                        String.join(", ", r.mix().kinds()), r.detail()));
            }
        }
        return b.toString();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public static void main(String[] args) throws Exception {
        int n = -1;
        int threads = Runtime.getRuntime().availableProcessors();
        long first = 1;
        Long one = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--first-seed" -> first = Long.parseLong(args[++i]);
                case "--seed" -> one = Long.parseLong(args[++i]);
                default -> n = Integer.parseInt(args[i]);
            }
        }
        if (one == null && n < 1) {
            System.err.println("usage: soak N [--threads T] [--first-seed S] | --seed S");
            System.exit(2);
        }
        Soak soak = new Soak(Path.of("device-profiles"));
        if (one != null) {
            Run r = soak.run(one);
            System.out.printf(Locale.ROOT, "seed %d on %s: %s (%s)%n  mix: %s%n  %s%n  %.1f s virtual, %.0f ms wall%n", r.seed(), r.profile(),
                    r.outcome(), String.join(", ", r.mix().kinds()), r.mix(), r.detail(), r.virtualNanos() / 1e9, r.wallNanos() / 1e6);
            System.exit(r.outcome() == Outcome.VIOLATION ? 1 : 0);
        }
        long t0 = System.nanoTime();
        List<Run> runs = soak.runAll(first, n, threads);
        System.out.print(report(runs, System.nanoTime() - t0, threads));
        System.exit(runs.stream().anyMatch(r -> r.outcome() == Outcome.VIOLATION) ? 1 : 0);
    }
}
