/**
 * The network layer: ARP (RFC 826), IPv4 routing (on-link or through the gateway) and UDP (RFC 768)
 * demultiplexing, in one poll-driven {@link dev.netboot.net.NetStack}. It knows addresses, ports and
 * next hops; it knows nothing of BOOTP, TFTP or flash.
 */
package dev.netboot.net;
