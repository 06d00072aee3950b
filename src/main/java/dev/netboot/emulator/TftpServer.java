package dev.netboot.emulator;

import dev.netboot.net.NetStack;
import dev.netboot.net.UdpHandler;
import dev.netboot.wire.Ipv4Address;
import dev.netboot.wire.MalformedPacketException;
import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A TFTP server (RFC 1350 with RFC 2347-2349 options and RFC 7440 windows) on UDP port 69 of a
 * {@link ServerHost}.
 *
 * <p>Each request starts a session on a fresh transfer ID: an ephemeral port drawn from a seeded generator in
 * 49152..65535 and not bound on the host ({@link TransferIds}), or port 69 itself with
 * {@link TftpServerConfig#singlePort()}. A request sent again from the client's TID while its transfer runs is that
 * transfer's (its timer answers), not a second session's; a request from a new port, or for another file, is a new one.
 *
 * <ul>
 *   <li>Modes: "octet" gets the file byte for byte, "netascii" its netascii form (RFC 1350: LF as CR LF, CR as CR
 *       NUL), made block by block as it is sent ({@link NetasciiBlocks}: no read ahead, no pause for other clients,
 *       memory independent of the file's size), as tftpd-hpa does; {@code tsize} and {@code multicast} are left out
 *       of its OACK (tftpd-hpa has no multicast, and refuses tsize in netascii with ERROR 8); any other mode gets
 *       ERROR 0.</li>
 *   <li>Unknown file: ERROR 1 "File not found". Writes go into {@link #uploads()}, or get ERROR 2
 *       when {@link TftpServerConfig#acceptWrites()} is off.</li>
 *   <li>Options (RFC 2347): {@code blksize} (capped by the configured maximum and the link MTU),
 *       {@code tsize} (the file's size on a read, echoed on a write), {@code timeout} (1..255 s, used for
 *       the session), {@code windowsize} (capped), tftpd-hpa's {@code rollover} (0 or 1). Unknown options and
 *       bad values are left out of the OACK; with none left the request is answered as without options.
 *       {@link TftpServerConfig#options()} can make the server ignore them all or refuse them with ERROR 8.
 *       {@link ServerOptions} has the rules.</li>
 *   <li>Anything else sent to port 69 (ACK, DATA, ERROR, junk) is counted and dropped.</li>
 *   <li>Limits ({@link TftpServerLimits}): past {@code maxTransfers} running transfers a request waits in port 69's
 *       queue, is dropped, or gets ERROR 0 "Server busy"; a request no UDP port can be bound for gets the last.</li>
 *   <li>Multicast (RFC 2090), where {@link #offerMulticast offered}: the {@link MulticastAdmission} says whether an
 *       RRQ with the {@code multicast} option joins a running transfer, starts one or is refused.</li>
 * </ul>
 *
 * <p><b>Many transfers at once.</b> The read sessions share the host's port ({@link PortShare}): each sends one
 * DATA in turn while the port takes frames, so its rate is split evenly among them. The server keeps each
 * session's next deadline in a heap and polls only the sessions due, so a thousand transfers cost per frame what
 * one does ({@link TftpSessionTable}: the running sessions, found by port or by client).
 */
public final class TftpServer implements UdpHandler, SimNode {
    /** The well-known server port. */
    public static final int PORT = TftpWire.SERVER_PORT;

    private final NetStack stack;
    private final TftpServerConfig config;
    private final TransferIds tids;
    private final ServedFiles files = new ServedFiles();
    private final Map<String, byte[]> uploads = new LinkedHashMap<>();
    private final List<TftpSession> sessions = new ArrayList<>();
    private int forgotten; // sessions let go of (forgetSessionsBefore): the first of sessions is the one started after them
    private final List<TftpServerUpload> uploadSessions = new ArrayList<>();
    private final TftpSessionTable table = new TftpSessionTable(this::admitWaiting);
    private long readRequests, writeRequests, fileNotFound, writesRefused, badMode, malformed, stray, busy, optionsRefused,
            accessRefused, repeatedRequests;

    private final RequestAdmission admission = new RequestAdmission();
    private final PortShare share;
    private final MulticastAdmission multicast;

    /**
     * Counters of the server (per-transfer figures are in {@link #sessions()}).
     *
     * @param readRequests   RRQs received
     * @param writeRequests  WRQs received
     * @param fileNotFound   RRQs answered with ERROR 1
     * @param writesRefused  WRQs answered with ERROR 2
     * @param badMode        requests with a mode other than octet or netascii, answered with ERROR 0
     * @param malformed      datagrams to port 69 that did not parse
     * @param stray          well-formed non-request packets sent to port 69, dropped
     * @param busy           requests answered with ERROR 0 "Server busy": past the limit ({@link TftpServerLimits.WhenFull#BUSY}),
     *                       or no port could be bound
     * @param optionsRefused requests answered with ERROR 8 ({@link TftpServerConfig.Options#REFUSE})
     * @param waited         requests that waited in port 69's queue for a transfer to end ({@link TftpServerLimits.WhenFull#WAIT})
     * @param dropped        requests dropped past the limit ({@link TftpServerLimits.WhenFull#DROP}) or past a full queue
     * @param peakActive     most transfers running at once
     * @param accessRefused  RRQs a served folder refused with ERROR 2 ({@link #serveFolder}: a {@code ..} part, outside
     *                       the folder, not a regular file, not readable)
     * @param repeatedRequests requests that repeated a running transfer's own from its client's transfer ID, left to that
     *                       transfer (not counted in {@code readRequests} or {@code writeRequests})
     */
    public record Stats(long readRequests, long writeRequests, long fileNotFound, long writesRefused, long badMode,
                        long malformed, long stray, long busy, long optionsRefused, long waited, long dropped,
                        long peakActive, long accessRefused, long repeatedRequests) {
    }

    private final TxPacer pacer;
    // Misbehaviour (TftpQuirks): its own seeded stream, and another host to play the stranger, if any.
    private RandomGenerator quirkRandom = new java.util.SplittableRandom(0);
    private NetStack stranger;

    TftpServer(NetStack stack, TftpServerConfig config, RandomGenerator ports) {
        this(stack, config, ports, TxPacer.NONE);
    }

    /** A server whose read sessions hand DATA to the port only as fast as {@code pacer} allows. */
    TftpServer(NetStack stack, TftpServerConfig config, RandomGenerator ports, TxPacer pacer) {
        this.stack = stack;
        this.config = config;
        this.tids = new TransferIds(stack, ports);
        this.pacer = pacer;
        this.share = new PortShare(pacer);
        this.multicast = new MulticastAdmission(stack, config, share);
    }

    /** Sets how many transfers run at once and what a request past that gets; before the first request. */
    public TftpServer limit(TftpServerLimits l) {
        admission.limit(l);
        return this;
    }

    /** Returns the limits on transfers. */
    public TftpServerLimits limits() {
        return admission.limits();
    }

    /** Returns how many transfers run now. */
    public int running() {
        return table.running();
    }

    /** Returns how many requests wait in port 69's queue. */
    public int queuedRequests() {
        return admission.queued();
    }

    /**
     * Sets where a misbehaving server ({@link TftpServerConfig#quirks()}) draws its random choices from, and the
     * stack of another host on the segment that sends the strangers' packets (null: another port of this host).
     */
    public void misbehaveWith(RandomGenerator random, NetStack strangerHost) {
        this.quirkRandom = random;
        this.stranger = strangerHost;
    }

    /** Serves {@code content} (not copied; don't change it while serving) under {@code name}, exact match. */
    public void serve(String name, byte[] content) {
        serve(name, ServedFile.of(content));
    }

    /** Serves {@code content} under {@code name}, exact match, read block by block as sessions need it. */
    public void serve(String name, ServedFile content) {
        files.serve(name, content);
    }

    /**
     * Serves the regular files under {@code folder} by their paths in it, as tftpd-hpa's {@code -s DIR} does (after the
     * names served one by one): a leading {@code /} stands for the folder; a name with a {@code ..} part, one whose
     * file lies outside the folder once symbolic links are followed, or one that is not a regular file gets ERROR 2.
     * Files are opened as they are asked for, again when they changed on disk; {@link #closeFiles} closes them.
     *
     * @throws IOException when {@code folder} is not a folder that can be read
     */
    public void serveFolder(Path folder) throws IOException {
        files.serveFolder(folder);
    }

    /** Closes the files opened from a served folder ({@link #serveFolder}). */
    public void closeFiles() {
        files.close();
    }

    /** Returns the files uploaded so far (WRQ), by name. */
    public Map<String, byte[]> uploads() {
        return Map.copyOf(uploads);
    }

    /** Returns the configuration. */
    public TftpServerConfig config() {
        return config;
    }

    /** Returns every read session started so far, in order, finished ones included. */
    public List<TftpSession> sessions() {
        return List.copyOf(sessions);
    }

    /** Returns the read sessions started after the first {@code from}, in order: what a watcher has not seen yet. */
    public List<TftpSession> sessionsFrom(int from) {
        int at = Math.clamp((long) from - forgotten, 0, sessions.size());
        return List.copyOf(sessions.subList(at, sessions.size()));
    }

    /**
     * Lets go of the read sessions started before the {@code n}th: a watcher that took them ({@link #sessionsFrom}, whose
     * {@code from} still counts every session ever started) keeps what it needs of them; {@link #sessions()} holds them
     * no more. {@code netboot serve} does, so a flood of requests does not keep every session the flood started.
     */
    public void forgetSessionsBefore(int n) {
        int k = Math.min(n - forgotten, sessions.size());
        if (k > 0) {
            sessions.subList(0, k).clear();
            forgotten += k;
        }
    }

    /** Returns every upload session started so far, in order. */
    public List<TftpServerUpload> uploadSessions() {
        return List.copyOf(uploadSessions);
    }

    /** Returns a snapshot of the counters. */
    public Stats stats() {
        return new Stats(readRequests, writeRequests, fileNotFound, writesRefused, badMode, malformed, stray, busy, optionsRefused,
                admission.waited(), admission.dropped(), table.peak(), accessRefused, repeatedRequests);
    }

    @Override
    public void onDatagram(long now, int srcIp, int srcPort, int dstIp, ByteBuffer buf, int off, int len) {
        // In single-port mode every session shares port 69: the client's address and port pick the session.
        if (config.singlePort() && table.deliver(now, srcIp, srcPort, dstIp, buf, off, len)) {
            return;
        }
        TftpPacket p;
        try {
            p = TftpWire.parse(buf, off, len);
        } catch (MalformedPacketException e) {
            malformed++;
            int op = len >= 2 ? buf.getShort(off) & 0xFFFF : -1;
            if (op == TftpPacket.OP_RRQ || op == TftpPacket.OP_WRQ) {
                // A request that does not parse (a field without its NUL, no file name) is answered, as tftpd-hpa does,
                // so its client learns why at once instead of retrying into silence; other junk to port 69 is not.
                sendError(now, tids.free(), new Ipv4Address(srcIp), srcPort, TftpWire.ERR_ILLEGAL_OP,
                        "Illegal TFTP operation: " + e.getMessage());
            }
            return;
        }
        if (table.repeats(srcIp, srcPort, p)) {
            // The request of a transfer running from this client's transfer ID, sent again: the client timed out
            // before the answer came (busybox tftp asks again after 50 ms) or the wire doubled it. It is that
            // transfer's, as any packet from its TID is (RFC 1350 section 4; single-port mode sends it there too):
            // the session's own timer sends its answer again. A second session on a fresh port would send a client
            // that took the first answer packets it must refuse (ERROR 5; busybox's connected socket makes its
            // kernel answer ICMP port unreachable) until that session gave up, its retries long.
            repeatedRequests++;
            return;
        }
        if ((p instanceof TftpPacket.Rrq || p instanceof TftpPacket.Wrq) && !admission.room(table.running()) && !multicast.joins(p)) {
            // Past the limit of transfers: it waits, is dropped, or is refused.
            if (admission.full(srcIp, srcPort, buf, off, len) == RequestAdmission.Full.BUSY) {
                busy++;
                sendError(now, tids.free(), new Ipv4Address(srcIp), srcPort, TftpWire.ERR_NOT_DEFINED, "Server busy");
            }
            return;
        }
        request(now, srcIp, srcPort, p);
    }

    /**
     * An ICMP error about a datagram port 69 sent: in single-port mode, the session of its client hears of it. Else
     * port 69 sent no transfer's packets, and the error is about none (ClientGoneFuzzTest: one about port 69 ended a
     * transfer on its own port).
     */
    @Override
    public void onUnreachable(long now, Ipv4Address dst, int dstPort, boolean refused, String reason) {
        if (config.singlePort()) {
            table.unreachable(now, dst, dstPort, refused, reason);
        }
    }

    /** Serves the requests that waited, oldest first, while transfers may start. */
    private void admitWaiting(long now) {
        for (RequestAdmission.Waiting w = admission.next(table.running()); w != null; w = admission.next(table.running())) {
            request(now, w.srcIp(), w.srcPort(), TftpWire.parse(ByteBuffer.wrap(w.request()), 0, w.request().length));
        }
    }

    private void request(long now, int srcIp, int srcPort, TftpPacket p) {
        Ipv4Address client = new Ipv4Address(srcIp);
        switch (p) {
            case TftpPacket.Rrq r -> {
                readRequests++;
                onRequest(now, client, srcPort, r, r.filename(), r.mode(), r.options(), false);
            }
            case TftpPacket.Wrq w -> {
                writeRequests++;
                if (!config.acceptWrites()) {
                    writesRefused++;
                    sendError(now, tids.free(), client, srcPort, TftpWire.ERR_ACCESS, "Access violation: read-only server, writes are refused");
                    return;
                }
                onRequest(now, client, srcPort, w, w.filename(), w.mode(), w.options(), true);
            }
            default -> stray++;
        }
    }

    /** Starts a transfer for {@code request}, the RRQ or WRQ (its fields given as read), or refuses it. */
    private void onRequest(long now, Ipv4Address client, int clientPort, TftpPacket request, String name, String requestMode,
                           List<TftpPacket.Option> options, boolean write) {
        int tid = config.singlePort() ? PORT : tids.free();
        ServedFile content;
        boolean netascii;
        switch (RequestCheck.check(config, files, name, requestMode, options, write)) {
            case RequestCheck.Refused(RequestCheck.Reason reason, int code, String message) -> {
                switch (reason) {
                    case BAD_MODE -> badMode++;
                    case ACCESS -> accessRefused++;
                    case NOT_FOUND -> fileNotFound++;
                    case OPTIONS -> optionsRefused++;
                }
                sendError(now, tid, client, clientPort, code, message);
                return;
            }
            case RequestCheck.Accepted a -> {
                content = a.content();
                netascii = a.netascii();
                options = a.options();
            }
        }
        if (tid < 0 || !stack.canBind()) {
            busy++;
            sendError(now, tid < 0 ? PORT : tid, client, clientPort, TftpWire.ERR_NOT_DEFINED, "Server busy");
            return;
        }
        List<TftpPacket.Option> asked = config.options() == TftpServerConfig.Options.IGNORE ? List.of() : options;
        if (!write && !config.singlePort() && multicast.asked(asked)) {
            multicastRequest(now, client, clientPort, name, content, asked, tid);
            return;
        }
        TftpServerSession.Params params = ServerOptions.negotiate(config, stack.maxUdpPayload(), asked, write ? -1 : content.size());
        TftpServerSession s;
        if (write) {
            TftpServerUpload u = new TftpServerUpload(stack, config, tid, client, clientPort, name, params, uploads::put);
            uploadSessions.add(u);
            s = u;
        } else {
            SessionQuirks q = config.quirks().any()
                    ? new SessionQuirks(config.quirks(), quirkRandom, stack, stranger, tid, client, clientPort) : null;
            ReadBlocks blocks = netascii ? new NetasciiBlocks(content, params.blockSize(), params.windowSize())
                    : new ReadBlocks.Octet(content, params.blockSize());
            TftpSession r = new TftpSession(stack, config, tid, client, clientPort, name, blocks, params, pacer, q, share);
            sessions.add(r);
            s = r;
        }
        if (tid != PORT) {
            stack.bind(tid, table.portOf(s));
        }
        table.add(s, request);
        switch (s) {
            case TftpSession r -> r.start(now);
            case TftpServerUpload u -> u.start(now);
            case TftpMulticastSession m -> throw new IllegalStateException("multicast sessions start in multicastRequest");
        }
        table.touched(now, s);
    }

    /** An RRQ with RFC 2090's {@code multicast}: the client joins a running transfer, starts one, or is refused. */
    private void multicastRequest(long now, Ipv4Address client, int clientPort, String name, ServedFile content,
                                  List<TftpPacket.Option> options, int tid) {
        switch (multicast.admit(name, content, options, tid)) {
            case MulticastAdmission.Outcome.Join(TftpMulticastSession m, List<TftpPacket.Option> oack) -> {
                m.join(now, client.value(), clientPort, oack);
                table.touched(now, m);
            }
            case MulticastAdmission.Outcome.Start(TftpMulticastSession m, List<TftpPacket.Option> oack) -> {
                stack.bind(tid, table.portOf(m));
                table.add(m, null);
                m.join(now, client.value(), clientPort, oack);
                table.touched(now, m);
            }
            case MulticastAdmission.Outcome.Refuse(boolean noRoom, String message) -> {
                if (noRoom) {
                    busy++;
                }
                sendError(now, tid, client, clientPort, TftpWire.ERR_NOT_DEFINED, message);
            }
        }
    }

    /** Offers RFC 2090 multicast on {@code m}'s groups and port (null: the option goes unanswered); before the first request. */
    public TftpServer offerMulticast(Scenario.Multicast m) {
        multicast.offer(m);
        return this;
    }

    /** Returns every multicast transfer started so far, in order. */
    public List<TftpMulticastSession> multicastSessions() {
        return multicast.sessions();
    }

    private void sendError(long now, int fromPort, Ipv4Address to, int toPort, int code, String message) {
        TftpErrors.send(stack, now, fromPort < 0 ? PORT : fromPort, to, toPort, code, message);
    }

    @Override
    public void poll(long now) {
        share.run(now);
        table.poll(now);
        admitWaiting(now);
    }

    @Override
    public long pollAt() {
        return Math.min(table.next(), share.pollAt());
    }
}
