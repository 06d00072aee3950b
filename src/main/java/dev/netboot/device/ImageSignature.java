package dev.netboot.device;

import dev.netboot.flash.Flash;
import dev.netboot.flash.Partition;
import dev.netboot.flash.SlotReader;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;

/**
 * Ed25519 (RFC 8032) signatures over boot images: keys read by the JDK's own provider, the check streamed over the image
 * ({@link Ed25519Verifier}).
 *
 * <p>The signature is detached: a 64-byte raw Ed25519 signature over the image bytes, served next to
 * the image as {@code FILE.sig}. The profile carries the 32-byte raw public key as hex. The check
 * reads the image back from flash a page at a time, so what is verified is what the board will boot, and holds a page
 * of it, not the image.
 */
public final class ImageSignature {
    /** Length of a raw Ed25519 signature. */
    public static final int SIGNATURE_LENGTH = 64;
    /** Length of a raw Ed25519 public key. */
    public static final int KEY_LENGTH = 32;
    /** The DER prefix that wraps a raw Ed25519 key into X.509 SubjectPublicKeyInfo (RFC 8410 section 4). */
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private ImageSignature() {
    }

    /**
     * Turns a raw 32-byte Ed25519 public key into a JDK key.
     *
     * @throws IllegalArgumentException when the key is not 32 bytes or not a valid point
     */
    public static PublicKey publicKey(byte[] raw) {
        if (raw.length != KEY_LENGTH) {
            throw new IllegalArgumentException("Ed25519 public key of " + raw.length + " bytes (expected: " + KEY_LENGTH + ")");
        }
        byte[] der = new byte[X509_PREFIX.length + KEY_LENGTH];
        System.arraycopy(X509_PREFIX, 0, der, 0, X509_PREFIX.length);
        System.arraycopy(raw, 0, der, X509_PREFIX.length, KEY_LENGTH);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /** Returns the raw 32 bytes of an Ed25519 public key. */
    public static byte[] rawKey(PublicKey key) {
        byte[] der = key.getEncoded();
        byte[] raw = new byte[KEY_LENGTH];
        System.arraycopy(der, der.length - KEY_LENGTH, raw, 0, KEY_LENGTH);
        return raw;
    }

    /**
     * Checks {@code signature} over the first {@code length} bytes of {@code region}, read from flash.
     *
     * @return null when the signature is good, else one line saying why not
     */
    public static String check(Flash flash, Partition region, long length, byte[] signature, PublicKey key) {
        if (signature.length != SIGNATURE_LENGTH) {
            return "signature of " + signature.length + " bytes (expected: " + SIGNATURE_LENGTH + ", a raw Ed25519 signature)";
        }
        // Not the JDK's Signature: it keeps the whole image in the heap until verify (Ed25519Verifier says why).
        Ed25519Verifier v = new Ed25519Verifier(rawKey(key), signature);
        byte[] page = new byte[flash.geometry().pageSize()];
        SlotReader.read(flash, region, length, page, (b, n) -> v.update(b, 0, n));
        return v.verify() ? null : "Ed25519 signature does not match the image in flash";
    }
}
