package dev.netboot.emulator;

import dev.netboot.net.NetStack;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.TftpPacket;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 2090 admission for the {@link TftpServer}: which group, if any, it offers, and what becomes of an RRQ with the
 * {@code multicast} option. The client joins the transfer already sending this file at its block size (and needs no
 * port of its own), or starts one on a fresh port and the next free group of the offered range; a file of more than
 * 65535 blocks at the block size, or no group free, is refused. The transfer's options are what the request asked
 * of blksize, tsize and timeout, never windowsize or rollover (RFC 2090 is lock-step and never wraps). The server
 * binds, runs and times the transfers; this class decides and keeps the list of them.
 */
final class MulticastAdmission {
    /** What became of a multicast request. */
    sealed interface Outcome {
        /**
         * The client joins {@code session}, a running transfer of the same file at the same block size; {@code oack}:
         * what its own request negotiated (the options its OACK may name, RFC 2347).
         */
        record Join(TftpMulticastSession session, List<TftpPacket.Option> oack) implements Outcome {
        }

        /** A new transfer, {@code session}, for the client: on the request's port, not yet bound. */
        record Start(TftpMulticastSession session, List<TftpPacket.Option> oack) implements Outcome {
        }

        /** Refused with ERROR 0 {@code message}; {@code busy} when for want of a group or port ("Server busy"). */
        record Refuse(boolean busy, String message) implements Outcome {
        }
    }

    private final NetStack stack;
    private final TftpServerConfig config;
    private final PortShare share;
    private Scenario.Multicast offer;
    private final List<TftpMulticastSession> sessions = new ArrayList<>();

    /** Admission for a server on {@code stack}; its transfers send DATA in turn through {@code share}. */
    MulticastAdmission(NetStack stack, TftpServerConfig config, PortShare share) {
        this.stack = stack;
        this.config = config;
        this.share = share;
    }

    /** Offers multicast on {@code m}'s groups and port (null: the option goes unanswered). */
    void offer(Scenario.Multicast m) {
        this.offer = m;
    }

    /** Returns every multicast transfer started so far, in order. */
    List<TftpMulticastSession> sessions() {
        return List.copyOf(sessions);
    }

    /** Returns whether {@code options} ask for multicast and the server offers it. */
    boolean asked(List<TftpPacket.Option> options) {
        return offer != null && asks(options, "multicast");
    }

    /** Returns whether a request would join a running multicast transfer (and so needs no transfer of its own). */
    boolean joins(TftpPacket p) {
        if (offer == null || !(p instanceof TftpPacket.Rrq r) || !asks(r.options(), "multicast")
                || !r.mode().equalsIgnoreCase("octet")) {
            return false;
        }
        for (TftpMulticastSession m : sessions) {
            if (!m.ended() && m.file().equals(r.filename())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Admits an RRQ for {@code name} ({@code content}) with {@code options}, from a client given port {@code tid} (-1:
     * none could be had): joins a running transfer, starts one, or refuses.
     */
    Outcome admit(String name, ServedFile content, List<TftpPacket.Option> options, int tid) {
        List<TftpPacket.Option> plain = new ArrayList<>();
        for (TftpPacket.Option o : options) {
            if (!o.name().equals("multicast") && !o.name().equals("windowsize") && !o.name().equals("rollover")) {
                plain.add(o);
            }
        }
        TftpServerSession.Params params = ServerOptions.negotiate(config, stack.maxUdpPayload(), plain, content.size());
        if (content.size() / params.blockSize() + 1 > 65535) {
            return new Outcome.Refuse(false, "File too big for multicast at blksize " + params.blockSize()
                    + ": at most 65535 blocks");
        }
        List<TftpPacket.Option> oack = params.oack() == null ? List.of() : params.oack().options();
        for (TftpMulticastSession m : sessions) {
            if (!m.ended() && m.file().equals(name) && m.blockSize() == params.blockSize()) {
                return new Outcome.Join(m, oack);
            }
        }
        Ipv4Address group = freeGroup();
        if (group == null || tid < 0) {
            return new Outcome.Refuse(true, "Server busy: no multicast group free");
        }
        TftpMulticastSession m = new TftpMulticastSession(stack, config, tid, group, offer.port(), name, content, params,
                oack, share);
        sessions.add(m);
        return new Outcome.Start(m, oack);
    }

    /** Returns the first group of the offered range no running transfer uses, or null. */
    private Ipv4Address freeGroup() {
        for (int i = 0; i < offer.groups(); i++) {
            Ipv4Address g = new Ipv4Address(offer.firstGroup().value() + i);
            boolean used = false;
            for (TftpMulticastSession m : sessions) {
                used |= !m.ended() && m.group().equals(g);
            }
            if (!used) {
                return g;
            }
        }
        return null;
    }

    /** Returns whether {@code options} hold one named {@code name}. */
    private static boolean asks(List<TftpPacket.Option> options, String name) {
        for (TftpPacket.Option o : options) {
            if (o.name().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
