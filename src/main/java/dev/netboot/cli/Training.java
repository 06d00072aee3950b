package dev.netboot.cli;

import dev.netboot.wire.TftpPacket;
import dev.netboot.wire.TftpWire;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The training run of the JVM's AOT cache (JEP 483/514/515): the launcher runs it as
 * {@code java -XX:AOTCacheOutput=target/netboot.aot -cp netboot.jar dev.netboot.cli.Training} once
 * per build, so every later {@code ./netboot} finds the classes it needs already loaded and linked,
 * and their method profiles, in the cache.
 *
 * <p>It runs what users run, through {@link Main#run}: {@code --version}, the {@code tftp} and {@code boot}
 * help, {@code tftp get} (windowed and lock-step) and {@code tftp put} against a small TFTP server on
 * 127.0.0.1 of its own, and, unless the argument {@code tftp} asks for the tftp cache alone, two
 * emulated {@code boot}s. Their output goes nowhere. Exit status 0 when every run did what it should,
 * else 1 with one line on stderr (the launcher then keeps no cache).
 *
 * <p>The server runs on a thread of its own, the only second thread in netboot: the client under
 * training must run exactly as users run it, and {@link Main#run} returns only when its transfer ends.
 *
 * <p>Every class this run loads goes into the cache, and with the cache every class in it is loaded when
 * the JVM starts, whether the command needs it or not (issue 11): so the training itself uses what the
 * client uses (a selector, non-blocking channels, {@code instanceof} rather than a pattern {@code switch},
 * whose bootstrap spins classes), and no streams, no {@code Files.createTempDirectory} (which seeds a
 * {@code SecureRandom} and so loads the security providers).
 */
public final class Training {
    private Training() {
    }

    /** Runs the training workload; {@code args} are ignored. */
    public static void main(String[] args) throws IOException {
        PrintStream out = System.out;
        PrintStream err = System.err;
        Path dir = Files.createDirectory(Path.of(System.getProperty("java.io.tmpdir"), "netboot-training-"
                + Long.toHexString(System.nanoTime())));
        List<String> failed = new ArrayList<>();
        try (LoopbackServer server = new LoopbackServer()) {
            byte[] image = new byte[3 << 20];
            new SplittableRandom(1).nextBytes(image);
            Files.write(dir.resolve("image.bin"), image);
            server.serve("image.bin", image);
            Thread t = new Thread(server, "training-tftp-server");
            t.setDaemon(true);
            t.start();
            String at = "127.0.0.1:" + server.port();
            PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), true);
            System.setOut(nowhere);
            System.setErr(nowhere);
            expect(failed, 0, "--version");
            expect(failed, 0, "tftp", "--help");
            expect(failed, 0, "tftp", "get", "--help");
            expect(failed, 0, "boot", "--help");
            for (int round = 0; round < 3; round++) {
                expect(failed, 0, "tftp", "get", at, "image.bin", dir.resolve("got.bin").toString());
                expect(failed, 0, "tftp", "get", at, "image.bin", dir.resolve("got.bin").toString(), "--json", "--blksize", "1428");
                expect(failed, 0, "tftp", "get", at, "image.bin", dir.resolve("got.bin").toString(), "--blksize", "512",
                        "--windowsize", "1");
                expect(failed, 0, "tftp", "put", at, dir.resolve("image.bin").toString(), "up.bin");
            }
            expect(failed, 1, "tftp", "get", at, "missing.bin", dir.resolve("missing.bin").toString());
            if (!List.of(args).contains("tftp")) {
                expect(failed, 0, "boot", "--flash-file", dir.resolve("flash.img").toString(), "--json");
                expect(failed, 0, "boot", "--flash-file", dir.resolve("flash.img").toString());
                loadRealWireClasses();
            }
            server.close(); // stops the server's thread now, so the join below does not wait for it
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed.add("interrupted");
        } finally {
            System.setOut(out);
            System.setErr(err);
            File[] files = dir.toFile().listFiles();
            for (File f : files == null ? new File[0] : files) {
                Files.deleteIfExists(f.toPath()); // flat: the runs write files only
            }
            Files.deleteIfExists(dir);
        }
        if (!failed.isEmpty()) {
            err.println("netboot: AOT training: " + String.join("; ", failed));
            System.exit(1);
        }
    }

    /**
     * The classes {@link #loadRealWireClasses} loads, by name: most are package-private in {@code dev.netboot.link}, out
     * of reach of a class literal here, so {@code TrainingClassesTest} checks that each is there and that every libc
     * holder class is named.
     */
    static final List<String> REAL_WIRE_CLASSES = List.of("dev.netboot.link.Libc", "dev.netboot.link.Libc$Recvfrom",
            "dev.netboot.link.Libc$Getsockopt", "dev.netboot.link.Libc$Poll", "dev.netboot.link.Libc$Close",
            "dev.netboot.link.Libc$Munmap", "dev.netboot.link.Libc$Strerror", "dev.netboot.link.RawSocketLink",
            "dev.netboot.link.PacketSocket", "dev.netboot.link.RxRing", "dev.netboot.device.RealTimeBoot",
            "dev.netboot.cli.JitWarmup");

    /**
     * Loads and initialises what {@code boot --interface} runs before its first frame and the training cannot run (a
     * packet socket needs root and an interface): the raw socket's classes, its libc downcall handles (linked in
     * {@code Libc}'s initialiser, with the JDK's FFM classes they load) and the real-time loop. Outside the cache,
     * each of them was read from the jar, which a run then opened and indexed, and the FFM classes from the JDK's
     * modules (issue 11). Where libc cannot be linked (not Linux) they stay out of the cache, as the boot cannot run.
     */
    private static void loadRealWireClasses() {
        for (String name : REAL_WIRE_CLASSES) {
            try {
                Class.forName(name);
            } catch (ClassNotFoundException | LinkageError e) {
                return;
            }
        }
    }

    private static void expect(List<String> failed, int status, String... args) {
        int got = Main.run(args);
        if (got != status) {
            failed.add("'" + String.join(" ", args) + "' exited " + got + " (expected: " + status + ")");
        }
    }

    /**
     * A TFTP server on 127.0.0.1, one transfer at a time, just enough to train on: RRQ and WRQ in octet
     * mode with the {@code blksize}, {@code windowsize} and {@code tsize} options, no retransmission
     * beyond resending a window after a second of silence.
     */
    static final class LoopbackServer implements Runnable, AutoCloseable {
        private final DatagramChannel control;
        private final java.util.Map<String, byte[]> files = new java.util.HashMap<>();
        private final ByteBuffer in = ByteBuffer.allocate(65536);
        private final ByteBuffer outBuf = ByteBuffer.allocate(65536);

        LoopbackServer() throws IOException {
            control = DatagramChannel.open();
            control.bind(new InetSocketAddress("127.0.0.1", 0));
        }

        int port() throws IOException {
            return ((InetSocketAddress) control.getLocalAddress()).getPort();
        }

        void serve(String name, byte[] content) {
            files.put(name, content);
        }

        @Override
        public void run() {
            try {
                while (true) {
                    in.clear();
                    SocketAddress client = control.receive(in);
                    in.flip();
                    TftpPacket p;
                    try {
                        p = TftpWire.parse(in, 0, in.limit());
                    } catch (RuntimeException malformed) {
                        continue;
                    }
                    try (DatagramChannel tid = DatagramChannel.open(); Selector selector = Selector.open()) {
                        tid.bind(new InetSocketAddress("127.0.0.1", 0));
                        tid.connect(client);
                        tid.configureBlocking(false);
                        tid.register(selector, SelectionKey.OP_READ);
                        if (p instanceof TftpPacket.Rrq r) {
                            read(tid, selector, r.filename(), r.options());
                        } else if (p instanceof TftpPacket.Wrq w) {
                            write(tid, selector, w.filename(), w.options());
                        }
                    } catch (IOException | RuntimeException e) {
                        // this transfer failed; the client says so, and training reports it
                    }
                }
            } catch (ClosedChannelException closed) {
                // close(): training is over
            } catch (IOException e) {
                // the control socket failed; the clients time out and training reports it
            }
        }

        /** Returns the options granted: blksize and windowsize as asked, tsize as {@code size} (or echoed when -1). */
        private static List<TftpPacket.Option> grant(List<TftpPacket.Option> asked, long size) {
            List<TftpPacket.Option> granted = new ArrayList<>();
            for (TftpPacket.Option o : asked) {
                switch (o.name().toLowerCase(java.util.Locale.ROOT)) {
                    case "blksize", "windowsize" -> granted.add(o);
                    case "tsize" -> granted.add(new TftpPacket.Option("tsize", size >= 0 ? Long.toString(size) : o.value()));
                    default -> {
                    }
                }
            }
            return granted;
        }

        private static int option(List<TftpPacket.Option> granted, String name, int otherwise) {
            for (TftpPacket.Option o : granted) {
                if (o.name().equalsIgnoreCase(name)) {
                    return Integer.parseInt(o.value());
                }
            }
            return otherwise;
        }

        private void send(DatagramChannel tid, TftpPacket p) throws IOException {
            outBuf.clear();
            outBuf.limit(p.emit(outBuf, 0));
            tid.write(outBuf);
        }

        /** Receives one packet from the client; null after a second of silence. */
        private TftpPacket receive(DatagramChannel tid, Selector selector) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(65536);
            long end = System.nanoTime() + 1_000_000_000L;
            int n;
            while ((n = tid.read(b)) <= 0) {
                long left = (end - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return null;
                }
                selector.select(left);
                selector.selectedKeys().clear();
            }
            return TftpWire.parse(b, 0, n);
        }

        private void read(DatagramChannel tid, Selector selector, String name, List<TftpPacket.Option> asked) throws IOException {
            byte[] file = files.get(name);
            if (file == null) {
                send(tid, new TftpPacket.Error(TftpWire.ERR_FILE_NOT_FOUND, "File not found"));
                return;
            }
            List<TftpPacket.Option> granted = grant(asked, file.length);
            int blksize = option(granted, "blksize", 512);
            int window = option(granted, "windowsize", 1);
            int blocks = file.length / blksize + 1;
            int next = 1;
            if (!granted.isEmpty()) {
                send(tid, new TftpPacket.Oack(granted));
                if (!(receive(tid, selector) instanceof TftpPacket.Ack(int zero)) || zero != 0) {
                    return;
                }
            }
            while (next <= blocks) {
                for (int b = next; b < next + window && b <= blocks; b++) {
                    int from = (b - 1) * blksize;
                    send(tid, new TftpPacket.Data(b, java.util.Arrays.copyOfRange(file, from, Math.min(file.length, from + blksize))));
                }
                TftpPacket answer = receive(tid, selector);
                if (answer instanceof TftpPacket.Ack(int acked)) {
                    next = acked + 1;
                } else if (answer != null) {
                    return; // ERROR or nonsense: the client gave up
                }
            }
        }

        private void write(DatagramChannel tid, Selector selector, String name, List<TftpPacket.Option> asked) throws IOException {
            List<TftpPacket.Option> granted = grant(asked, -1);
            int blksize = option(granted, "blksize", 512);
            int window = option(granted, "windowsize", 1);
            send(tid, granted.isEmpty() ? new TftpPacket.Ack(0) : new TftpPacket.Oack(granted));
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            int expected = 1;
            while (true) {
                TftpPacket p = receive(tid, selector);
                if (p == null) {
                    send(tid, new TftpPacket.Ack(expected - 1)); // silence: say where we are
                    continue;
                }
                if (!(p instanceof TftpPacket.Data(int block, byte[] data))) {
                    return;
                }
                if (block != expected) {
                    continue;
                }
                got.write(data);
                boolean last = data.length < blksize;
                if (last || expected % window == 0) {
                    send(tid, new TftpPacket.Ack(expected));
                }
                expected++;
                if (last) {
                    files.put(name, got.toByteArray());
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            control.close();
        }
    }
}
