package dev.netboot.cli;

import java.nio.file.Path;

/**
 * Finds the netboot installation folder, where {@code device-profiles/} and {@code emulator/} live:
 * the {@code netboot.home} system property (the launcher sets it), else the current directory.
 */
final class Home {
    private Home() {
    }

    static Path dir() {
        String home = System.getProperty("netboot.home");
        return home == null || home.isBlank() ? Path.of("").toAbsolutePath() : Path.of(home);
    }

    static Path profiles() {
        return dir().resolve("device-profiles");
    }

    static Path defaultScenario() {
        return dir().resolve("emulator").resolve("default.scenario");
    }
}
