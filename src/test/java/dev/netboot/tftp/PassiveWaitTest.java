package dev.netboot.tftp;

import static dev.netboot.net.ScriptedLink.MS;
import static dev.netboot.net.ScriptedLink.SEC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.net.Frames;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The wait of an RFC 2090 client that is not master, as timelines: at most the give-up budget since the last packet
 * that showed the transfer going on (its OACK, a DATA of a block of the file other than the last heard), then an
 * ERROR to the server ("Each client must terminate the transfer ... by sending an error message to server. This
 * termination can occur even if the client is not the master client"), the group left, one line. The board's
 * settings are {@code spi-nor-16m}'s: timeout 1 s (8 s at the longest), 8 retries, give-up 25 s; before, the wait was
 * the retries at the longest timeout, 9 x 8 s = 72 s.
 */
class PassiveWaitTest {
    static final TftpConfig BOARD = new TftpConfig(1 * SEC, 8, 512).withMulticast(true).withGiveUp(25 * SEC);
    static final Ipv4Address GROUP = Ipv4Address.parse("239.255.0.1");
    static final int TID = TftpClientTest.TID;

    final TftpClientTest t = new TftpClientTest();

    /** The board asked at 0; at 10 ms the server makes it passive (mc=0) and it acknowledges its OACK. */
    void passive() {
        t.started(BOARD);
        t.fromServer(10 * MS, TID, new TftpPacket.Oack(List.of(new TftpPacket.Option("multicast", GROUP + ",1758,0"))));
        assertEquals(new TftpPacket.Ack(0), t.link.takeTx().getLast().decode().asUdp().tftp()); // after its IGMP report
    }

    /** DATA {@code block} of 512 bytes to the group from the transfer ID, at {@code at}. */
    void toGroup(long at, int block) {
        TftpPacket d = new TftpPacket.Data(block, Frames.pattern((block - 1) * 512L, 512));
        t.link.deliver(at, Frames.udp(TftpClientTest.SERVER_MAC, MacAddress.ofMulticast(GROUP), TftpClientTest.SERVER_IP,
                TID, GROUP, 1758, Frames.tftp(d)));
        t.poll(at);
    }

    /** Takes what the board sent and returns its UDP datagrams (not its IGMP reports and leaves). */
    List<Frames.Udp> udpSent() {
        return t.link.takeTx().stream().filter(x -> x.bytes()[23] == 17).map(x -> x.decode().asUdp()).toList();
    }

    /** Polls at {@code at}; asserts the board still waits. */
    void stillWaitsAt(long at) {
        t.poll(at);
        assertInstanceOf(TftpClient.State.Multicast.class, t.client.state(), () -> "at " + at / 1e9 + " s");
    }

    /** Polls at {@code at}; asserts the board gave up then, told the server and left the group, holding {@code blocks}. */
    void gaveUpAt(long at, String waited, long blocks) {
        t.poll(at);
        assertEquals(TftpFailure.Kind.TIMEOUT, t.failure().kind());
        assertEquals("TFTP: nothing new of the multicast transfer from 10.0.0.5:3000 to 239.255.0.1:1758 for " + waited
                + " s (the give-up), not master, " + blocks + (blocks == 1 ? " block" : " blocks")
                + " in; told the server (ERROR) and left the group", t.failure().message());
        List<Frames.Udp> udp = udpSent();
        assertEquals(1, udp.size(), udp.toString());
        Frames.Udp error = udp.getFirst();
        assertEquals(TID, error.dstPort());
        assertEquals(new TftpPacket.Error(TftpWire.ERR_NOT_DEFINED, "nothing new of the transfer for " + waited + " s"),
                error.tftp());
        assertFalse(t.net.isMember(GROUP));
        assertEquals(blocks * 512, t.sink.data.size());
    }

    @Test
    void aPassiveBoardWaitsItsGiveUpAfterTheLastBlockNotTheRetriesAtTheLongestTimeout() {
        passive();
        toGroup(1 * SEC, 1);
        toGroup(2 * SEC, 2);
        stillWaitsAt(2 * SEC + 25 * SEC - 1);
        gaveUpAt(2 * SEC + 25 * SEC, "25", 2);
    }

    @Test
    void aPassiveBoardThatHearsNothingAfterItsOackGivesUpAtTheGiveUp() {
        passive();
        stillWaitsAt(10 * MS + 25 * SEC - 1);
        gaveUpAt(10 * MS + 25 * SEC, "25", 0);
    }

    @Test
    void theSameBlockAgainAndAgainDoesNotKeepAPassiveBoardWaiting() {
        // A server that keeps sending block 1 (retrying a master that no longer takes it, for ever): the transfer does
        // not go on, and the wait runs from the first time block 1 came.
        passive();
        toGroup(1 * SEC, 1);
        for (long at = 2 * SEC; at < 26 * SEC; at += SEC) {
            toGroup(at, 1);
            assertInstanceOf(TftpClient.State.Multicast.class, t.client.state(), at / 1e9 + " s");
        }
        gaveUpAt(26 * SEC, "25", 1);
    }

    @Test
    void oacksNamingAnotherGroupNeitherMakeItMasterNorKeepItWaiting() {
        // A hostile or confused server's OACKs from the transfer ID naming another group (mc=1) mid-transfer: not this
        // transfer's ("the source IP address and port number will identify the data packets for the transfer"; a later
        // OACK may leave the group out, not name another). The board does not take the role, join that group, answer,
        // nor wait longer for them.
        passive();
        toGroup(1 * SEC, 1);
        Ipv4Address other = Ipv4Address.parse("239.255.0.2");
        for (long at = 2 * SEC; at < 26 * SEC; at += SEC) {
            t.fromServer(at, TID, new TftpPacket.Oack(List.of(new TftpPacket.Option("multicast", other + ",1758,1"))));
            assertInstanceOf(TftpClient.State.Multicast.class, t.client.state(), at / 1e9 + " s");
        }
        assertEquals(List.of(), udpSent(), "no ACK: it is not master");
        assertFalse(t.net.isMember(other));
        assertTrue(t.net.isMember(GROUP));
        gaveUpAt(26 * SEC, "25", 1);
    }

    @Test
    void aStreamGoingOnPastItsGapKeepsAPassiveBoardWaitingForItsTurn() {
        // It missed block 1 (it joined late): blocks 2 .. 40, one a second, are of no use to it yet (no RAM for them),
        // but the transfer goes on and its turn will come. It waits on past 25 s, and gives up 25 s after the last.
        passive();
        for (int b = 2; b <= 40; b++) {
            toGroup(b * SEC, b);
        }
        assertEquals(List.of(), udpSent(), "nothing in order: no gap to say");
        stillWaitsAt(40 * SEC + 25 * SEC - 1);
        gaveUpAt(40 * SEC + 25 * SEC, "25", 0);
    }
}
