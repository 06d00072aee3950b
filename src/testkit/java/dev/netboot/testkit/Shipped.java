package dev.netboot.testkit;

import dev.netboot.device.ConfigException;
import dev.netboot.device.DeviceProfile;
import dev.netboot.emulator.Scenario;
import dev.netboot.emulator.ScenarioFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The device profiles and emulator scenarios netboot ships (device-profiles/*.profile, emulator/*.scenario), carried
 * in the test kit, and the lookup {@link Lan} uses: a shipped name, else a class-path resource, else a file.
 */
public final class Shipped {
    /** The shipped profiles' names. */
    public static final List<String> PROFILES = List.of("spi-nor-16m", "spi-nor-64m", "nand-128m");
    /** The shipped scenarios' names. */
    public static final List<String> SCENARIOS = List.of("default", "bootp", "proxy", "two-servers", "conflict", "short-lease",
            "rogue-dhcp", "relay", "fleet", "fleet-servers");

    private Shipped() {
    }

    /**
     * Returns a profile: a shipped one by name ({@code spi-nor-16m}), a class-path resource ({@code boards/my.profile}), or a
     * file.
     *
     * @throws ConfigException when it is none of these, or is not a valid profile
     */
    public static DeviceProfile profile(String nameOrPath) {
        String shipped = "dev/netboot/testkit/profiles/" + nameOrPath + ".profile";
        String text = read(PROFILES.contains(nameOrPath) ? shipped : nameOrPath, "profile", PROFILES);
        return DeviceProfile.parse(text, PROFILES.contains(nameOrPath) ? nameOrPath + DeviceProfile.SUFFIX : nameOrPath);
    }

    /**
     * Returns a scenario: a shipped one by name ({@code relay}), a class-path resource, or a file.
     *
     * @throws ConfigException when it is none of these, or is not a valid scenario
     */
    public static Scenario scenario(String nameOrPath) {
        String shipped = "dev/netboot/testkit/scenarios/" + nameOrPath + ".scenario";
        String text = read(SCENARIOS.contains(nameOrPath) ? shipped : nameOrPath, "scenario", SCENARIOS);
        return ScenarioFile.parse(text, SCENARIOS.contains(nameOrPath) ? nameOrPath + ".scenario" : nameOrPath);
    }

    private static String read(String where, String what, List<String> names) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(where)) {
            if (in != null) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Path file = Path.of(where);
            if (Files.isRegularFile(file)) {
                return Files.readString(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new ConfigException("no " + what + " '" + where + "': not a shipped one (" + String.join(", ", names)
                + "), a class-path resource or a file");
    }
}
