package dev.netboot.net;

/**
 * Tuning of the network layer. Times are nanoseconds.
 *
 * @param arpCacheSize    entries the ARP cache holds; the least recently refreshed is evicted
 * @param arpEntryLifetime how long a learned mapping stays valid
 * @param arpRetryInterval wait after the first ARP request for one address; each request unanswered doubles it, up to
 *                        {@code arpMaxInterval}
 * @param arpMaxRequests  requests sent before an address is reported unreachable (one more wait after the last)
 * @param ttl             Time to Live of sent datagrams
 * @param verifyChecksums false to accept datagrams with bad IPv4/UDP checksums (fuzzing only)
 * @param udpBindings     UDP ports that may be bound at once (a board needs a few; a server one per transfer)
 * @param arpMaxInterval  the longest wait between ARP requests, backoff included ({@code arpRetryInterval}: no backoff)
 */
public record NetConfig(int arpCacheSize, long arpEntryLifetime, long arpRetryInterval, int arpMaxRequests,
                        int ttl, boolean verifyChecksums, int udpBindings, long arpMaxInterval) {
    /** UDP bindings of a board: DHCP, TFTP and a few spare. */
    public static final int BOARD_BINDINGS = 16;

    /**
     * 16 entries for 5 minutes; 9 requests, the first 500 ms apart, doubling to 4 s (at 0, 0.5, 1.5, 3.5, 7.5 s, then every
     * 4 s to 23.5 s; unreachable at 27.5 s); TTL 64, checksums verified, 16 UDP bindings. A reply to any request counts,
     * so a next hop whose round trip is up to 27 s (ARP bridged over a satellite hop, 0.6 s, or a long-haul layer 2
     * link, a few seconds) resolves: as generous as U-Boot's 5 requests 5 s apart and a board's TFTP give-up (25 s in
     * the shipped profiles), where 5 requests 500 ms apart failed any next hop more than 2.5 s away.
     */
    public static final NetConfig DEFAULTS = new NetConfig(16, 300_000_000_000L, 500_000_000L, 9, 64, true, BOARD_BINDINGS,
            4_000_000_000L);

    /**
     * What the emulator's servers run on: {@link #DEFAULTS} with ARP as it was, 5 requests 500 ms apart, no backoff (a
     * server resolves a client that has just asked it; its figures in README were measured so).
     */
    public static final NetConfig SERVERS = new NetConfig(16, 300_000_000_000L, 500_000_000L, 5, 64, true);

    /** Checks ranges. */
    public NetConfig {
        if (arpCacheSize < 1 || arpEntryLifetime <= 0 || arpRetryInterval <= 0 || arpMaxRequests < 1 || ttl < 1 || ttl > 255
                || udpBindings < 1 || udpBindings > 65535 || arpMaxInterval < arpRetryInterval) {
            throw new IllegalArgumentException("net settings: ARP cache of " + arpCacheSize + " entries, entries kept "
                    + arpEntryLifetime + " ns, requests " + arpRetryInterval + " ns apart"
                    + (arpMaxInterval == arpRetryInterval ? "" : " (at most " + arpMaxInterval + " ns)") + ", " + arpMaxRequests
                    + " requests, TTL " + ttl + ", " + udpBindings + " UDP bindings (expected: entries and requests at least 1,"
                    + " times above 0" + (arpMaxInterval == arpRetryInterval ? "" : ", the most at least the first") + ","
                    + " TTL 1..255, bindings 1..65535)");
        }
    }

    /** Settings whose ARP requests go {@code arpRetryInterval} apart, without backoff. */
    public NetConfig(int arpCacheSize, long arpEntryLifetime, long arpRetryInterval, int arpMaxRequests, int ttl,
                     boolean verifyChecksums, int udpBindings) {
        this(arpCacheSize, arpEntryLifetime, arpRetryInterval, arpMaxRequests, ttl, verifyChecksums, udpBindings, arpRetryInterval);
    }

    /** Returns the wait after the {@code sent}th ARP request for one address (1 for the first): doubling, at most the most. */
    public long arpWait(int sent) {
        long wait = arpRetryInterval;
        for (int i = 1; i < sent && wait < arpMaxInterval; i++) {
            wait = wait > arpMaxInterval / 2 ? arpMaxInterval : wait << 1;
        }
        return Math.min(wait, arpMaxInterval);
    }

    /** Settings with a board's {@link #BOARD_BINDINGS} UDP bindings, ARP requests without backoff. */
    public NetConfig(int arpCacheSize, long arpEntryLifetime, long arpRetryInterval, int arpMaxRequests, int ttl,
                     boolean verifyChecksums) {
        this(arpCacheSize, arpEntryLifetime, arpRetryInterval, arpMaxRequests, ttl, verifyChecksums, BOARD_BINDINGS);
    }

    /** Returns these settings with room for {@code arpEntries} neighbours and {@code bindings} UDP ports (a server's). */
    public NetConfig withCapacity(int arpEntries, int bindings) {
        return new NetConfig(arpEntries, arpEntryLifetime, arpRetryInterval, arpMaxRequests, ttl, verifyChecksums, bindings,
                arpMaxInterval);
    }
}
