package dev.netboot.emulator;

import java.util.Arrays;

/** A binary min-heap of node indices: the nodes of one {@link Simulation} step, polled in the order they were added. */
final class IntHeap {
    private int[] a = new int[64];
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    void add(int v) {
        if (size == a.length) {
            a = Arrays.copyOf(a, size * 2);
        }
        int k = size++;
        while (k > 0) {
            int parent = (k - 1) >>> 1;
            if (a[parent] <= v) {
                break;
            }
            a[k] = a[parent];
            k = parent;
        }
        a[k] = v;
    }

    int poll() {
        int top = a[0];
        size--;
        if (size > 0) {
            int v = a[size];
            int k = 0;
            while (true) {
                int c = 2 * k + 1;
                if (c >= size) {
                    break;
                }
                if (c + 1 < size && a[c + 1] < a[c]) {
                    c++;
                }
                if (a[c] >= v) {
                    break;
                }
                a[k] = a[c];
                k = c;
            }
            a[k] = v;
        }
        return top;
    }
}
