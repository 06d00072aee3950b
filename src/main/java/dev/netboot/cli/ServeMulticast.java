package dev.netboot.cli;

import dev.netboot.emulator.MulticastMember;
import dev.netboot.emulator.TftpMulticastSession;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * How {@code netboot serve}'s summary tells of RFC 2090 multicast ({@code [tftp] multicast = yes}): a client's part of
 * a multicast transfer (its line and its {@code transfer} in JSON), and each transfer as a whole, DATA to the group
 * and the clients it served. A multicast transfer's DATA goes to the group, once for all its clients: the DATA and
 * retransmissions a client's line names are its transfer's, shared with the others.
 */
final class ServeMulticast {
    private ServeMulticast() {
    }

    /**
     * Follows a client's part of multicast transfer {@code t} at {@code now}: says each quarter of what it acknowledged,
     * and how it left ({@code sentError}: the ERROR it sent, if any), through {@code say}.
     */
    static void follow(long now, ServeTransfer t, String sentError, Consumer<String> say) {
        t.joined = t.multicast.members().get(t.member);
        long size = t.multicast.size();
        long bytes = t.bytes();
        int q = size == 0 ? 4 : (int) (bytes * 4 / size);
        if (q > t.quarter && q < 4) {
            t.quarter = q;
            say.accept(String.format(Locale.ROOT, "%s %d%% (%d of %d bytes, by multicast)", t.file, q * 25, bytes, size));
        }
        if (t.joined.left() != null) {
            t.endAt = now;
            say.accept(t.joined.left() == MulticastMember.Left.SERVED
                    ? String.format(Locale.ROOT, "sent %s by multicast to %s: %d bytes in %.3f s", t.file, group(t.multicast),
                    size, t.seconds(now))
                    : "multicast transfer of " + t.file + " ended: " + end(t.joined, t.multicast)
                    + (t.joined.left() == MulticastMember.Left.ERROR && sentError != null ? ", " + sentError : ""));
        }
    }

    /** Returns "group:port" of {@code m}'s DATA. */
    static String group(TftpMulticastSession m) {
        return m.stats().group() + ":" + m.groupPort();
    }

    /**
     * Returns whether the server gave {@code c} up after it had acknowledged every block but the last, which had gone to
     * the group: as a unicast session's "every block sent, the last never acknowledged" ({@link ServeTransfer#lastAckMissing}),
     * the client may have the file. A master's final ACK lost on the wire is not sent again (RFC 1350 leaves it to the
     * client, and atftp, its copy complete, has exited): the server's turns then go unanswered, as a silent client's do.
     */
    static boolean lastAckMissing(MulticastMember c, long size, int blockSize) {
        return givenUp(c) && ServeTransfer.allButTheLast(c.acked(), size, blockSize);
    }

    /** Returns whether the server gave {@code c} up: silent through its turns, or gone (ICMP port unreachable). */
    static boolean givenUp(MulticastMember c) {
        return c.left() == MulticastMember.Left.GIVEN_UP || c.left() == MulticastMember.Left.UNREACHABLE;
    }

    /** Says how a client left multicast transfer {@code m}. */
    static String end(MulticastMember c, TftpMulticastSession m) {
        if (lastAckMissing(c, m.size(), m.blockSize())) {
            return "every block sent, the last never acknowledged (the client may have it all: a lost final ACK is not sent again)";
        }
        return switch (c.left()) {
            case SERVED -> "complete";
            case ERROR -> "the client sent an ERROR";
            case GIVEN_UP -> "gave up (the client stayed silent through its turns as master)";
            case READ_ERROR -> "the file could not be read";
            case UNREACHABLE -> ServeTransfer.GONE;
        };
    }

    /** The JSON {@code end} of a client's part. */
    private static String endKey(MulticastMember c, TftpMulticastSession m) {
        return c.left() == null ? "unfinished" : lastAckMissing(c, m.size(), m.blockSize()) ? "last-ack-missing" : switch (c.left()) {
            case SERVED -> "complete";
            case ERROR -> "client-error";
            case GIVEN_UP -> "gave-up";
            case READ_ERROR -> "read-error";
            case UNREACHABLE -> "unreachable";
        };
    }

    /** Appends a client's part of {@code m} to its summary line. */
    static StringBuilder describe(StringBuilder b, String file, long bytes, TftpMulticastSession m, MulticastMember c, double seconds) {
        TftpMulticastSession.Stats s = m.stats();
        return b.append(String.format(Locale.ROOT, "%s: %d of %d bytes, %s, by multicast to %s, blksize %d, %d DATA to the group, "
                        + "%d retransmissions, %.3f s", file, bytes, m.size(), c.left() == null ? "unfinished" : end(c, m), group(m),
                m.blockSize(), s.dataSent(), s.retransmissions(), seconds));
    }

    /** A client's part of {@code m} as its summary's {@code transfer} (README: a multicast transfer's DATA is shared). */
    static Json transfer(long bytes, TftpMulticastSession m, MulticastMember c, double seconds) {
        TftpMulticastSession.Stats s = m.stats();
        return Json.object().put("bytes", bytes).put("size", m.size()).put("end", endKey(c, m)).put("blockSize", m.blockSize())
                .put("windowSize", 1).put("dataSent", s.dataSent()).put("retransmissions", s.retransmissions()).put("seconds", seconds)
                .put("multicast", Json.object().put("group", s.group().toString()).put("port", m.groupPort()));
    }

    /** Returns the summary's line of transfer {@code m}. */
    static String summary(TftpMulticastSession m) {
        TftpMulticastSession.Stats s = m.stats();
        return String.format(Locale.ROOT, "  multicast %s to %s: %d %s, %d served, %d given up, %d DATA (%d bytes) to the group, "
                        + "%d of them again, %d master changes%s", s.file(), group(m), s.clients(), s.clients() == 1 ? "client" : "clients",
                s.served(), s.givenUp(), s.dataSent(), s.dataBytes(), s.resentData(), s.masterChanges(), m.ended() ? "" : ", running");
    }

    /** Returns transfer {@code m} as one of the summary's {@code multicast}. */
    static Json json(TftpMulticastSession m) {
        TftpMulticastSession.Stats s = m.stats();
        return Json.object().put("file", s.file()).put("group", s.group().toString()).put("port", m.groupPort())
                .put("blockSize", m.blockSize()).put("size", m.size()).put("clients", s.clients()).put("served", s.served())
                .put("givenUp", s.givenUp()).put("groupData", s.dataSent()).put("groupBytes", s.dataBytes())
                .put("resentData", s.resentData()).put("retransmissions", s.retransmissions())
                .put("masterChanges", s.masterChanges()).put("running", !m.ended());
    }
}
