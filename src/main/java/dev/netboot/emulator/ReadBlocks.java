package dev.netboot.emulator;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What each DATA block of one read transfer holds (RFC 1350 section 5): block n of the file as it is (mode octet), or
 * of its netascii form, made block by block as the transfer goes ({@link NetasciiBlocks}). Every block but the last
 * holds {@code blockSize} bytes; the last is shorter, zero bytes when the bytes sent are a multiple of the block size.
 */
sealed interface ReadBlocks permits ReadBlocks.Octet, NetasciiBlocks {
    /** Returned by {@link #lastBlock()} and {@link #size()} while the last block has not been made yet. */
    long UNKNOWN = -1;

    /**
     * Puts block {@code b} (1-based) at {@code dst}'s position, which has exactly the block size remaining; returns its
     * length.
     *
     * @throws IOException when the file cannot be read, or the block can no longer be made
     */
    int read(long b, ByteBuffer dst) throws IOException;

    /** Returns the number of the last block, or {@link #UNKNOWN} until it has been made. */
    long lastBlock();

    /**
     * Returns the last block when it is {@code b} or before, making the blocks up to {@code b} in {@code scratch} (at
     * its position, the block size remaining) if it is not known yet; {@link #UNKNOWN} when it is after {@code b}. For
     * a sender that hands a window's blocks over out of order.
     *
     * @throws IOException when the file cannot be read
     */
    long lastBlockBy(long b, ByteBuffer scratch) throws IOException;

    /** Returns the bytes the transfer carries, or {@link #UNKNOWN} until its last block has been made. */
    long size();

    /** Returns the bytes read from the file so far (a netascii block may read a few bytes twice). */
    long fileBytesRead();

    /** Lets go of what making blocks takes, once the transfer is over; the figures above stay. */
    default void release() {
    }

    /** The file as it is, block n holding its bytes from {@code (n - 1) * blockSize}: sizes are known at once. */
    final class Octet implements ReadBlocks {
        private final ServedFile file;
        private final int blockSize;
        private long read;

        /** Blocks of {@code blockSize} bytes of {@code file}. */
        Octet(ServedFile file, int blockSize) {
            this.file = file;
            this.blockSize = blockSize;
        }

        @Override
        public int read(long b, ByteBuffer dst) throws IOException {
            int n = DataSender.length(b, blockSize, file.size());
            int limit = dst.limit();
            dst.limit(dst.position() + n);
            file.read((b - 1) * blockSize, dst);
            dst.limit(limit);
            read += n;
            return n;
        }

        @Override
        public long lastBlock() {
            return file.size() / blockSize + 1;
        }

        @Override
        public long lastBlockBy(long b, ByteBuffer scratch) {
            return lastBlock() <= b ? lastBlock() : UNKNOWN;
        }

        @Override
        public long size() {
            return file.size();
        }

        @Override
        public long fileBytesRead() {
            return read;
        }
    }
}
