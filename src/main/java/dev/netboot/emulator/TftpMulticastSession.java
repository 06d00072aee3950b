package dev.netboot.emulator;

import dev.netboot.emulator.MulticastClients.Client;
import dev.netboot.net.NetStack;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One file sent by RFC 2090 multicast: DATA goes to a group, from one port of the server (the transfer's ID), to
 * every client that asked for the file with the {@code multicast} option; one client at a time, the master client,
 * acknowledges, and each ACK asks for the block after it. As atftpd does it:
 *
 * <ul>
 *   <li>The first client is master: its OACK says "group,port,1"; the others' say "group,port,0"
 *       ({@link MulticastOacks}).</li>
 *   <li>A client that joins after blocks went to the group is made master (the master before it gets an OACK with
 *       mc=0): it asks from block 1, every client takes the stream again from there, and one pass serves them all. A
 *       board writes its flash in order and cannot keep more than a few blocks past a gap in its RAM; without this
 *       it would wait for a second pass of the whole file. When the stream is at most
 *       {@link MulticastRewinds#REWIND_AT_ONCE} blocks on, it goes back at once; later,
 *       {@link MulticastRewinds#REWIND_WAIT} after the first such client joined, for all that joined by then. The
 *       blocks so taken back are at most a quarter of the file in all ({@link MulticastRewinds#REWIND_SHARE}): past that
 *       a late client waits for its turn as below, and the clients already in are never held back by more than a
 *       quarter of the file's time. (RFC 2090 leaves which client is master to the server.)</li>
 *   <li>An ACK n from the master sends block n + 1 to the group (lock-step), sent again after the timeout (every
 *       second time its OACK with mc=1 instead: {@link MulticastTimer}), but a copy of an ACK already answered sends
 *       nothing; an ACK of the last block ends the master's turn, and the next client still missing blocks (below) gets
 *       an OACK with mc=1 and becomes master: it acknowledges the block before the first it needs. An ACK from a client
 *       that is not master gets another OACK with mc=0, or makes it master at once when it says the client lost a
 *       block (a <em>repair</em>). {@link MulticastAcks} reads each ACK.</li>
 *   <li>A master that stays silent through the retries, or answers its OACK again and again without taking a block,
 *       loses its turn and goes to the back of the line ("the server shall select the next oldest client ... and reattempt to send a OACK to
 *       the non-responding client when the new master client is finished"); after three such turns it is given up.
 *       The next master is the oldest client that has shown itself alive (an ACK since it joined), before those never
 *       heard from ({@link MulticastClients#next}). An ERROR from a client ends it.</li>
 * </ul>
 *
 * <p>The line of clients, who is master and the turns each let pass are {@link MulticastClients}'s to keep, what an ACK
 * calls for {@link MulticastAcks}'s to say, what the master's silence calls for {@link MulticastTimer}'s, when the stream
 * goes back for late clients {@link MulticastRewinds}'s; this class says when the master changes. The session ends when
 * no client is left. Each client's OACK is {@link MulticastOacks}'s to make; the DATA ({@link MulticastData}) goes
 * through the server's {@link PortShare}, one frame a turn like every other transfer's.
 */
public final class TftpMulticastSession implements TftpServerSession, PortShare.Sender {
    private final NetStack stack;
    private final int port;
    private final Ipv4Address group;
    private final int groupPort;
    private final String file;
    private final ServedFile content;
    private final Params params;
    private final PortShare share;
    private final MulticastClients clients = new MulticastClients();
    private final MulticastAcks acks;
    private final MulticastRewinds rewinds;
    private final MulticastData data;
    private final MulticastTimer timer;
    private final MulticastOacks oacks;
    private long toSend = -1;         // the block the master asked for, waiting for its turn at the port; -1: none
    private boolean queued;
    private boolean ended;
    private long retransmissions, repairs, repaired;
    private boolean timedOut;         // the block waiting for the port goes again after a timeout

    /**
     * A snapshot of the transfer.
     *
     * @param port            its transfer ID
     * @param group           the group its DATA went to
     * @param file            the file
     * @param clients         clients that joined
     * @param served          clients that acknowledged the last block
     * @param givenUp         clients given up on (silent through their turns as master, or gone: ICMP port unreachable)
     * @param dataSent        DATA sent to the group, again or not
     * @param dataBytes       the frames of those DATA, bytes (Ethernet, IPv4 and UDP headers included, as a port counts)
     * @param retransmissions DATA sent again (after a timeout, or asked for again by a later master) and OACKs to a
     *                        silent master sent again
     * @param masterChanges   times another client was made master
     * @param resentData      of {@code dataSent}, DATA of blocks the group had been sent before, for whatever reason
     * @param resentBytes     the frames of those, bytes
     * @param timeoutData     of {@code resentData}, DATA sent again because the master's ACK did not come in time
     * @param timeoutBytes    the frames of those, bytes
     * @param rewinds         times a client that joined late was made master to take the stream back to block 1
     * @param rewound         blocks the stream was so taken back, in all (at most a quarter of the file's)
     * @param repairs         times a client that lost a block (its ACK said which) was made master to have it again
     * @param repaired        blocks the stream was so taken back, in all
     */
    public record Stats(int port, Ipv4Address group, String file, long clients, long served, long givenUp, long dataSent, long dataBytes,
                        long retransmissions, long masterChanges, long resentData, long resentBytes, long timeoutData,
                        long timeoutBytes, long rewinds, long rewound, long repairs, long repaired) {
    }

    TftpMulticastSession(NetStack stack, TftpServerConfig config, int port, Ipv4Address group, int groupPort, String file,
                         ServedFile content, Params params, List<TftpPacket.Option> baseOptions, PortShare share) {
        this.stack = stack;
        this.port = port;
        this.group = group;
        this.groupPort = groupPort;
        this.file = file;
        this.content = content;
        this.params = params;
        long lastBlock = content.size() / params.blockSize() + 1;
        this.share = share;
        this.acks = new MulticastAcks(lastBlock, params.timeout());
        this.rewinds = new MulticastRewinds(lastBlock);
        this.data = new MulticastData(stack, port, group, groupPort, content, params.blockSize(), this::unreadable);
        this.timer = new MulticastTimer(params.timeout(), config.maxRetries());
        this.oacks = new MulticastOacks(stack, port, group, groupPort, baseOptions);
    }

    /** Returns the transfer ID. */
    int port() {
        return port;
    }

    /** Returns the group. */
    Ipv4Address group() {
        return group;
    }

    /** Returns the file sent. */
    @Override
    public String file() {
        return file;
    }

    /** Returns every client that joined, in the order they did, as each stands now. */
    public List<MulticastMember> members() {
        List<MulticastMember> all = new ArrayList<>(clients.everyone().size());
        for (Client c : clients.everyone()) {
            all.add(new MulticastMember(new Ipv4Address(c.ip), c.port, c.acked(), c.left()));
        }
        return all;
    }

    /** Returns the port on the group its DATA goes to. */
    public int groupPort() {
        return groupPort;
    }

    /** Returns the size of the file, bytes. */
    public long size() {
        return content.size();
    }

    /** Returns the transfer's block size. */
    public int blockSize() {
        return params.blockSize();
    }

    /** Returns a snapshot of the transfer's figures. */
    public Stats stats() {
        return new Stats(port, group, file, clients.joined(), clients.served(), clients.givenUp(), data.dataSent(),
                data.dataBytes(), retransmissions, clients.masterChanges(), data.resentData(), data.resentBytes(),
                data.timeoutData(), data.timeoutBytes(), rewinds.rewinds(), rewinds.rewound(), repairs, repaired);
    }

    /**
     * Adds a client that asked for the file with {@code multicast}: master if none is, else it waits its turn.
     * {@code asked}: what its own request negotiated; its OACKs name of these only what this transfer does too
     * ({@link MulticastOacks#own}).
     */
    void join(long now, int ip, int clientPort, List<TftpPacket.Option> asked) {
        Client c = clients.find(ip, clientPort);
        if (c != null) {
            clients.askedAgain(c);
            oacks.send(now, c, c == clients.master()); // its request again: the same answer
            return;
        }
        c = clients.add(ip, clientPort, oacks.own(asked));
        if (clients.master() == null) {
            makeMaster(now, c);
        } else if (rewinds.atOnce(position())) {
            rewind(now, c); // late by a few blocks: the stream goes back for it at once (class comment)
        } else {
            oacks.send(now, c, false);
            rewinds.later(now, c, position()); // late by more: the stream goes back after a while, for every client late by then
        }
    }

    /** Makes {@code c} master, a client that joined late: it asks from block 1; the master before it waits. */
    private void rewind(long now, Client c) {
        rewinds.taken(position());
        takeOver(now, c);
    }

    /** Makes {@code c} master ahead of its turn: the master before it gets an OACK with mc=0 and waits. */
    private void takeOver(long now, Client c) {
        Client before = clients.master();
        makeMaster(now, c);
        if (before != null) {
            oacks.send(now, before, false);
        }
    }

    /** Returns the block the master's stream is at: the last it sent to the group, or -1 before its first. */
    private long position() {
        return acks.position();
    }

    private void makeMaster(long now, Client c) {
        clients.makeMaster(c);
        rewinds.cancel(); // the new master's stream serves the clients waiting for a rewind, or its turn does
        acks.masterMade();
        toSend = -1;
        oacks.send(now, c, true);
        timer.masterMade(now);
    }

    @Override
    public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
        Client from = clients.find(srcIp, srcPort);
        if (from == null) {
            TftpErrors.answerStranger(stack, now, port, srcIp, srcPort, buf, off, len);
            return;
        }
        int op;
        try {
            op = TftpWire.opcode(buf, off, len);
        } catch (MalformedPacketException e) {
            return;
        }
        if (op == TftpPacket.OP_ERROR) {
            finish(now, from, MulticastMember.Left.ERROR);
            return;
        }
        if (op != TftpPacket.OP_ACK || len < 4) {
            return;
        }
        long n = TftpWire.block(buf, off, len);
        long at = position(); // the block the stream is at, before this ACK
        boolean answersOack = acks.answersOack();
        switch (acks.onAck(now, from, from == clients.master(), n)) {
            case SERVED -> finish(now, from, MulticastMember.Left.SERVED); // it acknowledged the last block
            case REPAIR -> repair(now, from, n);
            case OACK -> oacks.send(now, from, false); // not the master: another OACK with mc=0
            case COPY -> { } // a copy of the master's ACK already answered (RFC 1123 section 4.2.3.1)
            case NEXT -> {
                boolean took = n >= 1 && n == at; // it acknowledged the block sent to the group in its turn: it took it
                timer.answered(took, answersOack);
                clients.answered(from, took);
                toSend = n + 1;
                timedOut = false;
                share.want(this, now);
            }
        }
    }

    /** {@code c}, not master, lost block {@code n} + 1: the stream goes back to it at once, as for a late client. */
    private void repair(long now, Client c, long n) {
        repairs++;
        repaired += position() - n; // the blocks it held past the gap it takes again
        takeOver(now, c);
    }

    /**
     * An OACK to a client came back as ICMP port unreachable, a hard error (RFC 1122 section 4.2.3.9): its socket is
     * closed (atftp killed, or gone with its last ACK lost). It leaves now, a master's turn passing at once.
     */
    @Override
    public void onUnreachable(long now, Ipv4Address dst, int dstPort, boolean refused, String reason) {
        Client c = refused ? clients.find(dst.value(), dstPort) : null;
        if (c != null) {
            finish(now, c, MulticastMember.Left.UNREACHABLE);
        }
    }

    /** {@code c} is done, as {@code how} says: served, an ERROR, or gone; a master's turn passes on. */
    private void finish(long now, Client c, MulticastMember.Left how) {
        if (clients.finish(c, how)) {
            nextMaster(now);
        }
    }

    private void nextMaster(long now) {
        toSend = -1;
        Client next = clients.next();
        if (next == null) {
            ended = true;
            timer.stop();
            if (port != TftpServer.PORT) {
                stack.unbind(port);
            }
            return;
        }
        makeMaster(now, next);
    }

    @Override
    public boolean sendOne(long now) {
        if (ended || toSend < 0) {
            return false;
        }
        long b = toSend;
        toSend = -1;
        boolean again = data.send(now, b, timedOut);
        if (again) {
            retransmissions++; // after a timeout, or asked for again by a later master
        }
        timedOut = false;
        acks.sent(now, b, again);
        timer.sent(now);
        return false;
    }

    @Override
    public boolean queued() {
        return queued;
    }

    @Override
    public void queued(boolean q) {
        queued = q;
    }

    /** The file cannot give the block the master asked for: every client gets ERROR 0 saying why, and is dropped. */
    private void unreadable(long now, IOException e) {
        for (Client c : clients.dropAll()) {
            TftpErrors.send(stack, now, port, new Ipv4Address(c.ip), c.port, TftpWire.ERR_NOT_DEFINED,
                    "Read error: " + e.getMessage());
        }
        nextMaster(now);
    }

    @Override
    public void poll(long now) {
        Client late = ended ? null : rewinds.due(now, position(), clients);
        if (late != null) {
            rewind(now, late);
        }
        if (ended) {
            return;
        }
        switch (timer.due(now, acks.oackPending(), position() >= 0)) {
            case PASS -> {
                // The master is silent: its turn passes to the next; it comes back at the end of the line. It is told
                // (mc=0), so that one late or slow to answer does not go on acknowledging as master beside the next.
                Client silent = clients.master();
                clients.passTurn(timer.deaf());
                if (!silent.done()) {
                    oacks.send(now, silent, false);
                }
                nextMaster(now);
            }
            case OACK -> {
                retransmissions++;
                acks.oackAgain();
                oacks.send(now, clients.master(), true);
            }
            case DATA -> {
                toSend = position();
                timedOut = true;
                share.want(this, now);
            }
            case WAIT -> { }
        }
    }

    @Override
    public long pollAt() {
        return ended ? Long.MAX_VALUE : Math.min(timer.retryAt(), rewinds.dueAt());
    }

    @Override
    public boolean ended() {
        return ended;
    }

    @Override
    public int clientIp() {
        return clients.master() == null ? 0 : clients.master().ip;
    }

    @Override
    public int clientPort() {
        return clients.master() == null ? 0 : clients.master().port;
    }
}
