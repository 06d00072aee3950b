package dev.netboot.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashException;
import dev.netboot.flash.FlashGeometry;
import dev.netboot.flash.FlashWriter;
import dev.netboot.flash.NandFaults;
import dev.netboot.flash.NandGeometry;
import dev.netboot.flash.Partition;
import dev.netboot.flash.PowerCutFlash;
import dev.netboot.flash.SimulatedNandFlash;
import dev.netboot.flash.SimulatedNorFlash;
import dev.netboot.flash.SlotMetadata;
import dev.netboot.tftp.TftpSinkException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.stream.IntStream;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The proof that an update never bricks the board: for a small update on NOR and on NAND, cut the
 * power at every flash operation of it, in each of the three modes (before, after, torn), then boot
 * again. Every time the board must come up on a verified slot holding the old or the new image, and
 * after an uninterrupted update it must hold the new one. The sweep starts from every state the
 * metadata can be in ({@link Start}): two valid images, the active slot damaged or empty, a trial on its
 * last try, with a damaged fallback, or itself damaged; a trial with boots left and a verified fallback
 * must refuse the update before any flash operation. Also: random nested cuts (the recovery update is
 * cut too), and cuts while {@link BootSlots#select} writes the metadata of a pending trial boot.
 *
 * <p>The update is the device's own code path without the network: {@link SlotUpdate} fed in 512-byte
 * blocks as the TFTP client would, then finish and commit, exactly as {@link BootSequence} runs it.
 * MCUboot's simulator cuts only before operations; here the cut also falls after one and in the middle.
 */
class PowerCutSweepTest {
    private static final int BLOCK = 512;
    private static final PowerCutFlash.Mode[] MODES = PowerCutFlash.Mode.values();

    /** A board: how to make its fresh flash, and its layout. */
    record Board(String name, Supplier<Flash> fresh, Partition a, Partition b, Partition meta, FlashWriter.Options options) {
        BootSlots slots(Flash f) {
            return new BootSlots(f, a, b, meta);
        }
    }

    // NOR: 4 KiB sectors, 256-byte pages; two 48 KiB slots and two metadata sectors.
    static final Board NOR = new Board("NOR", () -> SimulatedNorFlash.inMemory(new FlashGeometry(128 * 1024, 4096, 256, 0xFF)),
            new Partition("slot-a", 0x4000, 0xC000), new Partition("slot-b", 0x10000, 0xC000), new Partition("meta", 0, 0x2000),
            FlashWriter.Options.DEFAULTS);
    // NOR with sf-update-style skipping of sectors that already match.
    static final Board NOR_SKIP = new Board("NOR skip-unchanged", NOR.fresh(), NOR.a(), NOR.b(), NOR.meta(),
            FlashWriter.Options.SKIP_UNCHANGED);
    // NAND: 512-byte pages, 8-page (4 KiB) blocks, NOP 4; a factory bad block inside slot B; metadata in 4 blocks.
    static final Board NAND = new Board("NAND", () -> SimulatedNandFlash.inMemory(
            NandGeometry.of(new FlashGeometry(128 * 1024, 4096, 512, 0xFF)), new NandFaults(7, List.of(20), 0, 0, 0, 0)),
            new Partition("slot-a", 0x4000, 0xC000), new Partition("slot-b", 0x10000, 0xC000), new Partition("meta", 0, 0x4000),
            FlashWriter.Options.DEFAULTS);

    static final byte[] OLDER = image(31_000, 3);
    static final byte[] OLD = image(30_000, 1);
    static final byte[] NEW = image(33_333, 2);

    static byte[] image(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static byte[] sha(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs one update of {@code img} on {@code f}, as BootSequence does; returns normally or throws the flash failure. */
    static void update(Board board, Flash f, byte[] img, int trialBoots) {
        SlotUpdate u = new SlotUpdate(board.slots(f), f, board.options(), new BootObserver() {});
        ByteBuffer src = ByteBuffer.wrap(img);
        try {
            u.begin(img.length);
            for (int off = 0; off < img.length; off += BLOCK) {
                u.write(src, off, Math.min(BLOCK, img.length - off));
            }
        } catch (TftpSinkException e) {
            // The sink turns a flash failure into a TFTP error; the flash failure is what happened.
            throw (FlashException) e.getCause();
        }
        u.finish();
        u.commit(trialBoots);
    }

    /**
     * A board with OLDER in slot A and OLD in slot B, active, both valid, installed uninterrupted: the update
     * of NEW goes into A over a valid image, so the sweep also covers marking the target empty first.
     * Booting OLDER after a cut would be a silent rollback and fails the check as much as garbage does.
     */
    static Flash withOld(Board board) {
        Flash f = board.fresh().get();
        update(board, f, OLDER, 0);
        update(board, f, OLD, 0);
        return f;
    }

    /**
     * How a board is before the update: every state the A/B metadata can be in when an update comes,
     * each with OLD as the image it boots now. {@code prepare} brings a fresh flash into that state.
     */
    record Start(String name, BiConsumer<Board, Flash> prepare) {
        Flash on(Board board) {
            Flash f = board.fresh().get();
            prepare.accept(board, f);
            // The state is what it claims: OLD is in a slot that checks out (select() would write: not called here).
            BootSlots slots = board.slots(f);
            SlotMetadata m = slots.load();
            assertTrue(IntStream.of(0, 1).anyMatch(i -> Arrays.equals(m.slot(i).sha256(), sha(OLD)) && slots.checks(m, i)),
                    name + ": OLD is bootable before the update: " + m);
            return f;
        }
    }

    /** Erases the first good erase unit of slot {@code i}: its content no longer matches its record. */
    static void damage(Board board, Flash f, int i) {
        Partition p = i == 0 ? board.a() : board.b();
        int unit = f.geometry().eraseUnit();
        long at = p.offset();
        while (f.isBad((int) (at / unit))) {
            at += unit;
        }
        f.erase(at, unit);
    }

    /** Replaces the metadata by {@code m} alone, in copy 0 (copy 1 erased): a record another writer may have left. */
    static void record(Board board, Flash f, SlotMetadata m) {
        int unit = f.geometry().eraseUnit();
        for (long at = board.meta().offset(); at < board.meta().end(); at += unit) {
            f.erase(at, unit);
        }
        byte[] raw = m.encode();
        f.program(board.meta().offset(), raw, 0, raw.length);
        assertEquals(m, board.slots(f).load());
    }

    /** OLDER in A, OLD in B and active, both valid: the update goes into A over a valid image. */
    static final Start TWO_VALID = new Start("two valid images", (board, f) -> {
        update(board, f, OLDER, 0);
        update(board, f, OLD, 0);
    });
    /** OLD in A; OLDER in B, active, then damaged: the board boots A, so the update must go into B. */
    static final Start ACTIVE_DAMAGED = new Start("active slot damaged", (board, f) -> {
        update(board, f, OLD, 0);
        update(board, f, OLDER, 0);
        damage(board, f, 1);
    });
    /** OLD in A; the metadata names B active but B holds no valid image: the board boots A. */
    static final Start ACTIVE_EMPTY = new Start("active slot empty", (board, f) -> {
        update(board, f, OLD, 0);
        SlotMetadata m = board.slots(f).load();
        record(board, f, new SlotMetadata(m.sequence() + 1, 1, SlotMetadata.NONE, false, 0,
                new SlotMetadata.Slot[] {m.slot(0), SlotMetadata.Slot.EMPTY}));
    });
    /** OLD in A; OLDER in B on trial, its one try used: the next power-up falls back to A, so B is the target. */
    static final Start TRIAL_LAST_TRY = new Start("trial on its last try", (board, f) -> {
        update(board, f, OLD, 0);
        update(board, f, OLDER, 1);
        board.slots(f).select();
    });
    /** OLDER in A, damaged; OLD in B on trial with 2 tries: B boots and has no fallback left, so A is the target. */
    static final Start TRIAL_FALLBACK_DAMAGED = new Start("trial with a damaged fallback", (board, f) -> {
        update(board, f, OLDER, 0);
        update(board, f, OLD, 2);
        damage(board, f, 0);
    });
    /** OLD in A; OLDER in B on trial with 2 tries, damaged: the board falls back to A, so B is the target. */
    static final Start TRIAL_DAMAGED = new Start("trial slot damaged", (board, f) -> {
        update(board, f, OLD, 0);
        update(board, f, OLDER, 2);
        damage(board, f, 1);
    });
    static final List<Start> STARTS = List.of(TWO_VALID, ACTIVE_DAMAGED, ACTIVE_EMPTY, TRIAL_LAST_TRY, TRIAL_FALLBACK_DAMAGED,
            TRIAL_DAMAGED);

    /** Boots: the selection must be a verified slot whose recorded digest is OLD's or NEW's; returns which image. */
    static byte[] boot(Board board, Flash f, String what) {
        BootSlots slots = board.slots(f);
        BootSlots.Selection s;
        try {
            s = slots.select();
        } catch (FlashException e) {
            throw new AssertionError(what + ": select failed: " + e.getMessage(), e);
        }
        if (s.slot() == SlotMetadata.NONE || !s.verified()) {
            fail(what + ": no bootable slot: " + s.note() + "; " + slots.current());
        }
        SlotMetadata m = slots.current();
        byte[] recorded = m.slot(s.slot()).sha256();
        // select() verified the content against the record; the record must be one of the two images.
        assertTrue(slots.checks(m, s.slot()), what + ": selected slot fails its check");
        if (Arrays.equals(recorded, sha(OLD))) {
            return OLD;
        }
        if (Arrays.equals(recorded, sha(NEW))) {
            return NEW;
        }
        return fail(what + ": slot " + BootSlots.name(s.slot()) + " holds neither image: " + m);
    }

    /** Cuts the update of NEW at operation k in mode, reboots, checks, then updates NEW again uninterrupted and checks NEW. */
    static boolean cutOnce(Board board, Start start, long k, PowerCutFlash.Mode mode, long seed) {
        Flash f = start.on(board);
        PowerCutFlash cut = new PowerCutFlash(f, k, mode, seed);
        String what = board.name() + ", " + start.name() + ", cut at " + k + " " + mode;
        try {
            update(board, cut, NEW, 0);
        } catch (FlashException e) {
            assertEquals(FlashException.Kind.POWER_CUT, e.kind(), what + ": " + e.getMessage());
        }
        boot(board, f, what);
        update(board, f, NEW, 0);
        assertEquals(NEW, boot(board, f, what + ", then updated"));
        return cut.isCut();
    }

    /** Counts the operations of an uninterrupted update of NEW from {@code start}. */
    static long operations(Board board, Start start) {
        PowerCutFlash count = PowerCutFlash.never(start.on(board));
        update(board, count, NEW, 0);
        assertEquals(NEW, boot(board, count.delegate(), board.name() + ", " + start.name() + ", uncut"));
        return count.operations();
    }

    static long operations(Board board) {
        return operations(board, TWO_VALID);
    }

    long sweep(Board board) {
        long ops = sweep(board, TWO_VALID);
        System.out.printf("power-cut sweep: %s %d modes x %d ops = %d cuts, survived all%n", board.name(), MODES.length, ops,
                MODES.length * ops);
        return MODES.length * ops;
    }

    /** Cuts an update from {@code start} at each of its operations in each mode; returns the operations of one update. */
    long sweep(Board board, Start start) {
        long ops = operations(board, start);
        long cuts = 0;
        for (PowerCutFlash.Mode mode : MODES) {
            for (long k = 1; k <= ops; k++) {
                assertTrue(cutOnce(board, start, k, mode, k * 31 + mode.ordinal()),
                        board.name() + ", " + start.name() + ": operation " + k + " was never reached");
                cuts++;
            }
        }
        assertEquals(MODES.length * ops, cuts);
        return ops;
    }

    @Test
    void norSurvivesACutAtEveryOperationInEveryMode() {
        assertTrue(sweep(NOR) > 3 * 100);
    }

    @Test
    void norSkippingUnchangedSectorsSurvivesACutAtEveryOperation() {
        assertTrue(sweep(NOR_SKIP) > 3 * 100);
    }

    @Test
    void nandSurvivesACutAtEveryOperationInEveryMode() {
        assertTrue(sweep(NAND) > 3 * 50);
    }

    /**
     * The same sweep from every other state the metadata can be in when an update comes: the active slot
     * damaged or empty (the update must go into it, not into the slot that still boots), and a trial on its
     * last try, with a damaged fallback, or itself damaged. Every cut must leave OLD or NEW bootable.
     */
    @Test
    void everyOtherStartingStateSurvivesACutAtEveryOperation() {
        long cuts = 0;
        for (Start start : STARTS.subList(1, STARTS.size())) {
            List<String> each = new java.util.ArrayList<>();
            long here = 0;
            for (Board board : List.of(NOR, NOR_SKIP, NAND)) {
                long ops = sweep(board, start);
                each.add(board.name() + " " + ops);
                here += MODES.length * ops;
            }
            System.out.printf("power-cut sweep: %s: %s ops x %d modes = %d cuts, survived all%n", start.name(),
                    String.join(", ", each), MODES.length, here);
            cuts += here;
        }
        assertTrue(cuts > 5 * 3 * 3 * 50, "cuts: " + cuts);
    }

    /**
     * A trial with boots left whose fallback checks out: the board boots the trial now and must keep its
     * fallback too, so the update is refused before any flash operation and the metadata stays as it was.
     */
    @Test
    void aTrialWithBootsLeftAndAVerifiedFallbackIsNotOverwritten() {
        for (Board board : List.of(NOR, NAND)) {
            Flash f = board.fresh().get();
            update(board, f, OLDER, 0);
            update(board, f, OLD, 2);
            SlotMetadata before = board.slots(f).load();
            PowerCutFlash count = PowerCutFlash.never(f);
            FlashException e = org.junit.jupiter.api.Assertions.assertThrows(FlashException.class, () -> update(board, count, NEW, 0),
                    board.name() + ": an update over a trial and its fallback");
            assertEquals(FlashException.Kind.NO_FREE_SLOT, e.kind(), e.getMessage());
            assertEquals(0, count.operations(), board.name() + ": nothing erased or programmed");
            assertEquals(before, board.slots(f).load());
            assertEquals(OLD, boot(board, f, board.name() + " trial kept"));
            // Once the trial is confirmed its old fallback is an ordinary inactive slot: the update goes there.
            BootSlots slots = board.slots(f);
            slots.load();
            slots.confirm();
            update(board, f, NEW, 0);
            assertEquals(NEW, boot(board, f, board.name() + " after confirm"));
        }
        System.out.println("power-cut sweep: a trial with boots left and a verified fallback: update refused, 0 flash operations");
    }

    /**
     * A cut, then a recovery update cut again at a random operation, then boot; 100 seeded runs per board and
     * mode from two valid images, 20 from each other starting state.
     */
    @Test
    void nestedCutsDuringTheRecoveryUpdate() {
        long runs = 0;
        for (Board board : List.of(NOR, NAND)) {
          for (Start start : STARTS) {
            long ops = operations(board, start);
            SplittableRandom r = new SplittableRandom(2024);
            for (PowerCutFlash.Mode mode : MODES) {
                for (int i = 0; i < (start == TWO_VALID ? 100 : 20); i++) {
                    long k1 = 1 + r.nextLong(ops);
                    long k2 = 1 + r.nextLong(ops);
                    PowerCutFlash.Mode mode2 = MODES[r.nextInt(MODES.length)];
                    String what = board.name() + ", " + start.name() + ", cut at " + k1 + " " + mode + ", recovery cut at " + k2
                            + " " + mode2;
                    Flash f = start.on(board);
                    try {
                        update(board, new PowerCutFlash(f, k1, mode, r.nextLong()), NEW, 0);
                    } catch (FlashException e) {
                        assertEquals(FlashException.Kind.POWER_CUT, e.kind(), what);
                    }
                    boot(board, f, what + " (first reboot)");
                    try {
                        update(board, new PowerCutFlash(f, k2, mode2, r.nextLong()), NEW, 0);
                    } catch (FlashException e) {
                        assertEquals(FlashException.Kind.POWER_CUT, e.kind(), what);
                    }
                    boot(board, f, what + " (second reboot)");
                    update(board, f, NEW, 0);
                    assertEquals(NEW, boot(board, f, what + ", then updated"));
                    runs++;
                }
            }
          }
        }
        System.out.printf("power-cut sweep: %d nested cuts (a cut during the recovery update), survived all%n", runs);
    }

    /** NEW committed as a trial (pending, 2 tries): select() writes metadata on every boot; cut it at each of its operations. */
    @Test
    void cutWhileSelectRecordsATrialBoot() {
        long runs = 0;
        for (Board board : List.of(NOR, NAND)) {
            for (int boots = 0; boots < 3; boots++) {
                // Count select's operations at this boot: each one writes a metadata copy (an erase and a program).
                Flash probe = withOld(board);
                update(board, probe, NEW, 2);
                for (int b = 0; b < boots; b++) {
                    board.slots(probe).select();
                }
                PowerCutFlash count = PowerCutFlash.never(probe);
                board.slots(count).select();
                long ops = count.operations();
                assertTrue(ops > 0, "a pending trial makes select write");
                for (PowerCutFlash.Mode mode : MODES) {
                    for (long k = 1; k <= ops; k++) {
                        Flash f = withOld(board);
                        update(board, f, NEW, 2);
                        for (int b = 0; b < boots; b++) {
                            board.slots(f).select();
                        }
                        String what = board.name() + " select after " + boots + " boots, cut at " + k + " " + mode;
                        try {
                            board.slots(new PowerCutFlash(f, k, mode, k)).select();
                            fail(what + ": no cut");
                        } catch (FlashException e) {
                            assertEquals(FlashException.Kind.POWER_CUT, e.kind(), what);
                        }
                        boot(board, f, what);
                        runs++;
                    }
                }
            }
        }
        System.out.printf("power-cut sweep: %d cuts while select() records a trial boot, survived all%n", runs);
    }
}
