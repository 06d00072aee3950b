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

    /**
     * True when a person is watching: standard input and output are a terminal, as {@link java.io.Console#isTerminal()}
     * says. The launcher tells with {@code -Dnetboot.terminal=true|false} (bash's {@code [ -t 0 ] && [ -t 1 ]});
     * asking {@link System#console()} runs a service lookup over every module and the class path first, milliseconds
     * of a run that should start like a native tool's (issue 11).
     */
    static boolean terminal() {
        String told = System.getProperty("netboot.terminal");
        if (told != null) {
            return told.equals("true");
        }
        return System.console() != null && System.console().isTerminal();
    }
}
