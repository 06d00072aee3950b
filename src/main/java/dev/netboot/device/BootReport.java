package dev.netboot.device;

import dev.netboot.dhcp.Lease;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.List;

/**
 * The outcome of a successful boot: what the board learned, what it wrote, and what it cost.
 *
 * @param mac             the board's MAC address
 * @param address         address from DHCP or BOOTP
 * @param netmask         netmask from DHCP or BOOTP
 * @param gateway         gateway from DHCP or BOOTP, {@link Ipv4Address#ANY} if none
 * @param dns             DNS servers from DHCP or BOOTP
 * @param hostname        host name from DHCP or BOOTP, may be empty
 * @param server          the TFTP server
 * @param bootFile        the boot file name
 * @param bytes           bytes received and written
 * @param sha256          SHA-256 of the image, lower-case hex, as read back from flash
 * @param partition       the partition written (the slot's partition)
 * @param slot            the slot written and now active: "A" or "B"
 * @param signed          true when the image's Ed25519 signature was checked
 * @param digest          the server's {@code FILE.sha256}: {@code checked} (it matched), {@code absent} (none served,
 *                        and the profile's {@code digest = if-present} let the boot go on) or {@code off} (not asked for)
 * @param partitionOffset the image's first byte in flash
 * @param blockSize       TFTP block size used
 * @param retransmissions packets the board sent again (DHCP/BOOTP requests past the first of each exchange, TFTP)
 * @param flashOps        erase plus program operations
 * @param erasedSectors   erase units the writer erased
 * @param skippedSectors  erase units left alone because they already held the data
 * @param bootpRequests   requests sent for the lease: DHCPDISCOVERs and DHCPREQUESTs, or BOOTREQUESTs
 * @param startedAt       time the boot began (ns)
 * @param boundAt         time the lease was bound (ns)
 * @param transferStartedAt time of the RRQ (ns)
 * @param finishedAt      time the image was verified (ns)
 * @param lease           the lease as it stood at the end: how it was got (dhcp, bootp, proxy), from whom, for how long
 * @param renewals        DHCPACKs that extended the lease during the boot
 */
public record BootReport(MacAddress mac, Ipv4Address address, Ipv4Address netmask, Ipv4Address gateway,
                         List<Ipv4Address> dns, String hostname, Ipv4Address server, String bootFile, long bytes,
                         String sha256, String partition, String slot, boolean signed, String digest, long partitionOffset, int blockSize,
                         long retransmissions, long flashOps, long erasedSectors, long skippedSectors, int bootpRequests,
                         long startedAt, long boundAt, long transferStartedAt, long finishedAt, Lease lease, int renewals) {
    /** Copies the DNS list. */
    public BootReport {
        dns = List.copyOf(dns);
    }

    /** Returns the time from power-up to a verified image, in seconds. */
    public double seconds() {
        return (finishedAt - startedAt) / 1e9;
    }

    /** Returns the time from RRQ to the verified image, in seconds. */
    public double transferSeconds() {
        return (finishedAt - transferStartedAt) / 1e9;
    }
}
