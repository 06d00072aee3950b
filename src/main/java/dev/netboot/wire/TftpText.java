package dev.netboot.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The text of TFTP packets as bytes. RFC 1350 asks for netascii; past ASCII, Linux clients and servers
 * (tftp-hpa, atftp, curl, busybox; tftpd-hpa and atftpd) pass a file name's bytes through, which on a
 * UTF-8 system is UTF-8, so every string goes on the wire as UTF-8 (ASCII, as modes and options are,
 * stays itself).
 *
 * <p>A file name is read back byte for byte: each byte that does not begin a well-formed UTF-8 sequence
 * (a Latin-1 name from an old server, a hostile peer's bytes) becomes the lone surrogate U+DC80..U+DCFF
 * ("surrogateescape", PEP 383) that {@link #encode} turns back into that byte. So a name a DHCP server
 * gives as bytes ({@link #fromCarrier}) leaves in the RRQ as the same bytes, whatever they are. Other
 * text (modes, options, ERROR messages, shown to users) is read as UTF-8 with U+FFFD for malformed bytes.
 * Neither decoder throws.
 */
public final class TftpText {
    private static final int ESCAPE = 0xDC00;

    private TftpText() {}

    /** Returns {@code s} as UTF-8, escaped bytes (U+DC80..U+DCFF alone) as the byte itself, other lone surrogates as U+FFFD. */
    public static byte[] encode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out.write(c);
            } else if (c < 0x800) {
                out.write(0xC0 | c >> 6);
                out.write(0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out.write(0xF0 | cp >> 18);
                out.write(0x80 | cp >> 12 & 0x3F);
                out.write(0x80 | cp >> 6 & 0x3F);
                out.write(0x80 | cp & 0x3F);
            } else if (c >= ESCAPE + 0x80 && c <= ESCAPE + 0xFF) {
                out.write(c - ESCAPE);
            } else {
                int cp = Character.isSurrogate(c) ? 0xFFFD : c;
                out.write(0xE0 | cp >> 12);
                out.write(0x80 | cp >> 6 & 0x3F);
                out.write(0x80 | cp & 0x3F);
            }
        }
        return out.toByteArray();
    }

    /**
     * Returns the longest start of {@code s}, whole characters, that {@link #encode} writes in at most {@code maxBytes}
     * bytes: an ERROR message that must fit the packet's room, whatever a peer put in it.
     */
    public static String fit(String s, int maxBytes) {
        int bytes = 0;
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            int chars = 1;
            int n;
            if (c < 0x80 || (c >= ESCAPE + 0x80 && c <= ESCAPE + 0xFF)) {
                n = 1;
            } else if (c < 0x800) {
                n = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n = 4;
                chars = 2;
            } else {
                n = 3;
            }
            if (bytes + n > maxBytes) {
                return s.substring(0, i);
            }
            bytes += n;
            i += chars;
        }
        return s;
    }

    /** Returns the UTF-8 length of {@code s} as {@link #encode} writes it. */
    public static int length(String s) {
        return encode(s).length;
    }

    /** Reads a file name: well-formed UTF-8 as such, every other byte escaped so that {@link #encode} gives it back. */
    public static String name(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder(len);
        int end = off + len;
        int i = off;
        while (i < end) {
            int b0 = b[i] & 0xFF;
            int n = sequence(b, i, end);
            if (n == 0) {
                sb.append((char) (ESCAPE + b0)); // sequence() takes every ASCII byte: only 0x80..0xFF get here
                i++;
                continue;
            }
            int cp = n == 1 ? b0 : b0 & (0x7F >> n);
            for (int k = 1; k < n; k++) {
                cp = cp << 6 | b[i + k] & 0x3F;
            }
            sb.appendCodePoint(cp);
            i += n;
        }
        return sb.toString();
    }

    /** Reads other text (mode, option, ERROR message): UTF-8, malformed bytes as U+FFFD. */
    public static String text(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.UTF_8);
    }

    /**
     * Turns a name carried one char per byte (as {@link BootpMessage#file()} and the text of DHCP options are read,
     * ISO-8859-1, byte for byte) into the TFTP name whose {@link #encode} is those same bytes.
     */
    public static String fromCarrier(String bytes) {
        byte[] b = bytes.getBytes(StandardCharsets.ISO_8859_1);
        return name(b, 0, b.length);
    }

    /** The inverse of {@link #fromCarrier}: {@code name}'s bytes on the wire, one char per byte, for a BOOTP/DHCP field. */
    public static String toCarrier(String name) {
        return new String(encode(name), StandardCharsets.ISO_8859_1);
    }

    /** Returns the length of the well-formed UTF-8 sequence at {@code i} (RFC 3629 section 4), or 0 if there is none. */
    private static int sequence(byte[] b, int i, int end) {
        int b0 = b[i] & 0xFF;
        if (b0 < 0x80) {
            return 1;
        }
        int n;
        int lo = 0x80;
        int hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            n = 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            n = 3;
            lo = b0 == 0xE0 ? 0xA0 : 0x80; // no overlong forms
            hi = b0 == 0xED ? 0x9F : 0xBF; // no encoded surrogates
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            n = 4;
            lo = b0 == 0xF0 ? 0x90 : 0x80;
            hi = b0 == 0xF4 ? 0x8F : 0xBF; // nothing past U+10FFFF
        } else {
            return 0;
        }
        if (i + n > end) {
            return 0;
        }
        int b1 = b[i + 1] & 0xFF;
        if (b1 < lo || b1 > hi) {
            return 0;
        }
        for (int k = 2; k < n; k++) {
            int bk = b[i + k] & 0xFF;
            if (bk < 0x80 || bk > 0xBF) {
                return 0;
            }
        }
        return n;
    }
}
