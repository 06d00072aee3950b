package dev.netboot.emulator;

import dev.netboot.net.NetStack;
import dev.netboot.net.PayloadWriter;
import dev.netboot.tftp.BlockNumbers;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The DATA side of one {@link TftpSession}: block n of the file, read into the session's one payload buffer and put on
 * the wire from the session's transfer ID. Which block goes when is the session's and its {@link SenderWindow}'s to say;
 * this class says what block n is:
 *
 * <ul>
 *   <li>RFC 1350 section 5: DATA is opcode 3, the block number, then the block's bytes; block n holds the file's bytes
 *       from {@code (n - 1) * blockSize}, a full block but the last, which is shorter than the block size, zero bytes
 *       when the file is a multiple of it. In mode netascii the bytes are the file's netascii form, made block by block
 *       ({@link ReadBlocks}).</li>
 *   <li>The number on the wire is {@link BlockNumbers#wire}: 16 bits, wrapping 65535 to the rollover value agreed
 *       (0, or 1).</li>
 *   <li>A file that cannot be read: ERROR 0 saying why, and the session ends, as a real server does.</li>
 *   <li>The counts a port keeps: DATA frames and their bytes (Ethernet, IPv4, UDP and TFTP headers included), and of
 *       those the frames of blocks sent before.</li>
 *   <li>Misbehaviour on request ({@link TftpQuirks}, through {@link SessionQuirks}): silence after a block, an ERROR
 *       instead of one (its NUL left off on request), junk or a stranger's DATA before one, bytes beyond the block
 *       size, every DATA twice.</li>
 * </ul>
 *
 * <p>It fills each frame in place ({@link PayloadWriter}): sending a block allocates nothing.
 */
final class DataSender implements PayloadWriter {
    private final NetStack stack;
    private final int port;
    private final Ipv4Address client;
    private final int clientPort;
    private final ReadBlocks blocks;
    private final int blockSize;
    private final int rolloverTo;
    private final SessionQuirks quirks;
    private ByteBuffer payload; // the DATA payload being sent, read from the file; one per session, none once it ended
    private long txBlock;             // the block writePayload writes
    private long topSent;             // the highest block a DATA carried, for dataBytes/resentBytes
    private long dataSent, dataBytes, resentFrames, resentBytes;

    /**
     * Sends blocks of {@code content} from {@code port} to {@code client}:{@code clientPort} as {@code params} agreed,
     * misbehaving as {@code quirks} says (null: well-behaved).
     */
    DataSender(NetStack stack, int port, Ipv4Address client, int clientPort, ServedFile content,
               TftpServerSession.Params params, SessionQuirks quirks) {
        this(stack, port, client, clientPort, new ReadBlocks.Octet(content, params.blockSize()), params, quirks);
    }

    /** Sends {@code blocks} (the file as it is, or its netascii form) as {@code params} agreed; see above. */
    DataSender(NetStack stack, int port, Ipv4Address client, int clientPort, ReadBlocks blocks,
               TftpServerSession.Params params, SessionQuirks quirks) {
        this.stack = stack;
        this.port = port;
        this.client = client;
        this.clientPort = clientPort;
        this.blocks = blocks;
        this.blockSize = params.blockSize();
        this.rolloverTo = params.rolloverTo();
        this.quirks = quirks;
        this.payload = ByteBuffer.allocate(blockSize + (quirks != null ? SessionQuirks.OVERSIZE : 0));
    }

    /** Returns the bytes of block {@code b} (1-based) of a file of {@code size} bytes in blocks of {@code blockSize}. */
    static int length(long b, int blockSize, long size) {
        long start = (b - 1) * blockSize;
        return (int) Math.min(blockSize, size - start);
    }

    /**
     * Reads block {@code b} and sends it. Returns false when the session is to end (it ended with ERROR 0: the file
     * could not be read, or the quirks said so); true when it went, or the quirks kept it back.
     */
    boolean send(long now, long b) {
        if (quirks != null && quirks.quirks().stopAfter() > 0 && b > quirks.quirks().stopAfter()) {
            return true; // gone silent (TftpQuirks.stopAfter)
        }
        if (quirks != null && quirks.quirks().errorAfter() > 0 && b > quirks.quirks().errorAfter()) {
            String text = quirks.quirks().errorText();
            TftpPacket.Error e = new TftpPacket.Error(TftpWire.ERR_NOT_DEFINED, text);
            int n = e.encodedLength() - (quirks.quirks().errorWithoutNul() ? 1 : 0); // the NUL is the last byte
            for (int copies = quirks.twice() ? 2 : 1; copies > 0; copies--) {
                // Without the NUL, emit's last byte lands past the datagram, in the frame buffer's spare room.
                stack.sendUdp(now, port, client, clientPort, n, (buf, o, l) -> e.emit(buf, o));
            }
            return false;
        }
        int n;
        payload.clear().limit(blockSize);
        try {
            n = blocks.read(b, payload);
            payload.limit(n);
        } catch (IOException e) {
            TftpErrors.send(stack, now, port, client, clientPort, TftpWire.ERR_NOT_DEFINED, "Read error: " + e.getMessage());
            return false;
        }
        txBlock = b;
        if (quirks != null) {
            quirks.beforeData(now, BlockNumbers.wire(b, rolloverTo), payload, n);
            // A full block only: 4 bytes more on the last, short one would still be within the block size, only
            // bytes the file does not have (what the tsize check, or only the image's signature, can catch).
            if (n == blockSize && TftpWire.DATA_HEADER_LEN + n + SessionQuirks.OVERSIZE <= stack.maxUdpPayload() && quirks.oversize()) {
                payload.limit(n + SessionQuirks.OVERSIZE);
                for (int i = n; i < n + SessionQuirks.OVERSIZE; i++) {
                    payload.put(i, (byte) 0xEE); // bytes beyond the negotiated block size
                }
            }
        }
        stack.sendUdp(now, port, client, clientPort, TftpWire.DATA_HEADER_LEN + payload.limit(), this);
        dataSent++;
        long frame = TftpSession.FRAME_HEADERS + TftpWire.DATA_HEADER_LEN + payload.limit();
        dataBytes += frame;
        if (b <= topSent) {
            resentFrames++;
            resentBytes += frame;
        }
        topSent = Math.max(topSent, b);
        if (quirks != null && quirks.twice()) {
            stack.sendUdp(now, port, client, clientPort, TftpWire.DATA_HEADER_LEN + payload.limit(), this);
        }
        return true;
    }

    /**
     * Returns the last block when it is {@code b} or before, making the blocks up to it if need be (netascii), or
     * {@link ReadBlocks#UNKNOWN}; a file that cannot be read: ERROR 0 saying why, and -2 (the session is to end).
     */
    long lastBlockBy(long now, long b) {
        try {
            return blocks.lastBlockBy(b, payload.clear().limit(blockSize));
        } catch (IOException e) {
            TftpErrors.send(stack, now, port, client, clientPort, TftpWire.ERR_NOT_DEFINED, "Read error: " + e.getMessage());
            return -2;
        }
    }

    /** Returns the last block, or {@link ReadBlocks#UNKNOWN} until it has been made. */
    long lastBlock() {
        return blocks.lastBlock();
    }

    /** Returns the bytes the transfer carries, or {@link ReadBlocks#UNKNOWN} until its last block has been made. */
    long size() {
        return blocks.size();
    }

    /** Returns the bytes read from the file so far. */
    long fileBytesRead() {
        return blocks.fileBytesRead();
    }

    /** The transfer is over: its blocks need not be made again ({@link ReadBlocks#release}), nor sent. */
    void release() {
        blocks.release();
        payload = ByteBuffer.allocate(0);
    }

    /** Returns the bytes of its payload buffer (tests: what an ended session keeps). */
    int bufferBytes() {
        return payload.capacity();
    }

    /** Writes DATA {@code txBlock} in place. */
    @Override
    public void writePayload(ByteBuffer buf, int off, int len) {
        TftpWire.writeDataHeader(buf, off, BlockNumbers.wire(txBlock, rolloverTo));
        buf.put(off + TftpWire.DATA_HEADER_LEN, payload, 0, len - TftpWire.DATA_HEADER_LEN);
    }

    /** Returns the DATA packets sent (a second copy under {@link TftpQuirks#twice()} not counted). */
    long dataSent() {
        return dataSent;
    }

    /** Returns the bytes of the DATA frames sent (Ethernet, IPv4, UDP and TFTP headers included, as a port counts them). */
    long dataBytes() {
        return dataBytes;
    }

    /** Returns the DATA frames of blocks sent before, sent again. */
    long resentFrames() {
        return resentFrames;
    }

    /** Returns the bytes of those frames ({@link #resentFrames()}). */
    long resentBytes() {
        return resentBytes;
    }
}
