package dev.netboot.emulator;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The blocks of a read in mode netascii, made from the file as they are sent, as tftpd-hpa makes them: RFC 1350's
 * netascii is RFC 764's NVT, "CR LF" for a line end and "CR NUL" for a bare CR, so the file's LF goes as CR LF, its CR
 * as CR NUL and every other byte as it is; a netascii client turns them back into the file.
 *
 * <p>Nothing is read ahead: block n is made by one positional read of at most a block of the file, from where block n
 * starts in it. That place is a checkpoint: the file offset, and the byte a pair cut by the block boundary still owes
 * (a CR LF or CR NUL whose CR ended block n - 1 puts its LF or NUL first in block n). Making block n notes block n + 1's
 * checkpoint. The checkpoints of the last {@code windowSize + 1} blocks are kept in a ring, so any block of the
 * current window (RFC 7440), and the one after it, can be made again, byte for byte the same, when it must be sent
 * again; a block past those made so far is reached by making the ones before it (a shuffled window's, at most a
 * window). A block before the ring fails the read: a sender never goes back past its window.
 *
 * <p>The size is not known until the last block is made, the first shorter than the block size (zero bytes when the
 * netascii form is a multiple of it): hence no {@code tsize} for netascii (tftpd-hpa: "For netascii mode, we don't
 * know the size ahead of time; so reject the option"). Memory per transfer: a block of the file and the ring, whatever
 * the file's size; the ring starts at 64 checkpoints and doubles as blocks are made, up to the window's and never past
 * the blocks the form can have, so a request whose client acknowledges nothing costs 64 whatever window it asked for;
 * once the transfer is over, nothing ({@link #release}).
 */
final class NetasciiBlocks implements ReadBlocks {
    private static final byte CR = '\r', LF = '\n', NUL = 0;
    private static final byte OWES_NOTHING = 0, OWES_LF = 1, OWES_NUL = 2;
    /** The ring's first size; it doubles, up to the window, as blocks are made. */
    static final int FIRST_RING = 64;

    private final ServedFile file;
    private final int blockSize;
    private ByteBuffer in;            // the file's bytes of the block being made
    // The ring of checkpoints: block ringBlock[i] starts at file offset ringAt[i], owing ringOwes[i] first.
    private long[] ringBlock;
    private long[] ringAt;
    private byte[] ringOwes;
    private final int most;           // the checkpoints the ring may come to hold: the window's and the one after
    private long top;                 // the highest block whose checkpoint is known
    private long lastBlock = UNKNOWN;
    private long size = UNKNOWN;
    private long read;

    /** Blocks of {@code blockSize} bytes of {@code file}'s netascii form, for a window of {@code windowSize} blocks. */
    NetasciiBlocks(ServedFile file, int blockSize, int windowSize) {
        if (blockSize < 1 || windowSize < 1) {
            throw new IllegalArgumentException("block size " + blockSize + ", window " + windowSize + " (expected: >= 1)");
        }
        this.file = file;
        this.blockSize = blockSize;
        this.in = ByteBuffer.allocate(blockSize);
        // No more checkpoints than the netascii form has blocks (at most twice the file's bytes, and the block after
        // the last), and no more than the blocks made so far need: a window of 32767 must not cost 32768 of them
        // (557 KB) for a request whose client never acknowledges a block, as a flood of requests from many ports.
        this.most = (int) Math.min(windowSize, 2 * file.size() / blockSize + 1) + 1;
        int ring = Math.min(most, FIRST_RING);
        this.ringBlock = new long[ring];
        this.ringAt = new long[ring];
        this.ringOwes = new byte[ring];
        java.util.Arrays.fill(ringBlock, -1);
        note(1, 0, OWES_NOTHING);
    }

    @Override
    public int read(long b, ByteBuffer dst) throws IOException {
        if (dst.remaining() != blockSize) {
            throw new IllegalArgumentException("room for " + dst.remaining() + " bytes (expected: the block size, " + blockSize + ")");
        }
        if (b < 1 || (lastBlock != UNKNOWN && b > lastBlock)) {
            throw new IllegalArgumentException("block " + b + " (expected: 1.." + (lastBlock == UNKNOWN ? "" : lastBlock) + ")");
        }
        int start = dst.position();
        while (top < b) {
            make(top, dst); // a block past those made so far: the ones before it first (a shuffled window)
            dst.position(start);
            if (lastBlock != UNKNOWN && b > lastBlock) {
                throw new IllegalArgumentException("block " + b + " is past the last, " + lastBlock);
            }
        }
        return make(b, dst);
    }

    @Override
    public long lastBlockBy(long b, ByteBuffer scratch) throws IOException {
        int start = scratch.position();
        while (lastBlock == UNKNOWN && top <= b) {
            make(top, scratch);
            scratch.position(start);
        }
        return lastBlock != UNKNOWN && lastBlock <= b ? lastBlock : UNKNOWN;
    }

    /** Makes block {@code b}, whose checkpoint is in the ring, at {@code dst}'s position; notes block b + 1's. */
    private int make(long b, ByteBuffer dst) throws IOException {
        int i = (int) (b % ringBlock.length);
        if (ringBlock[i] != b) {
            throw new IOException("netascii block " + b + " can no longer be made: blocks up to " + (top - 1)
                    + " were, and only the last window's can be made again");
        }
        long at = ringAt[i];
        int start = dst.position();
        switch (ringOwes[i]) {
            case OWES_LF -> dst.put(LF);
            case OWES_NUL -> dst.put(NUL);
            default -> { }
        }
        // Each byte of the file gives one or two: a block's worth of the file fills the block, or reaches its end.
        int want = (int) Math.min(dst.remaining(), file.size() - at);
        in.clear().limit(want);
        file.read(at, in);
        read += want;
        int used = 0;
        byte owes = OWES_NOTHING;
        while (used < want && dst.hasRemaining()) {
            byte x = in.get(used++);
            if (x == LF || x == CR) {
                dst.put(CR);
                if (dst.hasRemaining()) {
                    dst.put(x == LF ? LF : NUL);
                } else {
                    owes = x == LF ? OWES_LF : OWES_NUL; // the pair is cut by the block's end: its second byte opens the next
                }
            } else {
                dst.put(x);
            }
        }
        int n = dst.position() - start;
        if (b == top) {
            note(b + 1, at + used, owes);
        }
        if (n < blockSize) {
            lastBlock = b;
            size = (b - 1) * blockSize + n;
        }
        return n;
    }

    /** Notes that block {@code b} starts at file offset {@code at}, owing {@code owes} first. */
    private void note(long b, long at, byte owes) {
        if (b >= ringBlock.length && ringBlock.length < most) {
            grow(); // block b - length is still in a window that may be sent again
        }
        int i = (int) (b % ringBlock.length);
        ringBlock[i] = b;
        ringAt[i] = at;
        ringOwes[i] = owes;
        top = b;
    }

    /** Doubles the ring, up to {@code most}, each checkpoint moved to its place in the larger one. */
    private void grow() {
        int n = (int) Math.min(most, 2L * ringBlock.length);
        long[] block = new long[n];
        long[] at = new long[n];
        byte[] owes = new byte[n];
        java.util.Arrays.fill(block, -1);
        for (int i = 0; i < ringBlock.length; i++) {
            if (ringBlock[i] >= 0) {
                int j = (int) (ringBlock[i] % n);
                block[j] = ringBlock[i];
                at[j] = ringAt[i];
                owes[j] = ringOwes[i];
            }
        }
        ringBlock = block;
        ringAt = at;
        ringOwes = owes;
    }

    /**
     * Lets go of the ring and the block buffer once the transfer is over (its session ended): a server keeps its ended
     * sessions for their figures, and a flood of netascii requests given up on must not keep 557 KB each. Reading a
     * block after this fails; the figures stay.
     */
    @Override
    public void release() {
        in = ByteBuffer.allocate(0);
        ringBlock = new long[1];
        ringAt = new long[1];
        ringOwes = new byte[1];
        ringBlock[0] = -1;
    }

    /** Returns how many checkpoints the ring holds (tests: what a transfer keeps). */
    int checkpoints() {
        return ringBlock.length;
    }

    @Override
    public long lastBlock() {
        return lastBlock;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long fileBytesRead() {
        return read;
    }
}
