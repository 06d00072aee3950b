package dev.netboot.wire;

import java.nio.ByteBuffer;

/**
 * An ARP packet for IPv4 over Ethernet (RFC 826), the only combination this stack speaks.
 *
 * <pre>
 *  ar$hrd (2) = 1 Ethernet     ar$pro (2) = 0x0800 IPv4
 *  ar$hln (1) = 6              ar$pln (1) = 4            ar$op (2) = 1 request | 2 reply
 *  ar$sha (6)  ar$spa (4)  ar$tha (6)  ar$tpa (4)                       = 28 bytes
 * </pre>
 *
 * @param op  {@link #REQUEST} or {@link #REPLY} (other values are kept; the net layer ignores them)
 * @param sha sender hardware address
 * @param spa sender protocol address
 * @param tha target hardware address (zero in a request)
 * @param tpa target protocol address
 */
public record ArpPacket(int op, MacAddress sha, Ipv4Address spa, MacAddress tha, Ipv4Address tpa) {
    /** ar$op of a request. */
    public static final int REQUEST = 1;
    /** ar$op of a reply. */
    public static final int REPLY = 2;
    /** Length of an Ethernet/IPv4 ARP packet. */
    public static final int LENGTH = 28;
    static final int HRD = 0, PRO = 2, HLN = 4, PLN = 5, OP = 6, SHA = 8, SPA = 14, THA = 18, TPA = 24;
    static final int HRD_ETHERNET = 1;

    /**
     * Parses bytes {@code [off, off+len)}.
     *
     * @throws MalformedPacketException when too short or not Ethernet/IPv4
     */
    public static ArpPacket parse(ByteBuffer buf, int off, int len) {
        MalformedPacketException.requireLength("ARP packet", len, LENGTH);
        int hrd = buf.getShort(off + HRD) & 0xFFFF;
        int pro = buf.getShort(off + PRO) & 0xFFFF;
        int hln = buf.get(off + HLN) & 0xFF;
        int pln = buf.get(off + PLN) & 0xFF;
        if (hrd != HRD_ETHERNET) {
            throw new MalformedPacketException("ARP hardware type: " + hrd + " (expected: 1 Ethernet)");
        }
        if (pro != EthernetFrame.TYPE_IPV4) {
            throw new MalformedPacketException("ARP protocol type: 0x" + Integer.toHexString(pro) + " (expected: 0x800 IPv4)");
        }
        if (hln != MacAddress.LENGTH || pln != Ipv4Address.LENGTH) {
            throw new MalformedPacketException("ARP address lengths: hln " + hln + ", pln " + pln + " (expected: 6 and 4)");
        }
        return new ArpPacket(buf.getShort(off + OP) & 0xFFFF,
                MacAddress.read(buf, off + SHA), Ipv4Address.read(buf, off + SPA),
                MacAddress.read(buf, off + THA), Ipv4Address.read(buf, off + TPA));
    }

    /** Writes the 28 bytes at {@code off}. */
    public void emit(ByteBuffer buf, int off) {
        buf.putShort(off + HRD, (short) HRD_ETHERNET);
        buf.putShort(off + PRO, (short) EthernetFrame.TYPE_IPV4);
        buf.put(off + HLN, (byte) MacAddress.LENGTH);
        buf.put(off + PLN, (byte) Ipv4Address.LENGTH);
        buf.putShort(off + OP, (short) op);
        sha.write(buf, off + SHA);
        spa.write(buf, off + SPA);
        tha.write(buf, off + THA);
        tpa.write(buf, off + TPA);
    }
}
