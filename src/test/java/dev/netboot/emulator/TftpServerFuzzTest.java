package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.netboot.wire.FuzzInput;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the emulated TFTP server, the one {@code netboot serve} runs for real boards, from hostile clients: two hosts,
 * three ports each, sending requests with any name, mode and options (well formed or not), ACKs, DATA, ERRORs and raw
 * bytes, to port 69, to a transfer ID they were given or to any port, with time between them. The server's settings
 * (options honoured, ignored or refused, one port or a port per transfer, uploads, block and window limits, a limit on
 * transfers and what a request past it gets, the quirks of servers in the wild) come from the input too, and it serves
 * named files and a folder (with a link out of it and a subfolder).
 *
 * <p>Properties, checked on every datagram the clients receive and at the end:
 * <ul>
 *   <li>nothing the server does throws, and everything it sends is a well-formed TFTP packet;</li>
 *   <li>DATA carries exactly the bytes of the file its session serves at that block (octet, or the netascii form of
 *       RFC 764 that tftpd-hpa sends: LF as CR LF, CR as CR NUL), no more than the session's block size, full-sized
 *       but for the last; nothing outside the served names and folder is ever sent;</li>
 *   <li>an OACK names only options the client asked for (RFC 2347), and grants no block size and no window larger
 *       than asked;</li>
 *   <li>an upload holds the bytes the client sent, block after block;</li>
 *   <li>once the clients fall silent, every transfer ends within its retry budget, the request queue empties, every
 *       transfer's port is given back, and the server does not spin on the way (a bounded number of polls).</li>
 * </ul>
 */
class TftpServerFuzzTest {
    static final long MS = 1_000_000L;
    static final long SEC = 1_000L * MS;
    static final Scenario SC = Scenario.DEFAULT;
    static final Ipv4Address[] CLIENTS = {Ipv4Address.parse("10.0.0.42"), Ipv4Address.parse("10.0.0.43")};
    static final int[] CLIENT_PORTS = {2000, 2001, 69};
    static final List<String> NAMES = List.of("boot.img", "empty", "text.txt", "dir/cfg", "/dir/cfg", "//top.bin",
            "./top.bin", "dir/../top.bin", "outside", "dir", "missing", "/boot.img", "TOP.BIN");
    static final List<String> MODES = List.of("octet", "netascii", "NetAscii", "mail", "");
    static final List<String> OPTIONS = List.of("blksize", "tsize", "windowsize", "timeout", "rollover", "multicast",
            "BLKSIZE");
    /** The served folder's files, by path in it; made once for every run (the server only reads them). */
    static final Map<String, byte[]> FOLDER_FILES = new HashMap<>();
    static final Path FOLDER = makeFolder();

    enum Op { WAIT, REQUEST, ACK, DATA, ERROR, RAW }

    /** {@code -Dnetboot.fuzz.trace=true}: print every datagram the clients send and receive (to read a finding). */
    static final boolean TRACE = Boolean.getBoolean("netboot.fuzz.trace");

    private static Path makeFolder() {
        try {
            Path root = Files.createTempDirectory("tftp-server-fuzz");
            Path outside = Files.createTempFile("tftp-server-fuzz-outside", ".bin");
            Files.write(outside, "not to be served".getBytes(StandardCharsets.US_ASCII));
            Files.createDirectories(root.resolve("dir"));
            FOLDER_FILES.put("dir/cfg", "default linux\nlabel linux\r\n  kernel /top.bin\r".getBytes(StandardCharsets.US_ASCII));
            byte[] top = new byte[3000];
            new SplittableRandom(7).nextBytes(top);
            FOLDER_FILES.put("top.bin", top);
            for (var e : FOLDER_FILES.entrySet()) {
                Files.write(root.resolve(e.getKey()), e.getValue());
            }
            Files.createSymbolicLink(root.resolve("outside"), outside);
            root.toFile().deleteOnExit();
            root.resolve("dir").toFile().deleteOnExit();
            for (String f : List.of("dir/cfg", "top.bin", "outside")) {
                root.resolve(f).toFile().deleteOnExit();
            }
            outside.toFile().deleteOnExit();
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ seeds

    /** Writes scripts in {@link Run}'s format. */
    static final class Script {
        final FuzzInput.Script s = new FuzzInput.Script();

        /**
         * Header, in {@link Run}'s order: options honoured, a port per transfer, uploads, limits 1468 × 16, 3 retries, no
         * transfer limit, no quirks, the boot image's size and the text file's bytes.
         */
        Script header(int bootSize, byte[] text) {
            op(0).op(0).op(1).op(3).op(15).op(3).op(0).op(0).op(0).op(0).op(0).op(0).op(0).op(0).u16(bootSize).op(text.length / 4);
            s.bytes(Arrays.copyOf(text, text.length / 4 * 4));
            return this;
        }

        Script op(int v) {
            s.u8(v);
            return this;
        }

        Script u16(int v) {
            s.u16(v);
            return this;
        }

        Script waitMs(int ms) {
            return op(Op.WAIT.ordinal()).op(ms).op(0);
        }

        /** A request from client 0 port 0 for {@code NAMES[name]} in {@code MODES[mode]} with options name=value. */
        Script request(boolean write, int name, int mode, Object... optionValue) {
            op(Op.REQUEST.ordinal()).op(0).op(0).op(write ? 1 : 0).op(name).op(mode).op(optionValue.length / 2);
            for (int i = 0; i < optionValue.length; i += 2) {
                op(OPTIONS.indexOf((String) optionValue[i])).op(1).u16((Integer) optionValue[i + 1]);
            }
            return op(0);
        }

        /** From client 0 port 0 to the transfer ID it heard last: an ACK of the last DATA it got. */
        Script ackLast() {
            return op(Op.ACK.ordinal()).op(0).op(0).op(0).op(0);
        }

        /** From client 0 port 0 to its transfer ID: the next DATA block of an upload, full-sized or of {@code length}. */
        Script data(boolean full, int length) {
            op(Op.DATA.ordinal()).op(0).op(0).op(0).op(1);
            return full ? op(0) : op(1).u16(length);
        }

        byte[] build() {
            return s.build();
        }
    }

    static Stream<Arguments> seeds() {
        byte[] text = "line one\nline two\r\nCR alone\r".repeat(20).getBytes(StandardCharsets.US_ASCII);
        List<byte[]> s = new ArrayList<>();
        // A lock-step read of 1300 bytes: DATA 1, 2, 3.
        Script a = new Script().header(1300, text).request(false, 0, 0).waitMs(5);
        for (int i = 0; i < 3; i++) {
            a.ackLast().waitMs(5);
        }
        s.add(a.build());
        // A netascii read of the text with blksize 100 and windowsize 4.
        Script b = new Script().header(100, text).request(false, 2, 1, "blksize", 100, "windowsize", 4).waitMs(5).ackLast().waitMs(5);
        for (int i = 0; i < 5; i++) {
            b.ackLast().waitMs(5);
        }
        s.add(b.build());
        // A folder read by its leading-slash name with tsize.
        Script c = new Script().header(0, text).request(false, 4, 0, "tsize", 0).waitMs(5).ackLast().waitMs(5).ackLast().waitMs(5);
        s.add(c.build());
        // An upload of 1200 bytes with blksize 512: DATA 1, 2 full, DATA 3 short.
        Script d = new Script().header(0, text).request(true, 0, 0).waitMs(5).data(true, 0).waitMs(5).data(true, 0).waitMs(5)
                .data(false, 176).waitMs(5);
        s.add(d.build());
        return s.stream().map(x -> arguments((Object) x));
    }

    /** The seeds are honest transfers, so the fuzzer starts from inside them. */
    @Test
    void seedsCompleteTheirTransfers() {
        List<byte[]> seeds = seeds().map(a -> (byte[]) a.get()[0]).toList();
        Run read = new Run(new FuzzInput(seeds.get(0)));
        read.run();
        assertEquals(3, read.checkedData, "DATA blocks checked");
        assertEquals(TftpSession.End.COMPLETE, read.tftp.sessions().getFirst().stats().end());

        Run ascii = new Run(new FuzzInput(seeds.get(1)));
        ascii.run();
        TftpSession.Stats st = ascii.tftp.sessions().getFirst().stats();
        assertEquals(100, st.blockSize());
        assertEquals(4, st.windowSize());
        assertEquals(NetasciiRule.of(ascii.text).length, st.size());
        assertEquals(TftpSession.End.COMPLETE, st.end());

        Run folder = new Run(new FuzzInput(seeds.get(2)));
        folder.run();
        assertEquals(TftpSession.End.COMPLETE, folder.tftp.sessions().getFirst().stats().end());
        assertEquals(FOLDER_FILES.get("dir/cfg").length, folder.tftp.sessions().getFirst().stats().size());

        Run upload = new Run(new FuzzInput(seeds.get(3)));
        upload.run();
        assertEquals(1200, upload.tftp.uploads().get("boot.img").length);
    }

    /** RFC 764's NVT form as tftpd-hpa sends it: each LF as CR LF, each CR as CR NUL, other bytes as they are. */
    @Test
    void theNetasciiFormThisTestExpectsIsWorkedOutByHand() {
        byte[] raw = {'a', '\n', '\r', '\r', '\n', 0, 'b'};
        assertArrayEquals(new byte[] {'a', '\r', '\n', '\r', 0, '\r', 0, '\r', '\n', 0, 'b'}, NetasciiRule.of(raw));
    }

    @MethodSource("seeds")
    @FuzzTest
    void serve(byte[] input) {
        new Run(new FuzzInput(input)).run();
    }

    /** RFC 2090 clients whose ACKs come twice, out of order or made up ({@link MulticastFuzzRun}). */
    @MethodSource("dev.netboot.emulator.MulticastFuzzRun#seeds")
    @FuzzTest
    void multicast(byte[] input) {
        new MulticastFuzzRun(new FuzzInput(input)).run();
    }

    /**
     * The multicast seeds are honest transfers: the master's every ACK sent twice sends each block once (RFC 1123
     * section 4.2.3.1) and serves all three clients; a client joining late, ACKs out of order and a lost block end with
     * both clients holding the file.
     */
    @Test
    void multicastSeedsServeEveryClient() {
        List<byte[]> seeds = MulticastFuzzRun.seeds().map(a -> (byte[]) a.get()[0]).toList();
        MulticastFuzzRun twice = new MulticastFuzzRun(new FuzzInput(seeds.get(0)));
        twice.run();
        TftpMulticastSession.Stats st = twice.tftp.multicastSessions().getFirst().stats();
        assertEquals(1000 / 64 + 1, st.dataSent(), st.toString());
        assertEquals(3, st.served(), st.toString());
        assertEquals(1000 / 64 + 1, twice.explained, "each DATA answered an ACK sent once");

        MulticastFuzzRun late = new MulticastFuzzRun(new FuzzInput(seeds.get(1)));
        late.run();
        st = late.tftp.multicastSessions().getFirst().stats();
        assertEquals(2, st.served(), st.toString());
        assertTrue(st.rewinds() + st.repairs() >= 1, st.toString());
    }

    /** Byte {@code i} of upload block {@code block}: what the clients send, so an upload can be checked. */
    static byte uploadByte(int block, int i) {
        return (byte) (block * 7 + i * 13 + 1);
    }

    // ------------------------------------------------------------------ one run

    static final class Run {
        static final int[] BLOCK_LIMITS = {8, 512, 1024, 1468, 65464};
        final FuzzInput in;
        final Simulation sim = new Simulation();
        final ServerHost host;
        final TftpServer tftp;
        final TestClient[] clients = new TestClient[CLIENTS.length];
        final Map<String, byte[]> named = new HashMap<>();
        final byte[] text;
        final int[] seen = new int[CLIENTS.length];
        /** Per client and port: the transfer ID heard last, the last DATA block, the block size its OACK gave. */
        final int[][] tid = new int[CLIENTS.length][CLIENT_PORTS.length];
        final int[][] lastData = new int[CLIENTS.length][CLIENT_PORTS.length];
        final int[][] lastAck = new int[CLIENTS.length][CLIENT_PORTS.length];
        final int[][] blockSize = new int[CLIENTS.length][CLIENT_PORTS.length];
        /** Per client and port: the options it ever asked for (lower case), and the largest blksize and windowsize. */
        final List<List<Set<String>>> asked = new ArrayList<>();
        final long[][] maxBlksize = new long[CLIENTS.length][CLIENT_PORTS.length];
        final long[][] maxWindow = new long[CLIENTS.length][CLIENT_PORTS.length];
        final Set<Integer> uploadBlockSizes = new HashSet<>(List.of(512));
        final boolean misbehaving;
        int checkedData;

        Run(FuzzInput in) {
            this.in = in;
            TftpServerConfig.Options options = TftpServerConfig.Options.values()[in.below(3)];
            boolean singlePort = in.bool();
            boolean writes = in.bool();
            int maxBlock = BLOCK_LIMITS[in.below(BLOCK_LIMITS.length)];
            int maxWindow = 1 + in.below(16);
            int retries = in.below(6);
            int maxTransfers = in.below(4);
            TftpServerLimits.WhenFull whenFull = TftpServerLimits.WhenFull.values()[in.below(3)];
            int queue = in.below(4);
            boolean wrapToOne = in.bool();
            boolean sorcerer = in.bool();
            boolean multicast = in.bool();
            boolean restartWindows = in.bool();
            misbehaving = in.below(8) == 7;
            TftpQuirks quirks = TftpQuirks.NONE.withWrapToOne(wrapToOne).withSorcerersApprentice(sorcerer)
                    .withRestartWindows(restartWindows);
            if (misbehaving) { // the quirks of serve's chaos mode: what it sends is not checked, how it runs is
                quirks = new TftpQuirks(wrapToOne, in.bool(), in.bool(), in.u8() / 255.0, in.u8() / 255.0,
                        TftpQuirks.Oack.values()[in.below(4)], in.u8() / 255.0, in.u8() - 128, in.u8(), in.u8(),
                        "Disk read failure", in.bool(), sorcerer, in.u8(), in.u8() * 10 * MS, restartWindows);
            }
            TftpServerConfig config = TftpServerConfig.DEFAULTS.withOptions(options).withSinglePort(singlePort).withWrites(writes)
                    .withLimits(maxBlock, maxWindow).withRetry(SEC, retries).withQuirks(quirks);
            byte[] boot = new byte[in.u16() % 6000];
            for (int i = 0; i < boot.length; i++) {
                boot[i] = (byte) (i * 31 + 5);
            }
            text = in.bytes(in.u8() * 4);

            EthernetSegment seg = sim.newSegment(SC.latencyNanos(), FaultPlan.NONE, 1);
            host = sim.add(new ServerHost(seg, SC.serverMac(), SC.serverIp(), SC.netmask(), SC.gateway()));
            tftp = host.startTftp(config, new SplittableRandom(3));
            tftp.limit(new TftpServerLimits(maxTransfers, whenFull, queue));
            if (misbehaving) {
                tftp.misbehaveWith(new SplittableRandom(in.u8()), null);
            }
            if (multicast) {
                tftp.offerMulticast(Scenario.Multicast.DEFAULT);
            }
            named.put("boot.img", boot);
            named.put("empty", new byte[0]);
            named.put("text.txt", text);
            named.forEach(tftp::serve);
            try {
                tftp.serveFolder(FOLDER);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (int c = 0; c < CLIENTS.length; c++) {
                clients[c] = new TestClient(seg, MacAddress.parse("02:00:00:00:00:4" + c));
                for (int port : CLIENT_PORTS) {
                    clients[c].listen(port);
                }
                clients[c].stack.configure(CLIENTS[c], SC.netmask(), SC.gateway());
                sim.add(clients[c]);
                List<Set<String>> perPort = new ArrayList<>();
                for (int p = 0; p < CLIENT_PORTS.length; p++) {
                    perPort.add(new HashSet<>());
                    blockSize[c][p] = 512;
                }
                asked.add(perPort);
            }
        }

        void run() {
            if (TRACE) {
                System.out.println("=== a run: " + describeConfig());
            }
            try {
                int ops = 0;
                while (in.more() && ops++ < 400) {
                    step(Op.values()[in.below(Op.values().length)]);
                    check();
                }
                // The clients fall silent: every transfer ends within its retry budget, without spinning on the way. A
                // session tries at most 6 times with a timeout a client may set to 255 s (RFC 2349); a multicast one
                // (RFC 2090) as long for each of the 6 client ports that may have joined it, one master after another.
                long polls = sim.polls();
                sim.runFor(SEC); // what the clients sent has arrived: every request runs or waits by now
                long budget = (CLIENTS.length * CLIENT_PORTS.length + 1) * 6 * 255 * SEC;
                sim.run(() -> tftp.running() == 0 && tftp.queuedRequests() == 0 || sim.polls() - polls > 200_000, budget);
                check();
                assertTrue(sim.polls() - polls <= 200_000, "the server spun: " + (sim.polls() - polls) + " polls, t=" + sim.now());
                assertEquals(0, tftp.running(), "transfers still running " + budget / SEC + " s after the clients fell silent");
                assertEquals(0, tftp.queuedRequests(), "requests still queued");
                sim.runFor(10 * SEC); // sessions that just ended close their ports
                for (TftpSession s : tftp.sessions()) {
                    assertNotNull(s.stats().end(), () -> "a session that never ended: " + s.stats() + ", " + tftp.running()
                            + " running, t=" + sim.now());
                    assertTrue(s.stats().port() == TftpServer.PORT || !host.stack().isBound(s.stats().port()),
                            "port " + s.stats().port() + " still bound after its session ended");
                }
                for (var e : tftp.uploads().entrySet()) {
                    checkUpload(e.getKey(), e.getValue());
                }
            } finally {
                tftp.closeFiles();
            }
        }

        private void step(Op op) {
            switch (op) {
                case WAIT -> {
                    int ms = in.u8();
                    sim.runFor((in.bool() ? ms * 40L : ms) * MS);
                }
                case REQUEST -> request();
                case ACK -> {
                    int c = in.below(CLIENTS.length);
                    int p = in.below(CLIENT_PORTS.length);
                    int to = target(c, p);
                    int block = switch (in.below(4)) {
                        case 0 -> lastData[c][p];
                        case 1 -> (lastData[c][p] + in.u8() - 128) & 0xFFFF;
                        case 2 -> 0;
                        default -> in.u16();
                    };
                    send(c, p, to, new TftpPacket.Ack(block));
                }
                case DATA -> {
                    int c = in.below(CLIENTS.length);
                    int p = in.below(CLIENT_PORTS.length);
                    int to = target(c, p);
                    int block = in.bool() ? (lastAck[c][p] + 1) & 0xFFFF : in.u16();
                    int length = switch (in.below(3)) {
                        case 0 -> blockSize[c][p];
                        case 1 -> Math.min(in.u16(), blockSize[c][p] - 1);
                        default -> in.u16() % 1500;
                    };
                    if (length < 0 || length > 1468) {
                        length = 1468 - 4;
                    }
                    byte[] d = new byte[length];
                    for (int i = 0; i < length; i++) {
                        d[i] = uploadByte(block, i);
                    }
                    send(c, p, to, new TftpPacket.Data(block, d));
                }
                case ERROR -> {
                    int c = in.below(CLIENTS.length);
                    int p = in.below(CLIENT_PORTS.length);
                    int to = target(c, p);
                    send(c, p, to, new TftpPacket.Error(in.u8() % 9, ascii(in.bytes(in.u8() % 40))));
                }
                case RAW -> {
                    int c = in.below(CLIENTS.length);
                    int p = in.below(CLIENT_PORTS.length);
                    int to = target(c, p);
                    byte[] raw = in.bytes(in.u8());
                    trace(c, CLIENT_PORTS[p], "->", to, "raw " + Arrays.toString(raw));
                    clients[c].send(sim.now(), CLIENT_PORTS[p], SC.serverIp(), to, raw);
                }
            }
        }

        /** A port of the server: the transfer ID the client heard last, port 69, or any. */
        private int target(int c, int p) {
            return switch (in.below(3)) {
                case 0 -> tid[c][p] != 0 ? tid[c][p] : TftpServer.PORT;
                case 1 -> TftpServer.PORT;
                default -> 1 + in.u16() % 65535;
            };
        }

        private void request() {
            int c = in.below(CLIENTS.length);
            int p = in.below(CLIENT_PORTS.length);
            boolean write = in.bool();
            int nameChoice = in.below(NAMES.size() + 1);
            byte[] name = nameChoice < NAMES.size() ? NAMES.get(nameChoice).getBytes(StandardCharsets.UTF_8) : in.bytes(in.u8() % 24);
            int modeChoice = in.below(MODES.size() + 1);
            byte[] mode = modeChoice < MODES.size() ? MODES.get(modeChoice).getBytes(StandardCharsets.UTF_8) : in.bytes(in.u8() % 12);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0);
            out.write(write ? TftpPacket.OP_WRQ : TftpPacket.OP_RRQ);
            out.writeBytes(name);
            out.write(0);
            out.writeBytes(mode);
            out.write(0);
            int n = in.below(4);
            for (int i = 0; i < n; i++) {
                int o = in.below(OPTIONS.size() + 1);
                byte[] optName = o < OPTIONS.size() ? OPTIONS.get(o).getBytes(StandardCharsets.US_ASCII) : in.bytes(in.u8() % 12);
                byte[] value = switch (in.below(4)) {
                    case 0 -> Long.toString(in.u32() & 0xFFFFFFFFL).getBytes(StandardCharsets.US_ASCII);
                    case 1 -> Integer.toString(in.u16()).getBytes(StandardCharsets.US_ASCII);
                    case 2 -> new byte[0];
                    default -> in.bytes(in.u8() % 12);
                };
                out.writeBytes(optName);
                out.write(0);
                out.writeBytes(value);
                out.write(0);
                String lower = new String(optName, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
                asked.get(c).get(p).add(lower);
                long v = parse(value);
                if (lower.equals("blksize")) {
                    maxBlksize[c][p] = Math.max(maxBlksize[c][p], v);
                } else if (lower.equals("windowsize")) {
                    maxWindow[c][p] = Math.max(maxWindow[c][p], v);
                }
            }
            byte[] packet = out.toByteArray();
            int cut = in.below(3); // a request that lacks its last bytes
            trace(c, CLIENT_PORTS[p], "->", TftpServer.PORT, new String(packet, StandardCharsets.ISO_8859_1).replace('\0', '|')
                    + (cut > 0 ? " cut " + cut : ""));
            clients[c].send(sim.now(), CLIENT_PORTS[p], SC.serverIp(), TftpServer.PORT,
                    Arrays.copyOf(packet, Math.max(2, packet.length - cut)));
        }

        private void send(int c, int p, int to, TftpPacket packet) {
            trace(c, CLIENT_PORTS[p], "->", to, describe(packet));
            clients[c].send(sim.now(), CLIENT_PORTS[p], SC.serverIp(), to, packet);
        }

        private String describeConfig() {
            return tftp.config() + " " + tftp.limits() + " misbehaving " + misbehaving + " boot.img " + named.get("boot.img").length
                    + " bytes, text.txt " + text.length;
        }

        private static String describe(TftpPacket p) {
            return p instanceof TftpPacket.Data d ? "DATA " + d.block() + " (" + d.data().length + " bytes)" : p.toString();
        }

        private void trace(int c, int port, String dir, int serverPort, String what) {
            if (TRACE) {
                System.out.printf("%12.6f client %d:%d %s server:%d %s%n", sim.now() / 1e9, c, port, dir, serverPort,
                        what.length() > 160 ? what.substring(0, 160) + "..." : what);
            }
        }

        /** Checks every datagram the clients received since the last check. */
        private void check() {
            for (int c = 0; c < CLIENTS.length; c++) {
                List<TestClient.Rx> got = clients[c].received;
                for (; seen[c] < got.size(); seen[c]++) {
                    TestClient.Rx rx = got.get(seen[c]);
                    if (!rx.src().equals(SC.serverIp())) {
                        continue;
                    }
                    int p = portIndex(rx.dstPort());
                    TftpPacket packet;
                    try {
                        packet = rx.tftp();
                    } catch (MalformedPacketException e) {
                        if (misbehaving) {
                            continue; // it was told to send junk
                        }
                        throw new AssertionError("the server sent a malformed packet to " + rx.dstPort() + ": "
                                + e.getMessage() + " " + Arrays.toString(rx.payload()));
                    }
                    trace(c, rx.dstPort(), "<-", rx.srcPort(), describe(packet));
                    tid[c][p] = rx.srcPort();
                    switch (packet) {
                        case TftpPacket.Data d -> {
                            lastData[c][p] = d.block();
                            checkData(c, rx, d);
                        }
                        case TftpPacket.Ack a -> lastAck[c][p] = a.block();
                        case TftpPacket.Oack o -> checkOack(c, p, o);
                        default -> { }
                    }
                }
            }
        }

        /** An OACK names only options asked for, granting no more than asked (unchecked from a server told to lie). */
        private void checkOack(int c, int p, TftpPacket.Oack o) {
            for (TftpPacket.Option opt : o.options()) {
                String name = opt.name().toLowerCase(Locale.ROOT);
                long v = parse(opt.value().getBytes(StandardCharsets.US_ASCII));
                if (name.equals("blksize") && v >= 8 && v <= 65464) {
                    blockSize[c][p] = (int) v;
                    uploadBlockSizes.add((int) v); // an upload's blocks are of a size some OACK gave
                    // or, from a server told to announce one more than it may (oack = RANGE), what the link carries
                    uploadBlockSizes.add((int) Math.min(v, dev.netboot.net.NetStack.maxUdpPayload(EmulatedPort.MTU) - 4));
                }
                if (misbehaving) {
                    continue;
                }
                assertTrue(asked.get(c).get(p).contains(name), "OACK names " + name + ", which port "
                        + CLIENT_PORTS[p] + " never asked for (RFC 2347)");
                if (name.equals("blksize")) {
                    assertTrue(v >= 8 && v <= maxBlksize[c][p], "blksize " + v + " granted, " + maxBlksize[c][p] + " asked");
                } else if (name.equals("windowsize")) {
                    assertTrue(v >= 1 && v <= maxWindow[c][p], "windowsize " + v + " granted, " + maxWindow[c][p] + " asked");
                }
            }
        }

        /**
         * DATA must be the bytes of its session's file at that block. Sessions are told apart by port and client, but a
         * server on one port (or a port used again) may have had several for one client port by now: one must match.
         */
        private void checkData(int c, TestClient.Rx rx, TftpPacket.Data d) {
            if (misbehaving) {
                return; // a server told to misbehave may send what it likes; it must still not throw or spin
            }
            List<String> tried = new ArrayList<>();
            for (TftpSession s : tftp.sessions()) {
                TftpSession.Stats st = s.stats();
                if (st.port() != rx.srcPort() || !st.client().equals(CLIENTS[c]) || st.clientPort() != rx.dstPort()) {
                    continue;
                }
                byte[] raw = resolve(st.file());
                assertNotNull(raw, "a session for '" + st.file() + "', which names no served file");
                // A netascii transfer's size is known once its last block is made (-1 before): tsize is not sent for it.
                byte[] form = st.size() == raw.length ? raw : NetasciiRule.of(raw);
                if (st.size() >= 0) {
                    assertEquals(form.length, st.size(), "the size of '" + st.file() + "' as sent");
                }
                int bs = st.blockSize();
                long from = (long) (d.block() - 1) * bs;
                if (d.block() >= 1 && from <= form.length
                        && Arrays.equals(d.data(), Arrays.copyOfRange(form, (int) from, (int) Math.min(form.length, from + bs)))) {
                    checkedData++;
                    return;
                }
                tried.add("'" + st.file() + "' (" + st.size() + " bytes as sent, blocks of " + bs + ")");
            }
            if (!tried.isEmpty()) {
                fail("DATA " + d.block() + " of " + d.data().length + " bytes from port " + rx.srcPort() + " is no block of "
                        + String.join(" or ", tried));
            }
            // else multicast DATA (RFC 2090): it goes to the group, not to a session of ours
        }

        /** The file the server must send for {@code name}: a named file, else the folder's (tftpd-hpa -s rules). */
        private byte[] resolve(String name) {
            byte[] raw = named.get(name);
            if (raw != null) {
                return raw;
            }
            // tftpd-hpa -s reads "/boot.img", "./boot.img" and "/./boot.img" as the served boot.img (README, serve).
            raw = named.get(name.replaceFirst("^(/|\\./)+", ""));
            if (raw != null) {
                return raw;
            }
            String rel = name;
            while (rel.startsWith("/")) {
                rel = rel.substring(1);
            }
            return FOLDER_FILES.get(Path.of(rel).normalize().toString());
        }

        private void checkUpload(String name, byte[] got) {
            for (int bs : uploadBlockSizes) {
                boolean match = true;
                for (int i = 0; i < got.length && match; i++) {
                    match = got[i] == uploadByte(i / bs + 1, i % bs);
                }
                if (match) {
                    return;
                }
            }
            fail("upload '" + name + "' of " + got.length + " bytes is not the blocks the clients sent at any block size "
                    + uploadBlockSizes);
        }

        private static int portIndex(int port) {
            for (int i = 0; i < CLIENT_PORTS.length; i++) {
                if (CLIENT_PORTS[i] == port) {
                    return i;
                }
            }
            throw new AssertionError("a datagram to port " + port + ", which no client listens on");
        }

        private static long parse(byte[] value) {
            String s = new String(value, StandardCharsets.US_ASCII);
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        private static String ascii(byte[] b) {
            StringBuilder s = new StringBuilder();
            for (byte x : b) {
                s.append((char) (0x20 + (x & 0x3F)));
            }
            return s.toString();
        }
    }

    @Test
    void aRequestForAFileOutsideTheFolderGetsNoData() {
        // "outside" is a link out of the folder: ERROR 2, and no DATA (which the checks would refuse).
        Run r = new Run(new FuzzInput(new Script().header(0, new byte[0]).request(false, 8, 0).waitMs(20).build()));
        r.run();
        TftpPacket last = r.clients[0].received.getLast().tftp();
        assertEquals(TftpWire.ERR_ACCESS, ((TftpPacket.Error) last).code());
        assertFalse(r.clients[0].received.stream().anyMatch(x -> x.tftp() instanceof TftpPacket.Data));
    }
}
