package dev.netboot.cli;

import static dev.netboot.cli.BootCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line itself: typos get one line naming the nearest option or command; -V works everywhere. */
class MainCliTest {
    @Test
    void aValueThatIsNoNumberIsSaidInWordsNotJavaTypes() {
        // picocli's own words named Java's types: "'x' is not a long", "'1s' is not a double", "'1.5' is not an int".
        String[][] cases = {
                {"boot --seed x", "--seed", "'x' is not a whole number", "boot"},
                {"boot --loss x", "--loss", "'x' is not a number", "boot"},
                // Java's Double.valueOf takes these; a user means none of them (0.5f: a typo that ran at 50% loss).
                {"boot --loss 0.5f", "--loss", "'0.5f' is not a number", "boot"},
                {"fleet --loss 0x1p-1", "--loss", "'0x1p-1' is not a number", "fleet"},
                {"boot --loss NaN", "--loss", "'NaN' is not a number", "boot"},
                {"tftp get 192.0.2.1 f --timeout 2d", "--timeout", "'2d' is not a number", "tftp get"},
                {"fleet --boards 1.5", "--boards", "'1.5' is not a whole number", "fleet"},
                {"tftp get 192.0.2.1 f --timeout 1s", "--timeout", "'1s' is not a number", "tftp get"},
                {"tftp get 192.0.2.1 f --retries many", "--retries", "'many' is not a whole number", "tftp get"},
                {"serve --interface lo --clients x", "--clients", "'x' is not a whole number", "serve"},
                // Digits past what the option's type holds are a whole number all the same (the QA pass saw "'99999999999'
                // is not a whole number"): too large, or too small, and the limit (Java's int and long).
                {"tftp get 192.0.2.1 f --retries 99999999999", "--retries", "'99999999999' is too large (at most 2147483647)", "tftp get"},
                {"fleet --boards -99999999999", "--boards", "'-99999999999' is too small (at least -2147483648)", "fleet"},
                {"boot --seed 99999999999999999999", "--seed", "'99999999999999999999' is too large (at most 9223372036854775807)",
                        "boot"}};
        for (String[] c : cases) {
            BootCliTest.Run r = run(c[0].split(" "));
            assertEquals(Main.EXIT_USAGE, r.exit(), c[0]);
            assertEquals("netboot: Invalid value for option '" + c[1] + "': " + c[2] + " (try 'netboot " + c[3] + " --help')\n", r.err(),
                    c[0]);
        }
    }

    @Test
    void aDecimalMayHaveASignAFractionAndAnExponent() {
        // What a scenario file's numbers may be ([faults] loss = 1e-3), the command line's may be too.
        for (String loss : new String[] {"1e-3", "+0.001", ".001", "0"}) {
            BootCliTest.Run r = run("boot", "--loss", loss, "--flash-timing", "none", "--json");
            assertEquals(0, r.exit(), loss + ": " + r.err());
        }
    }

    @Test
    void aMistypedOptionIsOneErrorWithTheNearestOption() {
        BootCliTest.Run r = run("boot", "--profil", "spi-nor-16m");
        assertEquals(Main.EXIT_USAGE, r.exit());
        // Its value is not a second unknown option.
        assertEquals("netboot: unknown option '--profil' (did you mean '--profile'?) (try 'netboot boot --help')\n", r.err());
        assertEquals("netboot: unknown option '--flash-fiel' (did you mean '--flash-file'?) (try 'netboot flash inspect --help')\n",
                run("flash", "inspect", "--flash-fiel=x.img").err());
        assertEquals("netboot: unknown option '--frobnicate' (try 'netboot boot --help')\n", run("boot", "--frobnicate").err());
    }

    @Test
    void aMistypedCommandNamesTheNearestCommand() {
        BootCliTest.Run r = run("bot");
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertEquals("netboot: unknown command 'bot' (did you mean 'boot'?) (commands: boot, serve, fleet, tftp, flash, keygen, sign)"
                + " (try 'netboot --help')\n", r.err());
        assertEquals("netboot: unknown command 'inspekt' (did you mean 'inspect'?) (commands: inspect, select, confirm)"
                + " (try 'netboot flash --help')\n", run("flash", "inspekt").err());
        assertEquals("netboot: unexpected argument 'extra' (try 'netboot boot --help')\n", run("boot", "extra").err());
    }

    @Test
    void aCommandWithoutItsSubcommandSaysWhichThereAreAndWhereHelpIsOnce() {
        // The commands README's "CLI contract" and --help list; one hint, not two "try"s.
        BootCliTest.Run r = run();
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertEquals("netboot: missing command (commands: boot, serve, fleet, tftp, flash, keygen, sign) (try 'netboot --help')\n",
                r.err());
        assertEquals("netboot: missing command (commands: get, put) (try 'netboot tftp --help')\n", run("tftp").err());
        assertEquals("netboot: missing command (commands: inspect, select, confirm) (try 'netboot flash --help')\n",
                run("flash").err());
        assertEquals(Main.EXIT_USAGE, run("flash").exit());
    }

    @Test
    void bothFormsOfANegatableOptionAreOneLineSayingSo() {
        for (String[] both : new String[][] {{"--tsize", "--no-tsize"}, {"--no-tsize", "--tsize"}}) {
            BootCliTest.Run r = run("tftp", "get", "192.0.2.1", "f", both[0], both[1]);
            assertEquals(Main.EXIT_USAGE, r.exit());
            assertEquals("netboot: give --tsize or --no-tsize, not both (try 'netboot tftp get --help')\n", r.err());
        }
        // The same form twice is picocli's own complaint, which says just that.
        assertEquals("netboot: option '--tsize' should be specified only once (try 'netboot tftp get --help')\n",
                run("tftp", "get", "192.0.2.1", "f", "--tsize", "--tsize").err());
    }

    @Test
    void withJsonAMistakeTheParserFindsIsOneJsonObjectToo() throws Exception {
        // README: "With --json, every run prints exactly one JSON object on stdout", stage usage, exit 2. Before, a
        // mistake picocli found (a value that is no number, an unknown or missing option) printed nothing on stdout.
        for (String[] args : new String[][] {{"boot", "--json", "--seed", "x"}, {"boot", "--profil", "p", "--json"},
                {"fleet", "--json", "--boards", "many"}, {"flash", "inspect", "--json"}}) {
            BootCliTest.Run r = run(args);
            assertEquals(Main.EXIT_USAGE, r.exit(), String.join(" ", args));
            assertEquals(1, r.err().lines().count(), r.err());
            assertEquals(1, r.out().lines().count(), String.join(" ", args) + ": " + r.out());
            com.fasterxml.jackson.databind.JsonNode j = r.json();
            assertEquals("error", j.get("result").asText());
            assertEquals("usage", j.get("stage").asText());
            assertEquals("netboot: " + j.get("error").asText() + "\n", r.err());
        }
        // Without --json, stdout stays empty.
        assertEquals("", run("boot", "--seed", "x").out());
    }

    @Test
    void anArgumentFileThatCannotBeReadIsOneLine(@TempDir Path dir) throws Exception {
        // picocli reads @FILE as more arguments (one a line); before, a folder there was a stack trace of picocli's
        // InitializationException (exit 2).
        BootCliTest.Run r = run("@" + dir);
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        assertEquals("netboot: argument file @" + dir + ": is a directory (expected: a file of arguments, one a line)\n", r.err());
        r = run("boot", "--flash-timing", "none", "@" + dir);
        assertEquals("netboot: argument file @" + dir + ": is a directory (expected: a file of arguments, one a line)\n", r.err());
        // A file that is there is read as picocli reads it.
        Path args = Files.writeString(dir.resolve("args"), "boot\n--flash-timing\nfast\n");
        r = run("@" + args);
        assertEquals("netboot: --flash-timing fast (expected: typical, max or none)\n", r.err());
    }

    @Test
    void anArgumentFileThatIsADevicePipeOrHugeIsOneLine(@TempDir Path dir) throws Exception {
        // Before, picocli read @/dev/zero for ever (NUL is whitespace to its tokenizer) and waited for ever on a
        // FIFO nobody writes: the command never ended.
        String expected = " is not a regular file (a device, pipe or socket) (expected: a file of arguments, one a line)\n";
        BootCliTest.Run r = run("boot", "@/dev/zero");
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        assertEquals("netboot: argument file @/dev/zero:" + expected, r.err());
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        r = run("@" + fifo);
        assertEquals("netboot: argument file @" + fifo + ":" + expected, r.err());
        // One named inside an argument file, as picocli reads that one too.
        Path outer = Files.writeString(dir.resolve("outer"), "boot\n--flash-timing none\n@/dev/zero\n");
        r = run("@" + outer);
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        assertEquals("netboot: argument file @/dev/zero:" + expected, r.err());
        // Larger than a config file may be (1 MiB): no command line is.
        Path huge = dir.resolve("huge");
        Files.write(huge, new byte[(1 << 20) + 1]);
        r = run("boot", "@" + huge);
        assertEquals("netboot: argument file @" + huge + ": 1048577 bytes is too large (at most 1024 KiB)"
                + " (expected: a file of arguments, one a line)\n", r.err());
        // An argument file naming itself is read as picocli reads it (which notices the loop), not checked for ever.
        Path self = Files.writeString(dir.resolve("self"), "boot --flash-timing fast @" + dir.resolve("self") + "\n");
        r = run("@" + self);
        assertEquals("netboot: --flash-timing fast (expected: typical, max or none)\n", r.err());
        // @@X is picocli's escape for the argument @X, never a file.
        assertEquals("netboot: unexpected argument '@/dev/zero' (try 'netboot boot --help')\n", run("boot", "@@/dev/zero").err());
    }

    /**
     * An argument file is read as picocli reads it (a StreamTokenizer: "..." and '...' one argument without the quotes,
     * # to the end of the line a comment), so the one named in it, quoted, is checked too: before, a quoted "@FOLDER" was
     * checked with its closing quote, as no file, and picocli then read the folder and ended in its stack trace (a
     * quoted FIFO: for ever); and an @/dev/zero in a comment, which picocli never reads, was refused.
     */
    @Test
    void anArgumentFileNamedQuotedInAnotherIsCheckedAndOneInACommentIsNot(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("two words"));
        String line = "netboot: argument file @" + folder + ": is a directory (expected: a file of arguments, one a line)\n";
        for (String quoted : new String[] {"\"@" + folder + "\"", "'@" + folder + "'"}) {
            Path outer = Files.writeString(dir.resolve("outer"), "boot --flash-timing none " + quoted + "\n");
            BootCliTest.Run r = run("@" + outer);
            assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
            assertEquals(line, r.err());
        }
        Path commented = Files.writeString(dir.resolve("commented"), "boot # not read: @/dev/zero\n--flash-timing fast\n");
        BootCliTest.Run r = run("@" + commented);
        assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
        assertEquals("netboot: --flash-timing fast (expected: typical, max or none)\n", r.err());
    }

    @Test
    void anArgumentFileThatCannotBeReadIsOneJsonObjectWithJson(@TempDir Path dir) throws Exception {
        // README: "With --json, every run prints exactly one JSON object on stdout (a mistyped command line too, for
        // boot, fleet and flash)", stage usage, exit 2. Before, an argument file that cannot be read printed none.
        String line = "argument file @" + dir + ": is a directory (expected: a file of arguments, one a line)";
        for (String[] args : new String[][] {{"boot", "@" + dir, "--json"}, {"fleet", "--json", "@" + dir},
                {"flash", "inspect", "--json", "@" + dir}}) {
            BootCliTest.Run r = run(args);
            assertEquals(Main.EXIT_USAGE, r.exit(), r.err());
            assertEquals("netboot: " + line + "\n", r.err());
            assertEquals(1, r.out().lines().count(), r.out());
            assertEquals("error", r.json().get("result").asText());
            assertEquals("usage", r.json().get("stage").asText());
            assertEquals(line, r.json().get("error").asText());
        }
        // Without --json, or for a command whose --json does not cover usage errors (tftp), stdout stays empty.
        assertEquals("", run("boot", "@" + dir).out());
        assertEquals("", run("tftp", "get", "192.0.2.1", "f", "--json", "@" + dir).out());
    }

    @Test
    void anEmptyFileNameIsRefusedAsEmptyNotAsTheCurrentFolder() {
        // Path.of("") is the current folder, so '--image ""' was "--image : is a directory (expected: a file)".
        for (String[] args : new String[][] {{"boot", "--image", ""}, {"boot", "--flash-file", ""}, {"boot", "--pcap", ""},
                {"boot", "--scenario", ""}, {"fleet", "--boards", "2", "--image", ""}, {"flash", "inspect", "--flash-file", ""},
                {"serve", "--interface", "x", "--image", ""}, {"keygen", "--out", ""}}) {
            BootCliTest.Run r = run(args);
            assertEquals(Main.EXIT_USAGE, r.exit(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains("'' is no file name (expected: a path)"), String.join(" ", args) + ": " + r.err());
        }
    }

    @Test
    void standardOutputThatCannotBeWrittenIsOneLineAndExit1(@TempDir Path dir) throws Exception {
        // /dev/full fails every write with ENOSPC, as a full disk under 'netboot boot --json > result.json' does. Before,
        // System.out kept the error to itself: exit 0, the output lost without a word.
        Path err = dir.resolve("err");
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--version").redirectOutput(new java.io.File("/dev/full")).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(Main.EXIT_FAILED, p.exitValue());
        assertEquals("netboot: standard output /dev/full: write error (a full disk, or a device that takes nothing): what the command"
                + " printed is lost\n", Files.readString(err));
    }

    @Test
    void versionWorksOnEveryCommandAndIsThePomsVersion() throws Exception {
        // The expected version is read from pom.xml itself: the project's <version> after its <artifactId>.
        Matcher m = Pattern.compile("<artifactId>netboot</artifactId>\\s*<version>([^<]+)</version>").matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(m.find(), "pom.xml has the project's version");
        String expected = "netboot " + m.group(1) + " on Java " + Runtime.version() + "\n";
        for (String[] args : new String[][] {{"-V"}, {"--version"}, {"boot", "-V"}, {"flash", "-V"}, {"flash", "inspect", "-V"},
                {"tftp", "get", "--version"}, {"keygen", "-V"}, {"sign", "-V"}}) {
            BootCliTest.Run r = run(args);
            assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
            assertEquals(expected, r.out(), String.join(" ", args));
        }
    }
}
