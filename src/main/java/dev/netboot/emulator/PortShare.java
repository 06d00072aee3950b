package dev.netboot.emulator;

import java.util.ArrayDeque;

/**
 * A server port's rate shared by the transfers that have DATA to send, one frame each in turn (round robin, as
 * a fair-queueing qdisc shares a link among sockets). A session that has blocks to send asks for its turn
 * ({@link #want}); whenever the port can take a frame ({@link TxPacer}), the session at the head of the line
 * sends one and goes to the back if it has more. A thousand transfers on a 1 Gbit/s port each get a thousandth
 * of it; none waits behind another's whole window.
 */
final class PortShare {
    /** A transfer that sends through the share. */
    interface Sender {
        /** Sends one frame; returns whether it has more to send. */
        boolean sendOne(long now);

        /** Returns whether it is in the line; kept by the share. */
        boolean queued();

        /** Marks it in the line or not. */
        void queued(boolean q);
    }

    private final TxPacer port;
    private final ArrayDeque<Sender> line = new ArrayDeque<>();
    private long frames;

    PortShare(TxPacer port) {
        this.port = port;
    }

    /** Puts {@code s} in line (once) and sends what the port takes now. */
    void want(Sender s, long now) {
        if (!s.queued()) {
            s.queued(true);
            line.add(s);
        }
        run(now);
    }

    /** Sends, one frame per sender in turn, while the port takes frames. */
    void run(long now) {
        while (!line.isEmpty() && port.ready(now)) {
            Sender s = line.poll();
            s.queued(false);
            frames++;
            if (s.sendOne(now)) {
                s.queued(true);
                line.add(s);
            }
        }
    }

    /** Returns when {@link #run} can send next: the port's readiness while anyone waits, else never. */
    long pollAt() {
        return line.isEmpty() ? Long.MAX_VALUE : port.readyAt();
    }

    /** Returns the senders waiting for their turn. */
    int waiting() {
        return line.size();
    }

    /** Returns the turns given so far. */
    long turns() {
        return frames;
    }
}
