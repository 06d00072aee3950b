package dev.netboot.device;

import java.util.Locale;

/**
 * The image's expected SHA-256, from the sidecar the server keeps beside it: {@code FILE.sha256}, one line
 * as {@code sha256sum} writes it (64 hex digits, optionally whitespace and a file name; the name is not
 * compared, {@code sha256sum < FILE} writes {@code -}), or as {@code sha256sum --tag} writes it
 * ({@code SHA256 (NAME) = } and the 64 hex digits).
 *
 * <p>TFTP's UDP checksums catch bits flipped in flight, but not a peer that sends wrong bytes with right
 * checksums. A board with a public key refuses such an image by its signature; a board without one compares
 * the SHA-256 it read back from flash with the sidecar's before it commits ({@code [boot] digest}). The
 * sidecar is held in {@link #MAX_SIDECAR} bytes of RAM, and a longer one is refused as it arrives.
 */
public final class ImageDigest {
    /** The largest sidecar the board takes: a digest, two spaces and a file name of up to ~950 bytes. */
    public static final int MAX_SIDECAR = 1024;
    /** Hex digits of a SHA-256. */
    public static final int HEX_DIGITS = 64;

    /** When the board fetches {@code FILE.sha256}: {@code [boot] digest}. */
    public enum Policy {
        /** Never: the image is committed once its read-back matches what was received. */
        OFF("off"),
        /** Always asks; a server that has none (TFTP ERROR 1, file not found) means no digest, and the boot goes on. */
        IF_PRESENT("if-present"),
        /** Always asks; no digest, no commit. */
        REQUIRED("required");

        private final String word;

        Policy(String word) {
            this.word = word;
        }

        /** Returns the profile's word for it. */
        public String word() {
            return word;
        }

        /** Returns the policy named {@code word} ({@code off}, {@code if-present}, {@code required}). */
        public static Policy of(String word) {
            for (Policy p : values()) {
                if (p.word.equals(word)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("digest '" + word + "' (expected: off, if-present or required)");
        }

        @Override
        public String toString() {
            return word;
        }
    }

    /** What the boot report says of the digest: compared and equal, asked for but not served, or not asked for. */
    public static final String CHECKED = "checked", ABSENT = "absent", OFF = "off";

    private ImageDigest() {
    }

    /**
     * Returns the lower-case hex digest of a sidecar's first {@code len} bytes, in either form GNU {@code sha256sum}
     * writes: {@code HEX  NAME} and, with {@code --tag}, BSD's {@code SHA256 (NAME) = HEX} (which {@code sha256sum -c}
     * reads as {@code SHA256(NAME)=HEX} too). For a file name holding a backslash or a newline a backslash comes first;
     * the line ends in LF, CR LF, or the NUL of {@code sha256sum -z}; blank lines may follow the one.
     *
     * @throws IllegalArgumentException with what is wrong, when it is not one such line
     */
    public static String parse(byte[] b, int len) {
        if (len == 0) {
            throw new IllegalArgumentException("it is empty (expected: 64 hex digits, as sha256sum writes)");
        }
        if (b[len - 1] == 0) {
            len--; // sha256sum -z ends its line with a NUL, not a newline
        }
        int from = len > 0 && b[0] == '\\' ? 1 : 0; // sha256sum's mark of a file name it escaped
        int open = tagOpen(b, from, len);
        if (open >= 0) {
            return tagged(b, from, open, len);
        }
        int digits = hexDigits(b, from, len);
        int end = lineEnd(b, digits, len);
        if (end > digits) {
            if (b[digits] != ' ' && b[digits] != '\t') {
                throw new IllegalArgumentException("character " + (digits + 1) + " is " + shown(b[digits])
                        + " (expected: the end of the line, or whitespace and a file name after 64 hex digits)");
            }
            int name = digits;
            while (name < end && (b[name] == ' ' || b[name] == '\t')) {
                name++;
            }
            if (name == end) {
                throw new IllegalArgumentException("whitespace after the digest but no file name");
            }
            oneLine(b, name, end);
        }
        return hex(b, from);
    }

    /**
     * Returns the index of the {@code (} of a BSD-style line ({@code ALGORITHM (} or {@code ALGORITHM(}), -1 when the
     * line is not one; refuses one of another algorithm.
     */
    private static int tagOpen(byte[] b, int from, int len) {
        int i = from;
        while (i < len && i - from < 16 && (Character.isLetterOrDigit(b[i]) || b[i] == '-') && b[i] >= 0) {
            i++;
        }
        int open = i < len && b[i] == ' ' ? i + 1 : i;
        if (i == from || open >= len || b[open] != '(') {
            return -1;
        }
        String algorithm = new String(b, from, i - from, java.nio.charset.StandardCharsets.US_ASCII);
        if (!algorithm.equals("SHA256")) {
            throw new IllegalArgumentException("it is a line of " + algorithm + " (expected: SHA256, as sha256sum --tag writes,"
                    + " or 64 hex digits)");
        }
        return open;
    }

    /** Reads {@code SHA256 (NAME) = HEX} from its {@code (}, as GNU coreutils does: NAME ends at the line's last {@code )}. */
    private static String tagged(byte[] b, int from, int open, int len) {
        int close = -1;
        int n = open + 1;
        int end = lineEnd(b, n, len);
        for (; n < end && b[n] != '\n'; n++) {
            if (b[n] == ')') {
                close = n;
            }
        }
        if (close < 0) {
            if (n < end) {
                oneLine(b, open + 1, n + 1); // the line ends before its name does
            }
            throw new IllegalArgumentException("no ')' after 'SHA256 (' and the file name (expected: SHA256 (NAME) = 64 hex digits)");
        }
        oneLine(b, open + 1, close);
        int i = close + 1;
        while (i < len && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        if (i >= len || b[i] != '=') {
            throw new IllegalArgumentException(i >= len ? "it ends after the file name (expected: ' = ' and 64 hex digits)"
                    : "character " + (i + 1) + " is " + shown(b[i]) + " (expected: ' = ' and 64 hex digits after the file name)");
        }
        i++;
        while (i < len && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        int digits = hexDigits(b, i, len);
        if (lineEnd(b, digits, len) > digits) {
            throw new IllegalArgumentException("character " + (digits + 1) + " is " + shown(b[digits])
                    + (b[digits] == '\n' || b[digits] == '\r' ? " (expected: one line; a digest per file, not a list)"
                    : " (expected: the end of the line after 64 hex digits)"));
        }
        return hex(b, i);
    }

    /** Checks that 64 hex digits start at {@code at}; returns the index after them. */
    private static int hexDigits(byte[] b, int at, int len) {
        int digits = at + HEX_DIGITS;
        for (int i = at; i < digits; i++) {
            if (i >= len) {
                throw new IllegalArgumentException("it ends after " + (i - at) + " characters (expected: 64 hex digits)");
            }
            if (Character.digit(b[i], 16) < 0) {
                throw new IllegalArgumentException("character " + (i + 1) + " is " + shown(b[i]) + " (expected: 64 hex digits)");
            }
        }
        return digits;
    }

    /** Returns where the line that goes on from {@code from} ends: before its CR LF or LF, and any blank lines after it. */
    private static int lineEnd(byte[] b, int from, int len) {
        int end = len;
        while (end > from && (b[end - 1] == '\n' || (b[end - 1] == '\r' && end < len && b[end] == '\n'))) {
            end--;
        }
        return end;
    }

    /** Refuses a control character in a file name: a second line, a list of digests rather than one. */
    private static void oneLine(byte[] b, int from, int end) {
        for (int i = from; i < end; i++) {
            if ((b[i] & 0xff) < 0x20 || b[i] == 0x7f) {
                throw new IllegalArgumentException("character " + (i + 1) + " is " + shown(b[i])
                        + " (expected: one line; a digest per file, not a list)");
            }
        }
    }

    private static String hex(byte[] b, int at) {
        return new String(b, at, HEX_DIGITS, java.nio.charset.StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
    }

    private static String shown(byte c) {
        return c >= 0x21 && c < 0x7f ? "'" + (char) c + "'" : String.format("0x%02x", c & 0xff);
    }
}
