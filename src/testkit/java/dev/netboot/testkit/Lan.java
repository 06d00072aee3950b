package dev.netboot.testkit;

import dev.netboot.flash.FlashTiming;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares the emulated LAN the tests of a class (or one test method, which then wins) boot on, for
 * {@link NetbootExtension}: which scenario (servers, relay, faults, the boot file), which board profile, and the
 * flash's timing. Each test gets a LAN of its own, built afresh.
 *
 * <pre>{@code
 * @ExtendWith(NetbootExtension.class)
 * @Lan(scenario = "relay", loss = 0.05, seed = 7)
 * class RelayTest {
 *     @Test
 *     void bootsThroughTheRelay(TestLan lan, TestBoard board) {
 *         byte[] image = lan.serve(TestLan.image(300_000, 1));
 *         assertEquals(TestLan.sha256(image), board.booted().sha256());
 *     }
 * }
 * }</pre>
 *
 * Without the annotation: the default scenario and {@code spi-nor-16m}. A LAN built in code instead:
 * {@code @RegisterExtension static NetbootExtension lan = NetbootExtension.of(scenario, profile);}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Lan {
    /**
     * The scenario: a shipped one by name ({@link Shipped#SCENARIOS}: "default", "relay", "proxy", ...), a class-path
     * resource, or a file in the emulator's scenario format. Default: "default".
     */
    String scenario() default "default";

    /** The boards' profile: a shipped one by name ({@link Shipped#PROFILES}), a class-path resource, or a file. */
    String profile() default "spi-nor-16m";

    /** The seed every random choice derives from; negative (the default) keeps the scenario's. */
    long seed() default -1;

    /** The probability that the segment loses a frame, 0..1; negative (the default) keeps the scenario's. */
    double loss() default -1;

    /** Which of the profile's datasheet times the flash takes, in virtual time. */
    FlashTiming.Mode flashTiming() default FlashTiming.Mode.TYPICAL;
}
