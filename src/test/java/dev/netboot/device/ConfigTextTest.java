package dev.netboot.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.ConfigText.Section;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigTextTest {
    private static final String SRC = "device-profiles/x.profile";

    @ParameterizedTest(name = "{0} = {1} bytes")
    @CsvSource({
        "512,        512",
        "0,          0",
        "4KiB,       4096",
        "4 KiB,      4096",
        "16MiB,      16777216",
        "1MiB,       1048576",
        "9MiB,       9437184",
        "1GiB,       1073741824",
        "0x100000,   1048576",
        "0XFF,       255",
        "0x0,        0",
    })
    void sizes(String text, long bytes) {
        assertEquals(bytes, ConfigValues.parseSize(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "KiB", "-1", "1.5MiB", "4kib", "4 MB", "0x", "0xg1", "16Mi", "4 KiB 2", "9999999999GiB",
        "0x1ffffffffffffffff"})
    void notSizes(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigValues.parseSize(text));
        assertTrue(e.getMessage().startsWith("'" + text + "' is "), e.getMessage());
    }

    @Test
    void ambiguousSizeSuggestsBinaryUnit() {
        assertEquals("'4KB' is not a size (expected: a number with optional KiB/MiB/GiB suffix or 0x hex;"
                        + " KB is ambiguous, write 4KiB for 4 x 1024 bytes)",
                assertThrows(ConfigException.class, () -> ConfigValues.parseSize("4KB")).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> ConfigValues.parseSize("16M")).getMessage()
                .endsWith("M is ambiguous, write 16MiB for 16 x 1048576 bytes)"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigValues.parseSize("1GB")).getMessage()
                .endsWith("write 1GiB for 1 x 1073741824 bytes)"));
    }

    @ParameterizedTest(name = "{0} = {1} ns")
    @CsvSource({
        "250ms,    250000000",
        "1s,       1000000000",
        "400us,    400000",
        "400µs,    400000",
        "1.5s,     1500000000",
        "0.4ms,    400000",
        "0.12ms,   120000",
        "3 ms,     3000000",
        "7ns,      7",
        "2min,     120000000000",
        "0s,       0",
        "60s,      60000000000",
    })
    void durations(String text, long nanos) {
        assertEquals(nanos, ConfigValues.parseDuration(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ms", "-1s", "1.s", ".5s", "1h", "1 sec", "0.5ns", "1e3ms", "99999999999999min"})
    void notDurations(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigValues.parseDuration(text));
        assertTrue(e.getMessage().startsWith("'" + text + "' is "), e.getMessage());
    }

    /**
     * Durations with up to 20 digits each side of the point and every unit, drawn at random, read as
     * {@link java.math.BigDecimal} reads them (the number times the unit, exact): the same nanoseconds, or the same
     * refusal, not whole or too long.
     */
    @Test
    void durationsAreExactAsBigDecimalReadsThem() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(20261202);
        String[] units = {"ns", "us", "ms", "s", "min"};
        long[] nanos = {1, 1_000, 1_000_000, 1_000_000_000, 60_000_000_000L};
        for (int i = 0; i < 20_000; i++) {
            StringBuilder n = new StringBuilder();
            int whole = 1 + r.nextInt(r.nextBoolean() ? 3 : 20);
            for (int d = 0; d < whole; d++) {
                n.append((char) ('0' + (r.nextInt(4) == 0 ? 0 : r.nextInt(10))));
            }
            if (r.nextBoolean()) {
                n.append('.');
                int frac = 1 + r.nextInt(r.nextBoolean() ? 4 : 20);
                for (int d = 0; d < frac; d++) {
                    n.append((char) ('0' + (r.nextInt(3) == 0 ? 0 : r.nextInt(10))));
                }
            }
            int u = r.nextInt(units.length);
            String text = n + units[u];
            java.math.BigDecimal exact = new java.math.BigDecimal(n.toString()).multiply(java.math.BigDecimal.valueOf(nanos[u]));
            String expected;
            if (exact.stripTrailingZeros().scale() > 0) {
                expected = "'" + text + "' is not a whole number of nanoseconds";
            } else if (exact.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                expected = "'" + text + "' is too long for a duration";
            } else {
                assertEquals(exact.longValueExact(), ConfigValues.parseDuration(text), text);
                continue;
            }
            assertEquals(expected, assertThrows(ConfigException.class, () -> ConfigValues.parseDuration(text)).getMessage());
        }
    }

    @Test
    void durationWithoutUnitIsAnError() {
        assertEquals("'250' is not a duration: no unit (expected: a number with a unit ns, us, ms, s or min, like 250ms or 1.5s)",
                assertThrows(ConfigException.class, () -> ConfigValues.parseDuration("250")).getMessage());
    }

    @Test
    void numbersAndBooleans() {
        assertEquals(255, ConfigValues.parseLong("0xff", 0, 255));
        assertEquals(-3, ConfigValues.parseLong("-3", -5, 5));
        assertEquals("'256' is out of range (expected: 0..255)",
                assertThrows(ConfigException.class, () -> ConfigValues.parseLong("256", 0, 255)).getMessage());
        assertEquals("'x1' is not a whole number (expected: 0..255)",
                assertThrows(ConfigException.class, () -> ConfigValues.parseLong("x1", 0, 255)).getMessage());
        assertTrue(ConfigValues.parseBoolean("yes"));
        assertFalse(ConfigValues.parseBoolean("false"));
        assertEquals("'1' is not a boolean (expected: true, false, yes or no)",
                assertThrows(ConfigException.class, () -> ConfigValues.parseBoolean("1")).getMessage());
    }

    @Test
    void sectionsKeysCommentsAndLines() {
        ConfigText c = ConfigText.parse("""
                # header comment

                [net]                    # trailing comment
                ip = 10.0.0.2            # another
                mac = 02:00:00:00:00:01
                name = a#b
                [node server]
                up = yes
                [node client]
                up = no
                """, SRC);
        Section net = c.section("net");
        assertEquals(3, net.line());
        assertEquals(new Ipv4Address(0x0A000002), net.require("ip").asIpv4());
        assertEquals(4, net.require("ip").line());
        assertEquals(MacAddress.parse("02:00:00:00:00:01"), net.require("mac").asMac());
        assertEquals("a#b", net.require("name").asString());
        assertTrue(net.optional("gateway").isEmpty());
        List<Section> nodes = c.namedSections("node");
        assertEquals(List.of("server", "client"), nodes.stream().map(s -> s.name().orElseThrow()).toList());
        assertEquals("[node server]", nodes.get(0).label());
        assertTrue(nodes.get(0).require("up").asBoolean());
        assertFalse(nodes.get(1).require("up").asBoolean());
        c.finish();
    }

    @Test
    void windowsLineEndingsAndByteOrderMark() {
        ConfigText c = ConfigText.parse("\uFEFF[a]\r\nk = v\r\n", SRC);
        assertEquals("v", c.section("a").require("k").asString());
        assertEquals(2, c.section("a").require("k").line());
        c.finish();
    }

    /**
     * A file whose lines end in CR alone (classic Mac) is refused at its first such line. Before, it was one line: a file
     * starting with a comment was all comment, so a profile said "missing required section" and a scenario so saved was
     * taken as empty, every setting its default, and booted. A CR ending the file's last line is its end.
     */
    @Test
    void lineEndsOfCrAloneAreRefusedNotReadAsOneComment() {
        assertEquals("device-profiles/x.profile:1: a carriage return (CR) that ends no line (expected: lines ending in LF or CR LF;"
                + " a file saved with classic Mac line ends, CR alone?)",
                assertThrows(ConfigException.class, () -> ConfigText.parse("# a board\r[a]\rk = v\r", SRC)).getMessage());
        assertEquals("device-profiles/x.profile:2: a carriage return (CR) that ends no line (expected: lines ending in LF or CR LF;"
                + " a file saved with classic Mac line ends, CR alone?)",
                assertThrows(ConfigException.class, () -> ConfigText.parse("[a]\r\nk = v\rj = w\r\n", SRC)).getMessage());
        ConfigText c = ConfigText.parse("[a]\r\nk = v\r", SRC);
        assertEquals("v", c.section("a").require("k").asString());
        c.finish();
    }

    @Test
    void valueErrorsNameFileLineSectionAndKey() {
        ConfigText c = ConfigText.parse("[flash]\nsize = 16MiB\nerase-unit = 4KB\nip = 10.0.0.300\n", SRC);
        Section flash = c.section("flash");
        assertEquals("device-profiles/x.profile:3: [flash] erase-unit: '4KB' is not a size (expected: a number with optional"
                        + " KiB/MiB/GiB suffix or 0x hex; KB is ambiguous, write 4KiB for 4 x 1024 bytes)",
                assertThrows(ConfigException.class, () -> flash.require("erase-unit").asSize()).getMessage());
        assertEquals("device-profiles/x.profile:4: [flash] ip: '10.0.0.300' is not an IPv4 address (expected: four octets like 10.0.0.1)",
                assertThrows(ConfigException.class, () -> flash.require("ip").asIpv4()).getMessage());
        assertEquals("device-profiles/x.profile:1: [flash] missing required field 'page'",
                assertThrows(ConfigException.class, () -> flash.require("page")).getMessage());
        assertEquals("device-profiles/x.profile: missing required section [board]",
                assertThrows(ConfigException.class, () -> c.section("board")).getMessage());
    }

    @Test
    void unknownKeyIsAnErrorAfterFinish() {
        ConfigText c = ConfigText.parse("[flash]\nsize = 1MiB\nerase-unt = 4KiB\n", SRC);
        Section flash = c.section("flash");
        flash.require("size");
        flash.optional("erase-unit");
        assertEquals("device-profiles/x.profile:3: [flash] unknown key 'erase-unt' (did you mean 'erase-unit'?)"
                        + " (expected one of: size, erase-unit)",
                assertThrows(ConfigException.class, c::finish).getMessage());
    }

    @Test
    void missingKeyPointsAtLikelyTypo() {
        // A required key's typo is reported as an optional key's is: at its line, as an unknown key, with the key meant.
        ConfigText c = ConfigText.parse("[flash]\nerase-unt = 4KiB\n", SRC);
        assertEquals("device-profiles/x.profile:2: [flash] unknown key 'erase-unt' (did you mean 'erase-unit'? it is required)",
                assertThrows(ConfigException.class, () -> c.section("flash").require("erase-unit")).getMessage());
    }

    @Test
    void swappedLettersAreATypoOfARequiredAndOfAnOptionalKey() {
        // "pgae" is "page" with two neighbours swapped: one edit (optimal string alignment), as "pgae-read" is of "page-read".
        ConfigText required = ConfigText.parse("[flash]\nsize = 1MiB\npgae = 256\n", SRC);
        assertEquals("device-profiles/x.profile:3: [flash] unknown key 'pgae' (did you mean 'page'? it is required)",
                assertThrows(ConfigException.class, () -> required.section("flash").require("page")).getMessage());
        ConfigText optional = ConfigText.parse("[flash]\nsize = 1MiB\npgae-read = 1us\n", SRC);
        Section flash = optional.section("flash");
        flash.require("size");
        flash.optional("page-read");
        assertEquals("device-profiles/x.profile:3: [flash] unknown key 'pgae-read' (did you mean 'page-read'?)"
                        + " (expected one of: size, page-read)",
                assertThrows(ConfigException.class, optional::finish).getMessage());
    }

    @Test
    void unknownSectionIsAnErrorAfterFinish() {
        ConfigText c = ConfigText.parse("[board]\n[flsh]\n", SRC);
        c.section("board");
        c.optionalSection("flash");
        assertEquals("device-profiles/x.profile:2: [flsh] unknown section (did you mean 'flash'?) (expected one of: board, flash)",
                assertThrows(ConfigException.class, c::finish).getMessage());
    }

    @Test
    void syntaxErrors() {
        assertEquals("x:2: 'size 4' is not a line of this format (expected: key = value, [section], [section name] or # comment)",
                assertThrows(ConfigException.class, () -> ConfigText.parse("[a]\nsize 4\n", "x")).getMessage());
        assertEquals("x:1: 'size' is outside any section (expected: a [section] header first)",
                assertThrows(ConfigException.class, () -> ConfigText.parse("size = 4\n", "x")).getMessage());
        assertEquals("x:2: key 'Erase_Unit' (expected: lowercase letters, digits and dashes, like erase-unit)",
                assertThrows(ConfigException.class, () -> ConfigText.parse("[a]\nErase_Unit = 4\n", "x")).getMessage());
        assertEquals("x:3: [a] size: repeated (first set on line 2)",
                assertThrows(ConfigException.class, () -> ConfigText.parse("[a]\nsize = 1\nsize = 2\n", "x")).getMessage());
        assertEquals("x:3: [p boot] repeated (first on line 1)",
                assertThrows(ConfigException.class, () -> ConfigText.parse("[p boot]\n[p data]\n[p boot]\n", "x")).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> ConfigText.parse("[a b c]\n", "x")).getMessage()
                .startsWith("x:1: '[a b c]' is not a section header"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigText.parse("[a\n", "x")).getMessage()
                .startsWith("x:1: '[a' is not a section header"));
    }

    @Test
    void sectionNamesAreCheckedByKind() {
        ConfigText c = ConfigText.parse("[flash big]\n[partition]\n", "x");
        assertEquals("x:1: [flash big] unexpected name 'big' (expected: [flash] without a name)",
                assertThrows(ConfigException.class, () -> c.section("flash")).getMessage());
        assertEquals("x:2: [partition] needs a name (expected: [partition NAME])",
                assertThrows(ConfigException.class, () -> c.namedSections("partition")).getMessage());
    }

    @Test
    void compoundValuesAndChoices() {
        ConfigText c = ConfigText.parse("[flash]\nt = 0.4ms / 3ms\nbad = 1ms\ntype = nand\n", "x");
        Section s = c.section("flash");
        List<ConfigText.Value> parts = s.require("t").split("/", 2, "typical / max");
        assertEquals(400_000L, parts.get(0).asDuration());
        assertEquals(3_000_000L, parts.get(1).asDuration());
        assertEquals("x:3: [flash] bad: '1ms' has 1 part (expected: typical / max)",
                assertThrows(ConfigException.class, () -> s.require("bad").split("/", 2, "typical / max")).getMessage());
        assertEquals("x:4: [flash] type: 'nand' is not supported (expected: nor)",
                assertThrows(ConfigException.class, () -> s.require("type").asOneOf("nor")).getMessage());
    }
}
