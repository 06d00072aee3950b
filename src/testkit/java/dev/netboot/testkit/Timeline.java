package dev.netboot.testkit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What happened on an emulated LAN, in time order: the boards' own events (leased, server resolved, transfer
 * started, booted or failed) among the frames on the wire. A TFTP transfer's run of DATA and ACK frames is one line
 * (how many, which blocks, how many sent again); everything else is a line each. The extension prints it when a test
 * fails; a test may print or check it itself.
 */
public final class Timeline {
    /** Lines printed at most; beyond, the middle is left out (and said so). */
    static final int MAX_LINES = 400;
    /** A TFTP run of fewer frames than this is shown frame by frame. */
    static final int RUN = 6;

    /**
     * One thing that happened.
     *
     * @param time when, virtual nanoseconds
     * @param text what, one line
     */
    public record Entry(long time, String text) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "[%12.6f] %s", time / 1e9, text);
        }
    }

    private final List<Entry> entries;

    private Timeline(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Merges the boards' events ({@code events}, in the order they happened) with the frames of {@code capture}. */
    static Timeline of(List<Entry> events, Capture capture) {
        List<Entry> out = new ArrayList<>();
        List<Capture.Frame> run = new ArrayList<>();
        List<Capture.Frame> frames = capture.frames();
        int e = 0;
        for (int i = 0; i <= frames.size(); i++) {
            Capture.Frame f = i < frames.size() ? frames.get(i) : null;
            // Board events at or before this frame's time come first: an event is what made the board send.
            while (e < events.size() && (f == null || events.get(e).time() <= f.time())) {
                flush(run, out);
                out.add(events.get(e++));
            }
            if (f == null) {
                break;
            }
            boolean data = f.is("TFTP DATA") || f.is("TFTP ACK");
            if (!data || (!run.isEmpty() && !run.getFirst().session().equals(f.session()))) {
                flush(run, out);
            }
            if (data) {
                run.add(f);
            } else {
                out.add(new Entry(f.time(), f.summary()));
            }
        }
        flush(run, out);
        out.sort(Comparator.comparingLong(Entry::time)); // stable: equal times keep their order
        return new Timeline(out);
    }

    private static void flush(List<Capture.Frame> run, List<Entry> out) {
        if (run.isEmpty()) {
            return;
        }
        if (run.size() < RUN) {
            for (Capture.Frame f : run) {
                out.add(new Entry(f.time(), f.summary()));
            }
        } else {
            long data = run.stream().filter(f -> f.is("TFTP DATA")).count();
            long acks = run.size() - data;
            int first = run.stream().filter(f -> f.is("TFTP DATA")).mapToInt(Capture.Frame::block).findFirst().orElse(-1);
            int last = run.stream().filter(f -> f.is("TFTP DATA")).mapToInt(Capture.Frame::block).reduce((a, b) -> b).orElse(-1);
            long distinct = run.stream().filter(f -> f.is("TFTP DATA")).mapToInt(Capture.Frame::block).distinct().count();
            long again = data - distinct;
            Capture.Frame end = run.getLast();
            out.add(new Entry(run.getFirst().time(), String.format(Locale.ROOT,
                    "TFTP transfer to %s: %d DATA (blocks %d..%d%s), %d ACK, until %.6f s", run.getFirst().session(), data, first, last,
                    again > 0 ? ", " + again + " sent again" : "", acks, end.time() / 1e9)));
        }
        run.clear();
    }

    /** Returns the entries, in time order. */
    public List<Entry> entries() {
        return entries;
    }

    /** Returns the timeline as text, a line per entry; a very long one loses its middle, said in a line. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        int n = entries.size();
        for (int i = 0; i < n; i++) {
            if (n > MAX_LINES && i == MAX_LINES / 2) {
                int skip = n - MAX_LINES + MAX_LINES / 8; // the first 200 and the last 150
                sb.append(String.format(Locale.ROOT, "... %d entries left out ...%n", skip));
                i += skip - 1;
                continue;
            }
            sb.append(entries.get(i)).append(System.lineSeparator());
        }
        return sb.toString();
    }
}
