/**
 * Wire formats: Ethernet II, ARP, IPv4, UDP, BOOTP with RFC 2132 options, and TFTP with RFC 2347
 * options.
 *
 * <p>What this layer knows: byte layouts, length rules and checksums. What it doesn't: state, time,
 * addresses of anyone in particular, or what a packet means to a conversation. Hot-path formats
 * (Ethernet, IPv4, UDP, TFTP DATA/ACK) are read through reusable views or static accessors over a
 * caller-owned {@link java.nio.ByteBuffer} with absolute indexing; everything callers see is a record.
 * Malformed input throws {@link dev.netboot.wire.MalformedPacketException} and nothing else.
 */
package dev.netboot.wire;
