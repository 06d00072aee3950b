package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void valuesRoundTripThroughARealParser() throws Exception {
        String tricky = "say \"hi\"\nthen\ttab \\ back \u0001 end \u001f é 日本 🚀";
        String text = Json.object()
                .put("result", "ok")
                .put("tricky", tricky)
                .put("bytes", 16_777_216L)
                .put("big", Long.MIN_VALUE)
                .put("seconds", 2.5)
                .put("tiny", 1e-9)
                .put("ok", true)
                .put("failed", false)
                .put("missing", (String) null)
                .putNull("none")
                .put("nested", Json.object().put("block", 65_535))
                .putArray("list", Arrays.asList("a\"b", 1, 2L, 0.5, true, null, Json.object()))
                .putArray("empty", List.of())
                .putRaw("raw", "[1,2]")
                .toString();
        assertTrue(!text.contains("\n") && text.startsWith("{\"result\":\"ok\",\"tricky\":"), text);
        JsonNode n = MAPPER.readTree(text);
        assertEquals(List.of("result", "tricky", "bytes", "big", "seconds", "tiny", "ok", "failed", "missing", "none", "nested",
                "list", "empty", "raw"), fieldNames(n));
        assertEquals("ok", n.get("result").asText());
        assertEquals(tricky, n.get("tricky").asText());
        assertEquals(16_777_216L, n.get("bytes").asLong());
        assertEquals(Long.MIN_VALUE, n.get("big").asLong());
        assertEquals(2.5, n.get("seconds").asDouble());
        assertEquals(1e-9, n.get("tiny").asDouble());
        assertTrue(n.get("ok").asBoolean());
        assertTrue(n.get("failed").isBoolean() && !n.get("failed").asBoolean());
        assertTrue(n.get("missing").isNull());
        assertTrue(n.get("none").isNull());
        assertEquals(65_535, n.get("nested").get("block").asInt());
        assertEquals("[\"a\\\"b\",1,2,0.5,true,null,{}]", n.get("list").toString());
        assertEquals(0, n.get("empty").size());
        assertEquals(2, n.get("raw").get(1).asInt());
    }

    @Test
    void escapesAsExpected() {
        assertEquals("\"q\\\" b\\\\ n\\n t\\t r\\r c\\u0001\\u001f é\"", Json.quote("q\" b\\ n\n t\t r\r c\u0001\u001f é"));
        assertEquals("{}", Json.object().toString());
    }

    /**
     * A file name's byte that is not UTF-8 (Latin-1 "\u00fc", FC) is the lone surrogate U+DCFC in a name (TftpText); a
     * lone surrogate has no UTF-8 form, so it is escaped (RFC 8259 section 7), and a parser reading the UTF-8 bytes of
     * the output gets the same string back. A surrogate pair (U+1F4BE) is one character and stays as it is.
     */
    @Test
    void loneSurrogatesAreEscapedAndReadBack() throws Exception {
        String name = "\u00fc\udcfc.bin \ud83d\udcbe \ud800x \udc80";
        String quoted = Json.quote(name);
        assertEquals("\"\u00fc\\udcfc.bin \ud83d\udcbe \\ud800x \\udc80\"", quoted);
        byte[] utf8 = Json.object().put("file", name).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(name, new ObjectMapper().readTree(utf8).get("file").asText());
    }

    @Test
    void misuseIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Json.object().put("a", 1).put("a", 2));
        assertThrows(IllegalArgumentException.class, () -> Json.object().put("x", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.object().putArray("x", List.of(new Object())));
        assertThrows(IllegalArgumentException.class, () -> Json.object().putArray("x", List.of(Double.POSITIVE_INFINITY)));
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
