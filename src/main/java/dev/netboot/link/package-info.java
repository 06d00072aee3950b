/**
 * The frame layer: {@link dev.netboot.link.Link}, a raw Ethernet port that lends buffers, and
 * decorators over it (capture to pcap). It knows frames and MAC addresses, nothing of IP.
 */
package dev.netboot.link;
