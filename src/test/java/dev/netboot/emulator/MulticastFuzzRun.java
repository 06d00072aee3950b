package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.netboot.wire.FuzzInput;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpPacket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * One run of {@link TftpServerFuzzTest#multicast}: six RFC 2090 clients (three hosts, two ports each) of the emulated
 * TFTP server reading one file with the {@code multicast} option, whose ACKs the input sends honestly, twice (a copy
 * a moment later, as a duplicating wire makes it), out of order (one of the client's earlier ACKs again), or made up;
 * clients also ask late, lose blocks, send ERROR and wait. Then every client still in the transfer behaves: a master
 * acknowledges every DATA and its OACK with the last block it holds in order, a client holding the whole file
 * acknowledges the last block. A host hears the group once one of its clients got an OACK naming it; an observer in
 * the group hears every DATA.
 *
 * <p>Properties, checked on every datagram and at the end:
 * <ul>
 *   <li>nothing the server does throws; every DATA to the group is a block of the file (1 .. last, the file's bytes,
 *       full-sized but for the last) from a transfer whose OACK named that group;</li>
 *   <li>every DATA is explained (lock-step, RFC 2090): by an ACK of the block before it, sent to the transfer's port
 *       before it and not used to explain another DATA, or by the server's timeout (no DATA nor OACK making a client
 *       master from that port for a timeout before it). A copy of an ACK, the same client's same ACK to the same port
 *       at most one segment latency after it, explains nothing: by then the DATA it asks for went out at most that
 *       long ago, within any round trip, and RFC 1123 section 4.2.3.1 forbids sending it again (the Sorcerer's
 *       Apprentice);</li>
 *   <li>once the clients behave, every client the server still had in a transfer is served: it acknowledged the last
 *       block holding every block of the file, the transfers end and their ports are given back, without spinning.</li>
 * </ul>
 */
final class MulticastFuzzRun {
    static final long MS = 1_000_000L;
    static final long SEC = 1_000L * MS;
    static final Scenario SC = Scenario.DEFAULT;
    static final long TIMEOUT = SEC;
    static final int HOSTS = 3;
    static final int[] PORTS = {2000, 2001};
    static final int CLIENTS = HOSTS * PORTS.length;
    static final int[] BLOCK_SIZES = {8, 16, 64, 512};
    static final Ipv4Address OBSERVER = Ipv4Address.parse("10.0.0.99");

    enum Op { WAIT, REQUEST, ACK, LOSE, ERROR }

    /** What an ACK names: the last block the client holds in order, that again a moment later, an earlier one, any. */
    enum Ack { HONEST, COPIED, EARLIER, ANY }

    /** One client port: what it was told and holds, and the ACKs it sent. */
    static final class Client {
        final int host;
        final int port;
        int tid;                  // the transfer's port, from its last OACK (0: none yet)
        boolean master;           // its last OACK said mc=1
        boolean left;             // it sent ERROR or an ACK of the last block to the transfer it is in
        final BitSet got = new BitSet();
        final List<Long> acks = new ArrayList<>(); // blocks it acknowledged, in order
        boolean owesAck;          // (behaving) a master that got its OACK or a DATA acknowledges it
        long since;               // ACKs sent by all when it last asked for the file or sent ERROR: a copy is of a later one

        Client(int host, int port) {
            this.host = host;
            this.port = port;
        }

        /** Returns the last block it holds with every block before it. */
        long inOrder() {
            return got.nextClearBit(1) - 1;
        }
    }

    /** The {@code seq}-th ACK sent: from client {@code c} to port {@code to}, of {@code block}, at {@code at}; a copy or not. */
    record SentAck(long seq, int c, int to, long block, long at, boolean copy) {
    }

    final FuzzInput in;
    final Simulation sim = new Simulation();
    final ServerHost host;
    final TftpServer tftp;
    final byte[] file;
    final int blockSize;
    final long lastBlock;
    final TestClient[] hosts = new TestClient[HOSTS];
    final TestClient observer;
    final Client[] clients = new Client[CLIENTS];
    final int[] seen = new int[HOSTS + 1];
    final List<SentAck> sentAcks = new ArrayList<>();
    long acksSent;
    /** Per transfer port: when it last sent a DATA or an OACK making a client master (heard; -1: never). */
    final Map<Integer, Long> lastStart = new HashMap<>();
    /** Per transfer port: the blocks heard from it. */
    final Map<Integer, BitSet> heardBlocks = new HashMap<>();
    /**
     * Transfer ports sent an ACK of a block before it was heard (less the last block's, which ends the client's turn
     * and times nothing). The server may take its round trip from such an ACK, shorter than any client's (a DATA's
     * way there and the ACK's back): a copy at most a latency later may be past it, and explains as any ACK does.
     */
    final Set<Integer> prescient = new HashSet<>();
    /** Per transfer port: the group its OACKs named. */
    final Map<Integer, Ipv4Address> groupOf = new HashMap<>();
    final StringBuilder trace = new StringBuilder();
    int explained;

    /** Writes inputs in this run's format. */
    static final class Script {
        final FuzzInput.Script s = new FuzzInput.Script();

        /** Header: {@code retries} (1 .. 5), {@code BLOCK_SIZES[size]}, a file of {@code bytes}. */
        Script(int retries, int size, int bytes) {
            s.u8(retries - 1).u8(size).u16(bytes);
        }

        Script request(int c) {
            s.u8(Op.REQUEST.ordinal()).u8(c);
            return this;
        }

        /** Waits {@code ms} / 8 ms. */
        Script waitEighths(int ms) {
            s.u8(Op.WAIT.ordinal()).u8(ms).u8(0);
            return this;
        }

        /** Client {@code c} acknowledges the last block it holds in order. */
        Script ack(int c) {
            s.u8(Op.ACK.ordinal()).u8(c).u8(Ack.HONEST.ordinal());
            return this;
        }

        /** Client {@code c} acknowledges the last block it holds in order, and again {@code percent}% of a latency later. */
        Script ackTwice(int c, int percent) {
            s.u8(Op.ACK.ordinal()).u8(c).u8(Ack.COPIED.ordinal()).u8(percent);
            return this;
        }

        /** Client {@code c} sends again its {@code back}-th ACK before its last (0: its last). */
        Script ackEarlier(int c, int back) {
            s.u8(Op.ACK.ordinal()).u8(c).u8(Ack.EARLIER.ordinal()).u8(back);
            return this;
        }

        /** Client {@code c} loses the highest block it holds at or below {@code below}. */
        Script lose(int c, int below) {
            s.u8(Op.LOSE.ordinal()).u8(c).u8(below);
            return this;
        }

        byte[] build() {
            return s.build();
        }
    }

    /** Seeds: three clients whose master sends every ACK twice; a client joining late, ACKs out of order, a lost block. */
    static Stream<Arguments> seeds() {
        Script twice = new Script(3, 2, 1000).request(0).request(2).request(5).waitEighths(8);
        for (int i = 0; i <= 1000 / 64; i++) {
            twice.ackTwice(0, 50).waitEighths(8);
        }
        Script late = new Script(3, 1, 500).request(0).waitEighths(8);
        for (int i = 0; i < 5; i++) {
            late.ack(0).waitEighths(8);
        }
        late.request(3).waitEighths(8).ack(3).waitEighths(8).ack(3).waitEighths(8).ackEarlier(3, 1).waitEighths(8)
                .ackEarlier(0, 2).waitEighths(8).lose(3, 3).ack(3).waitEighths(8).ack(0).waitEighths(8);
        return Stream.of(twice.build(), late.build()).map(x -> Arguments.arguments((Object) x));
    }

    MulticastFuzzRun(FuzzInput in) {
        this.in = in;
        int retries = 1 + in.below(5);
        blockSize = BLOCK_SIZES[in.below(BLOCK_SIZES.length)];
        file = new byte[in.u16() % 3000];
        for (int i = 0; i < file.length; i++) {
            file[i] = (byte) (i * 29 + 3);
        }
        lastBlock = file.length / blockSize + 1;
        EthernetSegment seg = sim.newSegment(SC.latencyNanos(), FaultPlan.NONE, 1);
        host = sim.add(new ServerHost(seg, SC.serverMac(), SC.serverIp(), SC.netmask(), SC.gateway()));
        tftp = host.startTftp(TftpServerConfig.DEFAULTS.withRetry(TIMEOUT, retries), new SplittableRandom(3));
        tftp.offerMulticast(Scenario.Multicast.DEFAULT);
        tftp.serve("boot.img", file);
        for (int h = 0; h < HOSTS; h++) {
            hosts[h] = station(seg, h, new Ipv4Address(Ipv4Address.parse("10.0.0.42").value() + h));
            for (int p = 0; p < PORTS.length; p++) {
                clients[h * PORTS.length + p] = new Client(h, PORTS[p]);
                hosts[h].listen(PORTS[p]);
            }
        }
        observer = station(seg, HOSTS, OBSERVER);
        observer.stack.joinGroup(0, Scenario.Multicast.DEFAULT.firstGroup());
    }

    private TestClient station(EthernetSegment seg, int i, Ipv4Address ip) {
        TestClient t = new TestClient(seg, MacAddress.parse("02:00:00:00:00:5" + i));
        t.stack.configure(ip, SC.netmask(), SC.gateway());
        t.listen(Scenario.Multicast.DEFAULT.port());
        sim.add(t);
        return t;
    }

    /** Runs the input, then the clients behave to the end; checks as it goes and at the end. */
    void run() {
        try {
            int ops = 0;
            while (in.more() && ops++ < 300) {
                step(Op.values()[in.below(Op.values().length)]);
                check();
            }
            behave();
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + tail(), e);
        } finally {
            tftp.closeFiles();
        }
    }

    private void step(Op op) {
        switch (op) {
            case WAIT -> {
                int ms = in.u8();
                sim.runFor(in.bool() ? ms * 20L * MS : ms * MS / 8);
            }
            case REQUEST -> request(clients[in.below(CLIENTS)]);
            case ACK -> {
                Client c = clients[in.below(CLIENTS)];
                Ack kind = Ack.values()[in.below(Ack.values().length)];
                long block = switch (kind) {
                    case HONEST, COPIED -> c.inOrder();
                    case EARLIER -> c.acks.isEmpty() ? 0 : c.acks.get(c.acks.size() - 1 - in.below(c.acks.size()));
                    case ANY -> in.below((int) lastBlock + 2);
                };
                ack(c, block);
                if (kind == Ack.COPIED) {
                    sim.runFor(in.below(101) * SC.latencyNanos() / 100); // the copy: at most a latency later
                    ack(c, block);
                }
            }
            case LOSE -> {
                Client c = clients[in.below(CLIENTS)];
                int b = c.got.previousSetBit(in.below((int) lastBlock + 1));
                if (b > 0) {
                    c.got.clear(b); // as if it never came: the client asks for it again
                }
            }
            case ERROR -> {
                Client c = clients[in.below(CLIENTS)];
                if (c.tid != 0) {
                    send(c, c.tid, new TftpPacket.Error(0, "stopped"));
                    c.left = true;
                    c.since = acksSent; // it left: its next ACK is a new client's, no copy
                }
            }
        }
    }

    private void request(Client c) {
        List<TftpPacket.Option> o = List.of(new TftpPacket.Option("blksize", Integer.toString(blockSize)),
                new TftpPacket.Option("multicast", ""));
        c.left = false;
        c.got.clear();
        c.since = acksSent; // a new client (when it had left): its next ACK is no copy
        send(c, TftpServer.PORT, new TftpPacket.Rrq("boot.img", "octet", o));
    }

    private void ack(Client c, long block) {
        if (c.tid == 0) {
            return;
        }
        if (block >= 1 && block < lastBlock && !heardBlocks.computeIfAbsent(c.tid, k -> new BitSet()).get((int) block)) {
            prescient.add(c.tid);
        }
        boolean copy = false;
        for (int i = sentAcks.size() - 1; i >= 0 && sentAcks.get(i).at() >= sim.now() - SC.latencyNanos(); i--) {
            SentAck s = sentAcks.get(i);
            copy |= s.seq() >= c.since && s.c() == index(c) && s.to() == c.tid && s.block() == block && !s.copy();
        }
        copy &= !prescient.contains(c.tid);
        sentAcks.add(new SentAck(acksSent++, index(c), c.tid, block, sim.now(), copy));
        c.acks.add(block);
        if (block >= lastBlock) {
            c.left = true; // "Each client must terminate the transfer by sending an acknowledgment of the last packet"
        }
        send(c, c.tid, new TftpPacket.Ack((int) block));
    }

    private void send(Client c, int to, TftpPacket p) {
        note(String.format("%12.6f client %d:%d -> server:%d %s", sim.now() / 1e9, c.host, c.port, to, p));
        hosts[c.host].send(sim.now(), c.port, SC.serverIp(), to, p);
    }

    private int index(Client c) {
        return c.host * PORTS.length + (c.port == PORTS[0] ? 0 : 1);
    }

    /** Takes every datagram heard since the last check, in the order they came (at one instant, DATA first). */
    private void check() {
        List<int[]> news = new ArrayList<>(); // station, index
        for (int h = 0; h <= HOSTS; h++) {
            TestClient t = station(h);
            for (; seen[h] < t.received.size(); seen[h]++) {
                news.add(new int[] {h, seen[h]});
            }
        }
        news.sort(Comparator.<int[]>comparingLong(x -> station(x[0]).received.get(x[1]).at())
                .thenComparingInt(x -> x[0] == HOSTS ? 0 : 1));
        for (int[] x : news) {
            int h = x[0];
            TestClient.Rx rx = station(h).received.get(x[1]);
            if (!rx.src().equals(SC.serverIp())) {
                continue;
            }
            TftpPacket p;
            try {
                p = rx.tftp();
            } catch (MalformedPacketException e) {
                throw new AssertionError("a malformed packet from the server to " + rx.dstPort() + ": " + e.getMessage());
            }
            if (h == HOSTS) {
                observed(rx, p);
            } else if (rx.dstPort() == Scenario.Multicast.DEFAULT.port()) {
                if (p instanceof TftpPacket.Data d) {
                    for (Client c : clients) {
                        if (c.host == h && c.tid == rx.srcPort() && !c.left) {
                            c.got.set(d.block());
                            c.owesAck |= c.master;
                        }
                    }
                }
            } else {
                Client c = clients[h * PORTS.length + (rx.dstPort() == PORTS[0] ? 0 : 1)];
                note(String.format("%12.6f client %d:%d <- server:%d %s", rx.at() / 1e9, c.host, c.port, rx.srcPort(), p));
                if (p instanceof TftpPacket.Oack o) {
                    oack(c, rx, o);
                }
            }
        }
    }

    private TestClient station(int h) {
        return h < HOSTS ? hosts[h] : observer;
    }

    private void oack(Client c, TestClient.Rx rx, TftpPacket.Oack o) {
        String mc = null;
        for (TftpPacket.Option opt : o.options()) {
            if (opt.name().equals("multicast")) {
                mc = opt.value();
            }
        }
        if (mc == null) {
            return; // not a multicast transfer (none is refused here, but a unicast one is no concern of this run)
        }
        String[] f = mc.split(",", -1);
        assertEquals(3, f.length, "multicast option " + mc);
        Ipv4Address group = Ipv4Address.parse(f[0]);
        assertEquals(Scenario.Multicast.DEFAULT.port(), Integer.parseInt(f[1]), "multicast option " + mc);
        assertTrue(f[2].equals("0") || f[2].equals("1"), "multicast option " + mc);
        Ipv4Address before = groupOf.putIfAbsent(rx.srcPort(), group);
        assertTrue(before == null || before.equals(group), "port " + rx.srcPort() + " named " + before + " then " + group);
        boolean mcOne = f[2].equals("1");
        if (c.tid != rx.srcPort()) {
            c.got.clear(); // another transfer
        }
        c.tid = rx.srcPort();
        c.left = false; // the server has it in this transfer (an ERROR it sent may have gone to another's port)
        if (mcOne && !c.master) {
            lastStart.put(rx.srcPort(), rx.at()); // a master made: the server's timer starts again
        }
        c.master = mcOne;
        c.owesAck |= mcOne;
        if (!hosts[c.host].stack.isMember(group)) {
            hosts[c.host].stack.joinGroup(sim.now(), group);
        }
        if (!observer.stack.isMember(group)) {
            observer.stack.joinGroup(sim.now(), group);
        }
    }

    /** A DATA the observer heard: a block of the file, explained by an ACK not used yet or by the timeout. */
    private void observed(TestClient.Rx rx, TftpPacket p) {
        if (!(p instanceof TftpPacket.Data d)) {
            return;
        }
        note(String.format("%12.6f group <- server:%d DATA %d (%d bytes)", rx.at() / 1e9, rx.srcPort(), d.block(), d.data().length));
        Ipv4Address group = groupOf.get(rx.srcPort());
        assertEquals(group, rx.dst(), "DATA " + d.block() + " from port " + rx.srcPort() + " to a group its OACKs did not name");
        long b = d.block();
        assertTrue(b >= 1 && b <= lastBlock, "DATA " + b + " of a file of " + lastBlock + " blocks");
        int from = (int) ((b - 1) * blockSize);
        assertArrayEquals(Arrays.copyOfRange(file, from, (int) Math.min(file.length, from + blockSize)), d.data(),
                "DATA " + b + " is not the file's block " + b);
        heardBlocks.computeIfAbsent(rx.srcPort(), k -> new BitSet()).set((int) b);
        long start = lastStart.getOrDefault(rx.srcPort(), -1L);
        lastStart.put(rx.srcPort(), rx.at());
        if (start >= 0 && rx.at() - start >= TIMEOUT - MS) {
            return; // the master was silent for a timeout: the block goes again (or the next master's first)
        }
        // Heard a latency after it went; an ACK sent before the DATA was heard less that latency arrived before it went.
        for (int i = 0; i < sentAcks.size(); i++) {
            SentAck a = sentAcks.get(i);
            if (a.to() == rx.srcPort() && a.block() == b - 1 && !a.copy() && a.at() <= rx.at() - SC.latencyNanos()) {
                sentAcks.remove(i);
                explained++;
                return;
            }
        }
        fail("DATA " + b + " from port " + rx.srcPort() + " at " + rx.at() / 1e9 + " s answers no ACK of block " + (b - 1)
                + " (copies of an ACK explain nothing, RFC 1123 section 4.2.3.1), and came less than a timeout after "
                + (start < 0 ? "nothing" : "the port's last DATA or new master at " + start / 1e9 + " s"));
    }

    /** The clients behave: masters acknowledge what they hold, a client holding the file acknowledges the last block. */
    private void behave() {
        sim.runFor(MS); // what the clients sent has arrived, and the server's answers to it
        check();
        Map<TftpMulticastSession, List<Integer>> inTransfer = new HashMap<>(); // clients still in each, by index
        for (TftpMulticastSession m : tftp.multicastSessions()) {
            List<MulticastMember> members = m.members();
            for (int i = 0; i < members.size(); i++) {
                if (members.get(i).left() == null) {
                    inTransfer.computeIfAbsent(m, k -> new ArrayList<>()).add(i);
                }
            }
        }
        note("--- the clients behave; in a transfer: " + inTransfer);
        long polls = sim.polls();
        long budget = sim.now() + (long) CLIENTS * MulticastClients.MAX_TURNS * 8 * TIMEOUT + 600 * SEC;
        while (sim.now() < budget && sim.polls() - polls < 400_000) {
            for (Client c : clients) {
                if (c.tid == 0 || c.left) {
                    continue;
                }
                if (c.inOrder() >= lastBlock) {
                    ack(c, lastBlock);
                } else if (c.owesAck && c.master) {
                    ack(c, c.inOrder());
                }
                c.owesAck = false;
            }
            if (tftp.multicastSessions().stream().allMatch(TftpMulticastSession::ended)) {
                break;
            }
            int[] counts = new int[HOSTS + 1];
            for (int h = 0; h <= HOSTS; h++) {
                counts[h] = station(h).received.size();
            }
            sim.run(() -> {
                for (int h = 0; h <= HOSTS; h++) {
                    if (station(h).received.size() != counts[h]) {
                        return true;
                    }
                }
                return false;
            }, budget - sim.now());
            check();
        }
        assertTrue(sim.polls() - polls < 400_000, "the server spun: " + (sim.polls() - polls) + " polls");
        for (TftpMulticastSession m : tftp.multicastSessions()) {
            assertTrue(m.ended(), "a multicast transfer still running once the clients behaved: " + m.stats());
        }
        sim.runFor(10 * SEC);
        check();
        for (TftpMulticastSession m : tftp.multicastSessions()) {
            assertTrue(!host.stack().isBound(m.port()), "port " + m.port() + " still bound after its transfer ended");
            for (int i : inTransfer.getOrDefault(m, List.of())) {
                MulticastMember mm = m.members().get(i);
                assertEquals(MulticastMember.Left.SERVED, mm.left(), "a client in the transfer when the clients behaved: "
                        + mm + " " + m.stats());
                Client c = clients[(mm.ip().value() - Ipv4Address.parse("10.0.0.42").value()) * PORTS.length
                        + (mm.port() == PORTS[0] ? 0 : 1)];
                assertEquals(lastBlock, c.inOrder(), "client " + c.host + ":" + c.port + " was served without every block");
            }
        }
    }

    private void note(String s) {
        trace.append(s).append('\n');
        if (trace.length() > 200_000) {
            trace.delete(0, trace.length() - 100_000);
        }
    }

    private String tail() {
        String t = trace.toString();
        return t.length() > 6000 ? "...\n" + t.substring(t.length() - 6000) : t;
    }
}
