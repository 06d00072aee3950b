package dev.netboot.device;

import dev.netboot.link.Link;
import dev.netboot.net.NetStack;
import dev.netboot.tftp.TftpConfig;

/**
 * How the {@link BootSequence} sizes its transfers' window (its "Window" paragraph): the board's RAM shared once
 * among reorder buffer, flash buffer and writer ({@link RamBudget}), whatever window was asked, and for a profile's
 * {@code windowsize = auto} the window sized from the path when the transfer starts ({@link PathWindow}): the link's
 * rate and the round trip of the board's ARP exchange with its next hop, measured when one request was answered.
 * Until then the window is the one the board would ask for on this link, assuming a LAN's round trip.
 */
final class WindowSizing {
    private final DeviceProfile profile;
    private final RamBudget budget;  // the RAM shared for the window the RAM allows
    private RamBudget ram;           // ... and for the window asked: for windowsize auto, set when the transfer starts
    private final String problem;
    private final long linkRate;     // bits per second, 0 when the link does not say
    private final long linkReceiveBuffer; // bytes the link queues while we are busy, 0 when it does not say
    private long arpStartedAt;
    private int arpRequests;         // ARP requests sent for the next hop, as far as seen
    private long pathRtt = -1;       // the ARP exchange's round trip, when one request was answered

    /** Sizes for a board of {@code profile} on {@code link}, whose flash takes time when {@code timedFlash}. */
    WindowSizing(DeviceProfile profile, Link link, boolean timedFlash) {
        this.profile = profile;
        this.linkRate = link.bitsPerSecond();
        this.linkReceiveBuffer = link.receiveBufferBytes();
        // The board's RAM shared among reorder buffer, flash buffer and writer, whatever window was asked; the
        // window is limited by it only when the flash takes time (untimed flash is always ready).
        RamBudget shared = null;
        String why = null;
        try {
            shared = RamBudget.of(profile, NetStack.maxUdpPayload(link.mtu()), timedFlash);
        } catch (IllegalArgumentException e) {
            why = e.getMessage(); // the boot fails at start, with this line
        }
        this.budget = shared;
        this.problem = why;
        // Until the path is measured: the window the board would ask for on this link, assuming a LAN's round trip.
        this.ram = shared == null ? null : sizedFor(-1);
    }

    /** Returns why the board's RAM holds too little to boot, or null. */
    String problem() {
        return problem;
    }

    /** Returns how the board's RAM is shared, for the window asked so far; null with a {@link #problem()}. */
    RamBudget ram() {
        return ram;
    }

    /** Returns the profile's TFTP settings for the first transfer, before the path is measured. */
    TftpConfig initial() {
        TftpConfig t = profile.tftp();
        return budget != null ? ram.apply(t)
                : t.windowSize() == TftpConfig.AUTO ? t.withWindow(PathWindow.UNKNOWN_RATE, t.reorderBudget()) : t;
    }

    /** Returns the profile's TFTP settings with the window and buffers of {@link #ram()}. */
    TftpConfig tftp() {
        return ram.apply(profile.tftp());
    }

    /** The board starts resolving its next hop at {@code now}. */
    void arpStarted(long now) {
        arpStartedAt = now;
        arpRequests = 0;
    }

    /** {@code requestsSent} ARP requests went for the next hop so far. */
    void arpPending(int requestsSent) {
        arpRequests = Math.max(arpRequests, requestsSent);
    }

    /** The next hop answered at {@code now}: one request, one answer is a round trip to it. */
    void arpResolved(long now) {
        if (arpRequests == 1 && now > arpStartedAt) {
            pathRtt = now - arpStartedAt;
        }
    }

    /**
     * Sizes the window for the path as measured (windowsize auto); returns true when it changed, so the transfer
     * needs a client that asks for the new one.
     */
    boolean sizeForPath() {
        RamBudget sized = sizedFor(pathRtt);
        if (sized == ram) {
            return false;
        }
        ram = sized;
        return true;
    }

    /** Returns the budget for the window asked: {@link #budget}'s, or for windowsize auto the path's ({@code rtt} < 0: assumed). */
    private RamBudget sizedFor(long rtt) {
        if (profile.tftp().windowSize() != TftpConfig.AUTO || !profile.tftp().options()) {
            return budget;
        }
        return budget.withWindow(PathWindow.of(linkRate, rtt, budget.blockSize(), linkReceiveBuffer));
    }
}
