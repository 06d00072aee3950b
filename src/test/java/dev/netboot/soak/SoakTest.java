package dev.netboot.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.BootObserver;
import dev.netboot.device.DeviceProfile;
import dev.netboot.emulator.EmulatedBoot;
import dev.netboot.emulator.FaultPlan;
import dev.netboot.emulator.Scenario;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.Flashes;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A slice of the soak ({@code bench/soak.sh N} runs it whole): 300 seeded boards over random mixes of faults on
 * every shipped profile, none of them breaking a rule; and the rules themselves catch a board that commits bytes
 * it was not served.
 */
class SoakTest {
    static final Soak SOAK = new Soak(Path.of("device-profiles"));

    @Test
    void threeHundredRunsOverRandomMixesOfFaultsBreakNoRule() throws Exception {
        List<Soak.Run> runs = SOAK.runAll(1, 300, 2);
        String report = Soak.report(runs, 0, 2);
        assertEquals(List.of(), runs.stream().filter(r -> r.outcome() == Soak.Outcome.VIOLATION).map(r -> r.seed() + ": " + r.detail())
                .toList(), report);
        // The slice covers what it claims: every shipped profile, every fault kind, both ends.
        assertEquals(Set.copyOf(DeviceProfile.available(Path.of("device-profiles"))),
                runs.stream().map(Soak.Run::profile).collect(Collectors.toSet()), report);
        Set<String> kinds = runs.stream().flatMap(r -> r.mix().kinds().stream()).collect(Collectors.toSet());
        for (String k : List.of("loss", "duplicate", "reorder", "jitter", "corrupt", "tamper", "link-down", "background", "flood",
                "rogue-dhcp", "power-cut", "signed", "image < 1 KiB", "tftp stall", "tftp sorcerers-apprentice")) {
            assertTrue(kinds.contains(k), k + " never drawn: " + report);
        }
        assertTrue(runs.stream().filter(r -> r.outcome() == Soak.Outcome.BOOTED).count() > 100, report);
        assertTrue(runs.stream().filter(r -> r.outcome() == Soak.Outcome.FAILED_CLEANLY).count() > 50, report);
    }

    /**
     * Runs the 10,000-run soak found breaking a rule, fixed since: the emulated server made a short last block 4 bytes
     * longer (a refused OACK, then a plain transfer without tsize), and the board committed them.
     */
    @Test
    void runsThatOnceViolatedNowKeepTheRules() {
        for (long seed : new long[] {5823, 8030}) {
            Soak.Run r = SOAK.run(seed);
            assertTrue(r.mix().kinds().contains("tftp oversize"), r.mix().kinds().toString());
            assertEquals(Soak.Outcome.BOOTED, r.outcome(), seed + ": " + r.detail());
        }
    }

    @Test
    void aSeedRepeatsItsRun() {
        Soak.Run a = SOAK.run(42);
        Soak.Run b = SOAK.run(42);
        assertEquals(a.mix(), b.mix());
        assertEquals(a.outcome(), b.outcome());
        assertEquals(a.detail(), b.detail());
        assertEquals(a.virtualNanos(), b.virtualNanos());
    }

    /** An unsigned board cannot tell tampered bytes: it commits them, and the soak's rules call that a violation. */
    @Test
    void theRulesCatchACommittedImageThatIsNotTheServedOne() throws Exception {
        DeviceProfile p = SOAK.profiles().getFirst();
        SplittableRandom r = new SplittableRandom(7);
        byte[] v1 = new byte[4096];
        byte[] v2 = new byte[200_000];
        r.nextBytes(v1);
        r.nextBytes(v2);
        Flash flash = Flashes.open(p.chip(), null, 7);
        EmulatedBoot.run(new EmulatedBoot.Config(Scenario.DEFAULT, p, v1, flash, null, new BootObserver() {
        }, FlashTiming.Mode.NONE));
        EmulatedBoot.Result res = EmulatedBoot.run(new EmulatedBoot.Config(Scenario.DEFAULT.withFaults(FaultPlan.NONE.withTamper(0.02)),
                p, v2, flash, null, new BootObserver() {
                }, FlashTiming.Mode.NONE));
        String why = Soak.check(p, flash, res, v1, v2, false);
        assertNotNull(why);
        assertTrue(why.startsWith("done, but slot B does not hold the served image"), why);
        // The same check passes the same boot without tampering.
        Flash clean = Flashes.open(p.chip(), null, 7);
        EmulatedBoot.run(new EmulatedBoot.Config(Scenario.DEFAULT, p, v1, clean, null, new BootObserver() {
        }, FlashTiming.Mode.NONE));
        EmulatedBoot.Result ok = EmulatedBoot.run(new EmulatedBoot.Config(Scenario.DEFAULT, p, v2, clean, null, new BootObserver() {
        }, FlashTiming.Mode.NONE));
        assertEquals(null, Soak.check(p, clean, ok, v1, v2, false));
    }
}
