package dev.netboot.wire;

import java.nio.ByteBuffer;

/**
 * An IGMP version 2 message (RFC 2236): how a host tells the routers and snooping switches of its segment which
 * multicast groups it wants, so that a group's traffic reaches it.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      Type     | Max Resp Time |           Checksum            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Group Address                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Types: Membership Query 0x11 (group 0: a General Query), Version 2 Membership Report 0x16, Leave Group 0x17,
 * and the Version 1 Membership Report 0x12 an older host sends. "Max Resp Time" is in tenths of a second and
 * means something in queries only. "The checksum is the 16-bit one's complement of the one's complement sum of
 * the whole IGMP message (the entire IP payload)." A host sends its reports with IP TTL 1 and the Router Alert
 * option (RFC 2113), reports to the group itself and leaves to all-routers 224.0.0.2 (RFC 2236 section 2, 9).
 * An IGMPv3 query (RFC 3376) is longer than 8 bytes; a version 2 host takes it as a version 2 query.
 *
 * @param type        the message type
 * @param maxRespTime a query's maximum response time, tenths of a second (0 in reports and leaves)
 * @param group       the group (0.0.0.0 in a General Query)
 * @see <a href="https://www.rfc-editor.org/rfc/rfc2236">RFC 2236</a>
 */
public record IgmpPacket(int type, int maxRespTime, Ipv4Address group) {
    static final int TYPE = 0, MAX_RESP = 1, CHECKSUM = 2, GROUP = 4;
    /** Length of a version 2 message. */
    public static final int LENGTH = 8;
    /** Membership Query. */
    public static final int QUERY = 0x11;
    /** Version 1 Membership Report. */
    public static final int V1_REPORT = 0x12;
    /** Version 2 Membership Report. */
    public static final int V2_REPORT = 0x16;
    /** Leave Group. */
    public static final int LEAVE = 0x17;
    /** All systems on this subnet, where queries go (RFC 1112). */
    public static final Ipv4Address ALL_SYSTEMS = new Ipv4Address(0xE000_0001);
    /** All routers on this subnet, where leaves go (RFC 2236 section 3). */
    public static final Ipv4Address ALL_ROUTERS = new Ipv4Address(0xE000_0002);

    /** Checks the fields' ranges. */
    public IgmpPacket {
        if (type < 0 || type > 255 || maxRespTime < 0 || maxRespTime > 255) {
            throw new IllegalArgumentException("IGMP type " + type + ", max resp time " + maxRespTime + " (expected: 0..255 each)");
        }
        java.util.Objects.requireNonNull(group, "group");
    }

    /**
     * Parses the IGMP message of {@code len} bytes (the IP payload) at {@code off}.
     *
     * @param verifyChecksum false to skip the checksum (fuzzing)
     * @throws MalformedPacketException when shorter than 8 bytes or the checksum is wrong
     */
    public static IgmpPacket parse(ByteBuffer buf, int off, int len, boolean verifyChecksum) {
        MalformedPacketException.requireLength("IGMP message", len, LENGTH);
        if (len > buf.limit() - off) {
            throw new MalformedPacketException("IGMP message: " + len + " bytes claimed, " + (buf.limit() - off) + " present");
        }
        if (verifyChecksum && Checksum.of(buf, off, len) != 0) {
            throw new MalformedPacketException("IGMP checksum: 0x" + Integer.toHexString(buf.getShort(off + CHECKSUM) & 0xFFFF)
                    + " (expected: the one's complement sum over the message to be 0)");
        }
        return new IgmpPacket(buf.get(off + TYPE) & 0xFF, buf.get(off + MAX_RESP) & 0xFF, Ipv4Address.read(buf, off + GROUP));
    }

    /** Writes the 8 bytes at {@code off}, checksum included. */
    public void emit(ByteBuffer buf, int off) {
        buf.put(off + TYPE, (byte) type);
        buf.put(off + MAX_RESP, (byte) maxRespTime);
        buf.putShort(off + CHECKSUM, (short) 0);
        group.write(buf, off + GROUP);
        buf.putShort(off + CHECKSUM, (short) Checksum.of(buf, off, LENGTH));
    }

    /** Returns whether this is a membership report, of version 1 or 2. */
    public boolean isReport() {
        return type == V2_REPORT || type == V1_REPORT;
    }

    /** Returns the maximum response time of a query in nanoseconds; 10 s for a version 1 query's 0 (RFC 2236 section 4). */
    public long maxResponseNanos() {
        return (maxRespTime == 0 ? 100 : maxRespTime) * 100_000_000L;
    }
}
