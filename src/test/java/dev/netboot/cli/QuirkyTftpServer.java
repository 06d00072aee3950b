package dev.netboot.cli;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small TFTP read server on loopback that misbehaves on request, as servers in the wild do (issue 10): the
 * host-mode twin of the emulator's {@code TftpQuirks}, written apart from it on purpose, over real sockets on
 * a thread of its own. It serves one file to one client at a time, honours {@code blksize}, {@code tsize} and
 * {@code windowsize}, and records every ERROR it receives, on its own port, its transfer IDs and its strangers'
 * sockets, so a test can check what the client said.
 */
final class QuirkyTftpServer implements AutoCloseable {
    /** What is wrong with the server; all off by default. */
    static final class Quirks {
        boolean wrapToOne;
        boolean sendTwice;
        boolean shuffle;
        double junk;
        double strangerPort;
        double strangerAddress;
        double strangerError;
        String oack = "none";       // none, range, number, unasked, twice (blksize named again, as 512)
        double oversize;
        long tsizeLie;
        long stopAfter;
        long errorAfter;
        String errorText = "Disk read failure";
        boolean errorWithoutNul;
        boolean sorcerersApprentice;
        long stallAt;
        long stallMillis;
    }

    final Quirks q = new Quirks();
    private final DatagramSocket listen;
    private final int port;
    private final byte[] file;
    private final SplittableRandom random = new SplittableRandom(7);
    private final Thread thread;
    private final List<String> errorsReceived = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;
    private volatile int sessions;
    private volatile long dataSent;

    /** Serves {@code file} under any name on 127.0.0.1 and an ephemeral port; call {@link #start}. */
    QuirkyTftpServer(byte[] file) throws IOException {
        this.file = file;
        this.listen = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        this.port = listen.getLocalPort();
        this.thread = Thread.ofPlatform().daemon().name("quirky-tftp").unstarted(this::serve);
    }

    /** Starts serving. */
    QuirkyTftpServer start() {
        thread.start();
        return this;
    }

    /** Returns the port requests go to. */
    int port() {
        return port;
    }

    /** Returns "ERROR n on WHERE" for every ERROR received so far. */
    List<String> errorsReceived() {
        return List.copyOf(errorsReceived);
    }

    /** Returns the transfers started. */
    int sessions() {
        return sessions;
    }

    /** Returns the DATA packets sent, copies and strangers' not counted. */
    long dataSent() {
        return dataSent;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        listen.close();
        thread.join(5_000);
    }

    private void serve() {
        byte[] buf = new byte[65_536];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                listen.receive(p);
                ByteBuffer b = ByteBuffer.wrap(p.getData(), 0, p.getLength());
                int op = b.getShort() & 0xFFFF;
                if (op == 5) {
                    errorsReceived.add("ERROR " + (b.getShort() & 0xFFFF) + " on the request port");
                    continue;
                }
                if (op != 1) {
                    continue;
                }
                List<String> fields = strings(p.getData(), 2, p.getLength());
                sessions++;
                try (DatagramSocket tid = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                    new Session(tid, p.getSocketAddress(), fields).run();
                } catch (AckMissing e) {
                    // the client refused the OACK (ERROR 8) or never answered it
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    errorsReceived.add("server failed: " + e);
                }
            }
        }
    }

    private static List<String> strings(byte[] d, int from, int to) {
        List<String> out = new ArrayList<>();
        int start = from;
        for (int i = from; i < to; i++) {
            if (d[i] == 0) {
                out.add(new String(d, start, i - start, StandardCharsets.US_ASCII));
                start = i + 1;
            }
        }
        return out;
    }

    /** One read transfer from its own transfer ID. */
    private final class Session {
        private final DatagramSocket tid;
        private final SocketAddress client;
        private int blockSize = 512;
        private int window = 1;
        private final long last;
        private boolean stalled;
        private boolean silent;
        // The highest block sent so far: strangers come before a block's first transmission only, while the client
        // still waits for it. Before a resent block the client may be done already (its last ACK on the way), and a
        // stranger then would be one it never saw, which no count of the client's can match.
        private long highestSent;

        Session(DatagramSocket tid, SocketAddress client, List<String> fields) throws IOException {
            this.tid = tid;
            this.client = client;
            List<String> oack = new ArrayList<>();
            for (int i = 2; i + 1 < fields.size(); i += 2) {
                String name = fields.get(i).toLowerCase(java.util.Locale.ROOT);
                String value = fields.get(i + 1);
                switch (name) {
                    case "blksize" -> {
                        blockSize = Math.min(Integer.parseInt(value), 65_464);
                        oack.add("blksize");
                        oack.add(q.oack.equals("range") ? Integer.toString(blockSize + 1)
                                : q.oack.equals("number") ? "1k" : Integer.toString(blockSize));
                    }
                    case "tsize" -> {
                        oack.add("tsize");
                        oack.add(Long.toString(Math.max(0, file.length + q.tsizeLie)));
                    }
                    case "windowsize" -> {
                        window = Math.min(Integer.parseInt(value), 64);
                        oack.add("windowsize");
                        oack.add(Integer.toString(window));
                    }
                    default -> {
                    }
                }
            }
            if (!oack.isEmpty() && q.oack.equals("twice")) {
                oack.add("blksize");
                oack.add("512");
            }
            if (!oack.isEmpty() && q.oack.equals("unasked")) {
                oack.add("multicast");
                oack.add("239.255.0.1,1758,1");
            }
            this.last = file.length / blockSize + 1;
            tid.setSoTimeout(1_000);
            if (!oack.isEmpty()) {
                ByteBuffer o = ByteBuffer.allocate(2048).putShort((short) 6);
                for (String s : oack) {
                    o.put(s.getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
                }
                send(tid, o.array(), o.position());
                if (awaitAck() != 0) {
                    throw new AckMissing();
                }
            }
        }

        void run() throws IOException {
            long base = 1;
            int tries = 0;
            try {
                while (base <= last) {
                    List<Long> order = new ArrayList<>();
                    for (long b = base; b < base + window && b <= last; b++) {
                        order.add(b);
                    }
                    if (q.shuffle) {
                        Collections.shuffle(order, new java.util.Random(random.nextLong()));
                    }
                    for (long b : order) {
                        if (!sendData(b)) {
                            if (silent) {
                                hang();
                            }
                            return;
                        }
                    }
                    int ack = awaitAck();
                    if (ack < 0) {
                        if (++tries > 5) {
                            return; // silent give-up, as RFC 1350 allows
                        }
                        continue;
                    }
                    tries = 0;
                    long s = seq(ack, base);
                    while (s == base - 1 && q.sorcerersApprentice) {
                        sendData(base); // the bug: the current DATA again for a duplicate ACK
                        ack = awaitAck();
                        if (ack < 0) {
                            break;
                        }
                        s = seq(ack, base);
                    }
                    if (s >= base) {
                        base = s + 1; // RFC 7440: the next window starts after the block acknowledged
                    }
                }
            } catch (AckMissing e) {
                // the client went away (or sent an ERROR): done
            }
        }

        /** Returns the block nearest {@code near} whose number on the wire is {@code w}. */
        private long seq(int w, long near) {
            if (w == 0 && near < 0x8000) {
                return 0; // the ACK of the OACK, or of nothing yet
            }
            if (q.wrapToOne) {
                // Blocks 1, 2, ... carry (b - 1) mod 65535 + 1: 65535 is followed by 1.
                long k = near - 1;
                long s = k - Math.floorMod(k, 0xFFFF) + w;
                return s - near > 0x7FFF ? s - 0xFFFF : near - s > 0x7FFF ? s + 0xFFFF : s;
            }
            long s = (near & ~0xFFFFL) | w;
            return s - near > 0x8000 ? s - 0x10000 : near - s > 0x8000 ? s + 0x10000 : s;
        }

        private int wire(long b) {
            return q.wrapToOne ? (int) ((b - 1) % 0xFFFF) + 1 : (int) (b & 0xFFFF);
        }

        /** Gone silent: keep the socket open and read what comes, answering nothing, until 5 s pass without a packet. */
        private void hang() throws IOException {
            tid.setSoTimeout(200);
            byte[] r = new byte[600];
            for (int quiet = 0; quiet < 25 && !closed; ) {
                try {
                    tid.receive(new DatagramPacket(r, r.length));
                    quiet = 0;
                } catch (SocketTimeoutException e) {
                    quiet++;
                }
            }
        }

        /** Sends block {@code b} as the quirks say; false when the session ends (silence or an ERROR). */
        private boolean sendData(long b) throws IOException {
            if (q.stallAt > 0 && b >= q.stallAt && !stalled) {
                stalled = true;
                try {
                    Thread.sleep(q.stallMillis); // the ACKs that come meanwhile wait in the socket's queue
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (q.stopAfter > 0 && b > q.stopAfter) {
                silent = true;
                return false;
            }
            if (q.errorAfter > 0 && b > q.errorAfter) {
                byte[] t = q.errorText.getBytes(StandardCharsets.UTF_8); // as Linux servers send strerror() and names
                ByteBuffer e = ByteBuffer.allocate(5 + t.length).putShort((short) 5).putShort((short) 0).put(t);
                int n = q.errorWithoutNul ? 4 + t.length : 5 + t.length;
                send(tid, e.array(), n);
                return false;
            }
            int n = (int) Math.min(blockSize, file.length - (b - 1) * blockSize);
            int extra = q.oversize > 0 && random.nextDouble() < q.oversize ? 4 : 0;
            byte[] d = new byte[4 + n + extra];
            ByteBuffer.wrap(d).putShort((short) 3).putShort((short) wire(b));
            System.arraycopy(file, (int) ((b - 1) * blockSize), d, 4, n);
            if (q.junk > 0 && random.nextDouble() < q.junk) {
                byte[][] junk = {{0}, {0, 3, 0}, {0, 9, 0, 1}, {0, 6, 'b', 'l', 'k', 's', 'i', 'z', 'e', 0, '8', 0}, {0, 4, 0}};
                byte[] j = junk[random.nextInt(junk.length)];
                send(tid, j, j.length);
            }
            boolean first = b > highestSent;
            highestSent = Math.max(highestSent, b);
            if (first && q.strangerError > 0 && random.nextDouble() < q.strangerError) {
                // A stranger that sends ERROR 5 itself, as an RFC-literal peer answers any packet from a stranger.
                byte[] e = {0, 5, 0, 5, 'U', 'n', 'k', 'n', 'o', 'w', 'n', ' ', 'T', 'I', 'D', 0};
                try (DatagramSocket other = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                    send(other, e, e.length);
                    collectErrors(other, "another port");
                }
            }
            boolean byPort = first && q.strangerPort > 0 && random.nextDouble() < q.strangerPort;
            boolean byAddress = first && q.strangerAddress > 0 && random.nextDouble() < q.strangerAddress;
            if (byPort || byAddress) {
                byte[] wrong = d.clone();
                for (int i = 4; i < 4 + n; i++) {
                    wrong[i] ^= 0x5A;
                }
                if (byPort) {
                    try (DatagramSocket other = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                        send(other, wrong, 4 + n);
                        collectErrors(other, "another port");
                    }
                }
                if (byAddress) {
                    // The same port number as the transfer ID, on another address: as plausible as a stranger gets.
                    try (DatagramSocket other = new DatagramSocket(new InetSocketAddress("127.0.0.2", tid.getLocalPort()))) {
                        send(other, wrong, 4 + n);
                        collectErrors(other, "127.0.0.2");
                    }
                }
            }
            send(tid, d, d.length);
            dataSent++;
            if (q.sendTwice) {
                send(tid, d, d.length);
            }
            return true;
        }

        /** Waits a moment for the client's answer to a stranger's packet (ERROR 5, it should be) and records it. */
        private void collectErrors(DatagramSocket s, String where) throws IOException {
            s.setSoTimeout(200);
            byte[] r = new byte[600];
            DatagramPacket p = new DatagramPacket(r, r.length);
            try {
                s.receive(p);
                if (p.getLength() >= 4 && r[1] == 5) {
                    errorsReceived.add("ERROR " + (((r[2] & 0xFF) << 8) | (r[3] & 0xFF)) + " on " + where);
                }
            } catch (SocketTimeoutException e) {
                errorsReceived.add("nothing on " + where);
            }
        }

        /** Returns the next ACK's block number, -1 on a timeout; an ERROR from the client ends the session. */
        private int awaitAck() throws IOException {
            byte[] r = new byte[600];
            while (true) {
                DatagramPacket p = new DatagramPacket(r, r.length);
                try {
                    tid.receive(p);
                } catch (SocketTimeoutException e) {
                    return -1;
                }
                int op = ((r[0] & 0xFF) << 8) | (r[1] & 0xFF);
                if (op == 5) {
                    errorsReceived.add("ERROR " + (((r[2] & 0xFF) << 8) | (r[3] & 0xFF)) + " on the transfer ID");
                    throw new AckMissing();
                }
                if (op == 4 && p.getLength() >= 4) {
                    return ((r[2] & 0xFF) << 8) | (r[3] & 0xFF);
                }
            }
        }

        private void send(DatagramSocket from, byte[] d, int n) throws IOException {
            from.send(new DatagramPacket(d, n, client));
        }
    }

    /** The client ended the transfer, or never answered the OACK. */
    private static final class AckMissing extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AckMissing() {
            super(null, null, false, false);
        }
    }
}
