package dev.netboot.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Addresses written as text (scenarios, profiles, a server's option 66, an OACK's multicast option) are read as the
 * standard forms say: dotted-decimal octets of ASCII digits without leading zeros, MACs of ASCII hex digits.
 * Integer.parseInt, which read them before, also takes a sign and the digits of other scripts, so '+10.0.0.1',
 * Arabic-Indic '١٠.0.0.1' and fullwidth '０2:00:00:00:00:01' passed as 10.0.0.1 and 02:00:00:00:00:01; '010.0.0.1',
 * 10.0.0.1 here, is 8.0.0.1 to inet_aton and every resolver.
 */
class AddressTextTest {
    @Test
    void dottedQuadsAreAsciiDecimalWithoutLeadingZeros() {
        assertEquals(new Ipv4Address(0x0A00_0001), Ipv4Address.parse("10.0.0.1"));
        assertEquals(new Ipv4Address(0xC000_0200), Ipv4Address.parse(" 192.0.2.0 "));
        assertEquals(Ipv4Address.BROADCAST, Ipv4Address.parse("255.255.255.255"));
        assertEquals(Ipv4Address.ANY, Ipv4Address.parse("0.0.0.0"));
        for (String bad : List.of("+10.0.0.1", "10.0.0.+1", "-0.0.0.1", "\u0661\u0660.0.0.1", "10.0.0.\uff11", "010.0.0.1",
                "10.0.0.01", "10.00.0.1", "256.0.0.1", "10.0.0", "10..0.1")) {
            assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(bad), bad);
        }
    }

    @Test
    void macsAreAsciiHex() {
        assertEquals(new MacAddress(0x02_00_00_00_00_01L), MacAddress.parse("02:00:00:00:00:01"));
        assertEquals(new MacAddress(0x02_AB_CD_EF_00_0FL), MacAddress.parse("02-ab-CD-ef-0-f"));
        for (String bad : List.of("\uff102:00:00:00:00:01", "+2:00:00:00:00:01", "02:00:00:00:00:-1", "02:00:00:00:00:0g",
                "02:00:00:00:00", "02:00:00:00:00:001")) {
            assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad), bad);
        }
    }
}
