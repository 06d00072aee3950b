package dev.netboot.emulator;

import dev.netboot.net.NetStack;
import dev.netboot.net.PayloadWriter;
import dev.netboot.wire.BootpMessage;
import dev.netboot.wire.BootpOptions;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * How a rogue DHCP server (a {@code [dhcp-server NAME]} with {@code rogue = ...}) gets its replies wrong. Each
 * reply is broadcast, so the board hears it whatever its chaddr says; the server is otherwise an ordinary one
 * (it keeps the leases it hands out), so a board that takes its offer goes on with it.
 */
public enum RogueDhcp {
    /** An honest server. */
    NONE,
    /** The transaction ID is another one (xid + 1): an answer to somebody else's DISCOVER. */
    WRONG_XID,
    /** The chaddr is another machine's (its last byte changed): an answer for somebody else. */
    WRONG_CHADDR,
    /**
     * An option whose length runs past the end of the message: where the end option stood comes option 43 with a
     * length of 255 and a few bytes after it.
     */
    BAD_LENGTH,
    /**
     * Options of the right length with values that cannot be right: subnet mask 255.0.255.0 (not contiguous), and
     * T1 (option 58) after the end of the lease.
     */
    BAD_VALUES;

    /** Returns the kind a scenario names: none, wrong-xid, wrong-chaddr, bad-length, bad-values. */
    public static RogueDhcp parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Returns {@code reply} as this rogue would send it, its header changed; the bytes follow in {@link #send}. */
    BootpMessage header(BootpMessage r) {
        return switch (this) {
            case WRONG_XID -> new BootpMessage(r.op(), r.htype(), r.hlen(), r.hops(), r.xid() + 1, r.secs(), r.flags(), r.ciaddr(),
                    r.yiaddr(), r.siaddr(), r.giaddr(), r.chaddr(), r.sname(), r.file(), r.options());
            case WRONG_CHADDR -> new BootpMessage(r.op(), r.htype(), r.hlen(), r.hops(), r.xid(), r.secs(), r.flags(), r.ciaddr(),
                    r.yiaddr(), r.siaddr(), r.giaddr(), other(r.chaddr(), 1), r.sname(), r.file(), r.options());
            default -> r;
        };
    }

    /** Returns {@code mac}, its last byte changed by {@code delta}. */
    private static MacAddress other(MacAddress mac, int delta) {
        return new MacAddress((mac.value() & ~0xFFL) | ((mac.value() + delta) & 0xFF));
    }

    /** Broadcasts {@code reply} (already through {@link #header}) to the client port, its options spoiled as this kind says. */
    void send(NetStack stack, long now, BootpMessage reply) {
        byte[] b = new byte[Math.max(reply.encodedLength(), BootpMessage.MIN_LEN) + 8];
        int n = reply.emit(ByteBuffer.wrap(b), 0);
        int end = spoil(b, n);
        int len = this == BAD_LENGTH ? end : n;
        PayloadWriter w = (buf, off, l) -> buf.put(off, b, 0, l);
        stack.sendUdpTo(now, MacAddress.BROADCAST, BootpMessage.SERVER_PORT, Ipv4Address.BROADCAST, BootpMessage.CLIENT_PORT, len, w);
    }

    /** Spoils the options of the message in {@code b[0..n)}; returns where the message now ends. */
    private int spoil(byte[] b, int n) {
        int p = BootpMessage.FIXED_LEN + 4; // after the magic cookie
        while (p < n && (b[p] & 0xFF) != BootpOptions.END) {
            int code = b[p] & 0xFF;
            if (code == BootpOptions.PAD) {
                p++;
                continue;
            }
            int len = b[p + 1] & 0xFF;
            if (this == BAD_VALUES && code == 1 && len == 4) {
                b[p + 2] = (byte) 255;
                b[p + 3] = 0;
                b[p + 4] = (byte) 255;
                b[p + 5] = 0;
            } else if (this == BAD_VALUES && code == 58 && len == 4) {
                ByteBuffer.wrap(b).putInt(p + 2, 0xFFFF_FFF0); // renew in 136 years; the lease is hours
            }
            p += 2 + len;
        }
        if (this == BAD_LENGTH && p + 6 <= b.length) {
            b[p] = 43;
            b[p + 1] = (byte) 255;
            for (int i = 2; i < 6; i++) {
                b[p + i] = (byte) i;
            }
            // The message ends before the 255 bytes do, padding or not.
            return Math.max(p + 6, Math.min(n, p + 2 + 254));
        }
        return n;
    }
}
