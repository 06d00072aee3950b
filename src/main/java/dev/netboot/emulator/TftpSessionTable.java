package dev.netboot.emulator;

import dev.netboot.net.UdpHandler;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.TftpPacket;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * The transfers a {@link TftpServer} runs, and how a datagram finds its own: by the port the session is bound to (its
 * transfer ID), or, where every session shares port 69 ({@link TftpServerConfig#singlePort()}), by the client's address
 * and port. A request sent again from a running transfer's client TID is found the same way (RFC 1350 section 4: a
 * transfer is its two TIDs). The table keeps each running session's next deadline ({@link SessionTimers}), and retires
 * a session once it ended, telling the server, which may then start a transfer that waited for room.
 */
final class TftpSessionTable {
    private final Set<TftpServerSession> active = new LinkedHashSet<>();
    private final Map<TftpServerSession, TftpPacket> requests = new HashMap<>(); // what each running unicast one was asked with
    private final SessionTimers timers = new SessionTimers();
    private final LongConsumer retired;
    private long peak;

    /** An empty table; {@code retired} hears the instant of each session it retires. */
    TftpSessionTable(LongConsumer retired) {
        this.retired = retired;
    }

    /** Returns how many transfers run now. */
    int running() {
        return active.size();
    }

    /** Returns the most transfers that ran at once. */
    long peak() {
        return peak;
    }

    /**
     * Enters {@code s}, a transfer just started for {@code request} (null: a multicast transfer, which answers a
     * member's request again itself), as running; its deadline follows at its first {@link #touched}.
     */
    void add(TftpServerSession s, TftpPacket request) {
        active.add(s);
        if (request != null) {
            requests.put(s, request);
        }
        peak = Math.max(peak, active.size());
    }

    /** Returns the handler of {@code s}'s own port: passes datagrams on, then looks at the session's deadline. */
    UdpHandler portOf(TftpServerSession s) {
        return new Bound(s);
    }

    /**
     * Passes a datagram from {@code srcIp}:{@code srcPort} to the running transfer of that client, where every session
     * shares port 69; returns false when no transfer runs from there.
     */
    boolean deliver(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
        for (TftpServerSession s : active) {
            if (!s.ended() && s.clientIp() == srcIp && s.clientPort() == srcPort) {
                s.onDatagram(now, srcIp, srcPort, dstIp, buf, off, len);
                touched(now, s);
                return true;
            }
        }
        return false;
    }

    /**
     * Passes an ICMP error (or ARP's silence) about a datagram sent to {@code dst}:{@code dstPort} from port 69 to the
     * running transfer of that client, as a session's own port does ({@link Bound}); where every session shares port
     * 69.
     */
    void unreachable(long now, Ipv4Address dst, int dstPort, boolean refused, String reason) {
        for (TftpServerSession s : active) {
            if (!s.ended() && s.clientIp() == dst.value() && s.clientPort() == dstPort) {
                s.onUnreachable(now, dst, dstPort, refused, reason);
                touched(now, s);
                return;
            }
        }
    }

    /**
     * Returns whether {@code p} is the request of a unicast transfer still running from the same client address and port,
     * sent again: the same file, mode and options (busybox's RRQ again after 50 ms, a frame the wire doubled). A request
     * that differs is another: a client started again that asks from the port it had (U-Boot's port may repeat after
     * a reset; a flood from many ports reuses them), whose new options an OACK of the old ones would refuse (busybox:
     * "bad blocksize '1468'"). A multicast transfer answers a member's request again itself.
     */
    boolean repeats(int srcIp, int srcPort, TftpPacket p) {
        if (!(p instanceof TftpPacket.Rrq || p instanceof TftpPacket.Wrq)) {
            return false;
        }
        for (TftpServerSession s : active) {
            if (!s.ended() && s.clientIp() == srcIp && s.clientPort() == srcPort && p.equals(requests.get(s))) {
                return true;
            }
        }
        return false;
    }

    /** After anything that may have moved {@code s}: retire it when it ended, else keep its deadline in the heap. */
    void touched(long now, TftpServerSession s) {
        if (s.ended()) {
            if (active.remove(s)) {
                requests.remove(s);
                timers.cancel(s);
                retired.accept(now);
            }
            return;
        }
        timers.schedule(s);
    }

    /** Runs the timers of the sessions due at {@code now}, earliest first. */
    void poll(long now) {
        for (TftpServerSession s = timers.due(now); s != null; s = timers.due(now)) {
            s.poll(now);
            touched(now, s);
        }
    }

    /** Returns the earliest deadline of a running session, or {@code Long.MAX_VALUE}. */
    long next() {
        return timers.next();
    }

    /** A session's port: passes datagrams on, then looks at the session's deadline. */
    private final class Bound implements UdpHandler {
        private final TftpServerSession session;

        Bound(TftpServerSession session) {
            this.session = session;
        }

        @Override
        public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
            session.onDatagram(now, srcIp, srcPort, dstIp, buf, off, len);
            touched(now, session);
        }

        @Override
        public void onUnreachable(long now, Ipv4Address dst, int dstPort, boolean refused, String reason) {
            session.onUnreachable(now, dst, dstPort, refused, reason);
            touched(now, session);
        }
    }
}
