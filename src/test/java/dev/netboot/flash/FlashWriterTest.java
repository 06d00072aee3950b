package dev.netboot.flash;

import static dev.netboot.flash.FlashContractTest.assertFlash;
import static dev.netboot.flash.FlashContractTest.filled;
import static dev.netboot.flash.FlashContractTest.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FlashWriterTest {
    /** 64 KiB chip: 16 sectors of 4 KiB, 256-byte pages, erased 0xFF. */
    private static final FlashGeometry G = FlashContractTest.SMALL;
    /** Sectors 4..11: 0x4000..0xC000, 32 KiB. */
    private static final Partition BOOT = new Partition("boot", 0x4000, 0x8000);

    private final SimulatedNorFlash flash = SimulatedNorFlash.inMemory(G);

    static byte[] image(int len, long seed) {
        byte[] b = new byte[len];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    static byte[] slice(byte[] all, int from, int to) {
        return Arrays.copyOfRange(all, from, to);
    }

    /** Programs every byte of flash with a known pattern, so untouched bytes can be recognised. */
    static byte[] fillWithPattern(Flash f) {
        byte[] pattern = new byte[(int) f.geometry().size()];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (i * 31 + 7);
        }
        for (int p = 0; p < pattern.length; p += 256) {
            f.program(p, pattern, p, 256);
        }
        return pattern;
    }

    /** Feeds {@code img} in blocks of {@code block} bytes from one buffer, as TFTP would hand them over. */
    static void feed(FlashWriter w, ByteBuffer src, int from, int len, int block) {
        for (int at = from; at < from + len; at += block) {
            w.write(src, at, Math.min(block, from + len - at));
        }
    }

    @Test
    void oddSizeImageLandsAtPartitionOffsetAndLeavesPageTailErased() throws Exception {
        byte[] img = image(10_000, 1);
        ByteBuffer src = ByteBuffer.wrap(img).position(7); // a moved position must not matter
        FlashWriter w = new FlashWriter(flash, BOOT);
        w.begin(10_000);
        feed(w, src, 0, 10_000, 512); // 19 blocks of 512 and one of 272
        assertEquals(7, src.position());
        assertEquals(10_000, src.limit());
        assertEquals(10_000, w.finish());

        byte[] all = readAll(flash);
        assertArrayEquals(img, slice(all, 0x4000, 0x4000 + 10_000));
        // The last page 0x6700..0x6800 holds 16 image bytes; its other 240 stay erased.
        assertArrayEquals(filled(240, 0xFF), slice(all, 0x6710, 0x6800));
        // Everything else was erased to begin with and is still erased.
        assertArrayEquals(filled(0x4000, 0xFF), slice(all, 0, 0x4000));
        assertArrayEquals(filled(0x10000 - 0x6710, 0xFF), slice(all, 0x6710, 0x10000));
        assertArrayEquals(sha256(img), w.sha256());
        assertEquals(10_000, w.bytesWritten());
        assertEquals(0x4000, w.offset());
        FlashStats s = flash.stats();
        assertEquals(3, s.erases());          // 0x4000, 0x5000, 0x6000
        assertEquals(40, s.programs());       // 39 full pages and 16 bytes
        assertEquals(10_000, s.bytesProgrammed());
    }

    @Test
    void directBufferWithSmallBlocksGivesTheSameBytes() throws Exception {
        byte[] img = image(1000, 2);
        ByteBuffer src = ByteBuffer.allocateDirect(1100).put(50, img); // image at 50..1050
        FlashWriter w = new FlashWriter(flash, BOOT);
        w.begin(-1);
        feed(w, src, 50, 1000, 100); // blocks that do not divide the page
        assertEquals(1000, w.finish());
        byte[] back = new byte[1000];
        flash.read(0x4000, back, 0, 1000);
        assertArrayEquals(img, back);
        assertArrayEquals(sha256(img), w.sha256());
        assertEquals(0, src.position());
    }

    @Test
    void imageOfWholeSectorsLeavesRestOfPartitionAsItWas() throws Exception {
        byte[] pattern = fillWithPattern(flash);
        FlashStats before = flash.stats();
        byte[] img = image(8192, 3); // 2 sectors, 32 pages
        FlashWriter w = new FlashWriter(flash, BOOT);
        w.begin(8192);
        feed(w, ByteBuffer.wrap(img), 0, 8192, 1468);
        assertEquals(8192, w.finish());

        byte[] all = readAll(flash);
        assertArrayEquals(img, slice(all, 0x4000, 0x6000));
        assertArrayEquals(slice(pattern, 0, 0x4000), slice(all, 0, 0x4000));
        // Sectors of the partition past the image are not erased: documented behaviour for now.
        assertArrayEquals(slice(pattern, 0x6000, 0x10000), slice(all, 0x6000, 0x10000));
        assertEquals(2, flash.stats().erases() - before.erases());
        assertEquals(32, flash.stats().programs() - before.programs());
        assertArrayEquals(sha256(img), w.sha256());
    }

    @Test
    void imageFillingThePartitionExactlyFits() throws Exception {
        byte[] img = image(0x8000, 4);
        FlashWriter w = new FlashWriter(flash, BOOT);
        w.begin(0x8000);
        feed(w, ByteBuffer.wrap(img), 0, 0x8000, 512);
        assertEquals(0x8000, w.finish());
        assertArrayEquals(img, slice(readAll(flash), 0x4000, 0xC000));
        assertEquals(8, flash.stats().erases());
        assertArrayEquals(sha256(img), w.sha256());
    }

    @Test
    void zeroLengthImageTouchesNothing() throws Exception {
        FlashWriter w = new FlashWriter(flash, BOOT);
        w.begin(0);
        w.write(ByteBuffer.allocate(4), 2, 0);
        assertEquals(0, w.finish());
        assertArrayEquals(sha256(new byte[0]), w.sha256());
        assertEquals(FlashStats.ZERO, flash.stats());
    }

    @Test
    void knownSizeTooLargeIsRefusedBeforeFlashIsTouched() {
        FlashWriter w = new FlashWriter(flash, BOOT);
        FlashException e = assertFlash(FlashException.Kind.IMAGE_TOO_LARGE, () -> w.begin(0x8001));
        assertEquals("image of 32769 bytes does not fit partition boot of 32768 bytes at 0x4000", e.getMessage());
        assertEquals(FlashStats.ZERO, flash.stats());
        assertFlash(FlashException.Kind.STATE, () -> w.write(ByteBuffer.allocate(1), 0, 1));
        assertEquals(FlashStats.ZERO, flash.stats());
    }

    @Test
    void overflowFoundDuringWriteWritesNoneOfTheOffendingBytesAndNothingOutside() {
        byte[] pattern = fillWithPattern(flash);
        byte[] img = image(32_668 + 512, 5);
        FlashWriter w = new FlashWriter(flash, BOOT);
        w.begin(-1); // unknown size, as when the server sends no tsize
        feed(w, ByteBuffer.wrap(img), 0, 32_668, 512); // 100 bytes short of the partition
        FlashException e = assertFlash(FlashException.Kind.IMAGE_TOO_LARGE,
                () -> w.write(ByteBuffer.wrap(img), 32_668, 512));
        assertEquals("image of at least 33180 bytes does not fit partition boot of 32768 bytes at 0x4000", e.getMessage());
        assertEquals(32_668, w.bytesWritten());

        byte[] all = readAll(flash);
        assertArrayEquals(slice(pattern, 0, 0x4000), slice(all, 0, 0x4000));
        assertArrayEquals(slice(pattern, 0xC000, 0x10000), slice(all, 0xC000, 0x10000));
        // 127 whole pages (32512 bytes) were programmed; the buffered 156 and the offending 512 were not.
        assertArrayEquals(slice(img, 0, 32_512), slice(all, 0x4000, 0x4000 + 32_512));
        assertArrayEquals(filled(256, 0xFF), slice(all, 0xBF00, 0xC000));
        assertFlash(FlashException.Kind.STATE, () -> w.write(ByteBuffer.wrap(img), 0, 1));
        assertFlash(FlashException.Kind.STATE, w::finish);
    }

    @Test
    void oneByteMoreThanAFullPartitionIsRefused() {
        byte[] pattern = fillWithPattern(flash);
        FlashWriter w = new FlashWriter(flash, BOOT);
        w.begin(-1);
        feed(w, ByteBuffer.wrap(image(0x8000, 6)), 0, 0x8000, 4096);
        assertFlash(FlashException.Kind.IMAGE_TOO_LARGE, () -> w.write(ByteBuffer.allocate(1), 0, 1));
        byte[] all = readAll(flash);
        assertArrayEquals(slice(pattern, 0, 0x4000), slice(all, 0, 0x4000));
        assertArrayEquals(slice(pattern, 0xC000, 0x10000), slice(all, 0xC000, 0x10000));
    }

    @ParameterizedTest(name = "{0} bytes: {1} erases, {2} programs")
    @CsvSource({"1, 1, 1", "255, 1, 1", "256, 1, 1", "4095, 1, 16", "4096, 1, 16", "4097, 2, 17",
            "10000, 3, 40", "32768, 8, 128"})
    void erasesOneUnitPerStartedUnit(int len, long erases, long programs) {
        FlashWriter w = new FlashWriter(flash, BOOT);
        w.begin(len);
        feed(w, ByteBuffer.wrap(image(len, len)), 0, len, 512);
        w.finish();
        assertEquals(erases, flash.stats().erases());
        assertEquals(programs, flash.stats().programs());
    }

    @Test
    void erasesAheadOnlyWhenTheUnitsFirstPageIsProgrammed() {
        RecordingFlash recording = new RecordingFlash(flash);
        List<String> log = recording.log;
        ByteBuffer src = ByteBuffer.wrap(image(4400, 7));
        FlashWriter w = new FlashWriter(recording, BOOT);
        w.begin(-1);
        w.write(src, 0, 255);
        assertEquals(List.of(), log); // still buffered: nothing erased yet
        w.write(src, 255, 1);
        assertEquals(List.of("erase 0x4000 4096", "program 0x4000 256"), log);
        w.write(src, 256, 4097 - 256);
        assertEquals(1, flash.stats().erases()); // byte 4096 is buffered; sector 0x5000 not yet needed
        w.write(src, 4097, 4352 - 4097);
        assertEquals(List.of("erase 0x5000 4096", "program 0x5000 256"), log.subList(log.size() - 2, log.size()));
        w.write(src, 4352, 48);
        w.finish();
        assertEquals("program 0x5100 48", log.getLast());
        assertEquals(2, log.stream().filter(s -> s.startsWith("erase")).count());
    }

    /** Logs erases and programs as "erase 0x4000 4096" and "program 0x4000 256". */
    static final class RecordingFlash extends ForwardingFlash {
        final List<String> log = new ArrayList<>();

        RecordingFlash(Flash delegate) {
            super(delegate);
        }

        @Override
        public void erase(long offset, long length) {
            log.add(String.format("erase 0x%x %d", offset, length));
            delegate.erase(offset, length);
        }

        @Override
        public void program(long offset, byte[] src, int srcOff, int len) {
            log.add(String.format("program 0x%x %d", offset, len));
            delegate.program(offset, src, srcOff, len);
        }
    }

    /** Programs everything except the byte at {@code dropAt}, which stays as it was. */
    static final class DroppingFlash extends ForwardingFlash {
        private final long dropAt;

        DroppingFlash(Flash delegate, long dropAt) {
            super(delegate);
            this.dropAt = dropAt;
        }

        @Override
        public void program(long offset, byte[] src, int srcOff, int len) {
            byte[] copy = Arrays.copyOfRange(src, srcOff, srcOff + len);
            if (dropAt >= offset && dropAt < offset + len) {
                copy[(int) (dropAt - offset)] = (byte) 0xFF; // programming 0xFF changes nothing
            }
            delegate.program(offset, copy, 0, len);
        }
    }

    /** Flips bit 0 of the byte at {@code flipAt} in reads once armed. */
    static final class BitFlipOnReadFlash extends ForwardingFlash {
        private final long flipAt;
        boolean armed;

        BitFlipOnReadFlash(Flash delegate, long flipAt) {
            super(delegate);
            this.flipAt = flipAt;
        }

        @Override
        public void read(long offset, byte[] dst, int dstOff, int len) {
            delegate.read(offset, dst, dstOff, len);
            if (armed && flipAt >= offset && flipAt < offset + len) {
                dst[dstOff + (int) (flipAt - offset)] ^= 1;
            }
        }
    }

    @Test
    void pageReadBackCatchesADroppedByte() {
        byte[] img = image(1024, 8);
        img[300] = 0x00;
        FlashWriter w = new FlashWriter(new DroppingFlash(flash, 0x4000 + 300), BOOT);
        w.begin(1024);
        w.write(ByteBuffer.wrap(img), 0, 256);
        FlashException e = assertFlash(FlashException.Kind.VERIFY_FAILED, () -> w.write(ByteBuffer.wrap(img), 256, 256));
        assertEquals("verify at 0x412c: read 0xff (expected: 0x00 as programmed)", e.getMessage());
        assertFlash(FlashException.Kind.STATE, w::finish);
    }

    @Test
    void pageReadBackCatchesAFlippedBit() {
        BitFlipOnReadFlash flaky = new BitFlipOnReadFlash(flash, 0x4000 + 10);
        flaky.armed = true;
        byte[] img = image(100, 9);
        FlashWriter w = new FlashWriter(flaky, BOOT);
        w.begin(100);
        w.write(ByteBuffer.wrap(img), 0, 100);
        assertFlash(FlashException.Kind.VERIFY_FAILED, w::finish); // the partial page's read-back
    }

    @Test
    void finalDigestCatchesCorruptionAfterThePageCheck() throws Exception {
        BitFlipOnReadFlash flaky = new BitFlipOnReadFlash(flash, 0x4000 + 5000);
        byte[] img = image(8192, 10); // whole pages: finish programs nothing, only re-reads
        FlashWriter w = new FlashWriter(flaky, BOOT);
        w.begin(8192);
        feed(w, ByteBuffer.wrap(img), 0, 8192, 512);
        flaky.armed = true; // as if a later operation disturbed a programmed page
        FlashException e = assertFlash(FlashException.Kind.VERIFY_FAILED, w::finish);
        // The unit re-read is compared with the bytes received by CRC-32C (the JDK's, RFC 3720's polynomial).
        java.util.zip.CRC32C received = new java.util.zip.CRC32C();
        received.update(img);
        assertTrue(e.getMessage().startsWith("image of 8192 bytes at 0x4000 reads back with CRC-32C "), e.getMessage());
        assertTrue(e.getMessage().endsWith(String.format("(expected: %08x as received)", received.getValue())), e.getMessage());
        assertFalse(e.getMessage().contains(String.format("CRC-32C %08x ", received.getValue())), e.getMessage());
        assertFlash(FlashException.Kind.STATE, w::sha256);
    }

    @Test
    void callsOutOfOrderAreStateErrors() {
        FlashWriter w = new FlashWriter(flash, BOOT);
        ByteBuffer one = ByteBuffer.allocate(1);
        FlashException e = assertFlash(FlashException.Kind.STATE, () -> w.write(one, 0, 1));
        assertEquals("flash writer for partition boot: write while not begun (expected: writing, after begin and before finish)",
                e.getMessage());
        assertFlash(FlashException.Kind.STATE, w::finish);
        assertFlash(FlashException.Kind.STATE, w::sha256);
        w.begin(-1);
        assertFlash(FlashException.Kind.STATE, () -> w.begin(-1));
        assertFlash(FlashException.Kind.STATE, w::sha256);
        w.write(one, 0, 1);
        assertEquals(1, w.finish());
        assertFlash(FlashException.Kind.STATE, () -> w.write(one, 0, 1));
        assertFlash(FlashException.Kind.STATE, w::finish);
        assertFlash(FlashException.Kind.STATE, () -> w.begin(1));
        w.abort(); // after finish: nothing to stop, the result stays available
        assertEquals(32, w.sha256().length);
        assertEquals(1, flash.stats().erases());
    }

    @Test
    void abortStopsWithoutWritingTheBufferedBytes() {
        byte[] img = image(300, 11);
        FlashWriter w = new FlashWriter(flash, BOOT);
        w.begin(300);
        w.write(ByteBuffer.wrap(img), 0, 300);
        w.abort();
        assertEquals(1, flash.stats().programs()); // the first full page only
        byte[] tail = new byte[256];
        flash.read(0x4100, tail, 0, 256);
        assertArrayEquals(filled(256, 0xFF), tail);
        FlashException e = assertFlash(FlashException.Kind.STATE, () -> w.write(ByteBuffer.wrap(img), 0, 1));
        assertTrue(e.getMessage().contains("while aborted"), e.getMessage());
        assertFlash(FlashException.Kind.STATE, w::finish);
        assertEquals(1, flash.stats().programs());
    }

    @Test
    void writeRangeMustLieBeforeTheBufferLimit() {
        FlashWriter w = new FlashWriter(flash, BOOT);
        w.begin(-1);
        ByteBuffer src = ByteBuffer.allocate(100).limit(50);
        assertThrows(IndexOutOfBoundsException.class, () -> w.write(src, 40, 11));
        assertThrows(IndexOutOfBoundsException.class, () -> w.write(src, -1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> w.write(src, 0, -1));
        assertEquals(0, w.bytesWritten());
        w.write(src, 40, 10);
        assertEquals(10, w.bytesWritten());
    }

    @Test
    void partitionMustFitTheFlash() {
        assertThrows(IllegalArgumentException.class, () -> new FlashWriter(flash, new Partition("boot", 0x4100, 0x1000)));
        assertThrows(IllegalArgumentException.class, () -> new FlashWriter(flash, new Partition("boot", 0x4000, 0x1100)));
        assertThrows(IllegalArgumentException.class, () -> new FlashWriter(flash, new Partition("boot", 0xF000, 0x2000)));
        assertEquals(FlashStats.ZERO, flash.stats());
    }

    @Test
    void ramIsTwoPages() {
        assertEquals(512, new FlashWriter(flash, BOOT).ramBytes());
        FlashGeometry nandLike = new FlashGeometry(1 << 20, 128 * 1024, 2048, 0xFF);
        assertEquals(4096, new FlashWriter(SimulatedNorFlash.inMemory(nandLike), new Partition("boot", 0, 1 << 20)).ramBytes());
    }

    @Test
    void writeDoesNotAllocatePerCall() {
        var threads = ManagementFactory.getThreadMXBean();
        assertTrue(threads instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported()
                && t.isThreadAllocatedMemoryEnabled(), "HotSpot's per-thread allocation counter is needed for this check");
        com.sun.management.ThreadMXBean t = (com.sun.management.ThreadMXBean) threads;
        ByteBuffer src = ByteBuffer.wrap(image(512, 12));
        FlashWriter w = new FlashWriter(flash, new Partition("all", 0, 0x10000));
        w.begin(-1);
        for (int i = 0; i < 128; i++) { // warm up: first calls load classes, and the in-memory chip stores each sector once
            w.write(src, 0, 512);
        }
        w.abort();
        flash.erase(0, 0x10000);

        FlashWriter measured = new FlashWriter(flash, new Partition("all", 0, 0x10000));
        measured.begin(-1);
        long before = t.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 128; i++) { // the whole chip: 128 blocks, 256 pages, 16 erases
            measured.write(src, 0, 512);
        }
        long allocated = t.getCurrentThreadAllocatedBytes() - before;
        // One 16-byte object per write would be 2048 bytes; one page-sized copy per write, 128 * 272.
        assertTrue(allocated < 2048, "write allocated " + allocated + " bytes over 128 calls");
    }
}
