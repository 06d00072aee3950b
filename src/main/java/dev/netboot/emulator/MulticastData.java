package dev.netboot.emulator;

import dev.netboot.net.NetStack;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.TftpWire;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The DATA of one {@link TftpMulticastSession}: a block of the file read into the transfer's one payload buffer and
 * sent to the group from the transfer's port, and what went counted, each DATA and its frame's bytes, of those the
 * blocks the group had been sent before, and of these the ones sent again because the master's ACK did not come in
 * time. The session says which block goes when; a file that cannot be read is its to answer ({@link ReadFailure}).
 */
final class MulticastData {
    /** What the session does when the file cannot give a block: nothing went. */
    @FunctionalInterface
    interface ReadFailure {
        void failed(long now, IOException e);
    }

    private final NetStack stack;
    private final int port;
    private final Ipv4Address group;
    private final int groupPort;
    private final ServedFile content;
    private final int blockSize;
    private final ByteBuffer payload;
    private final ReadFailure readFailure;
    private long txBlock;
    private long highest;             // the highest block sent so far: one at or below it goes again
    private long dataSent, dataBytes, resentData, resentBytes, timeoutData, timeoutBytes;

    /** Sends blocks of {@code blockSize} of {@code content} from {@code port} to {@code group}:{@code groupPort}. */
    MulticastData(NetStack stack, int port, Ipv4Address group, int groupPort, ServedFile content, int blockSize,
                  ReadFailure readFailure) {
        this.stack = stack;
        this.port = port;
        this.group = group;
        this.groupPort = groupPort;
        this.content = content;
        this.blockSize = blockSize;
        this.payload = ByteBuffer.allocate(blockSize);
        this.readFailure = readFailure;
    }

    /**
     * Sends block {@code b} to the group, again after a timeout when {@code timedOut}; returns whether the group had been
     * sent it before (a retransmission), even when the file could not give it.
     */
    boolean send(long now, long b, boolean timedOut) {
        boolean again = b <= highest;
        highest = Math.max(highest, b);
        long before = dataBytes;
        sendData(now, b);
        if (again) {
            resentData++;
            resentBytes += dataBytes - before;
            if (timedOut) {
                timeoutData++;
                timeoutBytes += dataBytes - before;
            }
        }
        return again;
    }

    private void sendData(long now, long b) {
        long start = (b - 1) * blockSize;
        int n = DataSender.length(b, blockSize, content.size());
        payload.clear().limit(n);
        try {
            content.read(start, payload);
        } catch (IOException e) {
            readFailure.failed(now, e);
            return;
        }
        txBlock = b;
        stack.sendUdp(now, port, group, groupPort, TftpWire.DATA_HEADER_LEN + n, (buf, off, len) -> {
            TftpWire.writeDataHeader(buf, off, (int) txBlock);
            buf.put(off + TftpWire.DATA_HEADER_LEN, payload, 0, len - TftpWire.DATA_HEADER_LEN);
        });
        dataSent++;
        dataBytes += TftpSession.FRAME_HEADERS + TftpWire.DATA_HEADER_LEN + n; // Ethernet, IPv4, UDP, TFTP headers and the block
    }

    /** Returns the DATA sent to the group, again or not. */
    long dataSent() {
        return dataSent;
    }

    /** Returns the frames of those DATA, bytes. */
    long dataBytes() {
        return dataBytes;
    }

    /** Returns the DATA of blocks the group had been sent before. */
    long resentData() {
        return resentData;
    }

    /** Returns the frames of those, bytes. */
    long resentBytes() {
        return resentBytes;
    }

    /** Returns the DATA sent again because the master's ACK did not come in time. */
    long timeoutData() {
        return timeoutData;
    }

    /** Returns the frames of those, bytes. */
    long timeoutBytes() {
        return timeoutBytes;
    }
}
