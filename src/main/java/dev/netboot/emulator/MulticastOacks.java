package dev.netboot.emulator;

import dev.netboot.emulator.MulticastClients.Client;
import dev.netboot.net.NetStack;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.TftpPacket;
import java.util.ArrayList;
import java.util.List;

/**
 * The OACKs of one {@link TftpMulticastSession} (RFC 2090): each client's says where the DATA goes and whether it is
 * master ({@code multicast} = "group,port,1", or 0 while it waits), from the transfer's port ("the server must send the
 * unicast OACK packet to the client using the same port as will be used for sending the multicast data packets"), with
 * the options of the client's own request that the transfer uses too (RFC 2347: only options the client asked for).
 * The session says who gets one and when.
 */
final class MulticastOacks {
    private final NetStack stack;
    private final int port;
    private final Ipv4Address group;
    private final int groupPort;
    private final List<TftpPacket.Option> baseOptions;

    /** The OACKs of the transfer from {@code port} to {@code group}:{@code groupPort}, which agreed {@code baseOptions}. */
    MulticastOacks(NetStack stack, int port, Ipv4Address group, int groupPort, List<TftpPacket.Option> baseOptions) {
        this.stack = stack;
        this.port = port;
        this.group = group;
        this.groupPort = groupPort;
        this.baseOptions = List.copyOf(baseOptions);
    }

    /**
     * Returns what a joining client's OACKs name of {@code asked}, its own request's options: the block size (it joined
     * at the transfer's) and tsize (the file's), any other only as the transfer agreed it; so a client that joins gets no
     * tsize it did not ask, nor a timeout the transfer does not use.
     */
    List<TftpPacket.Option> own(List<TftpPacket.Option> asked) {
        List<TftpPacket.Option> own = new ArrayList<>();
        for (TftpPacket.Option o : asked) {
            if (o.name().equals("blksize") || o.name().equals("tsize") || baseOptions.contains(o)) {
                own.add(o);
            }
        }
        return own;
    }

    /** Sends {@code c} its OACK, making it master ({@code mc}) or telling it to wait. */
    void send(long now, Client c, boolean mc) {
        List<TftpPacket.Option> o = new ArrayList<>(c.options);
        o.add(new TftpPacket.Option("multicast", group + "," + groupPort + "," + (mc ? 1 : 0)));
        TftpPacket.Oack oack = new TftpPacket.Oack(o);
        stack.sendUdp(now, port, new Ipv4Address(c.ip), c.port, oack.encodedLength(), (b, off, l) -> oack.emit(b, off));
    }
}
