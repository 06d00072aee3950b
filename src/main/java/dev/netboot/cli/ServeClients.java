package dev.netboot.cli;

import dev.netboot.emulator.TftpServer;
import dev.netboot.emulator.TftpSession;
import dev.netboot.emulator.timeline.WireFrame;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MacAddress;
import dev.netboot.wire.TftpWire;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code netboot serve}'s view of its clients, one per MAC address, in the order they first spoke: what they
 * asked the address server (DHCP messages, or BOOTP), the address they got, and their TFTP transfers, from the
 * frames on the wire ({@link #frame}) and the TFTP server's own sessions ({@link #poll}). Prints a line on each
 * step (offer, address, transfer started, every quarter of the file, transfer ended) and a summary per client.
 */
final class ServeClients {
    /** One client. */
    static final class Client {
        final MacAddress mac;
        final long firstSeen;
        Ipv4Address address;
        String how = "none";
        int dhcpRequests;
        int dhcpReplies;
        String file;
        long requestAt = -1;
        long endAt = -1;
        final List<Integer> sessions = new ArrayList<>(); // indexes into the server's sessions
        final List<String> later = new ArrayList<>(); // other files asked for once the first transfer started
        int quarter;
        TftpSession.Stats last;
        String refused; // the ERROR the server answered its request for file with (no transfer of its had started)
        String sentError; // the last ERROR the client sent
        final Set<Integer> errorsSaid = new HashSet<>(); // the codes of the server's ERRORs to it already said on a line
        boolean malformedSaid; // a DHCP/BOOTP message of its that did not parse was said

        Client(MacAddress mac, long firstSeen) {
            this.mac = mac;
            this.firstSeen = firstSeen;
        }

        /** Returns the session that tells how the transfer went: a complete one, else the furthest running one, else the newest. */
        TftpSession.Stats best(List<TftpSession.Stats> all) {
            TftpSession.Stats running = null;
            TftpSession.Stats newest = null;
            for (int i : sessions) {
                TftpSession.Stats s = all.get(i);
                if (s.end() == TftpSession.End.COMPLETE) {
                    return s;
                }
                if (s.end() == null && (running == null || s.blocksAcked() > running.blocksAcked())) {
                    running = s;
                }
                newest = s;
            }
            return running != null ? running : newest;
        }

        /** Returns whether the transfer is over: one session completed, or every one ended. */
        boolean finished(List<TftpSession.Stats> all) {
            if (sessions.isEmpty()) {
                return false;
            }
            boolean allEnded = true;
            for (int i : sessions) {
                TftpSession.End e = all.get(i).end();
                if (e == TftpSession.End.COMPLETE) {
                    return true;
                }
                allEnded &= e != null;
            }
            return allEnded;
        }
    }

    private final PrintStream err;
    private final MacAddress server;
    private final long fileSize;
    private final Map<Long, Client> clients = new LinkedHashMap<>();
    private final Map<Integer, MacAddress> byIp = new HashMap<>();
    private int sessionsSeen;
    private long lastRequestAt = -1;
    private boolean running;
    private List<TftpSession.Stats> stats = List.of();

    ServeClients(PrintStream err, MacAddress server, long fileSize) {
        this.err = err;
        this.server = server;
        this.fileSize = fileSize;
    }

    private Client client(MacAddress mac, long now) {
        return clients.computeIfAbsent(mac.value(), _ -> new Client(mac, now));
    }

    /** Reads one frame on the wire (as sent, before any fault) at {@code now}. */
    void frame(long now, WireFrame w) {
        switch (w.kind()) {
            case DHCP_REQUEST -> {
                if (w.chaddr() != null) {
                    Client c = client(w.chaddr(), now);
                    c.dhcpRequests++;
                    if (c.dhcpRequests == 1) {
                        line(now, "dhcp ", c, w.label());
                    }
                }
            }
            case DHCP_REPLY -> {
                if (w.chaddr() != null && w.src().equals(server)) {
                    Client c = client(w.chaddr(), now);
                    c.dhcpReplies++;
                    boolean binding = w.label().equals("DHCPACK") || w.label().equals("BOOTREPLY");
                    if (binding && w.yiaddr() != 0 && !new Ipv4Address(w.yiaddr()).equals(c.address)) {
                        c.address = new Ipv4Address(w.yiaddr());
                        c.how = w.label().equals("BOOTREPLY") ? "bootp" : "dhcp";
                        byIp.put(w.yiaddr(), c.mac);
                        line(now, "dhcp ", c, w.label() + " " + c.address);
                    } else if (w.label().equals("DHCPNAK")) {
                        line(now, "dhcp ", c, "DHCPNAK");
                    }
                }
            }
            case TFTP_REQUEST -> {
                lastRequestAt = now;
                Client c = client(w.src(), now);
                byIp.putIfAbsent(w.srcIp(), w.src());
                if (c.address == null) {
                    c.address = new Ipv4Address(w.srcIp());
                    c.how = "static";
                }
                if (c.requestAt < 0 || (c.sessions.isEmpty() && !w.file().equals(c.file))) {
                    c.file = w.file();
                    c.requestAt = now;
                    c.refused = null; // a refusal of an earlier name is not this one's
                    line(now, "tftp ", c, w.label());
                } else if (!w.file().equals(c.file) && !c.later.contains(w.file())) {
                    // The transfer followed is the first; what the client asks for after it is said, not followed.
                    c.later.add(w.file());
                    line(now, "tftp ", c, w.label());
                }
            }
            case TFTP_ERROR -> {
                int code = Integer.parseInt(w.label().substring("ERROR ".length()));
                String error = "ERROR " + code + " (" + TftpWire.errorName(code) + "): " + w.file();
                if (w.src().equals(server)) {
                    // A request refused (no such file, a mode, a write, a malformed request, busy) or a stranger told off:
                    // said once per client and code, so a client that keeps asking cannot flood the terminal.
                    Client c = clients.get(w.dst().value());
                    if (c != null) {
                        if (c.sessions.isEmpty() && c.refused == null) {
                            c.refused = error;
                        }
                        if (c.errorsSaid.add(code)) {
                            line(now, "tftp ", c, "sent " + error);
                        }
                    }
                } else {
                    Client c = clients.get(w.src().value());
                    if (c != null) {
                        c.sentError = error;
                    }
                }
            }
            case OTHER -> {
                if (w.label().equals("malformed BOOTP") && !w.src().equals(server)) {
                    // A truncated or broken DHCP/BOOTP message: the server ignores it; said once per sender.
                    Client c = client(w.src(), now);
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
        List<TftpSession> sessions = tftp.sessions();
        List<TftpSession.Stats> all = new ArrayList<>(sessions.size());
        for (TftpSession s : sessions) {
            all.add(s.stats());
        }
        stats = all;
        running = false;
        for (TftpSession.Stats s : all) {
            running |= s.end() == null;
        }
        for (; sessionsSeen < all.size(); sessionsSeen++) {
            TftpSession.Stats s = all.get(sessionsSeen);
            MacAddress mac = byIp.get(s.client().value());
            if (mac != null) {
                clients.get(mac.value()).sessions.add(sessionsSeen);
            }
        }
        for (Client c : clients.values()) {
            if (c.sessions.isEmpty() || c.endAt >= 0) {
                continue;
            }
            TftpSession.Stats s = c.best(all);
            c.last = s;
            long bytes = Math.min(fileSize, s.blocksAcked() * s.blockSize());
            int q = fileSize == 0 ? 4 : (int) (bytes * 4 / fileSize);
            if (q > c.quarter && q < 4) {
                c.quarter = q;
                line(now, "tftp ", c, String.format(Locale.ROOT, "%d%% (%d of %d bytes)", q * 25, bytes, fileSize));
            }
            if (c.finished(all)) {
                c.endAt = now;
                line(now, "tftp ", c, s.end() == TftpSession.End.COMPLETE
                        ? String.format(Locale.ROOT, "sent %s: %d bytes in %.3f s, %d retransmissions", c.file, fileSize,
                        (now - c.requestAt) / 1e9, s.retransmissions())
                        : "transfer of " + c.file + " ended: " + end(s) + (s.end() == TftpSession.End.CLIENT_ERROR
                        && c.sentError != null ? ", " + c.sentError : ""));
            }
        }
    }

    /**
     * Returns whether the TFTP server has been idle for {@code quietNanos} at {@code now}: no session running and no
     * request seen for that long (a board asks for {@code FILE.sha256} or {@code FILE.sig} after it has the image).
     */
    boolean quiet(long now, long quietNanos) {
        return !running && (lastRequestAt < 0 || now - lastRequestAt >= quietNanos);
    }

    /** Returns the clients whose transfer is over. */
    int finished() {
        int n = 0;
        for (Client c : clients.values()) {
            n += c.endAt >= 0 ? 1 : 0;
        }
        return n;
    }

    /** Returns the clients, in the order they first spoke. */
    List<Client> clients() {
        return List.copyOf(clients.values());
    }

    /** Prints one line per client: address, how, file, bytes, result, time, retransmissions. */
    void summary(PrintStream out, long now) {
        out.println(clients.size() + (clients.size() == 1 ? " client" : " clients") + ", " + finished() + " finished");
        for (Client c : clients.values()) {
            TftpSession.Stats s = c.last;
            StringBuilder b = new StringBuilder("  ").append(c.mac).append("  ")
                    .append(c.address == null ? "no address" : c.address + " (" + c.how + ")")
                    .append(String.format(Locale.ROOT, ", %d DHCP/BOOTP requests, %d replies", c.dhcpRequests, c.dhcpReplies));
            if (c.file == null) {
                b.append(", no transfer");
            } else if (s == null) {
                b.append(", asked for ").append(c.file).append(", no transfer started");
                if (c.refused != null) {
                    b.append(": refused with ").append(c.refused);
                }
            } else {
                long bytes = s.end() == TftpSession.End.COMPLETE ? fileSize : Math.min(fileSize, s.blocksAcked() * s.blockSize());
                b.append(String.format(Locale.ROOT, ", %s: %d of %d bytes, %s, blksize %d, window %d, %d DATA sent, %d retransmissions, %.3f s",
                        c.file, bytes, fileSize, s.end() == null ? "unfinished" : end(s), s.blockSize(), s.windowSize(), s.dataSent(),
                        s.retransmissions(), ((c.endAt >= 0 ? c.endAt : now) - c.requestAt) / 1e9));
            }
            if (!c.later.isEmpty()) {
                b.append(", then asked for ").append(String.join(", ", c.later));
            }
            out.println(Shown.text(b.toString())); // the file names clients asked for
        }
    }

    /** Returns one JSON object per client, the summary's fields: see README, "A chaos boot server for real boards". */
    List<Json> json(long now) {
        List<Json> all = new ArrayList<>();
        for (Client c : clients.values()) {
            TftpSession.Stats s = c.last;
            Json j = Json.object().put("mac", c.mac.toString()).put("address", c.address == null ? null : c.address.toString())
                    .put("how", c.how).put("dhcpRequests", c.dhcpRequests).put("dhcpReplies", c.dhcpReplies).put("file", c.file);
            j.put("refused", c.refused);
            if (s == null) {
                j.put("transfer", (String) null);
            } else {
                long bytes = s.end() == TftpSession.End.COMPLETE ? fileSize : Math.min(fileSize, s.blocksAcked() * s.blockSize());
                j.put("transfer", Json.object().put("bytes", bytes).put("size", fileSize)
                        .put("end", s.end() == null ? "unfinished" : switch (s.end()) {
                            case COMPLETE -> "complete";
                            case GAVE_UP -> s.blocksAcked() == fileSize / s.blockSize() ? "last-ack-missing" : "gave-up";
                            case CLIENT_ERROR -> "client-error";
                            case READ_ERROR -> "read-error";
                        })
                        .put("blockSize", s.blockSize()).put("windowSize", s.windowSize()).put("dataSent", s.dataSent())
                        .put("retransmissions", s.retransmissions())
                        .put("seconds", ((c.endAt >= 0 ? c.endAt : now) - c.requestAt) / 1e9));
            }
            all.add(j.putArray("later", c.later));
        }
        return all;
    }

    /** Says how a session ended; a session that sent every block but never heard the last ACK says so. */
    private String end(TftpSession.Stats s) {
        if (s.end() == TftpSession.End.GAVE_UP && s.blocksAcked() == fileSize / s.blockSize()) {
            return "every block sent, the last never acknowledged (the client may have it all: a lost final ACK is not sent again)";
        }
        return switch (s.end()) {
            case COMPLETE -> "complete";
            case GAVE_UP -> "gave up (no ACK after every retry)";
            case CLIENT_ERROR -> "the client sent an ERROR";
            case READ_ERROR -> "the file could not be read";
        };
    }

    private void line(long now, String stage, Client c, String what) {
        err.printf(Locale.ROOT, "[%10.3f s] %s %s  %s%n", now / 1e9, stage, c.mac, Shown.text(what)); // a client's file name
    }
}
