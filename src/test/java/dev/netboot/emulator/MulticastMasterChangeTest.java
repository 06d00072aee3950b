package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The emulated server's RFC 2090 multicast when the master changes while ACKs are on their way: a client made master
 * (a repair, the next in line after a client leaves) whose copy of an ACK it sent before, or the copy of another
 * client's, comes after the change. Scripted clients on one segment (latency 100 us each way), timeout 1 s, a file of
 * 10 blocks of 512 bytes less one.
 */
class MulticastMasterChangeTest {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;
    static final int PORT = 2000;
    static final Scenario SC = Scenario.DEFAULT;
    static final Ipv4Address GROUP = Scenario.Multicast.DEFAULT.firstGroup();

    /** The server, and clients on hosts 0 .. n - 1, each listening on {@link #PORT}, the port after it and the group's. */
    record Lan(Simulation sim, TftpServer server, TestClient[] hosts) {
        static Lan of(int n, TftpServerConfig config) {
            Simulation sim = new Simulation();
            EthernetSegment seg = sim.newSegment(100 * US, FaultPlan.NONE, 5);
            ServerHost host = sim.add(new ServerHost(seg, SC.serverMac(), SC.serverIp(), SC.netmask(), Ipv4Address.ANY));
            TftpServer server = host.startTftp(config, new SplittableRandom(1)).offerMulticast(Scenario.Multicast.DEFAULT);
            server.serve("f", TftpServerOptionsTest.file(10 * 512 - 1, 4));
            TestClient[] hosts = new TestClient[n];
            for (int i = 0; i < n; i++) {
                hosts[i] = sim.add(new TestClient(seg, new MacAddress(0x02_00_00_00_00_50L + i)));
                hosts[i].stack.configure(new Ipv4Address(SC.clientIp().value() + i), SC.netmask(), SC.gateway());
                hosts[i].listen(PORT).listen(PORT + 1).listen(Scenario.Multicast.DEFAULT.port());
                hosts[i].stack.joinGroup(0, GROUP);
            }
            return new Lan(sim, server, hosts);
        }

        /** Host {@code h}'s port {@code port} asks for the file with {@code multicast}; returns its OACK's multicast value. */
        String request(int h, int port) {
            hosts[h].send(sim.now(), port, SC.serverIp(), TftpServer.PORT,
                    new TftpPacket.Rrq("f", "octet", List.of(new TftpPacket.Option("multicast", ""))));
            TestClient.Rx rx = hosts[h].next(sim);
            return ((TftpPacket.Oack) rx.tftp()).option("multicast").orElseThrow();
        }

        void ack(int h, int port, int block) {
            hosts[h].send(sim.now(), port, SC.serverIp(), tid(), new TftpPacket.Ack(block));
        }

        int tid() {
            return server.multicastSessions().getFirst().port();
        }

        /** The DATA of block {@code b} host 0 heard on the group's port since {@code from} (an index into its received). */
        long dataHeard(int from, int b) {
            return hosts[0].received.subList(from, hosts[0].received.size()).stream()
                    .filter(rx -> rx.dstPort() == Scenario.Multicast.DEFAULT.port())
                    .filter(rx -> rx.tftp() instanceof TftpPacket.Data d && d.block() == b).count();
        }

        /** What host 0 heard since {@code from}: when, to which port, what. */
        List<String> heard(int from) {
            return hosts[0].received.subList(from, hosts[0].received.size()).stream()
                    .map(rx -> rx.at() / 1e9 + " s :" + rx.dstPort() + " " + rx.tftp()).toList();
        }

        /** The last OACK host {@code h}'s port {@code port} got: its multicast value, or null. */
        String lastOack(int h, int port) {
            String mc = null;
            for (TestClient.Rx rx : hosts[h].received) {
                if (rx.dstPort() == port && rx.tftp() instanceof TftpPacket.Oack o) {
                    mc = o.option("multicast").orElseThrow();
                }
            }
            return mc;
        }
    }

    static String mc(int flag) {
        return GROUP + "," + Scenario.Multicast.DEFAULT.port() + "," + flag;
    }

    @Test
    void copiesOfAcksThatComeAfterTheMasterChangedSendNothingAgain() {
        // TftpServerFuzzTest::multicast's finding, as a timeline: the master M (host 0) and X (host 1, port 2001) both
        // acknowledge block 1 as block 2 goes out; within a latency (a wire's copies) X's ACK 1 again, X's ERROR and
        // M's ACK 1 again. X's first ACK 1 crossed block 2 on its way and made X master (a repair), X's copy was taken
        // for its answer to that OACK (DATA 2 again), X left, M was made master again and M's copy was taken for its
        // answer (DATA 2 a third time, 0.3 ms on). RFC 1123 section 4.2.3.1: a copy of an ACK sends nothing; block 2 goes
        // once, and M, master again, answers its OACK with ACK 2 and gets block 3.
        Lan l = Lan.of(2, TftpServerConfig.DEFAULTS.withRetry(S, 5));
        assertEquals(mc(1), l.request(0, PORT));
        assertEquals(mc(0), l.request(1, PORT + 1));
        l.ack(0, PORT, 0);
        TestClient.Rx first = l.hosts()[0].next(l.sim());
        assertEquals(1, ((TftpPacket.Data) first.tftp()).block());
        l.sim().runFor(10 * US); // host 1 has it too
        int from = l.hosts()[0].received.size();
        l.ack(0, PORT, 1);
        l.ack(1, PORT + 1, 1);
        l.sim().runFor(92 * US);
        l.ack(1, PORT + 1, 1);
        l.hosts()[1].send(l.sim().now(), PORT + 1, SC.serverIp(), l.tid(), new TftpPacket.Error(0, "stopped"));
        l.ack(0, PORT, 1);
        l.sim().runFor(500 * MS); // half the timeout: nothing goes again for it
        assertEquals(1, l.dataHeard(from, 2), () -> "heard by host 0: " + l.heard(from));
        assertEquals(mc(1), l.lastOack(0, PORT), "M is master again");
        int before = l.hosts()[0].received.size();
        l.ack(0, PORT, 2);
        l.sim().runFor(MS);
        assertEquals(1, l.dataHeard(before, 3));
        TftpMulticastSession.Stats s = l.server().multicastSessions().getFirst().stats();
        assertEquals(0, s.resentData(), s.toString());
    }
}
