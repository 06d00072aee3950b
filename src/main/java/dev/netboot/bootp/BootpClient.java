package dev.netboot.bootp;

import dev.netboot.net.NetStack;
import dev.netboot.net.PayloadWriter;
import dev.netboot.net.SendResult;
import dev.netboot.net.UdpHandler;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import java.nio.ByteBuffer;
import java.util.random.RandomGenerator;

/**
 * The BOOTP client (RFC 951, RFC 1542): broadcasts a BOOTREQUEST, retransmits with randomised
 * exponential backoff, and takes the first valid BOOTREPLY.
 *
 * <p>Poll-driven: {@link #start} sends the first request, {@link #poll} retransmits when the deadline
 * in {@link #pollAt} has come; replies arrive through the {@link NetStack} on port 68.
 */
public final class BootpClient implements UdpHandler, PayloadWriter {
    /** What the client is doing. */
    public sealed interface State {
        /** Not started. */
        record Idle() implements State {
        }

        /**
         * Waiting for a reply.
         *
         * @param xid       transaction ID, the same for every retransmission (RFC 1542 section 3.2 allows either; keeping it
         *                  lets a late reply to an earlier request still count)
         * @param startedAt time of the first request
         * @param requests  requests sent so far
         * @param retryAt   when the next request is due
         */
        record Requesting(int xid, long startedAt, int requests, long retryAt) implements State {
        }

        /** A reply was accepted. */
        record Bound(BootpLease lease, long at, int requests) implements State {
        }

        /** The client gave up after sending {@code requests} requests. */
        record Failed(String reason, int requests) implements State {
        }
    }

    /**
     * Counters of replies dropped by reason.
     *
     * @param malformed  replies that failed to parse
     * @param notReply   BOOTREQUESTs (from other clients)
     * @param wrongXid   replies to another transaction
     * @param wrongChaddr replies for another client hardware address
     * @param wrongHw    replies with htype/hlen other than Ethernet's 1/6
     * @param unusable   replies without an address or a server
     */
    public record Stats(long malformed, long notReply, long wrongXid, long wrongChaddr, long wrongHw, long unusable) {
    }

    private final NetStack net;
    private final BootpConfig config;
    private final RandomGenerator random;
    private final MacAddress mac;
    private final ByteBuffer request = ByteBuffer.allocate(BootpMessage.MIN_LEN);
    private State state = new State.Idle();
    private long malformed, notReply, wrongXid, wrongChaddr, wrongHw, unusable;
    private String lastRejection = "";

    /** Creates a client for the stack's MAC address; it binds port 68 on {@link #start}. */
    public BootpClient(NetStack net, BootpConfig config, RandomGenerator random) {
        this.net = net;
        this.config = config;
        this.random = random;
        this.mac = net.macAddress();
    }

    /** Returns the current state. */
    public State state() {
        return state;
    }

    /** Returns the drop counters. */
    public Stats stats() {
        return new Stats(malformed, notReply, wrongXid, wrongChaddr, wrongHw, unusable);
    }

    /** Sends the first request. */
    public void start(long now) {
        if (!(state instanceof State.Idle)) {
            throw new IllegalStateException("BOOTP client already started: " + state);
        }
        net.bind(BootpMessage.CLIENT_PORT, this);
        transition(new State.Requesting(random.nextInt(), now, 0, now));
        poll(now);
    }

    /** Sends or retransmits the request when due, and gives up when the budget is spent. */
    public void poll(long now) {
        if (!(state instanceof State.Requesting r) || now < r.retryAt()) {
            return;
        }
        if (now - r.startedAt() >= config.giveUp()) {
            fail(r.requests(), "BOOTP: no usable reply after " + r.requests() + " requests in " + seconds(now - r.startedAt()) + " s"
                    + (lastRejection.isEmpty() ? "" : " (last reply ignored: " + lastRejection + ")"));
            return;
        }
        int secs = (int) Math.min(0xFFFF, (now - r.startedAt()) / 1_000_000_000L);
        writeRequest(r.xid(), secs);
        SendResult sent = net.sendUdp(now, BootpMessage.CLIENT_PORT, Ipv4Address.BROADCAST, BootpMessage.SERVER_PORT,
                BootpMessage.MIN_LEN, this);
        if (sent != SendResult.SENT) {
            return; // the link was busy: state stays, the next poll tries again (GUIDE H9)
        }
        int n = r.requests();
        // RFC 951 section 7.2: randomised exponential backoff; RFC 2131 section 4.1's +/- jitter keeps boards apart.
        long wait = Math.min(config.maxTimeout(), config.initialTimeout() << Math.min(n, 30));
        wait += config.jitter() == 0 ? 0 : random.nextLong(-config.jitter(), config.jitter() + 1);
        long retryAt = Math.min(now + wait, r.startedAt() + config.giveUp());
        transition(new State.Requesting(r.xid(), r.startedAt(), n + 1, retryAt));
    }

    /** Returns when {@link #poll} next has work. */
    public long pollAt() {
        return state instanceof State.Requesting r ? r.retryAt() : Long.MAX_VALUE;
    }

    private void writeRequest(int xid, int secs) {
        BootpMessage m = new BootpMessage(BootpMessage.BOOTREQUEST, 1, MacAddress.LENGTH, 0, xid, secs,
                BootpMessage.FLAG_BROADCAST, Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY,
                mac, "", "", BootpOptions.NONE);
        m.emit(request, 0);
    }

    @Override
    public void writePayload(ByteBuffer buf, int off, int len) {
        buf.put(off, request, 0, len);
    }

    @Override
    public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
        if (!(state instanceof State.Requesting r)) {
            return;
        }
        BootpMessage m;
        try {
            m = BootpMessage.parse(buf, off, len);
        } catch (MalformedPacketException e) {
            malformed++;
            lastRejection = e.getMessage();
            return;
        }
        if (m.op() != BootpMessage.BOOTREPLY) {
            notReply++;
            return;
        }
        if (m.xid() != r.xid()) {
            wrongXid++;
            return;
        }
        if (m.htype() != 1 || m.hlen() != MacAddress.LENGTH) {
            wrongHw++;
            lastRejection = "htype " + m.htype() + ", hlen " + m.hlen() + " (expected: 1 and 6)";
            return;
        }
        if (!m.chaddr().equals(mac)) {
            wrongChaddr++;
            return;
        }
        BootpLease lease;
        try {
            lease = lease(m, new Ipv4Address(srcIp));
        } catch (MalformedPacketException | BootpException e) {
            unusable++;
            lastRejection = e.getMessage();
            return;
        }
        transition(new State.Bound(lease, now, r.requests()));
        net.unbind(BootpMessage.CLIENT_PORT);
    }

    /**
     * Reads the lease out of a reply.
     *
     * @throws BootpException when the reply gives no address, no server or no boot file
     */
    static BootpLease lease(BootpMessage m, Ipv4Address from) {
        BootpLease lease = BootpLease.read(m, from, Ipv4Address.ANY, "BOOTP");
        if (!lease.boot().complete()) {
            throw new BootpException("BOOTP reply from " + from + ": " + lease.boot().missing());
        }
        return lease;
    }

    private void fail(int requests, String reason) {
        transition(new State.Failed(reason, requests));
        net.unbind(BootpMessage.CLIENT_PORT);
    }

    private void transition(State next) {
        state = next;
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e9);
    }
}
