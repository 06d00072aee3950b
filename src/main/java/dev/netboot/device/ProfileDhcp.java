package dev.netboot.device;

import dev.netboot.device.ConfigText.Section;
import dev.netboot.device.ConfigText.Value;
import dev.netboot.bootp.BootpConfig;
import dev.netboot.dhcp.DhcpConfig;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a profile's optional {@code [dhcp]} section into a {@link DhcpConfig} and its {@code [bootp]} section into a
 * {@link BootpConfig}; every key falls back to the defaults ({@link DhcpConfig#DEFAULTS}, {@link BootpConfig#DEFAULTS}).
 *
 * <pre>
 * [dhcp]
 * protocol = auto            # auto (DHCP, BOOTP replies accepted) | dhcp | bootp
 * offer-wait = 500ms         # collect offers this long after the first (one naming server and file is taken at once)
 * arp-probes = 2             # RFC 5227 probes of the offered address; 0 turns the check off
 * arp-probe-interval = 200ms # gap between probes, and the silence after the last
 * decline-wait = 10s         # after declining an address in use, wait this long before asking again
 * vendor-class = pxe         # option 60: pxe (PXEClient:Arch:..., with options 93, 94, 97) or any text
 * pxe-arch = 22              # option 93, RFC 4578 architecture (0 x86 BIOS, 7 x64 UEFI, 11 ARM64 UEFI, 22 ARM64 U-Boot)
 * hostname = board-7         # option 12 (optional)
 * </pre>
 */
final class ProfileDhcp {
    private ProfileDhcp() {
    }

    static DhcpConfig read(Optional<Section> section) {
        DhcpConfig d = DhcpConfig.DEFAULTS;
        if (section.isEmpty()) {
            return d;
        }
        Section s = section.get();
        DhcpConfig.Protocol protocol = s.optional("protocol")
                .map(v -> DhcpConfig.Protocol.valueOf(v.asOneOf("auto", "dhcp", "bootp").toUpperCase(Locale.ROOT)))
                .orElse(d.protocol());
        long offerWait = s.optional("offer-wait").map(Value::asDuration).orElse(d.offerWait());
        int probes = s.optional("arp-probes").map(v -> v.asInt(0, 16)).orElse(d.arpProbes());
        long interval = s.optional("arp-probe-interval").map(Value::asDuration).orElse(d.arpProbeInterval());
        long declineWait = s.optional("decline-wait").map(Value::asDuration).orElse(d.declineWait());
        boolean pxe = d.pxe();
        String vendorClass = d.vendorClass();
        Optional<Value> vc = s.optional("vendor-class");
        if (vc.isPresent()) {
            String text = vc.get().asString();
            pxe = text.equals("pxe");
            vendorClass = pxe ? "" : text;
            if (vendorClass.length() > 255) {
                throw vc.get().error("'" + text + "' is " + text.length() + " characters (expected: pxe, or at most 255 characters)");
            }
        }
        int arch = s.optional("pxe-arch").map(v -> v.asInt(0, 0xFFFF)).orElse(d.pxeArch());
        String hostname = s.optional("hostname").map(Value::asString).orElse(d.hostname());
        if (hostname.length() > 255) {
            throw s.require("hostname").error("'" + hostname + "' is " + hostname.length() + " characters (expected: at most 255)");
        }
        if (interval <= 0) {
            throw s.require("arp-probe-interval").error("'" + s.require("arp-probe-interval").text() + "' (expected: more than 0)");
        }
        s.finish();
        return new DhcpConfig(protocol, offerWait, probes, interval, declineWait, vendorClass, pxe, arch, hostname);
    }

    /** Reads {@code [bootp]}: the retransmission policy of every request for an address, DHCP's and BOOTP's alike. */
    static BootpConfig retry(Optional<Section> section) {
        if (section.isEmpty()) {
            return BootpConfig.DEFAULTS;
        }
        Section s = section.get();
        BootpConfig d = BootpConfig.DEFAULTS;
        DurationKey initial = DurationKey.of(s, "initial-timeout", d.initialTimeout());
        DurationKey max = DurationKey.of(s, "max-timeout", d.maxTimeout());
        DurationKey jitter = DurationKey.of(s, "jitter", d.jitter());
        DurationKey giveUp = DurationKey.of(s, "give-up", d.giveUp());
        // BootpConfig's rules, each reported at the key that breaks it (the defaults keep them, so one of the two is given).
        if (initial.ns() <= 0) {
            throw initial.error("(expected: more than 0)");
        }
        if (max.ns() < initial.ns()) {
            throw max.given() ? max.error("is less than initial-timeout " + initial.shown() + " (expected: at least initial-timeout)")
                    : initial.error("is more than max-timeout " + max.shown() + " (expected: at most max-timeout)");
        }
        if (jitter.ns() >= initial.ns()) {
            throw jitter.given() ? jitter.error("is not less than initial-timeout " + initial.shown() + " (expected: less than initial-timeout)")
                    : initial.error("is not more than jitter " + jitter.shown() + " (expected: more than jitter)");
        }
        if (giveUp.ns() <= 0) {
            throw giveUp.error("(expected: more than 0)");
        }
        // Giving up before the first wait ends would send the first request once, never again (RFC 2131 section 4.1
        // asks for retransmission): the timeouts, their doubling and jitter would mean nothing.
        if (giveUp.ns() < initial.ns()) {
            throw giveUp.given() ? giveUp.error("is less than initial-timeout " + initial.shown() + " (expected: at least"
                    + " initial-timeout: the first request would never go again)")
                    : initial.error("is more than give-up " + giveUp.shown() + " (expected: at most give-up)");
        }
        try {
            return new BootpConfig(initial.ns(), max.ns(), jitter.ns(), giveUp.ns());
        } catch (IllegalArgumentException e) {
            throw s.error(e.getMessage());
        }
    }
}
