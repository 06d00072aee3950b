/**
 * An in-process network emulator: a discrete-event simulator on virtual time (nanoseconds) with
 * Ethernet segments ({@link dev.netboot.emulator.EthernetSegment}) whose ports implement the device's
 * {@link dev.netboot.link.Link}, seeded fault injection, a pcap tap, a server host running BOOTP
 * (RFC 951) and TFTP (RFC 1350) servers on the project's own network stack, and a
 * {@link dev.netboot.emulator.Router} that joins two segments and relays BOOTP (RFC 1542).
 *
 * <p>No threads, no sleeping, no wall clock: {@link dev.netboot.emulator.Simulation} jumps from one
 * scheduled instant to the next. All randomness comes from generators seeded from the scenario's seed
 * ({@link dev.netboot.emulator.Seeds}), so one seed gives one event order and a byte-identical capture.
 * This package is test and development tooling; it may allocate, and the device never depends on it.
 */
package dev.netboot.emulator;
