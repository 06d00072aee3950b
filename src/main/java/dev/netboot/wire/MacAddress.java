package dev.netboot.wire;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * A 48-bit IEEE 802 MAC address held in the low 48 bits of a {@code long}.
 *
 * @param value the address, most significant byte first in bits 47..40
 */
public record MacAddress(long value) {
    /** Length of a MAC address on the wire. */
    public static final int LENGTH = 6;
    /** ff:ff:ff:ff:ff:ff. */
    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);
    /** 00:00:00:00:00:00, as in the target hardware address of an ARP request. */
    public static final MacAddress ZERO = new MacAddress(0);

    /** Checks that the value fits 48 bits. */
    public MacAddress {
        if ((value & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("MAC address wider than 48 bits: 0x" + Long.toHexString(value));
        }
    }

    /**
     * Parses {@code aa:bb:cc:dd:ee:ff} (also with '-' separators).
     *
     * @throws IllegalArgumentException when the text is not a MAC address
     */
    public static MacAddress parse(String text) {
        String[] parts = text.trim().split("[:-]");
        if (parts.length != LENGTH) {
            throw new IllegalArgumentException("not a MAC address: '" + text + "' (expected: six hex octets like 02:00:00:00:00:01)");
        }
        long v = 0;
        for (String p : parts) {
            // ASCII hex digits only: Integer.parseInt also takes a sign and other scripts' digits ("+f", fullwidth 0).
            if (p.isEmpty() || p.length() > 2 || !p.chars().allMatch(ch -> (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')
                    || (ch >= 'A' && ch <= 'F'))) {
                throw new IllegalArgumentException("not a MAC address: '" + text + "'");
            }
            try {
                v = (v << 8) | Integer.parseInt(p, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a MAC address: '" + text + "'");
            }
        }
        return new MacAddress(v);
    }

    /** Returns the Ethernet address IPv4 group {@code group} maps to ({@link #multicastValue}). */
    public static MacAddress ofMulticast(Ipv4Address group) {
        return new MacAddress(multicastValue(group.value()));
    }

    /**
     * Returns the Ethernet address of IPv4 group {@code group} as a 48-bit value: 01:00:5e and the group's low 23
     * bits (RFC 1112 section 6.4: "placing the low-order 23-bits of the IP address into the low-order 23 bits of the
     * Ethernet multicast address 01-00-5E-00-00-00").
     */
    public static long multicastValue(int group) {
        return 0x0100_5E00_0000L | (group & 0x7F_FFFF);
    }

    /** Reads six bytes at the absolute index {@code off}. */
    public static MacAddress read(ByteBuffer buf, int off) {
        long v = 0;
        for (int i = 0; i < LENGTH; i++) {
            v = (v << 8) | (buf.get(off + i) & 0xFF);
        }
        return new MacAddress(v);
    }

    /** Reads the 48-bit value at {@code off} without allocating. */
    public static long readLong(ByteBuffer buf, int off) {
        return ((long) (buf.getShort(off) & 0xFFFF) << 32) | (buf.getInt(off + 2) & 0xFFFF_FFFFL);
    }

    /** Writes six bytes at the absolute index {@code off}. */
    public void write(ByteBuffer buf, int off) {
        buf.putShort(off, (short) (value >>> 32));
        buf.putInt(off + 2, (int) value);
    }

    /** Returns the six bytes. */
    public byte[] toBytes() {
        byte[] b = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            b[i] = (byte) (value >>> (8 * (LENGTH - 1 - i)));
        }
        return b;
    }

    /** Returns true for a group (multicast or broadcast) address: the I/G bit of the first octet. */
    public boolean isGroup() {
        return ((value >>> 40) & 1) != 0;
    }

    // Written out, as the record's own would compute them: its ObjectMethods bootstrap spins method-handle classes
    // that the AOT cache does not keep, milliseconds of every boot's start (issue 11).
    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && m.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public String toString() {
        String hex = HexFormat.of().formatHex(toBytes());
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 12; i += 2) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(hex, i, i + 2);
        }
        return sb.toString();
    }
}
