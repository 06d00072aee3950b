package dev.netboot.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.emulator.EmulatedLan;
import dev.netboot.emulator.EmulatedPort;
import dev.netboot.emulator.FaultPlan;
import dev.netboot.emulator.Scenario;
import dev.netboot.emulator.SimNode;
import dev.netboot.emulator.Simulation;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashGeometry;
import dev.netboot.flash.SimulatedNorFlash;
import dev.netboot.link.Link;
import dev.netboot.net.ScriptedLink;
import dev.netboot.wire.MacAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Board}, the device side's entry point: built from a link, a flash and a profile, polled with the time, it
 * boots; its result names the stage it is in, then what it booted or why it failed.
 */
class BoardTest {
    static final DeviceProfile PROFILE = DeviceProfile.load(Path.of("device-profiles/spi-nor-16m.profile"));

    /** Polls {@code board} as one node of {@code sim} until it finishes; returns the stages seen, in order, without repeats. */
    static List<String> run(Simulation sim, Board board) {
        List<String> stages = new ArrayList<>();
        sim.add(new SimNode() {
            @Override
            public void poll(long now) {
                note(stages, board);
                board.poll(now);
                note(stages, board);
            }

            @Override
            public long pollAt() {
                return board.pollAt();
            }
        });
        sim.run(board::finished, 3_600_000_000_000L).orThrow();
        return stages;
    }

    private static void note(List<String> stages, Board board) {
        String s = switch (board.result()) {
            case Board.Result.Running r -> r.stage();
            case Board.Result.Booted _ -> "booted";
            case Board.Result.Failed f -> "failed " + f.failure().stage();
        };
        if (stages.isEmpty() || !stages.getLast().equals(s)) {
            stages.add(s);
        }
    }

    @Test
    void aBoardBootsOnTheEmulatorThroughEveryStageAndItsImageIsInSlotA() throws Exception {
        byte[] img = new byte[200_000];
        new SplittableRandom(3).nextBytes(img);
        EmulatedLan lan = EmulatedLan.of(Scenario.DEFAULT);
        lan.tftp().serve("boot.img", img);
        EmulatedPort port = lan.attach(PROFILE.mac());
        Flash flash = SimulatedNorFlash.inMemory(PROFILE.flash());
        Board board = Board.builder(PROFILE).link(port).flash(flash).random(new SplittableRandom(1)).build();
        assertEquals(Long.MIN_VALUE, board.pollAt(), "before the first poll: poll now");
        assertEquals(new Board.Result.Running("start"), board.result());

        List<String> stages = run(lan.simulation(), board);

        // The server keeps no boot.img.sha256 (ERROR 1): the digest stage is passed through, the image committed unchecked.
        assertEquals(List.of("start", "lease", "arp", "tftp", "digest", "booted"), stages);
        Board.Result.Booted b = assertInstanceOf(Board.Result.Booted.class, board.result());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(img)), b.report().sha256());
        assertEquals("A", b.report().slot());
        assertEquals(Scenario.DEFAULT.clientIp(), b.report().address());
        assertEquals(PROFILE.mac(), b.report().mac(), "the link's MAC: the emulator port was attached with the profile's");
        byte[] back = new byte[img.length];
        flash.read(PROFILE.slot(0).offset(), back, 0, back.length);
        assertArrayEquals(img, back);
        assertEquals(0, PROFILE.bootSlots(flash).select().slot(), "the bootloader picks slot A");
    }

    @Test
    void aBoardNobodyAnswersFailsInTheLeaseStageAtTheGiveUpBudget() {
        Simulation sim = new Simulation();
        EmulatedPort port = sim.newSegment(100_000, FaultPlan.NONE, 1).attach(MacAddress.parse("02:00:00:00:00:99"));
        Board board = Board.builder(PROFILE).link(port).flash(SimulatedNorFlash.inMemory(PROFILE.flash()))
                .random(new SplittableRandom(1)).build();
        List<String> stages = run(sim, board);
        assertEquals(List.of("start", "lease", "failed dhcp"), stages);
        assertEquals(PROFILE.bootp().giveUp(), sim.now());
        Board.Result.Failed f = assertInstanceOf(Board.Result.Failed.class, board.result());
        assertEquals("DHCP: no usable offer after 7 DHCPDISCOVERs in 60.0 s", f.failure().message());
        assertEquals(MacAddress.parse("02:00:00:00:00:99"), board.sequence().net().macAddress(),
                "the link's own MAC, the profile saying mac-source = interface");
    }

    @Test
    void theBuilderRefusesAMissingPartAndAFlashOfAnotherGeometry() {
        EmulatedPort port = new Simulation().newSegment(0, FaultPlan.NONE, 1).attach(PROFILE.mac());
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> Board.builder(PROFILE).link(port).build());
        assertEquals("a board needs a link and a flash (missing: flash)", missing.getMessage());
        FlashGeometry small = new FlashGeometry(1 << 20, 4096, 256, 0xFF);
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> Board.builder(PROFILE).link(port).flash(SimulatedNorFlash.inMemory(small)).build());
        assertEquals("flash geometry " + small + " differs from profile spi-nor-16m's " + PROFILE.flash(), other.getMessage());
    }

    /** Returns the message of the builder's refusal of a board on {@code link}, with {@code mac} when not null. */
    static String refusal(Link link, MacAddress mac) {
        Board.Builder b = Board.builder(PROFILE).link(link).flash(SimulatedNorFlash.inMemory(PROFILE.flash()));
        if (mac != null) {
            b.mac(mac);
        }
        return assertThrows(IllegalArgumentException.class, b::build).getMessage();
    }

    @Test
    void theBuilderRefusesALinkThatBreaksTheLinkContract() {
        // Link's contract: a unicast MAC (IEEE 802: the I/G bit, the first octet's lowest, clear; all zeros is no
        // station) and an MTU of 576 (RFC 2131 section 2: a DHCP client must take 576-byte datagrams) to 65535 (RFC 791's
        // total length). Before: an MTU of 0 failed deep inside with "capacity < 0: (-28 < 0)", a null MAC with a
        // NullPointerException naming "<parameter3>", and a broadcast MAC booted, every frame sent from it.
        MacAddress good = MacAddress.parse("02:00:00:00:00:99");
        String name = ScriptedLink.class.getName(); // a driver reporting what it is given, as a broken one might
        for (int mtu : new int[] {0, -1, 575, 65536}) {
            assertEquals("link " + name + " reports an MTU of " + mtu + " (expected: 576..65535, the Ethernet payload a"
                    + " DHCP client must take up to an IPv4 datagram's most)", refusal(new ScriptedLink(good, mtu), null));
        }
        for (int mtu : new int[] {576, 65535}) {
            Board.builder(PROFILE).link(new ScriptedLink(good, mtu)).flash(SimulatedNorFlash.inMemory(PROFILE.flash())).build();
        }
        String unicast = " (expected: a station's own unicast MAC, the first octet even)";
        String[][] macs = {{"ff:ff:ff:ff:ff:ff", ", the broadcast address"}, {"01:00:5e:00:00:01", ", a multicast address"},
            {"03:00:00:00:00:01", ", a multicast address"}, {"00:00:00:00:00:00", ", all zeros"}};
        for (String[] m : macs) {
            MacAddress bad = MacAddress.parse(m[0]);
            assertEquals("the board's MAC of link " + name + " is " + m[0] + m[1] + unicast,
                    refusal(new ScriptedLink(bad, 1500), null));
            assertEquals("the board's MAC given to the builder is " + m[0] + m[1] + unicast,
                    refusal(new ScriptedLink(good, 1500), bad));
        }
        assertEquals("the board's MAC of link " + name + " is null" + unicast, refusal(new ScriptedLink(null, 1500), null));
        // The builder's own MAC, or the profile's, stands in for a link that has none of its own to give.
        Board.builder(PROFILE).link(new ScriptedLink(null, 1500)).mac(good).flash(SimulatedNorFlash.inMemory(PROFILE.flash()))
                .build();
    }

    @Test
    void realTimeNeedsALinkItCanWaitOn() {
        EmulatedPort port = new Simulation().newSegment(0, FaultPlan.NONE, 1).attach(PROFILE.mac());
        Board board = Board.builder(PROFILE).link(port).flash(SimulatedNorFlash.inMemory(PROFILE.flash())).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> board.runRealTime(1_000_000_000L));
        assertTrue(e.getMessage().startsWith("link dev.netboot.emulator.EmulatedPort cannot be waited on"), e.getMessage());
    }

    @Test
    void theProfilesMacIsUsedWhenItSaysSo() {
        DeviceProfile own = DeviceProfile.builder("own-mac").ram(64 * 1024).norFlash(1 << 20, 4096, 256)
                .partition("a", 0x10000, 0x40000).partition("b", 0x50000, 0x40000).partition("m", 0, 0x2000).slots("a", "b", "m")
                .mac(MacAddress.parse("02:00:00:00:00:42")).macFromProfile(true).build();
        EmulatedPort port = new Simulation().newSegment(0, FaultPlan.NONE, 1).attach(MacAddress.parse("02:00:00:00:00:07"));
        Board board = Board.builder(own).link(port).flash(SimulatedNorFlash.inMemory(own.flash())).build();
        assertEquals(MacAddress.parse("02:00:00:00:00:42"), board.sequence().net().macAddress());
        Board told = Board.builder(own).link(port).flash(SimulatedNorFlash.inMemory(own.flash()))
                .mac(MacAddress.parse("02:00:00:00:00:43")).build();
        assertEquals(MacAddress.parse("02:00:00:00:00:43"), told.sequence().net().macAddress());
    }
}
