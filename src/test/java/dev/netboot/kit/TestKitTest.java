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
 * fails, one that duplicates or loses frames is told which, and one whose transmit waits for room fails.
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

    static class PagelessFlash extends GoodFlash {
        @Override
        protected Flash create(FlashGeometry geometry) {
            return new ArrayFlash(geometry, ArrayFlash.Fault.PROGRAM_IGNORES_PAGES);
        }
    }

    static class UnclosableFlash extends GoodFlash {
        @Override
        protected Flash create(FlashGeometry geometry) {
            return new ArrayFlash(geometry, ArrayFlash.Fault.CLOSE_DOES_NOTHING);
        }
    }

    static class SharedCountsFlash extends GoodFlash {
        @Override
        protected Flash create(FlashGeometry geometry) {
            return new ArrayFlash(geometry, ArrayFlash.Fault.ERASE_COUNTS_SHARED);
        }
    }

    @Test
    void aFlashHandingOutItsOwnEraseCountersFails() {
        // Flash.eraseCounts(): "a fresh copy". Before, the kit never changed what it was handed, so this passed.
        Map<String, Throwable> shared = Launch.run(SharedCountsFlash.class).failed();
        assertEquals(Set.of("eraseCountsPerUnitAndNoBadUnitsOnAFreshChip"), shared.keySet(), shared.toString());
        assertTrue(shared.get("eraseCountsPerUnitAndNoBadUnitsOnAFreshChip").getMessage().startsWith("eraseCounts() returns a fresh"
                + " copy: a change to it is not the flash's ==> array contents differ at index [1], expected: <1> but was: <99>"),
                shared.toString());
    }

    static class UncountedFlash extends GoodFlash {
        @Override
        protected Flash create(FlashGeometry geometry) {
            return new ArrayFlash(geometry, ArrayFlash.Fault.STATS_COUNT_NOTHING);
        }
    }

    /**
     * A driver that carries out what it should refuse, or does not count, is told which call and which rule, not only
     * JUnit's "Expected FlashException to be thrown, but nothing was thrown" or "expected: <3> but was: <0>". The rules
     * geometry is 64 KiB of 4 KiB units and 256-byte pages, so the first refused call of each rule is worked out here.
     */
    @Test
    void aRefusalOrACountTheDriverMissedIsNamedWithItsCall() {
        Map<String, Throwable> raising = Launch.run(RaisingFlash.class).failed();
        assertEquals("program(0x200, {0x0e, 0x00, 0x1f}) over 0x0f 0x0f 0x0f needs bit 4 of its third byte to go 0 -> 1, which only an"
                + " erase does: expected FlashException NOT_ERASED ==> Expected dev.netboot.flash.FlashException to be thrown, but nothing"
                + " was thrown.", raising.get("programNeedingZeroToOneIsRefusedAndChangesNothing").getMessage());
        assertTrue(raising.get("eraseThenReprogram").getMessage().startsWith("program(0x1000, {0x01}) over a programmed 0x00 needs a bit"
                + " to go 0 -> 1, which only an erase does: expected FlashException NOT_ERASED"), raising.toString());
        Map<String, Throwable> pageless = Launch.run(PagelessFlash.class).failed();
        assertEquals(Set.of("programCrossingPageIsRefused"), pageless.keySet(), pageless.toString());
        assertTrue(pageless.get("programCrossingPageIsRefused").getMessage()
                .startsWith("program(0xfc, 8 bytes) crosses a page: expected FlashException CROSSES_PAGE"), pageless.toString());
        Map<String, Throwable> unclosable = Launch.run(UnclosableFlash.class).failed();
        assertEquals(Set.of("closedFlashRefusesEveryOperation"), unclosable.keySet(), unclosable.toString());
        assertTrue(unclosable.get("closedFlashRefusesEveryOperation").getMessage()
                .startsWith("read(0x0, 1 byte) after close(): expected FlashException STATE"), unclosable.toString());
        Map<String, Throwable> uncounted = Launch.run(UncountedFlash.class).failed();
        assertTrue(uncounted.get("programIsAndOfOldAndNew").getMessage()
                .startsWith("stats().programs() counts each program call (three here) ==> expected: <3> but was: <0>"), uncounted.toString());
        assertTrue(uncounted.get("eraseRangeViolations").getMessage().startsWith("stats().erases() counts erase units: erase(0x0, 0x10000)"
                + " of the whole chip erases 16 of them ==> expected: <16> but was: <0>"), uncounted.toString());
        assertTrue(uncounted.get("statsCountEraseUnitsAndProgrammedBytes").getMessage().startsWith("after erase(0x1000, 0x3000),"
                + " erase(0x0, 0x1000), programs of 128 and 256 bytes and one read, stats() counts 4 erase units"), uncounted.toString());
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

    /** A port with one fault of its own: it sends {@code copies} of every frame, loses every {@code loseEvery}-th, or
     * waits for room once {@code room} frames are out (as a blocking socket's send does) until it is closed. */
    static final class FaultyPort extends ForwardingLink implements AutoCloseable {
        private final int copies;
        private final int loseEvery;
        private final int room;
        private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        private int sent;

        FaultyPort(EmulatedPort inner, int copies, int loseEvery, int room) {
            super(inner);
            this.copies = copies;
            this.loseEvery = loseEvery;
            this.room = room;
        }

        @Override
        public boolean transmit(long now, int length, FrameFiller filler) {
            sent++;
            if (sent > room) {
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return false;
            }
            if (loseEvery > 0 && sent % loseEvery == 0) {
                return true;
            }
            for (int i = 0; i < copies; i++) {
                inner.transmit(now, length, filler);
            }
            return true;
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    static LinkContract.LinkPair faultyPair(int copies, int loseEvery, int room) {
        var segment = new Simulation().newSegment(100_000, FaultPlan.NONE, 1);
        return LinkContract.LinkPair.virtualTime(
                new FaultyPort(segment.attach(MacAddress.parse("02:00:00:00:00:0a")), copies, loseEvery, room),
                new FaultyPort(segment.attach(MacAddress.parse("02:00:00:00:00:0b")), copies, loseEvery, room));
    }

    static class DuplicatingLink extends LinkContract {
        @Override
        protected LinkPair pair() {
            return faultyPair(2, 0, Integer.MAX_VALUE);
        }
    }

    static class LosingLink extends LinkContract {
        @Override
        protected LinkPair pair() {
            return faultyPair(1, 5, Integer.MAX_VALUE);
        }
    }

    static class BlockingLink extends LinkContract {
        @Override
        protected LinkPair pair() {
            return faultyPair(1, 0, 20);
        }
    }

    @Test
    void aLinkThatDuplicatesOrLosesFramesIsToldSoNotThatAFrameCameBroken() {
        // The kit numbers its frames in the order it sends them (bytes 18..21). Before, a duplicate or a loss in the 16
        // frames in order read "frame 1 of 16: the frame arrives whole, byte for byte ==> array lengths differ".
        Map<String, Throwable> duplicating = Launch.run(DuplicatingLink.class).failed();
        assertEquals("frame 1 of 16: the link handed over the test's frame #0 where #1 was due (numbered as sent):"
                + " an earlier frame again, duplicated, or one held back and reordered",
                duplicating.get("framesArriveInTheOrderSent").getMessage());
        Map<String, Throwable> losing = Launch.run(LosingLink.class).failed();
        assertEquals("frame 4 of 16: the link handed over the test's frame #5 where #4 was due (numbered as sent): a later one,"
                + " #4 lost or reordered behind it", losing.get("framesArriveInTheOrderSent").getMessage());
    }

    @Test
    void aLinkWhoseTransmitWaitsForRoomFails() {
        // Link: "Nothing on this interface blocks"; out of room, transmit returns false. Before, the kit only timed
        // receive, so a transmit that waited for room passed every test.
        Launch.Outcome o = Launch.run(BlockingLink.class);
        assertEquals(Set.of("transmitDoesNotBlock"), o.failed().keySet(), o.failed().toString());
        assertTrue(o.failed().get("transmitDoesNotBlock").getMessage().startsWith("transmit returns at once, true or false"
                + " (no room): 100 calls within PT2S ==> execution timed out after 2000 ms"), o.failed().toString());
    }
}
