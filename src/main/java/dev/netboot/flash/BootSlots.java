package dev.netboot.flash;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A/B boot slots with a redundant, power-safe metadata record: a new image never goes into the slot
 * the board boots now, and becomes active only by {@link #commit}, after its length and SHA-256 were
 * checked by reading it back from flash.
 *
 * <p>The metadata partition is split in two copies, each on its own erase units. An update writes
 * the next record (sequence + 1) into the copy that does <em>not</em> hold the newest valid record:
 * erase, program, read back. A power cut at any point of that leaves the other copy, and so the
 * previous state, intact; a torn or erased copy fails its magic or CRC and is ignored. On boot the
 * valid copy with the higher sequence number wins ({@link #load}), and {@link #select} never chooses
 * a slot whose content does not match its recorded length and SHA-256.
 *
 * <p>Order of an update, each step safe to cut: {@link #planUpdate} picks the target, never the slot
 * the board boots now nor the verified fallback of a trial; {@link #prepare} marks the target empty in
 * the metadata and names the kept slot active (only when the record said otherwise), the image is
 * written into the target, then {@link #commit} reads it back and records it as valid and active. An
 * optional trial boot leaves the new slot pending for a number of boots until {@link #confirm}; without
 * confirmation {@link #select} falls back to the previous slot.
 */
public final class BootSlots {
    private final Flash flash;
    private final Partition[] slots;
    private final Partition metadata;
    private final long copySize;
    private final byte[] buffer;
    private SlotMetadata current = SlotMetadata.EMPTY;
    private int currentCopy = -1;

    /**
     * Manages {@code slotA} and {@code slotB} with records kept in {@code metadata}.
     *
     * @throws IllegalArgumentException when a region does not fit the flash, regions overlap, or the
     *                                  metadata partition has fewer than two erase units
     */
    public BootSlots(Flash flash, Partition slotA, Partition slotB, Partition metadata) {
        this.flash = Objects.requireNonNull(flash, "flash");
        FlashGeometry g = flash.geometry();
        for (Partition p : new Partition[] {slotA, slotB, metadata}) {
            p.checkFits(g);
        }
        if (overlap(slotA, slotB) || overlap(slotA, metadata) || overlap(slotB, metadata)) {
            throw new IllegalArgumentException("boot slots and metadata must not overlap: " + slotA + ", " + slotB + ", " + metadata);
        }
        long units = metadata.size() / g.eraseUnit();
        if (units < 2) {
            throw new IllegalArgumentException("metadata partition " + metadata.name() + " holds " + units
                    + " erase unit(s) (expected: at least 2, one per copy)");
        }
        this.slots = new Partition[] {slotA, slotB};
        this.metadata = metadata;
        this.copySize = (units / 2) * g.eraseUnit();
        this.buffer = new byte[g.pageSize()];
    }

    private static boolean overlap(Partition a, Partition b) {
        return a.offset() < b.end() && b.offset() < a.end();
    }

    /** Returns slot {@code i} (0 is A, 1 is B). */
    public Partition slot(int i) {
        return slots[i];
    }

    /** Returns the metadata as last loaded or written. */
    public SlotMetadata current() {
        return current;
    }

    /**
     * Reads both copies and keeps the newest valid one; {@link SlotMetadata#EMPTY} when neither is valid. A
     * copy whose half of the metadata partition has no good erase unit left counts as absent: the other copy
     * still says which slot boots (writing a record there fails, BAD_BLOCK, rather than risk the last copy). So
     * does a copy that reads back with an error its ECC cannot correct (NAND): the next record is written over it.
     */
    public SlotMetadata load() {
        SlotMetadata best = null;
        int bestCopy = -1;
        for (int c = 0; c < 2; c++) {
            byte[] raw = new byte[SlotMetadata.LENGTH];
            long at;
            try {
                at = copyOffset(c);
            } catch (FlashException e) {
                continue; // BAD_BLOCK: every unit of this copy's half is bad
            }
            try {
                flash.read(at, raw, 0, raw.length);
            } catch (FlashException e) {
                if (e.kind() != FlashException.Kind.ECC_UNCORRECTABLE) {
                    throw e;
                }
                continue; // a copy the chip cannot read back is no record, as a torn one: the other copy says which slot boots
            }
            SlotMetadata m = SlotMetadata.decode(raw);
            if (m != null && (best == null || newer(m.sequence(), best.sequence()))) {
                best = m;
                bestCopy = c;
            }
        }
        current = best == null ? SlotMetadata.EMPTY : best;
        currentCopy = bestCopy;
        return current;
    }

    /** Returns true when sequence {@code a} is newer than {@code b} in 32-bit serial arithmetic (RFC 1982). */
    static boolean newer(long a, long b) {
        long d = (a - b) & 0xFFFF_FFFFL;
        return d != 0 && d < 0x8000_0000L;
    }

    /**
     * Returns where metadata copy {@code copy} lives: the first good erase unit of its half of the
     * metadata partition (on NAND a factory or grown bad block is passed over).
     *
     * @throws FlashException BAD_BLOCK when every unit of that half is bad
     */
    private long copyOffset(int copy) {
        int unit = flash.geometry().eraseUnit();
        for (long at = metadata.offset() + copy * copySize; at < metadata.offset() + (copy + 1) * copySize; at += unit) {
            if (!flash.isBad((int) (at / unit))) {
                return at;
            }
        }
        throw new FlashException(FlashException.Kind.BAD_BLOCK, "metadata copy " + copy + " of " + metadata.name()
                + ": every erase unit is bad");
    }

    /**
     * Where an update may write, worked out from the metadata and the slots' content as {@link #select}
     * sees them.
     *
     * @param target the slot the image goes into, or {@link SlotMetadata#NONE} when every slot holds an
     *               image the board must keep (a verified trial slot and its verified fallback)
     * @param keep   the slot the board boots now (what {@link #select} would choose), left alone by the
     *               update; {@link SlotMetadata#NONE} when no slot holds a verified image
     * @param note   why, in one line; for a refusal, what to do about it
     */
    public record UpdatePlan(int target, int keep, String note) {
        /** Returns true when the update has a slot to write. */
        public boolean possible() {
            return target != SlotMetadata.NONE;
        }
    }

    /**
     * Returns where the next image goes: never into the slot the board would boot now, and never into the
     * verified fallback of a trial that still has boots left. The slot that boots now is the one
     * {@link #select} would choose: the active slot if its content checks out (for a pending trial with
     * no tries left, the fallback first), else the other one if that checks out. So a damaged active slot,
     * or one the metadata calls active while it holds no valid image, is the target and the slot that
     * still boots is kept. A trial slot with tries left whose fallback checks out leaves no slot to write:
     * both must survive, and the plan says so (confirm the trial or let it fall back first).
     *
     * <p>Reads the content of the slots it must vouch for (SHA-256 over their recorded length), as
     * {@link #select} does at power-up; call after {@link #load}.
     */
    public UpdatePlan planUpdate() {
        SlotMetadata m = current;
        boolean lastTry = m.pending() && m.triesLeft() == 0;
        int first = lastTry ? m.previous() : m.active();
        int boots = SlotMetadata.NONE;
        for (int i : first == SlotMetadata.NONE ? new int[] {0, 1} : new int[] {first, 1 - first}) {
            if (checks(m, i)) {
                boots = i;
                break;
            }
        }
        if (boots == SlotMetadata.NONE) {
            int target = m.active() == 0 ? 1 : 0;
            return new UpdatePlan(target, SlotMetadata.NONE, "no slot holds a verified image; the image goes into slot " + name(target));
        }
        int other = 1 - boots;
        if (m.pending() && !lastTry && boots == m.active() && m.previous() == other && checks(m, other)) {
            return new UpdatePlan(SlotMetadata.NONE, boots, "slot " + name(boots) + " is on trial (" + m.triesLeft()
                    + (m.triesLeft() == 1 ? " boot" : " boots") + " left) and slot " + name(other) + " is its fallback; "
                    + "both are kept, so an update has no slot to write (confirm slot " + name(boots)
                    + " with 'netboot flash confirm', or let it fall back, first)");
        }
        return new UpdatePlan(other, boots, "slot " + name(boots) + " boots now and is kept; the image goes into slot " + name(other));
    }

    /** Returns the slot the next image goes into, or {@link SlotMetadata#NONE} when none may be written (see {@link #planUpdate}). */
    public int updateTarget() {
        return planUpdate().target();
    }

    /**
     * Makes slot {@code target} safe to overwrite, as {@link #prepare(UpdatePlan)} does with a fresh plan.
     *
     * @throws IllegalStateException when {@code target} is not the slot {@link #planUpdate} allows
     */
    public void prepare(int target) {
        UpdatePlan plan = planUpdate();
        if (plan.target() != target) {
            throw new IllegalStateException("slot " + name(target) + " may not be overwritten: " + plan.note());
        }
        prepare(plan);
    }

    /**
     * Makes the plan's target safe to overwrite before the first byte goes into it: when the metadata still
     * calls the target valid, or active, or the fallback of a trial, a record is written first that marks
     * it empty and names the kept slot active, so a cut during the write can never leave a half-written
     * slot the metadata calls valid, nor a record that points the board at it. A trial whose fallback is
     * the target (a fallback that no longer checks out) ends: its slot stays active, confirmed.
     *
     * @throws IllegalStateException when the plan has no target
     */
    public void prepare(UpdatePlan plan) {
        int target = plan.target();
        if (!plan.possible()) {
            throw new IllegalStateException(plan.note());
        }
        SlotMetadata m = current;
        boolean safe = !m.slot(target).valid() && m.active() != target && !(m.pending() && m.previous() == target);
        if (safe) {
            return;
        }
        int active = plan.keep() != SlotMetadata.NONE ? plan.keep() : m.active() == target ? SlotMetadata.NONE : m.active();
        boolean trialStays = m.pending() && m.active() == active && m.previous() != target;
        write(m.next(active, trialStays ? m.previous() : SlotMetadata.NONE, trialStays, trialStays ? m.triesLeft() : 0, target,
                SlotMetadata.Slot.EMPTY));
    }

    /**
     * Records slot {@code target} as holding a verified image of {@code length} bytes with digest
     * {@code sha256} and makes it active. The image is read back from flash and checked first.
     *
     * @param trial when positive, the slot is pending for this many boots and falls back unless confirmed (when a slot
     *              holds an image to fall back to: a first image is active for good)
     * @throws FlashException VERIFY_FAILED when the slot's content does not match
     */
    public void commit(int target, long length, byte[] sha256, int trial) {
        if (target == current.active()) {
            throw new IllegalStateException("slot " + name(target) + " is already active");
        }
        if (length > slots[target].size()) {
            throw new FlashException(FlashException.Kind.IMAGE_TOO_LARGE, "image of " + length + " bytes in slot " + name(target)
                    + " of " + slots[target].size() + " bytes");
        }
        byte[] actual = digest(target, length);
        if (!Arrays.equals(actual, sha256)) {
            throw new FlashException(FlashException.Kind.VERIFY_FAILED, "slot " + name(target) + " reads back with SHA-256 "
                    + HexFormat.of().formatHex(actual) + " (expected: " + HexFormat.of().formatHex(sha256) + ")");
        }
        commitVerified(target, length, sha256, trial);
    }

    /**
     * Records slot {@code target} as {@link #commit} does, without reading the image back once more: for
     * a caller that has just read every byte of it back and compared its SHA-256 ({@link FlashWriter#finish}
     * reads each unit back once it is complete) and has written nothing to the slot since. On a NAND
     * board this saves a read of the whole image between the last block and the commit.
     */
    public void commitVerified(int target, long length, byte[] sha256, int trial) {
        commitVerified(target, length, sha256, trial, SlotMetadata.UNSIGNED);
    }

    /**
     * Records slot {@code target} as {@link #commitVerified(int, long, byte[], int)} does, and that its image was taken
     * on an Ed25519 signature by the key {@code signer} names ({@link SlotMetadata#keyId}; {@link SlotMetadata#UNSIGNED}
     * when no signature was checked).
     */
    public void commitVerified(int target, long length, byte[] sha256, int trial, int signer) {
        if (target == current.active()) {
            throw new IllegalStateException("slot " + name(target) + " is already active");
        }
        if (length > slots[target].size()) {
            throw new FlashException(FlashException.Kind.IMAGE_TOO_LARGE, "image of " + length + " bytes in slot " + name(target)
                    + " of " + slots[target].size() + " bytes");
        }
        SlotMetadata m = current;
        // A trial falls back to the slot active now, or, with none active, to the other slot if it holds an image. With
        // nothing to fall back to there is no trial: the image boots either way, and is active for good.
        int other = 1 - target;
        int fallback = m.active() != SlotMetadata.NONE ? m.active() : m.slot(other).valid() ? other : SlotMetadata.NONE;
        boolean onTrial = trial > 0 && fallback != SlotMetadata.NONE;
        write(m.next(target, onTrial ? fallback : SlotMetadata.NONE, onTrial, onTrial ? Math.min(trial, 0xFF) : 0, target,
                new SlotMetadata.Slot(true, length, sha256, signer)));
    }

    /**
     * Confirms a pending slot: it stays active for good. Does nothing when nothing is pending. Reads the metadata
     * first, as {@link #select} does: the booted system calls it on slots of its own, not the bootloader's.
     */
    public void confirm() {
        SlotMetadata m = load();
        if (m.pending()) {
            write(m.next(m.active(), SlotMetadata.NONE, false, 0, m.active(), m.slot(m.active())));
        }
    }

    /**
     * What {@link #select} chose.
     *
     * @param slot     the slot to boot, or {@link SlotMetadata#NONE} when no slot holds a verified image
     * @param verified true when the slot's content was read back and matched the metadata
     * @param note     why this slot, in one line
     */
    public record Selection(int slot, boolean verified, String note) {
    }

    /**
     * Chooses the slot to boot, as a bootloader would: the active slot of the newest valid record if
     * its content checks out, else the other slot if its content checks out. A pending slot uses up one
     * try per selection; when none are left the previous slot becomes active again (written to flash).
     */
    public Selection select() {
        SlotMetadata m = load();
        if (m.pending()) {
            if (m.triesLeft() == 0) {
                // Back to the fallback; a trial with none (as records written before commits stopped making them) stays.
                int back = m.previous() == SlotMetadata.NONE ? m.active() : m.previous();
                write(m.next(back, SlotMetadata.NONE, false, 0, m.active(), m.slot(m.active())));
                m = current;
            } else {
                write(m.next(m.active(), m.previous(), true, m.triesLeft() - 1, m.active(), m.slot(m.active())));
                m = current;
            }
        }
        int first = m.active();
        int[] order = first == SlotMetadata.NONE ? new int[] {0, 1} : new int[] {first, 1 - first};
        for (int i : order) {
            if (checks(m, i)) {
                String note = i == first ? "slot " + name(i) + " is active and verified"
                        : first == SlotMetadata.NONE ? "no active slot; slot " + name(i) + " is valid and verified"
                        : "active slot " + name(first) + " fails its check; falling back to slot " + name(i);
                return new Selection(i, true, note);
            }
        }
        return new Selection(SlotMetadata.NONE, false, "no slot holds a verified image");
    }

    /**
     * Returns true when slot {@code i} is valid in {@code m} and its content matches. Content that cannot be
     * read back, a recorded length past the slot's good units or a sector ECC cannot correct, does not match.
     */
    public boolean checks(SlotMetadata m, int i) {
        SlotMetadata.Slot s = m.slot(i);
        if (!s.valid() || s.length() > slots[i].size()) {
            return false;
        }
        return Arrays.equals(readBack(i, s.length()), s.sha256());
    }

    /**
     * Returns the SHA-256 of the first {@code length} bytes of slot {@code i}, or null when they cannot be read back (a
     * sector its ECC cannot correct, fewer good units than {@code length}): the record or the slot is damaged, and the
     * board must boot the other slot, not stop here.
     */
    public byte[] readBack(int i, long length) {
        try {
            return digest(i, length);
        } catch (FlashException e) {
            if (e.kind() == FlashException.Kind.OUT_OF_RANGE || e.kind() == FlashException.Kind.ECC_UNCORRECTABLE) {
                return null;
            }
            throw e;
        }
    }

    /** Returns the SHA-256 of the first {@code length} bytes of slot {@code i}, read back a page at a time (bad units skipped). */
    public byte[] digest(int i, long length) {
        MessageDigest md = sha256();
        SlotReader.read(flash, slots[i], length, buffer, (b, n) -> md.update(b, 0, n));
        return md.digest();
    }

    private void write(SlotMetadata next) {
        int copy = currentCopy == 0 ? 1 : 0;
        long off = copyOffset(copy);
        byte[] raw = next.encode();
        flash.erase(off, flash.geometry().eraseUnit());
        int page = flash.geometry().pageSize();
        for (int done = 0; done < raw.length; done += page) {
            flash.program(off + done, raw, done, Math.min(page, raw.length - done));
        }
        byte[] back = new byte[raw.length];
        flash.read(off, back, 0, back.length);
        if (!Arrays.equals(raw, back)) {
            throw new FlashException(FlashException.Kind.VERIFY_FAILED, "metadata copy " + copy + " at 0x" + Long.toHexString(off)
                    + " reads back differently");
        }
        current = next;
        currentCopy = copy;
    }

    /** Returns "A" or "B". */
    public static String name(int slot) {
        return switch (slot) {
            case 0 -> "A";
            case 1 -> "B";
            default -> "none";
        };
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
