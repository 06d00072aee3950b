package dev.netboot.wire;

/**
 * The one exception the codecs throw for input that does not follow its wire format.
 *
 * <p>Messages state facts in the form "what: actual (expected: X)", for example
 * {@code "UDP length: 4 (expected: >= 8)"}. Layers above the codecs never let this escape for a
 * packet that came off the wire: they drop the packet and count the reason.
 */
public final class MalformedPacketException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a factual message. */
    public MalformedPacketException(String message) {
        super(message);
    }

    /** Throws unless {@code have >= need}; {@code what} names the structure being read. */
    public static void requireLength(String what, int have, int need) {
        if (have < need) {
            throw new MalformedPacketException(what + ": " + have + " bytes (expected: >= " + need + ")");
        }
    }
}
