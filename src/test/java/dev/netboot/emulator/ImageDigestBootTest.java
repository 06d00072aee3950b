package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.BootObserver;
import dev.netboot.device.BootSequence;
import dev.netboot.device.DeviceProfile;
import dev.netboot.device.ImageDigest;
import dev.netboot.flash.Flash;
import dev.netboot.flash.SimulatedNorFlash;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: the image's expected SHA-256 ({@code FILE.sha256}, as sha256sum writes it) on an unsigned board. Wrong
 * bytes with right checksums are refused before the commit; a server without the sidecar still boots the board
 * ({@code digest = if-present}, the default), or does not ({@code required}).
 */
class ImageDigestBootTest {
    static final DeviceProfile PROFILE = FaultyWireBootTest.PROFILE;
    static final byte[] V1 = FaultyWireBootTest.V1;
    static final byte[] V2 = FaultyWireBootTest.V2;
    /** SHA-256 of "abc", FIPS 180-2 appendix B.1. */
    static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static byte[] sidecar(String line) {
        return line.getBytes(StandardCharsets.US_ASCII);
    }

    static BootSequence boot(Scenario sc, DeviceProfile p, byte[] image, byte[] digest, Flash flash) {
        EmulatedLan lan = EmulatedLan.of(sc);
        lan.tftp().serve(sc.servedFile(), image);
        if (digest != null) {
            lan.tftp().serve(sc.servedFile() + ".sha256", digest);
        }
        BootSequence boot = EmulatedBoot.addBoard(lan, p, flash, new BootObserver() {
        });
        boot.start(0);
        lan.simulation().run(boot::finished, 3_600_000_000_000L);
        return boot;
    }

    /** Slot A holds V1, booted with its digest checked. */
    static Flash withV1(DeviceProfile p) throws Exception {
        Flash flash = SimulatedNorFlash.inMemory(p.flash());
        BootSequence first = boot(Scenario.DEFAULT, p, V1, sidecar(sha256(V1) + "  boot.img\n"), flash);
        BootSequence.State.Done d = assertInstanceOf(BootSequence.State.Done.class, first.state(), () -> first.state().toString());
        assertEquals(p.boot().digest() == ImageDigest.Policy.OFF ? ImageDigest.OFF : ImageDigest.CHECKED, d.report().digest());
        assertEquals("A", d.report().slot());
        return flash;
    }

    static BootSequence.State.Failed failed(BootSequence b, String stage) {
        BootSequence.State.Failed f = assertInstanceOf(BootSequence.State.Failed.class, b.state(), () -> b.state().toString());
        assertEquals(stage, f.failure().stage(), f.failure().message());
        assertTrue(!f.failure().message().contains("\n"), f.failure().message());
        return f;
    }

    @Test
    void wrongBytesWithRightChecksumsAreRefusedByTheDigestAndSlotAStays() throws Exception {
        Flash flash = withV1(PROFILE);
        String served = sha256(V2);
        BootSequence b = boot(Scenario.DEFAULT.withFaults(FaultPlan.NONE.withTamper(0.01)), PROFILE, V2,
                sidecar(served + "  boot.img\n"), flash);
        String m = failed(b, "digest").failure().message();
        String inFlash = HexFormat.of().formatHex(b.update().writer().sha256());
        assertTrue(!inFlash.equals(served), "the tampered bytes reached flash and read back as they came");
        assertEquals("image boot.img refused: its SHA-256 read back from flash is " + inFlash + " but boot.img.sha256 says " + served
                + "; slot A stays active", m);
        FaultyWireBootTest.previousSlotIntact(flash, PROFILE);
    }

    @Test
    void theSameBootWithoutTamperingChecksTheDigestAndCommits() throws Exception {
        Flash flash = withV1(PROFILE);
        BootSequence b = boot(Scenario.DEFAULT, PROFILE, V2, sidecar(sha256(V2).toUpperCase() + " *boot.img\r\n"), flash);
        BootSequence.State.Done d = assertInstanceOf(BootSequence.State.Done.class, b.state(), () -> b.state().toString());
        assertEquals(ImageDigest.CHECKED, d.report().digest());
        assertEquals(sha256(V2), d.report().sha256());
        assertEquals("B", d.report().slot());
    }

    /** The board's SHA-256 of a known file equals the published one, and so does the sidecar's: it boots. */
    @Test
    void goldenTheDigestOfAbc() throws Exception {
        DeviceProfile tiny = PROFILE.withBoot(new dev.netboot.device.BootLayout(PROFILE.boot().slotA(), PROFILE.boot().slotB(),
                PROFILE.boot().metadata(), 0, "", 1));
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        BootSequence b = boot(Scenario.DEFAULT, tiny, abc, sidecar(ABC + "  abc.txt\n"), SimulatedNorFlash.inMemory(tiny.flash()));
        BootSequence.State.Done d = assertInstanceOf(BootSequence.State.Done.class, b.state(), () -> b.state().toString());
        assertEquals(ABC, d.report().sha256());
        assertEquals(ImageDigest.CHECKED, d.report().digest());
        // One digit off: refused.
        String off = ABC.substring(0, 63) + "e";
        BootSequence wrong = boot(Scenario.DEFAULT, tiny, abc, sidecar(off + "\n"), SimulatedNorFlash.inMemory(tiny.flash()));
        assertEquals("image boot.img refused: its SHA-256 read back from flash is " + ABC + " but boot.img.sha256 says " + off
                + "; nothing committed, no slot is active", failed(wrong, "digest").failure().message());
    }

    @Test
    void noDigestOnTheServerBootsAnIfPresentBoardAndSaysSo() throws Exception {
        assertEquals(ImageDigest.Policy.IF_PRESENT, PROFILE.boot().digest(), "the shipped profile's default");
        Flash flash = withV1(PROFILE);
        BootSequence b = boot(Scenario.DEFAULT, PROFILE, V2, null, flash);
        BootSequence.State.Done d = assertInstanceOf(BootSequence.State.Done.class, b.state(), () -> b.state().toString());
        assertEquals(ImageDigest.ABSENT, d.report().digest());
        assertEquals(sha256(V2), d.report().sha256());
    }

    @Test
    void noDigestOnTheServerFailsARequiredBoardCleanly() throws Exception {
        DeviceProfile required = PROFILE.withBoot(PROFILE.boot().withDigest(ImageDigest.Policy.REQUIRED));
        Flash flash = withV1(required);
        BootSequence b = boot(Scenario.DEFAULT, required, V2, null, flash);
        assertEquals("the server has no boot.img.sha256 and this board's profile says digest = required; slot A stays active",
                failed(b, "digest").failure().message());
        FaultyWireBootTest.previousSlotIntact(flash, required);
    }

    @Test
    void aMalformedSidecarIsOneLineAndNothingIsCommitted() throws Exception {
        Flash flash = withV1(PROFILE);
        BootSequence b = boot(Scenario.DEFAULT, PROFILE, V2, sidecar("<html>404 Not Found</html>\n"), flash);
        assertEquals("boot.img.sha256 is not a SHA-256 line: character 1 is '<' (expected: 64 hex digits); slot A stays active",
                failed(b, "digest").failure().message());
        FaultyWireBootTest.previousSlotIntact(flash, PROFILE);
    }

    @Test
    void digestOffNeverAsksAndCommitsWhatCame() throws Exception {
        DeviceProfile off = PROFILE.withBoot(PROFILE.boot().withDigest(ImageDigest.Policy.OFF));
        Flash flash = withV1(off);
        // A wrong sidecar is there, but the board does not ask for it.
        BootSequence b = boot(Scenario.DEFAULT, off, V2, sidecar(ABC + "\n"), flash);
        BootSequence.State.Done d = assertInstanceOf(BootSequence.State.Done.class, b.state(), () -> b.state().toString());
        assertEquals(ImageDigest.OFF, d.report().digest());
    }
}
