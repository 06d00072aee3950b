package dev.netboot.dhcp;

import java.util.Objects;

/**
 * How the board asks for its identity, beyond the retransmission timing it shares with BOOTP
 * ({@link dev.netboot.bootp.BootpConfig}). Times are nanoseconds.
 *
 * @param protocol         what to speak: DHCP with BOOTP replies accepted (auto), DHCP only, or BOOTP only
 * @param offerWait        how long to collect offers after the first one, so that a slower server naming a boot
 *                         file can beat a faster one that names none (an offer naming both is taken at once)
 * @param arpProbes        RFC 5227 ARP probes of the offered address before it is used; 0 skips the check
 * @param arpProbeInterval gap between probes, and the silence after the last that counts as "nobody has it"
 * @param declineWait      wait after a DHCPDECLINE before asking again (RFC 2131 section 3.1: "a minimum of ten seconds")
 * @param vendorClass      option 60; empty for none. Ignored when {@code pxe} is set
 * @param pxe              send the PXE vendor class "PXEClient:Arch:NNNNN:UNDI:003016" with options 93, 94 and 97,
 *                         so ProxyDHCP servers (PXE 2.1) answer
 * @param pxeArch          option 93, the RFC 4578 architecture type (IANA registry: 0 x86 BIOS, 7 x64 UEFI,
 *                         11 ARM64 UEFI, 21/22 ARM 32/64-bit U-Boot)
 * @param hostname         option 12, sent when not empty
 */
public record DhcpConfig(Protocol protocol, long offerWait, int arpProbes, long arpProbeInterval, long declineWait,
                         String vendorClass, boolean pxe, int pxeArch, String hostname) {
    /** Which protocol the board speaks. */
    public enum Protocol {
        /** DHCP; a reply without option 53 to our DHCPDISCOVER is a BOOTP binding (iPXE does this). */
        AUTO,
        /** DHCP only: BOOTP replies are ignored. */
        DHCP,
        /** BOOTP only (RFC 951): a BOOTREQUEST without DHCP options. */
        BOOTP;

        /** Returns "auto", "dhcp" or "bootp". */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Auto, 500 ms of offers, 2 probes 200 ms apart, 10 s after a decline, PXE class with architecture 22
     * (ARM 64-bit U-Boot), no host name.
     */
    public static final DhcpConfig DEFAULTS = new DhcpConfig(Protocol.AUTO, 500_000_000L, 2, 200_000_000L, 10_000_000_000L,
            "", true, 22, "");

    /** Checks ranges. */
    public DhcpConfig {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(vendorClass, "vendorClass");
        Objects.requireNonNull(hostname, "hostname");
        if (offerWait < 0 || arpProbes < 0 || arpProbes > 16 || arpProbeInterval <= 0 || declineWait < 0) {
            throw new IllegalArgumentException("DHCP timing: offer wait " + offerWait + " ns, " + arpProbes + " probes "
                    + arpProbeInterval + " ns apart, decline wait " + declineWait
                    + " ns (expected: offer wait >= 0, probes 0..16, interval > 0, decline wait >= 0)");
        }
        if (pxeArch < 0 || pxeArch > 0xFFFF) {
            throw new IllegalArgumentException("PXE architecture " + pxeArch + " (expected: 0..65535)");
        }
        if (vendorClass.length() > 255 || hostname.length() > 255) {
            throw new IllegalArgumentException("vendor class or host name longer than 255 characters");
        }
    }

    /** Returns option 60 as sent: the PXE class when {@code pxe}, else {@code vendorClass} (empty: none). */
    public String vendorClassId() {
        // PXE 2.1 section 2.2.5: "PXEClient:Arch:xxxxx:UNDI:yyyzzz", the architecture in decimal, UNDI major/minor.
        // Built by hand, not with String.format: every boot sends it before its first DHCPDISCOVER, and the Formatter's
        // first use loads the locale providers and their resource bundles, milliseconds of a board's start (issue 11).
        return pxe ? "PXEClient:Arch:" + zeroPadded(pxeArch, 5) + ":UNDI:" + zeroPadded(UNDI_MAJOR, 3) + zeroPadded(UNDI_MINOR, 3)
                : vendorClass;
    }

    /** Returns {@code n} (0 or more) in decimal with leading zeros to {@code width} digits, as {@code %0Nd} writes it. */
    private static String zeroPadded(int n, int width) {
        String digits = Integer.toString(n);
        return "0".repeat(Math.max(0, width - digits.length())) + digits;
    }

    /** UNDI version announced in option 94 and the PXE class: 3.16, what PXE 2.1 firmware sends. */
    static final int UNDI_MAJOR = 3;
    /** See {@link #UNDI_MAJOR}. */
    static final int UNDI_MINOR = 16;

    /** Returns this configuration speaking {@code p}. */
    public DhcpConfig withProtocol(Protocol p) {
        return new DhcpConfig(p, offerWait, arpProbes, arpProbeInterval, declineWait, vendorClass, pxe, pxeArch, hostname);
    }

    /** Returns this configuration with {@code probes} ARP probes {@code interval} apart (0 probes: no check). */
    public DhcpConfig withProbes(int probes, long interval) {
        return new DhcpConfig(protocol, offerWait, probes, interval, declineWait, vendorClass, pxe, pxeArch, hostname);
    }
}
