package dev.netboot.net;

import dev.netboot.wire.ArpPacket;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.UdpDatagram;
import java.nio.ByteBuffer;

/**
 * Sorts frames into kinds every {@link NetStack} gives one verdict for whatever else the frame holds
 * ({@link ReceiveFilter#verdictOfKind}): so a link that hands one frame to many stacks may ask each stack once per kind,
 * not once per frame. The kinds, each in an Ethernet broadcast frame: a well-formed UDP datagram to the limited
 * broadcast address 255.255.255.255, its IPv4 header checksum right and not a fragment (another host's DHCP request,
 * the server's broadcast reply to another client), told by its UDP destination port; an ARP packet for IPv4 over
 * Ethernet sent from its sender hardware address, a probe (sender address 0) or not, whose verdict is one for every
 * stack whose ARP looks for neither address it names ({@link #addressee}, {@link ReceiveFilter#arpInterests}); a
 * BOOTREPLY to port 68 (a DHCP server's broadcast reply), its UDP checksum right, whose verdict is one for every
 * client but the one its chaddr names. Reads the frame, changes nothing; one instance keeps its
 * own parsing views.
 */
public final class FrameKind {
    /** Not a kind: ask the stack about the frame itself ({@link ReceiveFilter#verdict}). */
    public static final int NONE = -1;
    /** An ARP packet with sender protocol address 0 (an RFC 5227 probe). */
    public static final int ARP_PROBE = 0x10000;
    /** An ARP packet with a sender protocol address (a request, an announcement, a broadcast reply). */
    public static final int ARP_SENDER = 0x10001;
    /**
     * A BOOTREPLY for Ethernet (htype 1, hlen 6, the fixed part whole) to UDP port 68, its UDP checksum right: the
     * verdict of the kind is that of every such frame whose chaddr ({@link #addressee}) is not the stack's own address.
     */
    public static final int BOOTREPLY = 0x10002;

    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final UdpDatagram udp = new UdpDatagram();
    private long addressee = -1;

    /**
     * Returns the kind of {@code frame}: the UDP destination port (0..65535) of a datagram to the limited broadcast as
     * above, {@link #ARP_PROBE}, {@link #ARP_SENDER}, {@link #BOOTREPLY}, or {@link #NONE}.
     */
    public int of(ByteBuffer frame, int length) {
        addressee = -1;
        try {
            eth.wrap(frame, length);
            if (eth.dstValue() != MacAddress.BROADCAST.value()) {
                return NONE;
            }
            if (eth.etherType() == EthernetFrame.TYPE_ARP) {
                return arp(frame, eth.payloadOffset(), eth.payloadLength());
            }
            if (eth.etherType() != EthernetFrame.TYPE_IPV4) {
                return NONE;
            }
            ip.wrap(frame, eth.payloadOffset(), eth.payloadLength(), false);
            if (!ip.checksumOk() || ip.isFragment() || ip.dst() != -1 || ip.protocol() != Ipv4Packet.PROTO_UDP) {
                return NONE;
            }
            udp.wrap(frame, ip.payloadOffset(), ip.payloadLength(), ip.src(), ip.dst(), false);
            int off = udp.payloadOffset();
            if (udp.dstPort() == BootpMessage.CLIENT_PORT && udp.payloadLength() >= BootpMessage.FIXED_LEN
                    && frame.get(off) == BootpMessage.BOOTREPLY && frame.get(off + 1) == 1
                    && frame.get(off + 2) == MacAddress.LENGTH && udp.checksumOk(ip.src(), ip.dst())) {
                addressee = MacAddress.readLong(frame, off + CHADDR);
                return BOOTREPLY;
            }
            return udp.dstPort();
        } catch (MalformedPacketException e) {
            return NONE;
        }
    }

    /**
     * Returns the addressee of the last frame {@link #of} sorted: of a {@link #BOOTREPLY} its chaddr (as
     * {@link MacAddress#readLong}); of an ARP packet its sender protocol address in the upper 32 bits, the target's in
     * the lower; else -1.
     */
    public long addressee() {
        return addressee;
    }

    private static final int CHADDR = 28; // RFC 951: op, htype, hlen, hops, xid (4), secs, flags, ciaddr, yiaddr, siaddr, giaddr

    /** ReceiveVerdict.arp's checks of the fixed fields, and the sender hardware address the frame's source. */
    private int arp(ByteBuffer frame, int off, int len) {
        if (len < ArpPacket.LENGTH || (frame.getShort(off) & 0xFFFF) != 1
                || (frame.getShort(off + 2) & 0xFFFF) != EthernetFrame.TYPE_IPV4
                || (frame.get(off + 4) & 0xFF) != MacAddress.LENGTH || (frame.get(off + 5) & 0xFF) != Ipv4Address.LENGTH
                || MacAddress.readLong(frame, off + 8) != eth.srcValue()) {
            return NONE;
        }
        int spa = frame.getInt(off + 14);
        addressee = (long) spa << 32 | (frame.getInt(off + 24) & 0xFFFF_FFFFL);
        return spa == 0 ? ARP_PROBE : ARP_SENDER;
    }
}
