package dev.netboot.device;

import dev.netboot.bootp.BootpClient;
import dev.netboot.bootp.BootpConfig;
import dev.netboot.bootp.BootpLease;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashException;
import dev.netboot.flash.FlashStats;
import dev.netboot.flash.FlashWriter;
import dev.netboot.flash.Partition;
import dev.netboot.link.Link;
import dev.netboot.net.ArpStatus;
import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStack;
import dev.netboot.tftp.TftpClient;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.tftp.TftpFailure;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpWire;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * The board's boot: link → BOOTP → ARP → TFTP → flash → verify, one poll-driven state machine.
 *
 * <p>Drive it like every part of the stack: call {@link #start}, then {@link #poll} whenever the
 * time reaches {@link #pollAt} or a frame may have arrived, until {@link #state} is
 * {@link State.Done} or {@link State.Failed}. Time is passed in (nanoseconds); nothing here reads a
 * clock or sleeps, so the same code runs on a real link and in the emulator's virtual time.
 *
 * <p>The image streams into the profile's boot partition as it arrives; it is verified by reading it
 * back from flash (SHA-256) before the boot counts as done. A transfer that fails leaves a
 * {@link State.Failed}: the bytes written so far are not reported as a bootable image.
 */
public final class BootSequence {
    /** Where the boot is. */
    public sealed interface State {
        /** Not started. */
        record Idle() implements State {
        }

        /** Asking BOOTP who we are. */
        record Bootp() implements State {
        }

        /** Resolving the MAC of the next hop toward the server. */
        record Arp(BootpLease lease, Ipv4Address hop) implements State {
        }

        /** Downloading the boot file into flash. */
        record Transfer(BootpLease lease) implements State {
        }

        /** The image is in flash and verified. */
        record Done(BootReport report) implements State {
        }

        /** The boot failed. */
        record Failed(BootFailure failure) implements State {
        }
    }

    private final NetStack net;
    private final Flash flash;
    private final Partition partition;
    private final BootpClient bootp;
    private final TftpClient tftp;
    private final BootObserver observer;
    private final FlashStats flashAtStart;
    private State state = new State.Idle();
    private FlashWriter writer;
    private FlashSink sink;
    private long startedAt;
    private long boundAt;
    private int bootpRequests;

    /**
     * Creates the boot sequence.
     *
     * @param link      the board's Ethernet port
     * @param mac       the board's MAC address (the profile's, or the port's)
     * @param flash     the board's flash
     * @param partition where the image goes
     * @param random    source of the BOOTP xid, jitter and the TFTP port
     */
    public BootSequence(Link link, MacAddress mac, NetConfig netConfig, BootpConfig bootpConfig, TftpConfig tftpConfig,
                        Flash flash, Partition partition, RandomGenerator random, BootObserver observer) {
        partition.checkFits(flash.geometry());
        this.net = new NetStack(link, netConfig, mac);
        this.flash = flash;
        this.partition = partition;
        this.bootp = new BootpClient(net, bootpConfig, random);
        this.tftp = new TftpClient(net, tftpConfig, random);
        this.observer = observer;
        this.flashAtStart = flash.stats();
    }

    /** Returns where the boot is. */
    public State state() {
        return state;
    }

    /** Returns true once the boot is done or failed. */
    public boolean finished() {
        return state instanceof State.Done || state instanceof State.Failed;
    }

    /** Returns the network stack (for its counters). */
    public NetStack net() {
        return net;
    }

    /** Returns the TFTP client (for its counters). */
    public TftpClient tftp() {
        return tftp;
    }

    /** Returns the packets sent again so far: BOOTP requests after the first, TFTP retransmissions and re-ACKs. */
    public long retransmissions() {
        int requests = switch (bootp.state()) {
            case BootpClient.State.Requesting r -> r.requests();
            case BootpClient.State.Bound b -> b.requests();
            case BootpClient.State.Failed f -> f.requests();
            default -> 0;
        };
        return tftp.stats().retransmissions() + Math.max(0, requests - 1);
    }

    /** Starts BOOTP. */
    public void start(long now) {
        if (!(state instanceof State.Idle)) {
            throw new IllegalStateException("boot already started: " + state);
        }
        startedAt = now;
        transition(now, new State.Bootp());
        bootp.start(now);
    }

    /** Takes received frames and advances whichever stage is running. */
    public void poll(long now) {
        net.poll(now);
        // Frames may have moved a client on; each step below looks at the result in the same poll.
        if (state instanceof State.Bootp) {
            bootp.poll(now);
            switch (bootp.state()) {
                case BootpClient.State.Bound b -> bound(now, b);
                case BootpClient.State.Failed f -> fail(now, "bootp", f.reason());
                default -> {
                }
            }
        }
        if (state instanceof State.Arp a) {
            switch (net.resolve(now, a.hop())) {
                case ArpStatus.Resolved r -> {
                    observer.resolved(now, a.hop(), r.mac());
                    startTransfer(now, a.lease());
                }
                case ArpStatus.Failed f -> fail(now, "arp", "ARP: " + a.hop() + " did not answer " + f.requestsSent()
                        + " requests" + (a.hop().equals(a.lease().server()) ? "" : " (gateway toward server " + a.lease().server() + ")"));
                case ArpStatus.Pending _ -> {
                }
            }
        }
        if (state instanceof State.Transfer t) {
            sink.at(now);
            tftp.poll(now);
            switch (tftp.state()) {
                case TftpClient.State.Done d -> verify(now, t.lease(), d);
                case TftpClient.State.Failed f -> transferFailed(now, f.failure());
                default -> {
                }
            }
        } else if (state instanceof State.Done) {
            tftp.poll(now); // dallying: re-ACK a retransmitted last block
        }
    }

    /** Returns when {@link #poll} next has work. */
    public long pollAt() {
        long at = net.pollAt();
        return switch (state) {
            case State.Bootp _ -> Math.min(at, bootp.pollAt());
            case State.Transfer _ -> Math.min(at, tftp.pollAt());
            // after Done the TFTP client still dallies to re-ACK a retransmitted last block
            case State.Done _ -> Math.min(at, tftp.pollAt());
            default -> at;
        };
    }

    private void bound(long now, BootpClient.State.Bound b) {
        BootpLease lease = b.lease();
        boundAt = now;
        bootpRequests = b.requests();
        net.configure(lease.address(), lease.netmask(), lease.gateway());
        observer.leased(now, lease);
        Ipv4Address hop = net.nextHop(lease.server());
        if (hop.isAny()) {
            fail(now, "arp", "server " + lease.server() + " is off-link (" + lease.address() + "/" + lease.netmask().prefixLength()
                    + ") and BOOTP gave no router (option 3)");
            return;
        }
        transition(now, new State.Arp(lease, hop));
    }

    private void startTransfer(long now, BootpLease lease) {
        writer = new FlashWriter(flash, partition);
        sink = new FlashSink(writer, observer);
        sink.at(now);
        transition(now, new State.Transfer(lease));
        observer.transferStarted(now, lease.server(), lease.bootFile());
        tftp.startRead(now, lease.server(), TftpWire.SERVER_PORT, lease.bootFile(), sink);
    }

    private void verify(long now, BootpLease lease, TftpClient.State.Done d) {
        long written;
        try {
            written = writer.finish();
        } catch (FlashException e) {
            fail(now, "verify", "flash verify of " + partition.name() + " failed: " + e.getMessage());
            return;
        }
        if (written != d.bytes()) {
            fail(now, "verify", "received " + d.bytes() + " bytes but " + written + " reached flash");
            return;
        }
        FlashStats fs = flash.stats();
        long flashOps = (fs.erases() - flashAtStart.erases()) + (fs.programs() - flashAtStart.programs());
        TftpClient.Stats ts = tftp.stats();
        BootReport report = new BootReport(net.macAddress(), lease.address(), lease.netmask(), lease.gateway(), lease.dns(),
                lease.hostname(), lease.server(), lease.bootFile(), written, HexFormat.of().formatHex(writer.sha256()),
                partition.name(), writer.offset(), tftp.blockSize(), ts.retransmissions() + Math.max(0, bootpRequests - 1),
                flashOps, bootpRequests, startedAt, boundAt, tftp.startedAt(), now);
        transition(now, new State.Done(report));
        observer.finished(now, report);
    }

    private void transferFailed(long now, TftpFailure f) {
        if (writer != null) {
            writer.abort();
        }
        String stage = f.kind() == TftpFailure.Kind.LOCAL ? "flash" : "tftp";
        fail(now, stage, f.message());
    }

    private void fail(long now, String stage, String message) {
        BootFailure failure = new BootFailure(stage, message);
        transition(now, new State.Failed(failure));
        observer.failed(now, failure);
    }

    private void transition(long now, State next) {
        state = next;
    }
}
