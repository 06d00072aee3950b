package dev.netboot.link;

import dev.netboot.wire.Checksum;
import dev.netboot.wire.EthernetFrame;
import dev.netboot.wire.Ipv4Packet;
import java.nio.ByteBuffer;

/**
 * What a NIC does with a checksum the sender's kernel left to it (checksum offload, {@code CHECKSUM_PARTIAL}),
 * done for a frame that reached a packet socket before any NIC: a server on a veth pair, a bridge or a tap of this
 * host. The checksum field holds only the pseudo-header sum; the checksum is the complement of the sum from where
 * the transport header starts to the end of the frame (RFC 1071).
 *
 * <p>The UDP checksum of an untagged IPv4 frame is set to 0 instead, "no checksum" (RFC 768): the frame was made on
 * this host and crossed no wire, so there is nothing a sum could catch (Linux's own stack does not verify such
 * packets either), and neither the sum nor the stack's check of it costs a pass over the datagram.
 */
final class NicChecksum {
    /** The IPv4 header's protocol byte; where the checksum sits in a UDP (RFC 768) and a TCP (RFC 9293) header. */
    private static final int IPV4_PROTOCOL = 9, UDP_CHECKSUM = 6, PROTO_TCP = 6, TCP_CHECKSUM = 16;
    private static final int ETH_HEADER = EthernetFrame.HEADER_LEN;

    private NicChecksum() {
    }

    /**
     * Finishes the checksum at {@code field} of the frame's first {@code length} bytes, summed from {@code start}:
     * the {@code csum_start} and {@code csum_start + csum_offset} of a {@code virtio_net_hdr}.
     *
     * @return false when the offsets point outside the frame
     */
    static boolean finish(ByteBuffer frame, int start, int field, int length) {
        if (start > length || field > length - 2) {
            return false;
        }
        if (isUdpChecksumOfIpv4(frame, start, field, length)) {
            frame.putShort(field, (short) 0);
        } else {
            frame.putShort(field, (short) Checksum.of(frame, start, length - start));
        }
        return true;
    }

    /**
     * {@link #finish} for a frame that says only that a checksum was left to the NIC, not where (a receive ring slot's
     * {@code TP_STATUS_CSUMNOTREADY}): in an untagged IPv4 frame the transport header follows the IPv4 header, and the
     * checksum is at 6 in UDP's and 16 in TCP's. Any other frame is left as it came: the stack reads nothing else.
     *
     * @return false when the IPv4 header points past the frame
     */
    static boolean finishIpv4(ByteBuffer frame, int length) {
        if (!isIpv4(frame, length)) {
            return true;
        }
        int start = ETH_HEADER + (frame.get(ETH_HEADER) & 0x0F) * 4;
        int protocol = frame.get(ETH_HEADER + IPV4_PROTOCOL) & 0xFF;
        if (protocol == Ipv4Packet.PROTO_UDP) {
            return noChecksum(frame, start + UDP_CHECKSUM, length);
        }
        return protocol != PROTO_TCP || finish(frame, start, start + TCP_CHECKSUM, length);
    }

    /** Writes 0, "no checksum" (RFC 768), into the UDP checksum at {@code field}; false when it lies past the frame. */
    private static boolean noChecksum(ByteBuffer frame, int field, int length) {
        if (field > length - 2) {
            return false;
        }
        frame.putShort(field, (short) 0);
        return true;
    }

    /** Returns whether {@code field} is the checksum of a UDP header at {@code start}, right after an untagged IPv4 header. */
    private static boolean isUdpChecksumOfIpv4(ByteBuffer frame, int start, int field, int length) {
        if (!isIpv4(frame, length) || (frame.get(ETH_HEADER + IPV4_PROTOCOL) & 0xFF) != Ipv4Packet.PROTO_UDP) {
            return false;
        }
        int ihl = (frame.get(ETH_HEADER) & 0x0F) * 4;
        return start == ETH_HEADER + ihl && field == start + UDP_CHECKSUM;
    }

    private static boolean isIpv4(ByteBuffer frame, int length) {
        return length >= ETH_HEADER + Ipv4Packet.HEADER_LEN && (frame.getShort(12) & 0xFFFF) == EthernetFrame.TYPE_IPV4;
    }
}
