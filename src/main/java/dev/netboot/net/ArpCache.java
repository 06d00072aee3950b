package dev.netboot.net;

/**
 * A small, bounded IPv4-to-MAC table. When full, the entry that expires first is replaced. Linear
 * search: the table is a few entries on a board that talks to a server and a gateway.
 */
final class ArpCache {
    private final int[] ips;
    private final long[] macs;
    private final long[] expiresAt;
    private final long lifetime;
    private int size;

    ArpCache(int capacity, long lifetime) {
        this.ips = new int[capacity];
        this.macs = new long[capacity];
        this.expiresAt = new long[capacity];
        this.lifetime = lifetime;
    }

    /** Returns the MAC of {@code ip} as a 48-bit value, or -1 when unknown or expired. */
    long lookup(long now, int ip) {
        int i = indexOf(ip);
        return i >= 0 && now < expiresAt[i] ? macs[i] : -1;
    }

    /** Returns true when {@code ip} has an entry, expired or not (RFC 826's "already in the table"). */
    boolean contains(int ip) {
        return indexOf(ip) >= 0;
    }

    /** Adds or refreshes {@code ip}. */
    void put(long now, int ip, long mac) {
        int i = indexOf(ip);
        if (i < 0) {
            if (size < ips.length) {
                i = size++;
            } else {
                i = 0;
                for (int j = 1; j < size; j++) {
                    if (expiresAt[j] < expiresAt[i]) {
                        i = j;
                    }
                }
            }
            ips[i] = ip;
        }
        macs[i] = mac;
        expiresAt[i] = now + lifetime;
    }

    /** Returns the number of entries. */
    int size() {
        return size;
    }

    private int indexOf(int ip) {
        for (int i = 0; i < size; i++) {
            if (ips[i] == ip) {
                return i;
            }
        }
        return -1;
    }
}
