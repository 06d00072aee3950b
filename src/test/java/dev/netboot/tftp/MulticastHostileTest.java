package dev.netboot.tftp;

import static dev.netboot.net.ScriptedLink.MS;
import static dev.netboot.net.ScriptedLink.SEC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.netboot.net.Frames;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An RFC 2090 read against a server (or a host spoofing its transfer ID) that sends the group more than the file it
 * announced: DATA past the last block of its tsize, and a last block longer than tsize leaves. The file is 1000 bytes
 * in 512-byte blocks: block 1 full, block 2 of 488 bytes, nothing after.
 */
class MulticastHostileTest {
    static final Ipv4Address GROUP = Ipv4Address.parse("239.255.0.1");
    static final int TID = TftpClientTest.TID;

    final TftpClientTest t = new TftpClientTest();

    void toGroup(long at, int block, int bytes) {
        TftpPacket d = new TftpPacket.Data(block, Frames.pattern((block - 1) * 512L, bytes));
        t.link.deliver(at, Frames.udp(TftpClientTest.SERVER_MAC, MacAddress.ofMulticast(GROUP), TftpClientTest.SERVER_IP,
                TID, GROUP, 1758, Frames.tftp(d)));
        t.poll(at);
    }

    /** The UDP datagrams the board sent since the last call (not its IGMP frames). */
    List<TftpPacket> sent() {
        return t.link.takeTx().stream().filter(x -> x.bytes()[23] == 17).map(x -> x.decode().asUdp().tftp()).toList();
    }

    @Test
    void dataPastTheAnnouncedSizeIsDroppedAndALastBlockLongerThanItEndsTheTransferInOneLine() {
        t.started(TftpClientTest.PLAIN.withMulticast(true));
        t.fromServer(10 * MS, TID, TftpClientTest.oack("tsize", "1000", "multicast", GROUP + ",1758,1"));
        assertEquals(List.of(new TftpPacket.Ack(0)), sent());          // master: the request for block 1
        toGroup(20 * MS, 1, 512);
        assertEquals(List.of(new TftpPacket.Ack(1)), sent());
        toGroup(30 * MS, 3, 512);                                       // past the last block: no block of this file
        toGroup(40 * MS, 7, 100);
        assertEquals(List.of(), sent(), "no ACK for blocks the file does not have");
        assertInstanceOf(TftpClient.State.Multicast.class, t.client.state());
        toGroup(50 * MS, 2, 512);                                       // 1024 bytes in all, 24 past tsize
        assertEquals(List.of(new TftpPacket.Error(TftpWire.ERR_NOT_DEFINED, "TFTP: server announced 1000 bytes, sent 1024")),
                sent());
        TftpFailure f = t.failure();
        assertEquals(TftpFailure.Kind.PROTOCOL, f.kind());
        assertEquals("TFTP: server announced 1000 bytes, sent 1024", f.message());
        assertFalse(t.net.isMember(GROUP));
        assertEquals(512, t.sink.data.size(), "block 1 only: the long block 2 was not written");
        toGroup(1 * SEC, 2, 488);                                       // the right block, too late: nothing
        assertEquals(List.of(), sent());
    }
}
