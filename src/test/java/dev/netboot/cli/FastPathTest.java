package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The short road ({@link FastPath}) reads every command line it takes exactly as picocli does, leaves
 * every other one to picocli, and prints picocli's own help texts.
 */
class FastPathTest {
    /** What picocli makes of {@code args}, in the terms of {@link FastPath.TftpLine}; throws picocli's error. */
    static String picocli(String... args) {
        CommandLine.ParseResult pr = new CommandLine(new NetbootCommand()).parseArgs(args);
        CommandLine.ParseResult sub = pr.subcommand().subcommand();
        Object cmd = sub.commandSpec().userObject();
        boolean help = sub.isUsageHelpRequested();
        boolean version = sub.isVersionHelpRequested();
        return switch (cmd) {
            case TftpCommand.Get g -> describe(true, g.host, g.remote, g.local, g.settings, help, version);
            case TftpCommand.Put p -> describe(false, p.host, p.local, p.remote, p.settings, help, version);
            default -> throw new AssertionError("not a tftp transfer: " + cmd);
        };
    }

    static String describe(FastPath.TftpLine l) {
        return describe(l.get(), l.host(), l.first(), l.second(), l.settings(), l.help(), l.version());
    }

    static String describe(boolean get, String host, String first, String second, TftpCommand.Settings s, boolean help,
                           boolean version) {
        return (get ? "get" : "put") + " host=" + host + " first=" + first + " second=" + second + " blksize=" + s.blksize
                + " windowsize=" + s.windowsize + " timeout=" + s.timeout + " tsize=" + s.tsize + " noOptions=" + s.noOptions
                + " retries=" + s.retries + " json=" + s.json + " help=" + help + " version=" + version;
    }

    static String[] line(String... args) {
        return args;
    }

    @Test
    void everyLineItTakesPicocliReadsTheSame() {
        for (String[] args : List.of(
                line("tftp", "get", "127.0.0.1", "f.bin"),
                line("tftp", "get", "127.0.0.1:6969", "dir/f.bin", "out.bin", "--json"),
                line("tftp", "get", "--blksize", "1428", "host", "f", "--windowsize=16", "--timeout", "0.02", "--retries", "0"),
                line("tftp", "get", "h", "f", "--no-tsize", "--blksize=8"),
                line("tftp", "get", "h", "f", "--tsize", "--timeout=255"),
                line("tftp", "get", "h", "f", "--no-options"),
                line("tftp", "put", "h", "local.bin"),
                line("tftp", "put", "h", "local.bin", "remote.bin", "--windowsize", "1", "--json"),
                line("tftp", "get", "--help"),
                line("tftp", "put", "-h", "h"),
                line("tftp", "get", "h", "f", "-V"),
                line("tftp", "get", "", "f"))) {
            FastPath.TftpLine l = FastPath.parseTftp(args);
            assertNotNull(l, () -> "should take " + Arrays.toString(args));
            assertEquals(picocli(args), describe(l), Arrays.toString(args));
        }
    }

    @Test
    void anythingUnusualIsLeftToPicocli() {
        for (String[] args : List.of(
                line("tftp"),
                line("tftp", "fetch", "h", "f"),
                line("tftp", "get"),
                line("tftp", "get", "h"),
                line("tftp", "get", "h", "f", "l", "extra"),
                line("tftp", "get", "h", "f", "--blksize"),
                line("tftp", "get", "h", "f", "--blksize", "010"),
                line("tftp", "get", "h", "f", "--blksize", "0x10"),
                line("tftp", "get", "h", "f", "--blksize", "-5"),
                line("tftp", "get", "h", "f", "--blksize", "1234567890"),
                line("tftp", "get", "h", "f", "--blksize="),
                line("tftp", "get", "h", "f", "--blksize", "1", "--blksize", "2"),
                line("tftp", "get", "h", "f", "--json", "--json"),
                line("tftp", "get", "h", "f", "--tsize", "--no-tsize"),
                line("tftp", "get", "h", "f", "--json=true"),
                line("tftp", "get", "h", "f", "--timeout", ".5"),
                line("tftp", "get", "h", "f", "--timeout", "1e3"),
                line("tftp", "get", "h", "f", "--timeout", "1."),
                line("tftp", "get", "h", "f", "--jsn"),
                line("tftp", "get", "h", "f", "-hV"),
                line("tftp", "get", "h", "f", "-h", "-V"),
                line("tftp", "get", "h", "f", "--"),
                line("tftp", "get", "h", "-"),
                line("tftp", "get", "h", "@args.txt"))) {
            assertNull(FastPath.parseTftp(args), () -> "should leave " + Arrays.toString(args) + " to picocli");
        }
    }

    /**
     * Random command lines from a pool of good and bad words: whenever the short road takes one,
     * picocli parses it without complaint into the same thing.
     */
    @Test
    void randomLinesAgree() {
        String[] pool = {"get", "put", "127.0.0.1", "127.0.0.1:6969", "f.bin", "out/", "-", "@x", "--json", "--no-options", "--tsize",
                "--no-tsize", "--blksize", "1468", "--blksize=1428", "--blksize=010", "0", "7", "--windowsize", "16", "--windowsize=1",
                "--retries", "--retries=0", "--timeout", "0.02", "--timeout=1.5", "-h", "--help", "-V", "--version", "-hV", "--",
                "--jso", "--json=true", "", "x y", "1e3", "0x10", "-5", "99999999999", "help"};
        SplittableRandom random = new SplittableRandom(11);
        int taken = 0;
        for (int n = 0; n < 4_000; n++) {
            List<String> a = new ArrayList<>(List.of("tftp", random.nextInt(10) == 0 ? "fetch" : random.nextBoolean() ? "get" : "put"));
            int words = random.nextInt(8);
            for (int i = 0; i < words; i++) {
                a.add(pool[random.nextInt(pool.length)]);
            }
            String[] args = a.toArray(String[]::new);
            FastPath.TftpLine l = FastPath.parseTftp(args);
            if (l != null) {
                taken++;
                String expected;
                try {
                    expected = picocli(args);
                } catch (CommandLine.ParameterException e) {
                    throw new AssertionError("the short road took " + Arrays.toString(args) + " but picocli says: " + e.getMessage(), e);
                }
                assertEquals(expected, describe(l), Arrays.toString(args));
            }
        }
        assertTrue(taken > 100, "the pool makes well-formed lines too: " + taken);
    }

    @Test
    void helpTextsArePicocliText() {
        CommandLine tftp = new CommandLine(new NetbootCommand()).getSubcommands().get("tftp");
        assertEquals(tftp.getUsageMessage(CommandLine.Help.Ansi.OFF), FastPath.helpText("tftp"),
                "src/main/resources/dev/netboot/cli/help/tftp.txt is picocli's help for 'netboot tftp'");
        for (String verb : List.of("get", "put")) {
            assertEquals(tftp.getSubcommands().get(verb).getUsageMessage(CommandLine.Help.Ansi.OFF), FastPath.helpText("tftp-" + verb),
                    "src/main/resources/dev/netboot/cli/help/tftp-" + verb + ".txt is picocli's help for 'netboot tftp " + verb + "'");
        }
    }

    @Test
    void helpAndVersionPrintWhatPicocliPrints() {
        BootCliTest.Run help = BootCliTest.run("tftp", "get", "--help");
        assertEquals(0, help.exit());
        assertEquals(FastPath.helpText("tftp-get"), help.out());
        assertEquals("", help.err());
        BootCliTest.Run version = BootCliTest.run("--version");
        assertEquals(0, version.exit());
        assertEquals(new NetbootCommand.Version().getVersion()[0] + "\n", version.out());
        assertTrue(version.out().startsWith("netboot "), version.out());
    }
}
