package dev.netboot.cli;

import dev.netboot.emulator.MulticastMember;
import dev.netboot.emulator.TftpMulticastSession;
import dev.netboot.emulator.TftpServer;
import dev.netboot.emulator.TftpSession;
import dev.netboot.emulator.timeline.WireFrame;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpWire;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code netboot serve}'s view of its clients, one per MAC address, in the order they first spoke: what they
 * asked the address server (DHCP messages, or BOOTP), the address they got, and their TFTP transfers, one per file
 * they asked for (a boot loader fetches its configuration, a kernel, an initrd) and one more each time a file they were
 * served is asked for again (a board that booted again, or keeps rebooting), from the frames on the wire
 * ({@link #frame}) and the TFTP server's own sessions ({@link #poll}). Prints a line on each step (offer, address,
 * request, every quarter of a file, the end of each transfer) and a summary per client.
 *
 * <p>A client's first transfer that started (else the file it asked for last) is its main one: the summary's
 * {@code file} and {@code transfer}, and the client has finished once that transfer is over. A client that joined an
 * RFC 2090 multicast transfer has it as its transfer of that file ({@link ServeMulticast}), over once the client
 * acknowledged the last block (or sent an ERROR, or was given up on).
 */
final class ServeClients {
    private final PrintStream err;
    private final MacAddress server;
    private final ServeClientTable table;
    private int sessionsSeen;
    private final ServeSessions seen = new ServeSessions();
    // By session index, while the session runs: the transfer it is of, or null (a client serve does not list).
    private final Map<Integer, ServeTransfer> owners = new HashMap<>();
    private long lastRequestAt = -1;
    private boolean running;
    private long idleSince = -1; // when the last transfer running ended; -1 while one runs
    private List<TftpMulticastSession> multicast = List.of();
    private java.util.function.Function<MacAddress, String> noAddressBecause = _ -> null;

    // A transfer of a client dropped from the table: over, for the sessions it ran that still retry into silence.
    private static final ServeTransfer DROPPED = new ServeTransfer("", 0);

    static {
        DROPPED.endAt = 0;
    }

    ServeClients(PrintStream err, MacAddress server) {
        this(err, server, ServeClientTable.DEFAULT_LIMIT);
    }

    /** Lists at most {@code limit} clients one by one ({@link ServeClientTable}). */
    ServeClients(PrintStream err, MacAddress server, int limit) {
        this.err = err;
        this.server = server;
        this.table = new ServeClientTable(limit, this::dropped);
    }

    /** A client dropped from the table: its sessions' figures are let go, and they count as over. */
    private void dropped(ServeClient c) {
        for (ServeTransfer t : c.transfers) {
            letGo(t);
        }
    }

    private void letGo(ServeTransfer t) {
        for (int i : t.sessions) {
            owners.replace(i, DROPPED);
            seen.forget(i);
        }
    }

    /** Starts {@code c}'s transfer of {@code file}, asked for at {@code now}; one past its list's length folds an earlier away. */
    private ServeTransfer ask(ServeClient c, String file, long now) {
        ServeTransfer t = c.ask(file, now);
        for (ServeTransfer gone = c.fold(); gone != null; gone = c.fold()) {
            letGo(gone);
        }
        return t;
    }

    /**
     * Lets the summary say why a client has no address: {@code why} gives the address server's reason for a client it
     * left unanswered (its pool exhausted, as ISC dhcpd logs "no free leases"; a relay agent from a subnet it has no
     * pool for, as dnsmasq logs "no address range available"), or null.
     */
    void noAddressBecause(java.util.function.Function<MacAddress, String> why) {
        this.noAddressBecause = java.util.Objects.requireNonNull(why);
    }

    private ServeClient client(MacAddress mac, long now) {
        return table.client(mac, now, ServeClient::running);
    }

    /** Returns the client at IPv4 address {@code ip} (one leased to, or that asked for a file), else at {@code mac}, or null. */
    private ServeClient clientAt(MacAddress mac, int ip) {
        MacAddress known = table.at(ip);
        return table.get(known != null ? known : mac);
    }

    /** Reads one frame on the wire (as sent, before any fault) at {@code now}. */
    void frame(long now, WireFrame w) {
        switch (w.kind()) {
            case DHCP_REQUEST -> {
                if (w.chaddr() != null) {
                    ServeClient c = client(w.chaddr(), now);
                    c.dhcpRequests++;
                    if (c.dhcpRequests == 1) {
                        line(now, "dhcp ", c, w.label());
                    }
                    if (w.label().equals("DHCPDECLINE") && c.address != null && c.how.equals("dhcp")) {
                        // RFC 2131 section 4.4.1: the client found its address in use (an ARP reply) and does not use it;
                        // the server keeps the address out of its offers. Until another DHCPACK the client has none.
                        line(now, "dhcp ", c, "DHCPDECLINE " + c.address);
                        table.forgetAt(c.address.value(), c);
                        c.address = null;
                        c.how = "none";
                    }
                }
            }
            case DHCP_REPLY -> {
                if (w.chaddr() != null && w.src().equals(server)) {
                    ServeClient c = client(w.chaddr(), now);
                    c.dhcpReplies++;
                    boolean binding = w.label().equals("DHCPACK") || w.label().equals("BOOTREPLY");
                    if (binding && w.yiaddr() != 0 && !new Ipv4Address(w.yiaddr()).equals(c.address)) {
                        c.address = new Ipv4Address(w.yiaddr());
                        c.how = w.label().equals("BOOTREPLY") ? "bootp" : "dhcp";
                        table.knowAt(w.yiaddr(), c);
                        line(now, "dhcp ", c, w.label() + " " + c.address);
                    } else if (w.label().equals("DHCPNAK")) {
                        line(now, "dhcp ", c, "DHCPNAK");
                    }
                }
            }
            case TFTP_REQUEST -> {
                lastRequestAt = now;
                // A client the DHCP server leased to is known by its address: behind a relay agent its frames come
                // from the router's MAC.
                MacAddress leased = table.at(w.srcIp());
                ServeClient c = client(leased != null ? leased : w.src(), now);
                table.knowAtIfNone(w.srcIp(), c);
                if (c.address == null) {
                    c.address = new Ipv4Address(w.srcIp());
                    c.how = "static";
                }
                ServeTransfer t = c.current(w.file());
                if (t == null || t.served()) {
                    // A file served and asked for again is a transfer of its own (a board booted again, or in a loop).
                    boolean again = t != null;
                    t = ask(c, w.file(), now);
                    line(now, "tftp ", c, w.label() + (again ? " again" : ""));
                } else if (t.endAt >= 0) {
                    line(now, "tftp ", c, w.label() + " again"); // after its transfer ended: a new request, said as the first was
                }
                c.asked = t;
                if (!t.started()) {
                    t.refused = null; // asked again: a refusal of the last request is not this one's yet
                }
            }
            case TFTP_ERROR -> {
                int code = Integer.parseInt(w.label().substring("ERROR ".length()));
                String error = TftpWire.describeError(code, w.file());
                if (w.src().equals(server)) {
                    // A request refused (no such file, a mode, a write, a malformed request, busy) or a stranger told off:
                    // said once per client and code, so a client that keeps asking cannot flood the terminal.
                    ServeClient c = clientAt(w.dst(), w.dstIp());
                    if (c != null) {
                        if (c.asked != null && !c.asked.started() && c.asked.refused == null) {
                            c.asked.refused = error;
                        }
                        if (c.errorsSaid.add(code)) {
                            line(now, "tftp ", c, "sent " + error);
                        }
                    }
                } else {
                    ServeClient c = clientAt(w.src(), w.srcIp());
                    if (c != null) {
                        c.sentError = error;
                    }
                }
            }
            case OTHER -> {
                if (w.label().equals("malformed BOOTP") && !w.src().equals(server)) {
                    // A truncated or broken DHCP/BOOTP message: the server ignores it; said once per sender.
                    ServeClient c = client(w.src(), now);
                    if (!c.malformedSaid) {
                        c.malformedSaid = true;
                        line(now, "dhcp ", c, "a DHCP/BOOTP message that does not parse (truncated or malformed), ignored");
                    }
                }
            }
            default -> {
            }
        }
    }

    /** Follows the TFTP server's sessions: progress by quarters, and ends. */
    void poll(long now, TftpServer tftp) {
        List<TftpSession.Stats> all = seen.refresh(tftp);
        for (; sessionsSeen < all.size(); sessionsSeen++) {
            TftpSession.Stats s = all.get(sessionsSeen);
            MacAddress mac = table.at(s.client().value());
            ServeClient c = mac == null ? null : table.get(mac);
            ServeTransfer t = c == null ? null : c.current(s.file());
            if (t != null && t.completed(all)) {
                // A request from a new transfer ID after the file was sent whole: another transfer (RFC 1350 section 4),
                // though its RRQ was seen before the server took the last ACK (the wire's latency comes after the
                // capture), when it looked like the client asking again for a transfer not yet done. The first ends first.
                if (t.endAt < 0) {
                    follow(now, c, t, all);
                }
                t = ask(c, s.file(), now);
                line(now, "tftp ", c, "RRQ " + s.file() + " again");
            }
            owners.put(sessionsSeen, t);
            if (t != null) {
                t.add(sessionsSeen, now, all);
                for (int f = t.fold(all); f >= 0; f = t.fold(all)) {
                    owners.replace(f, DROPPED);
                    seen.forget(f);
                }
                t.refused = null;
                t.reopen(); // a client that was given up on, or failed, asks again: over once this one is
            } else {
                seen.forget(sessionsSeen); // no client listed holds it: its figures go once it ends
            }
        }
        for (ServeClient c : table.listed()) {
            split(now, c, all);
        }
        multicast = tftp.multicastSessions();
        for (int mi = 0; mi < multicast.size(); mi++) {
            TftpMulticastSession m = multicast.get(mi);
            List<MulticastMember> members = m.members();
            for (int i = 0; i < members.size(); i++) {
                MacAddress mac = table.at(members.get(i).ip().value());
                ServeClient c = mac == null ? null : table.get(mac);
                ServeTransfer t = c == null || c.holds(m, i) ? null : c.current(m.stats().file());
                // A join after the one it follows (transfers in the order they started, members in the order they
                // joined): an earlier one is no joining again, and taking it went back and forth between two, saying
                // each end on every poll.
                if (t != null && (t.multicast == null || t.endAt >= 0 && t.joined != null
                        && t.joined.left() != MulticastMember.Left.SERVED && later(mi, i, multicast.indexOf(t.multicast), t.member))) {
                    // Its first join, or a client that left unserved (given up on, an ERROR) joined again from a new port.
                    t.multicast = m;
                    t.member = i;
                    t.refused = null;
                    t.reopen();
                }
            }
        }
        for (ServeClient c : table.listed()) {
            for (ServeTransfer t : c.transfers) {
                if (t.multicast != null && t.endAt < 0) {
                    ServeMulticast.follow(now, t, c.sentError, what -> line(now, "tftp ", c, what));
                } else if (!t.sessions.isEmpty() && t.endAt < 0) {
                    follow(now, c, t, all);
                }
            }
        }
        running = false;
        for (int i : seen.live()) {
            // A session of a transfer that is over keeps no one waiting: its client has the file from another session
            // (busybox killed and run again asks from a new port; the old session retries into silence until it gives up).
            ServeTransfer t = owners.get(i);
            running |= t == null || t.endAt < 0;
        }
        for (int i : seen.ended()) {
            owners.remove(i);
        }
        for (TftpMulticastSession m : multicast) {
            running |= !m.ended();
        }
        idleSince = running ? -1 : idleSince < 0 ? now : idleSince;
    }

    /** Returns whether member {@code i} of multicast transfer {@code mi} joined after member {@code j} of transfer {@code mj}. */
    private static boolean later(int mi, int i, int mj, int j) {
        return mi > mj || mi == mj && i > j;
    }

    /**
     * Makes each running transfer of {@code c}'s whose sessions turn out to have run side by side two transfers
     * ({@link ServeTransfer#besideFrom}): a host fetching one file several times at once, from a port each. The one
     * split off takes its place in the client's list by the time it was asked for.
     */
    private void split(long now, ServeClient c, List<TftpSession.Stats> all) {
        for (int i = 0; i < c.transfers.size(); i++) {
            ServeTransfer t = c.transfers.get(i);
            int k = t.endAt < 0 && t.multicast == null ? t.besideFrom(all) : -1;
            if (k < 0) {
                continue;
            }
            int beside = all.get(t.sessions.get(k - 1)).clientPort();
            ServeTransfer own = t.split(k);
            for (int s : own.sessions) {
                owners.replace(s, own);
            }
            int at = i + 1;
            while (at < c.transfers.size() && c.transfers.get(at).requestAt <= own.requestAt) {
                at++;
            }
            c.transfers.add(at, own);
            if (c.asked == t) {
                c.asked = own;
            }
            // Said when it is known, a round trip or a timeout after the request: not "RRQ", which would date it now.
            line(now, "tftp ", c, String.format(Locale.ROOT, "%s: the request from port %d is a transfer of its own, beside the one to port %d"
                    + " (the client acknowledges both)", t.file, all.get(own.sessions.getFirst()).clientPort(), beside));
        }
    }

    private void follow(long now, ServeClient c, ServeTransfer t, List<TftpSession.Stats> all) {
        TftpSession.Stats s = t.best(all);
        t.last = s;
        long bytes = t.bytes();
        // A netascii transfer's size is known once its last block is made: no quarters before.
        int q = s.size() < 0 ? 0 : s.size() == 0 ? 4 : (int) (bytes * 4 / s.size());
        if (q > t.quarter && q < 4) {
            t.quarter = q;
            line(now, "tftp ", c, String.format(Locale.ROOT, "%s %d%% (%d of %d bytes)", t.file, q * 25, bytes, s.size()));
        }
        if (t.finished(all)) {
            t.endAt = now;
            line(now, "tftp ", c, s.end() == TftpSession.End.COMPLETE
                    ? String.format(Locale.ROOT, "sent %s: %d bytes in %.3f s, %d retransmissions", t.file, s.size(), t.seconds(now),
                    s.retransmissions()) + t.served(all, now)
                    : "transfer of " + t.file + " ended: " + ServeTransfer.end(s) + (s.end() == TftpSession.End.CLIENT_ERROR
                    && c.sentError != null ? ", " + c.sentError : ""));
        }
    }

    /**
     * Returns whether the TFTP server has been idle for {@code quietNanos} at {@code now}: no session running, none
     * ended and no request seen for that long (a board asks for {@code FILE.sha256} or {@code FILE.sig} after it has
     * the image: counted from the request alone, a transfer longer than that stopped serve at its end, before the
     * board's next request).
     */
    boolean quiet(long now, long quietNanos) {
        return !running && now - Math.max(lastRequestAt, idleSince) >= quietNanos;
    }

    /** Returns the clients whose main transfer is over, and not given up on (those dropped from the table too). */
    int finished() {
        int n = (int) table.unlisted().finished();
        for (ServeClient c : table.listed()) {
            n += c.finished() ? 1 : 0;
        }
        return n;
    }

    /** Returns the clients the server gave up on: they fell silent or went away mid-transfer; not {@link #finished}. */
    int givenUp() {
        int n = (int) table.unlisted().givenUp();
        for (ServeClient c : table.listed()) {
            n += c.givenUp() ? 1 : 0;
        }
        return n;
    }

    /** Returns the clients listed, in the order they first spoke. */
    List<ServeClient> clients() {
        return List.copyOf(table.listed());
    }

    /** Prints one line per client (address, how, its main file: bytes, result, time, retransmissions), one more per other file. */
    void summary(PrintStream out, long now) {
        int gone = givenUp();
        ServeClientTable.Unlisted u = table.unlisted();
        long all = table.listed().size() + u.clients();
        out.println(all + (all == 1 ? " client" : " clients") + ", " + finished() + " finished"
                + (gone == 0 ? "" : ", " + gone + " given up"));
        for (ServeClient c : table.listed()) {
            c.summary(out, now, c.address == null ? noAddressBecause.apply(c.mac) : null);
        }
        if (u.clients() > 0) {
            out.println(u.line(table.limit()));
        }
        for (TftpMulticastSession m : multicast) {
            out.println(Shown.text(ServeMulticast.summary(m))); // the file name a client asked for
        }
    }

    /** Returns what the clients dropped from the table had done: see README ({@code unlisted}). */
    Json unlistedJson() {
        return table.unlisted().json();
    }

    /** Returns one JSON object per multicast transfer, in the order they started: see README. */
    List<Json> multicastJson() {
        List<Json> all = new ArrayList<>();
        for (TftpMulticastSession m : multicast) {
            all.add(ServeMulticast.json(m));
        }
        return all;
    }

    /** Returns one JSON object per client, the summary's fields: see README, "A chaos boot server for real boards". */
    List<Json> json(long now) {
        List<Json> all = new ArrayList<>();
        for (ServeClient c : table.listed()) {
            all.add(c.json(now));
        }
        return all;
    }

    private void line(long now, String stage, ServeClient c, String what) {
        // One print of the whole line (LineStamp): a client's file name, escaped.
        err.print(LineStamp.of(now, 10).append(stage).append(' ').append(c.mac).append("  ").append(Shown.text(what))
                .append(System.lineSeparator()).toString());
    }
}
