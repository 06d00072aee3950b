/**
 * An in-process network emulator: a discrete-event simulator on virtual time (nanoseconds) with
 * Ethernet segments ({@link dev.netboot.emulator.EthernetSegment}) whose ports implement the device's
 * {@link dev.netboot.link.Link}, seeded fault injection, a pcap tap, a server host running a DHCP
 * (RFC 2131, optionally answering BOOTP) or BOOTP-only (RFC 951) server and a TFTP (RFC 1350) server on the
 * project's own network stack, other machines on the segment ({@link dev.netboot.emulator.Neighbours}: more
 * DHCP servers, a ProxyDHCP server, plain hosts), and a {@link dev.netboot.emulator.Router} that joins two
 * segments and relays BOOTP and DHCP (RFC 1542).
 *
 * <p>No threads, no sleeping, no wall clock: {@link dev.netboot.emulator.Simulation} jumps from one
 * scheduled instant to the next. All randomness comes from generators seeded from the scenario's seed
 * ({@link dev.netboot.emulator.Seeds}), so one seed gives one event order and a byte-identical capture.
 * This package is test and development tooling; it may allocate, and the device never depends on it.
 */
package dev.netboot.emulator;
