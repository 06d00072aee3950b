package dev.netboot.device;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks an Ed25519 signature (RFC 8032 section 5.1.7) over a message that arrives in pieces, holding none of it.
 *
 * <p>The JDK's Ed25519 {@code Signature} keeps every byte given to {@code update} until {@code verify} (signing needs two
 * passes over the message, and its verifier shares the code), so a board checking a 12 MB image needed 12 MB and more
 * of heap for it: a signed boot in {@code -Xmx24m} ran out of memory where the unsigned one fitted. Verifying needs one
 * pass: {@code k = SHA-512(R || A || M)}, then the group equation {@code [S]B = R + [k]A}. The digest streams; the
 * equation is a few hundred point operations on public values, so plain {@link BigInteger} arithmetic serves (no secret
 * is handled here, and it runs once a boot).
 *
 * <p>What is refused, as RFC 8032 section 5.1.7 says: a key or an R that does not decode to a point (section 5.1.3: a
 * y of p or more, no square root, x = 0 with its sign bit set), an S of L or more; the equation is checked without the
 * cofactor, as the JDK and OpenSSL check it.
 */
final class Ed25519Verifier {
    private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    /** The group order L = 2^252 + 27742317777372353535851937790883648493. */
    private static final BigInteger L = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
    /** d = -121665 / 121666 (mod p). */
    private static final BigInteger D = BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
    private static final BigInteger D2 = D.shiftLeft(1).mod(P);
    /** sqrt(-1) = 2^((p-1)/4) (mod p). */
    private static final BigInteger SQRT_M1 = BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);
    /** The base point B: y = 4/5, x even (section 5.1). */
    private static final BigInteger[] BASE = decode(encodedBase());

    private final byte[] key;
    private final byte[] signature;
    private final MessageDigest k;

    /**
     * Starts a check of {@code signature} (64 bytes: R, then S little-endian) by the raw 32-byte {@code publicKey}.
     *
     * @throws IllegalArgumentException when either has the wrong length
     */
    Ed25519Verifier(byte[] publicKey, byte[] signature) {
        if (publicKey.length != 32 || signature.length != 64) {
            throw new IllegalArgumentException("Ed25519 key of " + publicKey.length + " bytes, signature of " + signature.length
                    + " (expected: 32 and 64)");
        }
        this.key = publicKey.clone();
        this.signature = signature.clone();
        try {
            k = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is in every JDK", e);
        }
        k.update(this.signature, 0, 32);
        k.update(key);
    }

    /** Takes the next {@code len} bytes of the message. */
    void update(byte[] b, int off, int len) {
        k.update(b, off, len);
    }

    /** Returns whether the signature is good for the message given so far (once: the digest is spent). */
    boolean verify() {
        BigInteger[] a = decode(key);
        BigInteger[] r = decode(java.util.Arrays.copyOf(signature, 32));
        BigInteger s = littleEndian(java.util.Arrays.copyOfRange(signature, 32, 64));
        if (a == null || r == null || s.compareTo(L) >= 0) {
            return false;
        }
        BigInteger h = littleEndian(k.digest()).mod(L);
        return same(times(s, BASE), add(r, times(h, a)));
    }

    /** Returns the point a 32-byte encoding names (extended coordinates X, Y, Z, T with Z = 1), or null if it names none. */
    private static BigInteger[] decode(byte[] encoded) {
        byte[] bytes = encoded.clone();
        boolean xOdd = (bytes[31] & 0x80) != 0;
        bytes[31] &= 0x7F;
        BigInteger y = littleEndian(bytes);
        if (y.compareTo(P) >= 0) {
            return null;
        }
        BigInteger yy = y.multiply(y).mod(P);
        BigInteger u = yy.subtract(BigInteger.ONE).mod(P);
        BigInteger v = D.multiply(yy).add(BigInteger.ONE).mod(P);
        // x = u v^3 (u v^7)^((p-5)/8), a square root of u/v if there is one (section 5.1.3, step 2)
        BigInteger v3 = v.pow(3).mod(P);
        BigInteger x = u.multiply(v3).multiply(u.multiply(v3).multiply(v3).multiply(v).mod(P)
                .modPow(P.subtract(BigInteger.valueOf(5)).shiftRight(3), P)).mod(P);
        BigInteger vxx = v.multiply(x).multiply(x).mod(P);
        if (!vxx.equals(u)) {
            if (!vxx.equals(u.negate().mod(P))) {
                return null;
            }
            x = x.multiply(SQRT_M1).mod(P);
        }
        if (x.signum() == 0 && xOdd) {
            return null;
        }
        if (x.testBit(0) != xOdd) {
            x = P.subtract(x);
        }
        return new BigInteger[] {x, y, BigInteger.ONE, x.multiply(y).mod(P)};
    }

    /** Returns p + q (section 5.1.4; the formulas hold for p = q as well). */
    private static BigInteger[] add(BigInteger[] p, BigInteger[] q) {
        BigInteger a = p[1].subtract(p[0]).multiply(q[1].subtract(q[0])).mod(P);
        BigInteger b = p[1].add(p[0]).multiply(q[1].add(q[0])).mod(P);
        BigInteger c = p[3].multiply(D2).multiply(q[3]).mod(P);
        BigInteger d = p[2].shiftLeft(1).multiply(q[2]).mod(P);
        BigInteger e = b.subtract(a);
        BigInteger f = d.subtract(c);
        BigInteger g = d.add(c);
        BigInteger h = b.add(a);
        return new BigInteger[] {e.multiply(f).mod(P), g.multiply(h).mod(P), f.multiply(g).mod(P), e.multiply(h).mod(P)};
    }

    /** Returns [n]p, doubling and adding from the top bit. */
    private static BigInteger[] times(BigInteger n, BigInteger[] p) {
        BigInteger[] sum = {BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE, BigInteger.ZERO}; // the neutral point
        for (int i = n.bitLength() - 1; i >= 0; i--) {
            sum = add(sum, sum);
            if (n.testBit(i)) {
                sum = add(sum, p);
            }
        }
        return sum;
    }

    /** Returns whether two points in projective coordinates are one: X1 Z2 = X2 Z1 and Y1 Z2 = Y2 Z1. */
    private static boolean same(BigInteger[] p, BigInteger[] q) {
        return p[0].multiply(q[2]).subtract(q[0].multiply(p[2])).mod(P).signum() == 0
                && p[1].multiply(q[2]).subtract(q[1].multiply(p[2])).mod(P).signum() == 0;
    }

    /** Returns the unsigned little-endian number {@code bytes} holds. */
    private static BigInteger littleEndian(byte[] bytes) {
        byte[] big = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            big[i] = bytes[bytes.length - 1 - i];
        }
        return new BigInteger(1, big);
    }

    /** Returns B's encoding: y = 4/5 (mod p) little-endian, sign bit 0 (x even). */
    private static byte[] encodedBase() {
        BigInteger y = BigInteger.valueOf(4).multiply(BigInteger.valueOf(5).modInverse(P)).mod(P);
        byte[] big = y.toByteArray();
        byte[] out = new byte[32];
        for (int i = 0; i < 32 && i < big.length; i++) {
            out[i] = big[big.length - 1 - i];
        }
        return out;
    }
}
