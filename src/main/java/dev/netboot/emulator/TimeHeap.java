package dev.netboot.emulator;

import java.util.Arrays;

/**
 * The nodes' next instants: an indexed binary min-heap with one entry per node at most, instants first, then
 * nodes in the order added. A node's entry moves up or down when its instant changes (no stale entries).
 * {@link Simulation}'s schedule.
 */
final class TimeHeap {
    private long[] key = new long[16];  // per node: its instant while in the heap
    private int[] pos = new int[16];    // per node: its place in the heap, -1 when not in it
    private int[] heap = new int[16];   // node indices
    private int size;

    void ensure(int nodes) {
        if (nodes > key.length) {
            int n = Math.max(nodes, key.length * 2);
            int old = key.length;
            key = Arrays.copyOf(key, n);
            pos = Arrays.copyOf(pos, n);
            Arrays.fill(pos, old, n, -1);
            heap = Arrays.copyOf(heap, n);
        }
    }

    TimeHeap() {
        Arrays.fill(pos, -1);
    }

    boolean isEmpty() {
        return size == 0;
    }

    long peekTime() {
        return key[heap[0]];
    }

    /** Returns node {@code i}'s instant in the heap, or {@link Long#MAX_VALUE} when it has none. */
    long at(int i) {
        return pos[i] < 0 ? Long.MAX_VALUE : key[i];
    }

    /** Sets node {@code i}'s instant to {@code t}, or takes it out for {@link Long#MAX_VALUE}. */
    void set(int i, long t) {
        int p = pos[i];
        if (t == Long.MAX_VALUE) {
            if (p >= 0) {
                removeAt(p);
            }
            return;
        }
        if (p < 0) {
            key[i] = t;
            heap[size] = i;
            pos[i] = size;
            up(size++);
        } else if (t < key[i]) {
            key[i] = t;
            up(p);
        } else if (t > key[i]) {
            key[i] = t;
            down(p);
        }
    }

    /** Takes the first node out and returns it. */
    int poll() {
        int top = heap[0];
        removeAt(0);
        return top;
    }

    private void removeAt(int p) {
        int i = heap[p];
        pos[i] = -1;
        size--;
        if (p == size) {
            return;
        }
        int last = heap[size];
        heap[p] = last;
        pos[last] = p;
        up(p);
        down(pos[last]);
    }

    private boolean less(int a, int b) {
        return key[a] < key[b] || (key[a] == key[b] && a < b);
    }

    private void up(int p) {
        int i = heap[p];
        while (p > 0) {
            int parent = (p - 1) >>> 1;
            int j = heap[parent];
            if (!less(i, j)) {
                break;
            }
            heap[p] = j;
            pos[j] = p;
            p = parent;
        }
        heap[p] = i;
        pos[i] = p;
    }

    private void down(int p) {
        int i = heap[p];
        while (true) {
            int c = 2 * p + 1;
            if (c >= size) {
                break;
            }
            if (c + 1 < size && less(heap[c + 1], heap[c])) {
                c++;
            }
            int j = heap[c];
            if (!less(j, i)) {
                break;
            }
            heap[p] = j;
            pos[j] = p;
            p = c;
        }
        heap[p] = i;
        pos[i] = p;
    }
}
