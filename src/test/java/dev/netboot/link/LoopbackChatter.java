package dev.netboot.link;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * UDP traffic on the loopback interface while a test runs: a daemon thread sends a 64-byte datagram
 * from 127.0.0.1 to 127.0.0.1 (a socket of its own that never reads, so no ICMP) about every 100 µs. A
 * raw socket bound to another interface must never hand one of these frames to its stack.
 *
 * <p>{@link #main} runs it as a process of its own (so it can chatter on a network namespace's loopback:
 * {@code ip netns exec NS java -cp ... dev.netboot.link.LoopbackChatter}); it prints {@code ready} once
 * the first datagram has gone and runs until killed.
 */
public final class LoopbackChatter implements AutoCloseable {
    private final DatagramChannel sink;
    private final DatagramChannel source;
    private final Thread thread;
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean stop;

    /** Starts sending. */
    public LoopbackChatter() {
        try {
            InetAddress lo = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
            sink = DatagramChannel.open().bind(new InetSocketAddress(lo, 0));
            source = DatagramChannel.open().bind(new InetSocketAddress(lo, 0));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a UDP socket on 127.0.0.1: " + e.getMessage(), e);
        }
        thread = new Thread(this::chatter, "loopback-chatter");
        thread.setDaemon(true);
        thread.start();
        awaitSent(1);
    }

    private void chatter() {
        ByteBuffer datagram = ByteBuffer.allocate(64);
        try {
            InetSocketAddress to = (InetSocketAddress) sink.getLocalAddress();
            while (!stop) {
                source.send(datagram.clear(), to);
                sent.incrementAndGet();
                LockSupport.parkNanos(100_000L);
            }
        } catch (IOException e) {
            if (!stop) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Returns how many datagrams went out so far. */
    public long sent() {
        return sent.get();
    }

    /** Waits until {@code total} datagrams have gone out in all (at most 10 s; then fails). */
    public void awaitSent(long total) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (sent.get() < total) {
            if (!thread.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the loopback sender stopped after " + sent.get() + " datagrams");
            }
            LockSupport.parkNanos(1_000_000L);
        }
    }

    /** Stops sending and closes the sockets. */
    @Override
    public void close() {
        stop = true;
        try {
            thread.join(5_000);
            source.close();
            sink.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // closing test sockets; nothing to report
        }
    }

    /** Chatters on this process's loopback until killed; prints "ready" once it runs. */
    public static void main(String[] args) throws InterruptedException {
        LoopbackChatter c = new LoopbackChatter();
        System.out.println("ready");
        System.out.flush();
        c.thread.join();
    }
}
