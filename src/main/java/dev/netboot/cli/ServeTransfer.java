package dev.netboot.cli;

import dev.netboot.emulator.MulticastMember;
import dev.netboot.emulator.TftpMulticastSession;
import dev.netboot.emulator.TftpSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One file a client of {@code netboot serve} asked for ({@link ServeClients}), and the sessions the server ran for it (a
 * request sent again makes another), or the RFC 2090 multicast transfer the client joined for it.
 */
final class ServeTransfer {
    final String file;
    final long requestAt;
    final List<Integer> sessions = new ArrayList<>(); // indexes into the server's sessions
    private final List<Long> sessionSeenAt = new ArrayList<>(); // when serve first saw each of them
    // For each, the blocks the one before it had acknowledged when it was seen: one figure a session, not one for each
    // earlier session (with thousands of requests for one file from one host, a flood, those were N^2 / 2, and the
    // check on every poll as many).
    private final List<Long> ackedBefore = new ArrayList<>();
    // Requests folded away (fold): ended ones, not served, asked before those kept. A flood of requests for one file from
    // one host kept a session's figures for each (about 240 bytes), for as long as serve ran.
    private int folded;
    int quarter;
    long endAt = -1;
    TftpSession.Stats last;
    String refused; // the ERROR the server answered its request with, while no session of it had started
    TftpMulticastSession multicast; // the multicast transfer it joined, or null
    int member = -1;                // its place among that transfer's clients
    MulticastMember joined;         // how it stands there, as last seen

    ServeTransfer(String file, long requestAt) {
        this.file = file;
        this.requestAt = requestAt;
    }

    /** Returns the session that tells how the transfer went: a complete one, else the furthest running one, else the newest. */
    TftpSession.Stats best(List<TftpSession.Stats> all) {
        TftpSession.Stats running = null;
        TftpSession.Stats newest = null;
        for (int i : sessions) {
            TftpSession.Stats s = all.get(i);
            if (s.end() == TftpSession.End.COMPLETE) {
                return s;
            }
            if (s.end() == null && (running == null || s.blocksAcked() > running.blocksAcked())) {
                running = s;
            }
            newest = s;
        }
        return running != null ? running : newest;
    }

    /**
     * Adds the server's session {@code index}, seen first at {@code now}: the client asked for the file (again), from a
     * port of its ({@code all}: the server's sessions as they stand).
     */
    void add(int index, long now, List<TftpSession.Stats> all) {
        ackedBefore.add(sessions.isEmpty() ? 0 : all.get(sessions.getLast()).blocksAcked());
        sessions.add(index);
        sessionSeenAt.add(now);
    }

    /** The sessions a transfer keeps before it folds ended ones away ({@link #fold}). */
    static final int KEPT = 64;

    /**
     * Past {@link #KEPT} sessions, folds away the first when it ended without sending the file, and returns its index
     * among the server's sessions (the caller lets go of its figures); else returns -1. Such a session can tell nothing
     * more: not how the transfer went ({@link #best} takes a complete, running or the newest session), nor that it ran
     * beside the one after it ({@link #besideFrom}: it acknowledges nothing more); it stays counted among the requests,
     * before any that may yet be served ({@link #served}).
     */
    int fold(List<TftpSession.Stats> all) {
        if (sessions.size() <= KEPT) {
            return -1;
        }
        TftpSession.Stats first = all.get(sessions.getFirst());
        if (first.end() == null || first.end() == TftpSession.End.COMPLETE) {
            return -1;
        }
        int index = sessions.removeFirst();
        sessionSeenAt.removeFirst();
        ackedBefore.removeFirst();
        ackedBefore.set(0, 0L); // the first has none before it
        folded++;
        return index;
    }

    /**
     * Returns the place among its sessions of the first that ran beside an earlier one, or -1: a session the client
     * acknowledged blocks of after this one's request came is a transfer the client kept on with, so the request, from
     * another port (another transfer ID, RFC 1350 section 4), was a fetch of its own (three {@code busybox tftp} of one
     * file at once), not the request sent again of a client that gave up waiting or was killed and run again (whose old
     * session hears nothing more).
     *
     * <p>Blocks acknowledged only grow, so a session j acknowledging past what it had when a later one k was seen has
     * also acknowledged past what it had when the one right after it, j + 1, was seen: the first such k is the first j +
     * 1 whose session j acknowledged blocks since. One figure a session tells.
     */
    int besideFrom(List<TftpSession.Stats> all) {
        for (int k = 1; k < sessions.size(); k++) {
            if (all.get(sessions.get(k - 1)).blocksAcked() > ackedBefore.get(k)) {
                return k;
            }
        }
        return -1;
    }

    /** Moves its sessions from place {@code k} on to a transfer of their own, asked for when the first of them was seen. */
    ServeTransfer split(int k) {
        ServeTransfer t = new ServeTransfer(file, sessionSeenAt.get(k));
        for (int m = k; m < sessions.size(); m++) {
            t.sessions.add(sessions.get(m));
            t.sessionSeenAt.add(sessionSeenAt.get(m));
            t.ackedBefore.add(m == k ? 0 : ackedBefore.get(m)); // its first has none before it
        }
        sessions.subList(k, sessions.size()).clear();
        sessionSeenAt.subList(k, sessionSeenAt.size()).clear();
        ackedBefore.subList(k, ackedBefore.size()).clear();
        return t;
    }

    /**
     * Returns, for a transfer whose client asked more than once before it had the file (a session given up, a client
     * killed and run again), which request was served and how long that one took: the transfer's own time counts from
     * the first request. Else "".
     */
    String served(List<TftpSession.Stats> all, long now) {
        int k = completedAt(all);
        return k < 0 || sessions.size() + folded == 1 ? "" : String.format(Locale.ROOT, " (asked %d times: request %d was served, in %.3f s)",
                sessions.size() + folded, k + 1 + folded, (now - sessionSeenAt.get(k)) / 1e9);
    }

    /** Returns whether one of its sessions sent the whole file, its last block acknowledged. */
    boolean completed(List<TftpSession.Stats> all) {
        return completedAt(all) >= 0;
    }

    /** Returns the place among its sessions of the one that sent the whole file, or -1. */
    private int completedAt(List<TftpSession.Stats> all) {
        for (int k = 0; k < sessions.size(); k++) {
            if (all.get(sessions.get(k)).end() == TftpSession.End.COMPLETE) {
                return k;
            }
        }
        return -1;
    }

    /** Returns whether the transfer is over: one session completed, or every one ended. */
    boolean finished(List<TftpSession.Stats> all) {
        if (sessions.isEmpty()) {
            return false;
        }
        if (completed(all)) {
            return true;
        }
        for (int i : sessions) {
            if (all.get(i).end() == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns whether the transfer is over because the server gave up on a client that fell silent: a session that gave
     * up before every block was sent, or a multicast client silent through its turns as master before it acknowledged
     * every block but the last. Such a client was not served (atftp killed mid-transfer), and may ask again.
     */
    boolean givenUp() {
        if (endAt < 0) {
            return false;
        }
        if (joined != null) {
            return ServeMulticast.givenUp(joined) && !ServeMulticast.lastAckMissing(joined, multicast.size(), multicast.blockSize());
        }
        return last != null && givenUp(last) && !lastAckMissing(last);
    }

    /** Returns whether the transfer is over and the client has the file: a session completed, or it left a multicast served. */
    boolean served() {
        return endAt >= 0 && (last != null && last.end() == TftpSession.End.COMPLETE
                || joined != null && joined.left() == MulticastMember.Left.SERVED);
    }

    /** A transfer that ended unserved has a new session or membership: it runs again, until that one is over. */
    void reopen() {
        if (endAt >= 0 && !served()) {
            endAt = -1;
            quarter = 0;
        }
    }

    /**
     * Returns whether a session given up on had sent every block, the last never acknowledged. When the client's host
     * answered its last block again with ICMP port unreachable, the client took it and left; its final ACK was lost.
     */
    static boolean lastAckMissing(TftpSession.Stats s) {
        return givenUp(s) && allButTheLast(s.blocksAcked(), s.size(), s.blockSize());
    }

    /** Returns whether the server gave up on the session's client: silent after every retry, or gone. */
    static boolean givenUp(TftpSession.Stats s) {
        return s.end() == TftpSession.End.GAVE_UP || s.end() == TftpSession.End.UNREACHABLE;
    }

    /** Why a client may never answer a transfer at all, in the summary's words. */
    static final String UNHEARD = "what the server sends from its transfer port may not reach it: a firewall or NAT"
            + " in front of the client that lets only port 69 through drops it";

    /** How a transfer whose client's port was closed mid-transfer ended, in the summary's words. */
    static final String GONE = "the client is gone (its host answered ICMP port unreachable: nothing listens on its port)";

    /**
     * Returns whether {@code acked} blocks of a file of {@code size} bytes (-1: not known) in {@code blockSize}-byte
     * blocks are all but the last, the short (or empty) block that ends it (RFC 1350 section 6).
     */
    static boolean allButTheLast(long acked, long size, int blockSize) {
        return size >= 0 && acked == size / blockSize;
    }

    /** Returns whether a transfer started: a session of its own, or a multicast transfer it joined. */
    boolean started() {
        return !sessions.isEmpty() || multicast != null;
    }

    /** Returns whether there is a transfer to describe: one seen by {@link #poll}. */
    boolean seen() {
        return last != null || joined != null;
    }

    /** Returns the bytes the client has acknowledged, at most the size (a netascii transfer's is known at its end). */
    long bytes() {
        if (joined != null) {
            return joined.left() == MulticastMember.Left.SERVED ? multicast.size()
                    : Math.min(multicast.size(), joined.acked() * multicast.blockSize());
        }
        long acked = last.blocksAcked() * last.blockSize();
        return last.end() == TftpSession.End.COMPLETE ? last.size() : last.size() < 0 ? acked : Math.min(last.size(), acked);
    }

    double seconds(long now) {
        return ((endAt >= 0 ? endAt : now) - requestAt) / 1e9;
    }

    /** Appends the transfer to its client's summary line: file, bytes, how it ended, sizes, DATA, time; or the refusal. */
    StringBuilder describe(StringBuilder b, long now) {
        TftpSession.Stats s = last;
        if (joined != null) {
            return ServeMulticast.describe(b, file, bytes(), multicast, joined, seconds(now));
        }
        if (s == null) {
            b.append("asked for ").append(file).append(", no transfer started");
            if (refused != null) {
                b.append(": refused with ").append(refused);
            }
            return b;
        }
        return b.append(String.format(Locale.ROOT, "%s: %d of %s bytes, %s, blksize %d, window %d, %d DATA sent, %d retransmissions, %.3f s",
                file, bytes(), s.size() < 0 ? "?" : Long.toString(s.size()), s.end() == null ? "unfinished" : end(s), s.blockSize(), s.windowSize(), s.dataSent(),
                s.retransmissions(), seconds(now)));
    }

    /** Returns the transfer as the summary's {@code transfer} (README, "A chaos boot server for real boards"). */
    Json json(long now) {
        if (joined != null) {
            return ServeMulticast.transfer(bytes(), multicast, joined, seconds(now));
        }
        TftpSession.Stats s = last;
        Json j = Json.object().put("bytes", bytes());
        j = s.size() < 0 ? j.putNull("size") : j.put("size", s.size()); // netascii: known at the end
        return j
                .put("end", s.end() == null ? "unfinished" : switch (s.end()) {
                    case COMPLETE -> "complete";
                    case GAVE_UP -> lastAckMissing(s) ? "last-ack-missing" : "gave-up";
                    case CLIENT_ERROR -> "client-error";
                    case READ_ERROR -> "read-error";
                    case UNREACHABLE -> lastAckMissing(s) ? "last-ack-missing" : "unreachable";
                })
                .put("blockSize", s.blockSize()).put("windowSize", s.windowSize()).put("dataSent", s.dataSent())
                .put("retransmissions", s.retransmissions())
                .put("seconds", seconds(now)).putNull("multicast");
    }

    /** Says how a session ended; a session that sent every block but never heard the last ACK says so. */
    static String end(TftpSession.Stats s) {
        if (lastAckMissing(s)) {
            return "every block sent, the last never acknowledged (the client may have it all: a lost final ACK is not sent again)";
        }
        return switch (s.end()) {
            case COMPLETE -> "complete";
            // Silent from the start: what the server sends from its transfer port may never reach the client (RFC 1350
            // section 4: answers come from a new port, which a firewall or NAT letting only port 69 through drops).
            case GAVE_UP -> s.dataSent() == 0 ? "gave up: its OACK was never acknowledged, after every retry (the client took"
                    + " none of the options and said nothing, or " + UNHEARD + ")"
                    : s.blocksAcked() == 0 ? "gave up: no block acknowledged, after every retry (" + UNHEARD + ")"
                    : "gave up (no ACK after every retry)";
            case CLIENT_ERROR -> "the client sent an ERROR";
            case READ_ERROR -> "the file could not be read";
            case UNREACHABLE -> GONE;
        };
    }
}
