package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The multicast server's retries of a block its master leaves unanswered, against a client that acknowledges a block
 * it holds already once only and then waits for its own timeout, a silence on the wire, to acknowledge again: atftp
 * 0.8's master ("got wrong block, sending extra ACK" once, then "got wrong block, ignoring"; its select() timeout starts
 * again at every datagram) and answers an OACK with mc=1 at once with an ACK of what it holds in order. When both its
 * ACK of a block and that extra ACK are lost (serve --corrupt 0.05 each way: 1 ServeMulticastTest run in 3), a server
 * sending the block again every timeout, shorter than the client's, never let that silence come: 20 retries of block 48
 * at 200 ms went unanswered and the turn passed from a client holding the block. Server timeout 200 ms, 20 retries (the
 * test's serve), client timeout 1 s (its atftp's).
 */
class MulticastRetryTest {
    static final long MS = 1_000_000L;
    static final long TIMEOUT = 200 * MS;
    static final long CLIENT_TIMEOUT = 1_000 * MS;
    static final int PORT = 2000;

    @Test
    void aMasterThatOnlyAcknowledgesAgainAfterItsOwnTimeoutIsAskedAgainByItsOackWithinItsTurn() {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(100_000, FaultPlan.NONE, 5);
        Scenario sc = Scenario.DEFAULT;
        ServerHost host = sim.add(new ServerHost(seg, sc.serverMac(), sc.serverIp(), sc.netmask(), Ipv4Address.ANY));
        TftpServer server = host.startTftp(TftpServerConfig.DEFAULTS.withRetry(TIMEOUT, 20), new SplittableRandom(1))
                .offerMulticast(Scenario.Multicast.DEFAULT);
        server.serve("f", TftpServerOptionsTest.file(10 * 512 - 1, 4));
        TestClient atftp = sim.add(new TestClient(seg, MacAddress.parse("02:00:00:00:00:42")));
        atftp.stack.configure(sc.clientIp(), sc.netmask(), sc.gateway());
        atftp.listen(PORT).listen(Scenario.Multicast.DEFAULT.port());
        atftp.stack.joinGroup(0, Scenario.Multicast.DEFAULT.firstGroup());
        String master = Scenario.Multicast.DEFAULT.firstGroup() + "," + Scenario.Multicast.DEFAULT.port() + ",1";

        atftp.send(sim.now(), PORT, sc.serverIp(), TftpServer.PORT,
                new TftpPacket.Rrq("f", "octet", List.of(new TftpPacket.Option("multicast", ""))));
        TestClient.Rx oack = atftp.next(sim);
        assertEquals(master, ((TftpPacket.Oack) oack.tftp()).option("multicast").orElseThrow());
        atftp.send(sim.now(), PORT, sc.serverIp(), oack.srcPort(), new TftpPacket.Ack(0));
        TestClient.Rx first = atftp.next(sim);
        assertEquals(1, ((TftpPacket.Data) first.tftp()).block());

        // Its ACK of block 1 and its one extra ACK (for block 1 again, a timeout later) are lost. From then on it says
        // nothing until an OACK with mc=1 comes, or nothing at all for CLIENT_TIMEOUT (every datagram starts that again).
        List<String> heard = new ArrayList<>();
        TestClient.Rx asked = null;
        while (asked == null) {
            int n = atftp.received.size();
            assertTrue(sim.run(() -> atftp.received.size() > n, CLIENT_TIMEOUT).done(), "silent: " + heard);
            TestClient.Rx rx = atftp.received.get(n);
            heard.add((rx.at() - first.at()) / MS + " ms " + rx.tftp());
            if (rx.tftp() instanceof TftpPacket.Oack o) {
                assertEquals(master, o.option("multicast").orElseThrow(), heard.toString());
                asked = rx;
            } else {
                assertEquals(1, ((TftpPacket.Data) rx.tftp()).block(), heard.toString());
            }
        }
        // Block 1 again a timeout later, its OACK (mc=1) the next: within its turn (20 timeouts), long before its own
        // timeout. Before, block 1 came 20 times every 200 ms and the turn passed (an OACK to it as the next master).
        assertEquals(2, heard.size(), heard.toString());
        assertEquals(2 * TIMEOUT, asked.at() - first.at(), heard.toString());
        TftpMulticastSession.Stats before = server.multicastSessions().getFirst().stats();
        assertEquals(0, before.masterChanges(), before.toString()); // its turn, the first, never passed

        // It answers with what it holds in order, block 1: block 2 comes at once, its turn going on.
        atftp.send(sim.now(), PORT, sc.serverIp(), oack.srcPort(), new TftpPacket.Ack(1));
        TestClient.Rx next = atftp.next(sim);
        assertEquals(2, ((TftpPacket.Data) next.tftp()).block(), next.tftp().toString());
        assertTrue(next.at() - asked.at() < 10 * MS, (next.at() - asked.at()) + " ns");
        TftpMulticastSession.Stats s = server.multicastSessions().getFirst().stats();
        assertEquals(0, s.masterChanges(), s.toString());
        assertEquals(1, s.timeoutData(), s.toString());
    }
}
