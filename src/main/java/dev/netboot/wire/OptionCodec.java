package dev.netboot.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Length rules and conversions of {@link DhcpOption}; messages say "what: actual (expected: X)". */
final class OptionCodec {
    private OptionCodec() {
    }

    static byte[] exactly(int code, byte[] v, int n) {
        if (v.length != n) {
            throw new MalformedPacketException("DHCP option " + code + " length: " + v.length + " (expected: " + n + ")");
        }
        return v;
    }

    static byte[] atLeast(int code, byte[] v, int n) {
        if (v.length < n) {
            throw new MalformedPacketException("DHCP option " + code + " length: " + v.length + " (expected: >= " + n + ")");
        }
        return v;
    }

    static Ipv4Address address(int code, byte[] v) {
        exactly(code, v, 4);
        return new Ipv4Address(ByteBuffer.wrap(v).getInt());
    }

    static List<Ipv4Address> addressList(int code, byte[] v) {
        if (v.length == 0 || v.length % 4 != 0) {
            throw new MalformedPacketException("DHCP option " + code + " length: " + v.length + " (expected: a positive multiple of 4)");
        }
        List<Ipv4Address> out = new ArrayList<>(v.length / 4);
        ByteBuffer b = ByteBuffer.wrap(v);
        for (int i = 0; i < v.length; i += 4) {
            out.add(new Ipv4Address(b.getInt(i)));
        }
        return out;
    }

    static int u16(int code, byte[] v) {
        exactly(code, v, 2);
        return ((v[0] & 0xFF) << 8) | (v[1] & 0xFF);
    }

    static long u32(int code, byte[] v) {
        exactly(code, v, 4);
        return ByteBuffer.wrap(v).getInt() & 0xFFFF_FFFFL;
    }

    static int byteIn(int code, byte[] v, int min, int max, String expected) {
        exactly(code, v, 1);
        int b = v[0] & 0xFF;
        if (b < min || b > max) {
            throw new MalformedPacketException("DHCP option " + code + " value: " + b + " (expected: " + expected + ")");
        }
        return b;
    }

    static List<Integer> codes(int code, byte[] v) {
        atLeast(code, v, 1);
        List<Integer> out = new ArrayList<>(v.length);
        for (byte b : v) {
            int c = b & 0xFF;
            if (c == 0 || c == 255) {
                throw new MalformedPacketException("DHCP option " + code + ": requests option " + c + " (expected: 1..254)");
            }
            out.add(c);
        }
        return out;
    }

    static List<Integer> u16List(int code, byte[] v) {
        if (v.length == 0 || v.length % 2 != 0) {
            throw new MalformedPacketException("DHCP option " + code + " length: " + v.length + " (expected: a positive multiple of 2)");
        }
        List<Integer> out = new ArrayList<>(v.length / 2);
        for (int i = 0; i < v.length; i += 2) {
            out.add(((v[i] & 0xFF) << 8) | (v[i + 1] & 0xFF));
        }
        return out;
    }

    static String readText(int code, byte[] v) {
        int n = v.length;
        while (n > 0 && v[n - 1] == 0) {
            n--;
        }
        if (n == 0) {
            throw new MalformedPacketException("DHCP option " + code + ": empty text (expected: >= 1 character)");
        }
        return new String(v, 0, n, StandardCharsets.ISO_8859_1);
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static void checkText(String s, String what) {
        if (s.isEmpty() || s.chars().anyMatch(c -> c > 0xFF)) {
            throw new IllegalArgumentException(what + " '" + s + "' (expected: 1 or more ISO-8859-1 characters)");
        }
    }

    static byte[] addresses(List<Ipv4Address> list) {
        ByteBuffer b = ByteBuffer.allocate(4 * list.size());
        list.forEach(a -> b.putInt(a.value()));
        return b.array();
    }

    static byte[] u16(int v) {
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    static byte[] u32(long v) {
        return ByteBuffer.allocate(4).putInt((int) v).array();
    }

    static void checkRange(int v, int min, int max, String what) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(what + " " + v + " (expected: " + min + ".." + max + ")");
        }
    }

    static void checkU32(long v, String what) {
        if (v < 0 || v > DhcpOption.INFINITE) {
            throw new IllegalArgumentException(what + " " + v + " (expected: 0..4294967295)");
        }
    }

    static <T> List<T> nonEmpty(List<T> list, String what) {
        if (list.isEmpty()) {
            throw new IllegalArgumentException(what + ": empty (expected: at least one)");
        }
        return List.copyOf(list);
    }

    static byte[] nonEmpty(byte[] b, String what) {
        if (b.length == 0) {
            throw new IllegalArgumentException(what + ": empty (expected: at least one byte)");
        }
        return b.clone();
    }
}
