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
     * Runs {@code client}, already started, until it is done (its final ACK sent; no dally) or failed, or until
     * {@code wallLimit} nanoseconds have passed; returns false in the last case. {@code ticker}, if not
     * null, is called about every {@code tickInterval} nanoseconds.
     */
    static boolean run(TftpClient client, HostUdpTransport net, long wallLimit, Ticker ticker, long tickInterval) {
        Loop loop = new Loop(client, net, wallLimit, ticker, tickInterval);
        int r;
        do {
            r = loop.step();
        } while (r == Loop.GOING);
        return r == Loop.ENDED;
    }

    /**
     * One turn of the loop per call: {@link #step()} is a method the JIT compiles after a few hundred
     * packets, where a loop in {@code run} would stay interpreted for a whole transfer (a C1-only JVM
     * compiles a running loop only after tens of thousands of turns).
     */
    private static final class Loop {
        static final int GOING = 0;
        static final int ENDED = 1;
        static final int TIMED_OUT = 2;

        private final TftpClient client;
        private final HostUdpTransport net;
        private final long start;
        private final long wallLimit;
        private final Ticker ticker;
        private final long tickInterval;
        private long nextTick;

        Loop(TftpClient client, HostUdpTransport net, long wallLimit, Ticker ticker, long tickInterval) {
            this.client = client;
            this.net = net;
            this.start = System.nanoTime();
            this.wallLimit = wallLimit;
            this.ticker = ticker;
            this.tickInterval = tickInterval;
            this.nextTick = ticker == null ? Long.MAX_VALUE : start + tickInterval;
        }

        int step() {
            long now = System.nanoTime();
            net.receive(now, RECEIVE_BURST);
            client.poll(now);
            TftpClient.State s = client.state();
            // Done, and the final ACK went out (while it waits for a busy socket, pollAt() is due now): host mode
            // stops here, as RFC 1350 section 6 lets the acknowledger do and as atftp, tftp-hpa and curl do. The
            // board dallies one of its retransmission timeouts to re-ACK a lost final ACK; a server resends its
            // last block only after its own timeout (tftpd-hpa's is 1 s), long after such a dally, so on a
            // host the dally would only hold up the process.
            if (s instanceof TftpClient.State.Failed || s instanceof TftpClient.State.Done && client.pollAt() > now) {
                return ENDED;
            }
            if (now - start >= wallLimit) {
                return TIMED_OUT;
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
            return GOING;
        }
    }
}
