/**
 * The frame layer: {@link dev.netboot.link.Link}, a raw Ethernet port that lends buffers, and
 * decorators over it (capture to pcap). It knows frames and MAC addresses, nothing of IP.
 *
 * <p>{@link dev.netboot.link.RawSocketLink} is the real wire: a Linux {@code AF_PACKET} socket reached
 * through the FFM API ({@code java.lang.foreign}, part of java.base), and a
 * {@link dev.netboot.link.WaitableLink} a real-time driver waits on instead of sleeping.
 */
package dev.netboot.link;
