package dev.netboot.device;

import java.util.Locale;

/**
 * The image's expected SHA-256, from the sidecar the server keeps beside it: {@code FILE.sha256}, one line
 * as {@code sha256sum} writes it (64 hex digits, optionally whitespace and a file name; the name is not
 * compared, {@code sha256sum < FILE} writes {@code -}).
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
     * Returns the lower-case hex digest of a sidecar's first {@code len} bytes. As GNU {@code sha256sum} writes a line
     * for a file name holding a backslash or a newline, a backslash may come first; blank lines may follow the one.
     *
     * @throws IllegalArgumentException with what is wrong, when it is not one line of 64 hex digits, optionally
     *                                  followed by whitespace and a file name, optionally ended by LF or CR LF
     */
    public static String parse(byte[] b, int len) {
        if (len == 0) {
            throw new IllegalArgumentException("it is empty (expected: 64 hex digits, as sha256sum writes)");
        }
        int from = b[0] == '\\' ? 1 : 0; // sha256sum's mark of a file name it escaped
        int digits = from + HEX_DIGITS;
        for (int i = from; i < digits; i++) {
            if (i >= len) {
                throw new IllegalArgumentException("it ends after " + (i - from) + " characters (expected: 64 hex digits)");
            }
            if (Character.digit(b[i], 16) < 0) {
                throw new IllegalArgumentException("character " + (i + 1) + " is " + shown(b[i]) + " (expected: 64 hex digits)");
            }
        }
        int end = len;
        while (end > digits && (b[end - 1] == '\n' || (b[end - 1] == '\r' && end < len && b[end] == '\n'))) {
            end--; // the line's end, CR LF or LF, and blank lines after it
        }
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
            for (int i = name; i < end; i++) {
                if ((b[i] & 0xff) < 0x20 || b[i] == 0x7f) {
                    throw new IllegalArgumentException("character " + (i + 1) + " is " + shown(b[i])
                            + " (expected: one line; a digest per file, not a list)");
                }
            }
        }
        return new String(b, from, HEX_DIGITS, java.nio.charset.StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
    }

    private static String shown(byte c) {
        return c >= 0x21 && c < 0x7f ? "'" + (char) c + "'" : String.format("0x%02x", c & 0xff);
    }
}
