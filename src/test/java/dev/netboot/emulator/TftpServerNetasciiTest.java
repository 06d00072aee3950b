package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.net.UdpHandler;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emulated TFTP server in mode netascii (RFC 1350: LF as CR LF, CR as CR NUL), as {@code netboot serve --root}
 * runs it: the netascii form is made block by block as it is sent, so a client asking for a large file in netascii
 * neither makes the server read the file ahead nor holds up the other clients, and windows (RFC 7440) and resends
 * through loss still give the right bytes. What is read from disk is measured as the kernel counts it for the thread
 * running the simulation ({@code rchar} of /proc/thread-self/io: every byte read(2)/pread(2) returned).
 */
class TftpServerNetasciiTest {
    private static final Scenario SC = Scenario.DEFAULT;
    private static final Ipv4Address SERVER = SC.serverIp();
    private static final long T = SC.tftpTimeout();

    @TempDir
    Path dir;

    /** Bytes this thread has read through read(2)-like calls so far (Linux task I/O accounting). */
    private static long rchar() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/io"))) {
                if (line.startsWith("rchar:")) {
                    return Long.parseLong(line.substring(6).strip());
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/thread-self/io", e);
        }
        throw new AssertionError("no rchar in /proc/thread-self/io");
    }

    private record Lan(Simulation sim, TftpServer tftp, TestClient a, TestClient b) {
    }

    private static Lan lan(FaultPlan faults, TftpServerConfig config) {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(SC.latencyNanos(), faults, Seeds.derive(SC.seed(), "segment"));
        ServerHost host = sim.add(new ServerHost(seg, SC.serverMac(), SC.serverIp(), SC.netmask(), SC.gateway()));
        TftpServer tftp = host.startTftp(config, Seeds.random(SC.seed(), "tftp-ports"));
        TestClient a = new TestClient(seg, MacAddress.parse("02:00:00:00:00:0a"));
        a.stack.configure(Ipv4Address.parse("10.0.0.10"), SC.netmask(), SC.gateway());
        TestClient b = new TestClient(seg, MacAddress.parse("02:00:00:00:00:0b"));
        b.stack.configure(Ipv4Address.parse("10.0.0.11"), SC.netmask(), SC.gateway());
        sim.add(a);
        sim.add(b);
        return new Lan(sim, tftp, a, b);
    }

    /** A sparse file of {@code size} bytes (zeros: netascii sends them as they are). */
    private Path sparse(Path folder, String name, long size) throws IOException {
        Path p = folder.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    @Test
    void aLargeNetasciiTransferReadsBlockByBlockAndAnOctetClientIsServedMeanwhile() throws IOException {
        // Main read the whole file in the step that took the netascii RRQ, to count its netascii size: 256 MiB here
        // (4 GiB took seconds of wall time, every other client stalled meanwhile), and kept an index of it. Now no
        // step of the event loop reads more than a few blocks, and the octet client's transfer completes while the
        // netascii one has sent a few dozen blocks.
        Path root = Files.createDirectories(dir.resolve("root"));
        sparse(root, "big.txt", 256L << 20);
        byte[] small = new byte[20_000];
        new SplittableRandom(3).nextBytes(small);
        Files.write(root.resolve("small.bin"), small);
        warmUp(); // the classes a transfer needs loaded now: loading them reads class files, which would count below
        Lan l = lan(SC.faults(), SC.tftpConfig());
        l.tftp().serveFolder(root);
        l.a().listen(2000).autoAck = true;
        l.b().listen(2001).autoAck = true;
        l.a().send(0, 2000, SERVER, 69, new TftpPacket.Rrq("big.txt", "netascii", List.of()));
        l.b().send(0, 2001, SERVER, 69, new TftpPacket.Rrq("small.bin", "octet", List.of()));
        long[] worst = {0};
        long[] before = {rchar()};
        Simulation.RunResult r = l.sim().run(() -> {
            long now = rchar();
            worst[0] = Math.max(worst[0], now - before[0]);
            before[0] = rchar(); // reading the counter reads a few hundred bytes itself: left out
            return l.tftp().sessions().size() == 2 && session(l, "small.bin").stats().end() != null;
        }, 60 * T);
        l.tftp().closeFiles();
        assertTrue(r.done(), "the octet transfer ended");
        TftpSession big = session(l, "big.txt");
        TftpSession.Stats octet = session(l, "small.bin").stats();
        assertEquals("small.bin", octet.file());
        assertEquals(TftpSession.End.COMPLETE, octet.end());
        assertEquals(20_000 / 512 + 1, octet.blocksAcked());
        assertNull(big.stats().end(), "the netascii transfer goes on");
        assertTrue(big.stats().dataSent() >= 20_000 / 512, "it went on meanwhile: " + big.stats().dataSent() + " blocks");
        assertEquals(ReadBlocks.UNKNOWN, big.stats().size(), "its size is known only at its end");
        // A step's reads: a block of each transfer (512 bytes) and the counter's own reading of /proc (a few hundred
        // bytes, at most a few KiB); main's was the whole 256 MiB file.
        assertTrue(worst[0] < 256 * 1024, "the most one step of the event loop read: " + worst[0] + " bytes");
        assertTrue(big.fileBytesRead() <= big.stats().dataSent() * 512, big.fileBytesRead() + " bytes read for "
                + big.stats().dataSent() + " blocks");
        // What went: zeros, as they are.
        for (TestClient.Rx rx : l.a().received) {
            TftpPacket.Data d = (TftpPacket.Data) rx.tftp();
            assertArrayEquals(new byte[512], d.data(), "block " + d.block());
        }
    }

    private static TftpSession session(Lan l, String file) {
        return l.tftp().sessions().stream().filter(s -> s.stats().file().equals(file)).findFirst().orElseThrow();
    }

    /** Runs a small netascii and a small octet transfer from a folder, so their classes are loaded. */
    private void warmUp() throws IOException {
        Path root = Files.createDirectories(dir.resolve("warm"));
        Files.write(root.resolve("w.txt"), "a\nb\r".repeat(500).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Lan l = lan(SC.faults(), SC.tftpConfig());
        l.tftp().serveFolder(root);
        l.a().listen(2000).autoAck = true;
        l.b().listen(2001).autoAck = true;
        l.a().send(0, 2000, SERVER, 69, new TftpPacket.Rrq("w.txt", "netascii", List.of()));
        l.b().send(0, 2001, SERVER, 69, new TftpPacket.Rrq("w.txt", "octet", List.of()));
        l.sim().runFor(60 * T);
        l.tftp().closeFiles();
        assertEquals(2, l.tftp().sessions().stream().filter(s -> s.stats().end() == TftpSession.End.COMPLETE).count());
    }

    /**
     * An RFC 7440 receiver: takes DATA in order, acknowledges each window's last block (or the last block in order
     * when one is missing or out of order), sends its last packet again after a timeout; the bytes in order.
     */
    private static final class WindowedReceiver implements UdpHandler, SimNode {
        private final TestClient host;
        private final int port;
        private final int blockSize;
        private final int window;
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        private long expected = 1;
        private int serverPort = -1;
        private boolean done;
        private TftpPacket last;
        TftpPacket.Oack oack;
        private long retryAt = Long.MAX_VALUE;
        long acks;

        WindowedReceiver(TestClient host, int port, int blockSize, int window) {
            this.host = host;
            this.port = port;
            this.blockSize = blockSize;
            this.window = window;
            host.stack.bind(port, this);
        }

        void request(long now, TftpPacket.Rrq rrq) {
            send(now, 69, rrq);
        }

        private void send(long now, int to, TftpPacket p) {
            last = p;
            host.send(now, port, SERVER, to, p);
            retryAt = now + 2 * T;
            if (p instanceof TftpPacket.Ack) {
                acks++;
            }
        }

        @Override
        public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
            TftpPacket p = TftpWire.parse(buf, off, len);
            if (serverPort < 0) {
                serverPort = srcPort;
            }
            switch (p) {
                case TftpPacket.Oack o -> {
                    oack = o;
                    send(now, serverPort, new TftpPacket.Ack(0));
                }
                case TftpPacket.Data d when !done && d.block() == (int) (expected & 0xFFFF) -> {
                    got.writeBytes(d.data());
                    expected++;
                    if (d.data().length < blockSize) {
                        done = true;
                        send(now, serverPort, new TftpPacket.Ack(d.block()));
                        retryAt = Long.MAX_VALUE;
                    } else if ((expected - 1) % window == 0) {
                        send(now, serverPort, new TftpPacket.Ack(d.block()));
                    }
                }
                case TftpPacket.Data d -> send(now, serverPort, new TftpPacket.Ack((int) ((expected - 1) & 0xFFFF)));
                default -> throw new AssertionError("unexpected " + p);
            }
        }

        @Override
        public void poll(long now) {
            if (now >= retryAt && !done) {
                send(now, last instanceof TftpPacket.Rrq ? 69 : serverPort, last);
            }
        }

        @Override
        public long pollAt() {
            return done ? Long.MAX_VALUE : retryAt;
        }
    }

    @Test
    void windowsBlockSizesAndLossGiveTheNetasciiFormByteForByte() {
        // Lines of text with CR LF, bare CR, bare LF, CR at the ends of blocks; 10% loss both ways, windows of 4 and 8
        // blocks of 700 bytes, and lock-step: every block lost is sent again from its checkpoint, byte for byte.
        byte[] raw = new byte[60_000];
        SplittableRandom rnd = new SplittableRandom(1350);
        for (int i = 0; i < raw.length; i++) {
            int k = rnd.nextInt(12);
            raw[i] = (byte) (k == 0 ? '\r' : k == 1 ? '\n' : 'a' + rnd.nextInt(26));
        }
        raw[699] = '\r';   // block 1 ends ... CR: its NUL opens block 2 (the first 699 bytes hold LFs and CRs, so
        raw[1399] = '\n';  // these are at or near block ends; the reference decides what each block holds)
        raw[raw.length - 1] = '\r';
        for (int[] w : new int[][] {{700, 4}, {700, 8}, {512, 1}}) {
            Lan l = lan(FaultPlan.loss(0.10), SC.tftpConfig().withLimits(1468, 16));
            l.tftp().serve("notes.txt", raw);
            WindowedReceiver rx = new WindowedReceiver(l.a(), 3000, w[0], w[1]);
            l.sim().add(rx);
            List<TftpPacket.Option> options = w[1] == 1 ? List.of()
                    : List.of(new TftpPacket.Option("blksize", Integer.toString(w[0])),
                    new TftpPacket.Option("windowsize", Integer.toString(w[1])), new TftpPacket.Option("tsize", "0"));
            rx.request(0, new TftpPacket.Rrq("notes.txt", "netascii", options));
            Simulation.RunResult r = l.sim().run(() -> rx.done, 3_600L * 1_000_000_000L);
            assertTrue(r.done(), "blksize " + w[0] + ", window " + w[1]);
            assertArrayEquals(NetasciiRule.of(raw), rx.got.toByteArray(), "blksize " + w[0] + ", window " + w[1]);
            TftpSession.Stats st = l.tftp().sessions().getLast().stats();
            assertEquals(NetasciiRule.of(raw).length, st.size());
            assertEquals(w[0], st.blockSize());
            assertEquals(w[1], st.windowSize());
            assertTrue(st.retransmissions() > 0, "the loss made the server send blocks again: " + st);
        }
    }

    @Test
    void aShuffledWindowOfANetasciiTransferHasTheRightBytes() {
        // A misbehaving server (TftpQuirks.shuffle) hands each window's blocks over in a random order: a block ahead
        // is made after the ones before it, and a window never reaches past the last block, found first.
        byte[] raw = "line one\r\nline two\nline three\r".repeat(200).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        TftpQuirks shuffle = new TftpQuirks(false, false, true, 0, 0, TftpQuirks.Oack.NONE, 0, 0, 0, 0,
                "Disk read failure", false, false, 0, 0, false);
        Lan l = lan(FaultPlan.NONE, SC.tftpConfig().withLimits(1468, 16).withQuirks(shuffle));
        l.tftp().serve("notes.txt", raw);
        WindowedReceiver rx = new WindowedReceiver(l.a(), 3000, 100, 8);
        l.sim().add(rx);
        rx.request(0, new TftpPacket.Rrq("notes.txt", "netascii", List.of(new TftpPacket.Option("blksize", "100"),
                new TftpPacket.Option("windowsize", "8"))));
        assertTrue(l.sim().run(() -> rx.done, 3_600L * 1_000_000_000L).done());
        assertArrayEquals(NetasciiRule.of(raw), rx.got.toByteArray());
        l.sim().runFor(T); // the last ACK reaches the server
        assertEquals(TftpSession.End.COMPLETE, l.tftp().sessions().getLast().stats().end());
    }

    @Test
    void aNetasciiRequestWithMulticastIsServedAsAPlainOneWithoutTsize() {
        // RFC 2090 clients ask for any block of the file; tftpd-hpa has no multicast, and answers a netascii request
        // with tsize with ERROR 8 ("Unsupported option(s) requested"). This server leaves both out of the OACK
        // (RFC 2347: options the server does not support are not acknowledged) and sends the netascii form.
        byte[] raw = "a\nb\r".repeat(300).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Lan l = lan(FaultPlan.NONE, SC.tftpConfig().withLimits(1468, 16));
        l.tftp().offerMulticast(new Scenario.Multicast(Ipv4Address.parse("239.255.0.1"), 4, 1758));
        l.tftp().serve("notes.txt", raw);
        l.tftp().serve("other.bin", new byte[10]);
        WindowedReceiver rx = new WindowedReceiver(l.a(), 3000, 512, 1);
        l.sim().add(rx);
        rx.request(0, new TftpPacket.Rrq("notes.txt", "netascii", List.of(new TftpPacket.Option("multicast", ""),
                new TftpPacket.Option("tsize", "0"), new TftpPacket.Option("timeout", "2"))));
        assertTrue(l.sim().run(() -> rx.done, 3_600L * 1_000_000_000L).done());
        assertArrayEquals(NetasciiRule.of(raw), rx.got.toByteArray());
        assertEquals(new TftpPacket.Oack(List.of(new TftpPacket.Option("timeout", "2"))), rx.oack);
        assertTrue(l.tftp().multicastSessions().isEmpty());
        assertEquals(1, l.tftp().sessions().size());
        assertEquals(1800, l.tftp().sessions().getFirst().stats().size(), "300 x (a CR LF b CR NUL)");
    }
}
