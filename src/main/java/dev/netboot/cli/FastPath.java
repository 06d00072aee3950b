package dev.netboot.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The short road for the command lines users type most, {@code netboot tftp get|put ...},
 * {@code netboot tftp [get|put] --help}, {@code netboot boot ...} ({@link BootLine}), {@code netboot boot --help}
 * and {@code netboot --version}: read here by hand, without
 * picocli, whose reflection over every command's annotations (and whose Java 5 class files, which the
 * JDK cannot keep in its AOT cache) took longer than the JVM's own start (issue 11).
 *
 * <p>Only a command line that is plainly well formed takes this road: known options in the forms
 * {@code --name value} and {@code --name=value}, each once, numbers in plain decimal, two or three
 * operands, none starting with '-' or '@' (picocli's argument files). Anything else, every mistake
 * included, returns null and goes through picocli as before, which words the error, so an error line
 * is the same whichever road a command line would have taken. {@code FastPathTest} checks that picocli
 * reads every command line this class accepts into the same settings, and that the help texts (kept
 * as resources beside this class) are picocli's, byte for byte.
 */
final class FastPath {
    /**
     * A {@code tftp get|put} command line as picocli would have read it.
     *
     * @param get      true for {@code get}, false for {@code put}
     * @param host     HOST[:PORT]
     * @param first    REMOTE for get, LOCAL for put
     * @param second   LOCAL for get, REMOTE for put; null when not given
     * @param settings the options
     * @param help     {@code -h}/{@code --help} was given
     * @param version  {@code -V}/{@code --version} was given
     */
    record TftpLine(boolean get, String host, String first, String second, TftpCommand.Settings settings, boolean help,
                    boolean version) {
    }

    private FastPath() {
    }

    /** Runs {@code args} if they take the short road and returns the exit status; returns null if picocli must read them. */
    static Integer run(String... args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            return version();
        }
        if (args.length > 0 && args[0].equals("boot")) {
            return boot(args);
        }
        if (args.length == 0 || !args[0].equals("tftp")) {
            return null;
        }
        if (args.length == 2 && (args[1].equals("--help") || args[1].equals("-h"))) {
            return help("tftp");
        }
        if (args.length == 2 && (args[1].equals("--version") || args[1].equals("-V"))) {
            return version();
        }
        TftpLine line = parseTftp(args);
        if (line == null) {
            return null;
        }
        if (line.help()) {
            return help(line.get() ? "tftp-get" : "tftp-put");
        }
        if (line.version()) {
            return version();
        }
        return line.get() ? TftpCommand.transfer(true, line.host(), line.first(), line.second(), line.settings())
                : TftpCommand.transfer(false, line.host(), line.second(), line.first(), line.settings());
    }

    /** Runs {@code netboot boot ...} if {@link BootLine} takes the line; returns null if picocli must read it. */
    private static Integer boot(String[] args) {
        BootLine line = BootLine.parse(args);
        if (line == null) {
            return null;
        }
        if (line.help()) {
            return help("boot");
        }
        if (line.version()) {
            return version();
        }
        return line.command().call();
    }

    /**
     * Reads {@code netboot tftp get|put ...} ({@code args[0]} is "tftp"); returns null unless the line
     * is plainly well formed (class comment).
     */
    static TftpLine parseTftp(String[] args) {
        if (args.length < 2 || !(args[1].equals("get") || args[1].equals("put"))) {
            return null;
        }
        TftpCommand.Settings s = new TftpCommand.Settings();
        String[] operands = new String[3];
        int count = 0;
        boolean help = false;
        boolean version = false;
        int seen = 0; // one bit per option: picocli refuses an option given twice
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-")) {
                if (a.startsWith("@") || count == operands.length) {
                    return null; // an argument file, or one operand too many: picocli's to expand or refuse
                }
                operands[count++] = a;
                continue;
            }
            int eq = a.indexOf('=');
            String name = eq < 0 ? a : a.substring(0, eq);
            int bit = switch (name) {
                case "-h", "--help" -> 1;
                case "-V", "--version" -> 2;
                case "--json" -> 4;
                case "--no-options" -> 8;
                case "--tsize", "--no-tsize" -> 16;
                case "--blksize" -> 32;
                case "--windowsize" -> 64;
                case "--retries" -> 128;
                case "--timeout" -> 256;
                default -> 0;
            };
            if (bit == 0 || (seen & bit) != 0) {
                return null;
            }
            seen |= bit;
            if (bit <= 16) {
                if (eq >= 0) {
                    return null; // a flag takes no value
                }
                switch (name) {
                    case "-h", "--help" -> help = true;
                    case "-V", "--version" -> version = true;
                    case "--json" -> s.json = true;
                    case "--no-options" -> s.noOptions = true;
                    default -> s.tsize = name.equals("--tsize");
                }
                continue;
            }
            String value;
            if (eq >= 0) {
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                return null;
            }
            if (bit == 256) {
                if (!isDecimal(value, true)) {
                    return null;
                }
                s.timeout = Double.parseDouble(value);
                continue;
            }
            if (!isDecimal(value, false)) {
                return null;
            }
            Integer n = Integer.parseInt(value);
            switch (bit) {
                case 32 -> s.blksize = n;
                case 64 -> s.windowsize = n;
                default -> s.retries = n;
            }
        }
        if (help && version) {
            return null;
        }
        if (count < 2 && !help && !version) {
            return null; // picocli names the missing operand
        }
        return new TftpLine(args[1].equals("get"), operands[0], operands[1], operands[2], s, help, version);
    }

    /**
     * True for a plain decimal number that picocli converts to the same value: digits without a
     * leading zero (picocli may read "010" as octal), at most 9 of them (an int), and for a
     * fraction, digits, a point and digits.
     */
    static boolean isDecimal(String v, boolean fraction) {
        int dot = fraction ? v.indexOf('.') : -1;
        String whole = dot < 0 ? v : v.substring(0, dot);
        if (whole.isEmpty() || whole.length() > 9 || whole.length() > 1 && whole.charAt(0) == '0' || !digits(whole)) {
            return false;
        }
        return dot < 0 || dot < v.length() - 1 && v.length() - dot <= 10 && digits(v.substring(dot + 1));
    }

    private static boolean digits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Prints {@code netboot --version}'s line; returns 0. */
    private static int version() {
        System.out.println(Main.versionLine());
        System.out.flush();
        return 0;
    }

    /** Prints the help text {@code help/NAME.txt} (picocli's, kept as a resource); returns 0, or null if it is missing. */
    private static Integer help(String name) {
        String text = helpText(name);
        if (text == null) {
            return null;
        }
        PrintStream out = System.out;
        out.print(text);
        out.flush();
        return 0;
    }

    /** Returns the help text {@code help/NAME.txt}, or null if the jar lacks it. */
    static String helpText(String name) {
        try (InputStream in = FastPath.class.getResourceAsStream("help/" + name + ".txt")) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }
}
