package dev.netboot.emulator;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * When a request to port 69 of a {@link TftpServer} may start its transfer, under the server's {@link TftpServerLimits}:
 * at once while fewer than {@code maxTransfers} run; past that, as {@code whenFull} says, it waits in the port's queue
 * (at most {@code requestQueue} requests, as a socket's receive queue holds them; one more is dropped), is dropped,
 * or is to be refused with ERROR 0 "Server busy" (the server answers it). The requests that waited start oldest first
 * as transfers end ({@link #next}). What a request is and what its transfer does stay the server's.
 */
final class RequestAdmission {
    /** A request that waits in port 69's queue: its sender and its bytes, parsed when it starts. */
    record Waiting(int srcIp, int srcPort, byte[] request) {
    }

    /** What became of a request that came while the limit of transfers runs. */
    enum Full {
        /** It waits in the queue. */
        WAITS,
        /** It was dropped: the server drops such requests, or the queue was full. */
        DROPPED,
        /** It is to be refused with ERROR 0 "Server busy". */
        BUSY
    }

    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private TftpServerLimits limits = TftpServerLimits.NONE;
    private long waited, dropped;

    /** Sets the limits; before the first request. */
    void limit(TftpServerLimits l) {
        this.limits = Objects.requireNonNull(l, "limits");
    }

    /** Returns the limits. */
    TftpServerLimits limits() {
        return limits;
    }

    /** Returns whether a transfer may start while {@code running} run. */
    boolean room(int running) {
        return limits.room(running);
    }

    /** Takes the request in {@code buf} (at {@code off}, {@code len} bytes) that came while the limit runs. */
    Full full(int srcIp, int srcPort, ByteBuffer buf, int off, int len) {
        return switch (limits.whenFull()) {
            case WAIT -> {
                if (waiting.size() >= limits.requestQueue()) {
                    dropped++; // the socket's receive queue is full
                    yield Full.DROPPED;
                }
                byte[] copy = new byte[len];
                buf.get(off, copy);
                waiting.add(new Waiting(srcIp, srcPort, copy));
                waited++;
                yield Full.WAITS;
            }
            case DROP -> {
                dropped++;
                yield Full.DROPPED;
            }
            case BUSY -> Full.BUSY;
        };
    }

    /** Returns the oldest request that waited if a transfer may start while {@code running} run, else null. */
    Waiting next(int running) {
        return !waiting.isEmpty() && limits.room(running) ? waiting.poll() : null;
    }

    /** Returns how many requests wait. */
    int queued() {
        return waiting.size();
    }

    /** Returns the requests that waited in the queue. */
    long waited() {
        return waited;
    }

    /** Returns the requests dropped past the limit or past a full queue. */
    long dropped() {
        return dropped;
    }
}
