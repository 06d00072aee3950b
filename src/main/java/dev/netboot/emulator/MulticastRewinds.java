package dev.netboot.emulator;

import dev.netboot.emulator.MulticastClients.Client;

/**
 * When the stream of one {@link TftpMulticastSession} goes back to block 1 for clients that joined after blocks went
 * to the group (the second item of the session's class comment): a client late by at most {@link #REWIND_AT_ONCE}
 * blocks makes it go back at once; one later than that, {@link #REWIND_WAIT} after it joined, for every client late by
 * then; and the blocks so taken back are at most a quarter of the file's in all ({@link #REWIND_SHARE}). This says
 * when and for whom, and counts; the session makes the client master and sends the OACKs.
 */
final class MulticastRewinds {
    /**
     * The share of the file's blocks the stream may be taken back, in all, for clients that joined late: a quarter.
     * Where boards keep coming (a stagger) rewinds serve few each and the boards still coming need a later pass all
     * the same, so they cost what they take back; where they came nearly together they save a whole pass.
     */
    static final int REWIND_SHARE = 4;
    /** A client that joins when the stream is at most this many blocks on makes the stream go back at once. */
    static final long REWIND_AT_ONCE = 8;
    /**
     * How long the stream goes on before it goes back for a client that joined later than that (virtual nanoseconds):
     * clients joining meanwhile share the one rewind. The new master's empty flash buffer takes a few dozen blocks at
     * the network's speed, so every rewind costs those whenever it comes: fewer rewinds, fewer bytes. (1,000 boards of
     * which a third join over 1.5 s: 250 ms sends 1.32 passes of the file, 500 ms 1.20, 1 s 1.17.)
     */
    static final long REWIND_WAIT = 1_000_000_000L;

    private final long lastBlock;
    private long rewindDue = Long.MAX_VALUE;
    private Client rewindFor;         // the first client that joined late since the last rewind
    private long rewinds, rewound;

    /** The rewinds of a file of {@code lastBlock} blocks. */
    MulticastRewinds(long lastBlock) {
        this.lastBlock = lastBlock;
    }

    /** Returns whether a client joining with the stream at {@code position} makes it go back at once. */
    boolean atOnce(long position) {
        return position > 0 && position <= REWIND_AT_ONCE && rewound + position <= lastBlock / REWIND_SHARE;
    }

    /**
     * {@code c} joined with the stream at {@code position}, and it did not go back at once: unless the stream is yet to
     * start, it goes back after a while, for every client late by then, the first such client's wait counting.
     */
    void later(long now, Client c, long position) {
        if (position > 0 && rewindDue == Long.MAX_VALUE) {
            rewindFor = c;
            rewindDue = now + REWIND_WAIT;
        }
    }

    /** The stream goes back from {@code position} to block 1: counted, and no rewind waits any more. */
    void taken(long position) {
        cancel();
        rewinds++;
        rewound += position;
    }

    /** Another client is made master: its stream serves the clients waiting for a rewind, or its turn does. */
    void cancel() {
        rewindDue = Long.MAX_VALUE;
        rewindFor = null;
    }

    /**
     * Returns the client to make master at {@code now}, the stream being at {@code position}, for the rewind that
     * waited; null when none is due, or when its client is gone or the budget is spent: then no rewind waits any more,
     * and the late clients wait for their turns.
     */
    Client due(long now, long position, MulticastClients clients) {
        if (now < rewindDue) {
            return null;
        }
        if (!rewindFor.done() && clients.contains(rewindFor) && rewound + position <= lastBlock / REWIND_SHARE) {
            return rewindFor;
        }
        cancel();
        return null;
    }

    /** Returns when the rewind that waits is due, or {@link Long#MAX_VALUE}. */
    long dueAt() {
        return rewindDue;
    }

    /** Returns the times a client that joined late was made master to take the stream back to block 1. */
    long rewinds() {
        return rewinds;
    }

    /** Returns the blocks the stream was so taken back, in all. */
    long rewound() {
        return rewound;
    }
}
