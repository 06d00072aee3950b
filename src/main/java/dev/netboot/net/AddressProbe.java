package dev.netboot.net;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;

/**
 * Checks that nobody on the link already uses an address before the board takes it: RFC 5227's probe,
 * bounded by the caller's count and interval, then one ARP Announcement.
 *
 * <p>RFC 5227 section 2.1.1 sends PROBE_NUM (3) probes PROBE_MIN..PROBE_MAX (1-2 s) apart and waits
 * ANNOUNCE_WAIT (2 s) after the last: about 7 s. A board that boots in seconds cannot spend that, so the
 * count and the gap are the caller's (a device profile's): {@code probes} probes {@code interval} apart,
 * then one more {@code interval} of listening. A conflict seen at any time in that window ends the probe.
 *
 * <p>Poll-driven like everything in the stack: {@link #start}, then {@link #poll} at {@link #pollAt} or
 * after frames arrived (the stack's own poll delivers them), until {@link #state} is Clear or Conflict.
 */
public final class AddressProbe {
    /** Where the probe is. */
    public sealed interface State {
        /** Not started. */
        record Idle() implements State {
        }

        /**
         * Probing {@code address}: {@code sent} probes are out, the next step is due at {@code nextAt}.
         *
         * @param address the address being checked
         * @param sent    probes sent so far
         * @param nextAt  when the next probe goes, or (after the last) when the silence counts as clear
         */
        record Probing(Ipv4Address address, int sent, long nextAt) implements State {
        }

        /** Nobody answered: the address is free, and it was announced. */
        record Clear(Ipv4Address address, int probes) implements State {
        }

        /** Another host uses the address. */
        record Conflict(Ipv4Address address, MacAddress by) implements State {
        }
    }

    private final NetStack net;
    private final int probes;
    private final long interval;
    private State state = new State.Idle();

    /**
     * Creates a probe of {@code probes} ARP probes {@code interval} nanoseconds apart on {@code net}.
     *
     * @throws IllegalArgumentException when {@code probes} is below 1 or {@code interval} is not positive
     */
    public AddressProbe(NetStack net, int probes, long interval) {
        if (probes < 1 || interval <= 0) {
            throw new IllegalArgumentException("ARP probe: " + probes + " probes, " + interval + " ns apart (expected: >= 1, > 0)");
        }
        this.net = net;
        this.probes = probes;
        this.interval = interval;
    }

    /** Starts probing {@code address}: watches ARP traffic for it and sends the first probe. */
    public void start(long now, Ipv4Address address) {
        net.watchAddress(address);
        state = new State.Probing(address, 0, now);
        poll(now);
    }

    /** Sends the next probe when due, and ends the probe on a conflict or after the last interval of silence. */
    public void poll(long now) {
        if (!(state instanceof State.Probing p)) {
            return;
        }
        MacAddress other = net.conflict();
        if (other != null) {
            net.watchAddress(Ipv4Address.ANY);
            state = new State.Conflict(p.address(), other);
            return;
        }
        if (now < p.nextAt()) {
            return;
        }
        if (p.sent() < probes) {
            // State moves only after the probe went (GUIDE H9): a busy link is tried again on the next poll.
            if (net.sendArpProbe(now, p.address())) {
                state = new State.Probing(p.address(), p.sent() + 1, now + interval);
            }
            return;
        }
        net.watchAddress(Ipv4Address.ANY);
        // RFC 5227 section 2.3: "the host MUST ... announce that it is commencing to use the IP address".
        net.sendArpAnnouncement(now, p.address());
        state = new State.Clear(p.address(), p.sent());
    }

    /** Returns when {@link #poll} next has work. */
    public long pollAt() {
        return state instanceof State.Probing p ? p.nextAt() : Long.MAX_VALUE;
    }

    /** Returns where the probe is. */
    public State state() {
        return state;
    }
}
