package dev.netboot.cli;

import dev.netboot.emulator.MulticastMember;
import dev.netboot.emulator.TftpMulticastSession;
import dev.netboot.emulator.TftpSession;
import java.util.ArrayList;
import java.util.List;

/**
 * One file a client of {@code netboot serve} asked for ({@link ServeClients}), and the sessions the server ran for it (a
 * request sent again makes another), or the RFC 2090 multicast transfer the client joined for it.
 */
final class ServeTransfer {
    final String file;
    final long requestAt;
    final List<Integer> sessions = new ArrayList<>(); // indexes into the server's sessions
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

    /** Returns whether the transfer is over: one session completed, or every one ended. */
    boolean finished(List<TftpSession.Stats> all) {
        if (sessions.isEmpty()) {
            return false;
        }
        boolean allEnded = true;
        for (int i : sessions) {
            TftpSession.End e = all.get(i).end();
            if (e == TftpSession.End.COMPLETE) {
                return true;
            }
            allEnded &= e != null;
        }
        return allEnded;
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
}
