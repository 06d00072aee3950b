package dev.netboot.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The codec of {@link DhcpOption}: which record the value bytes of each code become ({@link #decode}), the length rules
 * the RFCs state for them, and the conversions both ways; messages say "what: actual (expected: X)". The options
 * themselves, their codes and records, are {@link DhcpOption}'s.
 */
final class OptionCodec {
    private OptionCodec() {
    }

    /**
     * Decodes option {@code code} from its value bytes (several instances already concatenated, RFC 3396).
     *
     * @throws MalformedPacketException when the length or a value breaks the option's rule
     */
    static DhcpOption decode(int code, byte[] v) {
        return switch (code) {
            case DhcpOption.SUBNET_MASK -> new DhcpOption.SubnetMask(address(code, v));
            case DhcpOption.ROUTER -> new DhcpOption.Router(addressList(code, v));
            case DhcpOption.DNS -> new DhcpOption.DomainNameServers(addressList(code, v));
            case DhcpOption.HOST_NAME -> new DhcpOption.HostName(readText(code, v));
            case DhcpOption.BOOT_FILE_SIZE -> new DhcpOption.BootFileSize(u16(code, v));
            case DhcpOption.DOMAIN_NAME -> new DhcpOption.DomainName(readText(code, v));
            case DhcpOption.BROADCAST_ADDRESS -> new DhcpOption.BroadcastAddress(address(code, v));
            case DhcpOption.VENDOR_SPECIFIC -> new DhcpOption.VendorSpecific(atLeast(code, v, 1));
            case DhcpOption.REQUESTED_ADDRESS -> new DhcpOption.RequestedAddress(address(code, v));
            case DhcpOption.LEASE_TIME -> new DhcpOption.LeaseTime(u32(code, v));
            case DhcpOption.OVERLOAD ->
                    new DhcpOption.Overload(byteIn(code, v, 1, 3, "1 (file), 2 (sname) or 3 (both)"));
            case DhcpOption.MESSAGE_TYPE ->
                    new DhcpOption.MessageType(DhcpMessageType.of(byteIn(code, v, 0, 255, "one byte")));
            case DhcpOption.SERVER_ID -> new DhcpOption.ServerId(address(code, v));
            case DhcpOption.PARAMETER_REQUEST_LIST -> new DhcpOption.ParameterRequestList(codes(code, v));
            case DhcpOption.MESSAGE -> new DhcpOption.Message(readText(code, v));
            case DhcpOption.MAX_MESSAGE_SIZE -> {
                int size = u16(code, v);
                if (size < DhcpOption.MIN_MAX_MESSAGE_SIZE) {
                    throw new MalformedPacketException("DHCP option 57 (maximum message size): " + size + " (expected: >= 576)");
                }
                yield new DhcpOption.MaxMessageSize(size);
            }
            case DhcpOption.RENEWAL_TIME -> new DhcpOption.RenewalTime(u32(code, v));
            case DhcpOption.REBINDING_TIME -> new DhcpOption.RebindingTime(u32(code, v));
            case DhcpOption.VENDOR_CLASS -> new DhcpOption.VendorClass(readText(code, v));
            case DhcpOption.CLIENT_ID ->
                    new DhcpOption.ClientId(atLeast(code, v, 2)[0] & 0xFF, Arrays.copyOfRange(v, 1, v.length));
            case DhcpOption.TFTP_SERVER_NAME -> new DhcpOption.TftpServerName(readText(code, v));
            case DhcpOption.BOOTFILE_NAME -> new DhcpOption.BootfileName(readText(code, v));
            case DhcpOption.CLIENT_ARCH -> new DhcpOption.ClientArch(u16List(code, v));
            case DhcpOption.CLIENT_NDI -> {
                exactly(code, v, 3);
                yield new DhcpOption.ClientNdi(v[0] & 0xFF, v[1] & 0xFF, v[2] & 0xFF);
            }
            case DhcpOption.CLIENT_MACHINE_ID -> {
                exactly(code, v, 1 + DhcpOption.ClientMachineId.GUID_LENGTH);
                if (v[0] != 0) {
                    throw new MalformedPacketException("DHCP option 97 (client machine identifier) type: " + (v[0] & 0xFF)
                            + " (expected: 0, a GUID)");
                }
                yield new DhcpOption.ClientMachineId(Arrays.copyOfRange(v, 1, v.length));
            }
            case DhcpOption.TFTP_SERVER_ADDRESSES -> new DhcpOption.TftpServers(addressList(code, v));
            default -> new DhcpOption.Unknown(code, v);
        };
    }

    /**
     * Reads option 43's value as sub-options (code, length, value; Pad 0 and End 255 as in the options field).
     *
     * @throws MalformedPacketException when a sub-option runs past the value
     */
    static Map<Integer, byte[]> subOptions(byte[] data) {
        Map<Integer, byte[]> out = new LinkedHashMap<>();
        int p = 0;
        while (p < data.length) {
            int code = data[p] & 0xFF;
            if (code == 255) {
                break;
            }
            if (code == 0) {
                p++;
                continue;
            }
            if (data.length - p < 2 || (data[p + 1] & 0xFF) > data.length - p - 2) {
                throw new MalformedPacketException("DHCP option 43 sub-option " + code + " at offset " + p
                        + ": runs past the " + data.length + "-byte value (expected: code, length, value)");
            }
            int len = data[p + 1] & 0xFF;
            out.put(code, Arrays.copyOfRange(data, p + 2, p + 2 + len));
            p += 2 + len;
        }
        return out;
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
