package dev.netboot.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link TftpText#fit}: the longest start of a text, whole characters, whose UTF-8 fits a number of bytes. */
class TftpTextTest {
    @Test
    void fitCutsAtWholeCharactersByTheirUtf8Length() {
        assertEquals("abc", TftpText.fit("abcdef", 3));
        assertEquals("abcdef", TftpText.fit("abcdef", 6));
        assertEquals("", TftpText.fit("abc", 0));
        // "€" is 3 bytes in UTF-8 (E2 82 AC), "é" 2 (C3 A9): a character that does not fit whole is left out.
        assertEquals("a€", TftpText.fit("a€é", 4));
        assertEquals("a€", TftpText.fit("a€é", 5));
        assertEquals("a€é", TftpText.fit("a€é", 6));
        // U+1F600 is a surrogate pair in Java and 4 bytes in UTF-8: never cut in half.
        String smile = new String(Character.toChars(0x1F600));
        assertEquals("x", TftpText.fit("x" + smile, 4));
        assertEquals("x" + smile, TftpText.fit("x" + smile, 5));
        for (String s : new String[] {"plain", "a€é" + smile + "z", "€".repeat(100)}) {
            for (int max = 0; max <= 310; max++) {
                String f = TftpText.fit(s, max);
                int n = f.getBytes(StandardCharsets.UTF_8).length;
                assertEquals(n, TftpText.encode(f).length, f);
                assertEquals(true, n <= max && s.startsWith(f), s + " in " + max + ": " + f);
                // The longest such start: one character more would not fit.
                if (f.length() < s.length()) {
                    int next = s.offsetByCodePoints(f.length(), 1);
                    assertEquals(true, s.substring(0, next).getBytes(StandardCharsets.UTF_8).length > max, s + " in " + max);
                }
            }
        }
    }

    @Test
    void anEscapedByteOfAFileNameCountsOneByte() {
        // A file name's byte that is not UTF-8 (0xFF) is carried as U+DCFF and written back as that one byte.
        String name = TftpText.name(new byte[] {'a', (byte) 0xFF, 'b'}, 0, 3);
        assertEquals(3, TftpText.encode(name).length);
        assertEquals(name.substring(0, 2), TftpText.fit(name, 2));
    }
}
