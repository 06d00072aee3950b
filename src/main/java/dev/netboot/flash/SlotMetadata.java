package dev.netboot.flash;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * The boot-slot record kept, in two copies, in the metadata partition: which slot boots and what
 * each slot holds. A copy is valid when its magic and CRC-32 check out; the valid copy with the
 * highest sequence number is the truth (see {@link BootSlots}).
 *
 * <pre>
 *  0  magic "NBM1"            4  sequence (u32)
 *  8  active slot (0, 1, or 0xFF none)      9  previous active (fallback of a trial boot)
 * 10  flags (bit 0: pending trial)         11  tries left for a pending slot
 * 12  slot 0: state (u8), signed (u8: 1 when the image was taken on its Ed25519 signature), signer key id (u16),
 *     length (u64), SHA-256 (32)      44 bytes
 * 56  slot 1: the same
 * 100 CRC-32 (IEEE) of bytes 0..99
 * </pre>
 *
 * <p>The signed byte and key id keep the board's need for signatures in the flash itself, as a secure-boot fuse or
 * OTP key hash does on a real chip: what holds the profile (a file beside an emulated flash, a build of the
 * firmware) can be lost or swapped, the slot a signed image was committed to says so. Records written before these
 * bytes were used hold zeros there: unsigned.
 *
 * @param sequence  incremented by every update; the newer record wins
 * @param active    the slot to boot, or {@link #NONE}
 * @param previous  the slot that was active before a pending trial, or {@link #NONE}
 * @param pending   true while a newly committed slot awaits confirmation
 * @param triesLeft boots a pending slot still gets before the fallback to {@code previous}
 * @param slots     what each of the two slots holds
 */
public record SlotMetadata(long sequence, int active, int previous, boolean pending, int triesLeft, Slot[] slots) {
    /** No slot. */
    public static final int NONE = 0xFF;
    /** Bytes of one encoded record. */
    public static final int LENGTH = 104;
    static final int MAGIC = 0x4E424D31; // "NBM1"
    private static final int SLOT_OFF = 12;
    private static final int SLOT_LEN = 44;
    private static final int CRC_OFF = 100;

    /** {@link Slot#signer} of an image committed without a signature check. */
    public static final int UNSIGNED = -1;

    /** A record that says nothing: no slot holds an image, none is active. */
    public static final SlotMetadata EMPTY = new SlotMetadata(0, NONE, NONE, false, 0,
            new Slot[] {Slot.EMPTY, Slot.EMPTY});

    /**
     * Returns the key id a slot records for an image taken on a signature by {@code publicKey}: the first two bytes of
     * the SHA-256 of the raw key, 0..65535. It names the key to a person (which profile the board needs); the signature
     * check itself is over the whole key.
     */
    public static int keyId(byte[] publicKey) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(publicKey);
            return (h[0] & 0xFF) << 8 | h[1] & 0xFF;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** Returns a key id as four hex digits, as {@code flash inspect} and the refusals name it. */
    public static String keyIdHex(int id) {
        return String.format(Locale.ROOT, "%04x", id);
    }

    /**
     * What one slot holds.
     *
     * @param valid  true when the image was verified (length and SHA-256 read back) before this record was written
     * @param length image bytes
     * @param sha256 the image's SHA-256 (32 bytes; zeros when not valid)
     * @param signer the {@link #keyId} of the key whose Ed25519 signature the image was taken on, or {@link #UNSIGNED}
     */
    public record Slot(boolean valid, long length, byte[] sha256, int signer) {
        /** A slot that holds nothing bootable. */
        public static final Slot EMPTY = new Slot(false, 0, new byte[32]);

        /** Checks the digest length and the signer, and copies the digest. */
        public Slot {
            if (sha256.length != 32 || length < 0 || signer < UNSIGNED || signer > 0xFFFF) {
                throw new IllegalArgumentException("slot: length " + length + ", digest of " + sha256.length + " bytes, signer " + signer);
            }
            sha256 = sha256.clone();
        }

        /** A slot whose image was taken without a signature. */
        public Slot(boolean valid, long length, byte[] sha256) {
            this(valid, length, sha256, UNSIGNED);
        }

        /** Returns true when the image was taken on its Ed25519 signature. */
        public boolean signed() {
            return signer != UNSIGNED;
        }

        @Override
        public byte[] sha256() {
            return sha256.clone();
        }

        /** Returns the digest as lower-case hex. */
        public String sha256Hex() {
            return HexFormat.of().formatHex(sha256);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Slot(boolean v, long l, byte[] s, int k) && v == valid && l == length && Arrays.equals(s, sha256)
                    && k == signer;
        }

        @Override
        public int hashCode() {
            return Boolean.hashCode(valid) * 31 + Long.hashCode(length) * 17 + Arrays.hashCode(sha256) + signer;
        }

        @Override
        public String toString() {
            return valid ? "valid " + length + " bytes sha256 " + sha256Hex() + (signed() ? " signed by key " + keyIdHex(signer) : "")
                    : "empty";
        }
    }

    /** Checks slot numbers and copies the slot array. */
    public SlotMetadata {
        if (slots.length != 2) {
            throw new IllegalArgumentException("two slots expected, got " + slots.length);
        }
        if (!isSlotOrNone(active) || !isSlotOrNone(previous) || triesLeft < 0 || triesLeft > 0xFF
                || sequence < 0 || sequence > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("metadata: active " + active + ", previous " + previous + ", tries " + triesLeft
                    + ", sequence " + sequence);
        }
        slots = slots.clone();
    }

    private static boolean isSlotOrNone(int s) {
        return s == 0 || s == 1 || s == NONE;
    }

    @Override
    public Slot[] slots() {
        return slots.clone();
    }

    /** Returns slot {@code i}. */
    public Slot slot(int i) {
        return slots[i];
    }

    /** Returns a copy with slot {@code i} replaced and the sequence number advanced. */
    SlotMetadata next(int active, int previous, boolean pending, int triesLeft, int i, Slot s) {
        Slot[] copy = slots.clone();
        copy[i] = s;
        return new SlotMetadata((sequence + 1) & 0xFFFF_FFFFL, active, previous, pending, triesLeft, copy);
    }

    /** Returns the 104-byte encoding, CRC last. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.putInt(0, MAGIC);
        b.putInt(4, (int) sequence);
        b.put(8, (byte) active);
        b.put(9, (byte) previous);
        b.put(10, (byte) (pending ? 1 : 0));
        b.put(11, (byte) triesLeft);
        for (int i = 0; i < 2; i++) {
            int o = SLOT_OFF + i * SLOT_LEN;
            b.put(o, (byte) (slots[i].valid() ? 1 : 0));
            if (slots[i].signed()) {
                b.put(o + 1, (byte) 1);
                b.putShort(o + 2, (short) slots[i].signer());
            }
            b.putLong(o + 4, slots[i].length());
            b.put(o + 12, slots[i].sha256);
        }
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, CRC_OFF);
        b.putInt(CRC_OFF, (int) crc.getValue());
        return b.array();
    }

    /**
     * Decodes a copy; returns null when the magic or CRC does not match, a field is out of range, or the
     * fields contradict each other (a pending trial with no active slot), which is what an erased, torn,
     * never-written or forged copy looks like.
     */
    public static SlotMetadata decode(byte[] raw) {
        if (raw.length < LENGTH) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        if (b.getInt(0) != MAGIC) {
            return null;
        }
        CRC32 crc = new CRC32();
        crc.update(raw, 0, CRC_OFF);
        if (b.getInt(CRC_OFF) != (int) crc.getValue()) {
            return null;
        }
        Slot[] slots = new Slot[2];
        for (int i = 0; i < 2; i++) {
            int o = SLOT_OFF + i * SLOT_LEN;
            int state = b.get(o) & 0xFF;
            int signed = b.get(o + 1) & 0xFF;
            long length = b.getLong(o + 4);
            if (state > 1 || signed > 1 || length < 0) {
                return null;
            }
            byte[] sha = new byte[32];
            b.get(o + 12, sha);
            slots[i] = new Slot(state == 1, length, sha, signed == 1 ? b.getShort(o + 2) & 0xFFFF : UNSIGNED);
        }
        int active = b.get(8) & 0xFF;
        int previous = b.get(9) & 0xFF;
        int flags = b.get(10) & 0xFF;
        if (!isSlotOrNone(active) || !isSlotOrNone(previous) || flags > 1) {
            return null;
        }
        if (flags == 1 && active == NONE) {
            return null; // a trial of no slot: commits put a slot on trial, nothing writes this; select() could not run it
        }
        return new SlotMetadata(b.getInt(4) & 0xFFFF_FFFFL, active, previous, flags == 1, b.get(11) & 0xFF, slots);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SlotMetadata m && m.sequence == sequence && m.active == active && m.previous == previous
                && m.pending == pending && m.triesLeft == triesLeft && Arrays.equals(m.slots, slots);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(sequence) * 31 + active * 7 + Arrays.hashCode(slots);
    }

    @Override
    public String toString() {
        return "SlotMetadata[seq " + sequence + ", active " + (active == NONE ? "none" : active) + (pending ? " pending (" + triesLeft
                + " tries, else " + (previous == NONE ? "none" : previous) + ")" : "") + ", slot 0 " + slots[0] + ", slot 1 " + slots[1] + "]";
    }
}
