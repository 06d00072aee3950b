package dev.netboot.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Ed25519Verifier}: the test vectors of RFC 8032 section 7.1, and the JDK's own Ed25519 as the second opinion on
 * keys, messages and signatures made and spoiled at random.
 */
class Ed25519VerifierTest {
    private static final HexFormat HEX = HexFormat.of();

    /** RFC 8032 section 7.1, TEST 1, 2 and 3: secret key, public key, message, signature. */
    private static final String[][] RFC_8032 = {
            {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
                    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
            {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
                    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
                    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
            {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
                    "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
                    "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
    };

    @Test
    void theVectorsOfRfc8032AreGoodAndTheJdkSignsThemSo() throws Exception {
        for (String[] t : RFC_8032) {
            byte[] message = HEX.parseHex(t[2]);
            byte[] signature = HEX.parseHex(t[3]);
            // The vectors as typed here are RFC 8032's: the JDK, given the secret key, makes the same signature.
            assertArrayEquals(signature, jdkSign(HEX.parseHex(t[0]), message), t[3]);
            assertTrue(verify(HEX.parseHex(t[1]), signature, message), t[3]);
            byte[] wrong = message.clone().length == 0 ? new byte[] {0} : message.clone();
            wrong[0] ^= 1;
            assertFalse(verify(HEX.parseHex(t[1]), signature, wrong), t[3]);
        }
    }

    /** Keys and messages at random, signed by the JDK; each spoiled one way; both verifiers give the same verdict. */
    @Test
    void agreesWithTheJdkOnGoodAndSpoiledSignatures() throws Exception {
        SplittableRandom random = new SplittableRandom(8032);
        KeyPairGenerator gen = KeyPairGenerator.getInstance("Ed25519");
        for (int i = 0; i < 60; i++) {
            KeyPair kp = gen.generateKeyPair();
            byte[] message = new byte[random.nextInt(3000)];
            random.nextBytes(message);
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(kp.getPrivate());
            s.update(message);
            byte[] signature = s.sign();
            byte[] key = ImageSignature.rawKey(kp.getPublic());
            assertTrue(verify(key, signature, message), "good signature " + i);
            assertTrue(verifyInPieces(key, signature, message, random), "good signature in pieces " + i);

            byte[] badMessage = message.length == 0 ? new byte[] {1} : message.clone();
            badMessage[random.nextInt(badMessage.length)] ^= (byte) (1 << random.nextInt(8));
            byte[] badSignature = signature.clone();
            badSignature[random.nextInt(64)] ^= (byte) (1 << random.nextInt(8));
            byte[] otherKey = ImageSignature.rawKey(gen.generateKeyPair().getPublic());
            assertEquals(jdkVerify(key, signature, badMessage), verify(key, signature, badMessage), "message spoiled " + i);
            assertFalse(verify(key, signature, badMessage));
            assertEquals(jdkVerify(key, badSignature, message), verify(key, badSignature, message), "signature spoiled " + i);
            assertFalse(verify(key, badSignature, message));
            assertFalse(verify(otherKey, signature, message), "another key " + i);
        }
    }

    /** S + L satisfies the equation as S does, but RFC 8032 section 5.1.7 refuses an S of L or more (no malleability). */
    @Test
    void anSOfLOrMoreIsRefused() throws Exception {
        String[] t = RFC_8032[1];
        byte[] signature = HEX.parseHex(t[3]);
        BigInteger l = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
        BigInteger s = littleEndian(java.util.Arrays.copyOfRange(signature, 32, 64)).add(l);
        assertTrue(s.bitLength() <= 256);
        byte[] big = s.toByteArray();
        for (int i = 0; i < 32; i++) {
            signature[32 + i] = i < big.length ? big[big.length - 1 - i] : 0;
        }
        assertFalse(verify(HEX.parseHex(t[1]), signature, HEX.parseHex(t[2])));
        assertFalse(jdkVerify(HEX.parseHex(t[1]), signature, HEX.parseHex(t[2])), "the JDK refuses it too");
    }

    /** A y of p or more, and a y whose x has no square root, are no points: the signature is refused, never thrown over. */
    @Test
    void aKeyOrRThatIsNoPointIsRefused() {
        String[] t = RFC_8032[0];
        byte[] notCanonical = new byte[32];
        java.util.Arrays.fill(notCanonical, (byte) 0xFF);
        notCanonical[31] = 0x7F; // y = 2^255 - 1 > p
        assertFalse(verify(notCanonical, HEX.parseHex(t[3]), new byte[0]));
        byte[] badR = HEX.parseHex(t[3]);
        System.arraycopy(notCanonical, 0, badR, 0, 32);
        assertFalse(verify(HEX.parseHex(t[1]), badR, new byte[0]));
        // y = 2: (y^2 - 1) / (d y^2 + 1) is no square mod p (Euler's criterion, worked out apart in Python: its
        // (p-1)/2-th power is p - 1), so there is no x.
        byte[] noX = new byte[32];
        noX[0] = 2;
        assertFalse(verify(noX, HEX.parseHex(t[3]), new byte[0]));
    }

    private static boolean verify(byte[] key, byte[] signature, byte[] message) {
        Ed25519Verifier v = new Ed25519Verifier(key, signature);
        v.update(message, 0, message.length);
        return v.verify();
    }

    private static boolean verifyInPieces(byte[] key, byte[] signature, byte[] message, SplittableRandom random) {
        Ed25519Verifier v = new Ed25519Verifier(key, signature);
        for (int at = 0; at < message.length; ) {
            int n = Math.min(message.length - at, random.nextInt(1, 700));
            v.update(message, at, n);
            at += n;
        }
        return v.verify();
    }

    private static boolean jdkVerify(byte[] key, byte[] signature, byte[] message) throws Exception {
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(ImageSignature.publicKey(key));
        s.update(message);
        try {
            return s.verify(signature);
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    private static byte[] jdkSign(byte[] secret, byte[] message) throws Exception {
        PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, secret));
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key);
        s.update(message);
        return s.sign();
    }

    private static BigInteger littleEndian(byte[] bytes) {
        byte[] big = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            big[i] = bytes[bytes.length - 1 - i];
        }
        return new BigInteger(1, big);
    }
}
