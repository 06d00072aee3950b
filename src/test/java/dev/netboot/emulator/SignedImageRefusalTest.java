package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.BootLayout;
import dev.netboot.device.BootObserver;
import dev.netboot.device.BootSequence;
import dev.netboot.device.DeviceProfile;
import dev.netboot.device.ImageSignature;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.SimulatedNorFlash;
import dev.netboot.flash.SlotMetadata;
import dev.netboot.flash.TimedFlash;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A board that accepts only Ed25519-signed images, on the emulated LAN with flash timing: a tampered,
 * truncated, oversized, unsigned or foreign-signed image is refused with a clear error, and the slot
 * that was active before stays active with its content unchanged.
 */
class SignedImageRefusalTest {
    static final DeviceProfile BASE = DeviceProfile.resolve(DeviceProfile.DEFAULT_NAME, Path.of("device-profiles"));

    final KeyPair key = keyPair();
    final DeviceProfile profile = BASE.withBoot(new BootLayout(BASE.boot().slotA(), BASE.boot().slotB(), BASE.boot().metadata(), 0,
            HexFormat.of().formatHex(ImageSignature.rawKey(key.getPublic()))));
    final Flash flash = SimulatedNorFlash.inMemory(profile.flash());
    final byte[] good = image(150_000, 1);

    static KeyPair keyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] image(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static byte[] sign(byte[] data, PrivateKey k) throws Exception {
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(k);
        s.update(data);
        return s.sign();
    }

    /** Boots once on a fresh LAN serving {@code img} and, unless null, {@code sig}; the flash takes typical times. */
    BootSequence.State boot(byte[] img, byte[] sig) {
        Scenario sc = Scenario.DEFAULT;
        EmulatedLan lan = EmulatedLan.of(sc);
        lan.tftp().serve(sc.servedFile(), img);
        if (sig != null) {
            lan.tftp().serve(sc.servedFile() + ".sig", sig);
        }
        TimedFlash timed = new TimedFlash(flash, profile.timing(), FlashTiming.Mode.TYPICAL);
        BootSequence boot = EmulatedBoot.addBoard(lan, profile, timed, new BootObserver() {
        });
        boot.start(0);
        lan.simulation().run(boot::finished, 3_600_000_000_000L);
        return boot.state();
    }

    String refused(BootSequence.State s, String stage) {
        BootSequence.State.Failed f = assertInstanceOf(BootSequence.State.Failed.class, s);
        assertEquals(stage, f.failure().stage(), f.failure().message());
        return f.failure().message();
    }

    /** Slot A is active, checks out, and holds the good image. */
    void goodImageStillActive() throws Exception {
        BootSlots slots = profile.bootSlots(flash);
        SlotMetadata m = slots.load();
        assertEquals(0, m.active());
        assertTrue(slots.checks(m, 0));
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(good), m.slot(0).sha256());
        BootSlots.Selection sel = slots.select();
        assertEquals(0, sel.slot());
        assertTrue(sel.verified());
    }

    @BeforeEach
    void installAGoodSignedImage() throws Exception {
        BootSequence.State s = boot(good, sign(good, key.getPrivate()));
        BootSequence.State.Done d = assertInstanceOf(BootSequence.State.Done.class, s);
        assertTrue(d.report().signed());
        goodImageStillActive();
    }

    @Test
    void tamperedImageIsRefused() throws Exception {
        byte[] next = image(150_000, 2);
        byte[] sig = sign(next, key.getPrivate());
        byte[] tampered = next.clone();
        tampered[77_777] ^= 0x10;
        String why = refused(boot(tampered, sig), "signature");
        assertTrue(why.startsWith("image boot.img refused: "), why);
        assertTrue(why.endsWith("; slot A stays active"), why);
        goodImageStillActive();
    }

    @Test
    void truncatedImageIsRefused() throws Exception {
        byte[] next = image(150_000, 3);
        String why = refused(boot(Arrays.copyOf(next, 140_000), sign(next, key.getPrivate())), "signature");
        assertTrue(why.endsWith("; slot A stays active"), why);
        goodImageStillActive();
    }

    @Test
    void imageSignedWithAnotherKeyIsRefused() throws Exception {
        byte[] next = image(150_000, 4);
        String why = refused(boot(next, sign(next, keyPair().getPrivate())), "signature");
        assertTrue(why.endsWith("; slot A stays active"), why);
        goodImageStillActive();
    }

    @Test
    void unsignedImageIsRefused() throws Exception {
        String why = refused(boot(image(150_000, 5), null), "signature");
        assertEquals("the server has no boot.img.sig and this board accepts only Ed25519-signed images; slot A stays active", why);
        goodImageStillActive();
    }

    /** A board that never booted has no slot to keep: the refusal says so, not "slot none stays active". */
    @Test
    void onABoardWithNoSlotYetTheRefusalSaysNothingIsActive() throws Exception {
        SignedImageRefusalTest fresh = new SignedImageRefusalTest();          // its flash never written
        String why = fresh.refused(fresh.boot(image(150_000, 8), null), "signature");
        assertEquals("the server has no boot.img.sig and this board accepts only Ed25519-signed images; nothing committed,"
                + " no slot is active", why);
        assertEquals(SlotMetadata.NONE, fresh.profile.bootSlots(fresh.flash).load().active());
    }

    @Test
    void oversizedImageIsRefusedBeforeAnythingIsWritten() throws Exception {
        byte[] big = image((int) profile.slot(1).size() + 1, 6);
        long erasesBefore = flash.stats().erases();
        String why = refused(boot(big, sign(big, key.getPrivate())), "flash");
        assertTrue(why.contains("does not fit slot B"), why);
        assertEquals(erasesBefore, flash.stats().erases()); // tsize: refused before the first erase
        goodImageStillActive();
    }
}
