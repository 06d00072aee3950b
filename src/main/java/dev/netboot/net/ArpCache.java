package dev.netboot.net;

/**
 * A small, bounded IPv4-to-MAC table. When full, the entry that expires first is replaced. Linear
 * search while the table is a few entries, as on a board that talks to a server and a gateway; a larger
 * table (a server's, one entry per client) also keeps an open-addressing index, built once, rebuilt only
 * when an entry is replaced.
 */
final class ArpCache {
    private final int[] ips;
    private final long[] macs;
    private final long[] expiresAt;
    private final long lifetime;
    private int size;
    // capacity > LINEAR: slot + 1 of each ip, by hash, linear probing; 0 is empty. Never more than half full.
    private final int[] index;

    /** Tables up to this size are searched from end to end. */
    private static final int LINEAR = 32;

    ArpCache(int capacity, long lifetime) {
        this.ips = new int[capacity];
        this.macs = new long[capacity];
        this.expiresAt = new long[capacity];
        this.lifetime = lifetime;
        this.index = capacity > LINEAR ? new int[Integer.highestOneBit(capacity) * 4] : null;
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
                ips[i] = ip;
                if (index != null) {
                    insert(ip, i);
                }
            } else {
                i = 0;
                for (int j = 1; j < size; j++) {
                    if (expiresAt[j] < expiresAt[i]) {
                        i = j;
                    }
                }
                ips[i] = ip;
                if (index != null) {
                    rebuild();
                }
            }
        }
        macs[i] = mac;
        expiresAt[i] = now + lifetime;
    }

    /** Returns the address of entry {@code i} (0..{@link #size}-1). */
    int ip(int i) {
        return ips[i];
    }

    /** Returns the number of entries. */
    int size() {
        return size;
    }

    private int indexOf(int ip) {
        if (index != null) {
            int mask = index.length - 1;
            for (int h = hash(ip) & mask; index[h] != 0; h = (h + 1) & mask) {
                if (ips[index[h] - 1] == ip) {
                    return index[h] - 1;
                }
            }
            return -1;
        }
        for (int i = 0; i < size; i++) {
            if (ips[i] == ip) {
                return i;
            }
        }
        return -1;
    }

    private static int hash(int ip) {
        return (ip * 0x9E3779B1) >>> 7;
    }

    private void insert(int ip, int slot) {
        int mask = index.length - 1;
        int h = hash(ip) & mask;
        while (index[h] != 0) {
            h = (h + 1) & mask;
        }
        index[h] = slot + 1;
    }

    private void rebuild() {
        java.util.Arrays.fill(index, 0);
        for (int i = 0; i < size; i++) {
            insert(ips[i], i);
        }
    }
}
