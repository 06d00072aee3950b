package dev.netboot.emulator;

import dev.netboot.net.NetStack;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpText;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;

/**
 * The TFTP server's ERROR packets (RFC 1350 sections 5 and 7), as its sessions and its request port send them:
 *
 * <ul>
 *   <li>ERROR {@code code} to the client, saying why, which ends the transfer: a refused request, a file that cannot
 *       be read (section 7, "If a request can not be granted, or some error occurs during the transfer, then an ERROR
 *       packet (opcode 5) is sent"; section 2, "Most errors cause termination of the connection").</li>
 *   <li>ERROR 5 to a packet from an unknown transfer ID, which does not: section 4, "If a source TID does not match,
 *       the packet should be discarded as erroneously sent from somewhere else. An error packet should be sent to the
 *       source of the incorrect packet, while not disturbing the transfer."</li>
 * </ul>
 *
 * <p>The board's side of the same rules is {@code dev.netboot.tftp.ErrorPackets}.
 */
final class TftpErrors {
    private TftpErrors() {
    }

    /**
     * Answers a stranger's packet (RFC 1350 section 4) with ERROR 5 from {@code fromPort}, unless it is an ERROR
     * itself: "this packet is not acknowledged" (section 2), and answering it would ping-pong with a stranger that
     * answers strangers the same way.
     */
    static void answerStranger(NetStack stack, long now, int fromPort, int srcIp, int srcPort, ByteBuffer buf, int off, int len) {
        if (len >= 2 && (buf.getShort(off) & 0xFFFF) == TftpPacket.OP_ERROR) {
            return;
        }
        send(stack, now, fromPort, new Ipv4Address(srcIp), srcPort, TftpWire.ERR_UNKNOWN_TID, "Unknown transfer ID");
    }

    /** Sends ERROR {@code code} from {@code fromPort}. */
    static void send(NetStack stack, long now, int fromPort, Ipv4Address to, int toPort, int code, String message) {
        // A message may quote the request (its mode, its file name): cut to what one datagram carries, whole characters.
        TftpPacket.Error e = new TftpPacket.Error(code, TftpText.fit(message.replace('\0', ' '), stack.maxUdpPayload() - 5));
        stack.sendUdp(now, fromPort, to, toPort, e.encodedLength(), (b, o, l) -> e.emit(b, o));
    }
}
