package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.DeviceProfile;
import dev.netboot.flash.FlashTiming;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet larger than the DHCP server's pool (emulator/fleet.scenario with {@code pool-size = 8}, 12 spi-nor-16m
 * boards powered up together, a 64 KiB image, flash untimed): which boards fail, why, and what each board is handed.
 *
 * <p>Worked out from the rules: all twelve power up at 0 and send their DHCPDISCOVER in index order (the simulation polls
 * nodes in the order they were added); the switch queues them toward the server's port in that order, so the server
 * offers its eight addresses to boards 0..7, which take them (leases of 3600 s: none comes back within the run). Boards
 * 8..11 get no offer: each DISCOVER they send finds the pool empty and goes unanswered. The profile's [bootp] section
 * (1 s doubled up to 16 s, +/- 0.5 s, give-up 60 s) makes each send DISCOVERs until 60 s have passed and fail at the
 * first retry instant past that: between 60 s and 60 + 16.5 s after power-up.
 */
class FleetPoolTest {
    static final int BOARDS = 12;
    static final int POOL = 8;

    @TempDir
    Path dir;

    private FleetBoot.Config config() throws Exception {
        String text = Files.readString(Path.of("emulator/fleet.scenario"))
                .replaceAll("(?m)^pool-size = .*$", "pool-size = " + POOL);
        Scenario sc = ScenarioFile.load(Files.writeString(dir.resolve("pool8.scenario"), text));
        DeviceProfile p = DeviceProfile.load(Path.of("device-profiles/spi-nor-16m.profile"));
        byte[] image = new byte[64 * 1024];
        new SplittableRandom(5).nextBytes(image);
        return new FleetBoot.Config(sc, p, ServedFile.of(image), BOARDS, 0, FlashTiming.Mode.NONE, 300_000_000_000L);
    }

    @Test
    void theBoardsPastThePoolFailBecauseItWasExhaustedAndTheReportSaysSo() throws Exception {
        FleetBoot.Run run = FleetBoot.simulate(config(), null, true);
        List<FleetBoard> boards = run.boards();
        long discoversOfTheFailed = 0;
        for (FleetBoard b : boards) {
            if (b.index < POOL) {
                assertNotNull(b.report, "board " + b.index + " has an address of the pool and boots");
                assertNull(b.failure);
            } else {
                assertNull(b.report, "board " + b.index);
                assertNull(b.lease);
                assertEquals("dhcp", b.failure.stage());
                assertTrue(b.failure.message().startsWith("DHCP: no usable offer after "), b.failure.message());
                assertTrue(b.endedAt >= 60_000_000_000L && b.endedAt <= 76_500_000_000L, "failed at " + b.endedAt);
                assertTrue(run.lan().dhcp().refusedForPool(b.mac));
                // Each of its DISCOVERs (the first and those sent again) was left unanswered for want of an address.
                discoversOfTheFailed += b.boot.lease().retransmissions() + 1;
            }
        }
        assertEquals(discoversOfTheFailed, run.lan().dhcp().poolExhausted());
        assertEquals(POOL, run.lan().dhcp().poolSize());
        FleetReport r = FleetReport.of(run);
        assertEquals(POOL, r.booted());
        assertEquals(Map.of("dhcp: no DHCP offer: the server's pool of 8 addresses was exhausted; the board: "
                + "DHCP: no usable offer after N DHCPDISCOVERs in N s", BOARDS - POOL), r.failures());
    }

    @Test
    void aBoardIsNotHandedTheFramesItsStackOnlyCountsYetCountsThemAll() throws Exception {
        FleetBoot.Run run = FleetBoot.simulate(config(), null, true);
        EthernetSegment seg = run.lan().segment();
        assertEquals(0, seg.switchDrops()); // every frame flooded reached every other port
        long handed = 0;
        for (FleetBoard b : run.boards()) {
            EmulatedPort p = b.port();
            handed += p.framesHanded();
            if (b.index >= POOL) {
                // Nothing is sent to a board without an address but what the switch floods: the others' DHCP requests and
                // ARP, the server's broadcast replies to them. Its stack only counts each: none is handed to it.
                assertEquals(seg.flooded() - p.framesSent(), p.framesReceived(), "board " + b.index);
                assertEquals(p.framesReceived(), p.framesFiltered(), "board " + b.index);
                assertEquals(0, p.framesHanded(), "board " + b.index);
                assertEquals(p.framesReceived(), b.boot.net().stats().rxFrames(), "board " + b.index);
            }
        }
        // What the boards acted on came from the server (offers, ACKs, ARP replies, OACK, DATA, ERROR): no board's work
        // grows with the number of the others' broadcasts.
        assertTrue(handed <= run.lan().server().port().framesSent(), handed + " frames handed to the boards");
    }

    @Test
    void sparingTheBoardsTheFramesTheirStacksOnlyCountChangesNothingTheyDoOrCount() throws Exception {
        // Faultless (the broadcasts the boards only count left in the segment's log and taken late), lossy (the loss of a
        // frame taken late drawn as it would have been as sent), a switch queue of 4 frames (the DISCOVERs at power-up
        // dropped toward most ports, taken late too), both, and power-up spread over 3 s (the boards still off take the
        // others' frames late as well).
        String[][] variants = {{"", ""}, {"[faults]\nloss = 0.05\n", ""}, {"", "4"}, {"[faults]\nloss = 0.05\n", "4"},
            {"", "", "3000000000"}};
        for (String[] v : variants) {
            FleetBoot.Config c = config();
            String what = v[0].isEmpty() ? "faultless" : v[0].strip().replace('\n', ' ');
            String text = Files.readString(dir.resolve("pool8.scenario"));
            if (!v[1].isEmpty()) {
                text = text.replaceAll("(?m)^tx-queue = .*$", "tx-queue = " + v[1]);
                what += ", tx-queue " + v[1];
            }
            long stagger = v.length > 2 ? Long.parseLong(v[2]) : 0;
            if (stagger > 0) {
                what += ", stagger " + stagger + " ns";
            }
            Scenario sc = ScenarioFile.load(Files.writeString(dir.resolve("variant.scenario"), text + "\n" + v[0]));
            c = new FleetBoot.Config(sc, c.profile(), c.image(), c.boards(), stagger, c.timing(), c.budget());
            FleetBoot.Run spared = FleetBoot.simulate(c, null, true);
            FleetBoot.Run all = FleetBoot.simulate(c, null, false);
            assertEquals(all.end(), spared.end(), what);
            assertEquals(all.lan().wireStats(), spared.lan().wireStats(), what);
            assertEquals(all.lan().dhcp().stats(), spared.lan().dhcp().stats(), what);
            EthernetSegment allSeg = all.lan().segment();
            EthernetSegment sparedSeg = spared.lan().segment();
            assertEquals(allSeg.stats(), sparedSeg.stats(), what);
            assertEquals(allSeg.switchDrops(), sparedSeg.switchDrops(), what);
            assertEquals(allSeg.flooded(), sparedSeg.flooded(), what);
            if (!v[1].isEmpty()) {
                assertTrue(allSeg.switchDrops() > 0, what + ": the switch dropped frames toward the ports");
            }
            assertEquals(all.lan().server().port().framesReceived(), spared.lan().server().port().framesReceived(), what);
            long handedAll = 0;
            long handedSpared = 0;
            long late = 0;
            for (int i = 0; i < BOARDS; i++) {
                FleetBoard a = all.boards().get(i);
                FleetBoard s = spared.boards().get(i);
                String board = "board " + i + ", " + what;
                assertEquals(a.boot.net().stats(), s.boot.net().stats(), board);
                assertEquals(a.boot.lease().retransmissions(), s.boot.lease().retransmissions(), board);
                assertEquals(a.port().framesReceived(), s.port().framesReceived(), board);
                assertEquals(a.port().queuedPeak(), s.port().queuedPeak(), board);
                assertEquals(a.port().framesSent(), s.port().framesSent(), board);
                assertEquals(a.leasedAt, s.leasedAt, board);
                assertEquals(a.requestedAt, s.requestedAt, board);
                assertEquals(a.endedAt, s.endedAt, board);
                assertEquals(a.failure, s.failure, board);
                assertEquals(0, a.port().framesFiltered());
                assertEquals(0, a.port().framesTakenLate());
                handedAll += a.port().framesHanded();
                handedSpared += s.port().framesHanded();
                late += s.port().framesTakenLate();
            }
            assertTrue(handedSpared < handedAll, handedSpared + " against " + handedAll + ", " + what);
            // The others' DHCP requests (broadcast to port 67, where no board listens), the server's replies to the others
            // and ARP naming none of a board's addresses were taken late.
            assertTrue(late > 0, what);
            if (!v[0].isEmpty()) {
                assertTrue(allSeg.stats().droppedByLoss() > 0, what);
            }
        }
    }
}
