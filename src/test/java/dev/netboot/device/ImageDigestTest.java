package dev.netboot.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The sidecar's one line, as sha256sum writes it, read strictly. */
class ImageDigestTest {
    /** SHA-256 of "abc", FIPS 180-2 appendix B.1. */
    static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    static String parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return ImageDigest.parse(b, b.length);
    }

    static String refused(String s) {
        return assertThrows(IllegalArgumentException.class, () -> parse(s)).getMessage();
    }

    @Test
    void theFormsSha256sumWrites() {
        assertEquals(ABC, parse(ABC));
        assertEquals(ABC, parse(ABC + "\n"));
        assertEquals(ABC, parse(ABC + "  abc.txt\n"));   // text mode
        assertEquals(ABC, parse(ABC + " *abc.txt\n"));   // binary mode
        assertEquals(ABC, parse(ABC + "  -\n"));         // from stdin
        assertEquals(ABC, parse(ABC.toUpperCase() + "\tboot.img\r\n"));
        // GNU coreutils 9.1's sha256sum of files named a\b and c<LF>d: a backslash first, names escaped.
        assertEquals(ABC, parse("\\" + ABC + "  a\\\\b\n"));
        assertEquals(ABC, parse("\\" + ABC + "  c\\nd\n"));
        // Blank lines after the one: an editor's, or an echo's.
        assertEquals(ABC, parse(ABC + "  boot.img\n\n"));
        assertEquals(ABC, parse(ABC + "\r\n\r\n"));
    }

    @Test
    void theTaggedAndNulEndedFormsSha256sumWrites() {
        // Before, each of these was refused ("character 1 is 'S'", "character 75 is 0x00"), and with [boot] digest =
        // if-present a boot whose server kept such a sidecar failed. GNU coreutils 9.1's own output for a file abc.txt
        // holding "abc", and for one named a\b:
        assertEquals(ABC, parse("SHA256 (abc.txt) = " + ABC + "\n"));        // sha256sum --tag
        assertEquals(ABC, parse("\\SHA256 (a\\\\b) = " + ABC + "\n"));       // sha256sum --tag, a name it escaped
        assertEquals(ABC, parse(ABC + "  abc.txt\0"));                       // sha256sum -z
        assertEquals(ABC, parse("SHA256 (abc.txt) = " + ABC + "\0"));        // sha256sum --tag -z
        // What sha256sum -c reads as the same line (each checked against it: "abc.txt: OK").
        assertEquals(ABC, parse("SHA256(abc.txt)=" + ABC + "\n"));
        assertEquals(ABC, parse("SHA256 (abc.txt)= " + ABC + "\r\n"));
        assertEquals(ABC, parse("SHA256 (abc.txt) =" + ABC.toUpperCase()));
        assertEquals(ABC, parse("SHA256 (name (1).img) = " + ABC + "\n\n"));  // the name ends at the line's last ')'
    }

    @Test
    void taggedLinesSha256sumDoesNotReadAreRefused() {
        // Each of these sha256sum -c refuses too ("no properly formatted checksum lines found"), or is not SHA-256.
        assertEquals("character 84 is 'x' (expected: the end of the line after 64 hex digits)",
                refused("SHA256 (abc.txt) = " + ABC + "x\n"));
        assertEquals("character 84 is 0x20 (expected: the end of the line after 64 hex digits)",
                refused("SHA256 (abc.txt) = " + ABC + " x\n"));
        assertEquals("character 1 is 'S' (expected: 64 hex digits)", refused("SHA256  (abc.txt) = " + ABC + "\n"));
        assertEquals("it is a line of MD5 (expected: SHA256, as sha256sum --tag writes, or 64 hex digits)",
                refused("MD5 (abc.txt) = 900150983cd24fb0d6963f7d28e17f72\n"));
        assertEquals("it is a line of SHA2-256 (expected: SHA256, as sha256sum --tag writes, or 64 hex digits)",
                refused("SHA2-256(abc.txt)= " + ABC + "\n"));                // openssl 3's dgst
        assertEquals("no ')' after 'SHA256 (' and the file name (expected: SHA256 (NAME) = 64 hex digits)",
                refused("SHA256 (abc.txt = " + ABC + "\n"));
        assertEquals("character 18 is '-' (expected: ' = ' and 64 hex digits after the file name)",
                refused("SHA256 (abc.txt) - " + ABC + "\n"));
        assertEquals("it ends after 63 characters (expected: 64 hex digits)", refused("SHA256 (abc.txt) = " + ABC.substring(1)));
        assertEquals("character 10 is 0x0a (expected: one line; a digest per file, not a list)",
                refused("SHA256 (a\nb) = " + ABC + "\n"));
        assertEquals("character 84 is 0x0a (expected: one line; a digest per file, not a list)",
                refused("SHA256 (abc.txt) = " + ABC + "\nSHA256 (x) = " + ABC + "\n"));
    }

    @Test
    void anythingElseIsRefusedWithWhatIsWrong() {
        assertEquals("it is empty (expected: 64 hex digits, as sha256sum writes)", refused(""));
        assertEquals("it ends after 63 characters (expected: 64 hex digits)", refused(ABC.substring(1)));
        assertEquals("character 64 is 0x0a (expected: 64 hex digits)", refused(ABC.substring(1) + "\n"));
        assertEquals("character 1 is 'g' (expected: 64 hex digits)", refused("g" + ABC.substring(1)));
        assertEquals("character 65 is 'a' (expected: the end of the line, or whitespace and a file name after 64 hex digits)",
                refused(ABC + "a  x"));
        assertEquals("whitespace after the digest but no file name", refused(ABC + "  \n"));
        assertEquals("character 75 is 0x0a (expected: one line; a digest per file, not a list)",
                refused(ABC + "  boot.img\n" + ABC + "  other\n"));
        assertEquals("character 65 is 0x0d (expected: the end of the line, or whitespace and a file name after 64 hex digits)",
                refused(ABC + "\r"));
        assertEquals("character 2 is '\\' (expected: 64 hex digits)", refused("\\\\" + ABC));
        assertEquals("it ends after 63 characters (expected: 64 hex digits)", refused("\\" + ABC.substring(1)));
    }

    @Test
    void policyWords() {
        assertEquals(ImageDigest.Policy.IF_PRESENT, ImageDigest.Policy.of("if-present"));
        assertEquals("required", ImageDigest.Policy.REQUIRED.toString());
        assertThrows(IllegalArgumentException.class, () -> ImageDigest.Policy.of("yes"));
    }
}
