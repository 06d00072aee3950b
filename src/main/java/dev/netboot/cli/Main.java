package dev.netboot.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The {@code netboot} command. Exit status: 0 success, 1 the operation failed, 2 a usage or profile
 * error.
 *
 * <p>This class names no picocli type, not even in a signature or a lambda: the JVM's AOT cache cannot
 * keep picocli's Java 5 class files, so every picocli class the main class's verification names is
 * loaded from the jar at start, and opening the jar costs a short {@code tftp get} about a tenth of its
 * run (issue 11). The command line that takes the short road ({@link FastPath}) never opens the jar;
 * every other goes to {@link NetbootCommand}.
 */
public final class Main {
    /** Exit status of a failed operation. */
    public static final int EXIT_FAILED = 1;
    /** Exit status of a usage or profile error. */
    public static final int EXIT_USAGE = 2;

    private Main() {
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        int status = run(args);
        if (System.out.checkError()) {
            status = lostOutput(status);
        }
        // Success returns from main instead (nothing else runs: single-threaded): System.exit starts the JDK's
        // logging to log the exit, 5-10 ms of a run that should take as long as a native tool's (issue 11).
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs the command line and returns its exit status (for tests). */
    public static int run(String... args) {
        // tftp get/put and --version start without picocli's reflection when the line is plainly well formed (issue 11).
        Integer quick = FastPath.run(args);
        if (quick != null) {
            return quick;
        }
        return NetbootCommand.execute(args);
    }

    /**
     * Says, when standard output could not be written, that what the command printed is lost, and returns 1 where the
     * command succeeded: a file on a full disk ({@code --json > result.json}), /dev/full. Java's System.out keeps such
     * an error to itself, and the run ended in 0 with an empty file. A pipe or socket whose reader left ({@code | head})
     * is the reader's choice, as for any tool: nothing is said there.
     */
    static int lostOutput(int status) {
        String target;
        try {
            target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            target = null;
        }
        if (target != null && (target.startsWith("pipe:") || target.startsWith("socket:"))) {
            return status;
        }
        System.err.println("netboot: standard output" + (target == null ? "" : " " + Shown.text(target)) + ": write error (a full disk, or a device"
                + " that takes nothing): what the command printed is lost");
        return status == 0 ? EXIT_FAILED : status;
    }

    /** Returns what {@code --version} prints: "netboot 0.1.0 on Java 25.0.3+9-LTS". */
    static String versionLine() {
        return "netboot " + version() + " on Java " + Runtime.version();
    }

    /** Returns the version the build wrote into version.properties, or "unknown" if it is missing. */
    static String version() {
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
