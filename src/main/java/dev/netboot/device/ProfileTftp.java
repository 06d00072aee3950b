package dev.netboot.device;

import dev.netboot.device.ConfigText.Section;
import dev.netboot.device.ConfigText.Value;
import dev.netboot.tftp.TftpConfig;
import java.util.Optional;

/**
 * Reads a profile's optional {@code [tftp]} section into a {@link TftpConfig}; every key falls back to
 * {@link TftpConfig#DEFAULTS}. The keys are described in {@code device-profiles/README.md}.
 */
final class ProfileTftp {
    private ProfileTftp() {
    }

    static TftpConfig read(Optional<Section> section, long spareRam) {
        if (section.isEmpty()) {
            return TftpConfig.DEFAULTS;
        }
        Section s = section.get();
        TftpConfig d = TftpConfig.DEFAULTS;
        DurationKey timeoutKey = DurationKey.of(s, "timeout", d.timeout());
        long timeout = timeoutKey.ns();
        if (timeout <= 0) {
            throw timeoutKey.error("(expected: more than 0)");
        }
        int retries = s.optional("retries").map(v -> v.asInt(0, 1000)).orElse(d.maxRetries());
        // RFC 2348: "valid values range between 8 and 65464 octets, inclusive"; auto: the largest the MTU carries.
        int blksize = s.optional("blksize").map(v -> v.text().equals("auto") ? TftpConfig.AUTO : v.asInt(8, 65464))
                .orElse(d.blockSize());
        // RFC 7440; auto: sized from the path when the transfer starts (PathWindow).
        int window = s.optional("windowsize").map(ProfileTftp::windowSize).orElse(1);
        // RFC 6298 lets round-trip samples bring the timeout down to this; unset, it is the timeout itself (fixed).
        DurationKey minKey = DurationKey.of(s, "min-timeout", -1L);
        long minTimeout = minKey.ns();
        if (minKey.given() && minTimeout <= 0) {
            throw minKey.error("(expected: more than 0, at most the timeout)");
        }
        if (minTimeout > timeout) {
            throw minKey.error("is more than timeout " + timeoutKey.shown() + " (expected: more than 0, at most the timeout)");
        }
        // How long to wait for the next packet before failing; unset, as long as the retries take at the timeout.
        DurationKey giveUpKey = DurationKey.of(s, "give-up", -1L);
        long giveUp = giveUpKey.ns();
        if (giveUpKey.given() && giveUp < timeout) {
            throw giveUpKey.error("is less than timeout " + timeoutKey.shown() + " (expected: at least the timeout)");
        }
        // RFC 2090: ask for the image by multicast; a server that does not offer it sends it as usual.
        boolean multicast = s.optional("multicast").map(Value::asBoolean).orElse(false);
        try {
            TftpConfig c = new TftpConfig(timeout, retries, blksize == TftpConfig.AUTO ? 512 : blksize);
            if (blksize == TftpConfig.AUTO) {
                c = c.withBlockSize(TftpConfig.AUTO);
            }
            if (minTimeout >= 0) {
                c = c.withTimeouts(c.timeout(), minTimeout, c.maxTimeout());
            }
            if (giveUp >= 0) {
                c = c.withGiveUp(giveUp);
            }
            // Blocks held out of order live in the RAM the flash pages and frames leave over.
            c = window != 1 ? c.withWindow(window, Math.max(0, spareRam)) : c;
            return multicast ? c.withMulticast(true) : c;
        } catch (IllegalArgumentException e) {
            throw s.error(e.getMessage());
        }
    }

    /** {@code [tftp] windowsize}: 1..{@link TftpConfig#MAX_WINDOW_SIZE}, or auto ({@link TftpConfig#AUTO}). */
    private static int windowSize(Value v) {
        if (v.text().equals("auto")) {
            return TftpConfig.AUTO;
        }
        if (v.text().isEmpty() || !v.text().chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw v.error("'" + v.text() + "' is neither a whole number nor auto (expected: 1.." + TftpConfig.MAX_WINDOW_SIZE
                    + " or auto)");
        }
        if (v.text().length() > 9 || Integer.parseInt(v.text()) > TftpConfig.MAX_WINDOW_SIZE) {
            throw v.error("'" + v.text() + "' is out of range (expected: 1.." + TftpConfig.MAX_WINDOW_SIZE + " or auto; "
                    + TftpConfig.WINDOW_LIMIT_WHY + ")");
        }
        return v.asInt(1, TftpConfig.MAX_WINDOW_SIZE);
    }
}
