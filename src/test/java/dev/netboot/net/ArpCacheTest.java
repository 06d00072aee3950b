package dev.netboot.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A large cache (indexed) answers as a small one (searched end to end) does, evictions included. */
class ArpCacheTest {
    @Test
    void anIndexedCacheAgreesWithAModelOfTheSameRules() {
        for (int capacity : new int[] {4, 32, 33, 1000}) {
            ArpCache cache = new ArpCache(capacity, 1_000);
            // The model: ip -> (mac, expiresAt); eviction replaces the entry that expires first (the earliest
            // inserted at equal times, as the cache's scan keeps the first minimum).
            Map<Integer, long[]> model = new HashMap<>();
            Map<Integer, Integer> order = new HashMap<>();
            SplittableRandom r = new SplittableRandom(capacity);
            int seq = 0;
            for (long now = 0; now < 20_000; now++) {
                int ip = 0x0A00_0000 + r.nextInt(capacity * 2);
                if (r.nextInt(3) == 0) {
                    long mac = r.nextLong(1L << 48);
                    if (!model.containsKey(ip) && model.size() == capacity) {
                        int victim = -1;
                        for (Map.Entry<Integer, long[]> e : model.entrySet()) {
                            if (victim == -1 || e.getValue()[1] < model.get(victim)[1]
                                    || (e.getValue()[1] == model.get(victim)[1] && order.get(e.getKey()) < order.get(victim))) {
                                victim = e.getKey();
                            }
                        }
                        int slot = order.remove(victim);
                        model.remove(victim);
                        order.put(ip, slot);
                    } else if (!model.containsKey(ip)) {
                        order.put(ip, seq++);
                    }
                    model.put(ip, new long[] {mac, now + 1_000});
                    cache.put(now, ip, mac);
                }
                long[] m = model.get(ip);
                long expected = m != null && now < m[1] ? m[0] : -1;
                assertEquals(expected, cache.lookup(now, ip), "capacity " + capacity + " at " + now);
                assertEquals(m != null, cache.contains(ip));
            }
            assertEquals(Math.min(capacity, model.size()), cache.size());
        }
    }
}
