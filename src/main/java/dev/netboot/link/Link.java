package dev.netboot.link;

import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;

/**
 * The frame layer: a raw Ethernet port. Implemented by the emulator's ports and, on Linux, by {@link RawSocketLink}
 * (an AF_PACKET socket), or by a board's own driver; test and debug aids (pcap capture, fault injection) are
 * decorators.
 *
 * <p>Buffers are lent, never kept: a receiver must not hold on to the buffer passed to
 * {@link FrameHandler#onFrame} after it returns, and {@link #transmit} lends the link's own
 * buffer to the filler. Nothing on this interface blocks or sleeps.
 *
 * <p>A port reports a unicast MAC and an MTU of 576 to 65535 bytes; carries frames of 60 to {@code 14 + mtu()} bytes
 * to the other ports of its segment whole and in the order sent, unicast and broadcast; never hands a port a frame it
 * sent itself; and refuses a frame shorter than its 14-byte header or longer than {@code 14 + mtu()} with
 * {@link IllegalArgumentException}, sending nothing. The test kit's {@code LinkContract} checks a driver for all of
 * this.
 */
public interface Link {
    /** Returns this port's own hardware address. */
    MacAddress macAddress();

    /** Returns the largest Ethernet payload (not counting the 14-byte header) this link carries, e.g. 1500. */
    int mtu();

    /**
     * Hands at most one pending received frame to {@code handler}.
     *
     * @param now the current time in nanoseconds (virtual time on the emulator)
     * @return false when no frame was pending
     */
    boolean receive(long now, FrameHandler handler);

    /**
     * Sends one frame of {@code length} bytes (Ethernet header included, FCS excluded). The link lends a
     * buffer whose positions {@code 0..length-1} the filler writes with absolute puts.
     *
     * @return false when the link had no room; the caller keeps its state and retries on a later poll
     * @throws IllegalArgumentException when {@code length} is below 14 (the Ethernet header) or above
     *                                  {@code 14 + mtu()}; nothing is sent
     */
    boolean transmit(long now, int length, FrameFiller filler);

    /**
     * Returns the link's rate in bits per second as the port knows it (a NIC's negotiated speed, an emulated
     * segment's rate), or 0 when it does not know (the default) or the link has none (an infinitely fast wire).
     */
    default long bitsPerSecond() {
        return 0;
    }

    /**
     * Returns how many bytes of received frames the port can queue while the stack is busy (a socket's receive
     * buffer, a NIC's ring), as the kernel accounts them, or 0 when it does not know or does not drop (the default).
     * A sender's window larger than this arrives faster than a slow poll loop takes it, and the rest is lost.
     */
    default long receiveBufferBytes() {
        return 0;
    }

    /**
     * Asks the link to pass frames to multicast address {@code group} up (a NIC's multicast filter, packet(7)'s
     * PACKET_MR_MULTICAST membership). The default does nothing: a link that passes every frame up.
     */
    default void joinMulticast(MacAddress group) {
    }

    /** Undoes {@link #joinMulticast}. */
    default void leaveMulticast(MacAddress group) {
    }

    /** Returns the time (ns) at which {@link #receive} may have a frame to deliver, or {@link Long#MAX_VALUE}. */
    default long pollAt() {
        return Long.MAX_VALUE;
    }

    /** Receives a frame lent by the link: bytes {@code [0, length)} of {@code frame}. */
    @FunctionalInterface
    interface FrameHandler {
        /** Handles one frame; must not keep {@code frame}. */
        void onFrame(long now, ByteBuffer frame, int length);
    }

    /** Writes an outgoing frame into a buffer lent by the link. */
    @FunctionalInterface
    interface FrameFiller {
        /** Writes bytes {@code [0, length)} of {@code frame} with absolute puts. */
        void fill(ByteBuffer frame, int length);
    }
}
