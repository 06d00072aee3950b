package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.netboot.wire.FuzzInput;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.Ipv4Packet;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpPacket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the TFTP server ({@code netboot serve}'s) with clients that vanish and peers that lie about it: three hosts, two
 * ports each, read one file (unicast, with a window or RFC 2090 multicast, as the input says), acknowledge what they got
 * or a block either side of it, close their ports at any moment (the host then answers each datagram to a closed port
 * with ICMP port unreachable, as a kernel does: {@link TestClient#close}), and forge ICMP port unreachable errors naming
 * any server port and any client's address and port. The server answers from a port per transfer or from port 69, its
 * wait fixed or doubling.
 *
 * <p>Properties:
 * <ul>
 *   <li>nothing the server does throws;</li>
 *   <li>a transfer (or a multicast client) ends as gone only when its client's port was closed or an error named
 *       exactly its server port and client: an error about anyone else changes nothing;</li>
 *   <li>once a closed port's host has refused a datagram from a server port, nothing more comes to it from there after
 *       the error reached the server (a round trip, and a few milliseconds for frames already queued on the link);</li>
 *   <li>once every port is closed, every transfer ends and every server port but 69 is given back, long before the
 *       retries would have run out.</li>
 * </ul>
 */
class ClientGoneFuzzTest {
    static final long MS = 1_000_000L;
    static final Scenario SC = Scenario.DEFAULT;
    static final long TIMEOUT = 200 * MS;
    static final int HOSTS = 3;
    static final int[] PORTS = {2000, 2001};
    static final Scenario.Multicast GROUPS = Scenario.Multicast.DEFAULT;

    enum Op { WAIT, REQUEST, ACK, CLOSE, FORGE }

    @MethodSource("seeds")
    @FuzzTest
    void gone(byte[] input) {
        new Run(new FuzzInput(input)).run();
    }

    /**
     * The seeds end as worked out by hand: a client closing mid-transfer is given up as gone and the other served; an
     * error forged about one transfer ends that one alone; a multicast master that closed leaves, the other client is
     * served.
     */
    @Test
    void theSeedsEndAsTheirClientsDid() {
        List<byte[]> seeds = seeds().map(a -> (byte[]) a.get()[0]).toList();
        Run closes = new Run(new FuzzInput(seeds.get(0)));
        closes.run();
        assertEquals(List.of("10.0.0.41:2000 UNREACHABLE", "10.0.0.42:2000 COMPLETE"), closes.unicastEnds());

        Run forged = new Run(new FuzzInput(seeds.get(1)));
        forged.run();
        assertEquals(List.of("10.0.0.41:2000 UNREACHABLE", "10.0.0.42:2000 COMPLETE"), forged.unicastEnds());

        Run master = new Run(new FuzzInput(seeds.get(2)));
        master.run();
        List<MulticastMember> members = master.tftp.multicastSessions().getFirst().members();
        assertEquals(MulticastMember.Left.UNREACHABLE, members.get(0).left());
        assertEquals(MulticastMember.Left.SERVED, members.get(1).left());
    }

    static Stream<Arguments> seeds() {
        // 1. Unicast, window 1: both fetch; the first closes its port after block 2, the second acknowledges to the end.
        Script closes = new Script(false, false, 1).request(0, 0).request(1, 0).waitMs(20);
        for (int i = 0; i < 2; i++) {
            closes.ack(0, 0).ack(1, 0).waitMs(20);
        }
        closes.close(0, 0);
        for (int i = 0; i < 40; i++) {
            closes.ack(1, 0).waitMs(20);
        }
        // 2. The same, but nobody closes: the third host forges an error naming the first client's transfer.
        Script forged = new Script(false, false, 1).request(0, 0).request(1, 0).waitMs(20).ack(0, 0).ack(1, 0).waitMs(20)
                .forge(2, 0, 0, 0).waitMs(20);
        for (int i = 0; i < 40; i++) {
            forged.ack(0, 0).ack(1, 0).waitMs(20);
        }
        // 3. Multicast: the first client is master and closes after block 3; the second is made master and served.
        Script master = new Script(true, false, 1).request(0, 0).waitMs(20).request(1, 0).waitMs(20).ack(0, 0).waitMs(20);
        for (int i = 0; i < 3; i++) {
            master.ack(0, 0).waitMs(20);
        }
        master.close(0, 0).waitMs(1000);
        for (int i = 0; i < 40; i++) {
            master.ack(1, 0).waitMs(20);
        }
        return Stream.of(closes.build(), forged.build(), master.build()).map(x -> Arguments.arguments((Object) x));
    }

    /** Writes inputs in {@link Run}'s format. */
    static final class Script {
        final FuzzInput.Script s = new FuzzInput.Script();

        /** Header: multicast or not, port 69 or a port per transfer, the window; 200 µs each way, the wait fixed. */
        Script(boolean multicast, boolean singlePort, int window) {
            s.u8(multicast ? 1 : 0).u8(singlePort ? 1 : 0).u8(window - 1).u8(1).u8(0);
        }

        Script waitMs(int ms) {
            s.u8(Op.WAIT.ordinal()).u16(ms);
            return this;
        }

        Script request(int host, int port) {
            s.u8(Op.REQUEST.ordinal()).u8(host).u8(port);
            return this;
        }

        Script ack(int host, int port) {
            s.u8(Op.ACK.ordinal()).u8(host).u8(port).u8(1);
            return this;
        }

        Script close(int host, int port) {
            s.u8(Op.CLOSE.ordinal()).u8(host).u8(port);
            return this;
        }

        /** {@code host} forges an error about the server port {@code victim}:{@code port} last heard from, naming it. */
        Script forge(int host, int victim, int port, int serverPort) {
            s.u8(Op.FORGE.ordinal()).u8(host).u8(victim).u8(port).u8(serverPort);
            return this;
        }

        byte[] build() {
            return s.build();
        }
    }

    /** One run: the input's header, then its operations, then every port closed. */
    static final class Run {
        final FuzzInput in;
        final Simulation sim = new Simulation();
        final long latency;
        final ServerHost server;
        final TftpServer tftp;
        final int window;
        final TestClient[] hosts = new TestClient[HOSTS];
        final byte[] file;
        final boolean multicast;
        /** The server port each client port last heard from (unicast DATA or OACK), by host * 2 + port; -1: none. */
        final int[] serverPort = new int[HOSTS * PORTS.length];
        /** The blocks each client port holds: from its own DATA, and (multicast) from the group DATA its host got. */
        final BitSet[] holds = new BitSet[HOSTS * PORTS.length];
        /** Each host's blocks from the group. */
        final BitSet[] group = new BitSet[HOSTS];
        /** "ip:port" of each client port closed, with when; "serverPort>ip:port" of each forged error, with when. */
        final Map<String, Long> closedAt = new HashMap<>();
        final Map<String, Long> forgedAt = new HashMap<>();
        /** Server ports ever bound for a transfer. */
        final Set<Integer> serverPorts = new HashSet<>();

        Run(FuzzInput in) {
            this.in = in;
            multicast = in.bool();
            boolean singlePort = in.bool();
            window = 1 + in.below(8);
            latency = (1 + in.below(20)) * 100_000L;
            boolean doubling = in.bool();
            file = TftpServerOptionsTest.file(512 * 20 + 100, 5);
            EthernetSegment seg = sim.newSegment(latency, FaultPlan.NONE, 1);
            server = sim.add(new ServerHost(seg, SC.serverMac(), SC.serverIp(), SC.netmask(), SC.gateway()));
            TftpServerConfig config = TftpServerConfig.DEFAULTS.withRetry(TIMEOUT, 5).withSinglePort(singlePort)
                    .withMaxTimeout(doubling ? 8 * TIMEOUT : 0);
            tftp = server.startTftp(config, new SplittableRandom(3));
            if (multicast) {
                tftp.offerMulticast(GROUPS);
            }
            tftp.serve("f", file);
            for (int h = 0; h < HOSTS; h++) {
                TestClient c = sim.add(new TestClient(seg, new MacAddress(0x02_00_00_00_00_41L + h)));
                c.stack.configure(address(h), SC.netmask(), SC.gateway());
                for (int p = 0; p < PORTS.length; p++) {
                    int i = h * PORTS.length + p;
                    serverPort[i] = -1;
                    holds[i] = new BitSet();
                    c.listen(PORTS[p]);
                }
                group[h] = new BitSet();
                c.listen(GROUPS.port());
                c.stack.joinGroup(0, GROUPS.firstGroup());
                hosts[h] = c;
            }
        }

        static Ipv4Address address(int h) {
            return Ipv4Address.parse("10.0.0." + (41 + h));
        }

        void run() {
            int[] seen = new int[HOSTS];
            while (in.more()) {
                Op op = Op.values()[in.below(Op.values().length)];
                switch (op) {
                    case WAIT -> sim.runFor((1 + in.below(2000)) * MS);
                    case REQUEST -> request(in.below(HOSTS), in.below(PORTS.length));
                    case ACK -> ack(in.below(HOSTS), in.below(PORTS.length), in.below(3) - 1);
                    case CLOSE -> close(in.below(HOSTS), in.below(PORTS.length));
                    case FORGE -> forge(in.below(HOSTS), in.below(HOSTS), in.below(PORTS.length), in.bool());
                }
                for (int h = 0; h < HOSTS; h++) {
                    seen[h] = take(h, seen[h]);
                }
            }
            // What ended as gone while the clients lived: only where its client closed, or an error named it.
            checkGoneEnds();
            // Every client vanishes: each transfer hears so at its next datagram, within its longest wait.
            for (int h = 0; h < HOSTS; h++) {
                for (int p = 0; p < PORTS.length; p++) {
                    close(h, p);
                }
            }
            long polls = sim.polls();
            sim.runFor(HOSTS * PORTS.length * 20 * TIMEOUT);
            assertTrue(sim.polls() - polls < 100_000, "spinning: " + (sim.polls() - polls) + " polls");
            for (TftpSession s : tftp.sessions()) {
                assertTrue(s.ended(), s.stats().toString());
            }
            for (TftpMulticastSession m : tftp.multicastSessions()) {
                assertTrue(m.ended(), m.stats().toString());
            }
            for (int p : serverPorts) {
                if (p != TftpServer.PORT) {
                    assertFalse(server.stack().isBound(p), "server port " + p + " still bound");
                }
            }
            checkRefusals();
        }

        /** Reads what host {@code h} received since {@code from}: server ports, blocks held. */
        private int take(int h, int from) {
            List<TestClient.Rx> rx = hosts[h].received;
            for (int i = from; i < rx.size(); i++) {
                TestClient.Rx r = rx.get(i);
                TftpPacket p;
                try {
                    p = r.tftp();
                } catch (MalformedPacketException e) {
                    fail("malformed from the server: " + e.getMessage());
                    return rx.size();
                }
                if (r.dstPort() == GROUPS.port()) {
                    if (p instanceof TftpPacket.Data d) {
                        group[h].set(d.block());
                    }
                    continue;
                }
                int port = r.dstPort() == PORTS[0] ? 0 : 1;
                int c = h * PORTS.length + port;
                serverPort[c] = r.srcPort();
                serverPorts.add(r.srcPort());
                if (p instanceof TftpPacket.Data d) {
                    holds[c].set(d.block());
                }
            }
            return rx.size();
        }

        private void request(int h, int p) {
            if (hosts[h].closed.contains(PORTS[p])) {
                return;
            }
            List<TftpPacket.Option> o = new ArrayList<>();
            if (window > 1) {
                o.add(new TftpPacket.Option("windowsize", Integer.toString(window)));
            }
            if (multicast) {
                o.add(new TftpPacket.Option("multicast", ""));
            }
            hosts[h].send(sim.now(), PORTS[p], SC.serverIp(), TftpServer.PORT, new TftpPacket.Rrq("f", "octet", o));
        }

        /** Acknowledges the last block held in order (its own, or from the group), or one either side of it. */
        private void ack(int h, int p, int delta) {
            int c = h * PORTS.length + p;
            if (hosts[h].closed.contains(PORTS[p]) || serverPort[c] < 0) {
                return;
            }
            BitSet all = (BitSet) holds[c].clone();
            all.or(group[h]);
            int inOrder = all.nextClearBit(1) - 1;
            int block = Math.max(0, inOrder + delta) & 0xFFFF;
            hosts[h].send(sim.now(), PORTS[p], SC.serverIp(), serverPort[c], new TftpPacket.Ack(block));
        }

        private void close(int h, int p) {
            if (!hosts[h].closed.contains(PORTS[p])) {
                hosts[h].close(PORTS[p]);
                closedAt.put(address(h) + ":" + PORTS[p], sim.now());
            }
        }

        /**
         * Host {@code h} forges an ICMP port unreachable quoting a datagram from the server port {@code victim}:{@code p}
         * last heard from (or port 69) to that client: the server cannot tell it from a true one.
         */
        private void forge(int h, int victim, int p, boolean port69) {
            int c = victim * PORTS.length + p;
            int from = port69 || serverPort[c] < 0 ? TftpServer.PORT : serverPort[c];
            ByteBuffer quote = ByteBuffer.allocate(Ipv4Packet.HEADER_LEN + 8);
            Ipv4Packet.emit(quote, 0, 8 + 4, Ipv4Packet.PROTO_UDP, SC.serverIp().value(), address(victim).value(), 64, 0);
            quote.putShort(Ipv4Packet.HEADER_LEN, (short) from).putShort(Ipv4Packet.HEADER_LEN + 2, (short) PORTS[p])
                    .putShort(Ipv4Packet.HEADER_LEN + 4, (short) 12);
            hosts[h].sendUnreachable(sim.now(), SC.serverMac(), SC.serverIp(), quote.array());
            forgedAt.putIfAbsent(from + ">" + address(victim) + ":" + PORTS[p], sim.now());
        }

        /** Each transfer or multicast client that ended as gone was closed, or named by a forged error. */
        private void checkGoneEnds() {
            for (TftpSession s : tftp.sessions()) {
                TftpSession.Stats st = s.stats();
                if (st.end() == TftpSession.End.UNREACHABLE) {
                    String who = st.client() + ":" + st.clientPort();
                    assertTrue(closedAt.containsKey(who) || forgedAt.containsKey(st.port() + ">" + who),
                            "gone without cause: " + st + "; closed " + closedAt + "; forged " + forgedAt);
                }
            }
            for (TftpMulticastSession m : tftp.multicastSessions()) {
                for (MulticastMember c : m.members()) {
                    if (c.left() == MulticastMember.Left.UNREACHABLE) {
                        String who = c.ip() + ":" + c.port();
                        assertTrue(closedAt.containsKey(who) || forgedAt.containsKey(m.stats().port() + ">" + who),
                                "left without cause: " + c + "; closed " + closedAt + "; forged " + forgedAt);
                    }
                }
            }
        }

        /** Nothing came to a closed port from a server port after its host's error about it reached the server. */
        private void checkRefusals() {
            for (TestClient host : hosts) {
                Map<String, Long> first = new HashMap<>();
                for (TestClient.Refused r : host.refused) {
                    String pair = r.srcPort() + ">" + r.dstPort();
                    long at = first.computeIfAbsent(pair, _ -> r.at());
                    // The error reached the server at at + latency; what it sent before then may still come, queued
                    // behind a window on the link. Its next retry, a timeout on, is what must not.
                    assertTrue(r.at() <= at + 2 * latency + 5 * MS, "to a closed port after its error: " + pair + " at "
                            + r.at() + " ns, first refused at " + at + " ns");
                }
            }
        }

        /** "ip:port END" of each unicast transfer, in the order they started. */
        List<String> unicastEnds() {
            return tftp.sessions().stream().map(s -> s.stats().client() + ":" + s.stats().clientPort() + " " + s.stats().end())
                    .toList();
        }
    }
}
