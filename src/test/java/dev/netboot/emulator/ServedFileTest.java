package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netboot.device.BootObserver;
import dev.netboot.device.BootSequence;
import dev.netboot.flash.Flash;
import dev.netboot.flash.SimulatedNorFlash;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emulated TFTP server serves a file where it lies, block by block: any size, never whole in
 * memory; a file that cannot be read any more ends the transfer with ERROR 0, as tftpd-hpa does.
 */
class ServedFileTest {
    @TempDir
    Path dir;

    @Test
    void aFileIsServedExactlyFromDisk() throws Exception {
        byte[] img = EmulatedBootTest.image(200_001);
        Path f = Files.write(dir.resolve("boot.img"), img);
        EmulatedLan lan = EmulatedLan.of(Scenario.DEFAULT);
        Flash flash = SimulatedNorFlash.inMemory(EmulatedBootTest.PROFILE.flash());
        try (ServedFile served = ServedFile.open(f)) {
            assertEquals(img.length, served.size());
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(img)), served.sha256());
            lan.tftp().serve(Scenario.DEFAULT.servedFile(), served);
            BootSequence boot = EmulatedBoot.addBoard(lan, EmulatedBootTest.PROFILE, flash, new BootObserver() {
            });
            boot.start(0);
            lan.simulation().run(boot::finished, 3_600_000_000_000L);
            assertInstanceOf(BootSequence.State.Done.class, boot.state());
        }
        byte[] back = new byte[img.length];
        flash.read(EmulatedBootTest.PROFILE.slot(0).offset(), back, 0, back.length);
        assertArrayEquals(img, back);
    }

    @Test
    void aFileLargerThanAnArrayIsServedFromWhereItLies() throws Exception {
        // 3 GiB, sparse: reading it whole would need an array past Integer.MAX_VALUE.
        Path f = dir.resolve("huge.img");
        long size = 3L << 30;
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(size);
            raf.seek(size - 4);
            raf.write(new byte[] {1, 2, 3, 4});
        }
        try (ServedFile served = ServedFile.open(f)) {
            assertEquals(size, served.size());
            ByteBuffer tail = ByteBuffer.allocate(6);
            served.read(size - 6, tail);
            assertArrayEquals(new byte[] {0, 0, 1, 2, 3, 4}, tail.array());
        }
    }

    @Test
    void aFileThatShrankEndsTheTransferWithAReadError() throws Exception {
        byte[] img = EmulatedBootTest.image(100_000);
        Path f = Files.write(dir.resolve("boot.img"), img);
        EmulatedLan lan = EmulatedLan.of(Scenario.DEFAULT);
        try (ServedFile served = ServedFile.open(f)) {
            // The server took the size (100,000 bytes, announced as tsize) when it opened the file; now it is shorter.
            Files.write(f, Arrays.copyOf(img, 50_000));
            lan.tftp().serve(Scenario.DEFAULT.servedFile(), served);
            BootSequence boot = EmulatedBoot.addBoard(lan, EmulatedBootTest.PROFILE,
                    SimulatedNorFlash.inMemory(EmulatedBootTest.PROFILE.flash()), new BootObserver() {
                    });
            boot.start(0);
            lan.simulation().run(boot::finished, 3_600_000_000_000L);
            BootSequence.State.Failed failed = assertInstanceOf(BootSequence.State.Failed.class, boot.state());
            assertEquals("tftp", failed.failure().stage());
            assertTrue(failed.failure().message().contains("ERROR 0") && failed.failure().message().contains("Read error"),
                    failed.failure().message());
            assertEquals(TftpSession.End.READ_ERROR, lan.tftp().sessions().getFirst().stats().end());
        }
    }

    /**
     * A folder's file read again after its channel was closed (to make room for others, {@link ServedFiles#MAX_OPEN}) must
     * still be the version the transfer started with. Renamed over, or deleted, the read fails, and its words (sent to
     * the client as ERROR 0) say so without the server's path: serve sent atftp "Read error: /tmp/qa/root/big.img ...".
     */
    @Test
    void aFolderFileReplacedOrGoneFailsInWordsWithoutItsPath() throws Exception {
        Path f = Files.write(dir.resolve("k.img"), new byte[3000]);
        Path g = Files.write(dir.resolve("g.img"), new byte[3000]);
        ServedFiles files = new ServedFiles();
        files.serveFolder(dir);
        ServedFile replaced = files.read("k.img");
        ServedFile gone = files.read("g.img");
        replaced.read(0, ByteBuffer.allocate(512));
        gone.read(0, ByteBuffer.allocate(512));
        replaced.close(); // the channels closed, as the folder's cache does
        gone.close();
        Files.move(Files.write(dir.resolve("new.img"), new byte[4000]), f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.delete(g);
        java.io.IOException e1 = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> replaced.read(512, ByteBuffer.allocate(512)));
        assertEquals("the file changed on disk while it was being served", e1.getMessage());
        java.io.IOException e2 = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> gone.read(512, ByteBuffer.allocate(512)));
        assertEquals("the file cannot be opened again: it is gone (deleted, or renamed away)", e2.getMessage());
        files.close();
    }
}
