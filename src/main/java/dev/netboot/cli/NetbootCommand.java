package dev.netboot.cli;

import dev.netboot.device.ConfigValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code netboot} command as picocli reads it: every command line {@link FastPath} does not take,
 * every mistake included. Kept apart from {@link Main}, which must name no picocli type (see there).
 */
@Command(name = "netboot", mixinStandardHelpOptions = true, versionProvider = NetbootCommand.Version.class,
        description = "Boot and flash boards over the network: BOOTP, ARP, TFTP, flash; with a built-in emulator.",
        subcommands = {BootCommand.class, ServeCommand.class, FleetCommand.class, TftpCommand.class, FlashCommand.class, SignCommands.Keygen.class, SignCommands.Sign.class,
                CommandLine.HelpCommand.class})
final class NetbootCommand implements Runnable {
    /**
     * The commands whose {@code --json} says an error as {@code {"result":"error","stage":S,"error":MESSAGE}}, a usage error
     * picocli finds too ({@code tftp}'s object has fields of its own, and its README leaves out what the parser refuses).
     */
    private static final Set<String> JSON_ERRORS = Set.of("boot", "fleet", "inspect", "select", "confirm");

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Runs {@code args} through picocli and returns the exit status. */
    static int execute(String... args) {
        String unreadable = unreadableArgumentFile(args);
        if (unreadable != null) {
            System.err.println("netboot: " + unreadable);
            if (jsonErrors(args)) {
                // "With --json, every run prints exactly one JSON object", an argument file that cannot be read too.
                System.out.println(Json.object().put("result", "error").put("stage", "usage").put("error", unreadable));
            }
            return Main.EXIT_USAGE;
        }
        CommandLine cl = new CommandLine(new NetbootCommand());
        cl.setExitCodeExceptionMapper(e -> Main.EXIT_USAGE);
        // An empty FILE ('--image ""') is Path.of(""), the current folder: refused as such, not as "is a directory".
        cl.registerConverter(Path.class, s -> {
            if (s.isEmpty()) {
                throw new CommandLine.TypeConversionException("'' is no file name (expected: a path)");
            }
            return Path.of(s);
        });
        // Numbers refused in words: picocli's own say "'x' is not an int" ("a long", "a double"). A decimal is digits, as
        // in a scenario file: Java's Double.valueOf also takes '0.5f' (a typo ran --loss 0.5f at 50% loss), '0x1p-1',
        // 'NaN' and 'Infinity'.
        CommandLine.ITypeConverter<Integer> whole = s -> whole(s, Integer::valueOf, Integer.MIN_VALUE, Integer.MAX_VALUE);
        CommandLine.ITypeConverter<Long> wholeLong = s -> whole(s, Long::valueOf, Long.MIN_VALUE, Long.MAX_VALUE);
        CommandLine.ITypeConverter<Double> decimal = s -> number(s, "a number", dev.netboot.emulator.ScenarioValues::number);
        cl.registerConverter(Integer.class, whole).registerConverter(int.class, whole).registerConverter(Long.class, wholeLong)
                .registerConverter(long.class, wholeLong).registerConverter(Double.class, decimal).registerConverter(double.class, decimal);
        // -V / --version on every command, from the pom.
        giveVersion(cl, new Version());
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine where = ex.getCommandLine();
            String both = ex instanceof CommandLine.OverwrittenOptionException o && o.getOverwritten() instanceof OptionSpec os
                    && os.negatable() ? bothForms(os.longestName(), List.of(a)) : null;
            // An unknown option is the mistake to name, even when it also left a required option missing.
            String message = ex instanceof CommandLine.UnmatchedArgumentException u ? unmatched(where.getCommandSpec(), u.getUnmatched(), u)
                    : !where.getUnmatchedArguments().isEmpty() ? unmatched(where.getCommandSpec(), where.getUnmatchedArguments(), ex)
                    : both != null ? both : ex.getMessage();
            String line = message + " (try '" + where.getCommandSpec().qualifiedName() + " --help')";
            where.getErr().println("netboot: " + line);
            if (JSON_ERRORS.contains(where.getCommandName()) && List.of(a).contains("--json")) {
                // "With --json, every run prints exactly one JSON object", a mistyped command line too.
                where.getOut().println(Json.object().put("result", "error").put("stage", "usage").put("error", line));
            }
            return Main.EXIT_USAGE;
        });
        return cl.execute(args);
    }

    /**
     * Reads a whole number, or refuses it: digits past the type's range as too large or small (its words were "'99999999999'
     * is not a whole number", which it is), anything else as no whole number.
     */
    private static <T> T whole(String text, java.util.function.Function<String, T> read, long min, long max) {
        if (text.matches("[+-]?[0-9]+")) {
            try {
                return read.apply(text);
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + text + "' is " + (text.startsWith("-") ? "too small (at least " + min
                        : "too large (at most " + max) + ")");
            }
        }
        return number(text, "a whole number", read);
    }

    /** Reads {@code text} with {@code read}, or refuses it as not {@code what} (e.g. "a whole number"). */
    private static <T> T number(String text, String what, java.util.function.Function<String, T> read) {
        try {
            return read.apply(text);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not " + what);
        }
    }

    /**
     * Says that both forms of a negatable option were given ({@code --tsize --no-tsize}), where picocli's own words
     * ("option '--tsize' should be specified only once") read as a complaint about one given twice; null when
     * {@code args} hold only one of the forms (given twice: picocli's words are right).
     */
    static String bothForms(String name, List<String> args) {
        boolean no = name.startsWith("--no-");
        String plain = no ? "--" + name.substring(5) : name;
        String negated = no ? name : "--no-" + name.substring(2);
        return args.contains(plain) && args.contains(negated) ? "give " + plain + " or " + negated + ", not both" : null;
    }

    /**
     * Returns whether {@code args}, as typed (before any argument file), run a command whose {@code --json} says a usage
     * error as an object ({@link #JSON_ERRORS}) and ask for it.
     */
    static boolean jsonErrors(String... args) {
        List<String> a = List.of(args);
        int end = a.indexOf("--");
        List<String> options = end < 0 ? a : a.subList(0, end);
        if (a.isEmpty() || !options.contains("--json")) {
            return false;
        }
        String first = a.getFirst();
        return first.equals("boot") || first.equals("fleet")
                || first.equals("flash") && a.size() > 1 && List.of("inspect", "select", "confirm").contains(a.get(1));
    }

    /** An argument file's limit: the config files' (1 MiB); a command line longer than that is no command line. */
    private static final long MAX_ARGUMENT_FILE = 1 << 20;

    /**
     * Says what is wrong with an argument file ({@code @FILE}, which picocli reads as more arguments, and the argument
     * files named in it, as picocli reads those too) that is there but cannot be read as one, or returns null:
     * picocli itself would end in a stack trace of its own exception (a folder, an unreadable file), or read forever
     * (a device such as /dev/zero, a pipe nobody writes). A name that is no file is an argument as it stands, as
     * picocli takes it; {@code @@X} is picocli's escape for the argument {@code @X}.
     */
    private static String unreadableArgumentFile(String... args) {
        return unreadableArgumentFile(List.of(args), new java.util.HashSet<>());
    }

    private static String unreadableArgumentFile(List<String> args, Set<Path> seen) {
        for (String a : args) {
            if (a.equals("--")) {
                return null;
            }
            if (a.length() > 1 && a.startsWith("@") && !a.startsWith("@@")) {
                Path file = Path.of(a.substring(1));
                String problem = Files.isDirectory(file) ? "is a directory"
                        : !Files.exists(file) ? null
                        : !Files.isReadable(file) ? "permission denied"
                        : !Files.isRegularFile(file) ? "is not a regular file (a device, pipe or socket)"
                        : null;
                List<String> inside = List.of();
                if (problem == null && Files.exists(file) && seen.add(file.toAbsolutePath().normalize())) {
                    try {
                        long size = Files.size(file);
                        if (size > MAX_ARGUMENT_FILE) {
                            problem = size + " bytes is too large (at most " + MAX_ARGUMENT_FILE / 1024 + " KiB)";
                        } else {
                            inside = argumentFileTokens(file);
                        }
                    } catch (java.io.IOException e) {
                        problem = IoProblems.what(file, e);
                    }
                }
                if (problem != null) {
                    return "argument file " + a + ": " + problem + " (expected: a file of arguments, one a line)";
                }
                String nested = unreadableArgumentFile(inside, seen);
                if (nested != null) {
                    return nested;
                }
            }
        }
        return null;
    }

    /**
     * Returns the arguments in an argument file as picocli reads them (its {@code Interpreter.expandValidArgumentFile}:
     * a {@link java.io.StreamTokenizer} over the file in the default charset, words split at spaces and control
     * characters, {@code "..."} and {@code '...'} one argument without their quotes, {@code #} to the end of the line a
     * comment). Split at whitespace alone, a quoted {@code "@FOLDER"} kept its closing quote, so the name checked was no
     * file and picocli, reading the folder, ended in a stack trace (a quoted FIFO: it waited for ever), and an
     * {@code @/dev/zero} in a comment, which picocli skips, was refused.
     */
    private static List<String> argumentFileTokens(Path file) throws java.io.IOException {
        List<String> tokens = new ArrayList<>();
        try (java.io.Reader r = new java.io.InputStreamReader(Files.newInputStream(file), java.nio.charset.Charset.defaultCharset())) {
            java.io.StreamTokenizer tok = new java.io.StreamTokenizer(new java.io.BufferedReader(r));
            tok.resetSyntax();
            tok.wordChars(' ', 255);
            tok.whitespaceChars(0, ' ');
            tok.quoteChar('"');
            tok.quoteChar('\'');
            tok.commentChar('#');
            while (tok.nextToken() != java.io.StreamTokenizer.TT_EOF) {
                tokens.add(tok.sval);
            }
        }
        return tokens;
    }

    /**
     * Returns picocli's usage error about {@code where}, for a command class on the short road to throw: its type
     * is RuntimeException there, so that class names no picocli exception (see {@link Main}).
     */
    static RuntimeException usageError(CommandLine where, String message) {
        return new CommandLine.ParameterException(where, message);
    }

    private static void giveVersion(CommandLine cl, CommandLine.IVersionProvider version) {
        cl.getCommandSpec().versionProvider(version);
        for (CommandLine sub : cl.getSubcommands().values()) {
            giveVersion(sub, version);
        }
    }

    /**
     * Says what an unmatched argument is, in one line, naming the nearest option or command when one is a
     * likely typo (as a profile's unknown key does): {@code unknown option '--profil' (did you mean '--profile'?)}.
     * Only the first unmatched argument is named: after an unknown option, its value is not another mistake.
     */
    static String unmatched(CommandSpec spec, List<String> args, CommandLine.ParameterException ex) {
        if (args.isEmpty()) {
            return ex.getMessage();
        }
        String arg = args.getFirst();
        if (arg.startsWith("-") && arg.length() > 1) {
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            List<String> names = new ArrayList<>();
            for (OptionSpec o : spec.options()) {
                names.addAll(List.of(o.names()));
            }
            return "unknown option '" + name + "'" + nearest(name, names);
        }
        if (!spec.subcommands().isEmpty()) {
            List<String> commands = commands(spec);
            return "unknown command '" + arg + "'" + nearest(arg, commands) + " (commands: " + String.join(", ", commands) + ")";
        }
        return "unexpected argument '" + arg + "'";
    }

    /** Returns " (did you mean 'x'?)" for the nearest likely typo among {@code known}, else "". */
    private static String nearest(String word, List<String> known) {
        return known.stream().filter(k -> !k.equals(word) && (ConfigValues.similar(word, k) || prefixOf(word, k)))
                .min(Comparator.comparingInt((String k) -> ConfigValues.distance(word, k)))
                .map(k -> " (did you mean '" + k + "'?)").orElse("");
    }

    /** A long option cut short: {@code --flash} for {@code --flash-file}. */
    private static boolean prefixOf(String word, String k) {
        return word.startsWith("--") && word.length() >= 4 && k.startsWith(word);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), missingCommand(spec));
    }

    /** The line for a command given without its subcommand: which ones there are (the handler adds where help is). */
    static String missingCommand(CommandLine.Model.CommandSpec spec) {
        return "missing command (commands: " + String.join(", ", commands(spec)) + ")";
    }

    /** The subcommands of {@code spec} a user runs ({@code help} is what the handler's hint already says). */
    private static List<String> commands(CommandLine.Model.CommandSpec spec) {
        return spec.subcommands().keySet().stream().filter(c -> !c.equals("help")).toList();
    }

    /** Reports netboot's version (the pom's, from the build's version.properties) and Java's. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {Main.versionLine()};
        }
    }
}
