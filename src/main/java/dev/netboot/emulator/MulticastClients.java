package dev.netboot.emulator;

import dev.netboot.wire.TftpPacket;
import java.util.ArrayList;
import java.util.List;

/**
 * The clients of one {@link TftpMulticastSession} and which of them is master (RFC 2090): the session decides when the
 * master changes, this class keeps the line and its counts.
 *
 * <ul>
 *   <li>Clients are kept in the order they joined, the oldest first; the next master is the oldest client still in
 *       the line that has shown itself alive, an ACK from it since it joined ("the server shall select the next oldest
 *       client"; RFC 2090 leaves the choice to the server), else the oldest. A client that asked and fell silent (a
 *       board powered off, a host gone without a word) so takes its turns after every client that answers, not
 *       before them: ten such ahead of two boards held them 40 s, the boards giving up at 25 s.</li>
 *   <li>A master silent through its turn lets it pass and goes to the back of the line ("reattempt to send a OACK to
 *       the non-responding client when the new master client is finished"); after {@link #MAX_TURNS} turns let pass
 *       it is given up. An answer from it, or its request sent again, clears the count. Only turns let pass count, not
 *       turns a client was made master in and lost to a rewind or a repair. A master that answers but never takes a
 *       block (deaf to the group: it acknowledges its OACK, never a DATA) lets its turns pass so too, counted apart:
 *       only a block taken (the one sent to the group in its turn, acknowledged) clears those.</li>
 *   <li>A client that acknowledged the last block (served) or sent an ERROR leaves the line, once.</li>
 * </ul>
 */
final class MulticastClients {
    /** Master turns a client may let pass in silence before the server gives up on it. */
    static final int MAX_TURNS = 3;

    /** A client of the transfer: its address and port, the options its OACK names, the turns it let pass since it last moved the stream on. */
    static final class Client {
        final int ip;
        final int port;
        final List<TftpPacket.Option> options;
        private int turns;
        private int deafTurns; // turns let pass answering without taking a block, since it last took one
        private boolean done;
        private MulticastMember.Left left; // how it left; null while in the line
        private long acked; // the highest block it acknowledged
        private boolean heard; // it sent an ACK since it joined
        private long askedFor; // the block its last ACK answered as master asked for

        /** Returns how it left the transfer, or null while it is in the line. */
        MulticastMember.Left left() {
            return left;
        }

        /** Returns the highest block it acknowledged (0: none but its OACK). */
        long acked() {
            return acked;
        }

        /** Returns the block its last ACK answered as master asked for (0: none yet). */
        long askedFor() {
            return askedFor;
        }

        /** Its ACK, as master, asked for block {@code b}, which goes to the group. */
        void askedFor(long b) {
            askedFor = b;
        }

        /** It acknowledged block {@code n}. */
        void acked(long n) {
            acked = Math.max(acked, n);
            heard = true;
        }

        /** Returns whether it sent an ACK since it joined: it has shown itself alive. */
        boolean heard() {
            return heard;
        }

        Client(int ip, int port, List<TftpPacket.Option> options) {
            this.ip = ip;
            this.port = port;
            this.options = List.copyOf(options);
        }

        /** Returns true once it left the transfer: served, sent an ERROR, or given up. */
        boolean done() {
            return done;
        }
    }

    private final List<Client> clients = new ArrayList<>(); // in the order they came: the oldest first
    private final List<Client> everyone = new ArrayList<>(); // every client that joined, in order, those that left too
    private Client master;
    private long joined, served, givenUp, masterChanges, mastersMade;

    /** Returns the client at {@code ip}:{@code port} still in the line, or null. */
    Client find(int ip, int port) {
        for (Client c : clients) {
            if (c.ip == ip && c.port == port) {
                return c;
            }
        }
        return null;
    }

    /** Adds a new client at the back of the line, its OACK naming {@code options} besides multicast, and returns it. */
    Client add(int ip, int port, List<TftpPacket.Option> options) {
        Client c = new Client(ip, port, options);
        clients.add(c);
        everyone.add(c);
        joined++;
        return c;
    }

    /** Returns true if {@code c} is still in the line. */
    boolean contains(Client c) {
        return clients.contains(c);
    }

    /** Returns the master, or null when none is. */
    Client master() {
        return master;
    }

    /**
     * Returns the next master: the oldest client in the line that has shown itself alive ({@link Client#heard}), else
     * the oldest; null when the line is empty.
     */
    Client next() {
        for (Client c : clients) {
            if (c.heard) {
                return c;
            }
        }
        return clients.isEmpty() ? null : clients.get(0);
    }

    /** Makes {@code c} master: a change of master unless it is the first. */
    void makeMaster(Client c) {
        if (mastersMade++ > 0) {
            masterChanges++;
        }
        master = c;
    }

    /** The master answered ({@code took}: acknowledged the block sent to the group in its turn): the turns it let pass count no more. */
    void answered(Client c, boolean took) {
        c.turns = 0;
        if (took) {
            c.deafTurns = 0;
        }
    }

    /**
     * {@code c} asked for the file again from the same port (a client that started again, or its request sent again):
     * it is alive, and the turns it let pass count no more.
     */
    void askedAgain(Client c) {
        c.turns = 0;
        c.heard = true;
    }

    /**
     * {@code c} leaves, as {@code how} says: it acknowledged the last block ({@link MulticastMember.Left#SERVED}), sent
     * an ERROR, or its port is closed. Returns true if it was master (there is none now: the session makes the next);
     * false also when it had left already.
     */
    boolean finish(Client c, MulticastMember.Left how) {
        if (c.done) {
            return false;
        }
        c.done = true;
        c.left = how;
        clients.remove(c);
        if (how == MulticastMember.Left.SERVED) {
            this.served++;
        } else if (how == MulticastMember.Left.UNREACHABLE) {
            givenUp++; // gone: given up at once, not after its turns
        }
        if (c == master) {
            master = null;
            return true;
        }
        return false;
    }

    /**
     * The master let its turn pass, silent or ({@code deaf}) answering without taking a block: to the back of the line,
     * or given up after {@link #MAX_TURNS} such; none is master now.
     */
    void passTurn(boolean deaf) {
        Client silent = master;
        clients.remove(silent);
        int passed = deaf ? ++silent.deafTurns : ++silent.turns;
        if (passed >= MAX_TURNS) {
            givenUp++;
            silent.done = true;
            silent.left = MulticastMember.Left.GIVEN_UP;
        } else {
            clients.add(silent);
        }
        master = null;
    }

    /** Empties the line (the file cannot be read): returns the clients that were in it, oldest first; none is master now. */
    List<Client> dropAll() {
        List<Client> all = List.copyOf(clients);
        for (Client c : all) {
            c.left = MulticastMember.Left.READ_ERROR;
        }
        clients.clear();
        master = null;
        return all;
    }

    /** Returns every client that joined, in the order they did, those that left too. */
    List<Client> everyone() {
        return everyone;
    }

    /** Returns the clients that joined. */
    long joined() {
        return joined;
    }

    /** Returns the clients that acknowledged the last block. */
    long served() {
        return served;
    }

    /** Returns the clients given up on (through {@link #MAX_TURNS} turns as master without moving the stream on, or gone). */
    long givenUp() {
        return givenUp;
    }

    /** Returns the times another client was made master. */
    long masterChanges() {
        return masterChanges;
    }
}
