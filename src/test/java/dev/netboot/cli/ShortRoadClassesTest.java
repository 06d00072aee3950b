package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command lines of the short road ({@link FastPath}) load no picocli class, not even one the JVM's verifier
 * would name: the AOT cache cannot keep picocli's Java 5 class files, so each such class is read from the jar at
 * start, and opening the jar cost a 1-byte {@code tftp get} about a tenth of its run (issue 11). Each command runs
 * in a JVM of its own that logs every class it loads (no AOT cache, so nothing is preloaded).
 */
class ShortRoadClassesTest {
    @TempDir
    Path dir;

    @Test
    void theShortRoadLoadsNoPicocliClass() throws Exception {
        int closed;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // free once closed: the get fails at once on ICMP port unreachable
        }
        String got = dir.resolve("f.bin").toString();
        assertEquals(List.of(), picocliClasses(0, "--version"));
        assertEquals(List.of(), picocliClasses(0, "tftp", "--help"));
        assertEquals(List.of(), picocliClasses(0, "boot", "--help"));
        assertEquals(List.of(), picocliClasses(Main.EXIT_FAILED, "tftp", "get", "127.0.0.1:" + closed, "f.bin", got, "--blksize", "1428"));
        Path up = Files.write(dir.resolve("up.bin"), new byte[] {1, 2, 3});
        assertEquals(List.of(), picocliClasses(Main.EXIT_FAILED, "tftp", "put", "127.0.0.1:" + closed, up.toString()));
        // The log does name picocli's classes when picocli reads the line (a plain 'tftp' is its to refuse).
        assertTrue(picocliClasses(Main.EXIT_USAGE, "tftp").contains("picocli.CommandLine"));
    }

    /** Runs {@code netboot args} in a child JVM; returns the picocli classes it loaded, after checking its exit status. */
    private List<String> picocliClasses(int status, String... args) throws Exception {
        Path log = dir.resolve("classes.txt");
        Files.deleteIfExists(log);
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-Xlog:class+load=info:file=" + log, "-Dnetboot.home=" + Path.of("").toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(dir.resolve("err.txt").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child ended");
        assertEquals(status, p.exitValue(), String.join(" ", args) + ": " + Files.readString(dir.resolve("err.txt")));
        List<String> picocli = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            // "[0.049s][info][class,load] picocli.CommandLine$ParameterException source: file:/..."
            int at = line.indexOf("] picocli.");
            if (at >= 0) {
                picocli.add(line.substring(at + 2, line.indexOf(' ', at + 2)));
            }
        }
        return picocli;
    }
}
