package dev.netboot.emulator.timeline;

import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import java.nio.ByteBuffer;

/**
 * What a frame on a boot's wire is, as far as a timeline and {@code netboot serve}'s client list need it: who
 * sent it to whom (MACs, and IP addresses and UDP ports when it is UDP over IPv4), and which exchange it belongs
 * to: an ARP request or reply, a DHCP message or BOOTP reply, a TFTP request, OACK, DATA, ACK or ERROR, or
 * something else. Decoded from the frame's bytes with the wire package's codecs; a frame that does not parse is
 * {@link Kind#OTHER}, never an exception.
 *
 * @param src      the sender's MAC
 * @param dst      the destination MAC
 * @param srcIp    the IPv4 source (0 when not IPv4)
 * @param dstIp    the IPv4 destination
 * @param srcPort  the UDP source port (-1 when not UDP)
 * @param dstPort  the UDP destination port
 * @param kind     what it is
 * @param label    a short name for a diagram: "DHCPDISCOVER", "ARP who-has 10.0.0.1", "DATA 7", "RRQ boot.img"
 * @param block    the TFTP block of a DATA or ACK, else -1
 * @param dataLen  the TFTP DATA payload length, else -1
 * @param chaddr   a DHCP/BOOTP message's client MAC, else null
 * @param yiaddr   a DHCP/BOOTP reply's address for the client, else 0
 * @param file     a TFTP request's file name, or an ERROR's message (as the peer wrote them), else null
 */
public record WireFrame(MacAddress src, MacAddress dst, int srcIp, int dstIp, int srcPort, int dstPort, Kind kind, String label,
                 long block, int dataLen, MacAddress chaddr, int yiaddr, String file) {
    /** The exchanges a boot is made of. */
    public enum Kind { ARP, DHCP_REQUEST, DHCP_REPLY, TFTP_REQUEST, TFTP_OACK, TFTP_DATA, TFTP_ACK, TFTP_ERROR, OTHER }

    private static final int UDP = 17;

    /** Returns whether this frame is part of a TFTP transfer's data path (DATA or ACK). */
    public boolean dataPath() {
        return kind == Kind.TFTP_DATA || kind == Kind.TFTP_ACK;
    }

    /** Decodes {@code f[0..len)}. */
    public static WireFrame of(byte[] f, int len) {
        ByteBuffer b = ByteBuffer.wrap(f, 0, len);
        if (len < EthernetFrame.HEADER_LEN) {
            return new WireFrame(MacAddress.ZERO, MacAddress.ZERO, 0, 0, -1, -1, Kind.OTHER, "runt", -1, -1, null, 0, null);
        }
        MacAddress dst = MacAddress.read(b, 0);
        MacAddress src = MacAddress.read(b, 6);
        int type = Short.toUnsignedInt(b.getShort(12));
        if (type == EthernetFrame.TYPE_ARP && len >= EthernetFrame.HEADER_LEN + 28) {
            int op = Short.toUnsignedInt(b.getShort(EthernetFrame.HEADER_LEN + 6));
            Ipv4Address spa = Ipv4Address.read(b, EthernetFrame.HEADER_LEN + 14);
            Ipv4Address tpa = Ipv4Address.read(b, EthernetFrame.HEADER_LEN + 24);
            String label = op == 1 ? (spa.value() == 0 ? "ARP probe " + tpa : "ARP who-has " + tpa) : "ARP " + spa + " is-at";
            return new WireFrame(src, dst, spa.value(), tpa.value(), -1, -1, Kind.ARP, label, -1, -1, null, 0, null);
        }
        if (type != EthernetFrame.TYPE_IPV4 || len < EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN) {
            return other(src, dst, 0, 0, String.format("ethertype 0x%04x", type));
        }
        int ip = EthernetFrame.HEADER_LEN;
        int ihl = (f[ip] & 0x0F) * 4;
        int proto = f[ip + 9] & 0xFF;
        int srcIp = b.getInt(ip + 12);
        int dstIp = b.getInt(ip + 16);
        int total = Math.min(Short.toUnsignedInt(b.getShort(ip + 2)), len - ip);
        // A fragment is no datagram (RFC 791): the first holds a UDP header whose length its own bytes do not reach,
        // the others none at all, their payload where a header would be. Neither the board's stack nor serve's
        // reassembles, so neither ever sees what a fragment's bytes would say.
        if ((b.getShort(ip + 6) & (Ipv4Packet.FLAG_MF | 0x1FFF)) != 0) {
            return other(src, dst, srcIp, dstIp, "IP fragment");
        }
        if (proto != UDP || ihl < Ipv4Packet.HEADER_LEN || total - ihl < 8) {
            return other(src, dst, srcIp, dstIp, proto == 1 ? "ICMP" : "IP proto " + proto);
        }
        int udp = ip + ihl;
        int sp = Short.toUnsignedInt(b.getShort(udp));
        int dp = Short.toUnsignedInt(b.getShort(udp + 2));
        int pay = udp + 8;
        int payLen = Math.min(Short.toUnsignedInt(b.getShort(udp + 4)) - 8, ip + total - pay);
        if (payLen < 0) {
            return other(src, dst, srcIp, dstIp, "UDP " + sp + " > " + dp);
        }
        if (sp == BootpMessage.SERVER_PORT || dp == BootpMessage.SERVER_PORT || sp == BootpMessage.CLIENT_PORT
                || dp == BootpMessage.CLIENT_PORT || dp == 4011 || sp == 4011) {
            try {
                BootpMessage m = BootpMessage.parse(b, pay, payLen);
                byte[] t = m.options().values().get(BootpOptions.MESSAGE_TYPE);
                String name = t != null && t.length == 1 ? dhcpName(t[0] & 0xFF)
                        : m.op() == BootpMessage.BOOTREQUEST ? "BOOTREQUEST" : "BOOTREPLY";
                Kind k = m.op() == BootpMessage.BOOTREQUEST ? Kind.DHCP_REQUEST : Kind.DHCP_REPLY;
                return new WireFrame(src, dst, srcIp, dstIp, sp, dp, k, name, -1, -1, m.chaddr(), m.yiaddr().value(), null);
            } catch (MalformedPacketException | IllegalArgumentException e) {
                return other(src, dst, srcIp, dstIp, "malformed BOOTP");
            }
        }
        return tftp(src, dst, srcIp, dstIp, sp, dp, f, pay, payLen);
    }

    /**
     * Returns the text from {@code from} up to its NUL, or up to {@code end} without one: a request's file as a name (a byte
     * that is not UTF-8 kept as U+DC80..U+DCFF, as the server's own parser and its sessions have it, so it is shown as that
     * byte, {@code \xNN}), an ERROR's message as text.
     */
    private static String textToNul(byte[] f, int from, int end, boolean name) {
        int nul = from;
        while (nul < end && f[nul] != 0) {
            nul++;
        }
        return name ? dev.netboot.wire.TftpText.name(f, from, nul - from) : dev.netboot.wire.TftpText.text(f, from, nul - from);
    }

    /** Decodes a TFTP packet, or returns OTHER when the payload is not one. */
    private static WireFrame tftp(MacAddress src, MacAddress dst, int srcIp, int dstIp, int sp, int dp, byte[] f, int pay, int n) {
        if (n < 4) {
            return other(src, dst, srcIp, dstIp, "UDP " + sp + " > " + dp);
        }
        int op = ((f[pay] & 0xFF) << 8) | (f[pay + 1] & 0xFF);
        int word = ((f[pay + 2] & 0xFF) << 8) | (f[pay + 3] & 0xFF);
        return switch (op) {
            case 1, 2 -> {
                String file = textToNul(f, pay + 2, pay + n, true);
                yield new WireFrame(src, dst, srcIp, dstIp, sp, dp, Kind.TFTP_REQUEST, (op == 1 ? "RRQ " : "WRQ ") + file, -1, -1,
                        null, 0, file);
            }
            case 3 -> new WireFrame(src, dst, srcIp, dstIp, sp, dp, Kind.TFTP_DATA, "DATA " + word, word, n - 4, null, 0, null);
            case 4 -> new WireFrame(src, dst, srcIp, dstIp, sp, dp, Kind.TFTP_ACK, "ACK " + word, word, -1, null, 0, null);
            case 5 -> new WireFrame(src, dst, srcIp, dstIp, sp, dp, Kind.TFTP_ERROR, "ERROR " + word, -1, -1, null, 0,
                    textToNul(f, pay + 4, pay + n, false));
            case 6 -> new WireFrame(src, dst, srcIp, dstIp, sp, dp, Kind.TFTP_OACK, "OACK", -1, -1, null, 0, null);
            default -> other(src, dst, srcIp, dstIp, "UDP " + sp + " > " + dp);
        };
    }

    private static WireFrame other(MacAddress src, MacAddress dst, int srcIp, int dstIp, String label) {
        return new WireFrame(src, dst, srcIp, dstIp, -1, -1, Kind.OTHER, label, -1, -1, null, 0, null);
    }

    /** Returns the RFC 2132 name of DHCP message type {@code t}. */
    public static String dhcpName(int t) {
        return switch (t) {
            case 1 -> "DHCPDISCOVER";
            case 2 -> "DHCPOFFER";
            case 3 -> "DHCPREQUEST";
            case 4 -> "DHCPDECLINE";
            case 5 -> "DHCPACK";
            case 6 -> "DHCPNAK";
            case 7 -> "DHCPRELEASE";
            case 8 -> "DHCPINFORM";
            default -> "DHCP type " + t;
        };
    }
}
