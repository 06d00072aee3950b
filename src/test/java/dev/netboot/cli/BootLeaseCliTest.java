package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code netboot boot} tells the board's identity: the lease line of the summary, the stage lines, and the JSON
 * fields protocol, dhcpServer, proxyServer, leaseSeconds and renewals, for each shipped scenario. Expected values come
 * from the scenario files (server addresses, lease times) and RFC 2131's T1 (renewals every T1 of a boot).
 */
class BootLeaseCliTest {
    @TempDir
    Path dir;

    static BootCliTest.Run boot(String... args) {
        return BootCliTest.run(args);
    }

    @Test
    void defaultScenarioIsADhcpLeaseOfAnHour() throws Exception {
        BootCliTest.Run r = boot("boot", "--flash-timing", "none");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\n  lease     dhcp from 10.0.0.1, 3600 s, renewed 0 times\n"), r.out());
        assertTrue(r.err().contains("] dhcp  address 10.0.0.42/24 from 10.0.0.1 for 3600 s, server 10.0.0.1, file boot.img\n"),
                r.err());
        JsonNode j = boot("boot", "--flash-timing", "none", "--json").json();
        assertEquals("dhcp", j.get("protocol").asText());
        assertEquals("10.0.0.1", j.get("dhcpServer").asText());
        assertTrue(j.get("proxyServer").isNull());
        assertEquals(3600, j.get("leaseSeconds").asLong());
        assertEquals(0, j.get("renewals").asInt());
    }

    @Test
    void aShortLeaseIsRenewedDuringTheFlashAndCounted() throws Exception {
        // short-lease.scenario: 8 s, T1 4 s; the NOR flash's typical times make the boot 13.65 s: renewed at 4, 8, 12 s.
        BootCliTest.Run r = boot("boot", "--scenario", "emulator/short-lease.scenario");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\n  lease     dhcp from 10.0.0.1, 8 s, renewed 3 times\n"), r.out());
        assertEquals(3, r.err().lines().filter(l -> l.contains("] dhcp  lease of 10.0.0.42 renewed by 10.0.0.1 for 8 s")).count(),
                r.err());
        JsonNode j = boot("boot", "--scenario", "emulator/short-lease.scenario", "--json").json();
        assertEquals(3, j.get("renewals").asInt());
        assertEquals(8, j.get("leaseSeconds").asLong());
    }

    @Test
    void aLeaseThatRunsOutFailsTheBootInStageDhcp() throws Exception {
        Path sc = Files.writeString(dir.resolve("gone.scenario"), Files.readString(Path.of("emulator/short-lease.scenario"))
                .replace("renewals = answer", "renewals = ignore"));
        BootCliTest.Run r = boot("boot", "--scenario", sc.toString(), "--json");
        assertEquals(Main.EXIT_FAILED, r.exit());
        JsonNode j = r.json();
        assertEquals("dhcp", j.get("stage").asText());
        assertTrue(j.get("error").asText().startsWith("lease of 10.0.0.42 from 10.0.0.1 lost at 8.0 s"), j.toString());
        // A fresh flash file: no slot was active before, and none is now ("slot none stays active" before the fix).
        assertTrue(j.get("error").asText().endsWith("; nothing committed, no slot is active"), j.toString());
        assertTrue(r.err().startsWith("netboot: boot failed: [dhcp] lease of 10.0.0.42 from 10.0.0.1 lost at 8.0 s"), r.err());
        assertTrue(j.get("sha256").isNull());
    }

    @Test
    void aBootpServerGivesAnAddressWithoutEnd() throws Exception {
        BootCliTest.Run r = boot("boot", "--scenario", "emulator/bootp.scenario", "--flash-timing", "none");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\n  lease     bootp from 10.0.0.1, no end\n"), r.out());
        assertTrue(r.err().contains("] bootp address 10.0.0.42/24 from 10.0.0.1, server 10.0.0.1, file boot.img\n"), r.err());
        JsonNode j = boot("boot", "--scenario", "emulator/bootp.scenario", "--flash-timing", "none", "--json").json();
        assertEquals("bootp", j.get("protocol").asText());
        assertTrue(j.get("leaseSeconds").isNull());
    }

    @Test
    void aProxyDhcpServerIsNamedAsTheSourceOfTheBootFile() throws Exception {
        BootCliTest.Run r = boot("boot", "--scenario", "emulator/proxy.scenario", "--flash-timing", "none");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\n  lease     proxy: address by DHCP from 10.0.0.1, 3600 s, renewed 0 times; boot file by"
                + " ProxyDHCP from 10.0.0.3\n"), r.out());
        JsonNode j = boot("boot", "--scenario", "emulator/proxy.scenario", "--flash-timing", "none", "--json").json();
        assertEquals("proxy", j.get("protocol").asText());
        assertEquals("10.0.0.1", j.get("dhcpServer").asText());
        assertEquals("10.0.0.3", j.get("proxyServer").asText());
        assertEquals("10.0.0.1", j.get("server").asText());
    }

    @Test
    void aConflictAndTheSecondServerScenarioBoot() throws Exception {
        JsonNode c = boot("boot", "--scenario", "emulator/conflict.scenario", "--flash-timing", "none", "--json").json();
        assertEquals("ok", c.get("result").asText(), c.toString());
        assertEquals("10.0.0.43", c.get("ip").asText(), "10.0.0.42 is the squatter's");
        JsonNode t = boot("boot", "--scenario", "emulator/two-servers.scenario", "--flash-timing", "none", "--json").json();
        assertEquals("10.0.0.1", t.get("dhcpServer").asText(), "the server naming the boot file");
        assertEquals("10.0.0.42", t.get("ip").asText());
    }

    @Test
    void aNonAsciiBootFileIsAnnouncedAndAskedForAsUtf8AndBoots() throws Exception {
        // "\u00fc\u65e5\u672c.bin" in UTF-8 (RFC 3629): C3 BC, E6 97 A5, E6 9C AC, then ".bin". The emulator's DHCP or BOOTP
        // server gives those bytes (file field, option 67 or both), the board asks for the same bytes in its RRQ, and the
        // emulator's TFTP server finds the image under that name.
        String name = "\u00fc\u65e5\u672c.bin";
        byte[] rrq = java.util.HexFormat.of().parseHex("0001" + "c3bce697a5e69cac2e62696e" + "00" + "6f6374657400");
        for (String base : List.of("emulator/default.scenario", "emulator/bootp.scenario")) {
            for (String announce : List.of("both", "options", "header")) {
                Path sc = Files.writeString(dir.resolve("n.scenario"), Files.readString(Path.of(base))
                        .replace("boot-file = boot.img", "boot-file = " + name).replace("served-file = boot.img", "served-file = " + name)
                        .replace("announce = both", "announce = " + announce), java.nio.charset.StandardCharsets.UTF_8);
                Path cap = dir.resolve("n.pcap");
                BootCliTest.Run r = boot("boot", "--scenario", sc.toString(), "--flash-timing", "none", "--pcap", cap.toString(), "--json");
                assertEquals(0, r.exit(), base + " " + announce + ": " + r.err());
                assertEquals(name, r.json().get("bootFile").asText());
                byte[] c = Files.readAllBytes(cap);
                assertTrue(java.util.stream.IntStream.rangeClosed(0, c.length - rrq.length).anyMatch(
                        i -> java.util.Arrays.equals(c, i, i + rrq.length, rrq, 0, rrq.length)), base + " " + announce + ": the RRQ's bytes");
            }
        }
    }
}
