package dev.netboot.cli;

import dev.netboot.device.BootFailure;
import dev.netboot.device.BootObserver;
import dev.netboot.device.BootReport;
import dev.netboot.device.RamBudget;
import dev.netboot.dhcp.Lease;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows the boot's stages on stderr, and a progress bar when stderr is a terminal; remembers the lease (as renewals
 * left it), the renewals and the bytes.
 */
final class BootProgress implements BootObserver {
    private final PrintStream err;
    private final boolean bar;
    private final boolean stages;
    private Lease lease;
    private int renewals;
    private String ramNote;
    private long bytes;
    private long lastShown = -1;
    private boolean lineOpen;

    BootProgress(PrintStream err, boolean bar, boolean stages) {
        this.err = err;
        this.bar = bar;
        this.stages = stages;
    }

    /** Returns the board's lease as the last renewal left it, or null before DHCP or BOOTP answered. */
    Lease lease() {
        return lease;
    }

    /** Returns the DHCPACKs that extended the lease during the boot. */
    int renewals() {
        return renewals;
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
    public void leased(long now, Lease l) {
        lease = l;
        // The stage is how the board got its identity: dhcp, bootp, or proxy (address by DHCP, boot file by ProxyDHCP).
        stage(now, l.source().toString(), "address " + l.address() + "/" + l.netmask().prefixLength() + " from " + l.dhcpServer()
                + (l.infinite() ? "" : " for " + l.leaseSeconds() + " s") + ", server " + l.server() + ", file " + l.bootFile()
                + (l.source() == Lease.Source.PROXY ? " (from ProxyDHCP " + l.proxyServer() + ")" : ""));
    }

    @Override
    public void renewed(long now, Lease l) {
        lease = l;
        renewals++;
        stage(now, "dhcp", "lease of " + l.address() + " renewed by " + l.dhcpServer() + " for " + l.leaseSeconds() + " s");
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

    @Override
    public void triedAnotherServer(long now, Lease l, BootFailure why) {
        stage(now, why.stage(), why.message() + "; another DHCP server offered too: asking again without " + l.dhcpServer());
    }

    @Override
    public void fellBackToUnicast(long now, Lease l, BootFailure why) {
        stage(now, why.stage(), why.message());
    }

    private void stage(long now, String name, String text) {
        if (stages) {
            clearLine();
            StringBuilder line = LineStamp.of(now, 9).append(name);
            for (int pad = 5 - name.length(); pad > 0; pad--) {
                line.append(' ');
            }
            // One print of the whole line (LineStamp): the boot file, a server's words, escaped.
            err.print(line.append(' ').append(Shown.text(text)).append(System.lineSeparator()).toString());
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
