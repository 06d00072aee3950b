package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.BootObserver;
import dev.netboot.device.BootSequence;
import dev.netboot.device.DeviceProfile;
import dev.netboot.flash.Flash;
import dev.netboot.flash.SimulatedNorFlash;
import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStack;
import dev.netboot.tftp.TftpClient;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.tftp.TftpSink;
import dev.netboot.tftp.TftpSource;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The project's own TFTP client against the emulated server, in virtual time: negotiation, windows,
 * uploads, and the server's misbehaviour switches each met by the client's fallback.
 */
class TftpServerOptionsTest {
    static final long MS = 1_000_000L;
    static final long S = 1_000 * MS;
    static final Scenario SC = Scenario.DEFAULT;
    static final Ipv4Address CLIENT_IP = Ipv4Address.parse("10.0.0.42");

    /** A board-side stack and TFTP client on the server's segment. */
    record Lan(Simulation sim, EthernetSegment segment, TftpServer server, NetStack stack, TftpClient client) {
    }

    static Lan lan(TftpServerConfig serverConfig, TftpConfig clientConfig, FaultPlan faults, long seed) {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(SC.latencyNanos(), faults, seed);
        ServerHost host = sim.add(new ServerHost(seg, SC.serverMac(), SC.serverIp(), SC.netmask(), SC.gateway()));
        TftpServer server = host.startTftp(serverConfig, new SplittableRandom(seed));
        NetStack stack = new NetStack(seg.attach(MacAddress.parse("02:00:00:00:00:42")), NetConfig.DEFAULTS);
        stack.configure(CLIENT_IP, SC.netmask(), SC.gateway());
        TftpClient client = new TftpClient(stack, clientConfig, new SplittableRandom(seed + 1));
        sim.add(new SimNode() {
            @Override
            public void poll(long now) {
                stack.poll(now);
                client.poll(now);
            }

            @Override
            public long pollAt() {
                return Math.min(stack.pollAt(), client.pollAt());
            }
        });
        return new Lan(sim, seg, server, stack, client);
    }

    static byte[] file(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static class Collect implements TftpSink {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        long announced = -2;

        @Override
        public void begin(long expectedSize) {
            announced = expectedSize;
        }

        @Override
        public void write(ByteBuffer buf, int off, int len) {
            byte[] b = new byte[len];
            buf.get(off, b);
            out.writeBytes(b);
        }
    }

    record ArraySource(byte[] bytes) implements TftpSource {
        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public int read(long offset, ByteBuffer dst, int off, int len) {
            int n = (int) Math.min(len, bytes.length - offset);
            dst.put(off, bytes, (int) offset, n);
            return n;
        }
    }

    static final TftpConfig WINDOWED = new TftpConfig(1 * S, 8, 512).withBlockSize(TftpConfig.AUTO).withWindow(8, 64 * 1024);

    /** Reads {@code content} as "f" and returns the client, checking the bytes. */
    static Lan read(TftpServerConfig sc, TftpConfig cc, FaultPlan faults, byte[] content, long seed) {
        Lan l = lan(sc, cc, faults, seed);
        l.server().serve("f", content);
        Collect sink = new Collect();
        l.client().startRead(0, SC.serverIp(), 69, "f", sink);
        l.sim().run(() -> l.client().state() instanceof TftpClient.State.Done || l.client().state() instanceof TftpClient.State.Failed,
                600 * S);
        assertInstanceOf(TftpClient.State.Done.class, l.client().state(), () -> l.client().state().toString());
        assertArrayEquals(content, sink.out.toByteArray());
        return l;
    }

    @Test
    void anOptionNamedTwiceIsAnsweredOnceWithTheValueTheSessionRuns() {
        // A request naming blksize twice (as BLKSIZE and blksize: RFC 2347 names are case-insensitive). The OACK must name
        // each option once (netboot's own client, like any careful one, refuses an OACK that names one twice), and the
        // block size it names must be the one DATA then carries: answering "blksize 1024, blksize 1400" and sending
        // 1400-byte blocks made a client that took the first see every block as oversize. The first one counts.
        List<TftpPacket.Option> asked = List.of(new TftpPacket.Option("blksize", "1024"), new TftpPacket.Option("windowsize", "4"),
                new TftpPacket.Option("blksize", "1400"), new TftpPacket.Option("windowsize", "8"));
        TftpServerSession.Params p = ServerOptions.negotiate(SC.tftpConfig(), 1472, asked, 100_000);
        assertEquals(List.of(new TftpPacket.Option("blksize", "1024"), new TftpPacket.Option("windowsize", "4")), p.oack().options());
        assertEquals(1024, p.blockSize());
        assertEquals(4, p.windowSize());
    }

    @Test
    void negotiates1468ByWindow8AndTheFileIsExact() {
        byte[] content = file(300_001, 1);
        Lan l = read(SC.tftpConfig(), WINDOWED, FaultPlan.NONE, content, 1);
        assertEquals(1468, l.client().blockSize());
        assertEquals(8, l.client().windowSize());
        TftpSession.Stats st = l.server().sessions().getFirst().stats();
        assertEquals(1468, st.blockSize());
        assertEquals(8, st.windowSize());
        assertEquals(0, st.retransmissions());
        assertEquals(300_001 / 1468 + 1, st.dataSent());                // each block once
        assertEquals(0, l.client().stats().retransmissions());
    }

    @Test
    void fivePercentLossEachWayStillDeliversExactly() {
        Lan l = read(SC.tftpConfig().withRetry(1 * S, 20), WINDOWED, FaultPlan.loss(0.05), file(500_000, 2), 7);
        assertTrue(l.client().stats().gapAcks() + l.client().stats().retransmissions() > 0, l.client().stats().toString());
    }

    @Test
    void reorderingAndDuplicationAreSurvived() {
        read(SC.tftpConfig(), WINDOWED, new FaultPlan(0.02, 0.05, 0), file(200_000, 3), 11);
    }

    @Test
    void oldServerThatIgnoresOptionsServesAt512LockStep() {
        Lan l = read(SC.tftpConfig().withOptions(TftpServerConfig.Options.IGNORE), WINDOWED, FaultPlan.NONE, file(5000, 4), 1);
        assertEquals(512, l.client().blockSize());
        assertEquals(1, l.client().windowSize());
    }

    @Test
    void serverThatRefusesOptionsIsAskedAgainWithout() {
        Lan l = read(SC.tftpConfig().withOptions(TftpServerConfig.Options.REFUSE), WINDOWED, FaultPlan.NONE, file(5000, 5), 1);
        assertEquals(1, l.server().stats().optionsRefused());
        assertEquals(2, l.server().stats().readRequests());
        assertEquals(512, l.client().blockSize());
    }

    @Test
    void singlePortServerIsFollowedOnPort69() {
        Lan l = read(SC.tftpConfig().withSinglePort(true), WINDOWED, FaultPlan.NONE, file(50_000, 6), 1);
        assertEquals(69, l.server().sessions().getFirst().port());
        assertEquals(0, l.client().stats().strayPackets());
    }

    @Test
    void serverCapsTheBlockAndWindow() {
        Lan l = read(SC.tftpConfig().withLimits(1024, 4), WINDOWED, FaultPlan.NONE, file(20_000, 7), 1);
        assertEquals(1024, l.client().blockSize());
        assertEquals(4, l.client().windowSize());
    }

    @Test
    void uploads100KbAt1428ByWindow8AndTheServerHoldsTheSameBytes() {
        byte[] content = file(100 * 1024, 8);
        TftpConfig cc = new TftpConfig(1 * S, 8, 1428).withWindow(8, 0);
        Lan l = lan(SC.tftpConfig(), cc, FaultPlan.NONE, 1);
        l.client().startWrite(0, SC.serverIp(), 69, "up.img", new ArraySource(content));
        l.sim().run(() -> l.client().state() instanceof TftpClient.State.Done || l.client().state() instanceof TftpClient.State.Failed,
                60 * S);
        assertEquals(new TftpClient.State.Done(content.length, l.client().finishedAt()), l.client().state());
        assertEquals(1428, l.client().blockSize());
        assertEquals(8, l.client().windowSize());
        assertArrayEquals(content, l.server().uploads().get("up.img"));
        l.sim().runFor(5 * S);                                          // the server's dally ends
        assertEquals(TftpSession.End.COMPLETE, l.server().uploadSessions().getFirst().stats().end());
    }

    @Test
    void uploadWithLossIsExact() {
        byte[] content = file(60_000, 9);
        Lan l = lan(SC.tftpConfig().withRetry(1 * S, 20), new TftpConfig(1 * S, 20, 1428).withWindow(8, 0),
                FaultPlan.loss(0.05), 3);
        l.client().startWrite(0, SC.serverIp(), 69, "up.img", new ArraySource(content));
        l.sim().run(() -> l.client().state() instanceof TftpClient.State.Done || l.client().state() instanceof TftpClient.State.Failed,
                600 * S);
        assertInstanceOf(TftpClient.State.Done.class, l.client().state(), () -> l.client().state().toString());
        assertArrayEquals(content, l.server().uploads().get("up.img"));
    }

    @Test
    void oackAnswersTsizeWithTheFileSizeAndEchoesTimeout() {
        Lan l = lan(SC.tftpConfig(), WINDOWED, FaultPlan.NONE, 1);
        l.server().serve("f", file(12345, 1));
        TestClient c = new TestClient(l.segment(), MacAddress.parse("02:00:00:00:00:77")).listen(2000);
        c.stack.configure(Ipv4Address.parse("10.0.0.77"), SC.netmask(), SC.gateway());
        l.sim().add(c);
        c.send(0, 2000, SC.serverIp(), 69, new TftpPacket.Rrq("f", "octet", List.of(new TftpPacket.Option("blksize", "9000"),
                new TftpPacket.Option("tsize", "0"), new TftpPacket.Option("timeout", "3"),
                new TftpPacket.Option("windowsize", "100"), new TftpPacket.Option("rollover", "1"),
                new TftpPacket.Option("utimeout", "5000"))));
        TftpPacket p = c.next(l.sim()).tftp();
        // blksize capped by the MTU (1468); the scenario's server grants any window (the client's RAM is the
        // limit: Scenario.tftpConfig), so 100 is echoed; the unknown utimeout is left out.
        assertEquals(new TftpPacket.Oack(List.of(new TftpPacket.Option("blksize", "1468"), new TftpPacket.Option("tsize", "12345"),
                new TftpPacket.Option("timeout", "3"), new TftpPacket.Option("windowsize", "100"),
                new TftpPacket.Option("rollover", "1"))), p);
    }

    /** The emulated boot with the default profile negotiates 1468 × 8 and lands the image exactly; also at 5% loss. */
    @Test
    void emulatedBootNegotiatesAndLandsTheImageExactly() throws Exception {
        DeviceProfile profile = DeviceProfile.resolve(DeviceProfile.DEFAULT_NAME, Path.of("device-profiles"));
        for (double loss : new double[] {0, 0.05}) {
            byte[] image = file(700_001, 10);
            Flash flash = SimulatedNorFlash.inMemory(profile.flash());
            EmulatedBoot.Result r = EmulatedBoot.run(new EmulatedBoot.Config(SC.withLoss(loss), profile, image, flash, null,
                    new BootObserver() {
                    }));
            BootSequence.State.Done d = assertInstanceOf(BootSequence.State.Done.class, r.state(), () -> r.state().toString());
            assertEquals(image.length, d.report().bytes());
            assertEquals(1468, r.blockSize());
            assertEquals(8, r.windowSize());
            assertTrue(r.transferNanos() > 0 && r.transferNanos() < r.simulatedNanos());
            byte[] back = new byte[image.length];
            flash.read(profile.slot(0).offset(), back, 0, back.length);
            assertArrayEquals(image, back);
        }
    }
}
