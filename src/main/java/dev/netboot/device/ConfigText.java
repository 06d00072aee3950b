package dev.netboot.device;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The project's human-readable config format (device profiles, emulator scenarios), parsed into
 * sections of {@code key = value} lines that remember their line numbers.
 *
 * <pre>
 * # a comment line
 * [flash]                     # a section; trailing comments start at a '#' after whitespace
 * size = 16MiB
 * erase-unit = 4KiB
 * [partition boot]            # a named section: kind "partition", name "boot"
 * offset = 1MiB
 * </pre>
 *
 * <p>Keys and section kinds are lowercase letters, digits and dashes. Values run to the end of the line
 * or to a {@code #} preceded by whitespace, and are trimmed; there is no quoting. A (kind, name) pair
 * appears at most once, and a key at most once per section.
 *
 * <p>Reading is strict so that typos cannot pass silently: a reader asks for what it understands with
 * {@link #section}, {@link #namedSections}, {@link Section#require} and {@link Section#optional}, then
 * calls {@link #finish()}, which rejects every section and key nobody asked for. Every error is a
 * {@link ConfigException} naming the file, line, section and key. The syntax is {@link ConfigParser}'s.
 */
public final class ConfigText {
    private final String source;
    private final List<Section> sections;
    private final Set<String> askedKinds = new LinkedHashSet<>();

    /** A text named {@code source} whose {@code sections} {@link ConfigParser} fills in file order. */
    ConfigText(String source, List<Section> sections) {
        this.source = source;
        this.sections = sections;
    }

    /**
     * Reads a file; messages name it as {@code file} was given (keep it relative for short messages).
     *
     * @throws ConfigException when the file cannot be read or its lines are not in the format
     */
    public static ConfigText load(Path file) {
        return ConfigParser.load(file);
    }

    /**
     * Splits {@code text} into sections and entries; {@code source} names it in messages.
     *
     * @throws ConfigException for a line that is neither a comment, a header nor {@code key = value},
     *                         a key outside any section, or a repeated section or key
     */
    public static ConfigText parse(String text, String source) {
        return ConfigParser.parse(text, source);
    }

    /** Returns the name this text goes by in messages, e.g. {@code device-profiles/spi-nor-16m.profile}. */
    public String source() {
        return source;
    }

    /**
     * Returns the one unnamed section {@code [kind]}.
     *
     * @throws ConfigException when it is missing (at the line of a header that looks like a typo of it) or carries a name
     */
    public Section section(String kind) {
        return optionalSection(kind).orElseThrow(() -> {
            // A header that is a typo of it ([flsh]) is reported at its line, as a required key's typo is, not as a
            // section missing from a file that has it; a kind the reader knows ({@link #knownKinds}) is no typo.
            for (Section s : sections) {
                if (!s.consumed && !askedKinds.contains(s.kind) && ConfigValues.similar(s.kind, kind)) {
                    return s.error("unknown section (did you mean '" + kind + "'? it is required)");
                }
            }
            return error("missing required section [" + kind + "]");
        });
    }

    /**
     * Declares every section kind the reader will ask for, in the order {@link #finish} lists them, so that a section
     * of a kind asked for later ({@code [bootp]}) is not taken for a typo of a required one asked for first ({@code [boot]}).
     */
    public void knownKinds(String... kinds) {
        askedKinds.addAll(List.of(kinds));
    }

    /**
     * Returns the unnamed section {@code [kind]} if the text has one.
     *
     * @throws ConfigException when a section of this kind carries a name
     */
    public Optional<Section> optionalSection(String kind) {
        askedKinds.add(kind);
        for (Section s : sections) {
            if (s.kind.equals(kind)) {
                if (s.name != null) {
                    throw s.error("unexpected name '" + s.name + "' (expected: [" + kind + "] without a name)");
                }
                s.consumed = true;
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** Returns whether the text has a section {@code [kind]} or {@code [kind NAME]}; asks for none. */
    public boolean has(String kind) {
        for (Section s : sections) {
            if (s.kind.equals(kind)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns every section {@code [kind NAME]} in file order, possibly none.
     *
     * @throws ConfigException when a section of this kind has no name
     */
    public List<Section> namedSections(String kind) {
        askedKinds.add(kind);
        List<Section> found = new ArrayList<>();
        for (Section s : sections) {
            if (s.kind.equals(kind)) {
                if (s.name == null) {
                    throw s.error("needs a name (expected: [" + kind + " NAME])");
                }
                s.consumed = true;
                found.add(s);
            }
        }
        return found;
    }

    /**
     * Checks that every section was asked for and every key in them consumed.
     *
     * @throws ConfigException for the first unknown section or key, in file order
     */
    public void finish() {
        for (Section s : sections) {
            if (!s.consumed) {
                throw s.error("unknown section" + hint(s.kind, askedKinds) + " (expected one of: "
                        + String.join(", ", askedKinds) + ")");
            }
            s.finish();
        }
    }

    /** Returns an exception for a problem with the whole file: {@code "source: problem"}. */
    public ConfigException error(String problem) {
        return new ConfigException(source + ": " + problem);
    }

    /** Returns " (did you mean 'x'?)" when a known word is a likely typo of {@code word}, else "". */
    private static String hint(String word, Set<String> known) {
        for (String k : known) {
            if (ConfigValues.similar(word, k)) {
                return " (did you mean '" + k + "'?)";
            }
        }
        return "";
    }

    // ---------------------------------------------------------------- sections and values

    /** One {@code [kind]} or {@code [kind name]} section and its entries in file order. */
    public static final class Section {
        private final ConfigText config;
        private final String kind;
        private final String name;
        private final int line;
        private final Map<String, Value> entries = new LinkedHashMap<>();
        private final Set<String> asked = new LinkedHashSet<>();
        private boolean consumed;

        Section(ConfigText config, String kind, String name, int line) {
            this.config = config;
            this.kind = kind;
            this.name = name;
            this.line = line;
        }

        /** Returns the entry of {@code key}, or null; not marked consumed (for the parser). */
        Value entry(String key) {
            return entries.get(key);
        }

        /** Adds an entry (for the parser). */
        void add(Value v) {
            entries.put(v.key, v);
        }

        /** Returns the kind, e.g. {@code partition} for {@code [partition boot]}. */
        public String kind() {
            return kind;
        }

        /** Returns the name, e.g. {@code boot} for {@code [partition boot]}, or empty for {@code [flash]}. */
        public Optional<String> name() {
            return Optional.ofNullable(name);
        }

        /** Returns the line of the header. */
        public int line() {
            return line;
        }

        /** Returns the header as written in messages: {@code [partition boot]}. */
        public String label() {
            return name == null ? "[" + kind + "]" : "[" + kind + " " + name + "]";
        }

        /**
         * Returns the value of {@code key}, marking it consumed. When it is missing and a key nobody asked for
         * looks like a typo of it, the error is that key's, as {@link #finish} reports an optional key's typo.
         *
         * @throws ConfigException {@code "file:7: [flash] missing required field 'erase-unit'"} (at the header), or
         *                         {@code "file:9: [flash] unknown key 'pgae' (did you mean 'page'? it is required)"}
         */
        public Value require(String key) {
            return optional(key).orElseThrow(() -> {
                for (Value v : entries.values()) {
                    if (!asked.contains(v.key) && ConfigValues.similar(v.key, key)) {
                        return new ConfigException(config.source + ":" + v.line + ": " + label() + " unknown key '" + v.key
                                + "' (did you mean '" + key + "'? it is required)");
                    }
                }
                return error("missing required field '" + key + "'");
            });
        }

        /** Returns the value of {@code key} if present, marking it consumed (and known) either way. */
        public Optional<Value> optional(String key) {
            asked.add(key);
            return Optional.ofNullable(entries.get(key));
        }

        /**
         * Checks that every key of this section was asked for.
         *
         * @throws ConfigException {@code "file:14: [flash] unknown key 'erase-size' (expected one of: ...)"}
         */
        public void finish() {
            for (Value v : entries.values()) {
                if (!asked.contains(v.key)) {
                    throw new ConfigException(config.source + ":" + v.line + ": " + label() + " unknown key '" + v.key + "'"
                            + hint(v.key, asked) + " (expected one of: " + String.join(", ", asked) + ")");
                }
            }
        }

        /** Returns an exception located at this section's header: {@code "file:7: [partition boot] problem"}. */
        public ConfigException error(String problem) {
            return new ConfigException(config.source + ":" + line + ": " + label() + " " + problem);
        }

        @Override
        public String toString() {
            return config.source + ":" + line + ": " + label();
        }
    }

    /** One {@code key = value} entry; the typed getters report errors at its file, line, section and key. */
    public static final class Value {
        private final Section section;
        private final String key;
        private final String text;
        private final int line;

        Value(Section section, String key, String text, int line) {
            this.section = section;
            this.key = key;
            this.text = text;
            this.line = line;
        }

        /** Returns the key. */
        public String key() {
            return key;
        }

        /** Returns the trimmed text after '=' (comment removed). */
        public String text() {
            return text;
        }

        /** Returns the line the entry is on. */
        public int line() {
            return line;
        }

        /** Returns the section the entry is in. */
        public Section section() {
            return section;
        }

        /**
         * Returns the text, which must not be empty.
         *
         * @throws ConfigException when the value is empty
         */
        public String asString() {
            if (text.isEmpty()) {
                throw error("empty (expected: a value after '=')");
            }
            return text;
        }

        /** Returns the value as a byte count; see {@link ConfigValues#parseSize}. */
        public long asSize() {
            return located(() -> ConfigValues.parseSize(text));
        }

        /** Returns the value as nanoseconds; see {@link ConfigValues#parseDuration}. */
        public long asDuration() {
            return located(() -> ConfigValues.parseDuration(text));
        }

        /** Returns a whole number in {@code min..max}, decimal or 0x hex. */
        public long asLong(long min, long max) {
            return located(() -> ConfigValues.parseLong(text, min, max));
        }

        /** Returns a whole number in {@code min..max}, decimal or 0x hex. */
        public int asInt(int min, int max) {
            return (int) asLong(min, max);
        }

        /** Returns true for {@code true}/{@code yes}, false for {@code false}/{@code no}. */
        public boolean asBoolean() {
            return located(() -> ConfigValues.parseBoolean(text));
        }

        /** Returns the value as a MAC address like {@code 02:4e:42:00:00:01}. */
        public MacAddress asMac() {
            try {
                return MacAddress.parse(text);
            } catch (IllegalArgumentException e) {
                throw error("'" + text + "' is not a MAC address (expected: six hex octets like 02:00:00:00:00:01)");
            }
        }

        /**
         * Returns the value as the MAC address of one station: not a group address (multicast, broadcast:
         * the lowest bit of the first octet set) and not all zeros.
         */
        public MacAddress asUnicastMac() {
            MacAddress m = asMac();
            if (m.isGroup()) {
                throw error("'" + text + "' is a " + (m.equals(MacAddress.BROADCAST) ? "broadcast" : "multicast")
                        + " address (expected: a station's own MAC, the first octet even, like 02:00:00:00:00:01)");
            }
            if (m.equals(MacAddress.ZERO)) {
                throw error("'" + text + "' is all zeros (expected: a station's own MAC, like 02:00:00:00:00:01)");
            }
            return m;
        }

        /** Returns the value as a dotted-quad IPv4 address. */
        public Ipv4Address asIpv4() {
            try {
                return Ipv4Address.parse(text);
            } catch (IllegalArgumentException e) {
                throw error("'" + text + "' is not an IPv4 address (expected: four octets like 10.0.0.1)");
            }
        }

        /**
         * Returns the text, which must be one of {@code allowed}.
         *
         * @throws ConfigException naming the accepted values
         */
        public String asOneOf(String... allowed) {
            for (String a : allowed) {
                if (a.equals(text)) {
                    return a;
                }
            }
            throw error("'" + text + "' is not supported (expected: " + String.join(" or ", allowed) + ")");
        }

        /**
         * Splits a compound value such as {@code 0.4ms / 3ms} at {@code separator} into exactly {@code count}
         * parts, each reporting errors at this entry.
         *
         * @param what describes the expected parts in the error, e.g. "typical / max"
         * @throws ConfigException when the number of parts differs
         */
        public List<Value> split(String separator, int count, String what) {
            String[] parts = text.split(Pattern.quote(separator), -1);
            if (parts.length != count) {
                throw error("'" + text + "' has " + parts.length + " part" + (parts.length == 1 ? "" : "s")
                        + " (expected: " + what + ")");
            }
            List<Value> values = new ArrayList<>(count);
            for (String p : parts) {
                values.add(new Value(section, key, p.strip(), line));
            }
            return values;
        }

        /** Returns an exception located at this entry: {@code "file:12: [flash] erase-unit: problem"}. */
        public ConfigException error(String problem) {
            return new ConfigException(section.config.source + ":" + line + ": " + section.label() + " " + key + ": " + problem);
        }

        private <T> T located(Supplier<T> parse) {
            try {
                return parse.get();
            } catch (ConfigException e) {
                throw error(e.getMessage());
            }
        }

        @Override
        public String toString() {
            return key + " = " + text;
        }
    }
}
