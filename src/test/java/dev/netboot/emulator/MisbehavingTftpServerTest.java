package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.BootObserver;
import dev.netboot.device.BootSequence;
import dev.netboot.device.DeviceProfile;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.SimulatedNorFlash;
import dev.netboot.flash.SlotMetadata;
import dev.netboot.tftp.TftpClient;
import dev.netboot.tftp.TftpConfig;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: the TFTP servers of the wild, each a scenario {@code [tftp]} key of the emulated server, against the
 * board. Where the data can be trusted the board ends with the served image, bit for bit; otherwise it fails with
 * one line naming the cause (the server's own words where it sent any), and the slot that booted before stays
 * active and intact. Every board here first boots a good image {@link #V1} the plain way, then meets the
 * misbehaving server serving {@link #V2}.
 */
class MisbehavingTftpServerTest {
    static final long MS = 1_000_000L;
    static final long S = 1_000 * MS;
    static final DeviceProfile PROFILE = DeviceProfile.resolve(DeviceProfile.DEFAULT_NAME, Path.of("device-profiles"));
    static final byte[] V1 = image(50_001, 1);
    static final byte[] V2 = image(300_007, 2);

    static byte[] image(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    record Outcome(BootSequence boot, EmulatedLan lan, Flash flash) {
        BootSequence.State.Done done() {
            return assertInstanceOf(BootSequence.State.Done.class, boot.state(), () -> boot.state().toString());
        }

        String failure(String stage) {
            BootSequence.State.Failed f = assertInstanceOf(BootSequence.State.Failed.class, boot.state());
            assertEquals(stage, f.failure().stage(), f.failure().message());
            return f.failure().message();
        }

        TftpClient.Stats client() {
            return boot.tftp().stats();
        }
    }

    /** Boots {@code p} with {@link #V1} from a plain server, then with {@code image} from the server of {@code tftpKeys}. */
    static Outcome boot(DeviceProfile p, String tftpKeys, byte[] image) {
        Flash flash = SimulatedNorFlash.inMemory(p.flash());
        run(Scenario.DEFAULT, p, V1, flash);
        assertEquals(0, p.bootSlots(flash).load().active(), "the first boot made slot A active");
        return run(ScenarioFile.parse("[tftp]\n" + tftpKeys + "\n", "test.scenario"), p, image, flash);
    }

    static Outcome run(Scenario sc, DeviceProfile p, byte[] image, Flash flash) {
        EmulatedLan lan = EmulatedLan.of(sc);
        lan.tftp().serve(sc.servedFile(), image);
        BootSequence boot = EmulatedBoot.addBoard(lan, p, flash, new BootObserver() {
        });
        boot.start(lan.simulation().now());
        lan.simulation().run(boot::finished, 3_600 * S);
        lan.simulation().runFor(10 * MS); // what the board sent last (an ERROR) reaches the server
        return new Outcome(boot, lan, flash);
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** The boot ended with {@code image} in slot B, bit for bit, and slot B active. */
    static void exact(Outcome o, DeviceProfile p, byte[] image) throws Exception {
        BootSequence.State.Done d = o.done();
        assertEquals(image.length, d.report().bytes());
        assertEquals(sha256(image), d.report().sha256());
        byte[] back = new byte[image.length];
        o.flash().read(p.slot(1).offset(), back, 0, back.length);
        assertArrayEquals(image, back);
        assertEquals(1, p.bootSlots(o.flash()).load().active());
    }

    /** The boot failed and slot A, with {@link #V1}, is still the one that boots, and checks out. */
    static void previousSlotIntact(Outcome o, DeviceProfile p) {
        BootSlots slots = p.bootSlots(o.flash());
        SlotMetadata m = slots.load();
        assertEquals(0, m.active(), "slot A stays active");
        assertTrue(slots.checks(m, 0), "slot A checks out");
        byte[] back = new byte[V1.length];
        o.flash().read(p.slot(0).offset(), back, 0, back.length);
        assertArrayEquals(V1, back);
    }

    /** The default board asking for 8-byte blocks: 65,536 of them in half a MiB, so block numbers wrap. */
    static DeviceProfile tinyBlocks(int window, boolean tsize) {
        TftpConfig t = PROFILE.tftp().withBlockSize(8).withWindow(window, window > 1 ? 8 * 64 : 0).withTsize(tsize);
        return PROFILE.withTftp(t);
    }

    static final byte[] PAST_WRAP = image(8 * 65_600 + 3, 3); // blocks 1..65601: numbers wrap after 65535

    @Test
    void lockStepServerThatWrapsToOneUnaskedIsFollowed() throws Exception {
        DeviceProfile p = tinyBlocks(1, true);
        exact(boot(p, "wrap-to-one = yes", PAST_WRAP), p, PAST_WRAP);
    }

    /**
     * With a window, DATA 1 where 0 was due could be block 65537 after a lost block 0; a server that wraps to 0
     * answers our ACK of 65535 with 0, so 1 three times there marks one that wraps to 1. Trusted with a tsize to
     * check it by; the image comes out exact.
     */
    @Test
    void windowedServerThatWrapsToOneUnaskedIsFollowedWhenItsSizeChecksIt() throws Exception {
        DeviceProfile p = tinyBlocks(8, true);
        Outcome o = boot(p, "wrap-to-one = yes", PAST_WRAP);
        exact(o, p, PAST_WRAP);
    }

    @Test
    void windowedServerThatWrapsToOneUnaskedWithoutASizeIsRefusedWithTheCause() {
        DeviceProfile p = tinyBlocks(8, false);
        Outcome o = boot(p, "wrap-to-one = yes", PAST_WRAP);
        String m = o.failure("tftp");
        assertTrue(Pattern.matches("TFTP: server 10\\.0\\.0\\.1:\\d+ numbers the block after 65535 as 1, not 0, without the"
                + " rollover option; with a window that cannot be told from a lost block 0, and it announced no size"
                + " \\(tsize\\) to check it by: use windowsize 1 \\(or a server that answers rollover\\)", m), m);
        previousSlotIntact(o, p);
        assertEquals(TftpSession.End.CLIENT_ERROR, o.lan().tftp().sessions().getLast().stats().end(), "the board said so");
    }

    @Test
    void everyPacketTwiceChangesNothingButTheDuplicateCount() throws Exception {
        Outcome o = boot(PROFILE, "send-twice = yes", V2);
        exact(o, PROFILE, V2);
        int blocks = V2.length / 1468 + 1;
        assertEquals(blocks + 1, o.client().duplicates(), "one copy of every DATA and one of the OACK");
        assertEquals(0, o.client().retransmissions(), "never answered: each copy came right after its original");
    }

    @Test
    void windowsOutOfOrderAreReassembled() throws Exception {
        Outcome o = boot(PROFILE, "shuffle-windows = yes", V2);
        exact(o, PROFILE, V2);
        assertTrue(o.client().outOfOrderHeld() > 0, "blocks were held ahead of a gap: " + o.client());
    }

    @Test
    void malformedPacketsBetweenGoodOnesAreIgnored() throws Exception {
        Outcome o = boot(PROFILE, "junk = 0.3", V2);
        exact(o, PROFILE, V2);
        long junk = o.lan().tftp().sessions().getLast().stats().dataSent(); // an upper bound on the junk sent
        assertTrue(o.client().dropped() > 30 && o.client().dropped() < junk, "junk dropped and counted: " + o.client());
    }

    /** Plausible DATA (the right number and length, wrong bytes) from another port and from another host: ERROR 5 to each, data untouched. */
    @Test
    void strangersGetError5AndChangeNothing() throws Exception {
        Outcome o = boot(PROFILE, "stranger = 0.2", V2);
        exact(o, PROFILE, V2);
        assertTrue(o.client().strayPackets() > 20, o.client().toString());
        // Some came from the stranger host, 10.0.0.253: its ERROR 5s found nobody listening there.
        assertTrue(o.lan().stranger().stack().stats().dropNoListener() > 0, o.lan().stranger().stack().stats().toString());
        assertEquals(0, o.lan().tftp().sessions().getLast().stats().strangers(), "the server heard no stranger's ERROR");
    }

    @Test
    void anOackOutOfRangeGetsError8AndAPlainRequestServesTheImage() throws Exception {
        for (String kind : new String[] {"range", "number", "unasked"}) {
            Outcome o = boot(PROFILE, "oack = " + kind, V2);
            exact(o, PROFILE, V2);
            assertEquals(512, o.boot().tftp().blockSize(), kind);
            assertEquals(1, o.boot().tftp().windowSize(), kind);
            assertEquals(2, o.lan().tftp().sessions().size(), kind);
            assertEquals(TftpSession.End.CLIENT_ERROR, o.lan().tftp().sessions().getFirst().stats().end(), kind + ": ERROR 8");
        }
    }

    @Test
    void dataLongerThanNegotiatedFailsWithTheCause() {
        DeviceProfile p = PROFILE.withTftp(PROFILE.tftp().withBlockSize(1024)); // 1028 bytes still fit the MTU
        Outcome o = boot(p, "oversize = 0.02", V2);
        String m = o.failure("tftp");
        assertTrue(Pattern.matches("TFTP: server sent DATA \\d+ of 1028 bytes, more than the 1024-byte blocks negotiated", m), m);
        previousSlotIntact(o, p);
        assertEquals(TftpSession.End.CLIENT_ERROR, o.lan().tftp().sessions().getLast().stats().end(), "ERROR 4 told the server");
    }

    /**
     * Oversized DATA is a full block with 4 bytes more. The last block is short: 4 bytes more on it would be bytes
     * the file does not have, still within the block size, which a board that asks no tsize commits. The soak found
     * the emulator doing that (seeds 5823 and 8030: a refused OACK, then a plain transfer without tsize).
     */
    @Test
    void aShortLastBlockIsNeverOversized() {
        DeviceProfile p = PROFILE.withTftp(PROFILE.tftp().withBlockSize(1400).withTsize(false));
        byte[] img = image(1_200, 9); // one block, short
        Outcome o = boot(p, "oversize = 1", img);
        assertEquals(1_200, o.done().report().bytes());
        byte[] back = new byte[img.length];
        o.flash().read(p.slot(1).offset(), back, 0, back.length);
        assertArrayEquals(img, back);
    }

    @Test
    void aTsizeThatLiesEitherWayFailsWithTheCause() {
        Outcome more = boot(PROFILE, "tsize-lie = 1000", V2);
        assertEquals("TFTP: server announced " + (V2.length + 1000) + " bytes, sent " + V2.length, more.failure("tftp"));
        previousSlotIntact(more, PROFILE);
        Outcome less = boot(PROFILE, "tsize-lie = -1000", V2);
        long cut = V2.length - 1000;
        long sent = (cut / 1468 + 1) * 1468; // the first block that passes the announced size
        assertEquals("TFTP: server announced " + cut + " bytes, sent " + sent, less.failure("tftp"));
        previousSlotIntact(less, PROFILE);
    }

    @Test
    void aServerThatStopsMidwayEndsOnTheGiveUpBudget() {
        Outcome o = boot(PROFILE, "stop-after = 100", V2);
        String m = o.failure("tftp");
        assertTrue(Pattern.matches("TFTP: no DATA 101 from 10\\.0\\.0\\.1:\\d+ in 25 s \\(\\d+ retransmissions of ACK 100\\);"
                + " nothing else came", m), m);
        previousSlotIntact(o, PROFILE);
    }

    @Test
    void anErrorMidwayEndsWithTheServersWords() {
        Outcome o = boot(PROFILE, "error-after = 100\nerror-text = Disk read failure on /srv/tftp", V2);
        assertTrue(o.failure("tftp").matches("TFTP: server 10\\.0\\.0\\.1:\\d+ sent ERROR 0 \\(not defined\\): Disk read failure"
                + " on /srv/tftp"), o.failure("tftp"));
        previousSlotIntact(o, PROFILE);
        Outcome noNul = boot(PROFILE, "error-after = 100\nerror-text = Disk read failure\nerror-without-nul = yes", V2);
        assertTrue(noNul.failure("tftp").endsWith("sent ERROR 0 (not defined): Disk read failure"), noNul.failure("tftp"));
        previousSlotIntact(noNul, PROFILE);
    }

    /**
     * The storm of issue 10: a server with the Sorcerer's Apprentice bug stalls half a second in a lock-step
     * download while the board, its timeout down at 20 ms, sends its ACK again; the copies that follow the stall
     * die out, and the image arrives whole.
     */
    @Test
    void aSorcerersApprenticeServerThatStallsDoesNotStormTheBoard() throws Exception {
        DeviceProfile p = PROFILE.withTftp(PROFILE.tftp().withBlockSize(512).withWindow(1, 0)
                .withTimeouts(1 * S, 20 * MS, 8 * S));
        Outcome o = boot(p, "sorcerers-apprentice = yes\nstall-at = 300\nstall = 500ms", V2);
        exact(o, p, V2);
        TftpSession.Stats server = o.lan().tftp().sessions().getLast().stats();
        long blocks = V2.length / 512 + 1;
        assertTrue(o.client().duplicates() <= 8, o.client() + " / " + server);
        assertTrue(server.dataSent() <= blocks + 8, o.client() + " / " + server);
    }
}
