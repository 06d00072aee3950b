package dev.netboot.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link MacAddress} and {@link Ipv4Address} write their equals and hashCode out (issue 11: the record's own bootstrap
 * spins classes at every start): equal exactly when their values are, and hashed as a record of the same component
 * hashes, so hash maps keyed by them iterate in the same order as before (the emulator's runs stay byte for byte the same).
 */
class AddressEqualityTest {
    private record LongRecord(long value) {
    }

    private record IntRecord(int value) {
    }

    private static final long[] MACS = {0, 1, 0x02_4e_42_00_00_01L, 0xFFFF_FFFF_FFFFL, 0x8000_0000_0000L, 0x0123_4567_89ABL};
    private static final int[] IPS = {0, 1, 0x0A00_002A, 0xC000_0201, 0xFFFF_FFFF, 0x8000_0000};

    @Test
    void macAddressesAreEqualExactlyWhenTheirValuesAreAndHashAsARecord() {
        for (long a : MACS) {
            assertEquals(new MacAddress(a), new MacAddress(a));
            assertEquals(new LongRecord(a).hashCode(), new MacAddress(a).hashCode(), Long.toHexString(a));
            for (long b : MACS) {
                if (a != b) {
                    assertNotEquals(new MacAddress(a), new MacAddress(b));
                }
            }
        }
        assertNotEquals(new MacAddress(1), (Object) new Ipv4Address(1));
        assertNotEquals(new MacAddress(1), null);
    }

    @Test
    void ipv4AddressesAreEqualExactlyWhenTheirValuesAreAndHashAsARecord() {
        for (int a : IPS) {
            assertEquals(new Ipv4Address(a), new Ipv4Address(a));
            assertEquals(new IntRecord(a).hashCode(), new Ipv4Address(a).hashCode(), Integer.toHexString(a));
            for (int b : IPS) {
                if (a != b) {
                    assertNotEquals(new Ipv4Address(a), new Ipv4Address(b));
                }
            }
        }
        assertNotEquals(new Ipv4Address(1), (Object) new MacAddress(1));
        assertNotEquals(new Ipv4Address(1), null);
    }
}
