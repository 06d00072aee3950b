package dev.netboot.emulator;

import dev.netboot.net.NetStack;
import java.util.random.RandomGenerator;

/**
 * The server's side of a transfer ID (RFC 1350 section 4: "each end of a connection chooses a TID for itself ... chosen
 * at random"): a UDP port drawn from a seeded generator in the dynamic range of RFC 6335 section 6 (49152..65535) and
 * not bound on the host, so the same seed gives the same ports; or, in single-port mode, port 69 itself.
 */
final class TransferIds {
    /** First ephemeral port (RFC 6335 dynamic range). */
    static final int FIRST = 49152;
    /** Last ephemeral port. */
    static final int LAST = 65535;
    // Draws before giving up on a host whose ports are nearly all bound.
    private static final int ATTEMPTS = 1000;

    private final NetStack stack;
    private final RandomGenerator ports;

    TransferIds(NetStack stack, RandomGenerator ports) {
        this.stack = stack;
        this.ports = ports;
    }

    /** Returns an unbound port in the dynamic range, or -1 when {@value #ATTEMPTS} draws found none. */
    int free() {
        for (int i = 0; i < ATTEMPTS; i++) {
            int p = ports.nextInt(FIRST, LAST + 1);
            if (!stack.isBound(p)) {
                return p;
            }
        }
        return -1;
    }
}
