package dev.netboot.tftp;

import static dev.netboot.net.ScriptedLink.MS;
import static dev.netboot.net.ScriptedLink.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.net.Frames;
import dev.netboot.net.SendResult;
import dev.netboot.net.UdpHandler;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The end of a transfer as timelines (RFC 1350 section 6, "Normal Termination"; RFC 2090 for a multicast read): a read
 * is {@code Done} with its final ACK and keeps its port one timeout to acknowledge the last block again should the
 * server send it again; a write has nothing to dally for. On a transport whose sends a test can refuse.
 */
class TftpDallyTest {
    static final Ipv4Address SERVER = TftpClientTest.SERVER_IP;
    static final int TID = TftpClientTest.TID;
    static final Ipv4Address GROUP = Ipv4Address.parse("239.255.0.1");
    static final int GROUP_PORT = 1758;
    /** 1 s timeout: the dally lasts 1 s, a copy within 1 s / 8 of our ACK crossed it. */
    static final TftpConfig PLAIN = TftpClientTest.PLAIN;
    static final TftpConfig MULTICAST = PLAIN.withMulticast(true);

    final TftpFuzzTest.Transport host = new TftpFuzzTest.Transport();
    final TftpClientTest.Sink sink = new TftpClientTest.Sink();
    final TftpClient client = new TftpClient(host, PLAIN, new SplittableRandom(11));
    final TftpClient mcast = new TftpClient(host, MULTICAST, new SplittableRandom(11));

    static TftpPacket.Data data(int block, int n) {
        return new TftpPacket.Data(block, Frames.pattern((block - 1) * 512L, n));
    }

    static TftpPacket.Oack multicastOack(String value) {
        return new TftpPacket.Oack(List.of(new TftpPacket.Option("multicast", value)));
    }

    /** The server's {@code p}, from the transfer ID to {@code port}, at {@code at}; then the client is polled. */
    void fromServer(TftpClient c, long at, int port, TftpPacket p) {
        host.deliver(at, SERVER, TID, port, Frames.tftp(p));
        c.poll(at);
    }

    /** Checks that the client sent exactly {@code expected}, from its port to the transfer ID. */
    void expectSent(TftpClient c, TftpPacket expected) {
        List<TftpFuzzTest.Transport.Sent> sent = host.takeSent();
        assertEquals(1, sent.size(), "packets sent: " + sent);
        TftpFuzzTest.Transport.Sent s = sent.getFirst();
        assertEquals(c.localPort(), s.srcPort());
        assertEquals(SERVER, s.dst());
        assertEquals(TID, s.dstPort());
        assertEquals(expected, TftpWire.parse(ByteBuffer.wrap(s.payload()), 0, s.payload().length));
    }

    void expectNothingSent() {
        assertEquals(List.of(), host.takeSent());
    }

    /** Starts an RFC 2090 read at 0 that the server answers at 5 ms with {@code oack}; takes the RRQ and the ACK 0. */
    void multicastStarted(String oack) {
        host.groups = true;
        mcast.startRead(0, SERVER, 69, "file", sink);
        host.takeSent();                                                // the RRQ, with "multicast"
        fromServer(mcast, 5 * MS, mcast.localPort(), multicastOack(oack));
        expectSent(mcast, new TftpPacket.Ack(0));                       // master: the request for block 1; passive: the OACK's ACK
        assertTrue(host.joined.contains(GROUP));
        assertTrue(host.isBound(GROUP_PORT));
    }

    // ---- the final ACK cannot go ----

    /**
     * RFC 1350 section 6: the last ACK may be lost, and the dally is there to send it again. One that could not go at
     * all (no route, a host socket's ENETUNREACH) leaves a file whose every block reached the sink complete: Done, not
     * Failed, and the port stays one timeout for the last block sent again once the route is back.
     */
    @Test
    void aFinalAckWithNoRouteLeavesTheDownloadDoneAndItsPortBoundForTheDally() {
        client.startRead(0, SERVER, 69, "file", sink);
        host.takeSent();                                                // the RRQ
        int port = client.localPort();
        host.refuseNext = 1;
        host.refusal = SendResult.NO_ROUTE;
        fromServer(client, 10 * MS, port, data(1, 5));                  // the last block; its ACK has no route
        expectNothingSent();
        assertEquals(new TftpClient.State.Done(5, 10 * MS), client.state());
        assertArrayEquals(Frames.pattern(0, 5), sink.data.toByteArray());
        assertTrue(host.isBound(port), "the dally keeps the port");
        assertEquals(1010 * MS, client.pollAt());                       // one timeout
        fromServer(client, 600 * MS, port, data(1, 5));                 // the route is back; the server sends it again
        expectSent(client, new TftpPacket.Ack(1));
        client.poll(1010 * MS);
        assertFalse(host.isBound(port));
        assertEquals(Long.MAX_VALUE, client.pollAt());
        assertEquals(new TftpClient.State.Done(5, 10 * MS), client.state());
    }

    /** The same for an RFC 2090 read: Done, and both ports and the group kept until the dally ends. */
    @Test
    void aMulticastFinalAckWithNoRouteLeavesTheDownloadDoneAndTheGroupJoinedForTheDally() {
        multicastStarted("239.255.0.1,1758,1");
        host.refuseNext = 1;
        host.refusal = SendResult.NO_ROUTE;
        fromServer(mcast, 10 * MS, GROUP_PORT, data(1, 5));             // the last block, to the group
        expectNothingSent();
        assertEquals(new TftpClient.State.Done(5, 10 * MS), mcast.state());
        assertTrue(host.isBound(mcast.localPort()), "the dally keeps the port");
        assertTrue(host.isBound(GROUP_PORT));
        assertTrue(host.joined.contains(GROUP));
        assertEquals(1010 * MS, mcast.pollAt());
        mcast.poll(1010 * MS);
        assertFalse(host.isBound(mcast.localPort()));
        assertFalse(host.isBound(GROUP_PORT));
        assertFalse(host.joined.contains(GROUP));
        assertEquals(new TftpClient.State.Done(5, 10 * MS), mcast.state());
    }

    /** Done and Failed are final: a move out of one (a failure overwritten by Done, say) is a bug, caught where it happens. */
    @Test
    void anEndedTransferCannotChangeItsOutcome() {
        client.startRead(0, SERVER, 69, "file", sink);
        fromServer(client, 10 * MS, client.localPort(), data(1, 5));
        TftpClient.State done = client.state();
        TftpFailure f = new TftpFailure(TftpFailure.Kind.UNREACHABLE, -1, "TFTP: no route");
        assertThrows(IllegalStateException.class, () -> client.transition(new TftpClient.State.Failed(f)));
        assertEquals(done, client.state());
        TftpClient other = new TftpClient(host, PLAIN, new SplittableRandom(12));
        other.startRead(0, SERVER, 69, "file", sink);
        other.fail(f);
        assertThrows(IllegalStateException.class, () -> other.transition(new TftpClient.State.Done(5, 10 * MS)));
        assertEquals(new TftpClient.State.Failed(f), other.state());
    }

    // ---- a write ----

    /**
     * A write has nothing to dally for (the receiver dallies): its port goes with the last block's ACK, and no later
     * poll frees it again, when it may be another transfer's by then.
     */
    @Test
    void aWriteFreesItsPortOnceWhenItsLastBlockIsAcknowledged() {
        client.startWrite(0, SERVER, 69, "up", new TftpNegotiationTest.ArraySource(Frames.pattern(0, 5)));
        host.takeSent();                                                // the WRQ
        int port = client.localPort();
        fromServer(client, 10 * MS, port, new TftpPacket.Ack(0));
        expectSent(client, data(1, 5));
        host.deliver(20 * MS, SERVER, TID, port, Frames.tftp(new TftpPacket.Ack(1)));
        assertEquals(new TftpClient.State.Done(5, 20 * MS), client.state());
        assertFalse(host.isBound(port));
        assertEquals(Long.MAX_VALUE, client.pollAt());                  // nothing left to do, not even a poll
        UdpHandler next = (now, srcIp, srcPort, dstIp, buf, off, len) -> { };
        host.bind(port, next);                                          // another transfer draws the same port
        client.poll(20 * MS);
        assertSame(next, host.bound.get(port), "the finished write left the port alone");
        assertEquals(new TftpClient.State.Done(5, 20 * MS), client.state());
    }

    // ---- the last block again ----

    /** Unicast: a copy within timeout / 8 of the final ACK crossed it; a later one means the ACK was lost. */
    @Test
    void theLastBlockAgainIsAcknowledgedAgainUnlessItCrossedTheFinalAck() {
        client.startRead(0, SERVER, 69, "file", sink);
        host.takeSent();
        int port = client.localPort();
        fromServer(client, 10 * MS, port, data(1, 5));
        expectSent(client, new TftpPacket.Ack(1));
        fromServer(client, 100 * MS, port, data(1, 5));                 // sent before our ACK came: crossed it
        expectNothingSent();
        fromServer(client, 600 * MS, port, data(1, 5));                 // the server's timeout: our ACK was lost
        expectSent(client, new TftpPacket.Ack(1));
        assertEquals(2, client.stats().duplicates());
        assertEquals(1, client.stats().retransmissions());
    }

    /**
     * RFC 2090: the master's final ACK lost, the server sends the last block to the group again at its own timeout,
     * within our dally: the master acknowledges it again, with the same crossing rule as unicast (it used to wait a
     * whole timeout since its ACK, which is when the dally ends: never).
     */
    @Test
    void aMasterWhoseFinalAckWasLostAcknowledgesTheLastBlockAgainOnTheGroup() {
        multicastStarted("239.255.0.1,1758,1");
        fromServer(mcast, 10 * MS, GROUP_PORT, data(1, 5));
        expectSent(mcast, new TftpPacket.Ack(1));
        assertEquals(new TftpClient.State.Done(5, 10 * MS), mcast.state());
        assertEquals(1010 * MS, mcast.pollAt());
        fromServer(mcast, 100 * MS, GROUP_PORT, data(1, 5));            // crossed our ACK
        expectNothingSent();
        fromServer(mcast, 600 * MS, GROUP_PORT, data(1, 5));            // the server's timeout: our ACK was lost
        expectSent(mcast, new TftpPacket.Ack(1));
        mcast.poll(1010 * MS);
        assertFalse(host.isBound(GROUP_PORT));
        assertFalse(host.joined.contains(GROUP));
    }

    /**
     * A client that was not master when it finished: the server sends no DATA again for a passive client's ACK, so the
     * last block on the group is another master's request, and answering it would only add one ACK per board that is
     * done to every pass. The server asks a passive client whose ACK it lacks with an OACK making it master: that one
     * is answered with the final ACK (not before timeout / 8, a copy that crossed it); an OACK keeping it passive is not.
     */
    @Test
    void aPassiveClientAnswersTheOackMakingItMasterButNotTheGroupsCopies() {
        multicastStarted("239.255.0.1,1758,0");
        fromServer(mcast, 10 * MS, GROUP_PORT, data(1, 5));
        expectSent(mcast, new TftpPacket.Ack(1));                       // every client acknowledges the last block
        fromServer(mcast, 600 * MS, GROUP_PORT, data(1, 5));            // another client asked for it
        expectNothingSent();
        fromServer(mcast, 650 * MS, mcast.localPort(), multicastOack(",,0"));
        expectNothingSent();
        fromServer(mcast, 700 * MS, mcast.localPort(), multicastOack(",,1")); // our ACK was lost: now master
        expectSent(mcast, new TftpPacket.Ack(1));
        fromServer(mcast, 750 * MS, mcast.localPort(), multicastOack(",,1")); // sent again before our answer came
        expectNothingSent();
        assertEquals(new TftpClient.State.Done(5, 10 * MS), mcast.state());
    }

    /** Past the dally nothing is answered; the state stays what it was. */
    @Test
    void afterTheDallyTheLastBlockFindsNoPort() {
        multicastStarted("239.255.0.1,1758,1");
        fromServer(mcast, 10 * MS, GROUP_PORT, data(1, 5));
        expectSent(mcast, new TftpPacket.Ack(1));
        mcast.poll(1010 * MS);
        fromServer(mcast, 2 * SEC, GROUP_PORT, data(1, 5));
        fromServer(mcast, 2 * SEC, mcast.localPort(), data(1, 5));
        expectNothingSent();
        assertEquals(Long.MAX_VALUE, mcast.pollAt());
        assertEquals(new TftpClient.State.Done(5, 10 * MS), mcast.state());
    }
}
