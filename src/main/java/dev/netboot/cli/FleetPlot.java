package dev.netboot.cli;

import dev.netboot.emulator.FleetBoot;
import dev.netboot.emulator.FleetReport;
import java.util.List;
import java.util.Locale;

/**
 * The picture of {@code netboot fleet --plot FILE}: an SVG with two charts on one time axis (virtual seconds), the
 * boards booted over time above, the servers' link use below (on the wire, in % of their rate; in Mbit/s on an
 * infinitely fast link). Plain SVG 1.1, no script, no external font: any browser or image viewer shows it.
 */
final class FleetPlot {
    private static final int WIDTH = 900;
    private static final int CHART = 260;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 50;
    private static final int GAP = 70;

    private FleetPlot() {
    }

    static String svg(FleetReport r, FleetBoot.Config c) {
        List<FleetBoot.Sample> s = r.samples();
        double end = Math.max(1e-3, r.simulatedNanos() / 1e9);
        double span = niceCeil(end);
        int height = TOP + CHART + GAP + CHART + 50;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height, WIDTH, height));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\">%s</text>%n", LEFT,
                escape(String.format(Locale.ROOT, "netboot fleet: %,d %s boards, %,d booted, last at %.3f s (seed %d, flash %s)",
                        r.boards(), c.profile().name(), r.booted(), Math.max(0, r.lastBooted()) / 1e9, c.scenario().seed(),
                        BootSetup.name(c.timing())))));

        // Boards booted over time.
        int top = TOP;
        axes(b, top, span, r.boards(), "boards booted");
        StringBuilder path = new StringBuilder();
        double prevY = y(top, 0, r.boards());
        path.append(String.format(Locale.ROOT, "M%.1f,%.1f", x(0, span), prevY));
        for (FleetBoot.Sample p : s) {
            double px = x(p.at() / 1e9, span);
            double py = y(top, p.booted(), r.boards());
            path.append(String.format(Locale.ROOT, " L%.1f,%.1f L%.1f,%.1f", px, prevY, px, py));
            prevY = py;
        }
        b.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>%n", path));

        // The servers' link use over time.
        top = TOP + CHART + GAP;
        boolean infinite = r.linkBitsPerSecond() == 0;
        double peak = 1;
        if (infinite) {
            long before = 0;
            for (FleetBoot.Sample p : s) {
                peak = Math.max(peak, mbit(p, before));
                before = p.at();
            }
            peak = niceCeil(peak);
        }
        axes(b, top, span, infinite ? peak : 100, infinite ? "servers' Mbit/s" : "servers' link use, %");
        StringBuilder use = new StringBuilder();
        long before = 0;
        for (FleetBoot.Sample p : s) {
            double v = infinite ? mbit(p, before) : 100 * Math.min(1, p.wireBytes() * 8e9
                    / ((double) r.linkBitsPerSecond() * r.serverLinks() * Math.max(1, p.at() - before)));
            double x0 = x(before / 1e9, span);
            double x1 = x(p.at() / 1e9, span);
            double yv = y(top, v, infinite ? peak : 100);
            use.append(String.format(Locale.ROOT, "%s%.1f,%.1f L%.1f,%.1f ", use.isEmpty() ? "M" : "L", x0, yv, x1, yv));
            before = p.at();
        }
        if (!use.isEmpty()) {
            b.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\"/>%n", use));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">virtual time, s</text>%n",
                LEFT + (WIDTH - LEFT - RIGHT) / 2, height - 12));
        b.append("</svg>\n");
        return b.toString();
    }

    private static double mbit(FleetBoot.Sample p, long before) {
        return p.wireBytes() * 8e3 / Math.max(1, p.at() - before);
    }

    private static void axes(StringBuilder b, int top, double span, double max, String label) {
        int w = WIDTH - LEFT - RIGHT;
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n",
                LEFT, top, w, CHART));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT, top - 8, escape(label)));
        for (int i = 0; i <= 5; i++) {
            double v = max * i / 5;
            double yy = y(top, v, max);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>%n",
                    LEFT, yy, LEFT + w, yy));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6, yy + 4,
                    v == Math.rint(v) ? String.format(Locale.ROOT, "%,d", (long) v) : String.format(Locale.ROOT, "%.1f", v)));
        }
        for (int i = 0; i <= 10; i++) {
            double t = span * i / 10;
            double xx = x(t, span);
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", xx, top + CHART + 16,
                    t == Math.rint(t) ? Long.toString((long) t) : String.format(Locale.ROOT, "%.2f", t)));
        }
    }

    private static double x(double seconds, double span) {
        return LEFT + seconds / span * (WIDTH - LEFT - RIGHT);
    }

    private static double y(int top, double v, double max) {
        return top + CHART - (max == 0 ? 0 : v / max * CHART);
    }

    /** Returns the next of 1, 2, 5 x 10^n at or above {@code v}. */
    static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v - 1e-9) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
