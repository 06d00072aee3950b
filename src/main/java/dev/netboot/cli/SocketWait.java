package dev.netboot.cli;

import dev.netboot.cli.HostUdpPort.Socket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Host mode's wait for datagrams: one {@link Selector} over every socket of every bound port, which remembers the
 * sockets it found readable, so that {@link HostUdpTransport#receive} reads those and not every socket. While datagrams
 * come within the {@link SpinPolicy}'s limit it polls for them that long before it sleeps. Made once, selecting
 * allocates nothing: the readable sockets go into an array that grows only past the most seen at once.
 */
final class SocketWait implements AutoCloseable {
    private final Selector selector;
    private final SpinPolicy spin;
    // await() selected: the sockets it found readable are ready[0 .. count), until taken.
    private boolean selected;
    private Socket[] ready = new Socket[4];
    private int count;
    private final Consumer<SelectionKey> onReady = k -> {
        if (k.attachment() instanceof Socket s) {
            if (count == ready.length) {
                ready = Arrays.copyOf(ready, count * 2);
            }
            ready[count++] = s;
        }
    };

    /** Opens the selector. @throws UncheckedIOException when the system has none to give */
    SocketWait(SpinPolicy spin) {
        this.spin = spin;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector: " + e.getMessage(), e);
        }
    }

    /** Returns the selector the ports register their sockets with. */
    Selector selector() {
        return selector;
    }

    /**
     * Waits up to {@code nanos} (a sleep rounded up to a millisecond) for a datagram on any registered socket; returns
     * at once if {@code nanos <= 0}. While datagrams come within the {@link SpinPolicy}'s limit it first polls for them
     * that long without sleeping.
     */
    void await(long nanos) {
        try {
            forget();
            if (nanos <= 0) {
                selector.selectNow(onReady);
            } else {
                long start = System.nanoTime();
                long spinning = spin.spinFor(nanos);
                boolean got = false;
                if (spinning > 0) {
                    long until = start + spinning;
                    do {
                        got = selector.selectNow(onReady) > 0;
                        Thread.onSpinWait();
                    } while (!got && System.nanoTime() - until < 0);
                }
                if (!got) {
                    got = selector.select(onReady, Math.max(1, (nanos + 999_999) / 1_000_000)) > 0;
                }
                spin.waited(System.nanoTime() - start, got);
            }
            selected = true;
        } catch (IOException e) {
            throw new UncheckedIOException("selector failed: " + e.getMessage(), e);
        }
    }

    /**
     * Returns whether an {@link #await} found the sockets {@link #ready} names since they were last taken, and takes
     * them: a receive without a wait before it reads every socket.
     */
    boolean take() {
        boolean was = selected;
        selected = false;
        return was;
    }

    /** Returns how many sockets the last {@link #await} found readable. */
    int readyCount() {
        return count;
    }

    /** Returns the {@code i}th socket the last {@link #await} found readable. */
    Socket ready(int i) {
        return ready[i];
    }

    /** Forgets the readable sockets (they may close before the next wait). */
    void forget() {
        Arrays.fill(ready, 0, count, null);
        count = 0;
    }

    /** Closes the selector. */
    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
