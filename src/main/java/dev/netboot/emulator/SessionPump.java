package dev.netboot.emulator;

/**
 * How the blocks of one {@link TftpSession} reach the server's port: handed over while the port takes them, as its wire
 * drains ({@link TxPacer}: a real server's {@code sendto} blocks while its NIC's queue is full), or, with the server's
 * {@link PortShare}, one block a turn among its other transfers. Which block goes next is the {@link SenderWindow}'s to
 * say, what its DATA is the {@link DataSender}'s; the pump sends, counts a block sent before as a retransmission, sends
 * nothing once the server's stall begins ({@link ServerStall}), and tells its session when blocks went (the timeout
 * runs from the last sending) and when one could not.
 */
final class SessionPump implements PortShare.Sender {
    /** What the pump needs of its session. */
    interface Session {
        /** Returns true once the session ended: nothing more goes. */
        boolean ended();

        /** Blocks went at {@code now}: the timeout runs from the last sending. */
        void sent(long now);

        /** A block could not be sent (the file cannot be read, or a quirk's ERROR): the session ends. */
        void unreadable();
    }

    private final SenderWindow window;
    private final DataSender data;
    private final ServerStall stall;
    private final TxPacer pacer;
    private final PortShare share; // the server's port, shared with its other sessions; null: this session's pacer alone
    private final Session session;
    private boolean queued;
    private long retransmissions;

    /** A pump sending {@code window}'s blocks through {@code data}, by {@code pacer} alone or, when not null, {@code share}. */
    SessionPump(SenderWindow window, DataSender data, ServerStall stall, TxPacer pacer, PortShare share, Session session) {
        this.window = window;
        this.data = data;
        this.stall = stall;
        this.pacer = pacer;
        this.share = share;
        this.session = session;
    }

    /** Returns the DATA handed over again: a block sent before, alone or in a window sent again. */
    long retransmissions() {
        return retransmissions;
    }

    /** Returns when the session next has work, its retry being due at {@code retryAt}: the pacer may free the port sooner. */
    long pollAt(long retryAt) {
        return window.hasWork() && share == null ? Math.min(retryAt, pacer.readyAt()) : retryAt;
    }

    /**
     * Hands blocks to the port while the pacer lets it: a pending single resend first, then the window's next.
     * With a {@link PortShare} the session waits for its turn instead, one block per turn.
     */
    void run(long now) {
        if (share != null) {
            share.want(this, now);
            return;
        }
        boolean sent = false;
        while (window.hasWork() && pacer.ready(now) && !session.ended()) {
            if (!sendNext(now)) {
                return;
            }
            sent = true;
        }
        if (sent) {
            session.sent(now);
        }
    }

    @Override
    public boolean sendOne(long now) {
        if (!window.hasWork() || session.ended() || stall.on() || !sendNext(now)) {
            return false;
        }
        session.sent(now);
        return window.hasWork() && !session.ended();
    }

    @Override
    public boolean queued() {
        return queued;
    }

    @Override
    public void queued(boolean q) {
        queued = q;
    }

    /**
     * Sends the next block: a pending single resend first, then the window's next (in a shuffled window's order);
     * returns false, sending nothing, when the server's stall ({@link TftpQuirks#stallAt()}) begins here.
     */
    private boolean sendNext(long now) {
        if (stall.begins(now, window.highestSent() + 1)) {
            return false; // nothing goes out, and the ACKs that come pile up until it is over
        }
        boolean alone = window.resendPending();
        long b = window.take();
        if (alone || b <= window.highestSent()) {
            retransmissions++;
        }
        sendData(now, b);
        window.sent(now, b);
        return true;
    }

    /** Sends block {@code b}; a file that cannot be read (or a quirk's ERROR) ends the session. */
    void sendData(long now, long b) {
        if (!data.send(now, b)) {
            session.unreadable();
        } else if (!window.lastBlockKnown() && data.lastBlock() != ReadBlocks.UNKNOWN) {
            window.lastBlockIs(data.lastBlock()); // a netascii transfer's last block was just made: the window ends there
        }
    }
}
