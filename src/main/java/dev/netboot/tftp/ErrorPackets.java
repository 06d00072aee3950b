package dev.netboot.tftp;

import dev.netboot.net.PayloadWriter;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpText;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;

/**
 * A transfer's ERROR packets, both ways (RFC 1350 sections 5 and 7): the server's, which ends the transfer in its
 * words; ours, to the server when the transfer fails on our side, its message cut to the room the packet has; and
 * ERROR 5 to a packet from a wrong transfer ID (section 4), whose senders are counted for the give-up message.
 */
final class ErrorPackets implements PayloadWriter {
    private final TftpClient c;
    private final ByteBuffer scratch = ByteBuffer.allocate(256);
    /** Packets from a wrong transfer ID. */
    long strayPackets;
    // Who the last of them came from: a server that answers from another address (a multi-homed host) shows here.
    int lastStrayIp, lastStrayPort;

    ErrorPackets(TftpClient c) {
        this.c = c;
    }

    /**
     * The server sent ERROR: the transfer fails with its code and message. One too short to hold a code ends it too:
     * an ERROR is the sender's last word, never acknowledged nor sent again (RFC 1350 sections 2 and 7), so the
     * server has left and waiting would only spend the give-up budget (tftp-hpa and atftp end on it as well).
     */
    void fromServer(ByteBuffer buf, int off, int len, int port) {
        TftpPacket p;
        try {
            p = TftpWire.parse(buf, off, len);
        } catch (MalformedPacketException e) {
            c.fail(new TftpFailure(TftpFailure.Kind.SERVER_ERROR, -1, "TFTP: server " + new Ipv4Address(c.serverIp) + ":"
                    + port + " sent a malformed ERROR (" + len + " bytes, no error code)"));
            return;
        }
        TftpPacket.Error err = (TftpPacket.Error) p;
        c.fail(new TftpFailure(TftpFailure.Kind.SERVER_ERROR, err.code(), "TFTP: server " + new Ipv4Address(c.serverIp) + ":" + port
                + " sent " + TftpWire.describeError(err.code(), err.message())));
    }

    /**
     * RFC 1350 section 4: a packet from a wrong TID gets ERROR 5; the transfer goes on undisturbed. Not an ERROR:
     * "this packet is not acknowledged" (section 2), and answering one would ping-pong with a stranger that answers
     * strangers the same way.
     */
    void stray(long now, int srcIp, int srcPort, int op) {
        strayPackets++;
        lastStrayIp = srcIp;
        lastStrayPort = srcPort;
        if (op == TftpPacket.OP_ERROR) {
            return;
        }
        send(now, srcIp, srcPort, TftpWire.ERR_UNKNOWN_TID, "Unknown transfer ID");
    }

    /** Sends ERROR {@code code} to {@code ip}:{@code port}, nothing for {@link TftpSinkException#SILENT}. */
    void send(long now, int ip, int port, int code, String message) {
        if (code == TftpSinkException.SILENT) {
            return; // a board whose power was cut sends nothing more
        }
        // A message may quote what a peer sent (an OACK's option): cut to the buffer's room, whole characters.
        String m = TftpText.fit(message.replace('\0', ' '), scratch.capacity() - 5);
        int n = new TftpPacket.Error(code, m).emit(scratch, 0);
        c.net.sendUdp(now, c.localPort, new Ipv4Address(ip), port, n, this);
    }

    @Override
    public void writePayload(ByteBuffer buf, int off, int len) {
        buf.put(off, scratch, 0, len);
    }
}
