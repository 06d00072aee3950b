package dev.netboot.net;

import dev.netboot.wire.ArpPacket;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;

/**
 * The stack's ARP (RFC 826): its cache, the next hops being resolved (a few at once, each with bounded
 * retries), the datagrams that wait for them, the reception rules (merge, add, answer) and RFC 5227's watch for
 * another host using an address. Fixed slots, allocated at construction; the stack frames and sends what this
 * decides ({@link Wire}).
 */
final class ArpResolver {
    /** What the resolver needs of its stack. */
    interface Wire {
        /** Returns the stack's IPv4 address, 0 before it has one. */
        int address();

        /** Sends one ARP packet from the stack's MAC; false when the link had no room. */
        boolean sendArp(long now, int op, long dstMac, int spa, long tha, int tpa);

        /** Sends a datagram that waited for its next hop, now resolved to {@code dstMac}. */
        void sendHeld(long now, long dstMac, int dstIp, int srcPort, int dstPort, int len, PayloadWriter payload);

        /** Tells the handler of {@code srcPort} that its datagram to {@code dstIp}:{@code dstPort} cannot go. */
        void unreachable(long now, int srcPort, int dstIp, int dstPort, boolean refused, String reason);
    }

    private static final int PENDING_SLOTS = 4;
    private static final int RESOLUTIONS = 4;

    private final NetConfig config;
    private final long mac;
    private final Wire wire;
    private final ArpCache cache;
    private final Resolution[] resolutions = new Resolution[RESOLUTIONS];
    private final PendingDatagram[] pending = new PendingDatagram[PENDING_SLOTS];
    // RFC 5227 conflict detection: the address being probed for (0: none) and who else claimed it (-1: nobody).
    private int watched;
    // Moves whenever what verdictOf reads may have changed (watched address, cache, resolutions, our address).
    private long version;
    private long conflictMac = -1;
    private long requestsSent, repliesSent, failures;

    /** A resolver for the stack at {@code mac}, holding datagrams of up to {@code maxPayload} bytes. */
    ArpResolver(NetConfig config, long mac, int maxPayload, Wire wire) {
        this.config = config;
        this.mac = mac;
        this.wire = wire;
        this.cache = new ArpCache(config.arpCacheSize(), config.arpEntryLifetime());
        for (int i = 0; i < PENDING_SLOTS; i++) {
            pending[i] = new PendingDatagram(maxPayload);
        }
        for (int i = 0; i < RESOLUTIONS; i++) {
            resolutions[i] = new Resolution();
        }
    }

    /** Returns the MAC cached for {@code ip}, or -1. */
    long lookup(long now, int ip) {
        return cache.lookup(now, ip);
    }

    /**
     * Keeps a datagram for next hop {@code hop} (written by {@code writer} now) until ARP answers, and starts asking:
     * {@link SendResult#PENDING_ARP}, or {@link SendResult#QUEUE_FULL} when no slot is free to wait in or to resolve
     * from (a held datagram would then never go).
     */
    SendResult hold(long now, int hop, int dstIp, int srcPort, int dstPort, int len, PayloadWriter writer) {
        PendingDatagram slot = freeSlot();
        if (slot == null || startResolution(now, hop) == null) {
            return SendResult.QUEUE_FULL;
        }
        writer.writePayload(slot.payload, 0, len);
        slot.hold(hop, dstIp, srcPort, dstPort, len);
        return SendResult.PENDING_ARP;
    }

    /** Resolves {@code ip}, sending ARP requests as needed; call again on later polls to see progress. */
    ArpStatus resolve(long now, int ip) {
        long m = cache.lookup(now, ip);
        if (m >= 0) {
            return new ArpStatus.Resolved(new MacAddress(m));
        }
        version++;
        for (Resolution r : resolutions) {
            if (r.active && r.ip == ip) {
                if (r.failed) {
                    r.active = false;
                    return new ArpStatus.Failed(r.requestsSent);
                }
                return new ArpStatus.Pending(r.requestsSent);
            }
        }
        Resolution r = startResolution(now, ip);
        return r == null ? new ArpStatus.Pending(0) : new ArpStatus.Pending(r.requestsSent);
    }

    private Resolution startResolution(long now, int ip) {
        version++; // an address being resolved: ARP from it is merged (verdictOf)
        Resolution free = null;
        for (Resolution r : resolutions) {
            if (r.active && r.ip == ip) {
                if (r.failed) {
                    r.restart(ip, now);
                }
                return r;
            }
            if (!r.active && free == null) {
                free = r;
            }
        }
        if (free == null) {
            // A failed resolution only waits for resolve() to report it; datagrams that waited on it were
            // already reported through unreachable. A new address may take its slot.
            for (Resolution r : resolutions) {
                if (r.failed) {
                    free = r;
                    break;
                }
            }
        }
        if (free == null) {
            return null; // every slot busy; a later call retries
        }
        free.restart(ip, now);
        run(now, free);
        return free;
    }

    private PendingDatagram freeSlot() {
        for (PendingDatagram p : pending) {
            if (!p.held) {
                return p;
            }
        }
        return null;
    }

    /** Watches ARP traffic for another host using {@code ip} (RFC 5227 section 2.1.1); 0 stops watching. */
    void watch(int ip) {
        version++;
        watched = ip;
        conflictMac = -1;
    }

    /** Returns the MAC of the host that claimed the watched address, or null when none did since {@link #watch}. */
    MacAddress conflict() {
        return conflictMac < 0 ? null : new MacAddress(conflictMac);
    }

    /** Runs the resolutions' retry timers. */
    void poll(long now) {
        for (Resolution r : resolutions) {
            if (r.active && !r.failed && now >= r.nextAt) {
                run(now, r);
            }
        }
    }

    /** Returns the next retry of a resolution, or {@link Long#MAX_VALUE}. */
    long pollAt() {
        long at = Long.MAX_VALUE;
        for (Resolution r : resolutions) {
            if (r.active && !r.failed) {
                at = Math.min(at, r.nextAt);
            }
        }
        return at;
    }

    private void run(long now, Resolution r) {
        if (r.requestsSent >= config.arpMaxRequests()) {
            r.failed = true;
            failures++;
            String reason = "ARP: no reply from " + new Ipv4Address(r.ip) + " after " + r.requestsSent + " requests";
            for (PendingDatagram p : pending) {
                if (p.held && p.hop == r.ip) {
                    p.held = false;
                    wire.unreachable(now, p.srcPort, p.dstIp, p.dstPort, false, reason);
                }
            }
            return;
        }
        if (wire.sendArp(now, ArpPacket.REQUEST, MacAddress.BROADCAST.value(), wire.address(), 0, r.ip)) {
            r.requestsSent++;
            requestsSent++;
        }
        r.nextAt = now + config.arpWait(Math.max(1, r.requestsSent)); // backoff: a far next hop's reply may come late
    }

    /** Returns a number that moves whenever {@link #verdictOf} may answer otherwise (never back). */
    long version() {
        return version;
    }

    /** {@link #verdictOf}: {@link #onArp} would act on the packet. */
    static final int ARP_TAKE = 0;
    /** {@link #verdictOf}: {@link #onArp} would return true and do nothing (a probe, our own address elsewhere). */
    static final int ARP_NOTHING = 1;
    /** {@link #verdictOf}: {@link #onArp} would return false and do nothing (another host's, nothing to merge). */
    static final int ARP_NOT_FOR_US = 2;

    /**
     * Returns what {@link #onArp} would do with a packet of these fields, without doing it: the same tests in the same
     * order, none of its effects (for {@link ReceiveFilter}).
     */
    int verdictOf(int op, long sha, int spa, int tpa) {
        int address = wire.address();
        if (watched != 0 && sha != mac && (spa == watched || (spa == 0 && op == ArpPacket.REQUEST && tpa == watched))) {
            return ARP_TAKE; // a conflict to note
        }
        if (spa == 0 && sha != mac && op == ArpPacket.REQUEST && address != 0 && tpa == address) {
            return ARP_TAKE; // a probe for our address: answered
        }
        if (spa == 0 || sha == mac) {
            return ARP_NOTHING;
        }
        if (cache.contains(spa) || isResolving(spa)) {
            return ARP_TAKE; // merged
        }
        return address == 0 || tpa != address ? ARP_NOT_FOR_US : ARP_TAKE;
    }

    /** Takes a received ARP packet; returns false when it was neither for us nor about a host we know or seek. */
    boolean onArp(long now, ArpPacket p) {
        version++;
        int address = wire.address();
        int spa = p.spa().value();
        long sha = p.sha().value();
        // RFC 5227 section 2.1.1: while probing, any ARP packet whose sender IP is the address, or another host's probe
        // for it, means the address is in use by someone else.
        if (watched != 0 && sha != mac
                && (spa == watched || (spa == 0 && p.op() == ArpPacket.REQUEST && p.tpa().value() == watched))) {
            conflictMac = sha;
        }
        if (spa == 0 && sha != mac && p.op() == ArpPacket.REQUEST && address != 0 && p.tpa().value() == address) {
            // Another host probing for our address (RFC 5227 section 2.1.1) gets the ordinary RFC 826 reply: that
            // reply is how the prober learns the address is taken. Its 0.0.0.0 sender teaches us nothing.
            if (wire.sendArp(now, ArpPacket.REPLY, sha, address, sha, 0)) {
                repliesSent++;
            }
            return true;
        }
        if (spa == 0 || sha == mac) {
            return true; // an ARP probe (RFC 5227) or our own address in use elsewhere: nothing to learn
        }
        // RFC 826, "Packet Reception": update the sender's entry if we have one (merge), then if we are
        // the target add it when it was new, and answer a request.
        boolean merge = false;
        if (cache.contains(spa) || isResolving(spa)) {
            cache.put(now, spa, sha);
            merge = true;
        }
        if (address == 0 || p.tpa().value() != address) {
            if (merge) {
                learned(now, spa);
            }
            return merge;
        }
        if (!merge) {
            cache.put(now, spa, sha);
        }
        learned(now, spa);
        if (p.op() == ArpPacket.REQUEST && wire.sendArp(now, ArpPacket.REPLY, sha, address, sha, spa)) {
            repliesSent++;
        }
        return true;
    }

    /**
     * Fills {@code into} with the addresses {@link #verdictOf} looks for: first the two a target address may be (ours
     * and the one watched, 0 for none), then those a sender address may be (the one watched, those cached and those
     * being resolved, none 0); returns how many in all, or -1 when they do not fit. An ARP packet from another station
     * naming none of them so is {@link #ARP_NOTHING} when a probe, else {@link #ARP_NOT_FOR_US}.
     */
    int interests(int[] into) {
        if (into.length < 2) {
            return -1;
        }
        into[0] = wire.address();
        into[1] = watched;
        int n = interest(into, 2, watched);
        for (int i = 0; i < cache.size(); i++) {
            n = interest(into, n, cache.ip(i));
        }
        for (Resolution r : resolutions) {
            if (r.active) {
                n = interest(into, n, r.ip);
            }
        }
        return n;
    }

    private static int interest(int[] into, int n, int ip) {
        if (n < 0 || ip == 0) {
            return n;
        }
        if (n == into.length) {
            return -1;
        }
        into[n] = ip;
        return n + 1;
    }

    private boolean isResolving(int ip) {
        for (Resolution r : resolutions) {
            if (r.active && r.ip == ip) {
                return true;
            }
        }
        return false;
    }

    /** Ends the resolution of {@code ip} and sends the datagrams that waited for it. */
    private void learned(long now, int ip) {
        for (Resolution r : resolutions) {
            if (r.active && r.ip == ip) {
                r.active = false;
            }
        }
        long m = cache.lookup(now, ip);
        for (PendingDatagram p : pending) {
            if (p.held && p.hop == ip) {
                p.held = false;
                wire.sendHeld(now, m, p.dstIp, p.srcPort, p.dstPort, p.len, p);
            }
        }
    }

    /** Returns the ARP requests sent. */
    long requestsSent() {
        return requestsSent;
    }

    /** Returns the ARP replies sent. */
    long repliesSent() {
        return repliesSent;
    }

    /** Returns the resolutions that ran out of requests. */
    long failures() {
        return failures;
    }

    /** One address being resolved. */
    private static final class Resolution {
        boolean active;
        boolean failed;
        int ip;
        int requestsSent;
        long nextAt;

        void restart(int ip, long now) {
            this.active = true;
            this.failed = false;
            this.ip = ip;
            this.requestsSent = 0;
            this.nextAt = now;
        }
    }

    /** A datagram waiting for its next hop's MAC. */
    private static final class PendingDatagram implements PayloadWriter {
        final ByteBuffer payload;
        boolean held;
        int hop;
        int dstIp;
        int srcPort;
        int dstPort;
        int len;

        PendingDatagram(int capacity) {
            this.payload = ByteBuffer.allocate(capacity);
        }

        void hold(int hop, int dstIp, int srcPort, int dstPort, int len) {
            this.held = true;
            this.hop = hop;
            this.dstIp = dstIp;
            this.srcPort = srcPort;
            this.dstPort = dstPort;
            this.len = len;
        }

        @Override
        public void writePayload(ByteBuffer buf, int off, int n) {
            buf.put(off, payload, 0, n);
        }
    }
}
