package dev.netboot.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A BOOTP message (RFC 951), with the RFC 1542 flags field and the RFC 2132 options area.
 *
 * <pre>
 *  op (1) htype (1) hlen (1) hops (1)        offset 0
 *  xid (4)                                   4
 *  secs (2) flags (2)                        8
 *  ciaddr (4) yiaddr (4) siaddr (4) giaddr (4)   12, 16, 20, 24
 *  chaddr (16)                               28
 *  sname (64)                                44
 *  file (128)                                108
 *  vend / options (variable; 64 in RFC 951)  236, magic cookie first
 * </pre>
 *
 * <p>When option 52 (Overload) is present, the {@code file} and/or {@code sname} fields carry
 * options instead of text (RFC 2132 section 9.3) and the record's {@code file}/{@code sname} are
 * then empty.
 *
 * @param op      1 BOOTREQUEST, 2 BOOTREPLY
 * @param htype   hardware type, 1 for Ethernet
 * @param hlen    hardware address length, 6 for Ethernet
 * @param hops    relay hops
 * @param xid     transaction ID
 * @param secs    seconds since the client began
 * @param flags   bit 15 is the RFC 1542 BROADCAST flag
 * @param ciaddr  client address, if the client knows it
 * @param yiaddr  "your" address, given by the server
 * @param siaddr  address of the server for the next step (the boot server)
 * @param giaddr  relay agent address
 * @param chaddr  client hardware address (first six bytes of the field)
 * @param sname   server host name, may be empty
 * @param file    boot file name, may be empty
 * @param options options after the magic cookie; {@link BootpOptions#NONE} without the cookie
 */
public record BootpMessage(int op, int htype, int hlen, int hops, int xid, int secs, int flags,
                           Ipv4Address ciaddr, Ipv4Address yiaddr, Ipv4Address siaddr, Ipv4Address giaddr,
                           MacAddress chaddr, String sname, String file, BootpOptions options) {
    /** op of a request. */
    public static final int BOOTREQUEST = 1;
    /** op of a reply. */
    public static final int BOOTREPLY = 2;
    /** The BROADCAST bit of flags (RFC 1542 section 3.1.1). */
    public static final int FLAG_BROADCAST = 0x8000;
    /** UDP port of the server. */
    public static final int SERVER_PORT = 67;
    /** UDP port of the client. */
    public static final int CLIENT_PORT = 68;
    /** Length of the fixed part, up to the vend field. */
    public static final int FIXED_LEN = 236;
    /** RFC 1542 section 2.1: the minimum BOOTP message is 300 octets (236 + a 64-octet vend field). */
    public static final int MIN_LEN = 300;
    static final int OP = 0, HTYPE = 1, HLEN = 2, HOPS = 3, XID = 4, SECS = 8, FLAGS = 10, CIADDR = 12, YIADDR = 16,
            SIADDR = 20, GIADDR = 24, CHADDR = 28, SNAME = 44, FILE = 108, VEND = 236;
    static final int CHADDR_LEN = 16, SNAME_LEN = 64, FILE_LEN = 128;
    /** The size of the {@code file} field: a name this long fills it, with no NUL. */
    public static final int FILE_FIELD_LENGTH = FILE_LEN;

    /** Checks lengths of the text fields and the 8/16-bit ranges. */
    public BootpMessage {
        // A field may be full, without its NUL: ISC dhcpd and busybox udhcpd send a name of 128 (64) characters so.
        if (sname.length() > SNAME_LEN) {
            throw new IllegalArgumentException("sname longer than 64 characters: " + sname.length());
        }
        if (file.length() > FILE_LEN) {
            throw new IllegalArgumentException("file longer than 128 characters: " + file.length());
        }
        if ((op | htype | hlen | hops) > 0xFF || (secs | flags) > 0xFFFF || (op | htype | hlen | hops | secs | flags) < 0) {
            throw new IllegalArgumentException("BOOTP field out of range");
        }
    }

    /**
     * Returns true when the {@code len} bytes at {@code off} look like a BOOTREPLY for another client: at least the
     * fixed header, op 2, Ethernet hardware address, and a {@code chaddr} other than {@code mac}. A client on a busy
     * segment hears every broadcast reply; this lets it drop the others' without parsing their options.
     */
    public static boolean isReplyForAnother(ByteBuffer buf, int off, int len, MacAddress mac) {
        if (len < FIXED_LEN || off < 0 || buf.limit() - off < FIXED_LEN) {
            return false;
        }
        return buf.get(off) == BOOTREPLY && buf.get(off + 1) == 1 && buf.get(off + 2) == MacAddress.LENGTH
                && MacAddress.readLong(buf, off + CHADDR) != mac.value();
    }

    /** Returns the xid of the message at {@code off}, one {@link #isReplyForAnother} found long enough. */
    public static int xid(ByteBuffer buf, int off) {
        return buf.getInt(off + XID);
    }

    /** Returns the chaddr (as an Ethernet address) of the message at {@code off}, one found long enough. */
    public static MacAddress chaddr(ByteBuffer buf, int off) {
        return MacAddress.read(buf, off + CHADDR);
    }

    /**
     * Parses a message from {@code [off, off+len)}, a UDP payload.
     *
     * @throws MalformedPacketException when shorter than the fixed part, or the options are inconsistent
     */
    public static BootpMessage parse(ByteBuffer buf, int off, int len) {
        MalformedPacketException.requireLength("BOOTP message", len, FIXED_LEN);
        BootpOptions.Parser opts = new BootpOptions.Parser();
        boolean hasCookie = len - VEND >= 4 && buf.getInt(off + VEND) == BootpOptions.MAGIC_COOKIE;
        int overload = 0;
        if (hasCookie) {
            opts.parse(buf, off + VEND + 4, len - VEND - 4, "options");
            overload = opts.overload();
            // RFC 2132 section 9.3: the file field is read first, then sname.
            if ((overload & 1) != 0) {
                opts.parse(buf, off + FILE, FILE_LEN, "file");
            }
            if ((overload & 2) != 0) {
                opts.parse(buf, off + SNAME, SNAME_LEN, "sname");
            }
        }
        return new BootpMessage(buf.get(off + OP) & 0xFF, buf.get(off + HTYPE) & 0xFF, buf.get(off + HLEN) & 0xFF,
                buf.get(off + HOPS) & 0xFF, buf.getInt(off + XID), buf.getShort(off + SECS) & 0xFFFF,
                buf.getShort(off + FLAGS) & 0xFFFF, Ipv4Address.read(buf, off + CIADDR), Ipv4Address.read(buf, off + YIADDR),
                Ipv4Address.read(buf, off + SIADDR), Ipv4Address.read(buf, off + GIADDR), MacAddress.read(buf, off + CHADDR),
                (overload & 2) != 0 ? "" : cString(buf, off + SNAME, SNAME_LEN),
                (overload & 1) != 0 ? "" : cString(buf, off + FILE, FILE_LEN),
                hasCookie ? opts.build() : BootpOptions.NONE);
    }

    /**
     * Returns the text of a {@code sname} or {@code file} field: its bytes up to the first NUL, or all of them. RFC 951
     * calls both "null terminated string"s, but ISC dhcpd and busybox udhcpd fill the whole field, no NUL, with a
     * name of its size (or a longer one, cut: dhcpd logs "file name longer than packet field truncated"), and the
     * clients read it whole: ISC's dhclient ("Don't count on the NUL terminator"), U-Boot, busybox udhcpc, Wireshark.
     */
    private static String cString(ByteBuffer buf, int off, int max) {
        int n = 0;
        while (n < max && buf.get(off + n) != 0) {
            n++;
        }
        byte[] b = new byte[n];
        buf.get(off, b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Returns the length {@link #emit} writes: the fixed part, cookie and options, padded to 300. */
    public int encodedLength() {
        return Math.max(MIN_LEN, VEND + 4 + options.encodedLength());
    }

    /** Writes the message at {@code off} (always with the magic cookie) and returns its length. */
    public int emit(ByteBuffer buf, int off) {
        int len = encodedLength();
        for (int i = 0; i < len; i++) {
            buf.put(off + i, (byte) 0);
        }
        emitHeader(buf, off, true);
        buf.putInt(off + VEND, BootpOptions.MAGIC_COOKIE);
        options.emit(buf, off + VEND + 4);
        return len;
    }

    /**
     * Returns the length {@link #emit(ByteBuffer, int, int)} writes for a receiver that takes at most
     * {@code maxLength} bytes.
     *
     * @throws IllegalArgumentException when the options do not fit even with the file and sname fields
     */
    public int encodedLength(int maxLength) {
        int[] areas = overloadPlan(maxLength);
        return areas == null ? encodedLength() : Math.max(MIN_LEN, VEND + 4 + areas[areas.length - 1]);
    }

    /**
     * Writes the message at {@code off} for a receiver that takes at most {@code maxLength} bytes (RFC 2132
     * section 9.10, Maximum DHCP Message Size; 576 when the client named none) and returns its length. When
     * the options do not fit the options field, they continue in the {@code file} field, then in the
     * {@code sname} field, each area ending with End, and option 52 (Overload) says which (RFC 2131 section
     * 4.1: "the 'file' field MUST be interpreted next ..., followed by the 'sname' field"). Only an empty
     * {@code file} or {@code sname} can carry options; an option never straddles two areas.
     *
     * @throws IllegalArgumentException when the options do not fit even with the file and sname fields
     */
    public int emit(ByteBuffer buf, int off, int maxLength) {
        int[] areas = overloadPlan(maxLength);
        if (areas == null) {
            return emit(buf, off);
        }
        int optionsUsed = areas[areas.length - 1];
        int len = Math.max(MIN_LEN, VEND + 4 + optionsUsed);
        for (int i = 0; i < len; i++) {
            buf.put(off + i, (byte) 0);
        }
        emitHeader(buf, off, false);
        buf.putInt(off + VEND, BootpOptions.MAGIC_COOKIE);
        int[] at = {off + VEND + 4, off + FILE, off + SNAME};
        int overload = 0;
        int chunk = 0;
        // Option 52 goes first, in the options field itself: the receiver must see it before the other areas.
        at[0] += 3;
        for (Chunk c : chunks()) {
            int area = areas[chunk++];
            overload |= area == 1 ? 1 : area == 2 ? 2 : 0;
            buf.put(at[area], (byte) c.code());
            buf.put(at[area] + 1, (byte) c.length());
            buf.put(at[area] + 2, c.value(), c.from(), c.length());
            at[area] += 2 + c.length();
        }
        buf.put(off + VEND + 4, (byte) BootpOptions.OVERLOAD);
        buf.put(off + VEND + 5, (byte) 1);
        buf.put(off + VEND + 6, (byte) overload);
        buf.put(at[0], (byte) BootpOptions.END);
        if ((overload & 1) != 0) {
            buf.put(at[1], (byte) BootpOptions.END);
        }
        if ((overload & 2) != 0) {
            buf.put(at[2], (byte) BootpOptions.END);
        } else {
            buf.put(off + SNAME, sname.getBytes(StandardCharsets.ISO_8859_1));
        }
        if ((overload & 1) == 0) {
            buf.put(off + FILE, file.getBytes(StandardCharsets.ISO_8859_1));
        }
        return len;
    }

    /** One option instance of at most 255 value bytes: {@code value[from, from + length)}. */
    private record Chunk(int code, byte[] value, int from, int length) {
    }

    /** Returns the options as instances of at most 255 bytes (RFC 3396 splitting), Overload left out. */
    private List<Chunk> chunks() {
        List<Chunk> out = new ArrayList<>();
        options.values().forEach((code, v) -> {
            if (code == BootpOptions.OVERLOAD) {
                return;
            }
            int done = 0;
            do {
                int n = Math.min(255, v.length - done);
                out.add(new Chunk(code, v, done, n));
                done += n;
            } while (done < v.length);
        });
        return out;
    }

    /**
     * Returns, for each of {@link #chunks()}, the area it goes in (0 options, 1 file, 2 sname), followed by the
     * bytes used in the options field (Overload and End included); null when everything fits without overload.
     * Options keep their order, moving on to the next area when one is full; when that leaves an option too large
     * for the file and sname fields, the largest options are placed first instead (option 53 always in the
     * options field), each in the first area with room.
     */
    private int[] overloadPlan(int maxLength) {
        if (maxLength < MIN_LEN) {
            throw new IllegalArgumentException("maximum message length " + maxLength + " (expected: >= " + MIN_LEN + ")");
        }
        if (VEND + 4 + options.encodedLength() <= maxLength) {
            return null;
        }
        List<Chunk> chunks = chunks();
        // Room for option 52 (3 bytes) and End in the options field; End in each overloaded field.
        int[] room = {maxLength - VEND - 4 - 3 - 1, file.isEmpty() ? FILE_LEN - 1 : 0, sname.isEmpty() ? SNAME_LEN - 1 : 0};
        int[] plan = inOrder(chunks, room);
        if (plan == null) {
            plan = largestFirst(chunks, room);
        }
        if (plan == null) {
            throw new IllegalArgumentException("options of " + options.encodedLength() + " bytes do not fit a "
                    + maxLength + "-byte message, even in the file and sname fields");
        }
        return plan;
    }

    /** Places the chunks in order, each area filled before the next is used; null when one does not fit. */
    private static int[] inOrder(List<Chunk> chunks, int[] room) {
        int[] used = new int[3];
        int[] plan = new int[chunks.size() + 1];
        int area = 0;
        for (int i = 0; i < chunks.size(); i++) {
            int need = 2 + chunks.get(i).length();
            while (area < 3 && need > room[area] - used[area]) {
                area++;
            }
            if (area == 3) {
                return null;
            }
            used[area] += need;
            plan[i] = area;
        }
        plan[chunks.size()] = used[0] + 3 + 1;
        return plan;
    }

    /**
     * Places option 53 in the options field, then the other chunks largest first, each in the first area with room
     * (first-fit decreasing); the pieces of one long option never go to an earlier area than the piece before them
     * (RFC 3396 section 7: options, then file, then sname). Returns null when one does not fit anywhere.
     */
    private static int[] largestFirst(List<Chunk> chunks, int[] room) {
        int[] used = new int[3];
        int[] plan = new int[chunks.size() + 1];
        java.util.Arrays.fill(plan, -1);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> {
            boolean a53 = chunks.get(a).code() == BootpOptions.MESSAGE_TYPE;
            boolean b53 = chunks.get(b).code() == BootpOptions.MESSAGE_TYPE;
            return a53 != b53 ? (a53 ? -1 : 1) : Integer.compare(chunks.get(b).length(), chunks.get(a).length());
        });
        for (int i : order) {
            int need = 2 + chunks.get(i).length();
            int from = 0;
            for (int j = 0; j < i; j++) {
                if (chunks.get(j).code() == chunks.get(i).code() && plan[j] > from) {
                    from = plan[j];
                }
            }
            int area = from;
            while (area < 3 && need > room[area] - used[area]) {
                area++;
            }
            if (area == 3) {
                return null;
            }
            used[area] += need;
            plan[i] = area;
        }
        plan[chunks.size()] = used[0] + 3 + 1;
        return plan;
    }

    /** Writes the fixed fields; sname and file text unless {@code textFields} is false (they carry options). */
    private void emitHeader(ByteBuffer buf, int off, boolean textFields) {
        buf.put(off + OP, (byte) op);
        buf.put(off + HTYPE, (byte) htype);
        buf.put(off + HLEN, (byte) hlen);
        buf.put(off + HOPS, (byte) hops);
        buf.putInt(off + XID, xid);
        buf.putShort(off + SECS, (short) secs);
        buf.putShort(off + FLAGS, (short) flags);
        ciaddr.write(buf, off + CIADDR);
        yiaddr.write(buf, off + YIADDR);
        siaddr.write(buf, off + SIADDR);
        giaddr.write(buf, off + GIADDR);
        chaddr.write(buf, off + CHADDR);
        if (textFields) {
            buf.put(off + SNAME, sname.getBytes(StandardCharsets.ISO_8859_1));
            buf.put(off + FILE, file.getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    /** Returns true when the BROADCAST flag is set. */
    public boolean broadcast() {
        return (flags & FLAG_BROADCAST) != 0;
    }
}
