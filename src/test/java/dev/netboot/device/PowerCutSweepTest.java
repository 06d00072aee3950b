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
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The proof that an update never bricks the board: for a small update on NOR and on NAND, cut the
 * power at every flash operation of it, in each of the three modes (before, after, torn), then boot
 * again. Every time the board must come up on a verified slot holding the old or the new image, and
 * after an uninterrupted update it must hold the new one. Also: random nested cuts (the recovery update
 * is cut too), and cuts while {@link BootSlots#select} writes the metadata of a pending trial boot.
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
    static boolean cutOnce(Board board, long k, PowerCutFlash.Mode mode, long seed) {
        Flash f = withOld(board);
        PowerCutFlash cut = new PowerCutFlash(f, k, mode, seed);
        try {
            update(board, cut, NEW, 0);
        } catch (FlashException e) {
            assertEquals(FlashException.Kind.POWER_CUT, e.kind(), board.name() + " cut " + k + " " + mode + ": " + e.getMessage());
        }
        String what = board.name() + " cut at " + k + " " + mode;
        boot(board, f, what);
        update(board, f, NEW, 0);
        assertEquals(NEW, boot(board, f, what + ", then updated"));
        return cut.isCut();
    }

    /** Counts the operations of an uninterrupted update of NEW over OLD. */
    static long operations(Board board) {
        PowerCutFlash count = PowerCutFlash.never(withOld(board));
        update(board, count, NEW, 0);
        assertEquals(NEW, boot(board, count.delegate(), board.name() + " uncut"));
        return count.operations();
    }

    long sweep(Board board) {
        long ops = operations(board);
        long cuts = 0;
        for (PowerCutFlash.Mode mode : MODES) {
            for (long k = 1; k <= ops; k++) {
                assertTrue(cutOnce(board, k, mode, k * 31 + mode.ordinal()), board.name() + ": operation " + k + " was never reached");
                cuts++;
            }
        }
        assertEquals(MODES.length * ops, cuts);
        System.out.printf("power-cut sweep: %s %d modes x %d ops = %d cuts, survived all%n", board.name(), MODES.length, ops, cuts);
        return cuts;
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

    /** A cut, then a recovery update cut again at a random operation, then boot; 100 seeded runs per board and mode. */
    @Test
    void nestedCutsDuringTheRecoveryUpdate() {
        long runs = 0;
        for (Board board : List.of(NOR, NAND)) {
            long ops = operations(board);
            SplittableRandom r = new SplittableRandom(2024);
            for (PowerCutFlash.Mode mode : MODES) {
                for (int i = 0; i < 100; i++) {
                    long k1 = 1 + r.nextLong(ops);
                    long k2 = 1 + r.nextLong(ops);
                    PowerCutFlash.Mode mode2 = MODES[r.nextInt(MODES.length)];
                    String what = board.name() + " cut at " + k1 + " " + mode + ", recovery cut at " + k2 + " " + mode2;
                    Flash f = withOld(board);
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
