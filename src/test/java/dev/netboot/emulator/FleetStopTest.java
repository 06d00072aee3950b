package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netboot.device.DeviceProfile;
import dev.netboot.flash.FlashTiming;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A fleet asked to stop ({@link FleetBoot.Progress#stopping}, what {@code netboot fleet} does on SIGINT or SIGTERM) ends
 * after the sample that asked, and reports the run so far. Before, Ctrl-C ended a fleet without a word: an hour's run of
 * 10,000 boards left nothing. Worked out from the README: the first sample ends at 10 ms of virtual time, and a board takes
 * 0.4 s to get its address (the DHCP exchange and the RFC 5227 probe), so all are still leasing then.
 */
class FleetStopTest {
    @Test
    void aFleetAskedToStopReportsTheRunSoFar() {
        Scenario sc = ScenarioFile.load(Path.of("emulator/fleet.scenario"));
        DeviceProfile p = DeviceProfile.load(Path.of("device-profiles/spi-nor-16m.profile"));
        FleetBoot.Config c = new FleetBoot.Config(sc, p, ServedFile.of(new byte[64 * 1024]), 5, 0, FlashTiming.Mode.NONE, 3_600_000_000_000L);
        int[] asked = new int[1];
        FleetReport r = FleetBoot.run(c, new FleetBoot.Progress() {
            @Override
            public void at(long now, int boards, int booted, int ended) {
            }

            @Override
            public boolean stopping() {
                asked[0]++;
                return true;
            }
        });
        assertEquals(1, asked[0]);
        assertEquals(FleetBoot.SAMPLE_NANOS, r.simulatedNanos());
        assertEquals(0, r.booted());
        assertEquals(Map.of("unfinished: still leasing when the run ended", 5), r.failures());
    }
}
