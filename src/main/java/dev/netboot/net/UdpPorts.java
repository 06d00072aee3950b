package dev.netboot.net;

/**
 * RFC 768's demultiplexing: which handler a datagram goes to, by its destination port. A fixed table of
 * {@code capacity} bindings ({@code NetConfig#udpBindings}: a board needs a handful, a server one per transfer),
 * searched in order; nothing is allocated after construction.
 */
final class UdpPorts {
    private final int[] ports;
    private final UdpHandler[] handlers;
    private int bound;

    UdpPorts(int capacity) {
        this.ports = new int[capacity];
        this.handlers = new UdpHandler[capacity];
    }

    /**
     * Binds {@code handler} to {@code port}.
     *
     * @throws IllegalArgumentException when the port is not 1..65535
     * @throws IllegalStateException    when the port is taken or the table is full
     */
    void bind(int port, UdpHandler handler) {
        if (port <= 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("UDP port " + port + " (expected: 1..65535)");
        }
        if (indexOf(port) >= 0) {
            throw new IllegalStateException("UDP port " + port + " is already bound");
        }
        if (bound == ports.length) {
            throw new IllegalStateException("all " + ports.length + " UDP bindings are in use");
        }
        ports[bound] = port;
        handlers[bound++] = handler;
    }

    /** Removes the binding of {@code port}, if any. */
    void unbind(int port) {
        int i = indexOf(port);
        if (i >= 0) {
            bound--;
            ports[i] = ports[bound];
            handlers[i] = handlers[bound];
            handlers[bound] = null;
        }
    }

    /** Returns true when the table has room for another binding. */
    boolean hasRoom() {
        return bound < ports.length;
    }

    /** Returns the handler bound to {@code port}, or null when nobody listens there. */
    UdpHandler handler(int port) {
        int i = indexOf(port);
        return i < 0 ? null : handlers[i];
    }

    private int indexOf(int port) {
        for (int i = 0; i < bound; i++) {
            if (ports[i] == port) {
                return i;
            }
        }
        return -1;
    }
}
