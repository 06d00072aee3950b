package dev.netboot.device;

import dev.netboot.dhcp.Lease;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.SlotMetadata;
import dev.netboot.net.NetStack;
import dev.netboot.tftp.TftpClient;
import dev.netboot.tftp.TftpConfig;
import dev.netboot.tftp.TftpFailure;
import dev.netboot.wire.TftpWire;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * What is checked between the read-back and the commit, in this order: the image's SHA-256 against the server's
 * {@code FILE.sha256} as the profile's {@code [boot] digest} says ({@link ImageDigest}), then, on a board with a
 * public key, its Ed25519 signature against {@code FILE.sig} ({@link ImageSignature}). Each sidecar is a small TFTP
 * download of its own into RAM from the image's server; by then the image is in flash and read back, and its SHA-256
 * is the one the {@link SlotUpdate}'s writer computed reading it.
 *
 * <p>Poll-driven like the rest: {@link #start}, then {@link #poll} until {@link #state} is {@link State.Passed} or
 * {@link State.Refused}; keep polling after that, so that a client whose last ACK was lost answers the server's
 * retransmission (RFC 1350's dally). Nothing here commits or aborts: the {@link CommitStage} commits, the
 * {@link BootSequence} aborts.
 */
final class ImageCheck {
    /** Where the checks are. */
    sealed interface State {
        /** Fetching {@code FILE.sha256}. */
        record Digest() implements State {
        }

        /** Fetching {@code FILE.sig}. */
        record Signature() implements State {
        }

        /**
         * Every check the profile asks for passed: commit.
         *
         * @param signed true when the signature was checked
         * @param digest {@link ImageDigest#CHECKED}, {@link ImageDigest#ABSENT} or {@link ImageDigest#OFF}
         */
        record Passed(boolean signed, String digest) implements State {
        }

        /** The image is refused, or a sidecar could not be had: fail in {@code stage}, committing nothing. */
        record Refused(String stage, String message) implements State {
        }
    }

    private final NetStack net;
    private final DeviceProfile profile;
    private final TftpConfig config;
    private final RandomGenerator random;
    private final Lease lease;
    private final SlotUpdate update;
    private TftpClient digestClient;
    private SidecarSink digest;
    private TftpClient signatureClient;
    private SidecarSink signature;
    private String digestOutcome = ImageDigest.OFF;
    private State state;

    /**
     * @param config the TFTP settings of the sidecars' downloads: the image's, without multicast
     * @param lease  the lease that named the server and the boot file
     * @param update the update whose image is written and read back, not yet committed
     */
    ImageCheck(NetStack net, DeviceProfile profile, TftpConfig config, RandomGenerator random, Lease lease, SlotUpdate update) {
        this.net = net;
        this.profile = profile;
        // Without RFC 2090 multicast: a sidecar is one block, for this board alone, and the image's multicast transfer
        // still holds the group's port for its dally (a resent last block gets its ACK again). Asked for by multicast, a
        // server that offers it put the sidecar on the same port, and the board refused it: "the multicast group's port
        // 1758 is taken on this board", its image never committed.
        this.config = config.withMulticast(false);
        this.random = random;
        this.lease = lease;
        this.update = update;
    }

    State state() {
        return state;
    }

    /** Starts with the digest, or with the signature, or passes at once when the profile asks for neither. */
    void start(long now) {
        if (profile.boot().digest() != ImageDigest.Policy.OFF) {
            digest = new SidecarSink(ImageDigest.MAX_SIDECAR, "digest file", "one sha256sum line");
            digestClient = new TftpClient(net, config, random);
            state = new State.Digest();
            digestClient.startRead(now, lease.server(), TftpWire.SERVER_PORT, lease.bootFile() + ".sha256", digest);
        } else {
            digestChecked(now);
        }
    }

    /** Advances the download running, and lets a finished one answer a retransmitted last block. */
    void poll(long now) {
        if (state instanceof State.Digest) {
            digestClient.poll(now);
            switch (digestClient.state()) {
                case TftpClient.State.Done _ -> checkDigest(now);
                case TftpClient.State.Failed f -> digestFailed(now, f.failure());
                default -> {
                }
            }
        } else if (digestClient != null) {
            digestClient.poll(now);
        }
        if (state instanceof State.Signature) {
            signatureClient.poll(now);
            switch (signatureClient.state()) {
                case TftpClient.State.Done _ -> checkSignature();
                case TftpClient.State.Failed f -> signatureFailed(f.failure());
                default -> {
                }
            }
        } else if (signatureClient != null) {
            signatureClient.poll(now);
        }
    }

    /** Returns when {@link #poll} next has work. */
    long pollAt() {
        long at = Long.MAX_VALUE;
        if (digestClient != null) {
            at = digestClient.pollAt();
        }
        if (signatureClient != null) {
            at = Math.min(at, signatureClient.pollAt());
        }
        return at;
    }

    /** Returns the packets the sidecars' downloads sent again. */
    long retransmissions() {
        long n = digestClient == null ? 0 : digestClient.stats().retransmissions();
        return n + (signatureClient == null ? 0 : signatureClient.stats().retransmissions());
    }

    /** Compares the sidecar's SHA-256 with the one read back from flash; goes on (to the signature) only if they are equal. */
    private void checkDigest(long now) {
        String expected;
        try {
            expected = ImageDigest.parse(digest.buffer(), digest.length());
        } catch (IllegalArgumentException e) {
            refuse("digest", lease.bootFile() + ".sha256 is not a SHA-256 line: " + e.getMessage());
            return;
        }
        String actual = HexFormat.of().formatHex(update.writer().sha256());
        if (!expected.equals(actual)) {
            refuse("digest", "image " + lease.bootFile() + " refused: its SHA-256 read back from flash is " + actual + " but "
                    + lease.bootFile() + ".sha256 says " + expected);
            return;
        }
        digestOutcome = ImageDigest.CHECKED;
        digestChecked(now);
    }

    private void digestFailed(long now, TftpFailure f) {
        boolean notFound = f.kind() == TftpFailure.Kind.SERVER_ERROR && f.errorCode() == TftpWire.ERR_FILE_NOT_FOUND;
        if (notFound && profile.boot().digest() == ImageDigest.Policy.IF_PRESENT) {
            digestOutcome = ImageDigest.ABSENT; // the server keeps no digest: boot as an unchecked image
            digestChecked(now);
            return;
        }
        refuse("digest", notFound ? "the server has no " + lease.bootFile() + ".sha256 and this board's profile says digest = required"
                : "fetching " + lease.bootFile() + ".sha256 failed: " + f.message());
    }

    private void digestChecked(long now) {
        if (profile.boot().signed()) {
            signature = new SidecarSink(ImageSignature.SIGNATURE_LENGTH, "signature", "a raw Ed25519 signature");
            signatureClient = new TftpClient(net, config, random);
            state = new State.Signature();
            signatureClient.startRead(now, lease.server(), TftpWire.SERVER_PORT, lease.bootFile() + ".sig", signature);
        } else {
            state = new State.Passed(false, digestOutcome);
        }
    }

    private void checkSignature() {
        String why = update.checkSignature(signature.bytes(), ImageSignature.publicKey(profile.boot().publicKeyBytes()));
        if (why != null) {
            refuse("signature", "image " + lease.bootFile() + " refused: " + why);
            return;
        }
        state = new State.Passed(true, digestOutcome);
    }

    private void signatureFailed(TftpFailure f) {
        refuse("signature", f.kind() == TftpFailure.Kind.SERVER_ERROR && f.errorCode() == TftpWire.ERR_FILE_NOT_FOUND
                ? "the server has no " + lease.bootFile() + ".sig and this board accepts only Ed25519-signed images"
                : "fetching " + lease.bootFile() + ".sig failed: " + f.message());
    }

    /** Refuses the image, saying what the refusal leaves: the slot that was active, or no slot when none was. */
    private void refuse(String stage, String why) {
        state = new State.Refused(stage, why + left(update));
    }

    /** Returns what a boot that commits nothing leaves, as the end of its failure: "; slot A stays active", or no slot. */
    static String left(SlotUpdate update) {
        return update.previous() == SlotMetadata.NONE ? "; nothing committed, no slot is active"
                : "; slot " + BootSlots.name(update.previous()) + " stays active";
    }
}
