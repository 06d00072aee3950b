package dev.netboot.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The simulation's two heaps against the JDK's ordered collections, over random operations. */
class SimulationHeapsTest {

    /** TimeHeap orders nodes by instant, then by index; set moves a node, Long.MAX_VALUE takes it out. */
    @Test
    void timeHeapAgreesWithAnOrderedSetOfInstantAndNode() {
        SplittableRandom random = new SplittableRandom(7);
        int nodes = 300;
        TimeHeap heap = new TimeHeap();
        heap.ensure(nodes);
        long[] at = new long[nodes];
        Arrays.fill(at, Long.MAX_VALUE);
        TreeSet<long[]> reference = new TreeSet<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        for (int op = 0; op < 200_000; op++) {
            int i = random.nextInt(nodes);
            if (random.nextInt(4) == 0 && !reference.isEmpty()) {
                long[] first = reference.pollFirst();
                assertEquals(first[0], heap.peekTime(), "op " + op);
                assertEquals((int) first[1], heap.poll(), "op " + op);
                at[(int) first[1]] = Long.MAX_VALUE;
                continue;
            }
            // Few distinct instants, so ties between nodes are common; one in eight takes the node out.
            long t = random.nextInt(8) == 0 ? Long.MAX_VALUE : random.nextInt(50);
            if (at[i] != Long.MAX_VALUE) {
                reference.remove(new long[] {at[i], i});
            }
            if (t != Long.MAX_VALUE) {
                reference.add(new long[] {t, i});
            }
            at[i] = t;
            heap.set(i, t);
            assertEquals(t, heap.at(i), "op " + op);
            assertEquals(reference.isEmpty(), heap.isEmpty(), "op " + op);
        }
    }

    @Test
    void intHeapPollsInAscendingOrderLikeAPriorityQueue() {
        SplittableRandom random = new SplittableRandom(11);
        IntHeap heap = new IntHeap();
        PriorityQueue<Integer> reference = new PriorityQueue<>();
        for (int op = 0; op < 100_000; op++) {
            if (random.nextInt(3) == 0 && !reference.isEmpty()) {
                assertEquals(reference.poll(), heap.poll(), "op " + op);
            } else {
                int v = random.nextInt(1000);
                reference.add(v);
                heap.add(v);
            }
            assertEquals(reference.isEmpty(), heap.isEmpty(), "op " + op);
        }
    }
}
