package dev.netboot.device;

import java.util.HexFormat;

/**
 * Where a board's boot images live: two slots that take turns (A/B) and a small metadata partition
 * that says which one boots (see {@link dev.netboot.flash.BootSlots}).
 *
 * @param slotA      name of the partition of slot A
 * @param slotB      name of the partition of slot B
 * @param metadata   name of the partition holding the two metadata copies (at least two erase units)
 * @param trialBoots boots a new image is tried before it must be confirmed (0: active at once)
 * @param publicKey  hex of the 32-byte raw Ed25519 key images must be signed with; empty when images are unsigned
 * @param minImageSize the smallest image the board accepts, in bytes (at least 1): a smaller one (an empty
 *                   or truncated file, an error page) is refused before anything is erased
 * @param digest     when the board fetches the image's {@code FILE.sha256} and commits only if it matches
 *                   ({@code [boot] digest}; default {@link ImageDigest.Policy#IF_PRESENT})
 */
public record BootLayout(String slotA, String slotB, String metadata, int trialBoots, String publicKey, long minImageSize,
                         ImageDigest.Policy digest) {
    /**
     * Default of {@code [boot] min-image-size}: 1 KiB. No boot image is smaller (a bare-metal Cortex-M
     * blinky is about that; U-Boot SPL, a kernel or a firmware are tens of KiB to MiB), and the empty files,
     * truncated downloads and error pages a misconfigured server hands out mostly are.
     */
    public static final long DEFAULT_MIN_IMAGE_SIZE = 1024;

    /** A layout that refuses images under {@link #DEFAULT_MIN_IMAGE_SIZE}. */
    public BootLayout(String slotA, String slotB, String metadata, int trialBoots, String publicKey) {
        this(slotA, slotB, metadata, trialBoots, publicKey, DEFAULT_MIN_IMAGE_SIZE);
    }

    /** A layout that checks the image's digest when the server offers one ({@link ImageDigest.Policy#IF_PRESENT}). */
    public BootLayout(String slotA, String slotB, String metadata, int trialBoots, String publicKey, long minImageSize) {
        this(slotA, slotB, metadata, trialBoots, publicKey, minImageSize, ImageDigest.Policy.IF_PRESENT);
    }

    /** Returns this layout with the digest policy {@code d}. */
    public BootLayout withDigest(ImageDigest.Policy d) {
        return new BootLayout(slotA, slotB, metadata, trialBoots, publicKey, minImageSize, d);
    }

    /** Checks names, the key's form and the smallest image. */
    public BootLayout {
        if (slotA.equals(slotB) || slotA.equals(metadata) || slotB.equals(metadata)) {
            throw new IllegalArgumentException("boot slots and metadata need three different partitions: " + slotA + ", " + slotB
                    + ", " + metadata);
        }
        if (trialBoots < 0 || trialBoots > 255) {
            throw new IllegalArgumentException("trial boots " + trialBoots + " (expected: 0..255)");
        }
        if (!publicKey.isEmpty() && (publicKey.length() != 64 || !publicKey.chars().allMatch(c -> Character.digit(c, 16) >= 0))) {
            throw new IllegalArgumentException("public key '" + publicKey + "' (expected: 64 hex digits, a raw Ed25519 key)");
        }
        java.util.Objects.requireNonNull(digest, "digest");
        if (minImageSize < 1) {
            throw new IllegalArgumentException("smallest image " + minImageSize + " bytes (expected: 1 or more)");
        }
    }

    /** Returns the slot partition names in slot order. */
    public String slot(int i) {
        return i == 0 ? slotA : slotB;
    }

    /** Returns true when images must carry a valid signature. */
    public boolean signed() {
        return !publicKey.isEmpty();
    }

    /** Returns the raw public key bytes; empty when unsigned. */
    public byte[] publicKeyBytes() {
        return HexFormat.of().parseHex(publicKey);
    }
}
