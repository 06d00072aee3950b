package dev.netboot.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.bootp.BootpConfig;
import dev.netboot.flash.SimulatedNorFlash;
import dev.netboot.link.WaitableLink;
import dev.netboot.net.NetConfig;
import dev.netboot.net.ScriptedLink;
import dev.netboot.wire.MacAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The real-time loop on a fake clock: it waits on the link exactly until the boot's next deadline (no
 * spinning, no sleeping), stops when the boot ends, and gives up at the wall-time bound.
 */
class RealTimeBootTest {
    static final long SEC = ScriptedLink.SEC;
    static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:42");

    /** A silent link whose waits move a fake clock forward by the whole timeout, recording each wait. */
    static final class FakeWire implements WaitableLink {
        final ScriptedLink inner = new ScriptedLink(MAC);
        final List<Long> waits = new ArrayList<>();
        long clock = 1_000 * SEC; // an arbitrary origin: the driver's time starts at 0 anyway

        @Override
        public boolean awaitFrame(long timeoutNanos) {
            waits.add(timeoutNanos);
            clock += timeoutNanos;
            return false;
        }

        @Override
        public MacAddress macAddress() {
            return inner.macAddress();
        }

        @Override
        public int mtu() {
            return inner.mtu();
        }

        @Override
        public boolean receive(long now, FrameHandler handler) {
            return inner.receive(now, handler);
        }

        @Override
        public boolean transmit(long now, int length, FrameFiller filler) {
            return inner.transmit(now, length, filler);
        }
    }

    static BootSequence boot(WaitableLink link, BootpConfig bootp) {
        DeviceProfile p = DeviceProfile.load(Path.of("device-profiles/spi-nor-16m.profile")).withBootp(bootp);
        return new BootSequence(link, MAC, p, NetConfig.DEFAULTS, SimulatedNorFlash.inMemory(p.flash()),
                new SplittableRandom(1), new BootObserver() { });
    }

    @Test
    void givesTheWaitForTheLeaseToIdleWorkInSlicesAndKeepsTheDeadlines() {
        FakeWire wire = new FakeWire();
        BootpConfig bootp = new BootpConfig(SEC, 4 * SEC, 0, 10 * SEC); // requests at 0, 1, 3, 7 s; gives up at 10 s
        List<Long> slices = new ArrayList<>();
        RealTimeBoot.Result r = RealTimeBoot.run(boot(wire, bootp), wire, 600 * SEC, () -> wire.clock, budget -> {
            slices.add(budget);
            wire.clock += budget;      // works its whole slice
            return slices.size() < 5;  // then has nothing more to do
        });

        assertEquals(10 * SEC, r.elapsedNanos(), "the deadlines are kept");
        assertEquals(List.of(2_000_000L, 2_000_000L, 2_000_000L, 2_000_000L, 2_000_000L), slices, "five slices of 2 ms");
        assertEquals(List.of(SEC - 10_000_000, 2 * SEC, 4 * SEC, 3 * SEC), wire.waits, "the rest of the first wait, then as before");
        assertEquals(4, wire.inner.takeTx().size(), "four DHCPDISCOVERs, on time");
    }

    @Test
    void idleWorkThatThrowsIsDroppedAndTheBootGoesOn() {
        FakeWire wire = new FakeWire();
        BootpConfig bootp = new BootpConfig(SEC, 4 * SEC, 0, 10 * SEC);
        int[] calls = {0};
        RealTimeBoot.Result r = RealTimeBoot.run(boot(wire, bootp), wire, 600 * SEC, () -> wire.clock, budget -> {
            calls[0]++;
            wire.clock += budget;
            throw new IllegalStateException("the warm-up broke");
        });

        assertEquals(1, calls[0], "called once, then dropped");
        assertEquals(10 * SEC, r.elapsedNanos());
        assertEquals(List.of(SEC - 2_000_000, 2 * SEC, 4 * SEC, 3 * SEC), wire.waits);
        BootFailure f = assertInstanceOf(BootSequence.State.Failed.class, r.state()).failure();
        assertEquals("dhcp", f.stage(), "the boot ends as it would have: BOOTP gave up, nothing else");
    }

    @Test
    void waitsUntilEachBootpDeadlineAndEndsWhenBootpGivesUp() {
        FakeWire wire = new FakeWire();
        BootpConfig bootp = new BootpConfig(SEC, 4 * SEC, 0, 10 * SEC); // requests at 0, 1, 3, 7 s; gives up at 10 s
        RealTimeBoot.Result r = RealTimeBoot.run(boot(wire, bootp), wire, 600 * SEC, () -> wire.clock);

        BootFailure f = assertInstanceOf(BootSequence.State.Failed.class, r.state()).failure();
        assertEquals("dhcp", f.stage());
        assertFalse(r.gaveUp());
        assertEquals(10 * SEC, r.elapsedNanos());
        assertEquals(List.of(SEC, 2 * SEC, 4 * SEC, 3 * SEC), wire.waits, "one wait per deadline, each exactly to it");
        assertEquals(4, wire.inner.takeTx().size(), "four DHCPDISCOVERs");
    }

    @Test
    void givesUpAtTheWallTimeBound() {
        FakeWire wire = new FakeWire();
        RealTimeBoot.Result r = RealTimeBoot.run(boot(wire, BootpConfig.DEFAULTS), wire, 2_500_000_000L, () -> wire.clock);
        assertTrue(r.gaveUp());
        assertInstanceOf(BootSequence.State.Leasing.class, r.state());
        assertEquals(2_500_000_000L, r.elapsedNanos());
        assertEquals(2_500_000_000L, wire.waits.stream().mapToLong(Long::longValue).sum(), "never waits past the bound");
    }
}
