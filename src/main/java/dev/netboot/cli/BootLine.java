package dev.netboot.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * {@code netboot boot ...} read by hand for {@link FastPath}: picocli's model of a command (its reflection
 * over every option's annotations, and its Java 5 class files, which the JDK's AOT cache cannot keep)
 * took half a second before a boot started (issue 11).
 *
 * <p>Only a plainly well-formed line is read here: the options {@link BootCommand} and {@link FaultOptions}
 * declare, in the forms {@code --name value} and {@code --name=value}, each at most once; values neither
 * empty nor starting with '-' or '@' (an argument file); whole numbers in plain decimal without a leading
 * zero (picocli may read "010" as octal), at most 18 digits; fractions as digits, a point and digits; no
 * operands. Anything else, every mistake included, returns null and goes to picocli, which words the
 * error. {@code BootLineTest} checks on fixed and random lines that picocli reads every line taken here
 * into the same fields.
 *
 * @param command the options, as picocli would have set them
 * @param help    {@code -h}/{@code --help} was given
 * @param version {@code -V}/{@code --version} was given
 */
record BootLine(BootCommand command, boolean help, boolean version) {
    // The kinds of value an option takes.
    private static final int FLAG = 0;
    private static final int TEXT = 1;
    private static final int FILE = 2;
    private static final int WHOLE = 3;
    private static final int FRACTION = 4;

    /** The options: name, kind; an option's index in this table is its bit in the "seen" mask. */
    private static final String[] NAMES = {"-h", "--help", "-V", "--version", "--json", "--profile", "--image", "--signature",
        "--digest", "--flash-file", "--scenario", "--seed", "--loss", "--bandwidth", "--rtt", "--blksize", "--windowsize", "--pcap",
        "--timeline", "--interface", "--mac", "--flash-timing", "--power-cut-at", "--power-cut-mode", "--duplicate", "--reorder",
        "--jitter", "--corrupt", "--tamper", "--link-down", "--flood"};
    private static final int[] KINDS = {FLAG, FLAG, FLAG, FLAG, FLAG, TEXT, FILE, FILE,
        FILE, FILE, FILE, WHOLE, FRACTION, TEXT, TEXT, TEXT, TEXT, FILE,
        FILE, TEXT, TEXT, TEXT, WHOLE, TEXT, FRACTION, FRACTION,
        TEXT, FRACTION, FRACTION, TEXT, WHOLE};

    /** Reads {@code netboot boot ...} ({@code args[0]} is "boot"); returns null unless the line is plainly well formed. */
    static BootLine parse(String[] args) {
        BootCommand c = new BootCommand();
        boolean help = false;
        boolean version = false;
        long seen = 0;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-")) {
                return null; // boot takes no operands: picocli names the stray word
            }
            int eq = a.indexOf('=');
            String name = eq < 0 ? a : a.substring(0, eq);
            int option = indexOf(name);
            if (option < 0 || (seen & 1L << option) != 0) {
                return null; // unknown (picocli suggests the nearest), or given twice (picocli refuses)
            }
            // -h and --help are one option to picocli, as are -V and --version
            seen |= 1L << option | (option < 4 ? 1L << (option ^ 1) : 0);
            if (KINDS[option] == FLAG) {
                if (eq >= 0) {
                    return null; // a flag takes no value
                }
                switch (option) {
                    case 0, 1 -> help = true;
                    case 2, 3 -> version = true;
                    default -> c.json = true;
                }
                continue;
            }
            String v;
            if (eq >= 0) {
                v = a.substring(eq + 1);
            } else if (i + 1 < args.length) {
                v = args[++i];
            } else {
                return null; // picocli says the value is missing
            }
            if (v.isEmpty() || v.startsWith("-") || v.startsWith("@") || !set(c, option, v)) {
                return null;
            }
        }
        return help && version ? null : new BootLine(c, help, version);
    }

    private static int indexOf(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** True for 1 to 18 decimal digits without a leading zero (but "0"): a long that picocli reads the same. */
    static boolean plainWhole(String v) {
        if (v.isEmpty() || v.length() > 18 || v.length() > 1 && v.charAt(0) == '0') {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Sets option {@code option} of {@code c} to {@code v}; false when picocli might read {@code v} otherwise. */
    private static boolean set(BootCommand c, int option, String v) {
        Path file = null;
        Long whole = null;
        Double fraction = null;
        switch (KINDS[option]) {
            case FILE -> {
                try {
                    file = Path.of(v);
                } catch (InvalidPathException e) {
                    return false;
                }
            }
            case WHOLE -> {
                if (!plainWhole(v)) {
                    return false;
                }
                whole = Long.parseLong(v);
            }
            case FRACTION -> {
                if (!FastPath.isDecimal(v, true)) {
                    return false;
                }
                fraction = Double.parseDouble(v);
            }
            default -> {
            }
        }
        FaultOptions f = c.faults;
        switch (NAMES[option]) {
            case "--profile" -> c.profile = v;
            case "--image" -> c.image = file;
            case "--signature" -> c.signature = file;
            case "--digest" -> c.digest = file;
            case "--flash-file" -> c.flashFile = file;
            case "--scenario" -> c.scenarioFile = file;
            case "--seed" -> c.seed = whole;
            case "--loss" -> c.loss = fraction;
            case "--bandwidth" -> c.bandwidth = v;
            case "--rtt" -> c.rtt = v;
            case "--blksize" -> c.blksize = v;
            case "--windowsize" -> c.windowsize = v;
            case "--pcap" -> c.pcap = file;
            case "--timeline" -> c.timeline = file;
            case "--interface" -> c.iface = v;
            case "--mac" -> c.mac = v;
            case "--flash-timing" -> c.flashTiming = v;
            case "--power-cut-at" -> c.powerCutAt = whole;
            case "--power-cut-mode" -> c.powerCutMode = v;
            case "--duplicate" -> f.duplicate = fraction;
            case "--reorder" -> f.reorder = fraction;
            case "--jitter" -> f.jitter = v;
            case "--corrupt" -> f.corrupt = fraction;
            case "--tamper" -> f.tamper = fraction;
            case "--link-down" -> f.linkDown = v;
            case "--flood" -> f.flood = whole;
            default -> throw new IllegalStateException("option without a field: " + NAMES[option]);
        }
        return true;
    }
}
