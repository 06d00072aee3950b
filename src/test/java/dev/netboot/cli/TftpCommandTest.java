package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.net.UdpHandler;
import dev.netboot.tftp.TftpFailure;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code netboot tftp} without a server: usage errors, a dead server, the host transport's port fallback. */
class TftpCommandTest {
    @TempDir
    Path dir;

    @Test
    void usageErrorsExit2() {
        for (String[] args : List.of(
                new String[] {"tftp"},
                new String[] {"tftp", "get"},
                new String[] {"tftp", "get", "127.0.0.1"},
                new String[] {"tftp", "get", "127.0.0.1", "f", "--blksize", "7"},
                new String[] {"tftp", "get", "127.0.0.1", "f", "--windowsize", "0"},
                new String[] {"tftp", "get", "127.0.0.1", "f", "--no-options", "--blksize", "1024"},
                new String[] {"tftp", "get", "127.0.0.1:0", "f"},
                new String[] {"tftp", "get", "127.0.0.1:x", "f"},
                new String[] {"tftp", "get", "127.0.0.1", "dir/"},
                new String[] {"tftp", "put", "127.0.0.1"},
                new String[] {"tftp", "fetch", "127.0.0.1", "f"})) {
            BootCliTest.Run r = BootCliTest.run(args);
            assertEquals(2, r.exit(), () -> String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("netboot: "), r.err());
        }
    }

    @Test
    void aSilentServerFailsWithOneLineAndLeavesNothing() throws Exception {
        // A socket that never reads: the requests arrive and nothing answers (no ICMP either).
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int port = silent.getLocalPort();
            Path local = dir.resolve("f.bin");
            BootCliTest.Run r = BootCliTest.run("tftp", "get", "127.0.0.1:" + port, "f.bin", local.toString(), "--timeout", "0.02",
                    "--retries", "2");
            assertEquals(1, r.exit(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("netboot: tftp get 127.0.0.1:" + port + " f.bin: no answer from 127.0.0.1:" + port
                    + " after 2 retransmissions of RRQ for f.bin"), r.err());
            assertFalse(Files.exists(local));
            assertEquals(0, dir.toFile().list().length, "no .part file left");
        }
    }

    @Test
    void putOfAMissingFileFails() {
        BootCliTest.Run r = BootCliTest.run("tftp", "put", "127.0.0.1", dir.resolve("nope").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no such file"), r.err());
    }

    @Test
    void serverErrorsAreSaidWithoutTheTransferPort() {
        TftpFailure f = new TftpFailure(TftpFailure.Kind.SERVER_ERROR, 1,
                "TFTP: server 127.0.0.1:40000 sent ERROR 1 (file not found): File not found");
        assertEquals("server sent ERROR 1 (file not found): File not found", TftpCommand.cause(f));
        assertEquals("no answer", TftpCommand.cause(new TftpFailure(TftpFailure.Kind.TIMEOUT, -1, "TFTP: no answer")));
    }

    @Test
    void aPortHeldByAnotherProcessFallsBackToAnEphemeralOne() throws Exception {
        try (DatagramSocket other = new DatagramSocket(new InetSocketAddress(0));
             HostUdpTransport net = new HostUdpTransport()) {
            int taken = other.getLocalPort();
            UdpHandler h = (now, srcIp, srcPort, dstIp, buf, off, len) -> { };
            net.bind(taken, h);
            assertTrue(net.isBound(taken));
            assertNotEquals(taken, net.hostPort(taken));
            net.unbind(taken);
            assertFalse(net.isBound(taken));
        }
    }

    @Test
    void autoBlockSizeIsEthernetSafe() {
        try (HostUdpTransport net = new HostUdpTransport()) {
            assertEquals(1472, net.maxUdpPayload());
        }
    }
}
