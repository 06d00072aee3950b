package dev.netboot.device;

import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.util.List;

/**
 * The outcome of a successful boot: what the board learned, what it wrote, and what it cost.
 *
 * @param mac             the board's MAC address
 * @param address         address from BOOTP
 * @param netmask         netmask from BOOTP
 * @param gateway         gateway from BOOTP, {@link Ipv4Address#ANY} if none
 * @param dns             DNS servers from BOOTP
 * @param hostname        host name from BOOTP, may be empty
 * @param server          the TFTP server
 * @param bootFile        the boot file name
 * @param bytes           bytes received and written
 * @param sha256          SHA-256 of the image, lower-case hex, as read back from flash
 * @param partition       the partition written (the slot's partition)
 * @param slot            the slot written and now active: "A" or "B"
 * @param signed          true when the image's Ed25519 signature was checked
 * @param partitionOffset the image's first byte in flash
 * @param blockSize       TFTP block size used
 * @param retransmissions packets the board sent again (BOOTP requests past the first, TFTP)
 * @param flashOps        erase plus program operations
 * @param erasedSectors   erase units the writer erased
 * @param skippedSectors  erase units left alone because they already held the data
 * @param bootpRequests   BOOTREQUESTs sent
 * @param startedAt       time the boot began (ns)
 * @param boundAt         time the BOOTP reply was accepted (ns)
 * @param transferStartedAt time of the RRQ (ns)
 * @param finishedAt      time the image was verified (ns)
 */
public record BootReport(MacAddress mac, Ipv4Address address, Ipv4Address netmask, Ipv4Address gateway,
                         List<Ipv4Address> dns, String hostname, Ipv4Address server, String bootFile, long bytes,
                         String sha256, String partition, String slot, boolean signed, long partitionOffset, int blockSize,
                         long retransmissions, long flashOps, long erasedSectors, long skippedSectors, int bootpRequests,
                         long startedAt, long boundAt, long transferStartedAt, long finishedAt) {
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
