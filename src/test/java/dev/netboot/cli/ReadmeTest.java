package dev.netboot.cli;

import static dev.netboot.cli.BootCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netboot.link.HostNet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/** What README.md promises about the command line holds: its test command, its error example, its JSON field list. */
class ReadmeTest {
    static final Path README = Path.of("README.md");

    @TempDir
    Path dir;

    static String readme() throws Exception {
        return Files.readString(README);
    }

    @Test
    void theTestCommandSetsUpWhatItNeeds() throws Exception {
        // The first code block: the command that boots, then the one that tests. The latter is .ci/run, which installs
        // the tools the tests drive before mvn verify; plain "mvn verify" fails on a machine without them.
        Matcher block = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL).matcher(readme());
        assertTrue(block.find(), "README starts with a sh block");
        List<String> commands = block.group(1).lines().map(l -> l.replaceAll("\\s+#.*", "").strip()).toList();
        assertEquals(List.of("./netboot boot", ".ci/run"), commands);
        assertTrue(Files.isExecutable(Path.of(".ci/run")));
    }

    @Test
    void aMissingToolIsOneLineNamingTheCommandThatInstallsIt() throws Exception {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> HostNet.requireTool("netboot-no-such-tool", "netboot-no-such-package"));
        assertEquals("netboot-no-such-tool not found: install the test tools with '.ci/run --tools' as root"
                + " (it runs apt-get install netboot-no-such-package)", e.getMessage());
        // .ci/run knows --tools (an unknown argument lists it, and stops before installing anything).
        Process p = new ProcessBuilder("bash", ".ci/run", "--no-such-argument").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertEquals(".ci/run: unknown argument '--no-such-argument' (expected: nothing, or --tools to only install the test tools)\n",
                out);
    }

    @Test
    void theErrorExampleIsWhatTheCodePrints() throws Exception {
        // README: "Errors are one line on stderr ..., e.g. `netboot: boot failed: [flash] image of N bytes ...`".
        Matcher m = Pattern.compile("`(netboot: boot failed: \\[flash\\] image of (\\d+) bytes[^`]*)`").matcher(readme());
        assertTrue(m.find(), "README has the error example");
        Path img = Files.write(dir.resolve("big.img"), new byte[Integer.parseInt(m.group(2))]);
        BootCliTest.Run r = run("boot", "--image", img.toString(), "--flash-timing", "none", "--json");
        assertEquals(Main.EXIT_FAILED, r.exit());
        assertEquals(m.group(1) + "\n", r.err());
    }

    @Test
    void theJsonFieldListNamesEveryFieldBootPrints() throws Exception {
        String text = readme();
        int from = text.indexOf("`--json` fields:");
        assertTrue(from >= 0, "README lists the --json fields");
        String list = text.substring(from, text.indexOf("\n\n", from));
        List<String> keys = new ArrayList<>();
        // A boot with every optional part: a power cut that never came, and a failed one (error, stage).
        Path img = Files.write(dir.resolve("img.bin"), BootCliTest.randomImage(5000, 1));
        collect(run("boot", "--image", img.toString(), "--power-cut-at", "99999", "--json").json(), keys);
        collect(run("boot", "--image", img.toString(), "--power-cut-at", "3", "--json").json(), keys);
        collect(run("boot", "--loss", "2", "--json").json(), keys);
        List<String> missing = keys.stream().filter(k -> !list.contains("`" + k + "`")).toList();
        assertEquals(List.of(), missing, "fields boot --json prints that README's list does not name");
    }

    private static void collect(JsonNode j, List<String> keys) {
        for (Iterator<String> it = j.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!keys.contains(k)) {
                keys.add(k);
            }
        }
    }

    @Test
    void everyFlashCommandShowsItsJson() throws Exception {
        String text = readme();
        for (String sub : List.of("inspect", "select", "confirm")) {
            Matcher m = Pattern.compile("\\./netboot flash " + sub + " [^\n#]*").matcher(text);
            assertTrue(m.find(), "README shows flash " + sub);
            assertTrue(m.group().contains("[--json]"), m.group());
        }
    }
}
