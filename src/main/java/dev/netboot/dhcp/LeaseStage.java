package dev.netboot.dhcp;

import dev.netboot.bootp.BootpClient;
import dev.netboot.bootp.BootpConfig;
import dev.netboot.net.AddressProbe;
import dev.netboot.net.NetStack;
import dev.netboot.net.UdpHandler;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.MalformedPacketException;
import java.nio.ByteBuffer;
import java.util.random.RandomGenerator;

/**
 * The board's identity, one stage with DHCP and BOOTP behind it: it gets a lease ({@link Acquisition}: DHCP with
 * BOOTP replies accepted, ProxyDHCP merged, the address ARP-checked; or the plain {@link BootpClient} when the
 * profile says {@code protocol = bootp}), puts the address on the network stack, and keeps the lease for as long
 * as the boot runs ({@link Renewal}: renew at T1, rebind at T2). When the lease is lost the address comes off the
 * stack at once and the stage reports {@link State.Lost}.
 *
 * <p>Poll-driven like every stage: {@link #start}, then {@link #poll} at {@link #pollAt} or after frames arrived.
 * It owns UDP port 68 for as long as it runs.
 */
public final class LeaseStage implements UdpHandler {
    /** Where the stage is. */
    public sealed interface State {
        /** Not started. */
        record Idle() implements State {
        }

        /** Asking for a lease. */
        record Acquiring() implements State {
        }

        /** The lease is ours and the address configured; renewals keep it. */
        record Bound(Lease lease) implements State {
        }

        /** The lease ended or was refused while the boot ran; the address is no longer used. */
        record Lost(Lease lease, String reason) implements State {
        }

        /** No usable lease: nothing answered in the budget, or the answer cannot boot the board. */
        record Failed(String reason) implements State {
        }
    }

    /**
     * Replies dropped before the protocol looked at them, by reason.
     *
     * @param malformed   datagrams on port 68 that did not parse
     * @param notReply    BOOTREQUESTs (other clients')
     * @param wrongHw     htype/hlen other than Ethernet's 1/6
     * @param wrongChaddr replies for another client
     */
    public record Stats(long malformed, long notReply, long wrongHw, long wrongChaddr) {
    }

    private final NetStack net;
    private final BootpConfig retry;
    private final DhcpConfig config;
    private final MacAddress mac;
    private final Acquisition acquisition;
    private final Renewal renewal;
    private final BootpClient bootp;
    private final AddressProbe bootpProbe;
    private State state = new State.Idle();
    private long malformed, notReply, wrongHw, wrongChaddr;

    /**
     * Creates the stage for the stack's MAC address.
     *
     * @param retry  retransmission timing and give-up budget of every request for an address (DHCP and BOOTP)
     * @param config what to speak and how (protocol, offer window, ARP probes, vendor class)
     * @param random source of transaction IDs and retransmission jitter
     */
    public LeaseStage(NetStack net, BootpConfig retry, DhcpConfig config, RandomGenerator random) {
        this.net = net;
        this.retry = retry;
        this.config = config;
        this.mac = net.macAddress();
        ClientMessages messages = new ClientMessages(mac, config, net.maxUdpPayload());
        this.acquisition = new Acquisition(net, retry, config, messages, random);
        this.renewal = new Renewal(net, messages, random);
        boolean bootpOnly = config.protocol() == DhcpConfig.Protocol.BOOTP;
        this.bootp = bootpOnly ? new BootpClient(net, retry, random) : null;
        this.bootpProbe = bootpOnly && config.arpProbes() > 0 ? new AddressProbe(net, config.arpProbes(), config.arpProbeInterval()) : null;
    }

    /** Returns where the stage is. */
    public State state() {
        return state;
    }

    /** Returns the lease as it now stands (renewals update it), or null before one was bound. */
    public Lease lease() {
        return switch (state) {
            case State.Bound b -> renewal.lease() != null ? renewal.lease() : b.lease();
            case State.Lost l -> l.lease();
            default -> null;
        };
    }

    /** Returns the protocol name of failure messages and stages: "bootp" with {@code protocol = bootp}, else "dhcp". */
    public String stageName() {
        return bootp != null ? "bootp" : "dhcp";
    }

    /** Returns the requests sent to get the lease: DHCPDISCOVERs and DHCPREQUESTs, or BOOTREQUESTs. */
    public int requests() {
        return bootp != null ? bootpRequests() : acquisition.requestsSent();
    }

    /** Returns the requests sent again while getting and keeping the lease (retransmissions, not renewals at T1). */
    public int retransmissions() {
        return bootp != null ? Math.max(0, bootpRequests() - 1) : acquisition.retransmissions();
    }

    /** Returns the DHCPACKs that extended the lease during the boot. */
    public int renewals() {
        return renewal.renewals();
    }

    /** Returns the DHCPNAKs received while getting the lease. */
    public int naks() {
        return acquisition.naks();
    }

    /** Returns the offered addresses found in use by another host (and declined). */
    public int conflicts() {
        return acquisition.conflicts();
    }

    /** Returns the drop counters. */
    public Stats stats() {
        return new Stats(malformed, notReply, wrongHw, wrongChaddr);
    }

    private int bootpRequests() {
        return switch (bootp.state()) {
            case BootpClient.State.Requesting r -> r.requests();
            case BootpClient.State.Bound b -> b.requests();
            case BootpClient.State.Failed f -> f.requests();
            default -> 0;
        };
    }

    /** Sends the first request. */
    public void start(long now) {
        if (!(state instanceof State.Idle)) {
            throw new IllegalStateException("lease stage already started: " + state);
        }
        transition(new State.Acquiring());
        if (bootp != null) {
            bootp.start(now);
        } else {
            net.bind(BootpMessage.CLIENT_PORT, this);
            acquisition.start(now);
        }
        poll(now);
    }

    /**
     * Returns true when the lease is from DHCP and another server offered an address in the same exchange: a boot
     * that cannot start with this lease (no such file, no such server) may start with that one ({@link #startWithout}).
     */
    public boolean alternativeSeen() {
        return bootp == null && state instanceof State.Bound && acquisition.alternativeSeen();
    }

    /**
     * Gives up the lease of {@code server} (the address comes off the stack; the lease is not released, RFC 2131
     * 4.4.6 leaves that to the client) and asks again, taking no offer from that server: its lease named a boot that
     * could not start. Only when {@link #alternativeSeen}.
     */
    public void startWithout(long now, Ipv4Address server) {
        if (!alternativeSeen()) {
            throw new IllegalStateException("no other server offered: " + state);
        }
        net.configure(Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY);
        transition(new State.Acquiring());
        acquisition.startWithout(now, server);
        poll(now);
    }

    /** Advances whichever part runs: retransmissions, the offer window, ARP probes, T1, T2 and the lease's end. */
    public void poll(long now) {
        switch (state) {
            case State.Acquiring _ when bootp != null -> pollBootp(now);
            case State.Acquiring _ -> {
                acquisition.poll(now);
                switch (acquisition.state()) {
                    case AcquisitionState.Done d -> {
                        renewal.begin(d.leaseStart(), d.lease());
                        transition(new State.Bound(d.lease()));
                    }
                    case AcquisitionState.Failed f -> fail(f.reason());
                    default -> {
                    }
                }
            }
            case State.Bound b -> {
                renewal.poll(now);
                if (renewal.state() instanceof Renewal.State.Lost l) {
                    // RFC 2131 section 4.4.5: "If the lease expires before the client receives a DHCPACK, the client moves
                    // to INIT state, MUST immediately stop any other network processing and requests network
                    // initialization parameters". The boot cannot go on without its address: the stage reports it.
                    net.configure(Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY);
                    net.unbind(BootpMessage.CLIENT_PORT);
                    transition(new State.Lost(l.lease(), l.reason()));
                }
            }
            default -> {
            }
        }
    }

    private void pollBootp(long now) {
        bootp.poll(now);
        switch (bootp.state()) {
            case BootpClient.State.Bound b -> {
                Lease lease = Lease.of(b.lease());
                if (bootpProbe == null) {
                    bound(lease);
                    return;
                }
                if (bootpProbe.state() instanceof AddressProbe.State.Idle) {
                    bootpProbe.start(now, lease.address());
                }
                bootpProbe.poll(now);
                switch (bootpProbe.state()) {
                    case AddressProbe.State.Clear _ -> bound(lease);
                    case AddressProbe.State.Conflict c -> fail(Binding.bootpConflict(lease, c.by()));
                    default -> {
                    }
                }
            }
            case BootpClient.State.Failed f -> fail(f.reason());
            default -> {
            }
        }
    }

    private void bound(Lease lease) {
        net.configure(lease.address(), lease.netmask(), lease.gateway(), lease.broadcast());
        renewal.begin(0, lease);
        transition(new State.Bound(lease));
    }

    /** Returns when {@link #poll} next has work. */
    public long pollAt() {
        return switch (state) {
            case State.Acquiring _ when bootp != null -> bootpProbe != null && bootpProbe.state() instanceof AddressProbe.State.Probing
                    ? bootpProbe.pollAt() : bootp.pollAt();
            case State.Acquiring _ -> acquisition.pollAt();
            case State.Bound _ -> renewal.pollAt();
            default -> Long.MAX_VALUE;
        };
    }

    /** {@inheritDoc} Another client's reply (its chaddr not ours), which {@link #onDatagram} counts and drops unparsed. */
    @Override
    public boolean ignores(int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
        return BootpMessage.isReplyForAnother(buf, off, len, mac) && !acquisition.awaitsAck(BootpMessage.xid(buf, off));
    }

    /** {@inheritDoc} Every reply for another, but while a DHCPACK is awaited (a reply of its xid is noted). */
    @Override
    public boolean ignoresRepliesForAnother() {
        return !acquisition.awaitsAnyAck();
    }

    @Override
    public void ignored() {
        wrongChaddr++;
    }

    @Override
    public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
        if (BootpMessage.isReplyForAnother(buf, off, len, mac)) {
            wrongChaddr++; // another client's (broadcast) reply: not worth parsing
            if (acquisition.awaitsAck(BootpMessage.xid(buf, off))) { // of our DHCPREQUEST's transaction: a server's mistake
                acquisition.forAnotherClient(BootpMessage.chaddr(buf, off));
            }
            return;
        }
        BootpMessage m;
        try {
            m = BootpMessage.parse(buf, off, len);
        } catch (MalformedPacketException e) {
            malformed++;
            acquisition.ignored(e.getMessage());
            return;
        }
        if (m.op() != BootpMessage.BOOTREPLY) {
            notReply++;
            return;
        }
        if (m.htype() != 1 || m.hlen() != MacAddress.LENGTH) {
            wrongHw++;
            acquisition.ignored("htype " + m.htype() + ", hlen " + m.hlen() + " (expected: 1 and 6)");
            return;
        }
        if (!m.chaddr().equals(mac)) {
            wrongChaddr++;
            return;
        }
        try {
            switch (state) {
                case State.Acquiring _ -> acquisition.onReply(now, m, new Ipv4Address(srcIp));
                case State.Bound _ -> {
                    acquisition.onLateReply(now, m, new Ipv4Address(srcIp)); // another server's offer, late
                    renewal.onReply(now, m, new Ipv4Address(srcIp));
                }
                default -> {
                }
            }
        } catch (MalformedPacketException e) {
            malformed++;
            acquisition.ignored(e.getMessage());
        }
        // Whatever the reply moved on is looked at by the owner's poll, in the same round (GUIDE H8).
    }

    private void fail(String reason) {
        net.unbind(BootpMessage.CLIENT_PORT);
        transition(new State.Failed(reason));
    }

    private void transition(State next) {
        state = next;
    }
}
