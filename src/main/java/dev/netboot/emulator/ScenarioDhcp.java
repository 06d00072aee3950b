package dev.netboot.emulator;

import dev.netboot.device.ConfigText;
import java.util.Locale;

/** Reads a scenario's {@code [dhcp]} section: how the emulated DHCP server answers ({@link DhcpSettings}). */
final class ScenarioDhcp {
    private ScenarioDhcp() {
    }

    /** Returns the DHCP server's settings {@code s} gives, the defaults for what it leaves out. */
    static DhcpSettings read(ConfigText.Section s) {
        DhcpSettings d = DhcpSettings.DEFAULTS;
        DhcpSettings.Answers answers = s.optional("answers")
                .map(v -> DhcpSettings.Answers.valueOf(v.asOneOf("dhcp", "bootp", "both").toUpperCase(Locale.ROOT)))
                .orElse(d.answers());
        var leaseKey = s.optional("lease-time");
        var t1Key = s.optional("renewal-time");
        var t2Key = s.optional("rebinding-time");
        long lease = leaseKey.map(ScenarioValues::seconds).orElse(d.leaseSeconds());
        long t1 = t1Key.map(ScenarioValues::seconds).orElse(-1L);
        long t2 = t2Key.map(ScenarioValues::seconds).orElse(-1L);
        // RFC 2131 4.4.5: T1 <= T2 <= the lease; each reported at its key, naming the one it contradicts.
        String leaseShown = leaseKey.map(ConfigText.Value::text).orElse(lease + "s, the default");
        if (t1 > lease) {
            throw ScenarioValues.at(t1Key, "is longer than lease-time " + leaseShown + " (expected: at most lease-time)");
        }
        if (t2 > lease) {
            throw ScenarioValues.at(t2Key, "is longer than lease-time " + leaseShown + " (expected: at most lease-time)");
        }
        if (t1 >= 0 && t2 >= 0 && t1 > t2) {
            throw ScenarioValues.at(t2Key, "is shorter than renewal-time " + t1Key.orElseThrow().text() + " (expected: at least renewal-time)");
        }
        // Left out, T1 and T2 are half and 7/8 of the lease in whole seconds: under 2 s that is 0, and a board told to renew
        // at once renews again the instant each DHCPACK comes (66,253 times in a 13 s boot of a 1 s lease).
        if ((t1 < 0 && lease / 2 == 0) || (t2 < 0 && lease * 7 / 8 == 0)) {
            String which = t1 < 0 && lease / 2 == 0 ? "T1, half of it" : "T2, 7/8 of it";
            String problem = "makes " + which + " in whole seconds, 0 s: a board would renew at once, again and again (expected: at"
                    + " least 2s, or renewal-time and rebinding-time of 1s or more)";
            throw leaseKey.isPresent() ? ScenarioValues.at(leaseKey, problem) : s.error(problem);
        }
        long delay = s.optional("offer-delay").map(ScenarioValues::faultTime).orElse(d.offerDelay());
        var maxKey = s.optional("max-message");
        long maxMessage = maxKey.map(v -> v.asLong(Long.MIN_VALUE, Long.MAX_VALUE)).orElse((long) d.maxMessage());
        if (maxMessage != 0 && (maxMessage < 576 || maxMessage > 1500)) {
            // RFC 2131 section 2: a DHCP client must be able to receive a message of up to 576 bytes; 1500 is Ethernet's MTU.
            // One message for both ends, so that 1501 is not answered with a range (0..1500) that takes 1..575 in.
            throw ScenarioValues.at(maxKey, "is out of range (expected: 0, or 576..1500)");
        }
        boolean option150 = s.optional("tftp-servers-option").map(ConfigText.Value::asBoolean).orElse(d.tftpServersOption());
        DhcpSettings.Renewals renewals = s.optional("renewals")
                .map(v -> DhcpSettings.Renewals.valueOf(v.asOneOf("answer", "ignore", "rebind", "nak").toUpperCase(Locale.ROOT)))
                .orElse(d.renewals());
        s.finish();
        try {
            return new DhcpSettings(answers, lease, t1, t2, delay, (int) maxMessage, option150, renewals);
        } catch (IllegalArgumentException e) {
            throw s.error(e.getMessage());
        }
    }
}
