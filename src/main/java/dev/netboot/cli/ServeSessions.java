package dev.netboot.cli;

import dev.netboot.emulator.TftpServer;
import dev.netboot.emulator.TftpSession;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The TFTP server's read sessions as {@link ServeClients} last saw them, by index: their figures, and which still ran.
 * An ended session's figures are final, so each look asks only the sessions still running and the new ones. Asking
 * every session ever started, on every poll, made serve slower the longer it ran: after a flood of 21,000 requests a
 * 1 MiB busybox fetch beside it took 0.4 to 5 s instead of 0.2 s. Neither the server nor this keeps a session once it
 * ended, only its figures (a session kept about 1.6 KB: its window, sender and timers), and the figures of a client's
 * sessions go when the client is dropped from serve's table ({@link #forget}).
 */
final class ServeSessions {
    private final Map<Integer, TftpSession> running = new HashMap<>(); // the sessions that ran at the last look
    private final Figures figures = new Figures();
    private List<Integer> live = new ArrayList<>();
    private List<Integer> ended = new ArrayList<>();
    private final Set<Integer> forgetWhenOver = new HashSet<>();

    /**
     * Every session's figures by index, as a list of all sessions ever started; only the figures not let go of are held
     * (a session forgotten reads null), so a flood of requests costs nothing here once its sessions are forgotten.
     */
    private static final class Figures extends AbstractList<TftpSession.Stats> {
        final Map<Integer, TftpSession.Stats> held = new HashMap<>();
        int size;

        @Override
        public TftpSession.Stats get(int i) {
            java.util.Objects.checkIndex(i, size);
            return held.get(i);
        }

        @Override
        public int size() {
            return size;
        }
    }

    /** Looks at {@code tftp}'s sessions now; returns every session's figures by index (a view: do not change it). */
    List<TftpSession.Stats> refresh(TftpServer tftp) {
        List<Integer> still = new ArrayList<>(live.size());
        ended = new ArrayList<>();
        for (int i : live) {
            TftpSession.Stats s = running.get(i).stats();
            figures.held.put(i, s);
            if (s.end() == null) {
                still.add(i);
            } else {
                over(i);
            }
        }
        for (TftpSession session : tftp.sessionsFrom(figures.size)) {
            int i = figures.size++;
            TftpSession.Stats s = session.stats();
            figures.held.put(i, s);
            if (s.end() == null) {
                still.add(i);
                running.put(i, session);
            } else {
                ended.add(i);
            }
        }
        tftp.forgetSessionsBefore(figures.size);
        live = still;
        return figures;
    }

    private void over(int i) {
        running.remove(i);
        ended.add(i);
        if (forgetWhenOver.remove(i)) {
            figures.held.remove(i);
        }
    }

    /** Lets go of session {@code i}'s figures (no client of serve's holds it): now, or when it ends if it still runs. */
    void forget(int i) {
        if (running.containsKey(i)) {
            forgetWhenOver.add(i);
        } else {
            figures.held.remove(i);
        }
    }

    /** Returns the indexes of the sessions that still ran at the last look, in order. */
    List<Integer> live() {
        return live;
    }

    /** Returns the indexes of the sessions seen to have ended at the last look (or already ended when first seen). */
    List<Integer> ended() {
        return ended;
    }
}
