package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@link BootLine} reads every {@code netboot boot} line it takes exactly as picocli does (every field of
 * {@link BootCommand} and {@link FaultOptions}, compared by reflection, so an option added to either is
 * compared too), leaves every other line to picocli, and {@code boot --help} prints picocli's own text.
 */
class BootLineTest {
    /** What picocli makes of {@code args}: every field, and whether help or version was asked; throws picocli's error. */
    static String picocli(String... args) {
        CommandLine.ParseResult sub = new CommandLine(new NetbootCommand()).parseArgs(args).subcommand();
        BootCommand c = (BootCommand) sub.commandSpec().userObject();
        return describe(c, sub.isUsageHelpRequested(), sub.isVersionHelpRequested());
    }

    static String describe(BootLine l) {
        return describe(l.command(), l.help(), l.version());
    }

    static String describe(BootCommand c, boolean help, boolean version) {
        return fields(c) + " help=" + help + " version=" + version;
    }

    /** Every instance field of {@code o} as name=value (value's class too), FaultOptions unfolded, in name order. */
    static String fields(Object o) {
        TreeSet<String> out = new TreeSet<>();
        for (Field f : o.getClass().getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            f.setAccessible(true);
            Object v;
            try {
                v = f.get(o);
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
            out.add(v instanceof FaultOptions fo ? f.getName() + "={" + fields(fo) + "}"
                    : f.getName() + "=" + v + (v == null ? "" : ":" + v.getClass().getSimpleName()));
        }
        return String.join(" ", out);
    }

    @Test
    void everyLineItTakesPicocliReadsTheSame() {
        for (String[] args : List.of(
                new String[] {"boot"},
                new String[] {"boot", "--flash-timing", "none"},
                new String[] {"boot", "--json", "--flash-file", "flash.img", "--profile=spi-nor-16m", "--seed", "42"},
                new String[] {"boot", "--image", "fw.bin", "--signature=fw.bin.sig", "--digest", "fw.bin.sha256", "--scenario", "s.scenario"},
                new String[] {"boot", "--loss", "0.05", "--duplicate=0.01", "--reorder", "0.2", "--corrupt", "1", "--tamper", "0.5",
                    "--jitter", "5ms", "--link-down", "0s,30s", "--flood", "1000"},
                new String[] {"boot", "--bandwidth", "100Mbit", "--rtt=1ms", "--blksize", "auto", "--windowsize", "16"},
                new String[] {"boot", "--pcap", "out.pcap", "--timeline", "t.svg", "--power-cut-at", "17", "--power-cut-mode", "torn"},
                new String[] {"boot", "--interface", "eth0", "--mac", "02:00:00:00:00:01", "--flash-timing=max"},
                new String[] {"boot", "--seed", "0"},
                new String[] {"boot", "--seed", "999999999999999999"},
                new String[] {"boot", "--profile", "a=b", "--image", "dir/with space.bin"},
                new String[] {"boot", "--help"},
                new String[] {"boot", "-h", "--json"},
                new String[] {"boot", "--flash-file", "f", "-V"})) {
            BootLine l = BootLine.parse(args);
            assertNotNull(l, () -> "should take " + Arrays.toString(args));
            assertEquals(picocli(args), describe(l), Arrays.toString(args));
        }
    }

    @Test
    void anythingUnusualIsLeftToPicocli() {
        for (String[] args : List.of(
                new String[] {"boot", "extra"},
                new String[] {"boot", "--profil", "x"},
                new String[] {"boot", "--profile"},
                new String[] {"boot", "--profile="},
                new String[] {"boot", "--profile", "a", "--profile", "b"},
                new String[] {"boot", "--json", "--json"},
                new String[] {"boot", "--json=true"},
                new String[] {"boot", "-h", "--help"},
                new String[] {"boot", "-V", "--version"},
                new String[] {"boot", "-h", "-V"},
                new String[] {"boot", "-hV"},
                new String[] {"boot", "--seed", "010"},
                new String[] {"boot", "--seed", "0x10"},
                new String[] {"boot", "--seed", "-5"},
                new String[] {"boot", "--seed", "+5"},
                new String[] {"boot", "--seed", "1234567890123456789"},
                new String[] {"boot", "--loss", ".5"},
                new String[] {"boot", "--loss", "1e-3"},
                new String[] {"boot", "--loss", "NaN"},
                new String[] {"boot", "--image", "@files.txt"},
                new String[] {"boot", "@args.txt"},
                new String[] {"boot", "--rtt", "-1ms"},
                new String[] {"boot", "--"},
                new String[] {"boot", "--image", "nul\0byte"})) {
            assertNull(BootLine.parse(args), () -> "should leave " + Arrays.toString(args) + " to picocli");
        }
    }

    /**
     * Random lines from a pool of good and bad words: whenever {@link BootLine} takes one, picocli parses it
     * without complaint into the same fields.
     */
    @Test
    void randomLinesAgree() {
        String[] pool = {"--json", "--profile", "--profile=nand-128m", "spi-nor-16m", "--image", "fw.bin", "--signature", "--digest",
            "--flash-file", "--flash-file=f.img", "--scenario", "--seed", "--seed=7", "0", "42", "010", "0x1F", "-3", "1.5", ".5",
            "--loss", "--loss=0.1", "0.25", "1e3", "--bandwidth", "100Mbit", "--rtt", "1ms", "--blksize", "auto", "--windowsize=8",
            "--pcap", "--timeline", "--interface", "eth0", "--mac", "02:00:00:00:00:01", "--flash-timing", "none", "--power-cut-at",
            "--power-cut-mode", "torn", "--duplicate", "--reorder", "--jitter", "5ms", "--corrupt", "--tamper", "--link-down",
            "0s,30s", "--flood", "-h", "--help", "-V", "--version", "-hV", "--", "--jsn", "--json=false", "", "x y", "@x", "boot",
            "99999999999999999999", "-"};
        SplittableRandom random = new SplittableRandom(17);
        int taken = 0;
        for (int n = 0; n < 6_000; n++) {
            List<String> a = new ArrayList<>(List.of("boot"));
            int words = random.nextInt(9);
            for (int i = 0; i < words; i++) {
                a.add(pool[random.nextInt(pool.length)]);
            }
            String[] args = a.toArray(String[]::new);
            BootLine l = BootLine.parse(args);
            if (l != null) {
                taken++;
                String expected;
                try {
                    expected = picocli(args);
                } catch (CommandLine.ParameterException e) {
                    throw new AssertionError("BootLine took " + Arrays.toString(args) + " but picocli says: " + e.getMessage(), e);
                }
                assertEquals(expected, describe(l), Arrays.toString(args));
            }
        }
        assertTrue(taken > 300, "the pool makes well-formed lines too: " + taken);
    }

    @Test
    void helpIsPicocliText() {
        CommandLine boot = new CommandLine(new NetbootCommand()).getSubcommands().get("boot");
        assertEquals(boot.getUsageMessage(CommandLine.Help.Ansi.OFF), FastPath.helpText("boot"),
                "src/main/resources/dev/netboot/cli/help/boot.txt is picocli's help for 'netboot boot'");
        BootCliTest.Run help = BootCliTest.run("boot", "--help");
        assertEquals(0, help.exit());
        assertEquals(FastPath.helpText("boot"), help.out());
        assertEquals("", help.err());
    }

    /** A mistake still gets picocli's wording: the short road only ever takes lines picocli accepts. */
    @Test
    void mistakesStillGetPicocliWords() {
        BootCliTest.Run typo = BootCliTest.run("boot", "--profil", "x");
        assertEquals(Main.EXIT_USAGE, typo.exit());
        assertEquals("netboot: unknown option '--profil' (did you mean '--profile'?) (try 'netboot boot --help')\n", typo.err());
        BootCliTest.Run twice = BootCliTest.run("boot", "--seed", "1", "--seed", "2");
        assertEquals(Main.EXIT_USAGE, twice.exit());
        assertTrue(twice.err().startsWith("netboot: option '--seed' "), twice.err());
    }
}
