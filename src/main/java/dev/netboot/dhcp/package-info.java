/**
 * The board's identity: the DHCP client (RFC 2131) with what real networks add, BOOTP replies taken as bindings
 * (RFC 951, the way iPXE does), ProxyDHCP boot servers merged in (PXE 2.1), the address ARP-checked before use
 * (RFC 5227), and the lease renewed while the boot runs. {@link dev.netboot.dhcp.LeaseStage} is the one stage the
 * boot sequence sees; behind it {@code Acquisition} gets the lease and {@code Renewal} keeps it, or the plain
 * {@link dev.netboot.bootp.BootpClient} when a profile asks for BOOTP only.
 *
 * <p>What it knows: DHCP messages, offers, leases and their times. What it doesn't: TFTP, flash, or what the boot
 * does with the address. It sits beside {@code tftp} above {@code net}, and uses {@code bootp} below it for what a
 * BOOTREPLY says (DHCP is built on BOOTP: RFC 2131 section 1).
 */
package dev.netboot.dhcp;
