package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A client that goes away mid-transfer (killed, or given up) closes its port, and its host's kernel answers the
 * server's next DATA or OACK with ICMP port unreachable (RFC 1122 section 4.1.3.1; {@link TestClient#close}). That is
 * a hard error (section 4.2.3.9): the session ends at once, as tftpd-hpa's does on its connected socket's
 * ECONNREFUSED, instead of sending into nothing through every retry (with {@code netboot serve}'s doubling wait, 151 s)
 * while it holds its client's place. Timelines with the default scenario's latency L and timeout T.
 */
class ClientGoneTest {
    private static final Scenario SC = Scenario.DEFAULT;
    private static final long L = SC.latencyNanos();
    private static final long T = SC.tftpTimeout();
    private static final Ipv4Address SERVER = SC.serverIp();
    private static final int CLIENT_PORT = 2000;

    /** 5,000 bytes: 9 blocks of 512 and a short tenth. */
    private static final byte[] FILE = TftpServerOptionsTest.file(5_000, 9);

    private static TftpPacket.Rrq rrq() {
        return new TftpPacket.Rrq("boot.img", "octet", List.of());
    }

    /** Fetches blocks 1..3 lock-step, acknowledges block 3, closes the port; returns the session's port. */
    private static int threeBlocksThenGone(TftpServerTest.Setup s) {
        s.tftp().serve("boot.img", FILE);
        s.client().send(0, CLIENT_PORT, SERVER, TftpServer.PORT, rrq());
        int tid = -1;
        for (int b = 1; b <= 3; b++) {
            TestClient.Rx d = s.client().next(s.sim());
            assertEquals(b, ((TftpPacket.Data) d.tftp()).block());
            assertEquals((2 + 2L * b) * L, d.at()); // RRQ at 3L, then a round trip a block
            tid = d.srcPort();
            s.client().send(s.sim().now(), CLIENT_PORT, SERVER, tid, new TftpPacket.Ack(b));
        }
        s.client().close(CLIENT_PORT); // its ACK of 3 is on the wire; DATA 4 will find nobody
        return tid;
    }

    @Test
    void aClientWhosePortClosesEndsItsSessionWhenItsHostAnswersTheNextData() {
        TftpServerTest.Setup s = TftpServerTest.setup(SC, SC.tftpConfig());
        int tid = threeBlocksThenGone(s);
        TftpSession session = s.tftp().sessions().getFirst();

        // ACK 3 reaches the server at 9L, DATA 4 the client's host at 10L, its port unreachable the server at 11L.
        s.sim().run(session::ended, 20 * T).orThrow();
        assertEquals(11 * L, s.sim().now());
        TftpSession.Stats st = session.stats();
        assertEquals(TftpSession.End.UNREACHABLE, st.end());
        assertEquals(3, st.blocksAcked());
        assertEquals(4, st.dataSent());
        assertEquals(0, st.retransmissions());
        assertFalse(s.server().stack().isBound(tid), "the session's port is free again");
        assertEquals(1, s.server().stack().stats().icmpUnreachables());

        // Nothing more is sent to it: its host answered one DATA, once.
        s.sim().runFor(30 * T);
        assertEquals(1, s.client().unreachablesSent);
        assertEquals(4, session.stats().dataSent());
    }

    @Test
    void withoutTheErrorTheSessionRetriesUntilItGivesUp() {
        // The same client gone, its host silent (a board powered off): the session sends DATA 4 again every T, its
        // 20 retries, and gives up. What the ICMP error saves.
        TftpServerTest.Setup s = TftpServerTest.setup(SC, SC.tftpConfig());
        threeBlocksThenGone(s);
        s.client().closed.clear(); // no answer from its host at all
        TftpSession session = s.tftp().sessions().getFirst();
        s.sim().run(session::ended, 100 * T).orThrow();
        assertEquals(TftpSession.End.GAVE_UP, session.stats().end());
        assertEquals(4 + SC.tftpConfig().maxRetries(), session.stats().dataSent());
        assertEquals(9 * L + (SC.tftpConfig().maxRetries() + 1) * T, s.sim().now());
    }

    @Test
    void inSinglePortModeTheErrorAboutPort69ReachesTheSessionOfThatClient() {
        // dnsmasq's --tftp-single-port: the session answers from port 69, so the ICMP error quotes port 69.
        TftpServerTest.Setup s = TftpServerTest.setup(SC, SC.tftpConfig().withSinglePort(true));
        int tid = threeBlocksThenGone(s);
        assertEquals(TftpServer.PORT, tid);
        TftpSession session = s.tftp().sessions().getFirst();
        s.sim().run(session::ended, 20 * T).orThrow();
        assertEquals(11 * L, s.sim().now());
        assertEquals(TftpSession.End.UNREACHABLE, session.stats().end());
        assertTrue(s.server().stack().isBound(TftpServer.PORT), "the server still listens");
    }

    @Test
    void anErrorAboutAnotherPortOfTheClientLeavesTheTransferAlone() {
        // A stray datagram from another, closed, port of the client's host: the session answers it with ERROR 5 (RFC
        // 1350 section 4), which that host refuses with port unreachable. The transfer, on its own port pair, goes on.
        TftpServerTest.Setup s = TftpServerTest.setup(SC, SC.tftpConfig());
        s.tftp().serve("boot.img", FILE);
        s.client().autoAck = true;
        s.client().send(0, CLIENT_PORT, SERVER, TftpServer.PORT, rrq());
        TestClient.Rx d1 = s.client().next(s.sim());
        int stray = 3000;
        s.client().close(stray);
        s.client().send(s.sim().now(), stray, SERVER, d1.srcPort(), new TftpPacket.Ack(1));
        TftpSession session = s.tftp().sessions().getFirst();
        s.sim().run(session::ended, 20 * T).orThrow();
        assertEquals(TftpSession.End.COMPLETE, session.stats().end());
        assertEquals(1, session.stats().strangers());
        assertEquals(1, s.client().unreachablesSent); // about the ERROR 5
        assertEquals(1, s.server().stack().stats().icmpUnreachables());
    }

    @Test
    void aMulticastMasterWhosePortClosesLeavesAndTheTurnPassesAtOnce() {
        // Two RFC 2090 clients of one transfer; the first, master, is killed after block 2. The server sends block 3
        // again a timeout later, then its OACK (mc=1) to the master: its host's port unreachable makes it leave, and
        // the second client is made master at once (an OACK with mc=1), not after the first's 20 timeouts.
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(L, FaultPlan.NONE, 5);
        ServerHost host = sim.add(new ServerHost(seg, SC.serverMac(), SC.serverIp(), SC.netmask(), Ipv4Address.ANY));
        TftpServer server = host.startTftp(SC.tftpConfig(), new SplittableRandom(1)).offerMulticast(Scenario.Multicast.DEFAULT);
        server.serve("f", FILE);
        Scenario.Multicast mc = Scenario.Multicast.DEFAULT;
        TestClient a = client(sim, seg, "02:00:00:00:00:41", Ipv4Address.parse("10.0.0.41"));
        TestClient b = client(sim, seg, "02:00:00:00:00:42", Ipv4Address.parse("10.0.0.42"));
        TftpPacket.Rrq ask = new TftpPacket.Rrq("f", "octet", List.of(new TftpPacket.Option("multicast", "")));

        a.send(sim.now(), CLIENT_PORT, SERVER, TftpServer.PORT, ask);
        TestClient.Rx oackA = a.next(sim);
        assertEquals(mc.firstGroup() + "," + mc.port() + ",1", ((TftpPacket.Oack) oackA.tftp()).option("multicast").orElseThrow());
        int tid = oackA.srcPort();
        b.send(sim.now(), CLIENT_PORT, SERVER, TftpServer.PORT, ask);
        TestClient.Rx oackB = b.next(sim);
        assertEquals(mc.firstGroup() + "," + mc.port() + ",0", ((TftpPacket.Oack) oackB.tftp()).option("multicast").orElseThrow());
        a.send(sim.now(), CLIENT_PORT, SERVER, tid, new TftpPacket.Ack(0));
        for (int n = 1; n <= 3; n++) {
            TestClient.Rx d = a.next(sim);
            assertEquals(n, ((TftpPacket.Data) d.tftp()).block());
            if (n < 3) {
                a.send(sim.now(), CLIENT_PORT, SERVER, tid, new TftpPacket.Ack(n));
            }
        }
        long block3 = sim.now() - L; // sent then, to the group
        a.close(CLIENT_PORT);

        int heard = b.received.size();
        sim.run(() -> b.received.stream().skip(heard).anyMatch(r -> r.tftp() instanceof TftpPacket.Oack), 40 * T).orThrow();
        TestClient.Rx made = b.received.stream().skip(heard).filter(r -> r.tftp() instanceof TftpPacket.Oack).findFirst().orElseThrow();
        assertEquals(mc.firstGroup() + "," + mc.port() + ",1", ((TftpPacket.Oack) made.tftp()).option("multicast").orElseThrow());
        // Block 3 again at +T, the OACK to the master at +2T, its host's error back at +2T+2L, B's OACK there at +2T+3L.
        assertEquals(block3 + 2 * T + 3 * L, made.at());
        TftpMulticastSession m = server.multicastSessions().getFirst();
        assertEquals(MulticastMember.Left.UNREACHABLE, m.members().get(0).left());
        assertEquals(2, m.members().get(0).acked());
        assertEquals(null, m.members().get(1).left());
        assertEquals(1, m.stats().givenUp());
        assertEquals(1, m.stats().masterChanges());
        assertEquals(1, a.unreachablesSent);
    }

    private static TestClient client(Simulation sim, EthernetSegment seg, String mac, Ipv4Address ip) {
        TestClient c = sim.add(new TestClient(seg, MacAddress.parse(mac)));
        c.stack.configure(ip, SC.netmask(), SC.gateway());
        c.listen(CLIENT_PORT).listen(Scenario.Multicast.DEFAULT.port());
        c.stack.joinGroup(0, Scenario.Multicast.DEFAULT.firstGroup());
        return c;
    }
}
