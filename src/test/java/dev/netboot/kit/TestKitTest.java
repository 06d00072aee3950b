package dev.netboot.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.emulator.EmulatedPort;
import dev.netboot.emulator.FaultPlan;
import dev.netboot.emulator.Simulation;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashGeometry;
import dev.netboot.link.ForwardingLink;
import dev.netboot.testkit.FlashContract;
import dev.netboot.testkit.LinkContract;
import dev.netboot.wire.MacAddress;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The test kit's contract suites pass what keeps the contract and fail what does not: a flash written from the
 * interface's Javadoc alone passes every test, power-cut sweep included; one whose program raises bits fails the
 * rules; one whose erase does nothing fails the rules and the sweep; a link that hands a port its own frames back
 * fails.
 */
class TestKitTest {
    /** The kit's tests, by name: what a subclass gets. */
    static Set<String> tests(Class<?> kit) {
        return Arrays.stream(kit.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(Test.class)).map(Method::getName)
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    static class GoodFlash extends FlashContract {
        @Override
        protected Flash create(FlashGeometry geometry) {
            return new ArrayFlash(geometry, ArrayFlash.Fault.NONE);
        }

        @Override
        protected int sweepStride() {
            return 16;
        }
    }

    static class RaisingFlash extends GoodFlash {
        @Override
        protected Flash create(FlashGeometry geometry) {
            return new ArrayFlash(geometry, ArrayFlash.Fault.PROGRAM_RAISES_BITS);
        }
    }

    static class ForgetfulFlash extends GoodFlash {
        @Override
        protected Flash create(FlashGeometry geometry) {
            return new ArrayFlash(geometry, ArrayFlash.Fault.ERASE_DOES_NOTHING);
        }
    }

    @Test
    void aFlashThatKeepsTheContractPassesEveryTestSweepIncluded() {
        Launch.Outcome o = Launch.run(GoodFlash.class);
        assertEquals(Map.of(), o.failed());
        assertEquals(tests(FlashContract.class), o.passed());
        assertTrue(tests(FlashContract.class).size() >= 20, "the kit's tests: " + tests(FlashContract.class));
        assertTrue(o.output().contains("power-cut sweep: GoodFlash, two valid images: (plain "), o.output());
    }

    @Test
    void aFlashWhoseProgramRaisesBitsFailsTheRules() {
        Launch.Outcome o = Launch.run(RaisingFlash.class);
        assertTrue(o.failed().keySet().containsAll(Set.of("programNeedingZeroToOneIsRefusedAndChangesNothing", "eraseThenReprogram")),
                o.failed().keySet().toString());
        assertTrue(o.passed().containsAll(Set.of("createdFlashIsErasedAndUnused", "eraseAlignmentViolations")), o.passed().toString());
    }

    @Test
    void aFlashWhoseEraseDoesNothingFailsTheRulesAndTheSweep() {
        Launch.Outcome o = Launch.run(ForgetfulFlash.class);
        assertTrue(o.failed().keySet().containsAll(Set.of("eraseThenReprogram", "eraseTouchesOnlyItsUnits",
                "powerCutAtEveryOperationOfAnUpdateOverTwoValidImages", "powerCutAtEveryOperationFromEveryOtherStateOfTheSlots",
                "powerCutDuringTheRecoveryUpdate", "powerCutWhileTheBootloaderRecordsATrialBoot")), o.failed().keySet().toString());
    }

    static class ZeroedFlash extends GoodFlash {
        @Override
        protected Flash create(FlashGeometry geometry) {
            return new ArrayFlash(geometry, ArrayFlash.Fault.CREATED_ZEROED);
        }
    }

    static class ZeroingEraseFlash extends GoodFlash {
        @Override
        protected Flash create(FlashGeometry geometry) {
            return new ArrayFlash(geometry, ArrayFlash.Fault.ERASE_WRITES_ZEROS);
        }
    }

    /**
     * A driver's author reads why the kit failed their flash: the rule it broke, in words, not only the index of the
     * first byte that differs. A new flash that is not erased, and an erase that leaves another value than the
     * geometry's erased one, or none, are named as such.
     */
    @Test
    void aBrokenRuleIsNamedInTheFailure() {
        Map<String, Throwable> zeroed = Launch.run(ZeroedFlash.class).failed();
        assertTrue(zeroed.get("createdFlashIsErasedAndUnused").getMessage()
                .startsWith("create() returns an erased flash: every byte reads the erased value 0xff"), zeroed.toString());
        Map<String, Throwable> zeroing = Launch.run(ZeroingEraseFlash.class).failed();
        assertTrue(zeroing.get("eraseTouchesOnlyItsUnits").getMessage()
                .startsWith("erase(0x2000, 0x2000) sets units 2 and 3 to the erased value 0xff and changes no other byte"), zeroing.toString());
        assertTrue(zeroing.get("erasedValueComesFromGeometry").getMessage()
                .startsWith("an erase sets its unit to the geometry's erased value 0xa5"), zeroing.toString());
        assertTrue(zeroing.get("eraseThenReprogram").getMessage().startsWith("an erased unit reads the erased value 0xff"),
                zeroing.toString());
        Map<String, Throwable> forgetful = Launch.run(ForgetfulFlash.class).failed();
        assertTrue(forgetful.get("eraseTouchesOnlyItsUnits").getMessage()
                .startsWith("erase(0x2000, 0x2000) sets units 2 and 3 to the erased value 0xff and changes no other byte"), forgetful.toString());
    }

    /** A port that also hands every frame it sends back to itself, as a loop or a misconfigured bridge would. */
    static final class EchoingPort extends ForwardingLink {
        private final ArrayDeque<byte[]> echoes = new ArrayDeque<>();

        EchoingPort(EmulatedPort inner) {
            super(inner);
        }

        @Override
        public boolean receive(long now, FrameHandler handler) {
            byte[] echo = echoes.poll();
            if (echo == null) {
                return inner.receive(now, handler);
            }
            handler.onFrame(now, ByteBuffer.wrap(echo), echo.length);
            return true;
        }

        @Override
        public boolean transmit(long now, int length, FrameFiller filler) {
            return inner.transmit(now, length, (buf, len) -> {
                filler.fill(buf, len);
                byte[] copy = new byte[len];
                buf.get(0, copy);
                echoes.add(copy);
            });
        }

        @Override
        public long pollAt() {
            return echoes.isEmpty() ? inner.pollAt() : Long.MIN_VALUE;
        }
    }

    static class EchoingLink extends LinkContract {
        @Override
        protected LinkPair pair() {
            var segment = new Simulation().newSegment(100_000, FaultPlan.NONE, 1);
            return LinkPair.virtualTime(new EchoingPort(segment.attach(MacAddress.parse("02:00:00:00:00:0a"))),
                    new EchoingPort(segment.attach(MacAddress.parse("02:00:00:00:00:0b"))));
        }
    }

    @Test
    void aLinkThatHandsAPortItsOwnFramesFails() {
        Launch.Outcome o = Launch.run(EchoingLink.class);
        assertTrue(o.failed().containsKey("aPortIsNotHandedItsOwnFramesBack"), o.failed().keySet().toString());
        assertTrue(o.passed().containsAll(Set.of("theMacAddressIsUnicastStableAndEachPortsOwn", "theMtuCarriesABoot")),
                o.passed().toString());
    }
}
