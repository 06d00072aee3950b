package dev.netboot.emulator.timeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a boot as an SVG sequence diagram: one vertical lane per machine (the board or clients, the servers),
 * time going down, one arrow per exchange, labelled with what it is. A lost frame's arrow stops halfway at a
 * cross; a retransmission is drawn in another colour and says "again"; what a fault stage did to a frame
 * (duplicated, corrupted, delayed, reordered) is written beside it. A run of at least {@link #RUN} DATA and ACK
 * frames of one transfer with nothing exceptional in it is one band ("DATA 1-714, ACK x90"), so a boot of
 * thousands of blocks stays readable and small; the exceptions break the band and are drawn one by one. Flash busy
 * periods are shaded on the board's lane, stage boundaries are horizontal rules labelled on the left.
 *
 * <p>Rows are in time order with the time written at the left; the vertical axis is rows, not seconds, so 10 ms of
 * DHCP and 13 s of transfer both get the room they need. Every element carries {@code data-} attributes (lane
 * indexes, kind, block, counts) so a test can read the diagram back.
 */
public final class TimelineSvg {
    /** Fewest data-path frames drawn as a band rather than one by one. */
    public static final int RUN = 6;
    private static final int LANE_GAP = 260, LEFT = 120, TOP = 70, ROW = 20, BAND_ROW = 34, RIGHT = 60;

    /** A machine: its key (a MAC) and what the lane's head says. */
    public record Lane(String key, String label) {
    }

    /**
     * One frame on the wire.
     *
     * @param time      when it was sent, ns
     * @param from      the sender's lane
     * @param to        the receiver's lane (for a broadcast: the lane it is drawn to)
     * @param label     what it is
     * @param kind      the kind of exchange
     * @param session   the transfer it belongs to (data-path frames only), else null
     * @param block     the TFTP block of DATA or ACK, else -1
     * @param broadcast sent to every station
     * @param lost      never reached the receiver
     * @param again     a retransmission of something sent before
     * @param fault     what a fault stage did besides losing it ("duplicated", "corrupted", "delayed", "reordered"), or null
     */
    public record Message(long time, int from, int to, String label, WireFrame.Kind kind, String session, long block, boolean broadcast,
                   boolean lost, boolean again, String fault) {
        public boolean plain() {
            return !lost && !again && fault == null;
        }
    }

    /** A stage boundary at {@code time}. */
    public record Stage(long time, String label) {
    }

    /** The flash of lane {@code lane} busy from {@code from} to {@code to}, ns. */
    public record Busy(long from, long to, int lane) {
    }

    private sealed interface Row {
        long time();

        record One(Message m) implements Row {
            public long time() {
                return m.time();
            }
        }

        record Band(List<Message> run) implements Row {
            public long time() {
                return run.getFirst().time();
            }
        }

        record Mark(Stage s) implements Row {
            public long time() {
                return s.time();
            }
        }
    }

    private TimelineSvg() {
    }

    /** Returns the SVG document. {@code messages} and {@code stages} in time order. */
    public static String render(String title, List<Lane> lanes, List<Message> messages, List<Stage> stages, List<Busy> busy) {
        List<Row> rows = rows(messages, stages);
        int[] y = new int[rows.size() + 1];
        int at = TOP + 30;
        for (int i = 0; i < rows.size(); i++) {
            y[i] = at;
            at += rows.get(i) instanceof Row.Band ? BAND_ROW : ROW;
        }
        y[rows.size()] = at;
        int width = LEFT + Math.max(1, lanes.size() - 1) * LANE_GAP + RIGHT + 200;
        int height = at + 40;
        StringBuilder s = new StringBuilder(4096 + rows.size() * 200);
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"monospace\" font-size=\"11\">\n", width, height, width, height));
        s.append("<title>").append(esc(title)).append("</title>\n");
        s.append("""
                <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">\
                <path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker>
                </defs>
                <style>
                .lane line{stroke:#888;stroke-dasharray:4 3}
                .lane text{font-weight:bold}
                .msg line{stroke:#1f4e99}
                .msg.again line{stroke:#c06000}
                .msg.lost line{stroke:#c00000;stroke-dasharray:5 3}
                .msg.broadcast line{stroke-dasharray:2 2}
                .band rect{fill:#dce8f7;stroke:#1f4e99}
                .flash-busy{fill:#f4d9a8;opacity:0.7}
                .stage line{stroke:#2a7a2a}
                .stage text{fill:#2a7a2a}
                .time{fill:#666}
                </style>
                """);
        s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"20\" font-size=\"13\">%s</text>\n", esc(title)));
        // Flash busy periods under everything else.
        s.append("<g class=\"busy\">\n");
        for (Busy b : busy) {
            int y0 = yOf(rows, y, b.from());
            int y1 = Math.max(y0 + 2, yOf(rows, y, b.to()));
            s.append(String.format(Locale.ROOT, "<rect class=\"flash-busy\" data-lane=\"%d\" data-from=\"%d\" data-to=\"%d\" x=\"%d\" y=\"%d\""
                    + " width=\"16\" height=\"%d\"/>\n", b.lane(), b.from(), b.to(), laneX(b.lane()) - 8, y0, y1 - y0));
        }
        s.append("</g>\n<g class=\"lanes\">\n");
        for (int i = 0; i < lanes.size(); i++) {
            int x = laneX(i);
            s.append(String.format(Locale.ROOT, "<g class=\"lane\" data-lane=\"%d\" data-key=\"%s\"><text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>"
                    + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>\n", i, esc(lanes.get(i).key()), x, TOP, esc(lanes.get(i).label()),
                    x, TOP + 8, x, height - 30));
        }
        s.append("</g>\n<g class=\"rows\">\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            int yy = y[i] + ROW / 2;
            switch (r) {
                case Row.Mark(Stage st) -> {
                    s.append(String.format(Locale.ROOT, "<g class=\"stage\" data-time=\"%d\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                                    + "<text x=\"%d\" y=\"%d\">%s</text></g>\n", st.time(), 10, yy, width - 10, yy, LEFT - 20, yy - 3,
                            esc(seconds(st.time()) + "  " + st.label())));
                }
                case Row.One(Message m) -> message(s, m, yy);
                case Row.Band(List<Message> run) -> band(s, run, y[i], lanes);
            }
        }
        s.append("</g>\n");
        legend(s, height - 14);
        s.append("</svg>\n");
        return s.toString();
    }

    private static void message(StringBuilder s, Message m, int y) {
        int x1 = laneX(m.from());
        int x2 = laneX(m.to());
        int xEnd = m.lost() ? x1 + (x2 - x1) * 3 / 4 : x2; // a lost frame stops three quarters of the way, clear of its label
        String cls = "msg" + (m.again() ? " again" : "") + (m.lost() ? " lost" : "") + (m.broadcast() ? " broadcast" : "");
        s.append(String.format(Locale.ROOT, "<g class=\"%s\" data-kind=\"%s\" data-from=\"%d\" data-to=\"%d\" data-time=\"%d\"",
                cls, m.kind(), m.from(), m.to(), m.time()));
        if (m.block() >= 0) {
            s.append(" data-block=\"").append(m.block()).append('"');
        }
        if (m.lost()) {
            s.append(" data-lost=\"true\"");
        }
        if (m.again()) {
            s.append(" data-again=\"true\"");
        }
        if (m.fault() != null) {
            s.append(" data-fault=\"").append(m.fault()).append('"');
        }
        s.append(String.format(Locale.ROOT, "><text class=\"time\" x=\"10\" y=\"%d\">%s</text>", y + 4, seconds(m.time())));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"%s/>", x1, y, xEnd, y,
                m.lost() ? "" : " marker-end=\"url(#arrow)\""));
        if (m.lost()) {
            s.append(String.format(Locale.ROOT, "<path d=\"M%d,%d l8,8 m0,-8 l-8,8\" stroke=\"#c00000\" stroke-width=\"2\"/>", xEnd - 4, y - 4));
        }
        String text = m.label() + (m.again() ? " (again)" : "") + (m.lost() ? " LOST" : "") + (m.fault() != null ? " [" + m.fault() + "]" : "");
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text></g>\n", (x1 + x2) / 2, y - 3,
                esc(text)));
    }

    private static void band(StringBuilder s, List<Message> run, int y, List<Lane> lanes) {
        long data = 0, acks = 0, first = Long.MAX_VALUE, last = -1;
        int a = Integer.MAX_VALUE, b = -1;
        for (Message m : run) {
            if (m.kind() == WireFrame.Kind.TFTP_DATA) {
                data++;
                first = Math.min(first, m.block());
                last = Math.max(last, m.block());
            } else {
                acks++;
            }
            a = Math.min(a, Math.min(m.from(), m.to()));
            b = Math.max(b, Math.max(m.from(), m.to()));
        }
        long t0 = run.getFirst().time();
        long t1 = run.getLast().time();
        s.append(String.format(Locale.ROOT, "<g class=\"band\" data-from=\"%d\" data-to=\"%d\" data-data=\"%d\" data-acks=\"%d\" data-first=\"%d\""
                        + " data-last=\"%d\" data-time=\"%d\" data-end=\"%d\"><text class=\"time\" x=\"10\" y=\"%d\">%s</text>"
                        + "<text class=\"time\" x=\"10\" y=\"%d\">%s</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>",
                a, b, data, acks, data == 0 ? -1 : first, last, t0, t1, y + 11, seconds(t0), y + BAND_ROW - 6, seconds(t1),
                laneX(a), y + 2, Math.max(4, laneX(b) - laneX(a)), BAND_ROW - 6));
        String text = (data > 0 ? "DATA " + first + "-" + last + " (" + data + ")" : "") + (data > 0 && acks > 0 ? ", " : "")
                + (acks > 0 ? "ACK x" + acks : "");
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text></g>\n", (laneX(a) + laneX(b)) / 2,
                y + BAND_ROW / 2 + 2, esc(text)));
    }

    private static void legend(StringBuilder s, int y) {
        s.append(String.format(Locale.ROOT, "<g class=\"legend\"><text x=\"10\" y=\"%d\">arrows: frames (dashed: broadcast); red, "
                + "stopped at a cross: lost; orange: sent again; blue bands: runs of DATA and ACK without loss or retransmission; "
                + "shaded: flash busy</text></g>\n", y));
    }

    /** Groups runs of plain data-path frames of one transfer into bands; stage marks go before messages of the same time. */
    private static List<Row> rows(List<Message> messages, List<Stage> stages) {
        List<Row> rows = new ArrayList<>();
        List<Message> run = new ArrayList<>();
        int st = 0;
        for (Message m : messages) {
            while (st < stages.size() && stages.get(st).time() <= m.time()) {
                flush(run, rows);
                rows.add(new Row.Mark(stages.get(st++)));
            }
            boolean bandable = m.kind() == WireFrame.Kind.TFTP_DATA || m.kind() == WireFrame.Kind.TFTP_ACK;
            if (!bandable || !m.plain() || (!run.isEmpty() && !run.getFirst().session().equals(m.session()))) {
                flush(run, rows);
            }
            if (bandable && m.plain()) {
                run.add(m);
            } else {
                rows.add(new Row.One(m));
            }
        }
        flush(run, rows);
        while (st < stages.size()) {
            rows.add(new Row.Mark(stages.get(st++)));
        }
        return rows;
    }

    private static void flush(List<Message> run, List<Row> rows) {
        if (run.size() >= RUN) {
            rows.add(new Row.Band(List.copyOf(run)));
        } else {
            for (Message m : run) {
                rows.add(new Row.One(m));
            }
        }
        run.clear();
    }

    /** Returns the y of time {@code t}: between the rows around it, in proportion. */
    private static int yOf(List<Row> rows, int[] y, long t) {
        if (rows.isEmpty()) {
            return TOP + 30;
        }
        int lo = 0, hi = rows.size() - 1;
        if (t <= rows.getFirst().time()) {
            return y[0];
        }
        if (t >= rows.getLast().time()) {
            return y[rows.size()];
        }
        while (lo < hi) { // the last row at or before t
            int mid = (lo + hi + 1) >>> 1;
            if (rows.get(mid).time() <= t) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        long t0 = rows.get(lo).time();
        long t1 = lo + 1 < rows.size() ? rows.get(lo + 1).time() : t0;
        double f = t1 > t0 ? (double) (t - t0) / (t1 - t0) : 0;
        return (int) (y[lo] + f * (y[lo + 1] - y[lo]));
    }

    private static int laneX(int lane) {
        return LEFT + 60 + lane * LANE_GAP;
    }

    private static String seconds(long ns) {
        return String.format(Locale.ROOT, "%.6f", ns / 1e9);
    }

    private static String esc(String t) {
        StringBuilder b = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < t.length() && Character.isLowSurrogate(t.charAt(i + 1))) {
                    b.append(c).append(t.charAt(++i));
                } else if (c >= 0xDC80 && c <= 0xDCFF) {
                    b.append(String.format(Locale.ROOT, "\\x%02x", c - 0xDC00)); // a file name's byte that is not UTF-8
                } else {
                    b.append('\ufffd'); // no UTF-8 encoder writes a lone surrogate: the file could not be written
                }
                continue;
            }
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c < 0x20 ? ' ' : c);
            }
        }
        return b.toString();
    }
}
