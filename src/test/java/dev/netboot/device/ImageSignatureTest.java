package dev.netboot.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashGeometry;
import dev.netboot.flash.FlashWriter;
import dev.netboot.flash.Partition;
import dev.netboot.flash.SimulatedNorFlash;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ImageSignatureTest {
    static final Partition SLOT = new Partition("slot-a", 0x10000, 0x20000);

    @Test
    void rfc8032TestVector1KeyAndSignatureVerify() throws Exception {
        // RFC 8032 section 7.1, TEST 1: empty message.
        byte[] pub = HexFormat.of().parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        byte[] sig = HexFormat.of().parseHex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
        Flash flash = SimulatedNorFlash.inMemory(new FlashGeometry(1 << 20, 4096, 256, 0xFF));
        assertNull(ImageSignature.check(flash, SLOT, 0, sig, ImageSignature.publicKey(pub)));
        assertArrayEquals(pub, ImageSignature.rawKey(ImageSignature.publicKey(pub)));
    }

    @Test
    void signedImageInFlashVerifiesAndATamperedOneDoesNot() throws Exception {
        KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] image = new byte[10_000];
        new Random(1).nextBytes(image);
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(kp.getPrivate());
        s.update(image);
        byte[] sig = s.sign();

        Flash flash = SimulatedNorFlash.inMemory(new FlashGeometry(1 << 20, 4096, 256, 0xFF));
        FlashWriter w = new FlashWriter(flash, SLOT);
        w.begin(image.length);
        w.write(ByteBuffer.wrap(image), 0, image.length);
        w.finish();
        var key = ImageSignature.publicKey(ImageSignature.rawKey(kp.getPublic()));
        assertNull(ImageSignature.check(flash, SLOT, image.length, sig, key));
        assertNotNull(ImageSignature.check(flash, SLOT, image.length - 1, sig, key), "truncated image");
        flash.program(SLOT.offset() + 5000, new byte[] {0}, 0, 1);
        String why = ImageSignature.check(flash, SLOT, image.length, sig, key);
        assertTrue(why != null && why.contains("does not match"), why);
        assertNotNull(ImageSignature.check(flash, SLOT, image.length, new byte[10], key));
    }

    @Test
    void badKeysAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ImageSignature.publicKey(new byte[31]));
    }
}
