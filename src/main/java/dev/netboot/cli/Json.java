package dev.netboot.cli;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A tiny writer for one ordered JSON object, for the CLI's {@code --json} summary.
 *
 * <pre>
 * String line = Json.object().put("result", "ok").put("bytes", 1_048_576).put("seconds", 2.5)
 *         .putArray("warnings", List.of()).toString();
 * // {"result":"ok","bytes":1048576,"seconds":2.5,"warnings":[]}
 * </pre>
 *
 * <p>Keys keep their insertion order and may not repeat. Strings are escaped per RFC 8259: quote,
 * backslash and control characters ({@code \n}, {@code \r}, {@code \t}, others as {@code \}{@code u00XX}), and a
 * lone surrogate as {@code \}{@code uXXXX}; other characters, non-ASCII included, are written as they are.
 */
public final class Json {
    private final StringBuilder out = new StringBuilder("{");
    private final Set<String> keys = new HashSet<>();

    private Json() {
    }

    /** Starts an empty object. */
    public static Json object() {
        return new Json();
    }

    /** Adds a string member; {@code null} writes {@code null}. */
    public Json put(String key, String value) {
        return putRaw(key, value == null ? "null" : quote(value));
    }

    /** Adds a whole-number member. */
    public Json put(String key, long value) {
        return putRaw(key, Long.toString(value));
    }

    /**
     * Adds a number member.
     *
     * @throws IllegalArgumentException for NaN and infinities, which JSON cannot express
     */
    public Json put(String key, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("JSON number for " + key + ": " + value + " (expected: finite)");
        }
        return putRaw(key, Double.toString(value));
    }

    /** Adds a boolean member. */
    public Json put(String key, boolean value) {
        return putRaw(key, Boolean.toString(value));
    }

    /** Adds a nested object; {@code null} writes {@code null}. */
    public Json put(String key, Json value) {
        return putRaw(key, value == null ? "null" : value.toString());
    }

    /** Adds a {@code null} member. */
    public Json putNull(String key) {
        return putRaw(key, "null");
    }

    /**
     * Adds an array of strings, numbers, booleans, nested {@link Json} objects or nulls.
     *
     * @throws IllegalArgumentException for any other element type, or a non-finite number
     */
    public Json putArray(String key, List<?> values) {
        StringBuilder sb = new StringBuilder("[");
        for (Object v : values) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(switch (v) {
                case null -> "null";
                case String s -> quote(s);
                case Boolean b -> b.toString();
                case Json j -> j.toString();
                case Double d when !d.isInfinite() && !d.isNaN() -> d.toString();
                case Float f when !f.isInfinite() && !f.isNaN() -> f.toString();
                case Long _, Integer _, Short _, Byte _ -> v.toString();
                default -> throw new IllegalArgumentException("JSON array " + key + ": cannot write " + v.getClass().getName() + " " + v);
            });
        }
        return putRaw(key, sb.append(']').toString());
    }

    /**
     * Adds a member whose value is already JSON text, written as it is.
     *
     * @throws IllegalArgumentException when {@code key} was already added
     */
    public Json putRaw(String key, String json) {
        if (!keys.add(key)) {
            throw new IllegalArgumentException("JSON key repeated: " + key);
        }
        if (out.length() > 1) {
            out.append(',');
        }
        out.append(quote(key)).append(':').append(json);
        return this;
    }

    /**
     * Adds every member of {@code other}, in its order.
     *
     * @throws IllegalArgumentException when a key of {@code other} was already added here
     */
    public Json putAll(Json other) {
        for (String k : other.keys) {
            if (keys.contains(k)) {
                throw new IllegalArgumentException("JSON key repeated: " + k);
            }
        }
        keys.addAll(other.keys);
        if (other.out.length() > 1) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(other.out, 1, other.out.length());
        }
        return this;
    }

    /** Returns the object as one line of JSON text. */
    @Override
    public String toString() {
        return out + "}";
    }

    /** Returns {@code s} as a JSON string literal, quotes included. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    // RFC 8259 section 7: "All Unicode characters may be placed within the quotation marks,
                    // except for the characters that MUST be escaped: quotation mark, reverse solidus, and the
                    // control characters (U+0000 through U+001F)."
                    // A lone surrogate (a file name's byte that is not UTF-8, kept as U+DC80..U+DCFF by TftpText)
                    // has no UTF-8 form, so written as it is it would reach stdout as '?'; escaped (RFC 8259
                    // section 7 allows any character so) it reaches a reader that keeps such names (Python's json
                    // and os.fsencode, Jackson) as the same character. A pair is one character and stays as it is.
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i));
                    } else if (c < 0x20 || Character.isSurrogate(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
