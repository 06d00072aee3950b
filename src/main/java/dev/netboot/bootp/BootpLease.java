package dev.netboot.bootp;

import dev.netboot.wire.Ipv4Address;
import java.util.List;

/**
 * What a BOOTP reply told the board.
 *
 * @param address      our address (yiaddr)
 * @param netmask      option 1, else the classful mask of {@code address}
 * @param gateway      first router of option 3, else {@link Ipv4Address#ANY}
 * @param dns          option 6, possibly empty
 * @param hostname     option 12, else empty
 * @param server       the TFTP server: siaddr, else option 66 when it is a dotted address
 * @param bootFile     the {@code file} field, else option 67
 * @param bootFileSize option 13 in bytes (512-byte blocks × 512), or -1
 * @param bootpServer  the address the reply came from
 */
public record BootpLease(Ipv4Address address, Ipv4Address netmask, Ipv4Address gateway, List<Ipv4Address> dns,
                         String hostname, Ipv4Address server, String bootFile, long bootFileSize, Ipv4Address bootpServer) {
    /** Copies the DNS list. */
    public BootpLease {
        dns = List.copyOf(dns);
    }
}
