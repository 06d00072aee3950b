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

    /**
     * An upload sends the file as long as it was when the upload began, the size it announced (RFC 2349 tsize) and whose
     * last block ends the transfer (RFC 1350: a block shorter than the block size). Seen in the QA pass against
     * tftpd-hpa: a file that grew during a put had its last block sent full, so the server waited for a block that never
     * came while netboot said "ok" (the server's file 505 bytes longer than the announced size); one truncated during a
     * put ended early at a short block, "ok" and exit 0, the server holding 1 MiB of 40.
     */
    @Test
    void anUploadSendsTheFileAsLongAsItWasAndFailsWhenItShrank() throws Exception {
        byte[] data = new byte[1000];
        new SplittableRandom(5).nextBytes(data);
        Path grown = Files.write(dir.resolve("grown.bin"), data);
        try (HostUpload up = new HostUpload(grown)) {
            Files.write(grown, new byte[100], java.nio.file.StandardOpenOption.APPEND);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 512);
            assertEquals(1000 - 512, up.read(512, b, 4, 512), "the last block: 1000 - 512 bytes, as tsize said");
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 512, 1000), java.util.Arrays.copyOfRange(b.array(), 4, 4 + 488));
        }
        Path shrunk = Files.write(dir.resolve("shrunk.bin"), data);
        try (HostUpload up = new HostUpload(shrunk)) {
            try (var ch = java.nio.channels.FileChannel.open(shrunk, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(700);
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 512);
            TftpSinkException e = assertThrows(TftpSinkException.class, () -> up.read(512, b, 4, 512));
            assertEquals(0, e.errorCode());
            assertEquals("the file shrank while it was sent: 700 bytes now, 1000 when the upload began", e.serverMessage());
            assertEquals(shrunk + " shrank while it was sent: 700 bytes now, 1000 when the upload began", e.getMessage());
            // Read past its new end (at byte 768, past it): the same words, the file's size, not where the read was.
            assertEquals(e.getMessage(), assertThrows(TftpSinkException.class, () -> up.read(768, b, 4, 512)).getMessage());
        }
    }

    /**
     * A download that replaces a file keeps that file's permissions, as tftp-hpa's client and curl do (they write into it):
     * renamed over it, the part file brought its own, so a 0700 file came back 0644 (seen in the QA pass). The part file has
     * them before a byte is written, so a private file's new contents are never readable by all.
     */
    @Test
    void aReplacedFileKeepsItsPermissions() throws Exception {
        for (String mode : new String[] {"rwx------", "rw-------", "rwxr-xr-x"}) {
            Path local = Files.writeString(dir.resolve("f-" + mode), "old");
            var perms = java.nio.file.attribute.PosixFilePermissions.fromString(mode);
            Files.setPosixFilePermissions(local, perms);
            try (HostFiles.Download d = new HostFiles.Download(local, new SplittableRandom(2))) {
                assertEquals(perms, Files.getPosixFilePermissions(d.part()), mode + ": the part file, before any byte");
                d.begin(3);
                d.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), 0, 3);
                d.commit();
            }
            assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(local));
            assertEquals(perms, Files.getPosixFilePermissions(local), mode);
        }
    }
}
