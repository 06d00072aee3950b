package dev.netboot.emulator;

/**
 * How fast a server host may hand frames to its port: a real server's {@code sendto} blocks while its
 * NIC's queue is full, so a window goes out as the wire drains rather than all at once. On a link
 * with a rate this lets a window restart (RFC 7440) abandon the blocks not yet handed over, as the
 * RFC's figure shows, instead of queueing the new window behind the old one.
 */
interface TxPacer {
    /** Frames a paced sender keeps queued at its port: one on the wire, one ready behind it. */
    int BACKLOG = 2;

    /** Never holds back (an infinitely fast link, or a test without a port). */
    TxPacer NONE = new TxPacer() {
        @Override
        public boolean ready(long now) {
            return true;
        }

        @Override
        public long readyAt() {
            return Long.MIN_VALUE;
        }
    };

    /** Returns whether a frame handed over at {@code now} would go out without waiting behind {@link #BACKLOG} others. */
    boolean ready(long now);

    /** Returns when {@link #ready} next becomes true, given nothing more is sent. */
    long readyAt();

    /** Returns a pacer for {@code port}: ready while fewer than {@link #BACKLOG} frames are queued or on its wire. */
    static TxPacer of(EmulatedPort port) {
        return new TxPacer() {
            @Override
            public boolean ready(long now) {
                return port.txBacklog(now) < BACKLOG;
            }

            @Override
            public long readyAt() {
                return port.txNextLeaves();
            }
        };
    }
}
