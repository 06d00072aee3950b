package dev.netboot.cli;

import dev.netboot.tftp.TftpClient;

/**
 * The real-time loop that drives a {@link TftpClient} on a {@link HostUdpTransport}: the only place in
 * host mode that reads a clock (GUIDE H8). It waits on the transport's selector until a datagram comes
 * or the client's {@link TftpClient#pollAt()} is due; no sleeping, no threads.
 */
final class HostTftp {
    /** Datagrams handled between two polls at most, so a flood cannot starve the client's timers. */
    private static final int RECEIVE_BURST = 64;

    /** Called from the loop about every {@code interval} nanoseconds while a transfer runs. */
    @FunctionalInterface
    interface Ticker {
        /** Reports that {@code now} has come; {@code now} is {@link System#nanoTime()}. */
        void tick(long now);
    }

    private HostTftp() {
    }

    /**
     * Runs {@code client}, already started, until it is done (its final dally over) or failed, or until
     * {@code wallLimit} nanoseconds have passed; returns false in the last case. {@code ticker}, if not
     * null, is called about every {@code tickInterval} nanoseconds.
     */
    static boolean run(TftpClient client, HostUdpTransport net, long wallLimit, Ticker ticker, long tickInterval) {
        long start = System.nanoTime();
        long nextTick = ticker == null ? Long.MAX_VALUE : start + tickInterval;
        while (true) {
            long now = System.nanoTime();
            net.receive(now, RECEIVE_BURST);
            client.poll(now);
            TftpClient.State s = client.state();
            if (s instanceof TftpClient.State.Failed
                    || (s instanceof TftpClient.State.Done && client.pollAt() == Long.MAX_VALUE)) {
                return true;
            }
            if (now - start >= wallLimit) {
                return false;
            }
            if (now - nextTick >= 0) {
                ticker.tick(now);
                nextTick = now + tickInterval;
            }
            // Sleep until the first of: the client's deadline, the next tick, the wall limit; a datagram ends it sooner.
            long wake = Math.min(Math.min(client.pollAt(), nextTick), start + wallLimit);
            long wait = wake - System.nanoTime();
            if (wait > 0) {
                net.await(wait);
            }
        }
    }
}
