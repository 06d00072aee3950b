package dev.netboot.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The options of a BOOTP/DHCP message (RFC 2132): code, length, value, after the magic cookie
 * 99.130.83.99. Pad (0) and End (255) have no length byte. Options with the same code that appear
 * more than once are concatenated in order (RFC 3396 section 7), which is also how an option split
 * across the options, file and sname fields by Overload (52) reads.
 *
 * @param values option values by code, in the order they first appeared
 */
public record BootpOptions(Map<Integer, byte[]> values) {
    /** Pad. */
    public static final int PAD = 0;
    /** Subnet Mask. */
    public static final int SUBNET_MASK = 1;
    /** Router (gateways, in order of preference). */
    public static final int ROUTER = 3;
    /** Domain Name Server. */
    public static final int DNS = 6;
    /** Host Name. */
    public static final int HOST_NAME = 12;
    /** Boot File Size in 512-octet blocks. */
    public static final int BOOT_FILE_SIZE = 13;
    /** Domain Name. */
    public static final int DOMAIN_NAME = 15;
    /** Broadcast Address in use on the client's subnet (RFC 2132 section 5.3). */
    public static final int BROADCAST_ADDRESS = 28;
    /** Option Overload: 1 file holds options, 2 sname holds options, 3 both. */
    public static final int OVERLOAD = 52;
    /** DHCP Message Type. */
    public static final int MESSAGE_TYPE = 53;
    /** TFTP server name. */
    public static final int TFTP_SERVER_NAME = 66;
    /** Bootfile name. */
    public static final int BOOTFILE_NAME = 67;
    /** End. */
    public static final int END = 255;
    /** The magic cookie 99.130.83.99 (RFC 2132 section 2). */
    public static final int MAGIC_COOKIE = 0x63825363;

    /** An empty option set. */
    public static final BootpOptions NONE = new BootpOptions(Map.of());

    /** Copies the map so the record stays immutable. */
    public BootpOptions {
        Map<Integer, byte[]> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k <= PAD || k >= END) {
                throw new IllegalArgumentException("option code " + k + " has no value (pad/end)");
            }
            copy.put(k, v.clone());
        });
        values = Collections.unmodifiableMap(copy);
    }

    /**
     * Compares codes, order of first appearance and value contents. The record's generated equals
     * would compare the {@code byte[]} values by identity, so no two parsed messages were ever equal.
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BootpOptions(Map<Integer, byte[]> other)) || other.size() != values.size()) {
            return false;
        }
        var a = values.entrySet().iterator();
        var b = other.entrySet().iterator();
        while (a.hasNext()) {
            Map.Entry<Integer, byte[]> x = a.next();
            Map.Entry<Integer, byte[]> y = b.next();
            if (!x.getKey().equals(y.getKey()) || !Arrays.equals(x.getValue(), y.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** Returns a hash of the codes and value contents, consistent with {@link #equals}. */
    @Override
    public int hashCode() {
        int h = 1;
        for (Map.Entry<Integer, byte[]> e : values.entrySet()) {
            h = 31 * h + e.getKey();
            h = 31 * h + Arrays.hashCode(e.getValue());
        }
        return h;
    }

    /** Returns the options as {@code code=hex} pairs. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("BootpOptions[");
        values.forEach((k, v) -> sb.append(sb.length() > 13 ? ", " : "").append(k).append('=').append(HexFormat.of().formatHex(v)));
        return sb.append(']').toString();
    }

    /** Returns the raw value of option {@code code}, if present. The array is a copy. */
    public Optional<byte[]> get(int code) {
        byte[] v = values.get(code);
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    /**
     * Returns an option set holding {@code options} in the given order. Two options with the same code
     * are one value, concatenated (RFC 3396).
     */
    public static BootpOptions of(List<? extends DhcpOption> options) {
        Map<Integer, byte[]> m = new LinkedHashMap<>();
        for (DhcpOption o : options) {
            m.merge(o.code(), o.encode(), Parser::concat);
        }
        return new BootpOptions(m);
    }

    /** Returns an option set holding {@code options} in the given order. */
    public static BootpOptions of(DhcpOption... options) {
        return of(List.of(options));
    }

    /**
     * Returns option {@code code} decoded into its {@link DhcpOption} type, if present.
     *
     * @throws MalformedPacketException when the value breaks the option's length or value rule
     */
    public Optional<DhcpOption> option(int code) {
        byte[] v = values.get(code);
        return v == null ? Optional.empty() : Optional.of(DhcpOption.decode(code, v));
    }

    /**
     * Returns the DHCP message type (option 53); empty for a BOOTP message, which has none.
     *
     * @throws MalformedPacketException when option 53 is not one byte
     */
    public Optional<DhcpMessageType> messageType() {
        return option(DhcpOption.MESSAGE_TYPE).map(o -> ((DhcpOption.MessageType) o).type());
    }

    /** Returns true when option {@code code} is present. */
    public boolean has(int code) {
        return values.containsKey(code);
    }

    /**
     * Returns option {@code code} read as one IPv4 address.
     *
     * @throws MalformedPacketException when the value is not 4 bytes
     */
    public Optional<Ipv4Address> address(int code) {
        byte[] v = values.get(code);
        if (v == null) {
            return Optional.empty();
        }
        if (v.length != 4) {
            throw new MalformedPacketException("BOOTP option " + code + " length: " + v.length + " (expected: 4)");
        }
        return Optional.of(new Ipv4Address(ByteBuffer.wrap(v).getInt()));
    }

    /**
     * Returns option {@code code} read as a list of IPv4 addresses; an empty option is an empty list. RFC 2132 asks for
     * at least one address, but kea-dhcp4 2.2 sends option 3 with no value when its configuration gives "routers" an
     * empty "data" (an operator's way to say: no router), and means none: refusing the reply for it would leave a board
     * without any lease from that server.
     *
     * @throws MalformedPacketException when the length is not a multiple of 4
     */
    public List<Ipv4Address> addresses(int code) {
        byte[] v = values.get(code);
        if (v == null) {
            return List.of();
        }
        if (v.length % 4 != 0) {
            throw new MalformedPacketException("BOOTP option " + code + " length: " + v.length + " (expected: a multiple of 4)");
        }
        List<Ipv4Address> out = new ArrayList<>(v.length / 4);
        ByteBuffer b = ByteBuffer.wrap(v);
        for (int i = 0; i < v.length; i += 4) {
            out.add(new Ipv4Address(b.getInt(i)));
        }
        return List.copyOf(out);
    }

    /** Returns option {@code code} as text (NVT ASCII; a trailing NUL, which some servers add, is dropped). */
    public Optional<String> text(int code) {
        byte[] v = values.get(code);
        if (v == null) {
            return Optional.empty();
        }
        int n = v.length;
        while (n > 0 && v[n - 1] == 0) {
            n--;
        }
        return Optional.of(new String(v, 0, n, StandardCharsets.ISO_8859_1));
    }

    /** Returns option {@code code} as an unsigned 8- or 16-bit number. */
    public Optional<Integer> number(int code) {
        byte[] v = values.get(code);
        if (v == null) {
            return Optional.empty();
        }
        return switch (v.length) {
            case 1 -> Optional.of(v[0] & 0xFF);
            case 2 -> Optional.of(((v[0] & 0xFF) << 8) | (v[1] & 0xFF));
            default -> throw new MalformedPacketException("BOOTP option " + code + " length: " + v.length + " (expected: 1 or 2)");
        };
    }

    /** Returns the number of bytes {@link #emit} writes, End included. */
    public int encodedLength() {
        int n = 1;
        for (byte[] v : values.values()) {
            n += 2 * ((v.length + 254) / 255) + v.length + (v.length == 0 ? 2 : 0);
        }
        return n;
    }

    /**
     * Writes the options followed by End at {@code off} and returns the bytes written. Values longer
     * than 255 bytes are split into several options of the same code (RFC 3396).
     */
    public int emit(ByteBuffer buf, int off) {
        int p = off;
        for (Map.Entry<Integer, byte[]> e : values.entrySet()) {
            byte[] v = e.getValue();
            int done = 0;
            do {
                int chunk = Math.min(255, v.length - done);
                buf.put(p++, (byte) (int) e.getKey());
                buf.put(p++, (byte) chunk);
                buf.put(p, v, done, chunk);
                p += chunk;
                done += chunk;
            } while (done < v.length);
        }
        buf.put(p++, (byte) END);
        return p - off;
    }

    /** Collects options while a message's option areas are parsed. */
    static final class Parser {
        private final Map<Integer, byte[]> values = new LinkedHashMap<>();

        /**
         * Reads options from {@code [off, off+len)} up to End or the end of the area.
         *
         * @param where names the area in error messages ("options", "file", "sname")
         */
        void parse(ByteBuffer buf, int off, int len, String where) {
            int p = off;
            int end = off + len;
            while (p < end) {
                int code = buf.get(p) & 0xFF;
                if (code == END) {
                    return;
                }
                if (code == PAD) {
                    p++;
                    continue;
                }
                if (end - p < 2) {
                    throw new MalformedPacketException("BOOTP " + where + ": option " + code + " has no length byte at offset " + (p - off));
                }
                int olen = buf.get(p + 1) & 0xFF;
                if (olen > end - p - 2) {
                    throw new MalformedPacketException("BOOTP " + where + ": option " + code + " length " + olen
                            + " (expected: <= " + (end - p - 2) + " bytes left)");
                }
                byte[] v = new byte[olen];
                buf.get(p + 2, v);
                values.merge(code, v, Parser::concat);
                p += 2 + olen;
            }
            // Running off the end without End is tolerated: RFC 1542 section 3.3 asks clients to be lenient.
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] r = new byte[a.length + b.length];
            System.arraycopy(a, 0, r, 0, a.length);
            System.arraycopy(b, 0, r, a.length, b.length);
            return r;
        }

        int overload() {
            byte[] v = values.get(OVERLOAD);
            if (v == null) {
                return 0;
            }
            if (v.length != 1 || v[0] < 1 || v[0] > 3) {
                throw new MalformedPacketException("BOOTP option 52 (overload): " + (v.length == 1 ? v[0] : v.length + " bytes")
                        + " (expected: one byte 1, 2 or 3)");
            }
            return v[0];
        }

        BootpOptions build() {
            return new BootpOptions(values);
        }
    }
}
