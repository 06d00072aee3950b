package dev.netboot.emulator;

import dev.netboot.flash.PowerCutFlash;
import dev.netboot.link.ForwardingLink;
import dev.netboot.link.Link;

/**
 * A board's link that goes dark when its power is cut ({@link PowerCutFlash}): from the cut on, frames reaching the
 * board are lost, not handed to its stack, and what it would send never leaves, as on a board with no power. Without
 * it the emulated board would keep running after the cut: taking the frames still queued in the same poll, and
 * answering ARP, ping or a datagram to its closed TFTP port with ICMP port unreachable, which a server would take
 * for a client that closed its port (RFC 1122 section 4.2.3.9) rather than one that fell silent.
 */
final class PoweredLink extends ForwardingLink {
    private final PowerCutFlash power;

    PoweredLink(Link port, PowerCutFlash power) {
        super(port);
        this.power = power;
    }

    @Override
    public boolean receive(long now, FrameHandler handler) {
        if (!power.isCut()) {
            return inner.receive(now, handler);
        }
        while (inner.receive(now, (t, f, len) -> { })) {
            // lost: nothing on the board runs to take it
        }
        return false;
    }

    @Override
    public boolean transmit(long now, int length, FrameFiller filler) {
        return power.isCut() || inner.transmit(now, length, filler); // after the cut nothing leaves (nor is held back)
    }
}
