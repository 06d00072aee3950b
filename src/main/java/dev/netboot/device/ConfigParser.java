package dev.netboot.device;

import dev.netboot.device.ConfigText.Section;
import dev.netboot.device.ConfigText.Value;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The syntax of the config format that {@link ConfigText} models: reads a file (strict UTF-8 text of at most 1 MiB),
 * splits it into lines, strips comments, and turns {@code [kind]}, {@code [kind name]} headers and
 * {@code key = value} lines into sections and entries that remember their line numbers. It refuses, at its line, a
 * line of no known shape, a malformed key or header, a key outside any section and a repeated section or key.
 * Which sections and keys a reader asks for, and what their values mean, is {@link ConfigText}'s.
 */
final class ConfigParser {
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9]*(?:-[a-z0-9]+)*");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    /** The largest config file read: profiles and scenarios are a few KiB; anything this big is not one. */
    private static final long MAX_FILE = 1 << 20;

    private ConfigParser() {
    }

    /**
     * Reads a file; messages name it as {@code file} was given (keep it relative for short messages).
     *
     * @throws ConfigException when the file cannot be read or its lines are not in the format
     */
    static ConfigText load(Path file) {
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw new ConfigException(file + ": is a directory (expected: a file in the netboot config format)");
            }
            long size = Files.size(file);
            if (size > MAX_FILE) {
                throw tooLarge(file, size + " bytes");
            }
            // A device or pipe says it has 0 bytes and may never end (/dev/zero): read no more than the limit allows.
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes((int) MAX_FILE + 1);
            }
            if (bytes.length > MAX_FILE) {
                throw tooLarge(file, "more than " + MAX_FILE / 1024 + " KiB");
            }
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new ConfigException(file + ": permission denied", e);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + (e.getMessage() == null ? "input/output error" : e.getMessage()), e);
        }
        return parse(decode(bytes, file.toString()), file.toString());
    }

    private static ConfigException tooLarge(Path file, String size) {
        return new ConfigException(file + ": " + size + " is too large for a config file (expected: text of at most " + MAX_FILE / 1024
                + " KiB)");
    }

    /**
     * Decodes UTF-8 strictly: a binary file (an image given as a scenario, say) is refused at the line
     * with its first byte that is not text, never read as garbage.
     */
    private static String decode(byte[] bytes, String source) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = d.decode(in, out, true);
        int bad = r.isError() ? in.position() : -1;
        for (int i = 0; bad < 0 && i < bytes.length; i++) {
            byte b = bytes[i];
            if (b == 0 || (b >= 0 && b < 0x20 && b != '\t' && b != '\n' && b != '\r')) {
                bad = i; // NUL and other control characters: a binary file, even when it happens to be valid UTF-8
            }
        }
        if (bad >= 0) {
            int line = 1;
            for (int i = 0; i < bad; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new ConfigException(String.format(Locale.ROOT, "%s:%d: not a text file: byte 0x%02x at offset %d is not UTF-8 text"
                    + " (expected: a file in the netboot config format)", source, line, bytes[bad] & 0xFF, bad));
        }
        d.flush(out);
        return out.flip().toString();
    }

    /**
     * Splits {@code text} into sections and entries; {@code source} names it in messages.
     *
     * @throws ConfigException for a line that is neither a comment, a header nor {@code key = value},
     *                         a key outside any section, or a repeated section or key
     */
    static ConfigText parse(String text, String source) {
        List<Section> sections = new ArrayList<>();
        ConfigText config = new ConfigText(source, sections);
        Section current = null;
        // Editors on Windows may start UTF-8 files with a byte order mark; it is not part of line 1.
        String[] lines = (text.startsWith("\uFEFF") ? text.substring(1) : text).split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int line = i + 1;
            int cr = lines[i].indexOf('\r');
            if (cr >= 0 && !(i == lines.length - 1 && cr == lines[i].length() - 1)) {
                // Classic Mac line ends: read as one line, the whole file was its first comment, and a scenario so saved
                // was taken as an empty one, every setting its default.
                throw new ConfigException(source + ":" + line + ": a carriage return (CR) that ends no line (expected: lines"
                        + " ending in LF or CR LF; a file saved with classic Mac line ends, CR alone?)");
            }
            String s = stripComment(lines[i]).strip();
            if (s.isEmpty()) {
                continue;
            }
            if (s.startsWith("[")) {
                current = header(config, sections, s, line);
                sections.add(current);
                continue;
            }
            int eq = s.indexOf('=');
            if (eq < 0) {
                throw new ConfigException(source + ":" + line + ": '" + s
                        + "' is not a line of this format (expected: key = value, [section], [section name] or # comment)");
            }
            String key = s.substring(0, eq).strip();
            String value = s.substring(eq + 1).strip();
            if (!KEY.matcher(key).matches()) {
                throw new ConfigException(source + ":" + line + ": key '" + key
                        + "' (expected: lowercase letters, digits and dashes, like erase-unit)");
            }
            if (current == null) {
                throw new ConfigException(source + ":" + line + ": '" + key
                        + "' is outside any section (expected: a [section] header first)");
            }
            Value old = current.entry(key);
            if (old != null) {
                throw new ConfigException(source + ":" + line + ": " + current.label() + " " + key
                        + ": repeated (first set on line " + old.line() + ")");
            }
            current.add(new Value(current, key, value, line));
        }
        return config;
    }

    /** Removes a whole-line comment, or a trailing one that starts at a '#' preceded by whitespace. */
    private static String stripComment(String line) {
        if (line.strip().startsWith("#")) {
            return "";
        }
        for (int i = 1; i < line.length(); i++) {
            if (line.charAt(i) == '#' && Character.isWhitespace(line.charAt(i - 1))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static Section header(ConfigText config, List<Section> sections, String s, int line) {
        String source = config.source();
        if (!s.endsWith("]")) {
            throw new ConfigException(source + ":" + line + ": '" + s + "' is not a section header (expected: [section] or [section name])");
        }
        String[] parts = s.substring(1, s.length() - 1).strip().split("\\s+");
        if (parts.length > 2 || !KEY.matcher(parts[0]).matches() || (parts.length == 2 && !NAME.matcher(parts[1]).matches())) {
            throw new ConfigException(source + ":" + line + ": '" + s
                    + "' is not a section header (expected: [kind] or [kind name], kind in lowercase letters and dashes, name without spaces)");
        }
        Section section = new Section(config, parts[0], parts.length == 2 ? parts[1] : null, line);
        for (Section other : sections) {
            if (other.kind().equals(section.kind()) && other.name().equals(section.name())) {
                throw new ConfigException(source + ":" + line + ": " + section.label() + " repeated (first on line " + other.line() + ")");
            }
        }
        return section;
    }
}
