package dev.netboot.device;

/**
 * Why a boot failed.
 *
 * @param stage   the stage that failed: "dhcp" (or "bootp" with {@code protocol = bootp}; a lease lost mid-boot too),
 *                "arp", "tftp", "flash", "verify", ...
 * @param message one line saying what failed and why
 */
public record BootFailure(String stage, String message) {
}
