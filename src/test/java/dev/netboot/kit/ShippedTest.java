package dev.netboot.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netboot.device.DeviceProfile;
import dev.netboot.emulator.ScenarioFile;
import dev.netboot.testkit.Shipped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The test kit carries every profile in device-profiles/ and every scenario in emulator/ (the build copies them all
 * into its jar), and README says a test names them by their shipped name: each one found in those folders must load
 * by its file name, and be the same as the file.
 */
class ShippedTest {
    private static List<String> names(String dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(Path.of(dir))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix))
                    .map(n -> n.substring(0, n.length() - suffix.length())).sorted().toList();
        }
    }

    @Test
    void everyScenarioInTheEmulatorFolderLoadsByItsName() throws IOException {
        List<String> names = names("emulator", ".scenario");
        assertEquals(10, names.size(), "emulator/ holds " + names);
        for (String name : names) {
            assertEquals(ScenarioFile.load(Path.of("emulator", name + ".scenario")), Shipped.scenario(name), name);
        }
        assertEquals(names, Shipped.SCENARIOS.stream().sorted().toList(), "Shipped.SCENARIOS names every shipped scenario");
    }

    @Test
    void everyProfileInTheProfilesFolderLoadsByItsName() throws IOException {
        List<String> names = names("device-profiles", DeviceProfile.SUFFIX);
        assertEquals(3, names.size(), "device-profiles/ holds " + names);
        for (String name : names) {
            assertEquals(DeviceProfile.load(Path.of("device-profiles", name + DeviceProfile.SUFFIX)), Shipped.profile(name), name);
        }
        assertEquals(names, Shipped.PROFILES.stream().sorted().toList(), "Shipped.PROFILES names every shipped profile");
    }
}
