package dev.netboot.emulator;

import dev.netboot.device.BootFailure;
import dev.netboot.device.BootObserver;
import dev.netboot.device.BootReport;
import dev.netboot.device.BootSequence;
import dev.netboot.device.DeviceProfile;
import dev.netboot.dhcp.Lease;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashTiming;
import dev.netboot.flash.Flashes;
import dev.netboot.flash.TimedFlash;
import dev.netboot.net.NetConfig;
import dev.netboot.net.ReceiveFilter;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;

/**
 * One board of a fleet: its own port, MAC, network stack, flash and {@link BootSequence} (the code a real board
 * runs), powered up at its own instant. Until then it is off: frames that reach its port are lost. It notes when
 * it got its lease, asked for the image and finished.
 */
final class FleetBoard implements SimNode, BootObserver {
    final int index;
    final MacAddress mac;
    final long powerAt;
    private final EmulatedPort port;
    private final Flash flash;
    final TimedFlash timed;
    final BootSequence boot;
    private final Runnable onEnd;
    private boolean on;
    long leasedAt = -1;
    long requestedAt = -1;
    long endedAt = -1;
    Lease lease;
    Ipv4Address server;
    BootReport report;
    BootFailure failure;

    /**
     * Makes board {@code index} of profile {@code p}, MAC {@code mac}, on {@code lan}'s client segment, its flash in
     * memory (stored as it is written, what it writes alike with the fleet's other boards held once through
     * {@code sharing}) and timed as {@code timing} says; {@code onEnd} runs once when it has booted or failed.
     */
    FleetBoard(int index, EmulatedLan lan, DeviceProfile p, MacAddress mac, long powerAt, FlashTiming.Mode timing,
               Flashes.Sharing sharing, Runnable onEnd) {
        this.index = index;
        this.mac = mac;
        this.powerAt = powerAt;
        this.onEnd = onEnd;
        long seed = lan.scenario().seed();
        this.port = lan.attach(mac);
        this.flash = sharing.open(p.chip(), Seeds.derive(seed, "flash/" + index));
        this.timed = timing == FlashTiming.Mode.NONE ? null : new TimedFlash(flash, p.timing(), timing);
        this.boot = new BootSequence(port, mac, p, NetConfig.DEFAULTS, timed == null ? flash : timed,
                Seeds.random(seed, "device/" + index), this);
    }

    /**
     * Makes the board's port spare it the frames its stack would only count (the others' broadcasts): while it is off,
     * every frame (lost, as {@link #poll} loses it); once on, what its stack says. {@code node} is its index in the
     * simulation.
     */
    void filterAs(int node) {
        port.filterWith(new ReceiveFilter() {
            @Override
            public int verdict(java.nio.ByteBuffer frame, int length) {
                return on ? boot.net().verdict(frame, length) : OFF;
            }

            @Override
            public void dropped(int verdict) {
                if (verdict != OFF) {
                    boot.net().dropped(verdict);
                }
            }

            @Override
            public int verdictOfKind(int kind) {
                return on ? boot.net().verdictOfKind(kind) : OFF;
            }

            @Override
            public int arpInterests(int[] into) {
                return on ? boot.net().arpInterests(into) : 0;
            }

            @Override
            public long receiveState() {
                return on ? boot.net().receiveState() + 1 : 0; // powering on changes every verdict
            }
        }, node);
    }

    /** The verdict of a frame that reaches a board still off: lost, never seen by its stack. */
    private static final int OFF = Integer.MAX_VALUE;

    /** Returns the board's port. */
    EmulatedPort port() {
        return port;
    }

    /** Returns whether the board has booted or failed. */
    boolean ended() {
        return endedAt >= 0;
    }

    /** Returns the board's flash (untimed). */
    Flash flash() {
        return flash;
    }

    @Override
    public void poll(long now) {
        if (!on) {
            if (now < powerAt) {
                while (port.receive(now, (t, f, len) -> { })) {
                    // powered off: the frame is lost
                }
                return;
            }
            on = true;
            boot.start(now);
        }
        boot.poll(now);
    }

    @Override
    public long pollAt() {
        return on ? boot.pollAt() : Math.min(powerAt, port.pollAt());
    }

    @Override
    public void leased(long now, Lease l) {
        leasedAt = now;
        lease = l;
    }

    @Override
    public void transferStarted(long now, Ipv4Address s, String file) {
        requestedAt = now;
        server = s;
    }

    @Override
    public void finished(long now, BootReport r) {
        report = r;
        end(now);
    }

    @Override
    public void failed(long now, BootFailure f) {
        failure = f;
        end(now);
    }

    private void end(long now) {
        if (endedAt < 0) {
            endedAt = now;
            onEnd.run();
        }
    }
}
