package dev.netboot.device;

import dev.netboot.dhcp.Lease;
import dev.netboot.dhcp.LeaseStage;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashException;
import dev.netboot.flash.FlashStats;
import dev.netboot.flash.FlashWriter;
import dev.netboot.link.Link;
import dev.netboot.net.ArpStatus;
import dev.netboot.net.NetConfig;
import dev.netboot.net.NetStack;
import dev.netboot.tftp.TftpClient;
import dev.netboot.tftp.TftpFailure;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpWire;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * The board's boot: link → DHCP/BOOTP → ARP → TFTP → flash → verify, one poll-driven state machine.
 *
 * <p>Drive it like every part of the stack: call {@link #start}, then {@link #poll} whenever the
 * time reaches {@link #pollAt} or a frame may have arrived, until {@link #state} is
 * {@link State.Done} or {@link State.Failed}. Time is passed in (nanoseconds); nothing here reads a
 * clock or sleeps, so the same code runs on a real link and in the emulator's virtual time.
 *
 * <p>The image streams into the inactive A/B slot as it arrives ({@link SlotUpdate}); it is verified
 * by reading it back from flash (length and SHA-256), that SHA-256 is compared with the server's
 * {@code FILE.sha256} as the profile's {@code [boot] digest} says ({@link ImageDigest}), its Ed25519 signature is
 * checked when the profile carries a public key, and only then is the slot committed as active ({@link CommitStage}).
 * Whatever fails before the commit (network, flash, power) leaves the previously active slot active: a half-written
 * image is never marked bootable.
 *
 * <p>A profile's {@code windowsize = auto} is sized from the path when the transfer starts ({@link WindowSizing}). On a
 * timed flash ({@link Flash#busyUntil()}) each poll tells the flash the time: the transfer is paced by the
 * {@link SlotUpdate} within the RAM {@link RamBudget} shares, and the steps after the last block wait for the chip
 * ({@link State.Settling}).
 */
public final class BootSequence {
    /** Where the boot is. */
    public sealed interface State {
        /** Not started. */
        record Idle() implements State {
        }

        /** Asking DHCP (or BOOTP) who we are: the {@link LeaseStage}. */
        record Leasing() implements State {
        }

        /** Resolving the MAC of the next hop toward the server. */
        record Arp(Lease lease, Ipv4Address hop) implements State {
        }

        /** Downloading the boot file into the inactive slot. */
        record Transfer(Lease lease) implements State {
        }

        /**
         * The boot {@code lease} named could not start ({@code why}) before another DHCP server offered: waiting, until
         * {@code until}, for a slower server's offer to the same exchange ({@link ServerFallback#LATE_OFFERS}).
         */
        record Waiting(Lease lease, BootFailure why, long until) implements State {
        }

        /** Downloading the image's expected SHA-256 ({@code FILE.sha256}); the image is in flash and verified. */
        record Digest(Lease lease) implements State {
        }

        /** Downloading the image's detached signature ({@code FILE.sig}); the image is in flash and verified. */
        record Signature(Lease lease) implements State {
        }

        /**
         * Waiting for the flash chip to finish the operations already issued, until {@code until}; then
         * {@code then} runs.
         */
        record Settling(Lease lease, Step then, long until) implements State {
        }

        /** The image is in flash and verified. */
        record Done(BootReport report) implements State {
        }

        /** The boot failed. */
        record Failed(BootFailure failure) implements State {
        }
    }

    /** What runs once the flash chip has settled. */
    public enum Step {
        /** The image is written and read back: fetch the signature, or commit. */
        VERIFIED,
        /** The new slot is committed: the boot is done. */
        COMMITTED
    }

    private final NetStack net;
    private final Flash flash;
    private final DeviceProfile profile;
    private final LeaseStage lease;
    private TftpClient tftp;
    private final RandomGenerator random;
    private final BootObserver observer;
    private final FlashStats flashAtStart;
    private final WindowSizing sizing; // the RAM shared, and the window sized from the path for windowsize auto
    private State state = new State.Idle();
    private SlotUpdate update;
    private final CommitStage commit; // from the last block to the active slot: read-back, sidecars, commit
    private long startedAt;
    private long boundAt;
    private int renewalsSeen;
    private final ServerFallback fallback = new ServerFallback();
    private final UnicastRetry unicast = new UnicastRetry(); // a failed multicast transfer asked again, once

    /**
     * Creates the boot sequence of a board of {@code profile}.
     *
     * @param link    the board's Ethernet port
     * @param mac     the board's MAC address (the profile's, or the port's)
     * @param flash   the board's flash, laid out as the profile says (A/B slots and metadata)
     * @param random  source of the DHCP/BOOTP xid, jitter and the TFTP ports
     */
    public BootSequence(Link link, MacAddress mac, DeviceProfile profile, NetConfig netConfig, Flash flash,
                        RandomGenerator random, BootObserver observer) {
        this.profile = profile;
        this.net = new NetStack(link, netConfig, mac);
        this.flash = flash;
        // The window is limited by the RAM only when the flash takes time (untimed flash is always ready: MIN_VALUE).
        this.sizing = new WindowSizing(profile, link, flash.busyUntil() != Long.MIN_VALUE);
        this.random = random;
        this.lease = new LeaseStage(net, profile.bootp(), profile.dhcp(), random);
        this.tftp = new TftpClient(net, sizing.initial(), random);
        this.observer = observer;
        this.flashAtStart = flash.stats();
        this.commit = new CommitStage(net, flash, profile, sizing, random, this::report);
        profile.bootSlots(flash); // checks the layout against this flash now, not halfway through a boot
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

    /** Returns the TFTP client of the image (for its counters). */
    public TftpClient tftp() {
        return tftp;
    }

    /**
     * Returns how the board's RAM is shared (reorder buffer, flash buffer, writer), or null when it holds too little
     * to boot. With windowsize auto, its window is the one the board would ask for on this link until the transfer
     * starts (the round trip assumed), then the one it asked for (the round trip measured).
     */
    public RamBudget ram() {
        return sizing.ram();
    }

    /** Returns the slot update once the transfer started, else null (for the target slot and writer counters). */
    public SlotUpdate update() {
        return update;
    }

    /** Returns the lease stage (its lease, renewals and counters). */
    public LeaseStage lease() {
        return lease;
    }

    /** Returns the packets sent again so far: DHCP/BOOTP retransmissions, TFTP retransmissions and re-ACKs. */
    public long retransmissions() {
        return tftp.stats().retransmissions() + commit.retransmissions() + lease.retransmissions();
    }

    /** Starts asking for a lease. */
    public void start(long now) {
        if (!(state instanceof State.Idle)) {
            throw new IllegalStateException("boot already started: " + state);
        }
        startedAt = now;
        flash.at(now);
        if (sizing.problem() != null) {
            fail(now, "ram", sizing.problem());
            return;
        }
        if (sizing.ram().note() != null) {
            observer.ramShared(now, sizing.ram());
        }
        transition(now, new State.Leasing());
        lease.start(now);
    }

    /** Takes received frames and advances whichever stage is running. */
    public void poll(long now) {
        flash.at(now);
        if (update != null) {
            update.at(now);
        }
        net.poll(now);
        // Frames may have moved a client on; each step below looks at the result in the same poll.
        lease.poll(now);
        switch (lease.state()) {
            case LeaseStage.State.Bound b when state instanceof State.Leasing -> bound(now, b.lease());
            case LeaseStage.State.Failed f when state instanceof State.Leasing -> fail(now, lease.stageName(), f.reason());
            case LeaseStage.State.Lost l when usesAddress() -> leaseLost(now, l.reason());
            case LeaseStage.State.Bound _ when lease.renewals() > renewalsSeen -> {
                renewalsSeen = lease.renewals();
                observer.renewed(now, lease.lease());
            }
            default -> {
            }
        }
        if (state instanceof State.Arp a) {
            switch (net.resolve(now, a.hop())) {
                case ArpStatus.Resolved r -> {
                    sizing.arpResolved(now);
                    observer.resolved(now, a.hop(), r.mac());
                    startTransfer(now, a.lease());
                }
                case ArpStatus.Failed f -> {
                    BootFailure why = new BootFailure("arp", "ARP: " + (a.hop().equals(a.lease().server()) ? "TFTP server " + a.hop()
                            : "gateway " + a.hop() + " toward TFTP server " + a.lease().server()) + " did not answer "
                            + f.requestsSent() + " requests");
                    if (!tryAnotherServer(now, a.lease(), why)) {
                        fail(now, why.stage(), why.message());
                    }
                }
                case ArpStatus.Pending p -> sizing.arpPending(p.requestsSent());
            }
        }
        if (state instanceof State.Transfer t) {
            update.at(now);
            tftp.poll(now);
            switch (tftp.state()) {
                case TftpClient.State.Done d -> enter(now, commit.imageReceived(now, t.lease(), update, d.bytes()));
                case TftpClient.State.Failed f -> transferFailed(now, t.lease(), f.failure());
                default -> {
                }
            }
        } else {
            tftp.poll(now); // dallying: re-ACK a retransmitted last block
        }
        if (state instanceof State.Waiting w && (this.lease.alternativeSeen() || now >= w.until())) {
            if (!tryAnotherServer(now, w.lease(), w.why())) {
                fail(now, w.why().stage(), w.why().message());
            }
        }
        if (state instanceof State.Settling st && now >= st.until()) {
            enter(now, commit.settled(now, st));
        }
        enter(now, commit.poll(now, state)); // after the checks, too: a sidecar's client answers a retransmitted last block
    }

    /** Returns when {@link #poll} next has work. */
    public long pollAt() {
        long at = Math.min(Math.min(net.pollAt(), tftp.pollAt()), commit.pollAt());
        if (state instanceof State.Settling st) {
            at = Math.min(at, st.until());
        } else if (state instanceof State.Waiting w) {
            at = Math.min(at, w.until());
        }
        return finished() ? at : Math.min(at, lease.pollAt());
    }

    /** Takes on the state the {@link CommitStage} moved the boot to, telling the observer when the boot ended. */
    private void enter(long now, State next) {
        if (next == state) {
            return;
        }
        transition(now, next);
        switch (next) {
            case State.Done d -> observer.finished(now, d.report());
            case State.Failed f -> observer.failed(now, f.failure());
            default -> {
            }
        }
    }

    private void bound(long now, Lease lease) {
        boundAt = now;
        observer.leased(now, lease);
        String unusable = lease.serverProblem();
        if (unusable != null) { // no ARP for the board itself, no RRQ to a broadcast address: another offer, or one line
            BootFailure why = new BootFailure(this.lease.stageName(), unusable);
            if (!tryAnotherServer(now, lease, why)) {
                fail(now, why.stage(), why.message());
            }
            return;
        }
        Ipv4Address hop = net.nextHop(lease.server());
        if (hop.isAny()) {
            fail(now, "arp", "server " + lease.server() + " is off-link (" + lease.address() + "/" + lease.netmask().prefixLength()
                    + ") and " + lease.source() + " gave " + lease.noGateway());
            return;
        }
        sizing.arpStarted(now);
        transition(now, new State.Arp(lease, hop));
    }

    /** Returns true while the boot needs its address: from ARP until the new slot is committed. */
    private boolean usesAddress() {
        return state instanceof State.Arp || state instanceof State.Transfer || state instanceof State.Signature
                || state instanceof State.Digest
                || (state instanceof State.Settling st && st.then() == Step.VERIFIED);
    }

    /** The lease ended mid-boot: the stage already took the address off the stack; nothing is committed. */
    private void leaseLost(long now, String reason) {
        if (update != null) {
            update.abort();
        }
        String previous = update == null ? "" : ImageCheck.left(update);
        fail(now, lease.stageName(), reason + previous);
    }

    private void startTransfer(long now, Lease lease) {
        if (sizing.sizeForPath() || unicast.used()) { // windowsize auto: the window from the measured path
            tftp = new TftpClient(net, unicast.config(sizing.tftp()), random);
            unicast.started(tftp);
        }
        RamBudget ram = sizing.ram();
        try {
            update = new SlotUpdate(profile.bootSlots(flash), flash, ram.writer(), ram.flashBuffer(), profile.boot().minImageSize(),
                    observer);
        } catch (FlashException e) {
            fail(now, "flash", e.kind() == FlashException.Kind.NO_FREE_SLOT ? "update refused, nothing written: " + e.getMessage()
                    : "cannot read the slot metadata: " + e.getMessage());
            return;
        }
        update.at(now);
        transition(now, new State.Transfer(lease));
        observer.transferStarted(now, lease.server(), lease.bootFile());
        tftp.startRead(now, lease.server(), TftpWire.SERVER_PORT, lease.bootFile(), update);
    }

    /** Returns the boot's report at the commit (see {@link CommitStage.Reporter}). */
    private BootReport report(long now, Lease lease, boolean signed, String digestOutcome, long imageBytes) {
        FlashStats fs = flash.stats();
        long flashOps = (fs.erases() - flashAtStart.erases()) + (fs.programs() - flashAtStart.programs());
        FlashWriter w = update.writer();
        return new BootReport(net.macAddress(), lease.address(), lease.netmask(), lease.gateway(), lease.dns(),
                lease.hostname(), lease.server(), lease.bootFile(), imageBytes, HexFormat.of().formatHex(w.sha256()),
                update.partition().name(), BootSlots.name(update.target()), signed, digestOutcome, w.offset(), tftp.blockSize(),
                retransmissions(), flashOps, w.erasedSectors(), w.skippedSectors(), this.lease.requests(), startedAt, boundAt,
                tftp.startedAt(), now, this.lease.lease(), this.lease.renewals());
    }

    private void transferFailed(long now, Lease lease, TftpFailure f) {
        if (update != null) {
            update.abort();
        }
        if (unicast.take(tftp, f)) { // RFC 2090 failed mid-way: the image again by a plain RRQ, into a fresh update
            observer.fellBackToUnicast(now, lease, new BootFailure("tftp", UnicastRetry.line(lease.bootFile(), f)));
            startTransfer(now, lease);
            return;
        }
        f = new TftpFailure(f.kind(), f.errorCode(), unicast.failed(tftp, f.message()));
        String stage = f.kind() == TftpFailure.Kind.LOCAL ? "flash" : "tftp";
        boolean couldNotStart = ServerFallback.couldNotStart(f, tftp.stats().blocks());
        // A server that never sent a block may not be the one meant: say so when a host name was given instead.
        String why = f.message() + (couldNotStart ? lease.boot().hostNameNote() : "")
                + (couldNotStart && f.kind() == TftpFailure.Kind.SERVER_ERROR ? lease.boot().fullFileFieldNote() : "");
        if (!couldNotStart || !tryAnotherServer(now, lease, new BootFailure(stage, why))) {
            fail(now, stage, why);
        }
    }

    /**
     * When the boot a DHCP lease named could not start (the server has no such file or refuses it, or the server never
     * answered, before a single block came) and another DHCP server offered an address in the same exchange, gives up
     * this lease and asks again without its server: a rogue or misconfigured server answering first must not keep the
     * board from the one that answers right. At most {@link ServerFallback#MAX_FALLBACKS} times a boot
     * ({@link ServerFallback}); nothing was written to the slot the board boots.
     *
     * @return true when the board asks again
     */
    private boolean tryAnotherServer(long now, Lease lease, BootFailure why) {
        if (!fallback.giveUp(lease.source(), this.lease.alternativeSeen())) {
            long until = boundAt + ServerFallback.LATE_OFFERS;
            if (!(state instanceof State.Waiting) && fallback.mayWait(lease.source()) && now < until) {
                update = null; // a slower server's offer may yet come: wait for it, the lease kept meanwhile
                transition(now, new State.Waiting(lease, why, until));
                return true;
            }
            return false;
        }
        update = null;
        tftp = new TftpClient(net, sizing.tftp(), random); // a fresh client, a fresh port, for the next try
        observer.triedAnotherServer(now, lease, why);
        transition(now, new State.Leasing());
        this.lease.startWithout(now, lease.dhcpServer());
        return true;
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
