package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.tftp.TftpClient;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.tftp.TftpSinkException;
import dev.netboot.wire.Ipv4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HostTftp#run}, the host-mode loop, against the training's loopback server. */
class HostTftpTest {
    @TempDir
    Path dir;

    /**
     * Host mode ends when the final ACK is out, as atftp, tftp-hpa and curl do (RFC 1350 section 6 allows
     * it): the loop returns while the board's dally (re-ACK a retransmitted last block until one timeout
     * has passed) is still ahead, instead of sitting it out.
     */
    @Test
    void aDownloadEndsWithTheFinalAckNotAfterADally() throws Exception {
        byte[] image = new byte[100_000];
        new SplittableRandom(3).nextBytes(image);
        try (Training.LoopbackServer server = new Training.LoopbackServer(); HostUdpTransport net = new HostUdpTransport()) {
            server.serve("image.bin", image);
            Thread t = Thread.ofPlatform().daemon().start(server);
            TftpConfig config = new TftpCommand.Settings().config();
            TftpClient client = new TftpClient(net, config, new SplittableRandom(1));
            Path local = dir.resolve("image.bin");
            try (HostFiles.Download d = new HostFiles.Download(local, new SplittableRandom(2))) {
                client.startRead(System.nanoTime(), Ipv4Address.parse("127.0.0.1"), server.port(), "image.bin", d);
                assertTrue(HostTftp.run(client, net, 60_000_000_000L, null, 0));
                assertInstanceOf(TftpClient.State.Done.class, client.state());
                assertNotEquals(Long.MAX_VALUE, client.pollAt(), "the dally's deadline was not waited for");
                d.commit();
            }
            assertArrayEquals(image, Files.readAllBytes(local));
            assertEquals(image.length, ((TftpClient.State.Done) client.state()).bytes());
            server.close();
            t.join(5_000);
        }
    }

    /**
     * A file the disk cannot hold is refused at its announced size (RFC 2349 tsize) with ERROR 3; the user is told
     * where (the folder), the server only what: a host's paths are not the server's business.
     */
    @Test
    void aFileTooLargeForTheDiskIsRefusedWithoutTellingTheServerLocalPaths() throws Exception {
        try (HostFiles.Download d = new HostFiles.Download(dir.resolve("image.bin"), new SplittableRandom(2))) {
            long huge = Long.MAX_VALUE / 2;
            TftpSinkException e = assertThrows(TftpSinkException.class, () -> d.begin(huge));
            assertEquals(3, e.errorCode());
            assertTrue(e.getMessage().startsWith("file of " + huge + " bytes does not fit: ")
                    && e.getMessage().endsWith(" bytes free in " + dir.toAbsolutePath()), e.getMessage());
            assertTrue(e.serverMessage().startsWith("file of " + huge + " bytes does not fit: ")
                    && e.serverMessage().endsWith(" bytes free") && !e.serverMessage().contains("/"), e.serverMessage());
        }
    }
}
