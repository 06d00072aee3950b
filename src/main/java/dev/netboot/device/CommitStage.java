package dev.netboot.device;

import dev.netboot.device.BootSequence.State;
import dev.netboot.device.BootSequence.Step;
import dev.netboot.dhcp.Lease;
import dev.netboot.flash.BootSlots;
import dev.netboot.flash.Flash;
import dev.netboot.flash.FlashException;
import dev.netboot.flash.SlotMetadata;
import dev.netboot.net.NetStack;
import java.util.random.RandomGenerator;

/**
 * The boot's last stage, from the image's last block to the slot the board boots: the read-back
 * ({@link SlotUpdate#finish}: length and SHA-256 of what flash holds), the sidecar checks ({@link ImageCheck}), then the
 * commit ({@link SlotUpdate#commit}), each step once the flash chip has finished the operations issued before it
 * ({@link State.Settling}; on untimed flash at once).
 *
 * <p>The rules it keeps: an image is committed only when every byte received reached flash and reads back as received,
 * and every check the profile asks for passed; a slot taken on its signature records the key it was signed with
 * (the board's need for signatures outlives its profile's file); a commit that fails leaves the slot that booted
 * before the one that boots; the boot is done only once the chip has written the commit. Whatever it refuses, it
 * refuses before the commit, so the previously active slot stays active.
 *
 * <p>{@link BootSequence} owns it as it owns its other stages: it hands over the image at its last block
 * ({@link #imageReceived}), the settled chip ({@link #settled}) and every poll ({@link #poll}); each returns the state
 * the boot moves to (the one it is in when nothing changed), which the boot takes on and reports.
 */
final class CommitStage {
    /** Builds the boot's report at the commit: {@code imageBytes} reached flash; the boot adds its own counters. */
    interface Reporter {
        BootReport report(long now, Lease lease, boolean signed, String digestOutcome, long imageBytes);
    }

    private final NetStack net;
    private final Flash flash;
    private final DeviceProfile profile;
    private final WindowSizing sizing;
    private final RandomGenerator random;
    private final Reporter reporter;
    private SlotUpdate update;
    private ImageCheck check;        // the sidecars (FILE.sha256, FILE.sig), once the image is read back
    private long imageBytes;
    private BootReport report;

    CommitStage(NetStack net, Flash flash, DeviceProfile profile, WindowSizing sizing, RandomGenerator random,
                Reporter reporter) {
        this.net = net;
        this.flash = flash;
        this.profile = profile;
        this.sizing = sizing;
        this.random = random;
        this.reporter = reporter;
    }

    /** Returns the sidecar requests sent again so far. */
    long retransmissions() {
        return check == null ? 0 : check.retransmissions();
    }

    /** Returns when {@link #poll} next has work. */
    long pollAt() {
        return check == null ? Long.MAX_VALUE : check.pollAt();
    }

    /**
     * The image's last block came, {@code received} bytes in all: reads the image back, then (once the chip settled)
     * checks it.
     */
    State imageReceived(long now, Lease lease, SlotUpdate update, long received) {
        this.update = update;
        try {
            imageBytes = update.finish();
        } catch (FlashException e) {
            return switch (e.kind()) {
                // What flash reads back differs from what came (or cannot be read back at all): the verify.
                case VERIFY_FAILED, ECC_UNCORRECTABLE -> failed("verify",
                        "flash verify of slot " + BootSlots.name(update.target()) + " failed: " + e.getMessage());
                // The last pages are programmed here too: a power cut, a write error or a bad block there is the
                // flash's failure, as the same one a block earlier is; and so is an image refused at the end for
                // want of an announced size, nothing committed.
                default -> failed("flash", e.getMessage());
            };
        }
        if (imageBytes != received) {
            return failed("verify", "received " + received + " bytes but " + imageBytes + " reached flash");
        }
        return afterFlash(now, lease, Step.VERIFIED);
    }

    /** Runs the step that waited for the chip. */
    State settled(long now, State.Settling st) {
        return switch (st.then()) {
            case VERIFIED -> verified(now, st.lease());
            case COMMITTED -> new State.Done(withEnd(report, now));
        };
    }

    /**
     * Polls the sidecar download, after the checks too (a sidecar's client answers a retransmitted last block); while
     * the boot is {@code current}ly checking, returns where the checks took it.
     */
    State poll(long now, State current) {
        if (check == null) {
            return current;
        }
        check.poll(now);
        return switch (current) {
            case State.Digest d -> followCheck(now, d.lease(), current);
            case State.Signature sg -> followCheck(now, sg.lease(), current);
            default -> current;
        };
    }

    /** Moves on after the flash settled; with nothing pending on the chip, at once. */
    private State afterFlash(long now, Lease lease, Step then) {
        long until = flash.busyUntil();
        return until > now ? new State.Settling(lease, then, until) : settled(now, new State.Settling(lease, then, now));
    }

    private State verified(long now, Lease lease) {
        check = new ImageCheck(net, profile, sizing.tftp(), random, lease, update);
        check.start(now);
        return followCheck(now, lease, null);
    }

    /** Moves on as the {@link ImageCheck} says: a sidecar download, the commit, or the refusal. */
    private State followCheck(long now, Lease lease, State current) {
        return switch (check.state()) {
            case ImageCheck.State.Digest _ -> current instanceof State.Digest ? current : new State.Digest(lease);
            case ImageCheck.State.Signature _ -> current instanceof State.Signature ? current : new State.Signature(lease);
            case ImageCheck.State.Passed p -> commit(now, lease, p.signed(), p.digest());
            case ImageCheck.State.Refused r -> failed(r.stage(), r.message());
        };
    }

    private State commit(long now, Lease lease, boolean signed, String digestOutcome) {
        try {
            // The slot records the key it was signed with: the board's need for signatures outlives its profile's file.
            update.commit(profile.boot().trialBoots(),
                    signed ? SlotMetadata.keyId(profile.boot().publicKeyBytes()) : SlotMetadata.UNSIGNED);
        } catch (FlashException e) {
            return failed("commit", "committing slot " + BootSlots.name(update.target()) + " failed: " + e.getMessage());
        }
        report = reporter.report(now, lease, signed, digestOutcome, imageBytes);
        return afterFlash(now, lease, Step.COMMITTED);
    }

    /** Returns {@code r} finished at {@code end}: the commit is done once the chip has written it. */
    private static BootReport withEnd(BootReport r, long end) {
        return r.finishedAt() == end ? r : new BootReport(r.mac(), r.address(), r.netmask(), r.gateway(), r.dns(), r.hostname(),
                r.server(), r.bootFile(), r.bytes(), r.sha256(), r.partition(), r.slot(), r.signed(), r.digest(), r.partitionOffset(),
                r.blockSize(), r.retransmissions(), r.flashOps(), r.erasedSectors(), r.skippedSectors(), r.bootpRequests(),
                r.startedAt(), r.boundAt(), r.transferStartedAt(), end, r.lease(), r.renewals());
    }

    private static State failed(String stage, String message) {
        return new State.Failed(new BootFailure(stage, message));
    }
}
