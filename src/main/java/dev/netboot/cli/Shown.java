package dev.netboot.cli;

/**
 * Text from the network made safe for a terminal line. A boot file name from a DHCP server, a TFTP server's
 * ERROR text, the file a client asked {@code serve} for: a peer chooses these bytes, and printed as they are an
 * escape sequence would recolour or clear the user's terminal (ESC, or the C1 control CSI), a newline would
 * start a line of the peer's making ("netboot: ... done") under ours, and a bidirectional override would show
 * the line's end before its start. So every character that moves the cursor or changes how the rest reads is
 * shown by its code instead:
 * <ul>
 *   <li>C0 controls (newline, tab and ESC among them), DEL and the C1 controls U+0080..U+009F as {@code \xNN};</li>
 *   <li>a byte of a file name that is not UTF-8, kept as U+DC80..U+DCFF ({@code TftpText}), as {@code \xNN}, the
 *       byte itself; any other lone surrogate as U+FFFD;</li>
 *   <li>format characters (Unicode category Cf: bidirectional embeddings, overrides and isolates, zero-width
 *       characters) and the line and paragraph separators as {@code \}{@code uNNNN}.</li>
 * </ul>
 * Everything else, non-ASCII letters included, is shown as it is. JSON output needs none of this: its strings
 * are escaped by {@link Json}, so it carries the peer's text exactly.
 */
final class Shown {
    private static final String HEX = "0123456789abcdef";

    private Shown() {}

    /** Returns {@code s} as one terminal line's worth of text; {@code null} stays {@code null}. */
    static String text(String s) {
        if (s == null || clean(s)) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                if (Character.getType(cp) == Character.FORMAT) {
                    b.append("\\U").append(String.format("%08x", cp)); // tags and other format characters past the BMP
                } else {
                    b.appendCodePoint(cp);
                }
            } else if (c < 0x20 || c >= 0x7f && c <= 0x9f) {
                b.append("\\x").append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xf));
            } else if (c >= 0xdc80 && c <= 0xdcff) {
                int v = c - 0xdc00;
                b.append("\\x").append(HEX.charAt(v >> 4)).append(HEX.charAt(v & 0xf));
            } else if (Character.isSurrogate(c)) {
                b.append('\ufffd');
            } else if (special(c)) {
                b.append("\\u").append(HEX.charAt(c >> 12)).append(HEX.charAt(c >> 8 & 0xf)).append(HEX.charAt(c >> 4 & 0xf))
                        .append(HEX.charAt(c & 0xf));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** True when {@code s} has nothing to escape: the common case, answered without copying. */
    private static boolean clean(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f && (c <= 0x9f || Character.isSurrogate(c) || special(c))) {
                return false;
            }
        }
        return true;
    }

    private static boolean special(char c) {
        int type = Character.getType(c);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }
}
