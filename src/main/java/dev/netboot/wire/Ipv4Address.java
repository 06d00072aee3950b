package dev.netboot.wire;

import java.nio.ByteBuffer;

/**
 * An IPv4 address held in an {@code int}, network byte order in the usual reading
 * (10.0.0.1 is {@code 0x0A000001}).
 *
 * @param value the 32-bit address
 */
public record Ipv4Address(int value) implements Comparable<Ipv4Address> {
    /** 0.0.0.0. */
    public static final Ipv4Address ANY = new Ipv4Address(0);
    /** 255.255.255.255, the limited broadcast address. */
    public static final Ipv4Address BROADCAST = new Ipv4Address(0xFFFF_FFFF);
    /** Length of an address on the wire. */
    public static final int LENGTH = 4;

    /**
     * Parses dotted-quad text: four octets 0..255 in ASCII decimal digits, without leading zeros.
     *
     * @throws IllegalArgumentException when the text is not four decimal octets
     */
    public static Ipv4Address parse(String text) {
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "' (expected: four octets like 10.0.0.1)");
        }
        int v = 0;
        for (String p : parts) {
            // ASCII digits only (Integer.parseInt also takes a sign and other scripts' digits: "+10", Arabic-Indic 10), and no
            // leading zero: inet_aton and the resolvers read "010" as octal 8, so it would name another address there.
            if (!p.chars().allMatch(ch -> ch >= '0' && ch <= '9') || (p.length() > 1 && p.charAt(0) == '0')) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "' (expected: four octets like 10.0.0.1)");
            }
            int o;
            try {
                o = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            if (o < 0 || o > 255 || p.isEmpty() || p.length() > 3) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "' (octet " + p + " out of 0..255)");
            }
            v = (v << 8) | o;
        }
        return new Ipv4Address(v);
    }

    /** Reads four bytes at the absolute index {@code off}. */
    public static Ipv4Address read(ByteBuffer buf, int off) {
        return new Ipv4Address(buf.getInt(off));
    }

    /** Writes four bytes at the absolute index {@code off}. */
    public void write(ByteBuffer buf, int off) {
        buf.putInt(off, value);
    }

    /** Returns true when {@code other} is in the same subnet as this address under {@code mask}. */
    public boolean sameSubnet(Ipv4Address other, Ipv4Address mask) {
        return (value & mask.value) == (other.value & mask.value);
    }

    /** Returns true for a multicast group address (224.0.0.0/4). */
    public boolean isMulticast() {
        return (value >>> 28) == 0xE; // class D, 224.0.0.0/4 (RFC 1112)
    }

    /** Returns true for 0.0.0.0. */
    public boolean isAny() {
        return value == 0;
    }

    /**
     * Returns why this address can be no machine's own on a LAN, or null when it can be: 0.0.0.0/8 ("this network",
     * a source address only while a host learns its own, RFC 1122 section 3.2.1.3), 127.0.0.0/8 (loopback: the host
     * itself), 224.0.0.0/4 (multicast groups, RFC 1112), 240.0.0.0/4 (reserved, with 255.255.255.255, the limited
     * broadcast).
     */
    public String notAMachine() {
        int top = value >>> 24;
        return value == BROADCAST.value ? "it is the limited broadcast address"
                : top == 0 ? "it is in 0.0.0.0/8, 'this network', no machine's address"
                : top == 127 ? "it is a loopback address (127.0.0.0/8): the board itself"
                : isMulticast() ? "it is a multicast group (224.0.0.0/4)"
                : top >= 240 ? "it is reserved (240.0.0.0/4)" : null;
    }

    /** Returns the prefix length of this address read as a contiguous netmask, or -1 if it is not one. */
    public int prefixLength() {
        int inv = ~value;
        return (inv & (inv + 1)) == 0 ? Integer.bitCount(value) : -1;
    }

    @Override
    public int compareTo(Ipv4Address o) {
        return Integer.compareUnsigned(value, o.value);
    }

    // Written out, as the record's own would compute them: its ObjectMethods bootstrap spins method-handle classes
    // that the AOT cache does not keep, milliseconds of every boot's start (issue 11).
    @Override
    public boolean equals(Object o) {
        return o instanceof Ipv4Address a && a.value == value;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(value);
    }

    @Override
    public String toString() {
        return (value >>> 24) + "." + ((value >>> 16) & 0xFF) + "." + ((value >>> 8) & 0xFF) + "." + (value & 0xFF);
    }
}
