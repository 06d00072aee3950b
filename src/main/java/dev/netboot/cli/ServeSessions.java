package dev.netboot.cli;

import dev.netboot.emulator.TftpServer;
import dev.netboot.emulator.TftpSession;
import java.util.ArrayList;
import java.util.List;

/**
 * The TFTP server's read sessions as {@link ServeClients} last saw them, by index: their figures, and which still ran.
 * An ended session's figures are final, so each look asks only the sessions still running and the new ones. Asking
 * every session ever started, on every poll, made serve slower the longer it ran: after a flood of 21,000 requests a
 * 1 MiB busybox fetch beside it took 0.4 to 5 s instead of 0.2 s. Neither the server nor this keeps a session once it
 * ended, only its figures (a session kept about 1.6 KB: its window, sender and timers), and the figures of a client's
 * sessions go when the client is dropped from serve's table ({@link #forget}).
 */
final class ServeSessions {
    private final List<TftpSession> known = new ArrayList<>();
    private final List<TftpSession.Stats> figures = new ArrayList<>();
    private List<Integer> live = new ArrayList<>();
    private final java.util.Set<Integer> forgetWhenOver = new java.util.HashSet<>();

    /** Looks at {@code tftp}'s sessions now; returns every session's figures by index (a view: do not change it). */
    List<TftpSession.Stats> refresh(TftpServer tftp) {
        List<Integer> still = new ArrayList<>(live.size());
        for (int i : live) {
            TftpSession.Stats s = known.get(i).stats();
            figures.set(i, s);
            if (s.end() == null) {
                still.add(i);
            } else {
                known.set(i, null);
                if (forgetWhenOver.remove(i)) {
                    figures.set(i, null);
                }
            }
        }
        for (TftpSession session : tftp.sessionsFrom(known.size())) {
            TftpSession.Stats s = session.stats();
            if (s.end() == null) {
                still.add(known.size());
            }
            known.add(s.end() == null ? session : null);
            figures.add(s);
        }
        tftp.forgetSessionsBefore(known.size());
        live = still;
        return figures;
    }

    /** Lets go of session {@code i}'s figures (its client was dropped): now, or when it ends if it still runs. */
    void forget(int i) {
        if (known.get(i) == null) {
            figures.set(i, null);
        } else {
            forgetWhenOver.add(i);
        }
    }

    /** Returns the indexes of the sessions that still ran at the last look, in order. */
    List<Integer> live() {
        return live;
    }
}
