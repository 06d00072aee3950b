package dev.netboot.emulator;

import java.util.ArrayDeque;

/**
 * The stall a {@link TftpSession} makes when {@link TftpQuirks#stallAt()} asks for one: before that block goes out for
 * the first time, the server stops for {@link TftpQuirks#stall()}. Meanwhile it sends nothing and its timers do not
 * run; the ACKs that come wait, as in a socket's receive queue, and are read in order when it is over. Once a session.
 */
final class ServerStall {
    private final long at;     // the block whose first sending the stall comes before; 0: never
    private final long length;
    private long until = -1;   // while stalled, when it is over; -1 otherwise
    private boolean done;      // the stall began
    private final ArrayDeque<Integer> held = new ArrayDeque<>();

    /** The stall {@code quirks} ask for (null: well-behaved, never). */
    ServerStall(SessionQuirks quirks) {
        this.at = quirks == null ? 0 : quirks.quirks().stallAt();
        this.length = quirks == null ? 0 : quirks.quirks().stall();
    }

    /** Returns whether the server is stalled. */
    boolean on() {
        return until >= 0;
    }

    /** Returns when the stall is over (while {@link #on()}). */
    long until() {
        return until;
    }

    /** Returns whether the stall begins at {@code now}, before block {@code next} would go out; if so it has. */
    boolean begins(long now, long next) {
        if (done || at <= 0 || next < at) {
            return false;
        }
        done = true;
        until = now + length;
        return true;
    }

    /** Keeps ACK {@code ack}, come while stalled, for when the stall is over. */
    void hold(int ack) {
        held.add(ack);
    }

    /** Ends the stall: the ACKs held are read from now on ({@link #nextHeld}). */
    void end() {
        until = -1;
    }

    /** Returns whether an ACK held is left to read. */
    boolean hasHeld() {
        return !held.isEmpty();
    }

    /** Returns the ACK held longest and forgets it. */
    int nextHeld() {
        return held.poll();
    }
}
