package dev.netboot.wire;

/**
 * The value of DHCP option 53, DHCP Message Type (RFC 2132 section 9.6): known or unknown, never
 * "invalid". A parsed message keeps an unknown type, and the protocol layer decides what to do with it.
 *
 * <pre>
 *  Value   Message Type        Value   Message Type
 *  -----   ------------        -----   ------------
 *    1     DHCPDISCOVER          5     DHCPACK
 *    2     DHCPOFFER             6     DHCPNAK
 *    3     DHCPREQUEST           7     DHCPRELEASE
 *    4     DHCPDECLINE           8     DHCPINFORM
 * </pre>
 */
public sealed interface DhcpMessageType permits DhcpMessageType.Known, DhcpMessageType.Unknown {
    /** Returns the one-byte value carried in option 53. */
    int value();

    /** The eight types of RFC 2132. */
    enum Known implements DhcpMessageType {
        /** Client broadcast to locate available servers. */
        DISCOVER(1),
        /** Server to client in response to DHCPDISCOVER with an offer of configuration parameters. */
        OFFER(2),
        /** Client message to servers: requesting offered parameters, confirming, or extending a lease. */
        REQUEST(3),
        /** Client to server indicating the network address is already in use. */
        DECLINE(4),
        /** Server to client with configuration parameters, including a committed network address. */
        ACK(5),
        /** Server to client indicating the client's notion of its address is incorrect or its lease expired. */
        NAK(6),
        /** Client to server relinquishing the network address and cancelling the remaining lease. */
        RELEASE(7),
        /** Client to server, asking only for local configuration parameters. */
        INFORM(8);

        private final int value;

        Known(int value) {
            this.value = value;
        }

        @Override
        public int value() {
            return value;
        }

        /** Returns "DHCPDISCOVER", "DHCPACK", ...: the RFC's names. */
        @Override
        public String toString() {
            return "DHCP" + name();
        }
    }

    /**
     * A type no RFC 2132 name exists for.
     *
     * @param value the byte of option 53, 0..255
     */
    record Unknown(int value) implements DhcpMessageType {
        /** Checks the range. */
        public Unknown {
            if (value < 0 || value > 0xFF) {
                throw new IllegalArgumentException("DHCP message type " + value + " (expected: 0..255)");
            }
        }

        /** Returns "type 0x2a". */
        @Override
        public String toString() {
            return String.format("DHCP message type 0x%02x", value);
        }
    }

    /** Returns the known type of {@code value}, else an {@link Unknown}. */
    static DhcpMessageType of(int value) {
        for (Known k : Known.values()) {
            if (k.value == value) {
                return k;
            }
        }
        return new Unknown(value);
    }
}
