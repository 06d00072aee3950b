package dev.netboot.emulator;

import dev.netboot.wire.MacAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The ARP (RFC 826) of one {@link Router} interface, the "ARP" item of the router's class comment: the addresses
 * learned on the interface (entries do not expire, a run is short), the next hops being resolved, a request at once
 * and again every {@link Router#ARP_RETRY_NANOS} up to {@link Router#ARP_REQUESTS} in all, and the datagrams waiting
 * for them, at most {@link Router#PENDING_LIMIT}, dropped when their next hop never answers. The router parses
 * and answers ARP packets, frames and counts; this decides what waits, what is asked and what goes ({@link Wire}).
 */
final class RouterArp {
    /** What the resolver needs of its router interface. */
    interface Wire {
        /** Sends {@code w} to {@code mac}, its next hop's MAC, now known. */
        void send(long now, MacAddress mac, Waiting w);

        /** Broadcasts an ARP request for {@code hop}. */
        void request(long now, int hop);

        /** {@code datagrams} waited for a next hop that never answered and are dropped. */
        void failed(int datagrams);
    }

    /** A datagram (IPv4 header onward, TTL already decremented) going to its next hop; relayed: a BOOTREQUEST. */
    record Waiting(int nextHop, byte[] datagram, boolean relayed) {
    }

    /** An ARP resolution in progress. */
    private record Query(long nextAt, int sent) {
    }

    private final Wire wire;
    private final Map<Integer, MacAddress> table = new HashMap<>();
    private final List<Waiting> waiting = new ArrayList<>();
    private final Map<Integer, Query> queries = new HashMap<>();

    RouterArp(Wire wire) {
        this.wire = wire;
    }

    /** Returns the MAC learned for {@code ip}, or null. */
    MacAddress lookup(int ip) {
        return table.get(ip);
    }

    /** Returns true when {@code ip} is in the table or being resolved: RFC 826 merges such a sender. */
    boolean knows(int ip) {
        return table.containsKey(ip) || queries.containsKey(ip);
    }

    /** Returns the number of datagrams waiting for address resolution. */
    int waiting() {
        return waiting.size();
    }

    /** Returns when the next ARP request is due, or {@link Long#MAX_VALUE}. */
    long nextAt() {
        long at = Long.MAX_VALUE;
        for (Query q : queries.values()) {
            at = Math.min(at, q.nextAt());
        }
        return at;
    }

    /** Enters {@code ip} at {@code mac} and sends the datagrams that waited for it. */
    void learn(long now, int ip, MacAddress mac) {
        table.put(ip, mac);
        queries.remove(ip);
        for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            if (w.nextHop() == ip) {
                it.remove();
                wire.send(now, mac, w);
            }
        }
    }

    /** Queues {@code w} behind the resolution of its next hop, starting one; false when the queue is full. */
    boolean hold(long now, Waiting w) {
        if (waiting.size() >= Router.PENDING_LIMIT) {
            return false;
        }
        waiting.add(w);
        int hop = w.nextHop();
        if (!queries.containsKey(hop)) {
            queries.put(hop, new Query(now, 0));
            run(now);
        }
        return true;
    }

    /** Sends the ARP requests that are due, and gives up on next hops that had all theirs. */
    void run(long now) {
        for (Iterator<Map.Entry<Integer, Query>> it = queries.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Query> e = it.next();
            Query q = e.getValue();
            if (now < q.nextAt()) {
                continue;
            }
            int hop = e.getKey();
            if (q.sent() >= Router.ARP_REQUESTS) {
                it.remove();
                int before = waiting.size();
                waiting.removeIf(w -> w.nextHop() == hop);
                wire.failed(before - waiting.size());
                continue;
            }
            wire.request(now, hop);
            e.setValue(new Query(now + Router.ARP_RETRY_NANOS, q.sent() + 1));
        }
    }
}
