package dev.netboot.emulator;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * When a TFTP server's sessions next have work: a heap of deadlines, earliest first (ties in the order they were
 * set), so a server with thousands of transfers finds the due ones without asking each. A session's deadline only
 * moves earlier in the heap; an entry whose instant is no longer the session's own is stale and skipped.
 */
final class SessionTimers {
    /** A session's deadline in the heap; stale once the session's own entry says otherwise. */
    private record Timer(long at, long seq, TftpServerSession session) {
    }

    private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> a.at() != b.at()
            ? Long.compare(a.at(), b.at()) : Long.compare(a.seq(), b.seq()));
    // The earliest deadline a session has in the heap: an entry with another instant is stale.
    private final Map<TftpServerSession, Long> timerAt = new IdentityHashMap<>();
    private long timerSeq;

    /** Puts {@code s}'s deadline ({@link TftpServerSession#pollAt}) in the heap when it is earlier than the one there. */
    void schedule(TftpServerSession s) {
        long at = s.pollAt();
        if (at == Long.MAX_VALUE) {
            return;
        }
        Long cur = timerAt.get(s);
        if (cur == null || at < cur) {
            timerAt.put(s, at);
            timers.add(new Timer(at, timerSeq++, s));
        }
    }

    /** Forgets {@code s}'s deadline: it ended. */
    void cancel(TftpServerSession s) {
        timerAt.remove(s);
    }

    /** Takes the next session due at {@code now} off the heap, or returns null when none is. */
    TftpServerSession due(long now) {
        while (true) {
            Timer t = timers.peek();
            if (t == null || t.at() > now) {
                return null;
            }
            timers.poll();
            Long cur = timerAt.get(t.session());
            if (cur != null && cur == t.at()) {
                timerAt.remove(t.session());
                return t.session();
            }
            // stale: the session's deadline moved since
        }
    }

    /** Returns the earliest deadline, or {@code Long.MAX_VALUE}. */
    long next() {
        while (!timers.isEmpty()) {
            Timer t = timers.peek();
            Long cur = timerAt.get(t.session());
            if (cur != null && cur == t.at()) {
                return t.at();
            }
            timers.poll(); // stale
        }
        return Long.MAX_VALUE;
    }
}
