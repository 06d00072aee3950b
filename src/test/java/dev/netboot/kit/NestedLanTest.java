package dev.netboot.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netboot.device.DeviceProfile;
import dev.netboot.emulator.Scenario;
import dev.netboot.flash.FlashTiming;
import dev.netboot.testkit.Lan;
import dev.netboot.testkit.NetbootExtension;
import dev.netboot.testkit.TestBoard;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A {@link Lan} on a class holds for the tests of its {@code @Nested} classes too, as JUnit's own extensions registered
 * on a class do; the nearest declaration wins (a nested class's own, then the method's over both). Expected values are
 * what the annotations say: the profile named and the scenario's seed.
 */
@ExtendWith(NetbootExtension.class)
@Lan(profile = "nand-128m", seed = 11, flashTiming = FlashTiming.Mode.NONE)
class NestedLanTest {
    @Nested
    class WithoutItsOwn {
        @Test
        void bootsTheEnclosingClassesLan(TestBoard board, Scenario scenario) {
            assertEquals("nand-128m", board.profile().name());
            assertEquals(11, scenario.seed());
        }

        @Nested
        class TwoDeep {
            @Test
            void stillTheOutermostLan(DeviceProfile profile, Scenario scenario) {
                assertEquals("nand-128m", profile.name());
                assertEquals(11, scenario.seed());
            }
        }
    }

    @Nested
    @Lan(profile = "spi-nor-64m", seed = 12, flashTiming = FlashTiming.Mode.NONE)
    class WithItsOwn {
        @Test
        void itsOwnWins(DeviceProfile profile, Scenario scenario) {
            assertEquals("spi-nor-64m", profile.name());
            assertEquals(12, scenario.seed());
        }

        @Test
        @Lan(profile = "spi-nor-16m", seed = 13, flashTiming = FlashTiming.Mode.NONE)
        void theMethodsWinsOverAll(DeviceProfile profile, Scenario scenario) {
            assertEquals("spi-nor-16m", profile.name());
            assertEquals(13, scenario.seed());
        }
    }
}
