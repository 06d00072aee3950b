package dev.netboot.device;

import dev.netboot.flash.Flash;
import dev.netboot.link.Link;
import dev.netboot.link.WaitableLink;
import dev.netboot.net.NetConfig;
import dev.netboot.wire.MacAddress;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A board that boots over the network: the entry point of the device side, and all a board's firmware
 * needs of netboot. Give it a {@link Link} (its Ethernet port), a {@link Flash} (its flash chip), a
 * {@link DeviceProfile} (from a file with {@link DeviceProfile#load}, or built in code with
 * {@link DeviceProfile#builder}) and the time, and poll it:
 *
 * <pre>{@code
 * Board board = Board.builder(profile).link(link).flash(flash).build();
 * while (!board.finished()) {
 *     board.poll(now);                 // now: your clock, in nanoseconds, never going backwards
 *     // sleep until board.pollAt(), or until the link has a frame, whichever comes first
 * }
 * switch (board.result()) {
 *     case Board.Result.Booted b -> ...   // b.report(): address, server, file, bytes, SHA-256, slot
 *     case Board.Result.Failed f -> ...   // f.failure(): the stage and one line saying why
 *     case Board.Result.Running r -> ...  // not reached once finished()
 * }
 * }</pre>
 *
 * <p>What happens: the board gets its address by DHCP (or BOOTP; {@code [dhcp]} of the profile), checks it
 * with ARP, resolves its TFTP server, fetches the boot file and streams it into the inactive of the
 * profile's two flash slots, reads it back, checks its length and SHA-256 (and its Ed25519 signature when the
 * profile carries a public key), and only then makes that slot the one that boots. A boot that fails at any
 * point, power cut included, leaves the previously active slot active and intact. At power-up, before
 * booting an image, a bootloader picks the slot with {@link dev.netboot.flash.BootSlots#select()}
 * ({@code profile.bootSlots(flash)}); the booted system confirms a trial image with
 * {@link dev.netboot.flash.BootSlots#confirm()}.
 *
 * <p>Nothing here reads a clock, sleeps or starts a thread: the time is what you pass to {@link #poll}, and
 * {@link #pollAt} says when the board next needs a poll without a frame arriving. The same board runs on a
 * real link in real time and on the emulator in virtual time. A loop that waits on a
 * {@link WaitableLink} is {@link #runRealTime}. Single-threaded: call it from one thread.
 *
 * <p>The engine behind it is {@link BootSequence}, whose states and counters are internal and may change;
 * this class, its builder and {@link Result} are the stable API.
 */
public final class Board {
    /**
     * Where a board's boot stands.
     */
    public sealed interface Result {
        /**
         * Still booting.
         *
         * @param stage "start" before the first poll, else "lease" (DHCP or BOOTP), "arp", "tftp" (the image
         *              streams into flash), "digest" (fetching the image's {@code FILE.sha256}), "signature" or
         *              "flash" (waiting for the chip to finish)
         */
        record Running(String stage) implements Result {
        }

        /**
         * The image is in flash, verified, and its slot is the one that boots.
         *
         * @param report what the board learned, wrote and what it cost
         */
        record Booted(BootReport report) implements Result {
        }

        /**
         * The boot failed; the previously active slot stays active.
         *
         * @param failure the stage that failed and one line saying why
         */
        record Failed(BootFailure failure) implements Result {
        }
    }

    /** The least MTU a board takes: a DHCP client must take 576-byte datagrams (RFC 2131 section 2). */
    private static final int MIN_MTU = 576;
    /** The most: an IPv4 datagram's total length is a 16-bit field (RFC 791). */
    private static final int MAX_MTU = 65535;

    private final Link link;
    private final BootSequence sequence;
    private boolean started;

    private Board(Builder b, MacAddress mac) {
        this.link = b.link;
        RandomGenerator random = b.random != null ? b.random : new SplittableRandom(new SplittableRandom().nextLong() ^ mac.value());
        this.sequence = new BootSequence(b.link, mac, b.profile, b.net, b.flash, random, b.observer);
    }

    /**
     * Returns a builder of a board of {@code profile}.
     *
     * @throws NullPointerException when {@code profile} is null
     */
    public static Builder builder(DeviceProfile profile) {
        return new Builder(Objects.requireNonNull(profile, "profile"));
    }

    /**
     * Advances the boot to {@code now}: takes the frames the link has, fires the timers that are due, and
     * moves through the stages. The first call starts the boot. Call it whenever the time reaches
     * {@link #pollAt()} or a frame may have arrived; calling it more often does no harm.
     *
     * <p>A {@link dev.netboot.flash.FlashException} from the flash (a refused operation, a read-back that differs) fails
     * the boot: {@link Result.Failed}. Any other exception the link or the flash driver throws (a
     * {@link dev.netboot.link.LinkException} when the interface goes away, a driver's own bug) comes out of this
     * call, and the boot is left where it stopped: do not poll it further, build a new board. The flash then holds
     * what a power cut at that moment would have left, which the slots survive (the previously active slot stays
     * the one that boots).
     *
     * @param now the current time in nanoseconds, from any origin; never smaller than at the call before
     */
    public void poll(long now) {
        if (!started) {
            started = true;
            sequence.start(now);
        }
        sequence.poll(now);
    }

    /**
     * Returns when the board next needs a poll if no frame arrives (nanoseconds, on the clock passed to
     * {@link #poll}): {@link Long#MIN_VALUE} before the first poll, {@link Long#MAX_VALUE} when nothing is
     * scheduled. A time in the past means "poll now".
     */
    public long pollAt() {
        return started ? sequence.pollAt() : Long.MIN_VALUE;
    }

    /** Returns true once the boot has booted or failed; polling further changes nothing of the result. */
    public boolean finished() {
        return sequence.finished();
    }

    /** Returns where the boot stands: running (in which stage), booted, or failed. */
    public Result result() {
        return switch (sequence.state()) {
            case BootSequence.State.Done d -> new Result.Booted(d.report());
            case BootSequence.State.Failed f -> new Result.Failed(f.failure());
            case BootSequence.State.Idle _ -> new Result.Running("start");
            case BootSequence.State.Leasing _ -> new Result.Running("lease");
            case BootSequence.State.Arp _ -> new Result.Running("arp");
            case BootSequence.State.Waiting w -> new Result.Running(w.why().stage());
            case BootSequence.State.Transfer _ -> new Result.Running("tftp");
            case BootSequence.State.Digest _ -> new Result.Running("digest");
            case BootSequence.State.Signature _ -> new Result.Running("signature");
            case BootSequence.State.Settling _ -> new Result.Running("flash");
        };
    }

    /**
     * Boots in real time: polls and waits on the link for a frame or the next deadline, never spinning, until
     * the boot finishes or {@code limitNanos} of wall time have passed (then the result is still
     * {@link Result.Running}). The time starts at 0 with the boot.
     *
     * @throws IllegalStateException when the link is not a {@link WaitableLink} (poll it yourself then), or
     *                               the board was polled already
     */
    public Result runRealTime(long limitNanos) {
        if (!(link instanceof WaitableLink waitable)) {
            throw new IllegalStateException("link " + link.getClass().getName() + " cannot be waited on (expected: a WaitableLink"
                    + " such as RawSocketLink; otherwise call poll(now) in your own loop)");
        }
        if (started) {
            throw new IllegalStateException("board already started: runRealTime runs a whole boot");
        }
        started = true;
        RealTimeBoot.run(sequence, waitable, limitNanos);
        return result();
    }

    /** Returns the packets the board sent again so far: DHCP/BOOTP retransmissions, TFTP retransmissions and re-ACKs. */
    public long retransmissions() {
        return sequence.retransmissions();
    }

    /** Returns the Ethernet port the board was built with. */
    public Link link() {
        return link;
    }

    /**
     * Returns the boot state machine behind this board, for its counters (network, TFTP, RAM). Internal: its
     * states and accessors may change between versions.
     */
    public BootSequence sequence() {
        return sequence;
    }

    /**
     * Puts a board together. {@link #link}, {@link #flash} are required; the rest have defaults.
     */
    public static final class Builder {
        private final DeviceProfile profile;
        private Link link;
        private Flash flash;
        private MacAddress mac;
        private RandomGenerator random;
        private BootObserver observer = new BootObserver() { };
        private NetConfig net = NetConfig.DEFAULTS;

        private Builder(DeviceProfile profile) {
            this.profile = profile;
        }

        /** Sets the board's Ethernet port (required): a {@code RawSocketLink}, your own driver, or an emulator port. */
        public Builder link(Link l) {
            this.link = Objects.requireNonNull(l, "link");
            return this;
        }

        /**
         * Sets the board's flash (required): its geometry must be the profile's ({@code [flash]}), and the profile's
         * partitions are where the A/B slots and their metadata live on it.
         */
        public Builder flash(Flash f) {
            this.flash = Objects.requireNonNull(f, "flash");
            return this;
        }

        /**
         * Sets the board's MAC address. Default: the link's own, or the profile's when the profile says
         * {@code mac-source = profile}.
         */
        public Builder mac(MacAddress m) {
            this.mac = Objects.requireNonNull(m, "mac");
            return this;
        }

        /**
         * Sets where the DHCP transaction IDs, retransmission jitter and TFTP ports come from. Default: a
         * generator seeded anew at each build, mixed with the MAC, so boards powered on together differ. Pass a
         * seeded one to make a run repeatable.
         */
        public Builder random(RandomGenerator r) {
            this.random = Objects.requireNonNull(r, "random");
            return this;
        }

        /** Sets who hears the boot's progress (address leased, transfer started, bytes in flash, done or failed). */
        public Builder observer(BootObserver o) {
            this.observer = Objects.requireNonNull(o, "observer");
            return this;
        }

        /** Sets the network layer's tuning (ARP cache and retries, TTL). Default: {@link NetConfig#DEFAULTS}. */
        public Builder net(NetConfig n) {
            this.net = Objects.requireNonNull(n, "net");
            return this;
        }

        /**
         * Returns the board, ready for its first poll.
         *
         * @throws IllegalStateException    when the link or the flash is missing
         * @throws IllegalArgumentException when the flash's geometry is not the profile's, or the link breaks the
         *                                  {@link Link} contract: an MTU outside 576..65535, or no MAC, a group or
         *                                  an all-zero one (the board's own, unless {@link #mac} or the profile
         *                                  gives it)
         */
        public Board build() {
            if (link == null || flash == null) {
                throw new IllegalStateException("a board needs a link and a flash (missing: " + (link == null ? "link" : "")
                        + (link == null && flash == null ? " and " : "") + (flash == null ? "flash" : "") + ")");
            }
            if (!flash.geometry().equals(profile.flash())) {
                throw new IllegalArgumentException("flash geometry " + flash.geometry() + " differs from profile " + profile.name()
                        + "'s " + profile.flash());
            }
            int mtu = link.mtu();
            if (mtu < MIN_MTU || mtu > MAX_MTU) {
                throw new IllegalArgumentException("link " + link.getClass().getName() + " reports an MTU of " + mtu
                        + " (expected: " + MIN_MTU + ".." + MAX_MTU
                        + ", the Ethernet payload a DHCP client must take up to an IPv4 datagram's most)");
            }
            boolean fromProfile = mac == null && profile.macOverridesInterface();
            MacAddress own = mac != null ? mac : fromProfile ? profile.mac() : link.macAddress();
            if (own == null || own.isGroup() || own.equals(MacAddress.ZERO)) {
                String from = mac != null ? "given to the builder"
                        : fromProfile ? "of profile " + profile.name() : "of link " + link.getClass().getName();
                String what = own == null ? "null" : own + (own.equals(MacAddress.ZERO) ? ", all zeros"
                        : own.equals(MacAddress.BROADCAST) ? ", the broadcast address" : ", a multicast address");
                throw new IllegalArgumentException("the board's MAC " + from + " is " + what
                        + " (expected: a station's own unicast MAC, the first octet even)");
            }
            return new Board(this, own);
        }
    }
}
