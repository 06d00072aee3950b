package dev.netboot.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.netboot.device.BootObserver;
import dev.netboot.device.SlotUpdate;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashException;
import dev.netboot.flash.FlashGeometry;
import dev.netboot.flash.FlashWriter;
import dev.netboot.flash.Partition;
import dev.netboot.flash.PowerCutFlash;
import dev.netboot.flash.SlotMetadata;
import dev.netboot.tftp.TftpSinkException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The proof that an update never bricks a board, on one {@link Flash}: cut the power at every flash operation
 * of an update, in each of the three ways a cut can fall ({@link PowerCutFlash.Mode}: before the operation,
 * after it, or in the middle of it), then boot again. Every time the board must come up on a verified slot
 * holding the old image or the new one, never a half-written one and never an older one; and an update run
 * to its end after the cut must leave the new one. The sweep starts from every state the A/B metadata can be
 * in when an update comes ({@link Start}).
 *
 * <p>The update is the device's own code path without the network: {@link SlotUpdate} fed in 512-byte blocks,
 * as the TFTP client feeds it, then finish and commit, as {@code Board} runs them. The flash given is
 * reused for every run: before each one every good erase unit is erased (so the flash's own erase is what
 * makes it fresh, and a NAND's bad blocks stay bad). {@link FlashContract} runs all of this against the
 * flash a subclass makes; use this class directly to sweep another {@link Layout}.
 *
 * <p>Images: {@link #OLDER} (31 000 bytes), {@link #OLD} (30 000) and {@link #NEW} (33 333), seeded random bytes.
 */
public final class PowerCutSweep {
    /** Bytes per block fed to the update, as TFTP without options delivers them. */
    public static final int BLOCK = 512;
    /** An image the board had before {@link #OLD}: booting it after a cut would be a silent rollback. */
    public static final byte[] OLDER = image(31_000, 3);
    /** The image the board boots before the update. */
    public static final byte[] OLD = image(30_000, 1);
    /** The image the update brings. */
    public static final byte[] NEW = image(33_333, 2);

    private static final PowerCutFlash.Mode[] MODES = PowerCutFlash.Mode.values();
    /** Bytes each slot of {@link Layout#of} holds at least: the largest image and room to spare. */
    private static final long SLOT_BYTES = 40 * 1024;

    /**
     * Where the slots are and how the image is written.
     *
     * @param slotA    partition of slot A
     * @param slotB    partition of slot B
     * @param metadata partition of the two metadata copies
     * @param writer   how the writer writes (plain, or skipping units that already hold the data)
     */
    public record Layout(Partition slotA, Partition slotB, Partition metadata, FlashWriter.Options writer) {
        /** Checks for nulls. */
        public Layout {
            Objects.requireNonNull(slotA, "slotA");
            Objects.requireNonNull(slotB, "slotB");
            Objects.requireNonNull(metadata, "metadata");
            Objects.requireNonNull(writer, "writer");
        }

        /**
         * Returns the layout the kit sweeps on a flash of {@code g}: the metadata in the first four erase units,
         * then slot A and slot B of 40 KiB or more each (whole erase units), written plainly.
         *
         * @throws IllegalArgumentException when {@code g} is too small to hold them
         */
        public static Layout of(FlashGeometry g) {
            long unit = g.eraseUnit();
            long slot = (SLOT_BYTES + unit - 1) / unit * unit;
            long meta = 4 * unit;
            if (meta + 2 * slot > g.size()) {
                throw new IllegalArgumentException("a power-cut sweep needs " + (meta + 2 * slot) + " bytes of flash (four erase units of"
                        + " metadata and two slots of " + slot + " bytes); " + g + " has " + g.size());
            }
            return new Layout(new Partition("slot-a", meta, slot), new Partition("slot-b", meta + slot, slot),
                    new Partition("meta", 0, meta), FlashWriter.Options.DEFAULTS);
        }

        /** Returns this layout written with {@code options}. */
        public Layout withWriter(FlashWriter.Options options) {
            return new Layout(slotA, slotB, metadata, options);
        }

        /** Returns the A/B slots of this layout on {@code f}. */
        public BootSlots slots(Flash f) {
            return new BootSlots(f, slotA, slotB, metadata);
        }

        /** Returns the partition of slot {@code i} (0 is A). */
        public Partition slot(int i) {
            return i == 0 ? slotA : slotB;
        }
    }

    /**
     * How a board is before the update: every state the A/B metadata can be in when an update comes, each with
     * {@link #OLD} as the image it boots now.
     */
    public enum Start {
        /** OLDER in A, OLD in B and active, both valid: the update goes into A over a valid image. */
        TWO_VALID("two valid images"),
        /** OLD in A; OLDER in B, active, then damaged: the board boots A, so the update must go into B. */
        ACTIVE_DAMAGED("active slot damaged"),
        /** OLD in A; the metadata names B active but B holds no valid image: the board boots A. */
        ACTIVE_EMPTY("active slot empty"),
        /** OLD in A; OLDER in B on trial, its one try used: the next power-up falls back to A, so B is the target. */
        TRIAL_LAST_TRY("trial on its last try"),
        /** OLDER in A, damaged; OLD in B on trial with 2 tries: B boots and has no fallback left, so A is the target. */
        TRIAL_FALLBACK_DAMAGED("trial with a damaged fallback"),
        /** OLD in A; OLDER in B on trial with 2 tries, damaged: the board falls back to A, so B is the target. */
        TRIAL_DAMAGED("trial slot damaged");

        private final String description;

        Start(String description) {
            this.description = description;
        }

        /** Returns what the state is, in words. */
        public String description() {
            return description;
        }
    }

    private final Flash flash;
    private final Layout layout;
    private final String name;

    /**
     * Sweeps on {@code flash} (erased before every run; never closed here) with {@code layout}.
     *
     * @param name names the flash in failure messages
     */
    public PowerCutSweep(String name, Flash flash, Layout layout) {
        this.name = Objects.requireNonNull(name, "name");
        this.flash = Objects.requireNonNull(flash, "flash");
        this.layout = Objects.requireNonNull(layout, "layout");
    }

    /** Returns seeded pseudo-random bytes. */
    public static byte[] image(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Returns the SHA-256 of {@code b}. */
    public static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Runs one update of {@code img} on {@code f}, as a board does: returns normally, or throws the flash's
     * failure ({@link FlashException}; a power cut is kind {@code POWER_CUT}).
     */
    public static void update(Layout layout, Flash f, byte[] img, int trialBoots) {
        SlotUpdate u = new SlotUpdate(layout.slots(f), f, layout.writer(), new BootObserver() { });
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
     * Boots as a bootloader does ({@link BootSlots#select()}): the chosen slot must be verified and hold
     * {@link #OLD} or {@link #NEW}; returns which.
     *
     * @throws AssertionError when no slot boots, or the one that does holds another image
     */
    public static byte[] bootedImage(Layout layout, Flash f, String what) {
        BootSlots slots = layout.slots(f);
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
        assertTrue(slots.checks(m, s.slot()), what + ": selected slot fails its check");
        if (Arrays.equals(recorded, sha256(OLD))) {
            return OLD;
        }
        if (Arrays.equals(recorded, sha256(NEW))) {
            return NEW;
        }
        return fail(what + ": slot " + BootSlots.name(s.slot()) + " holds neither the old nor the new image: " + m);
    }

    /** Erases every good erase unit: the flash is as new, but for its bad units. */
    private void wipe() {
        FlashGeometry g = flash.geometry();
        int unit = g.eraseUnit();
        for (int u = 0; u < g.size() / unit; u++) {
            if (!flash.isBad(u)) {
                flash.erase((long) u * unit, unit);
            }
        }
    }

    /** Brings the wiped flash into {@code start}, and checks that OLD boots from it. */
    private void prepare(Start start) {
        wipe();
        switch (start) {
            case TWO_VALID -> {
                update(layout, flash, OLDER, 0);
                update(layout, flash, OLD, 0);
            }
            case ACTIVE_DAMAGED -> {
                update(layout, flash, OLD, 0);
                update(layout, flash, OLDER, 0);
                damage(1);
            }
            case ACTIVE_EMPTY -> {
                update(layout, flash, OLD, 0);
                SlotMetadata m = layout.slots(flash).load();
                record(new SlotMetadata(m.sequence() + 1, 1, SlotMetadata.NONE, false, 0,
                        new SlotMetadata.Slot[] {m.slot(0), SlotMetadata.Slot.EMPTY}));
            }
            case TRIAL_LAST_TRY -> {
                update(layout, flash, OLD, 0);
                update(layout, flash, OLDER, 1);
                layout.slots(flash).select();
            }
            case TRIAL_FALLBACK_DAMAGED -> {
                update(layout, flash, OLDER, 0);
                update(layout, flash, OLD, 2);
                damage(0);
            }
            case TRIAL_DAMAGED -> {
                update(layout, flash, OLD, 0);
                update(layout, flash, OLDER, 2);
                damage(1);
            }
        }
        // The state is what it claims: OLD is in a slot that checks out (select() would write: not called here).
        BootSlots slots = layout.slots(flash);
        SlotMetadata m = slots.load();
        assertTrue((Arrays.equals(m.slot(0).sha256(), sha256(OLD)) && slots.checks(m, 0))
                || (Arrays.equals(m.slot(1).sha256(), sha256(OLD)) && slots.checks(m, 1)),
                name + ", " + start.description() + ": OLD is bootable before the update: " + m);
    }

    /** Erases the first good erase unit of slot {@code i}: its content no longer matches its record. */
    private void damage(int i) {
        Partition p = layout.slot(i);
        int unit = flash.geometry().eraseUnit();
        long at = p.offset();
        while (flash.isBad((int) (at / unit))) {
            at += unit;
        }
        flash.erase(at, unit);
    }

    /** Replaces the metadata by {@code m} alone, in copy 0 (copy 1 erased): a record another writer may have left. */
    private void record(SlotMetadata m) {
        int unit = flash.geometry().eraseUnit();
        int page = flash.geometry().pageSize();
        Partition meta = layout.metadata();
        for (long at = meta.offset(); at < meta.end(); at += unit) {
            if (!flash.isBad((int) (at / unit))) {
                flash.erase(at, unit);
            }
        }
        long at = meta.offset();
        while (flash.isBad((int) (at / unit))) {
            at += unit;
        }
        byte[] raw = m.encode();
        for (int done = 0; done < raw.length; done += page) {
            flash.program(at + done, raw, done, Math.min(page, raw.length - done));
        }
        assertEquals(m, layout.slots(flash).load(), name + ": the metadata record written by hand reads back");
    }

    /** Returns the flash operations (erase units and programs) of an uncut update of NEW from {@code start}. */
    public long operations(Start start) {
        prepare(start);
        PowerCutFlash count = PowerCutFlash.never(flash);
        update(layout, count, NEW, 0);
        assertEquals(NEW, bootedImage(layout, flash, name + ", " + start.description() + ", uncut"));
        return count.operations();
    }

    /**
     * Cuts an update of NEW from {@code start} at each of its operations in each mode, boots, then updates
     * again uncut and boots NEW. Returns the cuts made (3 × the operations of one update).
     */
    public long sweep(Start start) {
        return sweep(start, 1);
    }

    /**
     * Like {@link #sweep(Start)}, cutting at every {@code stride}-th operation only, each mode from another
     * first operation; stride 1 cuts at every one.
     */
    public long sweep(Start start, int stride) {
        checkStride(stride);
        long ops = operations(start);
        long cuts = 0;
        for (PowerCutFlash.Mode mode : MODES) {
            for (long k = 1 + mode.ordinal() % stride; k <= ops; k += stride) {
                String what = name + ", " + start.description() + ", cut at operation " + k + " of " + ops + " " + mode;
                prepare(start);
                PowerCutFlash cut = new PowerCutFlash(flash, k, mode, k * 31 + mode.ordinal());
                try {
                    update(layout, cut, NEW, 0);
                } catch (FlashException e) {
                    assertEquals(FlashException.Kind.POWER_CUT, e.kind(), what + ": " + e.getMessage());
                }
                assertTrue(cut.isCut(), what + ": the operation was never reached");
                bootedImage(layout, flash, what);
                update(layout, flash, NEW, 0);
                assertEquals(NEW, bootedImage(layout, flash, what + ", then updated"));
                cuts++;
            }
        }
        return cuts;
    }

    /**
     * A cut, then the recovery update cut again at a random operation, then boot: {@code runsPerMode} seeded
     * runs per mode of the first cut. Returns the runs.
     */
    public long nestedCuts(Start start, int runsPerMode, long seed) {
        long ops = operations(start);
        SplittableRandom r = new SplittableRandom(seed);
        long runs = 0;
        for (PowerCutFlash.Mode mode : MODES) {
            for (int i = 0; i < runsPerMode; i++) {
                long k1 = 1 + r.nextLong(ops);
                long k2 = 1 + r.nextLong(ops);
                PowerCutFlash.Mode mode2 = MODES[r.nextInt(MODES.length)];
                String what = name + ", " + start.description() + ", cut at " + k1 + " " + mode + ", recovery cut at " + k2 + " " + mode2;
                prepare(start);
                try {
                    update(layout, new PowerCutFlash(flash, k1, mode, r.nextLong()), NEW, 0);
                } catch (FlashException e) {
                    assertEquals(FlashException.Kind.POWER_CUT, e.kind(), what);
                }
                bootedImage(layout, flash, what + " (first reboot)");
                try {
                    update(layout, new PowerCutFlash(flash, k2, mode2, r.nextLong()), NEW, 0);
                } catch (FlashException e) {
                    assertEquals(FlashException.Kind.POWER_CUT, e.kind(), what);
                }
                bootedImage(layout, flash, what + " (second reboot)");
                update(layout, flash, NEW, 0);
                assertEquals(NEW, bootedImage(layout, flash, what + ", then updated"));
                runs++;
            }
        }
        return runs;
    }

    /**
     * NEW committed as a trial (pending, 2 tries) over two valid images: {@link BootSlots#select()} writes the
     * metadata at every power-up; cut it at each of its operations, after 0, 1 and 2 earlier power-ups. Returns
     * the cuts.
     */
    public long cutsWhileSelectRecordsATrial() {
        return cutsWhileSelectRecordsATrial(1);
    }

    /** Like {@link #cutsWhileSelectRecordsATrial()}, cutting at every {@code stride}-th operation only. */
    public long cutsWhileSelectRecordsATrial(int stride) {
        checkStride(stride);
        long runs = 0;
        for (int boots = 0; boots < 3; boots++) {
            trialAfter(boots);
            PowerCutFlash count = PowerCutFlash.never(flash);
            layout.slots(count).select();
            long ops = count.operations();
            assertTrue(ops > 0, name + ": a pending trial makes select write");
            for (PowerCutFlash.Mode mode : MODES) {
                for (long k = 1 + (mode.ordinal() + boots) % stride; k <= ops; k += stride) {
                    trialAfter(boots);
                    String what = name + ", select after " + boots + " boots, cut at " + k + " " + mode;
                    long cutAt = k;
                    FlashException e = assertThrows(FlashException.class,
                            () -> layout.slots(new PowerCutFlash(flash, cutAt, mode, cutAt)).select(),
                            what + ": no cut");
                    assertEquals(FlashException.Kind.POWER_CUT, e.kind(), what);
                    bootedImage(layout, flash, what);
                    runs++;
                }
            }
        }
        return runs;
    }

    private void trialAfter(int boots) {
        prepare(Start.TWO_VALID);
        update(layout, flash, NEW, 2);
        for (int b = 0; b < boots; b++) {
            layout.slots(flash).select();
        }
    }

    /**
     * A trial with boots left whose fallback checks out: the board boots the trial now and must keep its
     * fallback too, so the update is refused before any flash operation and the metadata stays as it was;
     * once the trial is confirmed, the update goes into the old fallback.
     */
    public void trialWithBootsLeftKeepsItsFallback() {
        wipe();
        update(layout, flash, OLDER, 0);
        update(layout, flash, OLD, 2);
        SlotMetadata before = layout.slots(flash).load();
        PowerCutFlash count = PowerCutFlash.never(flash);
        FlashException e = assertThrows(FlashException.class, () -> update(layout, count, NEW, 0),
                name + ": an update over a trial and its fallback");
        assertEquals(FlashException.Kind.NO_FREE_SLOT, e.kind(), e.getMessage());
        assertEquals(0, count.operations(), name + ": nothing erased or programmed");
        assertEquals(before, layout.slots(flash).load());
        assertEquals(OLD, bootedImage(layout, flash, name + ", trial kept"));
        BootSlots slots = layout.slots(flash);
        slots.load();
        slots.confirm();
        update(layout, flash, NEW, 0);
        assertEquals(NEW, bootedImage(layout, flash, name + ", after confirm"));
    }

    private static void checkStride(int stride) {
        if (stride < 1) {
            throw new IllegalArgumentException("stride " + stride + " (expected: 1 or more)");
        }
    }

    /** Returns the states of {@link Start} but {@link Start#TWO_VALID}. */
    static List<Start> otherStarts() {
        return Arrays.stream(Start.values()).filter(s -> s != Start.TWO_VALID).toList();
    }
}
