package dev.netboot.device;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The syntax of one value in a profile or scenario file, usable on its own (the command line reads sizes, durations
 * and numbers with it too): sizes in binary units, durations with a unit, whole numbers in a range, booleans, and the
 * edit distance behind "did you mean" hints. Each parser says in its {@link ConfigException} what it expected;
 * {@link ConfigText.Value} adds the file, line and key.
 */
public final class ConfigValues {
    private static final Pattern HEX = Pattern.compile("0[xX]([0-9a-fA-F]+)");
    private static final Pattern DECIMAL = Pattern.compile("-?[0-9]+");
    private static final Pattern SIZE = Pattern.compile("([0-9]+)\\s*([A-Za-z]*)");
    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([a-zµ]*)");

    /** What a size may look like; part of every size error. */
    public static final String SIZE_EXPECTED = "a number with optional KiB/MiB/GiB suffix or 0x hex";
    /** What a duration may look like; part of every duration error. */
    public static final String DURATION_EXPECTED = "a number with a unit ns, us, ms, s or min, like 250ms or 1.5s";

    private ConfigValues() {
    }

    /**
     * Returns true when one word is a likely typo of the other: one edit apart, two for words longer than four
     * letters (see {@link #distance}). Also what the command line uses to suggest an option or command.
     */
    public static boolean similar(String a, String b) {
        return distance(a, b) <= (Math.min(a.length(), b.length()) <= 4 ? 1 : 2);
    }

    /**
     * Edit distance for typo hints: insertions, deletions, substitutions and swaps of two neighbouring
     * letters ({@code pgae} for {@code page}) each count one (optimal string alignment).
     */
    public static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /**
     * Parses a byte count: {@code 512}, {@code 4KiB}, {@code 16MiB}, {@code 1GiB} or {@code 0x100000}.
     * Decimal units (KB, MB) and bare K/M/G are rejected as ambiguous.
     *
     * @throws ConfigException with a message like {@code "'4KB' is not a size (expected: ...)"}
     */
    public static long parseSize(String text) {
        String s = text.strip();
        Matcher hex = HEX.matcher(s);
        if (hex.matches()) {
            return parseHex(text, hex.group(1), "size");
        }
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) {
            throw notA(text, "size", SIZE_EXPECTED);
        }
        long unit = switch (m.group(2)) {
            case "" -> 1;
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            default -> {
                String binary = switch (m.group(2).toUpperCase(Locale.ROOT)) {
                    case "K", "KB", "KIB" -> "KiB";
                    case "M", "MB", "MIB" -> "MiB";
                    case "G", "GB", "GIB" -> "GiB";
                    default -> null;
                };
                if (binary == null) {
                    throw notA(text, "size", SIZE_EXPECTED);
                }
                // "4KB" is 4000 bytes to a disk vendor and 4096 to a flash datasheet: make the writer say which.
                throw notA(text, "size", SIZE_EXPECTED + "; " + m.group(2) + " is ambiguous, write "
                        + m.group(1) + binary + " for " + m.group(1) + " x " + (1L << (10 * ("KMG".indexOf(binary.charAt(0)) + 1))) + " bytes");
            }
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ConfigException("'" + text + "' is too large for a size");
        }
    }

    /**
     * Parses a duration with a unit into nanoseconds: {@code 250ms}, {@code 1s}, {@code 400us},
     * {@code 1.5s}, {@code 2min}. A number without a unit is rejected.
     *
     * @throws ConfigException with a message like {@code "'250' is not a duration: no unit (expected: ...)"}
     */
    public static long parseDuration(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw notA(text, "duration", DURATION_EXPECTED);
        }
        long unit = switch (m.group(2)) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "min" -> 60_000_000_000L;
            case "" -> throw new ConfigException("'" + text + "' is not a duration: no unit (expected: " + DURATION_EXPECTED + ")");
            default -> throw notA(text, "duration", DURATION_EXPECTED);
        };
        // Exact in longs: BigDecimal would do, but its class initialisation alone (powers of ten it builds with a
        // ForkJoin multiply) cost about 7 ms of every start-up that reads a profile.
        String number = m.group(1);
        int dot = number.indexOf('.');
        String fraction = dot < 0 ? "" : number.substring(dot + 1).replaceFirst("0+$", "");
        long fractionNanos = fractionNanos(fraction, unit);
        if (fractionNanos < 0) {
            throw new ConfigException("'" + text + "' is not a whole number of nanoseconds");
        }
        try {
            return Math.addExact(Math.multiplyExact(Long.parseLong(dot < 0 ? number : number.substring(0, dot)), unit), fractionNanos);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ConfigException("'" + text + "' is too long for a duration");
        }
    }

    /**
     * Returns {@code 0.DIGITS} times {@code unit} nanoseconds, or -1 when that is no whole number. {@code digits} ends in
     * no 0, so 10 does not divide it, and of {@code 10^n} the units' factors (at most 2^11 and 5^10: 60 s) cancel all
     * only for n up to 11.
     */
    private static long fractionNanos(String digits, long unit) {
        if (digits.isEmpty()) {
            return 0;
        }
        if (digits.length() > 11) {
            return -1;
        }
        long f = Long.parseLong(digits);
        long pow = 1;
        for (int i = 0; i < digits.length(); i++) {
            pow *= 10;
        }
        long g = gcd(unit, pow);
        return f % (pow / g) != 0 ? -1 : f / (pow / g) * (unit / g);
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * Parses a whole number, decimal or {@code 0x} hex, in {@code min..max}.
     *
     * @throws ConfigException when it is not a number or out of range
     */
    public static long parseLong(String text, long min, long max) {
        String s = text.strip();
        String range = "expected: " + min + ".." + max;
        long v;
        Matcher hex = HEX.matcher(s);
        if (hex.matches()) {
            v = parseHex(text, hex.group(1), "number");
        } else if (DECIMAL.matcher(s).matches()) {
            try {
                v = Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new ConfigException("'" + text + "' is out of range (" + range + ")");
            }
        } else {
            throw notA(text, "whole number", range.substring("expected: ".length()));
        }
        if (v < min || v > max) {
            throw new ConfigException("'" + text + "' is out of range (" + range + ")");
        }
        return v;
    }

    /**
     * Parses {@code true}/{@code yes} or {@code false}/{@code no}.
     *
     * @throws ConfigException for anything else
     */
    public static boolean parseBoolean(String text) {
        return switch (text.strip()) {
            case "true", "yes" -> true;
            case "false", "no" -> false;
            default -> throw notA(text, "boolean", "true, false, yes or no");
        };
    }

    private static long parseHex(String text, String digits, String what) {
        try {
            return Long.parseLong(digits, 16);
        } catch (NumberFormatException e) {
            throw new ConfigException("'" + text + "' is too large for a " + what);
        }
    }

    private static ConfigException notA(String text, String what, String expected) {
        String article = what.matches("[aeiou].*") ? "an " : "a ";
        return new ConfigException("'" + text + "' is not " + article + what + " (expected: " + expected + ")");
    }
}
