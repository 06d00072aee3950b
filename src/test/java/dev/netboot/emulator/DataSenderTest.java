package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpPacket;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DATA a read session sends, block by block, on an emulated LAN: RFC 1350 section 5's block n (the file's bytes from
 * (n - 1) x blocksize, the last block short, zero bytes for a file of whole blocks), its 16-bit number wrapping to the
 * rollover value, ERROR 0 for a file that cannot be read, and the frame counts (14 + 20 + 8 bytes of Ethernet, IPv4
 * and UDP headers and 4 of TFTP's per DATA). Expected values are worked out by hand from those rules.
 */
class DataSenderTest {
    private static final Scenario SC = Scenario.DEFAULT;
    private static final Ipv4Address CLIENT_IP = Ipv4Address.parse("10.0.0.42");
    private static final int CLIENT_PORT = 2000;
    private static final int TID = 50_000;

    @TempDir
    Path dir;

    /** A server and a client on one segment, the server already knowing the client's MAC. */
    private record Lan(Simulation sim, ServerHost server, TestClient client) {
        static Lan start() {
            Simulation sim = new Simulation();
            EthernetSegment seg = sim.newSegment(SC.latencyNanos(), SC.faults(), Seeds.derive(SC.seed(), "segment"));
            ServerHost host = sim.add(new ServerHost(seg, SC.serverMac(), SC.serverIp(), SC.netmask(), SC.gateway()));
            TestClient c = new TestClient(seg, MacAddress.parse("02:00:00:00:00:42")).listen(CLIENT_PORT);
            c.stack.configure(CLIENT_IP, SC.netmask(), SC.gateway());
            sim.add(c);
            // The client's ARP request for the server teaches the server the client's address (RFC 826).
            c.send(0, CLIENT_PORT, SC.serverIp(), 9, new byte[] {0});
            sim.runFor(1_000_000_000L);
            c.received.clear();
            return new Lan(sim, host, c);
        }

        DataSender sender(ServedFile file, int blockSize, int rolloverTo) {
            return new DataSender(server.stack(), TID, CLIENT_IP, CLIENT_PORT, file,
                    new TftpServerSession.Params(blockSize, 1, rolloverTo, SC.tftpTimeout(), null), null);
        }

        /** Runs until {@code n} datagrams came, and returns them as TFTP packets. */
        List<TftpPacket> received(int n) {
            sim.run(() -> client.received.size() >= n, 10_000_000_000L).orThrow();
            return client.received.stream().map(TestClient.Rx::tftp).toList();
        }
    }

    private static byte[] file(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    @Test
    void blockNHoldsTheFileFromNMinusOneBlocksOnTheLastOneShort() {
        assertEquals(512, DataSender.length(1, 512, 1300));
        assertEquals(512, DataSender.length(2, 512, 1300));
        assertEquals(1300 - 1024, DataSender.length(3, 512, 1300));
        assertEquals(0, DataSender.length(3, 512, 1024), "a file of whole blocks ends with a zero-length block");
        assertEquals(0, DataSender.length(1, 512, 0), "an empty file is one empty block");
        assertEquals(1428, DataSender.length(3_000_000, 1428, 5_000_000_000L), "past 2^31 bytes of file");

        Lan lan = Lan.start();
        byte[] content = file(1300);
        DataSender d = lan.sender(ServedFile.of(content), 512, 0);
        for (long b = 1; b <= 3; b++) {
            assertTrue(d.send(lan.sim().now(), b));
        }
        assertEquals(List.of(new TftpPacket.Data(1, Arrays.copyOfRange(content, 0, 512)),
                new TftpPacket.Data(2, Arrays.copyOfRange(content, 512, 1024)),
                new TftpPacket.Data(3, Arrays.copyOfRange(content, 1024, 1300))), lan.received(3));
        for (TestClient.Rx rx : lan.client().received) {
            assertEquals(TID, rx.srcPort(), "from the transfer ID");
            assertEquals(SC.serverIp(), rx.src());
        }
    }

    @Test
    void framesAreCountedWithTheirHeadersAndABlockSentBeforeAsResent() {
        Lan lan = Lan.start();
        DataSender d = lan.sender(ServedFile.of(file(1300)), 512, 0);
        long now = lan.sim().now();
        d.send(now, 1);
        d.send(now, 2);
        d.send(now, 1); // block 1 again (a timeout's window)
        d.send(now, 3);
        d.send(now, 3); // and the last, short one
        assertEquals(5, d.dataSent());
        long full = 14 + 20 + 8 + 4 + 512;
        long last = 14 + 20 + 8 + 4 + 276;
        assertEquals(3 * full + 2 * last, d.dataBytes());
        assertEquals(2, d.resentFrames());
        assertEquals(full + last, d.resentBytes());
        assertEquals(5, lan.received(5).size());
    }

    @Test
    void blockNumbersWrapAt65535ToTheRolloverValue() {
        // Blocks of 8 bytes (RFC 2348's smallest), so 65,537 blocks fit in 512 KiB.
        byte[] content = file(8 * 65_537 + 3);
        for (int rollover : new int[] {0, 1}) {
            Lan lan = Lan.start();
            DataSender d = lan.sender(ServedFile.of(content), 8, rollover);
            long now = lan.sim().now();
            d.send(now, 65_535);
            d.send(now, 65_536);
            d.send(now, 65_537);
            d.send(now, 65_538);
            List<TftpPacket> got = lan.received(4);
            assertEquals(new TftpPacket.Data(65_535, Arrays.copyOfRange(content, 8 * 65_534, 8 * 65_535)), got.get(0));
            assertEquals(new TftpPacket.Data(rollover, Arrays.copyOfRange(content, 8 * 65_535, 8 * 65_536)), got.get(1),
                    "block 65536 goes as " + rollover);
            assertEquals(new TftpPacket.Data(rollover + 1, Arrays.copyOfRange(content, 8 * 65_536, 8 * 65_537)), got.get(2));
            assertEquals(new TftpPacket.Data(rollover + 2, Arrays.copyOfRange(content, 8 * 65_537, content.length)), got.get(3),
                    "the last block, 3 bytes");
        }
    }

    @Test
    void aFileThatCannotBeReadGetsError0AndEndsTheSession() throws IOException {
        Path p = dir.resolve("boot.img");
        Files.write(p, file(1300));
        try (ServedFile served = ServedFile.open(p)) {
            Lan lan = Lan.start();
            DataSender d = lan.sender(served, 512, 0);
            assertTrue(d.send(lan.sim().now(), 1));
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                ch.truncate(600); // the file shrank under the server: block 2 (bytes 512..1023) is not all there
            }
            assertFalse(d.send(lan.sim().now(), 2), "the session is to end");
            List<TftpPacket> got = lan.received(2);
            assertEquals(new TftpPacket.Data(1, Arrays.copyOfRange(file(1300), 0, 512)), got.get(0));
            // The client is told what and where in the file, never the server's path to it: a host's folders are no
            // client's business (the QA pass saw "Read error: /tmp/.../big.img ends at byte ..." sent to atftp by serve).
            assertEquals(new TftpPacket.Error(0, "Read error: the file ends at byte 600 (it was 1300 bytes when the server opened it)"),
                    got.get(1));
            assertEquals(1, d.dataSent(), "the ERROR is no DATA");
            assertEquals(14 + 20 + 8 + 4 + 512, d.dataBytes());
        }
    }
}
