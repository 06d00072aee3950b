package dev.netboot.net;

/**
 * Tuning of the network layer. Times are nanoseconds.
 *
 * @param arpCacheSize    entries the ARP cache holds; the least recently refreshed is evicted
 * @param arpEntryLifetime how long a learned mapping stays valid
 * @param arpRetryInterval wait between ARP requests for one address
 * @param arpMaxRequests  requests sent before an address is reported unreachable
 * @param ttl             Time to Live of sent datagrams
 * @param verifyChecksums false to accept datagrams with bad IPv4/UDP checksums (fuzzing only)
 * @param udpBindings     UDP ports that may be bound at once (a board needs a few; a server one per transfer)
 */
public record NetConfig(int arpCacheSize, long arpEntryLifetime, long arpRetryInterval, int arpMaxRequests,
                        int ttl, boolean verifyChecksums, int udpBindings) {
    /** UDP bindings of a board: DHCP, TFTP and a few spare. */
    public static final int BOARD_BINDINGS = 16;

    /** 16 entries for 5 minutes, 5 requests 500 ms apart, TTL 64, checksums verified, 16 UDP bindings. */
    public static final NetConfig DEFAULTS = new NetConfig(16, 300_000_000_000L, 500_000_000L, 5, 64, true);

    /** Checks ranges. */
    public NetConfig {
        if (arpCacheSize < 1 || arpEntryLifetime <= 0 || arpRetryInterval <= 0 || arpMaxRequests < 1 || ttl < 1 || ttl > 255
                || udpBindings < 1 || udpBindings > 65535) {
            throw new IllegalArgumentException("net settings: ARP cache of " + arpCacheSize + " entries, entries kept "
                    + arpEntryLifetime + " ns, requests " + arpRetryInterval + " ns apart, " + arpMaxRequests + " requests, TTL "
                    + ttl + ", " + udpBindings + " UDP bindings (expected: entries and requests at least 1, times above 0,"
                    + " TTL 1..255, bindings 1..65535)");
        }
    }

    /** Settings with a board's {@link #BOARD_BINDINGS} UDP bindings. */
    public NetConfig(int arpCacheSize, long arpEntryLifetime, long arpRetryInterval, int arpMaxRequests, int ttl,
                     boolean verifyChecksums) {
        this(arpCacheSize, arpEntryLifetime, arpRetryInterval, arpMaxRequests, ttl, verifyChecksums, BOARD_BINDINGS);
    }

    /** Returns these settings with room for {@code arpEntries} neighbours and {@code bindings} UDP ports (a server's). */
    public NetConfig withCapacity(int arpEntries, int bindings) {
        return new NetConfig(arpEntries, arpEntryLifetime, arpRetryInterval, arpMaxRequests, ttl, verifyChecksums, bindings);
    }
}
