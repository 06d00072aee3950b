package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A netascii read's blocks, made block by block (RFC 1350, RFC 764's NVT: LF as CR LF, CR as CR NUL). The golden bytes
 * are worked out by hand from that rule and RFC 1350 section 5's blocks (full but the last, which is shorter, zero bytes
 * when the bytes sent are a multiple of the block size).
 */
class NetasciiBlocksTest {
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.replace(" ", ""));
    }

    private static byte[] block(NetasciiBlocks n, long b, int blockSize) throws IOException {
        ByteBuffer dst = ByteBuffer.allocate(blockSize);
        int len = n.read(b, dst);
        assertEquals(len, dst.position());
        return Arrays.copyOf(dst.array(), len);
    }

    /** Every block of {@code raw} in order, windows of one: block 1, 2, ... to the first short one. */
    private static List<byte[]> blocks(byte[] raw, int blockSize) throws IOException {
        NetasciiBlocks n = new NetasciiBlocks(ServedFile.of(raw), blockSize, 1);
        List<byte[]> out = new ArrayList<>();
        for (long b = 1; ; b++) {
            byte[] x = block(n, b, blockSize);
            out.add(x);
            if (x.length < blockSize) {
                assertEquals(b, n.lastBlock());
                return out;
            }
            assertEquals(ReadBlocks.UNKNOWN, n.lastBlock(), "the last block is not known before it is made");
        }
    }

    private static void assertBlocks(List<byte[]> got, String... expectedHex) {
        assertEquals(expectedHex.length, got.size(), "blocks");
        for (int i = 0; i < expectedHex.length; i++) {
            assertArrayEquals(hex(expectedHex[i]), got.get(i), "block " + (i + 1));
        }
    }

    @Test
    void aLfBecomesCrLfAndACrBecomesCrNul() throws IOException {
        // "a\nb\rc": 61 | 0d 0a | 62 | 0d 00 | 63, 7 bytes: one block of 512, the last.
        assertBlocks(blocks(ascii("a\nb\rc"), 512), "61 0d0a 62 0d00 63");
        NetasciiBlocks n = new NetasciiBlocks(ServedFile.of(ascii("a\nb\rc")), 512, 1);
        block(n, 1, 512);
        assertEquals(7, n.size());
        assertEquals(5, n.fileBytesRead());
    }

    @Test
    void aCrEndingABlockOwesItsNulToTheNextBlock() throws IOException {
        // "abc\rd", blocks of 4: "abc" CR | NUL "d": the pair CR NUL is cut by the block's end.
        assertBlocks(blocks(ascii("abc\rd"), 4), "6162630d", "0064");
        // "abc\nd": CR | LF "d".
        assertBlocks(blocks(ascii("abc\nd"), 4), "6162630d", "0a64");
        // A pair cut at every block end: "\r\r\r" -> 0d00 0d00 0d00, blocks of 3: 0d000d | 000d00 | (empty).
        assertBlocks(blocks(ascii("\r\r\r"), 3), "0d000d", "000d00", "");
    }

    @Test
    void aFileEndingInCrEndsWithCrNul() throws IOException {
        // "abc\r", blocks of 4: "abc" CR | NUL, the last (1 byte).
        assertBlocks(blocks(ascii("abc\r"), 4), "6162630d", "00");
        // Blocks of 8: 61 62 63 0d 00, one short block.
        assertBlocks(blocks(ascii("abc\r"), 8), "6162630d00");
        // "abc\n", blocks of 5: 61 62 63 0d 0a is one full block, then the empty last one.
        assertBlocks(blocks(ascii("abc\n"), 5), "6162630d0a", "");
    }

    @Test
    void anEmptyFileIsOneEmptyBlock() throws IOException {
        NetasciiBlocks n = new NetasciiBlocks(ServedFile.of(new byte[0]), 512, 4);
        assertArrayEquals(new byte[0], block(n, 1, 512));
        assertEquals(1, n.lastBlock());
        assertEquals(0, n.size());
        assertEquals(0, n.fileBytesRead());
    }

    @Test
    void exactlyNBlocksEndWithAZeroLengthBlock() throws IOException {
        // "abcdefgh", blocks of 4: abcd | efgh | (empty): 8 bytes, a multiple of the block size.
        assertBlocks(blocks(ascii("abcdefgh"), 4), "61626364", "65666768", "");
        // "a\nb\rcd" -> 61 0d0a 62 0d00 63 64: 8 bytes: "a" CR LF "b" | CR NUL "c" "d" | (empty).
        assertBlocks(blocks(ascii("a\nb\rcd"), 4), "610d0a62", "0d006364", "");
        NetasciiBlocks n = new NetasciiBlocks(ServedFile.of(ascii("a\nb\rcd")), 4, 1);
        for (long b = 1; b <= 3; b++) {
            block(n, b, 4);
        }
        assertEquals(3, n.lastBlock());
        assertEquals(8, n.size());
    }

    @Test
    void anyBlockOfTheWindowIsMadeAgainByteForByte() throws IOException {
        // A window of 3 over "\n" x 10 -> (0d 0a) x 10, blocks of 3: 0d0a0d | 0a0d0a | 0d0a0d | 0a0d0a | ...: every
        // block boundary cuts a pair or not, in turn.
        byte[] raw = ascii("\n".repeat(10));
        NetasciiBlocks n = new NetasciiBlocks(ServedFile.of(raw), 3, 3);
        byte[] b1 = block(n, 1, 3), b2 = block(n, 2, 3), b3 = block(n, 3, 3);
        assertArrayEquals(hex("0d0a0d"), b1);
        assertArrayEquals(hex("0a0d0a"), b2);
        assertArrayEquals(hex("0d0a0d"), b3);
        // The window is lost: blocks 1..3 again, then 2..4 (a hole at 2), then 4 and 3: the same bytes each time.
        assertArrayEquals(b2, block(n, 2, 3));
        assertArrayEquals(b1, block(n, 1, 3));
        assertArrayEquals(b3, block(n, 3, 3));
        byte[] b4 = block(n, 4, 3);
        assertArrayEquals(hex("0a0d0a"), b4);
        assertArrayEquals(b2, block(n, 2, 3));
        assertArrayEquals(b4, block(n, 4, 3));
        assertArrayEquals(b3, block(n, 3, 3));
    }

    @Test
    void aBlockMoreThanAWindowBackCannotBeMadeAgain() throws IOException {
        // Window 2: the ring holds blocks top-2..top; a sender never goes back past its window (SenderWindow).
        NetasciiBlocks n = new NetasciiBlocks(ServedFile.of(ascii("x".repeat(100))), 8, 2);
        for (long b = 1; b <= 4; b++) {
            block(n, b, 8);
        }
        block(n, 3, 8);
        IOException e = assertThrows(IOException.class, () -> block(n, 2, 8));
        assertEquals("netascii block 2 can no longer be made: blocks up to 4 were, and only the last window's can be made again",
                e.getMessage());
    }

    @Test
    void aBlockAheadIsMadeAfterTheOnesBeforeIt() throws IOException {
        // A shuffled window hands block 3 over first: blocks 1 and 2 are made on the way, so it is the right one.
        byte[] raw = ascii("ab\r\ncd\nef\r");
        // 61 62 0d 00 0d 0a 63 64 0d 0a 65 66 0d 00: blocks of 4: 61620d00 | 0d0a6364 | 0d0a6566 | 0d00 (last)
        NetasciiBlocks n = new NetasciiBlocks(ServedFile.of(raw), 4, 4);
        assertArrayEquals(hex("0d0a6566"), block(n, 3, 4));
        assertEquals(ReadBlocks.UNKNOWN, n.lastBlockBy(3, ByteBuffer.allocate(4)));
        assertEquals(4, n.lastBlockBy(6, ByteBuffer.allocate(4)), "the last block is 4");
        assertEquals(14, n.size());
        assertArrayEquals(hex("61620d00"), block(n, 1, 4));
        assertArrayEquals(hex("0d0a6364"), block(n, 2, 4));
        assertArrayEquals(hex("0d00"), block(n, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> block(n, 5, 4), "past the last block");
    }

    @Test
    void randomFilesWindowsAndResendsGiveTheNetasciiFormBlockForBlock() throws IOException {
        SplittableRandom r = new SplittableRandom(1350);
        for (int round = 0; round < 300; round++) {
            byte[] raw = new byte[r.nextInt(0, 3000)];
            for (int i = 0; i < raw.length; i++) {
                int k = r.nextInt(8);
                raw[i] = (byte) (k == 0 ? '\r' : k == 1 ? '\n' : r.nextInt(256)); // CR and LF are a quarter of it
            }
            int blockSize = r.nextInt(1, 70);
            int window = r.nextInt(1, 9);
            byte[] want = NetasciiRule.of(raw);
            long last = want.length / blockSize + 1;
            NetasciiBlocks n = new NetasciiBlocks(ServedFile.of(raw), blockSize, window);
            long reads = 0;
            // Like a sender: a window from base, some blocks of it again, then base moves on by 1..window.
            for (long base = 1; base <= last; base += r.nextInt(1, window + 1)) {
                long end = Math.min(base + window - 1, last);
                for (int k = 0; k <= 3 * window; k++) {
                    long b = k == 3 * window ? end : base + r.nextLong(end - base + 1); // the window's end at least once
                    int from = (int) Math.min((b - 1) * blockSize, want.length);
                    byte[] expected = Arrays.copyOfRange(want, from, (int) Math.min(from + (long) blockSize, want.length));
                    assertArrayEquals(expected, block(n, b, blockSize), "round " + round + ", block " + b);
                    reads++;
                }
            }
            assertEquals(last, n.lastBlock(), "round " + round);
            assertEquals(want.length, n.size(), "round " + round);
            // At most a block of the file per block made (and a block ahead makes only those before it, once).
            assertTrue(n.fileBytesRead() <= (reads + last) * blockSize, "round " + round + ": " + n.fileBytesRead());
        }
    }

    @Test
    void aBlockReadsAtMostABlockOfTheFile() throws IOException {
        // What main did: the first netascii request read the whole file to count its size. Now block 1 of a 64 MiB
        // file reads 512 bytes of it, block 2 from where block 1 ended.
        byte[] raw = new byte[64 << 20];
        Arrays.fill(raw, (byte) '\n');
        NetasciiBlocks n = new NetasciiBlocks(ServedFile.of(raw), 512, 1);
        block(n, 1, 512);
        assertEquals(512, n.fileBytesRead());
        block(n, 2, 512);
        assertEquals(512 + 512, n.fileBytesRead(), "block 2 starts at byte 256 of the file (256 LF, 512 bytes sent)");
        assertEquals(ReadBlocks.UNKNOWN, n.size());
    }

    /**
     * A window far larger than the file (windowsize 65535 is answered 32767, RFC 7440) keeps no more checkpoints than the
     * netascii form can have blocks: 5000 LF are 10000 bytes, the most 5000 bytes can become, so 19 blocks of 512 and a
     * last of 272, and 21 checkpoints (the 20 blocks and the one after). The QA pass measured 557 KB a request before
     * (32768 checkpoints of 17 bytes): 1512 netascii requests for a 5000-byte file held 823 MB of heap. Every block of the
     * file is still in the window: made again in any order, each is the same.
     */
    @Test
    void aWindowLargerThanTheFileKeepsACheckpointPerBlockOfTheFileOnly() throws IOException {
        byte[] raw = ascii("\n".repeat(5000));
        byte[] want = NetasciiRule.of(raw);
        assertEquals(10_000, want.length);
        NetasciiBlocks n = new NetasciiBlocks(ServedFile.of(raw), 512, 32767);
        assertEquals(21, n.checkpoints());
        for (long b = 1; b <= 20; b++) {
            block(n, b, 512);
        }
        assertEquals(20, n.lastBlock());
        for (long b = 20; b >= 1; b--) {
            int from = (int) (b - 1) * 512;
            assertArrayEquals(Arrays.copyOfRange(want, from, Math.min(from + 512, want.length)), block(n, b, 512), "block " + b);
        }
        assertEquals(2, new NetasciiBlocks(ServedFile.of(new byte[0]), 512, 32767).checkpoints(), "an empty file: block 1 and 2");
    }

    /** Random files read with windows up to three times their blocks: the same netascii form, block for block, resent in any order. */
    @Test
    void windowsLargerThanTheFileGiveTheNetasciiForm() throws IOException {
        SplittableRandom r = new SplittableRandom(7440);
        for (int round = 0; round < 300; round++) {
            byte[] raw = new byte[r.nextInt(0, 400)];
            for (int i = 0; i < raw.length; i++) {
                int k = r.nextInt(4);
                raw[i] = (byte) (k == 0 ? '\r' : k == 1 ? '\n' : r.nextInt(256)); // half of it CR and LF
            }
            int blockSize = r.nextInt(1, 40);
            byte[] want = NetasciiRule.of(raw);
            long last = want.length / blockSize + 1;
            int window = r.nextInt(1, (int) (3 * last) + 2);
            NetasciiBlocks n = new NetasciiBlocks(ServedFile.of(raw), blockSize, window);
            for (long base = 1; base <= last; base += r.nextInt(1, window + 1)) {
                long end = Math.min(base + window - 1, last);
                for (int k = 0; k <= 2 * (end - base + 1); k++) {
                    long b = k == 0 ? end : base + r.nextLong(end - base + 1); // the window's end first: all of it made
                    int from = (int) Math.min((b - 1) * blockSize, want.length);
                    byte[] expected = Arrays.copyOfRange(want, from, (int) Math.min(from + (long) blockSize, want.length));
                    assertArrayEquals(expected, block(n, b, blockSize), "round " + round + ", block " + b);
                }
            }
            assertEquals(last, n.lastBlock(), "round " + round);
        }
    }

    /**
     * A window of 32767 over a file of 1 MiB: the ring starts at 64 checkpoints, whatever the window (a request whose
     * client never acknowledges its OACK costs no more), and doubles as blocks are made: making blocks 1..1000 notes
     * block 1001's checkpoint, past 512, so 1024. Every one of those blocks is still in the window and made again the same.
     */
    @Test
    void theRingGrowsWithTheBlocksMadeNotWithTheWindowAskedFor() throws IOException {
        byte[] raw = new byte[1 << 20];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) (i % 7 == 0 ? '\n' : i % 11 == 0 ? '\r' : 'a' + i % 26);
        }
        byte[] want = NetasciiRule.of(raw);
        NetasciiBlocks n = new NetasciiBlocks(ServedFile.of(raw), 8, 32767);
        assertEquals(64, n.checkpoints());
        for (long b = 1; b <= 1000; b++) {
            block(n, b, 8);
        }
        assertEquals(1024, n.checkpoints());
        for (long b = 1000; b >= 1; b -= 37) {
            int from = (int) (b - 1) * 8;
            assertArrayEquals(Arrays.copyOfRange(want, from, from + 8), block(n, b, 8), "block " + b);
        }
        assertArrayEquals(Arrays.copyOfRange(want, 0, 8), block(n, 1, 8), "block 1");
    }

    /** A transfer that is over lets go of its ring and buffer; its figures stay, and no block can be made any more. */
    @Test
    void aReleasedTransferKeepsItsFiguresAndNoCheckpoints() throws IOException {
        byte[] raw = ascii("ab\ncd\n".repeat(100)); // 600 bytes, 800 as netascii: blocks of 512 and 288
        NetasciiBlocks n = new NetasciiBlocks(ServedFile.of(raw), 512, 32767);
        block(n, 1, 512);
        block(n, 2, 512);
        n.release();
        assertEquals(1, n.checkpoints());
        assertEquals(2, n.lastBlock());
        assertEquals(800, n.size());
        assertEquals(512 + 216, n.fileBytesRead(), "block 1 reads a block of the file and uses 384; block 2 the other 216");
        assertThrows(IOException.class, () -> block(n, 1, 512));
    }
}
