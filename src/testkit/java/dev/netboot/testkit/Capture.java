package dev.netboot.testkit;

import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.DhcpMessageType;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Every frame put on the emulated LAN's wire during a test, in time order, each decoded into a one-line summary and
 * a {@link Frame#kind()}: "DHCPDISCOVER", "ARP request", "TFTP DATA", ... A frame the segment then lost is in the
 * capture too (it was sent); a frame the router forwards is there twice, as it arrived and as it left.
 */
public final class Capture {
    /** The kinds {@link Frame#kind()} names. */
    public static final List<String> KINDS = List.of("ARP request", "ARP reply", "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST",
            "DHCPDECLINE", "DHCPACK", "DHCPNAK", "DHCPRELEASE", "DHCPINFORM", "BOOTREQUEST", "BOOTREPLY", "TFTP RRQ", "TFTP WRQ",
            "TFTP DATA", "TFTP ACK", "TFTP ERROR", "TFTP OACK", "ICMP", "UDP", "IPv4", "Ethernet");

    /**
     * One frame as it went on the wire.
     *
     * @param time    when it was sent, virtual nanoseconds
     * @param bytes   the Ethernet frame, header included
     * @param kind    what it is, one of {@link #KINDS}
     * @param summary one line: addresses and what the frame says
     * @param session for TFTP, the client's address and port, which names the transfer ("10.0.0.42:3456"); else empty
     * @param block   for TFTP DATA and ACK, the block number; else -1
     */
    public record Frame(long time, byte[] bytes, String kind, String summary, String session, int block) {
        /** Returns true when {@link #kind()} is {@code k}. */
        public boolean is(String k) {
            return kind.equals(k);
        }
    }

    private final List<Frame> frames;
    private final byte[] pcap;

    private Capture(List<Frame> frames, byte[] pcap) {
        this.frames = List.copyOf(frames);
        this.pcap = pcap;
    }

    /** Reads a libpcap capture of Ethernet frames with nanosecond timestamps, as the emulator writes it. */
    static Capture of(byte[] pcap) {
        ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        List<Frame> out = new ArrayList<>();
        Set<String> tftpClients = new HashSet<>();
        int p = 24; // global header
        while (pcap.length - p >= 16) {
            long time = (b.getInt(p) & 0xFFFF_FFFFL) * 1_000_000_000L + (b.getInt(p + 4) & 0xFFFF_FFFFL);
            int len = b.getInt(p + 8);
            byte[] f = new byte[len];
            b.get(p + 16, f);
            out.add(describe(time, f, tftpClients));
            p += 16 + len;
        }
        return new Capture(out, pcap);
    }

    /** Returns the frames, in the order they were sent. */
    public List<Frame> frames() {
        return frames;
    }

    /**
     * Returns the frames of kind {@code kind}.
     *
     * @throws IllegalArgumentException when {@code kind} is none of {@link #KINDS}: a misspelt kind would match nothing
     */
    public List<Frame> frames(String kind) {
        String k = known(kind);
        return frames.stream().filter(f -> f.is(k)).toList();
    }

    /**
     * Returns how many frames are of kind {@code kind}.
     *
     * @throws IllegalArgumentException when {@code kind} is none of {@link #KINDS}: a misspelt kind would count none
     */
    public long count(String kind) {
        String k = known(kind);
        return frames.stream().filter(f -> f.is(k)).count();
    }

    private static String known(String kind) {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("no frame kind '" + kind + "' (expected one of: " + String.join(", ", KINDS) + ")");
        }
        return kind;
    }

    /** Returns how many frames {@code which} accepts. */
    public long count(Predicate<Frame> which) {
        return frames.stream().filter(which).count();
    }

    /** Writes the capture as a libpcap file Wireshark and tshark read (Ethernet, nanosecond timestamps). */
    public void writePcap(Path file) {
        try {
            Files.write(file, pcap);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Frame describe(long time, byte[] f, Set<String> tftpClients) {
        if (f.length < 14) {
            return new Frame(time, f, "Ethernet", "runt frame of " + f.length + " bytes", "", -1);
        }
        ByteBuffer b = ByteBuffer.wrap(f);
        MacAddress dst = MacAddress.read(b, 0);
        MacAddress src = MacAddress.read(b, 6);
        int type = Short.toUnsignedInt(b.getShort(12));
        String macs = src + " > " + dst;
        try {
            if (type == 0x0806 && f.length >= 14 + 28) {
                int op = Short.toUnsignedInt(b.getShort(14 + 6));
                Ipv4Address spa = new Ipv4Address(b.getInt(14 + 14));
                Ipv4Address tpa = new Ipv4Address(b.getInt(14 + 24));
                return op == 1
                        ? new Frame(time, f, "ARP request", "ARP who has " + tpa + "? tell " + spa + " (" + src + ")", "", -1)
                        : new Frame(time, f, "ARP reply", "ARP " + spa + " is at " + MacAddress.read(b, 14 + 8) + " (to " + tpa + ")", "", -1);
            }
            if (type != 0x0800 || f.length < 14 + 20) {
                return new Frame(time, f, "Ethernet", macs + String.format(" type 0x%04x, %d bytes", type, f.length), "", -1);
            }
            int ihl = (f[14] & 0x0F) * 4;
            int total = Short.toUnsignedInt(b.getShort(16));
            int proto = f[14 + 9] & 0xFF;
            Ipv4Address ipSrc = new Ipv4Address(b.getInt(14 + 12));
            Ipv4Address ipDst = new Ipv4Address(b.getInt(14 + 16));
            int l4 = 14 + ihl;
            int end = Math.min(f.length, 14 + total);
            if (proto == 1) {
                int icmpType = l4 < end ? f[l4] & 0xFF : -1;
                String what = switch (icmpType) {
                    case 0 -> "echo reply";
                    case 3 -> "destination unreachable (code " + (f[l4 + 1] & 0xFF) + ")";
                    case 8 -> "echo request";
                    default -> "type " + icmpType;
                };
                return new Frame(time, f, "ICMP", "ICMP " + ipSrc + " > " + ipDst + " " + what, "", -1);
            }
            if (proto != 17 || end - l4 < 8) {
                return new Frame(time, f, "IPv4", "IPv4 " + ipSrc + " > " + ipDst + " protocol " + proto, "", -1);
            }
            int sport = Short.toUnsignedInt(b.getShort(l4));
            int dport = Short.toUnsignedInt(b.getShort(l4 + 2));
            int off = l4 + 8;
            int len = end - off;
            String from = ipSrc + ":" + sport;
            String to = ipDst + ":" + dport;
            if ((sport == 67 || sport == 68 || dport == 67 || dport == 68 || dport == 4011 || sport == 4011) && len >= 236) {
                BootpMessage m = BootpMessage.parse(b, off, len);
                String kind = m.options().messageType().map(DhcpMessageType::toString)
                        .orElse(m.op() == BootpMessage.BOOTREQUEST ? "BOOTREQUEST" : "BOOTREPLY");
                if (!KINDS.contains(kind)) {
                    kind = "UDP";
                }
                String yours = m.yiaddr().isAny() ? "" : " yiaddr " + m.yiaddr();
                String file = m.file().isEmpty() ? "" : " file " + m.file();
                return new Frame(time, f, kind, from + " > " + to + " " + kind + String.format(" xid 0x%08x", m.xid()) + yours + file, "",
                        -1);
            }
            if (len >= 2) {
                int op = Short.toUnsignedInt(b.getShort(off));
                if ((op == 1 || op == 2) && dport == 69) {
                    String name = cString(f, off + 2, end);
                    tftpClients.add(from);
                    String kind = op == 1 ? "TFTP RRQ" : "TFTP WRQ";
                    String options = options(f, off + 2, end, 2);
                    return new Frame(time, f, kind, from + " > " + to + " " + kind + " " + name + options, from, -1);
                }
                String session = tftpClients.contains(to) ? to : tftpClients.contains(from) ? from : null;
                if (session != null && op >= 3 && op <= 6) {
                    return switch (op) {
                        case 3 -> {
                            int block = len >= 4 ? Short.toUnsignedInt(b.getShort(off + 2)) : -1;
                            yield new Frame(time, f, "TFTP DATA", from + " > " + to + " TFTP DATA block " + block + ", " + Math.max(0, len - 4)
                                    + " bytes", session, block);
                        }
                        case 4 -> {
                            int block = len >= 4 ? Short.toUnsignedInt(b.getShort(off + 2)) : -1;
                            yield new Frame(time, f, "TFTP ACK", from + " > " + to + " TFTP ACK block " + block, session, block);
                        }
                        case 5 -> new Frame(time, f, "TFTP ERROR", from + " > " + to + " TFTP ERROR "
                                + (len >= 4 ? Short.toUnsignedInt(b.getShort(off + 2)) : -1) + " " + cString(f, off + 4, end), session, -1);
                        default -> new Frame(time, f, "TFTP OACK", from + " > " + to + " TFTP OACK" + options(f, off + 2, end, 0), session, -1);
                    };
                }
            }
            return new Frame(time, f, "UDP", "UDP " + from + " > " + to + ", " + len + " bytes", "", -1);
        } catch (MalformedPacketException | IndexOutOfBoundsException e) {
            return new Frame(time, f, "Ethernet", macs + " malformed: " + e.getMessage(), "", -1);
        }
    }

    /** Returns the NUL-terminated text at {@code from}. */
    private static String cString(byte[] f, int from, int end) {
        int i = from;
        while (i < end && f[i] != 0) {
            i++;
        }
        return new String(f, from, Math.max(0, i - from), StandardCharsets.ISO_8859_1);
    }

    /** Returns the NUL-terminated strings from {@code from} on, the first {@code skip} left out, paired as " name=value ...". */
    private static String options(byte[] f, int from, int end, int skip) {
        List<String> parts = new ArrayList<>();
        int i = from;
        while (i < end) {
            String s = cString(f, i, end);
            parts.add(s);
            i += s.length() + 1;
        }
        StringBuilder sb = new StringBuilder();
        for (int k = skip; k + 1 < parts.size(); k += 2) {
            sb.append(' ').append(parts.get(k)).append('=').append(parts.get(k + 1));
        }
        return sb.toString();
    }
}
