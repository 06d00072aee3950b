package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** {@link Shown}: what a peer's text looks like on a terminal line; every expected string worked out by hand. */
class ShownTest {
    @Test
    void controlsAreShownByTheirCode() {
        // ESC [ 2 J clears the screen; a newline would start a line of the peer's making.
        assertEquals("a\\x1b[2J\\x0anetboot: done", Shown.text("a\u001b[2J\nnetboot: done"));
        assertEquals("\\x00\\x07\\x08\\x09\\x0d\\x1f", Shown.text("\u0000\u0007\b\t\r\u001f"));
        // DEL and the C1 controls, CSI (U+009B) among them; U+00A0 (no-break space) is not one.
        assertEquals("\\x7f\\x80\\x9b31m\\x9f\u00a0", Shown.text("\u007f\u0080\u009b31m\u009f\u00a0"));
    }

    @Test
    void aNamesBytesThatAreNotUtf8AreShownAsBytes() {
        // TftpText keeps Latin-1 "ü" (FC) of a name as U+DCFC; UTF-8 "ü" (C3 BC) is the letter.
        assertEquals("\u00fc\\xfc.bin \\x80", Shown.text("\u00fc\udcfc.bin \udc80"));
        // Other lone surrogates have no byte behind them.
        assertEquals("\ufffdx\ufffd", Shown.text("\ud800x\udc10"));
    }

    @Test
    void formatCharactersAndSeparatorsAreShownByTheirCode() {
        // A right-to-left override would show "exe.txt" as "txt.exe"; zero-width space; line and paragraph separators.
        assertEquals("invoice\\u202etxt.exe", Shown.text("invoice\u202etxt.exe"));
        assertEquals("a\\u200bb\\u2028c\\u2029d\\u2066e\\u2069", Shown.text("a\u200bb\u2028c\u2029d\u2066e\u2069"));
        // A tag character (U+E0041, category Cf) past the BMP, as a surrogate pair.
        assertEquals("x\\U000e0041", Shown.text("x\udb40\udc41"));
    }

    @Test
    void everythingElseIsShownAsItIs() {
        String plain = "boot/\u00fc\u65e5\u672c \ud83d\udcbe C:\\tftp\\boot.img";
        assertEquals(plain, Shown.text(plain));
        assertEquals("\ud83d\udcbe\\x0a", Shown.text("\ud83d\udcbe\n"));
        assertNull(Shown.text(null));
    }
}
