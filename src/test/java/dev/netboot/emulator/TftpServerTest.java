package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStack;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Timelines of the emulated TFTP server in virtual time. With latency L: the client ARPs for the
 * server at 0, learns it at 2L and sends the RRQ then; the server (which learned the client from its
 * ARP request, RFC 826) gets it at 3L and sends DATA 1 at once, which arrives at 4L.
 */
class TftpServerTest {
    private static final Scenario SC = Scenario.DEFAULT;
    private static final long L = SC.latencyNanos();
    private static final long T = SC.tftpTimeout();
    private static final Ipv4Address SERVER = SC.serverIp();
    private static final Ipv4Address CLIENT_IP = Ipv4Address.parse("10.0.0.42");
    private static final int CLIENT_PORT = 2000;

    record Setup(ServerHost server, TftpServer tftp, TestClient client, Simulation sim) {
    }

    private static Setup setup(Scenario sc) {
        return setup(sc, sc.tftpConfig());
    }

    /** A LAN whose server runs {@code config} instead of the scenario's. */
    static Setup setup(Scenario sc, TftpServerConfig config) {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(sc.latencyNanos(), sc.faults(), Seeds.derive(sc.seed(), "segment"));
        ServerHost host = sim.add(new ServerHost(seg, sc.serverMac(), sc.serverIp(), sc.netmask(), sc.gateway()));
        TftpServer tftp = host.startTftp(config, Seeds.random(sc.seed(), "tftp-ports"));
        TestClient c = new TestClient(seg, MacAddress.parse("02:00:00:00:00:42")).listen(CLIENT_PORT);
        c.stack.configure(CLIENT_IP, sc.netmask(), sc.gateway());
        sim.add(c);
        return new Setup(host, tftp, c, sim);
    }

    private static byte[] file(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    private static TftpPacket.Rrq rrq(String name) {
        return new TftpPacket.Rrq(name, "octet", List.of());
    }

    private static void ack(Setup s, int port, int block) {
        s.client().send(s.sim().now(), CLIENT_PORT, SERVER, port, new TftpPacket.Ack(block));
    }

    @Test
    void servesA1300ByteFileInThreeBlocksFromAFreshPort() {
        Setup s = setup(SC);
        byte[] content = file(1300);
        s.tftp().serve("boot.img", content);
        s.client().send(0, CLIENT_PORT, SERVER, 69, rrq("boot.img"));

        TestClient.Rx d1 = s.client().next(s.sim());
        assertEquals(4 * L, d1.at());
        int tid = d1.srcPort();
        assertNotEquals(69, tid);
        assertTrue(tid >= 49152 && tid <= 65535, "ephemeral TID " + tid);
        assertEquals(SERVER, d1.src());
        assertEquals(new TftpPacket.Data(1, Arrays.copyOfRange(content, 0, 512)), d1.tftp());

        ack(s, tid, 1);
        TestClient.Rx d2 = s.client().next(s.sim());
        assertEquals(6 * L, d2.at());
        assertEquals(tid, d2.srcPort());
        assertEquals(new TftpPacket.Data(2, Arrays.copyOfRange(content, 512, 1024)), d2.tftp());

        ack(s, tid, 2);
        TestClient.Rx d3 = s.client().next(s.sim());
        assertEquals(new TftpPacket.Data(3, Arrays.copyOfRange(content, 1024, 1300)), d3.tftp()); // 276 bytes: the last

        ack(s, tid, 3);
        s.sim().runFor(10 * T);
        assertEquals(3, s.client().received.size()); // nothing after the final ACK
        TftpSession.Stats st = s.tftp().sessions().getFirst().stats();
        assertEquals(TftpSession.End.COMPLETE, st.end());
        assertEquals(new TftpSession.Stats(tid, CLIENT_IP, CLIENT_PORT, "boot.img", 512, 1, 3, 3, 0, 0, 0, 0, TftpSession.End.COMPLETE, 1300), st);
        assertTrue(!s.server().stack().isBound(tid), "session port released");
    }

    @Test
    void aFileOfWholeBlocksEndsWithAZeroLengthBlock() {
        Setup s = setup(SC);
        s.tftp().serve("boot.img", file(1024));
        s.client().autoAck = true;
        s.client().send(0, CLIENT_PORT, SERVER, 69, rrq("boot.img"));
        s.sim().runFor(10 * T);
        List<TftpPacket> got = s.client().received.stream().map(TestClient.Rx::tftp).toList();
        assertEquals(3, got.size());
        assertEquals(512, ((TftpPacket.Data) got.get(0)).data().length);
        assertEquals(512, ((TftpPacket.Data) got.get(1)).data().length);
        assertEquals(new TftpPacket.Data(3, new byte[0]), got.get(2));
        assertEquals(TftpSession.End.COMPLETE, s.tftp().sessions().getFirst().stats().end());
    }

    @Test
    void aNetasciiRequestGetsTheFileAsNetascii() {
        // tftp-hpa's client asks in netascii unless told "binary": served as octet, its conversion back (CR LF to LF,
        // CR NUL to CR) lost 39 bytes of a 1 MiB image and it said nothing. tftpd-hpa and atftpd send netascii.
        assertArrayEquals(new byte[] {'A', '\r', '\n', 'B', '\r', 0, 'C'}, NetasciiRule.of(new byte[] {'A', '\n', 'B', '\r', 'C'}));
        byte[] raw = new byte[20_000];
        new java.util.SplittableRandom(5).nextBytes(raw);
        for (int i = 0; i < raw.length; i += 97) {
            raw[i] = (byte) (i % 2 == 0 ? '\n' : '\r'); // more of both than chance gives, some at block edges
        }
        raw[511] = '\r'; // its CR NUL straddles blocks 1 and 2
        raw[4095] = '\n';
        Setup s = setup(SC);
        s.tftp().serve("f.txt", raw);
        s.client().autoAck = true;
        s.client().send(0, CLIENT_PORT, SERVER, 69, new TftpPacket.Rrq("f.txt", "NetAscii",
                List.of(new TftpPacket.Option("tsize", "0"), new TftpPacket.Option("blksize", "1000"))));
        TestClient.Rx oack = s.client().next(s.sim());
        // tsize is left out of a netascii transfer's OACK: the file's size is not what goes, and the netascii form's
        // is known only at the end (tftpd-hpa 5.2 refuses such a request with ERROR 8 "Unsupported option(s)
        // requested"; RFC 2347 lets a server leave out what it does not support, and the transfer goes).
        assertEquals(new TftpPacket.Oack(List.of(new TftpPacket.Option("blksize", "1000"))), oack.tftp());
        ack(s, oack.srcPort(), 0);
        s.sim().runFor(60 * T);
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        for (TestClient.Rx rx : s.client().received.subList(1, s.client().received.size())) {
            got.writeBytes(((TftpPacket.Data) rx.tftp()).data());
        }
        assertArrayEquals(NetasciiRule.of(raw), got.toByteArray());
        assertEquals(TftpSession.End.COMPLETE, s.tftp().sessions().getFirst().stats().end());
    }

    /** Fetches {@code name} from a server serving {@code folder} (and {@code extra} by name): the bytes, or the ERROR. */
    private static Object fetchFromFolder(Path folder, String name, String extraName, byte[] extra) throws IOException {
        Setup s = setup(SC);
        if (folder != null) {
            s.tftp().serveFolder(folder);
        }
        if (extraName != null) {
            s.tftp().serve(extraName, extra);
        }
        s.client().autoAck = true;
        s.client().send(0, CLIENT_PORT, SERVER, 69, rrq(name));
        s.sim().runFor(60 * T);
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        for (TestClient.Rx rx : s.client().received) {
            if (rx.tftp() instanceof TftpPacket.Error e) {
                return e;
            }
            got.writeBytes(((TftpPacket.Data) rx.tftp()).data());
        }
        s.tftp().closeFiles();
        return got.toByteArray();
    }

    @Test
    void aServedFolderServesItsRegularFilesByPathAndRefusesTheRestWithError2(@TempDir Path dir) throws IOException {
        // tftpd-hpa -s DIR: a name is a path under DIR, "/x" is DIR/x; nothing outside DIR, nothing but regular files.
        Path root = Files.createDirectories(dir.resolve("root"));
        byte[] a = file(1300);
        byte[] b = file(5000);
        Files.write(root.resolve("a.bin"), a);
        Files.createDirectories(root.resolve("pxelinux.cfg"));
        Files.write(root.resolve("pxelinux.cfg").resolve("default"), b);
        Files.write(dir.resolve("secret"), file(10));
        Files.createSymbolicLink(root.resolve("out"), dir.resolve("secret"));
        Files.createSymbolicLink(root.resolve("in"), root.resolve("a.bin"));

        assertArrayEquals(a, (byte[]) fetchFromFolder(root, "a.bin", null, null));
        assertArrayEquals(a, (byte[]) fetchFromFolder(root, "/a.bin", null, null));
        assertArrayEquals(b, (byte[]) fetchFromFolder(root, "pxelinux.cfg/default", null, null));
        assertArrayEquals(a, (byte[]) fetchFromFolder(root, "in", null, null), "a link inside the folder is followed");
        TftpPacket.Error access = new TftpPacket.Error(TftpWire.ERR_ACCESS, "");
        for (String refused : List.of("../secret", "pxelinux.cfg/../a.bin", "out", "pxelinux.cfg", "/")) {
            Object got = fetchFromFolder(root, refused, null, null);
            if (refused.equals("/")) {
                assertEquals(new TftpPacket.Error(TftpWire.ERR_FILE_NOT_FOUND, "File not found"), got, refused);
                continue;
            }
            TftpPacket.Error e = assertInstanceOf(TftpPacket.Error.class, got, refused);
            assertEquals(access.code(), e.code(), refused + ": " + e);
            assertTrue(e.message().startsWith("Access violation"), e.message());
        }
        assertEquals(new TftpPacket.Error(TftpWire.ERR_FILE_NOT_FOUND, "File not found"), fetchFromFolder(root, "nope", null, null));
        // A name served by itself comes before the folder's file of that name.
        byte[] own = file(700);
        assertArrayEquals(own, (byte[]) fetchFromFolder(root, "a.bin", "a.bin", own));
    }

    @Test
    void aNameTooLongForTheFileSystemIsAnsweredAsTftpdHpaAndDnsmasqAnswerIt(@TempDir Path dir) throws IOException {
        // Measured on loopback, a read of a name with a part past NAME_MAX (255 bytes): tftpd-hpa 5.2 -s answers ERROR 0
        // "File name too long", dnsmasq 2.90 ERROR 0 "cannot read DIR/NAME: File name too long" (both open() and pass on
        // ENAMETOOLONG), atftpd 0.8 ERROR 1; a part of 255 bytes that is not there is ERROR 1 from all three. Before,
        // this server answered ERROR 2, an access violation, which none of them says.
        Path root = Files.createDirectories(dir.resolve("root"));
        TftpPacket.Error tooLong = new TftpPacket.Error(TftpWire.ERR_NOT_DEFINED, "File name too long");
        TftpPacket.Error notFound = new TftpPacket.Error(TftpWire.ERR_FILE_NOT_FOUND, "File not found");
        assertEquals(notFound, fetchFromFolder(root, "x".repeat(255), null, null));
        assertEquals(tooLong, fetchFromFolder(root, "x".repeat(256), null, null));
        assertEquals(tooLong, fetchFromFolder(root, "x".repeat(500), null, null));
        assertEquals(tooLong, fetchFromFolder(root, "/pxelinux.cfg/" + "y".repeat(300), null, null));
        assertEquals(tooLong, fetchFromFolder(root, "\u00e9".repeat(128), null, null), "256 bytes in UTF-8");
    }

    @Test
    void aNameServedByItselfIsFoundWithALeadingSlashAsTftpdHpaSecureFindsIt() throws IOException {
        // serve --image FILE: U-Boot's "tftpboot /boot.img" or a DHCP boot file of "/boot.img" reaches tftpd-hpa -s's
        // ROOT/boot.img; so it reaches the file served as boot.img here. A name served with its slash stays its own.
        byte[] own = file(700);
        assertArrayEquals(own, (byte[]) fetchFromFolder(null, "/boot.img", "boot.img", own));
        assertArrayEquals(own, (byte[]) fetchFromFolder(null, "//boot.img", "boot.img", own));
        assertArrayEquals(own, (byte[]) fetchFromFolder(null, "/x/boot.img", "/x/boot.img", own));
        // tftpd-hpa 5.2 -s sends its ROOT/boot.img for "./boot.img" and "/./boot.img" too (seen on loopback); --root
        // DIR here did, --image did not (ERROR 1).
        assertArrayEquals(own, (byte[]) fetchFromFolder(null, "./boot.img", "boot.img", own));
        assertArrayEquals(own, (byte[]) fetchFromFolder(null, "/./boot.img", "boot.img", own));
        assertEquals(new TftpPacket.Error(TftpWire.ERR_FILE_NOT_FOUND, "File not found"), fetchFromFolder(null, ".boot.img", "boot.img", own));
        assertEquals(new TftpPacket.Error(TftpWire.ERR_FILE_NOT_FOUND, "File not found"), fetchFromFolder(null, "/", "boot.img", own));
        assertEquals(new TftpPacket.Error(TftpWire.ERR_FILE_NOT_FOUND, "File not found"),
                fetchFromFolder(null, "/boot.im", "boot.img", own));
    }

    @Test
    void aFolderOfManyFilesKeepsAtMostMaxOpenOfThemOpen(@TempDir Path dir) throws IOException {
        // 150 files asked for one after another by one client: each arrives whole, the first again after it was
        // closed to make room, and the server never holds more than MAX_OPEN of them open (the file descriptors on
        // files of the folder, in /proc/self/fd, Linux).
        int n = 150;
        for (int i = 0; i < n; i++) {
            byte[] b = file(600 + i);
            b[0] = (byte) i;
            Files.write(dir.resolve("f" + i), b);
        }
        Setup s = setup(SC);
        s.tftp().serveFolder(dir);
        s.client().autoAck = true;
        long most = 0;
        for (int k = 0; k <= n; k++) {
            int i = k % n; // the last asks for f0 again
            int from = s.client().received.size();
            s.client().send(s.sim().now(), CLIENT_PORT, SERVER, 69, rrq("f" + i));
            s.sim().runFor(10 * T);
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            for (TestClient.Rx rx : s.client().received.subList(from, s.client().received.size())) {
                got.writeBytes(((TftpPacket.Data) rx.tftp()).data());
            }
            assertArrayEquals(Files.readAllBytes(dir.resolve("f" + i)), got.toByteArray(), "f" + i);
            most = Math.max(most, openFiles(dir));
        }
        assertTrue(most <= ServedFiles.MAX_OPEN, most + " files open at once");
        assertTrue(most >= ServedFiles.MAX_OPEN - 1, "the cache is used: " + most);
        s.tftp().closeFiles();
        assertEquals(0, openFiles(dir), "closeFiles closes them all");
    }

    /** Returns how many of this process's file descriptors are files in {@code dir} (/proc/self/fd, Linux). */
    private static long openFiles(Path dir) throws IOException {
        Path real = dir.toRealPath();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).startsWith(real);
                } catch (IOException e) {
                    return false; // closed meanwhile (the listing's own descriptor)
                }
            }).count();
        }
    }

    @Test
    void aFolderFileChangedOnDiskIsServedAsItIsNow(@TempDir Path dir) throws IOException {
        Setup s = setup(SC);
        s.tftp().serveFolder(dir);
        Path f = dir.resolve("k.img");
        byte[] first = file(3000);
        Files.write(f, first);
        s.client().autoAck = true;
        s.client().send(0, CLIENT_PORT, SERVER, 69, rrq("k.img"));
        s.sim().runFor(60 * T);
        int n = s.client().received.size();
        byte[] second = new byte[4500];
        Arrays.fill(second, (byte) 0x5a);
        Files.write(f, second);
        s.client().send(s.sim().now(), CLIENT_PORT, SERVER, 69, rrq("k.img"));
        s.sim().runFor(60 * T);
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        for (TestClient.Rx rx : s.client().received.subList(n, s.client().received.size())) {
            got.writeBytes(((TftpPacket.Data) rx.tftp()).data());
        }
        assertArrayEquals(second, got.toByteArray());
        assertEquals(2, s.tftp().sessions().size());
        s.tftp().closeFiles();
    }

    @Test
    void anErrorQuotingALongModeIsCutToOneDatagramAndTheServerGoesOn() {
        // An RRQ whose mode is 1,440 bytes: "Unsupported mode '...' (octet or netascii)" would be longer than one
        // datagram (1,472 bytes at MTU 1500), and the stack refused to send it with an exception that stopped the
        // server. The ERROR is cut to what a datagram carries; the next request is served.
        Setup s = setup(SC);
        s.tftp().serve("boot.img", file(600));
        String mode = "x".repeat(1440);
        s.client().send(0, CLIENT_PORT, SERVER, 69, new TftpPacket.Rrq("boot.img", mode, List.of()));
        TestClient.Rx rx = s.client().next(s.sim());
        TftpPacket.Error e = assertInstanceOf(TftpPacket.Error.class, rx.tftp());
        assertEquals(TftpWire.ERR_NOT_DEFINED, e.code());
        assertEquals(1472, rx.payload().length, "opcode, code, message and NUL fill one datagram");
        assertEquals(("Unsupported mode '" + mode + "' (octet or netascii)").substring(0, 1472 - 5), e.message());
        s.client().autoAck = true;
        s.client().send(s.sim().now(), CLIENT_PORT, SERVER, 69, rrq("boot.img"));
        s.sim().runFor(10 * T);
        assertEquals(TftpSession.End.COMPLETE, s.tftp().sessions().getFirst().stats().end());
    }

    @Test
    void unknownFileGetsError1FromANewPort() {
        Setup s = setup(SC);
        s.client().send(0, CLIENT_PORT, SERVER, 69, rrq("nope.img"));
        TestClient.Rx rx = s.client().next(s.sim());
        assertEquals(new TftpPacket.Error(TftpWire.ERR_FILE_NOT_FOUND, "File not found"), rx.tftp());
        assertNotEquals(69, rx.srcPort());
        assertEquals(1, s.tftp().stats().fileNotFound());
        assertTrue(s.tftp().sessions().isEmpty());
    }

    @Test
    void writeRequestIsRefusedWithError2WhenWritesAreOff() {
        Setup s = setup(SC, SC.tftpConfig().withWrites(false));
        s.client().send(0, CLIENT_PORT, SERVER, 69, new TftpPacket.Wrq("up.img", "octet", List.of()));
        TftpPacket p = s.client().next(s.sim()).tftp();
        TftpPacket.Error e = assertInstanceOf(TftpPacket.Error.class, p);
        assertEquals(TftpWire.ERR_ACCESS, e.code());
        assertTrue(e.message().contains("read-only"), e.message());
    }

    @Test
    void lostAckMeansDataAgainExactlyOneTimeoutLater() {
        Setup s = setup(SC);
        s.tftp().serve("boot.img", file(1300));
        s.client().send(0, CLIENT_PORT, SERVER, 69, rrq("boot.img"));
        TestClient.Rx first = s.client().next(s.sim());
        assertEquals(4 * L, first.at());
        // No ACK (as if it were lost): nothing until the server's timer, sent at 3L, fires at 3L + T.
        s.sim().runUntil(4 * L + T - 1);
        assertEquals(1, s.client().received.size());
        TestClient.Rx again = s.client().next(s.sim());
        assertEquals(4 * L + T, again.at());
        assertEquals(first.tftp(), again.tftp());
        assertEquals(first.srcPort(), again.srcPort());
        assertEquals(1, s.tftp().sessions().getFirst().stats().retransmissions());
    }

    /**
     * busybox tftp sends its RRQ again 50 ms after the first when no answer has come: that request, from the same
     * transfer ID, is the running transfer's (RFC 1350 section 4: a TID pair is one connection), answered by its timer.
     * A second session on a fresh port sent the client, which had taken the first answer, OACKs it refused (busybox:
     * ICMP port unreachable) for 20 retries, and kept netboot serve --clients from stopping until it gave up.
     */
    @Test
    void aRequestSentAgainFromTheSameTransferIdIsThatTransfersNotASecondOne() {
        Setup s = setup(SC);
        byte[] content = file(1300);
        s.tftp().serve("boot.img", content);
        s.client().send(0, CLIENT_PORT, SERVER, 69, rrq("boot.img"));
        s.client().send(0, CLIENT_PORT, SERVER, 69, rrq("boot.img"));
        TestClient.Rx first = s.client().next(s.sim());
        assertEquals(new TftpPacket.Data(1, Arrays.copyOfRange(content, 0, 512)), first.tftp());
        // Nothing else before the one session's timer: no DATA 1 from a second port.
        s.sim().runUntil(4 * L + T - 1);
        assertEquals(1, s.client().received.size(), "received: " + s.client().received);
        assertEquals(1, s.tftp().sessions().size());
        assertEquals(1, s.tftp().stats().readRequests());
        assertEquals(1, s.tftp().stats().repeatedRequests());
        // The same request from another port, or for another file, is a new one.
        s.client().listen(CLIENT_PORT + 1);
        s.tftp().serve("other.img", file(10));
        s.client().send(s.sim().now(), CLIENT_PORT + 1, SERVER, 69, rrq("boot.img"));
        s.client().send(s.sim().now(), CLIENT_PORT, SERVER, 69, rrq("other.img"));
        s.sim().runFor(L * 10);
        assertEquals(3, s.tftp().sessions().size());
        assertEquals(List.of(CLIENT_PORT, CLIENT_PORT + 1, CLIENT_PORT),
                s.tftp().sessions().stream().map(x -> x.stats().clientPort()).toList());
        assertEquals(List.of("boot.img", "boot.img", "other.img"), s.tftp().sessions().stream().map(x -> x.stats().file()).toList());
        // The first transfer goes on from its port.
        ack(s, first.srcPort(), 1);
        s.sim().runFor(L * 10);
        assertTrue(s.client().received.stream().anyMatch(r -> r.srcPort() == first.srcPort()
                && r.tftp().equals(new TftpPacket.Data(2, Arrays.copyOfRange(content, 512, 1024)))), "received: " + s.client().received);
    }

    /**
     * A request from a running transfer's client port that differs from the one that started it (here no options where
     * it asked blksize 1024) is not that request sent again but another: a client started again on the port it had.
     * It is answered as its own, DATA 1 of 512 bytes from a new port. Taken for the first, it was answered by that
     * transfer's timer with its OACK, blksize 1024, which such a client refuses: busybox said "bad blocksize '1468'" on
     * the QA pass when its port was one a flood of requests asking blksize 1468 had used.
     */
    @Test
    void aDifferentRequestFromARunningTransfersPortIsANewOne() {
        Setup s = setup(SC);
        byte[] content = file(1300);
        s.tftp().serve("boot.img", content);
        s.client().send(0, CLIENT_PORT, SERVER, 69,
                new TftpPacket.Rrq("boot.img", "octet", List.of(new TftpPacket.Option("blksize", "1024"))));
        TestClient.Rx oack = s.client().next(s.sim());
        assertEquals(new TftpPacket.Oack(List.of(new TftpPacket.Option("blksize", "1024"))), oack.tftp());
        s.client().send(s.sim().now(), CLIENT_PORT, SERVER, 69, rrq("boot.img"));
        TestClient.Rx d1 = s.client().next(s.sim());
        assertEquals(new TftpPacket.Data(1, Arrays.copyOfRange(content, 0, 512)), d1.tftp());
        assertTrue(d1.srcPort() != oack.srcPort(), "from a port of its own: " + d1.srcPort());
        assertEquals(d1.at(), oack.at() + 2 * L, "at once, not at the first transfer's timeout");
        assertEquals(2, s.tftp().sessions().size());
        assertEquals(0, s.tftp().stats().repeatedRequests());
        // The same request again from that port (busybox's second RRQ) is still that transfer's.
        s.client().send(s.sim().now(), CLIENT_PORT, SERVER, 69, rrq("boot.img"));
        s.sim().runFor(L * 10);
        assertEquals(2, s.tftp().sessions().size());
        assertEquals(1, s.tftp().stats().repeatedRequests());
    }

    @Test
    void givesUpSilentlyAfterTheRetries() {
        Setup s = setup(SC);
        s.tftp().serve("boot.img", file(100));
        s.client().send(0, CLIENT_PORT, SERVER, 69, rrq("boot.img"));
        s.sim().run(() -> false, 60 * T);
        assertEquals(1 + SC.tftpRetries(), s.client().received.size());
        for (int i = 0; i < s.client().received.size(); i++) {
            assertEquals(4 * L + i * T, s.client().received.get(i).at());
        }
        TftpSession.Stats st = s.tftp().sessions().getFirst().stats();
        assertEquals(TftpSession.End.GAVE_UP, st.end());
        assertEquals(SC.tftpRetries(), st.retransmissions());
    }

    /**
     * A session the server gave up on keeps its figures (the server keeps every session for them: serve's summary) but
     * not its DATA buffer: a block, 1,468 bytes at blksize 1468, of the 3.3 KB each request of a flood held for the whole run.
     */
    @Test
    void aSessionGivenUpKeepsItsFiguresNotItsBuffer() {
        Setup s = setup(SC);
        s.tftp().serve("boot.img", file(100));
        s.client().send(0, CLIENT_PORT, SERVER, 69, new TftpPacket.Rrq("boot.img", "octet",
                List.of(new TftpPacket.Option("blksize", "1468"))));
        s.sim().runFor(10 * L);
        TftpSession session = s.tftp().sessions().getFirst();
        assertEquals(1468, session.bufferBytes(), "a block while it runs");
        s.sim().run(() -> false, 60 * T);
        assertEquals(TftpSession.End.GAVE_UP, session.stats().end());
        assertEquals(0, session.bufferBytes());
        assertEquals(1468, session.stats().blockSize());
        assertEquals(100, session.stats().size());
    }

    @Test
    void duplicateAckDoesNotResendData() {
        Setup s = setup(SC);
        s.tftp().serve("boot.img", file(1300));
        s.client().send(0, CLIENT_PORT, SERVER, 69, rrq("boot.img"));
        int tid = s.client().next(s.sim()).srcPort();
        ack(s, tid, 1);
        TestClient.Rx d2 = s.client().next(s.sim());
        assertEquals(6 * L, d2.at());
        ack(s, tid, 1); // duplicate: RFC 1123 4.2.3.1 says do not resend DATA 2
        // DATA 2 went out at 5L; the only resend allowed is its timeout at 5L + T.
        s.sim().runUntil(6 * L + T - 1);
        assertEquals(2, s.client().received.size());
        assertEquals(6 * L + T, s.client().next(s.sim()).at());
        TftpSession.Stats st = s.tftp().sessions().getFirst().stats();
        assertEquals(1, st.duplicateAcks());
        assertEquals(1, st.retransmissions());
    }

    @Test
    void sorcerersApprenticeSwitchResendsOnDuplicateAck() {
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(L, FaultPlan.NONE, 1);
        ServerHost host = sim.add(new ServerHost(seg, SC.serverMac(), SERVER, SC.netmask(), SC.gateway()));
        TftpServer tftp = host.startTftp(SC.tftpConfig().withSorcerersApprenticeBug(true), Seeds.random(1, "tftp-ports"));
        tftp.serve("boot.img", file(1300));
        TestClient c = new TestClient(seg, MacAddress.parse("02:00:00:00:00:42")).listen(CLIENT_PORT);
        c.stack.configure(CLIENT_IP, SC.netmask(), SC.gateway());
        sim.add(c);
        c.send(0, CLIENT_PORT, SERVER, 69, rrq("boot.img"));
        int tid = c.next(sim).srcPort();
        c.send(sim.now(), CLIENT_PORT, SERVER, tid, new TftpPacket.Ack(1));
        c.next(sim);                                                   // DATA 2 at 6L
        c.send(sim.now(), CLIENT_PORT, SERVER, tid, new TftpPacket.Ack(1));
        TestClient.Rx again = c.next(sim);
        assertEquals(8 * L, again.at());                               // resent at once: the bug
        assertEquals(2, ((TftpPacket.Data) again.tftp()).block());
    }

    @Test
    void ackFromAnotherPortGetsError5AndTheTransferCarriesOn() {
        Setup s = setup(SC);
        s.tftp().serve("boot.img", file(1300));
        s.client().listen(3000);
        s.client().send(0, CLIENT_PORT, SERVER, 69, rrq("boot.img"));
        int tid = s.client().next(s.sim()).srcPort();
        s.client().send(s.sim().now(), 3000, SERVER, tid, new TftpPacket.Ack(1)); // wrong source TID
        TestClient.Rx err = s.client().next(s.sim());
        assertEquals(3000, err.dstPort());
        assertEquals(tid, err.srcPort());
        assertEquals(TftpWire.ERR_UNKNOWN_TID, ((TftpPacket.Error) err.tftp()).code());
        ack(s, tid, 1);
        TestClient.Rx d2 = s.client().next(s.sim());
        assertEquals(CLIENT_PORT, d2.dstPort());
        assertEquals(2, ((TftpPacket.Data) d2.tftp()).block());
        assertEquals(1, s.tftp().sessions().getFirst().stats().strangers());
    }

    /** RFC 1350 section 2: an ERROR "is not acknowledged", a stranger's neither: no ERROR 5 ping-pong with it. */
    @Test
    void errorFromAStrangerIsCountedNotAnswered() {
        Setup s = setup(SC);
        s.tftp().serve("boot.img", file(1300));
        s.client().listen(3000);
        s.client().send(0, CLIENT_PORT, SERVER, 69, rrq("boot.img"));
        int tid = s.client().next(s.sim()).srcPort();
        s.client().send(s.sim().now(), 3000, SERVER, tid, new TftpPacket.Error(TftpWire.ERR_UNKNOWN_TID, "Unknown transfer ID"));
        ack(s, tid, 1);
        TestClient.Rx d2 = s.client().next(s.sim());                 // nothing to port 3000 first
        assertEquals(CLIENT_PORT, d2.dstPort());
        assertEquals(2, ((TftpPacket.Data) d2.tftp()).block());
        assertEquals(1, s.tftp().sessions().getFirst().stats().strangers());
    }

    @Test
    void errorFromTheClientEndsTheSession() {
        Setup s = setup(SC);
        s.tftp().serve("boot.img", file(1300));
        s.client().send(0, CLIENT_PORT, SERVER, 69, rrq("boot.img"));
        int tid = s.client().next(s.sim()).srcPort();
        s.client().send(s.sim().now(), CLIENT_PORT, SERVER, tid, new TftpPacket.Error(TftpWire.ERR_DISK_FULL, "flash full"));
        s.sim().runFor(10 * T);
        assertEquals(1, s.client().received.size()); // no retransmission after the error
        assertEquals(TftpSession.End.CLIENT_ERROR, s.tftp().sessions().getFirst().stats().end());
    }

    @Test
    void eachRequestGetsItsOwnSeededPortAndTheSameSeedGivesTheSamePorts() {
        int[] a = ports(SC);
        assertNotEquals(a[0], a[1]);
        assertArrayEquals(a, ports(SC));
    }

    private static int[] ports(Scenario sc) {
        Setup s = setup(sc);
        s.tftp().serve("boot.img", file(10));
        s.client().listen(CLIENT_PORT + 1);
        s.client().send(0, CLIENT_PORT, SERVER, 69, rrq("boot.img"));
        int p1 = s.client().next(s.sim()).srcPort();
        s.client().send(s.sim().now(), CLIENT_PORT + 1, SERVER, 69, rrq("boot.img")); // a new request: from a new port
        int p2 = s.client().next(s.sim()).srcPort();
        return new int[] {p1, p2};
    }

    @Test
    void blockNumbersWrapFrom65535ToZero() {
        wrapsTo(0);
    }

    @Test
    void blockNumbersWrapFrom65535ToOneWhenTheSessionSaysSo() {
        wrapsTo(1); // tftpd-hpa rollover=1, or TftpServerConfig.wrapToOne
    }

    /** Block 65536 goes on the wire as {@code first}, 65537 as {@code first + 1}. */
    private static void wrapsTo(int first) {
        // Mid-transfer state built directly (GUIDE H14): 8-byte blocks, 65536 full blocks and a 3-byte one.
        Simulation sim = new Simulation();
        EthernetSegment seg = sim.newSegment(L, FaultPlan.NONE, 1);
        NetStack server = new NetStack(seg.attach(SC.serverMac()), NetConfig.DEFAULTS);
        server.configure(SERVER, SC.netmask(), Ipv4Address.ANY);
        sim.add(new SimNode() {
            @Override
            public void poll(long now) {
                server.poll(now);
            }

            @Override
            public long pollAt() {
                return server.pollAt();
            }
        });
        TestClient c = new TestClient(seg, MacAddress.parse("02:00:00:00:00:42")).listen(CLIENT_PORT);
        c.stack.configure(CLIENT_IP, SC.netmask(), Ipv4Address.ANY);
        sim.add(c);
        c.send(0, CLIENT_PORT, SERVER, 9, new byte[1]); // the client's ARP request teaches the server its MAC
        sim.runFor(1_000_000);

        byte[] content = file(8 * 65536 + 3);
        TftpSession session = new TftpSession(server, SC.tftpConfig(), 50000, CLIENT_IP, CLIENT_PORT, "big", ServedFile.of(content),
                new TftpServerSession.Params(8, 1, first, T, null));
        server.bind(50000, session);
        session.setStateForTest(65535, new TftpSession.State.AwaitingAck(65535, sim.now() + T, 0));

        session.onDatagram(sim.now(), CLIENT_IP.value(), CLIENT_PORT, SERVER.value(), ackBuf(65535), 0, 4);
        assertEquals(new TftpSession.State.AwaitingAck(65536, sim.now() + T, 0), session.state());
        TftpPacket.Data d = (TftpPacket.Data) c.next(sim).tftp();
        assertEquals(first, d.block()); // block 65536 on the wire
        assertArrayEquals(Arrays.copyOfRange(content, 65535 * 8, 65536 * 8), d.data());

        session.onDatagram(sim.now(), CLIENT_IP.value(), CLIENT_PORT, SERVER.value(), ackBuf(first), 0, 4);
        d = (TftpPacket.Data) c.next(sim).tftp();
        assertEquals(first + 1, d.block());
        assertArrayEquals(Arrays.copyOfRange(content, 65536 * 8, content.length), d.data());

        session.onDatagram(sim.now(), CLIENT_IP.value(), CLIENT_PORT, SERVER.value(), ackBuf(first + 1), 0, 4);
        assertEquals(new TftpSession.State.Ended(TftpSession.End.COMPLETE), session.state());
        assertEquals(3, session.stats().blocksAcked());
    }

    private static ByteBuffer ackBuf(int block) {
        ByteBuffer b = ByteBuffer.allocate(4);
        TftpWire.writeAck(b, 0, block);
        return b;
    }
}
