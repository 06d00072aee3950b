package dev.netboot.device;

import dev.netboot.dhcp.Lease;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;

/** Hears the boot's progress, e.g. to show it on a terminal. Every method has an empty default. */
public interface BootObserver {
    /**
     * The window or block size asked for does not fit the board's RAM as it is: {@code ram}'s note says what
     * the board does instead (drops what does not fit, or asks for smaller blocks). Called once, at the start.
     */
    default void ramShared(long now, RamBudget ram) {
    }

    /** DHCP or BOOTP gave the board its identity. */
    default void leased(long now, Lease lease) {
    }

    /** A DHCPACK extended the lease (RFC 2131 section 4.4.5, at T1 or T2). */
    default void renewed(long now, Lease lease) {
    }

    /** The next hop toward the TFTP server answered ARP. */
    default void resolved(long now, Ipv4Address hop, MacAddress mac) {
    }

    /** The RRQ went out. */
    default void transferStarted(long now, Ipv4Address server, String file) {
    }

    /** {@code bytes} of the image are in flash; {@code expected} is the announced size or -1. */
    default void progress(long now, long bytes, long expected) {
    }

    /** The image was verified. */
    default void finished(long now, BootReport report) {
    }

    /**
     * The boot {@code lease} named could not start ({@code why}), and the board asks DHCP again without that lease's
     * server, because another server offered an address too.
     */
    default void triedAnotherServer(long now, Lease lease, BootFailure why) {
    }

    /**
     * The image's RFC 2090 multicast transfer failed mid-way ({@code why}), and the board asks the server {@code lease}
     * names for it again by a plain unicast request, into a fresh update of the slot (the partial write discarded).
     */
    default void fellBackToUnicast(long now, Lease lease, BootFailure why) {
    }

    /** The boot failed. */
    default void failed(long now, BootFailure failure) {
    }
}
