package dev.netboot.tftp;

import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The options one request asks for (RFC 2347), and the check of a server's OACK against them. Pure: it
 * knows {@link TftpConfig} and the wire's option list, nothing of sockets, transfer IDs or time. Each
 * component is the value sent, or {@link #NOT_ASKED}.
 *
 * <p>An OACK is checked option by option: one never asked for (RFC 2347 section 2), or a value out of
 * its RFC's range, is a {@link Refused} whose reason goes into the ERROR 8 the client answers.
 *
 * @param blockSize  {@code blksize} asked for (RFC 2348)
 * @param tsize      {@code tsize} sent (RFC 2349): 0 on a read, the file's size on a write
 * @param timeout    {@code timeout} asked for, seconds (RFC 2349)
 * @param windowSize {@code windowsize} asked for (RFC 7440)
 * @param rollover   tftpd-hpa's {@code rollover} asked for, 0 or 1
 * @param multicast  RFC 2090 {@code multicast} asked for (a read whose transport can join a group); then no
 *                   {@code windowsize}: RFC 2090 transfers are lock-step, "the ACKs ... a request for the n+1th block"
 */
record OptionOffer(int blockSize, long tsize, int timeout, int windowSize, int rollover, boolean multicast) {
    /** A component's value when its option is not in the request. */
    static final int NOT_ASKED = -1;

    /** The request of plain RFC 1350: no options at all. */
    static final OptionOffer NONE = new OptionOffer(NOT_ASKED, NOT_ASKED, NOT_ASKED, NOT_ASKED, NOT_ASKED, false);

    /** An offer without multicast. */
    OptionOffer(int blockSize, long tsize, int timeout, int windowSize, int rollover) {
        this(blockSize, tsize, timeout, windowSize, rollover, false);
    }

    /** What a server's OACK comes to. */
    sealed interface Answer {
    }

    /**
     * The OACK is acceptable; what it settles, with RFC 1350's values for options it left out.
     *
     * @param blockSize  block size to use (512 unless acknowledged)
     * @param windowSize window to use (1 unless acknowledged)
     * @param tsize      size the server announced, or -1
     * @param rollover   where the server wraps block numbers, or -1 when it did not say
     * @param multicast  the group, port and master flag of an RFC 2090 transfer, or null for an ordinary one
     */
    record Agreed(int blockSize, int windowSize, long tsize, int rollover, MulticastOption multicast) implements Answer {
        /** An ordinary (unicast) agreement. */
        Agreed(int blockSize, int windowSize, long tsize, int rollover) {
            this(blockSize, windowSize, tsize, rollover, null);
        }
    }

    /** The OACK is refused, for {@code reason} (without the "TFTP: " prefix). */
    record Refused(String reason) implements Answer {
    }

    /**
     * Returns what a request asks for under {@code config}: {@code requestedBlockSize} is what fits the
     * link ({@link TftpConfig#requestedBlockSize}); {@code size} is the tsize to send, -1 when unknown.
     * Whether to send options at all ({@link TftpConfig#options}) is the caller's call: it also asks
     * without them, {@link #NONE}, after a server refuses options with ERROR 8.
     */
    static OptionOffer of(TftpConfig config, int requestedBlockSize, long size) {
        return of(config, requestedBlockSize, size, false);
    }

    /** As {@link #of(TftpConfig, int, long)}, asking for {@code multicast} too when {@code multicast} is true. */
    static OptionOffer of(TftpConfig config, int requestedBlockSize, long size, boolean multicast) {
        return new OptionOffer(
                requestedBlockSize != TftpWire.DEFAULT_BLOCK_SIZE ? requestedBlockSize : NOT_ASKED,
                config.tsize() && size >= 0 ? size : NOT_ASKED,
                config.serverTimeout() > 0 ? config.serverTimeout() : NOT_ASKED,
                config.windowSize() > 1 && !multicast ? config.windowSize() : NOT_ASKED,
                config.rollover() >= 0 && !multicast ? config.rollover() : NOT_ASKED,
                multicast);
    }

    /** Returns whether the request carries any option. */
    boolean any() {
        return blockSize != NOT_ASKED || tsize != NOT_ASKED || timeout != NOT_ASKED || windowSize != NOT_ASKED
                || rollover != NOT_ASKED || multicast;
    }

    /** Returns the options for the request, in the order blksize, tsize, timeout, windowsize, rollover. */
    List<TftpPacket.Option> options() {
        List<TftpPacket.Option> options = new ArrayList<>();
        if (blockSize != NOT_ASKED) {
            options.add(new TftpPacket.Option("blksize", Integer.toString(blockSize)));
        }
        if (tsize != NOT_ASKED) {
            options.add(new TftpPacket.Option("tsize", Long.toString(tsize)));
        }
        if (timeout != NOT_ASKED) {
            options.add(new TftpPacket.Option("timeout", Integer.toString(timeout)));
        }
        if (windowSize != NOT_ASKED) {
            options.add(new TftpPacket.Option("windowsize", Integer.toString(windowSize)));
        }
        if (rollover != NOT_ASKED) {
            options.add(new TftpPacket.Option("rollover", Integer.toString(rollover)));
        }
        if (multicast) {
            options.add(new TftpPacket.Option("multicast", "")); // RFC 2090: "a string of zero length"
        }
        return options;
    }

    /** Checks the OACK of {@code len} bytes at {@code off} in {@code buf}. */
    Answer check(ByteBuffer buf, int off, int len) {
        if (!any()) {
            return new Refused("OACK without options requested");
        }
        TftpPacket.Oack oack;
        try {
            oack = (TftpPacket.Oack) TftpWire.parse(buf, off, len);
        } catch (MalformedPacketException e) {
            return new Refused("malformed OACK: " + e.getMessage());
        }
        return check(oack.options());
    }

    /** Checks the options of an OACK. */
    Answer check(List<TftpPacket.Option> acknowledged) {
        int size = TftpWire.DEFAULT_BLOCK_SIZE;
        int win = 1;
        long announced = -1;
        int roll = -1;
        MulticastOption mc = null;
        for (int i = 0; i < acknowledged.size(); i++) {
            TftpPacket.Option o = acknowledged.get(i);
            // An option named twice: which value does the server use? Nothing says; refused, not guessed.
            for (int j = 0; j < i; j++) {
                if (acknowledged.get(j).name().equals(o.name())) {
                    return new Refused("OACK names " + o.name() + " twice (" + acknowledged.get(j).value() + ", then " + o.value() + ")");
                }
            }
            if (o.name().equals("multicast")) {
                // RFC 2090: "addr,port,mc"; the first OACK names the group (later ones may leave it empty).
                MulticastOption m = multicast ? MulticastOption.parse(o.value()) : null;
                if (!multicast) {
                    return new Refused("OACK option 'multicast' was never requested");
                }
                if (m == null || m.group() == null) {
                    return new Refused("OACK multicast " + o.value() + " (expected: group,port,0 or 1, the group in 224.0.0.0/4 past 224.0.0.255, like 239.255.0.1,1758,1)");
                }
                mc = m;
                continue;
            }
            // RFC 2347 section 2: the server must not acknowledge an option the client did not send.
            long sent = switch (o.name()) {
                case "blksize" -> blockSize;
                case "tsize" -> tsize;
                case "timeout" -> timeout;
                case "windowsize" -> windowSize;
                case "rollover" -> rollover;
                default -> NOT_ASKED;
            };
            if (sent == NOT_ASKED) {
                return new Refused("OACK option '" + o.name() + "' was never requested");
            }
            long v = number(o.value());
            String range = switch (o.name()) {
                // RFC 2348: the server may answer a smaller size, never a larger one.
                case "blksize" -> v >= TftpConfig.MIN_BLOCK_SIZE && v <= blockSize ? null : "8.." + blockSize;
                case "tsize" -> v >= 0 ? null : "a byte count";
                // RFC 2349: "the specified timeout value must match the value specified by the client".
                case "timeout" -> v == timeout ? null : Integer.toString(timeout);
                // RFC 7440: the server may answer a smaller window.
                case "windowsize" -> v >= 1 && v <= windowSize ? null : "1.." + windowSize;
                default -> v == 0 || v == 1 ? null : "0 or 1";
            };
            if (range != null) {
                return new Refused("OACK " + o.name() + " " + o.value() + " (expected: " + range + ")");
            }
            switch (o.name()) {
                case "blksize" -> size = (int) v;
                case "tsize" -> announced = v;
                case "windowsize" -> win = (int) v;
                case "rollover" -> roll = (int) v;
                default -> {
                }
            }
        }
        return new Agreed(size, win, announced, roll, mc);
    }

    /** Returns the decimal number {@code s}, or -1 when it is not one (empty, a sign, other characters, too long). */
    static long number(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
