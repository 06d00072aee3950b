package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's AOT training, the first run after a build, when the user stops it (Ctrl-C, or a SIGTERM). Before, a
 * signal there made the training "fail": it was marked so (no cache, and no new training, until the next build), and
 * then the command the user had stopped ran all the same. Now netboot stops: the command does not run, the exit status
 * is the signal's (130, 143), and no failure is marked; a cache the training finished is kept.
 *
 * <p>The launcher runs here from a folder of its own, on a jar of two stand-ins compiled for the test: a training that
 * says it started and takes two seconds, and a {@code Main} that prints "ran". The launcher is what is tested.
 */
class LauncherTrainingSignalTest {
    @TempDir
    Path root;

    private Path jar() throws IOException {
        Path src = Files.createDirectories(root.resolve("stub/dev/netboot/cli"));
        Files.writeString(src.resolve("Training.java"), """
                package dev.netboot.cli;
                public class Training {
                    public static void main(String[] a) throws Exception {
                        System.out.println("training started");
                        System.out.flush();
                        Thread.sleep(2000);
                    }
                }
                """);
        Files.writeString(src.resolve("Main.java"), """
                package dev.netboot.cli;
                public class Main {
                    public static void main(String[] a) {
                        System.out.println("ran " + String.join(" ", a));
                    }
                }
                """);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Path classes = Files.createDirectories(root.resolve("stub-classes"));
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), src.resolve("Training.java").toString(),
                src.resolve("Main.java").toString()));
        Path jar = Files.createDirectories(root.resolve("target")).resolve("netboot.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String c : List.of("Training", "Main")) {
                out.putNextEntry(new JarEntry("dev/netboot/cli/" + c + ".class"));
                out.write(Files.readAllBytes(classes.resolve("dev/netboot/cli/" + c + ".class")));
                out.closeEntry();
            }
        }
        Path launcher = root.resolve("netboot");
        Files.copy(Path.of("netboot"), launcher);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        return jar;
    }

    /**
     * Starts the launcher with SIGINT's default action: a shell's background job (CI started so) passes SIGINT on
     * ignored, and a JVM that starts with it ignored leaves it so; a terminal's Ctrl-C goes to a foreground process.
     */
    private Process start() throws IOException {
        return new ProcessBuilder("env", "--default-signal=INT", root.resolve("netboot").toString(), "fleet", "--boards", "3")
                .redirectOutput(root.resolve("out.txt").toFile()).redirectError(root.resolve("err.txt").toFile()).start();
    }

    /** Waits until the stand-in training has started (its line in the training log). */
    private void awaitTraining() throws Exception {
        Path log = root.resolve("target/netboot.aot.log");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!(Files.exists(log) && Files.readString(log).contains("training started"))) {
            assertTrue(System.nanoTime() < deadline, "the training did not start within 30 s");
            Thread.sleep(20);
        }
    }

    private String out() throws IOException {
        return Files.readString(root.resolve("out.txt"));
    }

    private String err() throws IOException {
        return Files.readString(root.resolve("err.txt"));
    }

    private boolean marked() {
        return Files.exists(root.resolve("target/netboot.aot.failed"));
    }

    @Test
    void withoutASignalTheTrainingMakesTheCacheAndTheCommandRuns() throws Exception {
        jar();
        Process p = start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err());
        assertEquals("ran fleet --boards 3\n", out());
        assertTrue(Files.size(root.resolve("target/netboot.aot")) > 0, err());
        assertFalse(marked());
    }

    @Test
    void aSigtermToTheLauncherStopsItOnceTheTrainingEndedKeepingTheCacheAndRunningNothing() throws Exception {
        jar();
        Process p = start();
        awaitTraining();
        p.destroy(); // SIGTERM to the launcher alone: the training JVM goes on to its end
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(143, p.exitValue(), err());
        assertEquals("", out(), "the command the user stopped did not run");
        assertTrue(err().endsWith("netboot: stopped by SIGTERM while training the AOT cache; nothing was run\n"), err());
        assertTrue(Files.size(root.resolve("target/netboot.aot")) > 0, "the cache the training finished is kept");
        assertFalse(marked(), "a stopped training is no failed one");
    }

    @Test
    void aSigintThatReachedTheTrainingJvmStopsNetbootAndMarksNoFailure() throws Exception {
        jar();
        Process p = start();
        awaitTraining();
        // Ctrl-C reaches the whole foreground process group; here the training JVM is sent it alone.
        ProcessHandle training = p.toHandle().descendants().filter(h -> h.info().commandLine().orElse("").contains("Training"))
                .findFirst().orElseThrow();
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(training.pid())).start();
        assertEquals(0, kill.waitFor());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(130, p.exitValue(), err());
        assertEquals("", out());
        assertTrue(err().endsWith("netboot: stopped by SIGINT while training the AOT cache; nothing was run\n"), err());
        assertFalse(marked(), "a stopped training is no failed one: the next run trains again");
        assertFalse(Files.exists(root.resolve("target/netboot.aot")));
        // The next run trains again, and runs the command.
        Process again = start();
        assertTrue(again.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, again.exitValue(), err());
        assertEquals("ran fleet --boards 3\n", out());
    }
}
