package dev.netboot.cli;

import dev.netboot.bootp.BootpLease;
import dev.netboot.device.BootObserver;
import dev.netboot.device.BootReport;
import dev.netboot.device.RamBudget;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.io.PrintStream;
import java.util.Locale;

/** Shows the boot's stages on stderr, and a progress bar when stderr is a terminal; remembers the lease and the bytes. */
final class BootProgress implements BootObserver {
    private final PrintStream err;
    private final boolean bar;
    private final boolean stages;
    private BootpLease lease;
    private String ramNote;
    private long bytes;
    private long lastShown = -1;
    private boolean lineOpen;

    BootProgress(PrintStream err, boolean bar, boolean stages) {
        this.err = err;
        this.bar = bar;
        this.stages = stages;
    }

    /** Returns the board's lease, or null before BOOTP answered. */
    BootpLease lease() {
        return lease;
    }

    /** Returns the image bytes that reached flash so far. */
    long bytes() {
        return bytes;
    }

    /** Returns what the board asks for instead of what its RAM cannot hold, or null. */
    String ramNote() {
        return ramNote;
    }

    @Override
    public void ramShared(long now, RamBudget ram) {
        ramNote = ram.note();
        clearLine();
        err.println("netboot: note: " + ram.note()); // with --json too: once, before the boot
    }

    @Override
    public void leased(long now, BootpLease l) {
        lease = l;
        stage(now, "bootp", "address " + l.address() + "/" + l.netmask().prefixLength() + " from " + l.bootpServer()
                + ", server " + l.server() + ", file " + l.bootFile());
    }

    @Override
    public void resolved(long now, Ipv4Address hop, MacAddress mac) {
        stage(now, "arp", hop + " is at " + mac);
    }

    @Override
    public void transferStarted(long now, Ipv4Address server, String file) {
        stage(now, "tftp", "reading " + file + " from " + server);
    }

    @Override
    public void progress(long now, long bytes, long expected) {
        this.bytes = bytes;
        if (!bar || bytes - lastShown < 64 * 1024) {
            return;
        }
        lastShown = bytes;
        err.print(expected > 0
                ? String.format(Locale.ROOT, "\r  %,d / %,d bytes (%d%%)", bytes, expected, bytes * 100 / expected)
                : String.format(Locale.ROOT, "\r  %,d bytes", bytes));
        lineOpen = true;
    }

    @Override
    public void finished(long now, BootReport report) {
        stage(now, "flash", report.bytes() + " bytes verified at 0x" + Long.toHexString(report.partitionOffset()));
    }

    private void stage(long now, String name, String text) {
        if (stages) {
            clearLine();
            err.printf(Locale.ROOT, "[%9.3f s] %-5s %s%n", now / 1e9, name, text);
        }
    }

    /** Ends the progress bar's line, if one is open. */
    void clearLine() {
        if (lineOpen) {
            err.print("\r\033[K");
            lineOpen = false;
        }
    }
}
