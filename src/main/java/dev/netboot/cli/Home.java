package dev.netboot.cli;

import java.nio.file.Files;
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
     * Returns null when {@code --scenario FILE} may be read, else the one line why not when it is plainly not there: "--scenario
     * relay: no such file (did you mean .../emulator/relay.scenario?)" when a shipped scenario has that name, with or without
     * its {@code .scenario} (the commands ran it from another folder, or named it as a profile is named). The reader says
     * every other problem itself, at the file.
     */
    static String missingScenario(Path file) {
        if (file == null || !Files.notExists(file)) {
            return null;
        }
        Path name = file.getFileName();
        String hint = "";
        if (name != null) {
            Path shipped = dir().resolve("emulator").resolve(name.toString().endsWith(".scenario") ? name.toString()
                    : name + ".scenario");
            if (Files.isRegularFile(shipped) && !shipped.toAbsolutePath().equals(file.toAbsolutePath())) {
                hint = " (did you mean " + shipped + "?)";
            }
        }
        return "--scenario " + file + ": no such file" + hint;
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
