/**
 * The frame layer: {@link dev.netboot.link.Link}, a raw Ethernet port that lends buffers, and
 * decorators over it (capture to pcap). It knows frames and MAC addresses, nothing of IP.
 *
 * <p>{@link dev.netboot.link.RawSocketLink} is the real wire: a Linux {@code AF_PACKET} socket reached
 * through the FFM API ({@code java.lang.foreign}, part of java.base), and a
 * {@link dev.netboot.link.WaitableLink} a real-time driver waits on instead of sleeping.
 *
 * <p>API (a board's network driver implements {@code Link}, and proves it with the test kit's
 * {@code LinkContract}): {@link dev.netboot.link.Link}, {@link dev.netboot.link.WaitableLink},
 * {@link dev.netboot.link.RawSocketLink}, {@link dev.netboot.link.LinkException}; the pcap writer and decorator are
 * tooling of the emulator's jar.
 */
package dev.netboot.link;
