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
