package dev.netboot.cli;

import dev.netboot.tftp.TftpClient;
import dev.netboot.tftp.TftpFailure;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How one {@code netboot tftp} run ends, whichever way: a usage error (exit 2), a failure (exit 1) or
 * success (0). A usage error is one line on stderr ("netboot: tftp put: LOCAL x: no such file"), a
 * failure one line prefixed with what was being done ("netboot: tftp get 127.0.0.1:69 boot.img: ..."); with {@code --json} every ending prints exactly one object on stdout,
 * with the same members every time ({@code null} where a run ended before knowing).
 */
final class TftpReport {
    private final boolean get;
    private final boolean json;
    private final long t0 = System.nanoTime();
    private final AtomicBoolean ended = new AtomicBoolean();
    private Thread hook;
    private volatile Seen seen; // what the run last published for the signal's hook, or null

    /**
     * What a run has negotiated and counted so far, published for a signal's hook ({@link #ticker}); {@code began}: the server
     * answered from its transfer ID (OACK, DATA or ACK 0), without which block and window sizes are RFC 1350's, not negotiated.
     */
    private record Seen(boolean began, int blksize, int windowsize, long tsize, TftpClient.Stats stats) {
        Seen(TftpClient client, long tsize) {
            this(client.began(), client.blockSize(), client.windowSize(), tsize, client.stats());
        }
    }
    private String remote;
    private String local;
    private TftpEndpoint server;

    /** Starts the report of a run given {@code remote} and {@code local} as typed (either may be null). */
    TftpReport(boolean get, boolean json, String remote, String local) {
        this.get = get;
        this.json = json;
        this.remote = remote;
        this.local = local;
    }

    /** Records the names the run settled on. */
    void names(String remote, Path local) {
        this.remote = remote;
        this.local = local.toString();
    }

    /** Records the server, once resolved. */
    void server(TftpEndpoint server) {
        this.server = server;
    }

    private String verb() {
        return get ? "get" : "put";
    }

    /** Returns the prefix of every line: "netboot: tftp get", then the server and REMOTE once known. */
    private String what() {
        return "netboot: tftp " + verb() + (server == null ? "" : " " + server.text() + " " + remote);
    }

    /** Prints a note that does not stop the run, on stderr. */
    void note(String message) {
        System.err.println(Shown.text(what() + ": " + message));
    }

    /** Ends with a usage error: one line, exit 2. */
    int usage(String message) {
        return end(Main.EXIT_USAGE, message, null, -1);
    }

    /** Ends with a failure before any transfer: one line, exit 1. */
    int failed(String message) {
        return end(Main.EXIT_FAILED, message, null, -1);
    }

    /**
     * Ends after the transfer: {@code why} is null when it succeeded, else the failure as said to the user;
     * {@code size} is the file's size when known (tsize, or the upload's), else -1.
     */
    int finished(String why, TftpClient client, long size, boolean terminal) {
        if (why == null && terminal) {
            double seconds = seconds();
            long bytes = ((TftpClient.State.Done) client.state()).bytes();
            System.err.printf(Locale.ROOT, "%s %d bytes in %.2f s (%.1f MiB/s), blksize %d, windowsize %d%n",
                    get ? "received" : "sent", bytes, seconds, bytes / seconds / (1 << 20), client.blockSize(), client.windowSize());
        }
        return end(why == null ? 0 : Main.EXIT_FAILED, why, client, size);
    }

    /**
     * From here until the run ends, a signal that stops the JVM (SIGTERM; SIGINT, Ctrl-C) still ends it as a failure
     * does: its one line, and with {@code --json} its object (the JVM's exit status stays the signal's, 128 + its
     * number). A download's part file goes with its own hook ({@link HostFiles.Download}); the server is not told.
     */
    void watchSignals() {
        hook = new Thread(() -> end(Main.EXIT_FAILED, "stopped by a signal before the end" + (get ? "; nothing saved" : ""), null, -1),
                "netboot-tftp-report");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Returns the ticker the transfer's loop calls about every 100 ms: it moves {@code progress} on (if not null) and
     * publishes what the client has negotiated and counted, so that a signal's line and JSON object can tell them,
     * read on the hook's thread without touching the client, which the loop's thread owns. {@code size} gives the
     * file's size when known (tsize, or the upload's), else -1.
     */
    HostTftp.Ticker ticker(TftpClient client, java.util.function.LongSupplier size, TftpProgress progress) {
        return now -> {
            seen = new Seen(client, size.getAsLong());
            if (progress != null) {
                progress.tick(now);
            }
        };
    }

    private double seconds() {
        return (System.nanoTime() - t0) / 1e9;
    }

    private int end(int exit, String why, TftpClient client, long size) {
        if (!ended.compareAndSet(false, true)) {
            return exit; // said once: by the run, or by the signal's hook while the JVM stops
        }
        Seen last = client == null ? seen : new Seen(client, size);
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is stopping: the hook finds the run ended
            }
        }
        if (why != null) {
            // A usage error is about the command line, whatever the run had learnt: the short prefix.
            // The server's ERROR text, REMOTE as typed: shown safely, one line whatever they hold.
            System.err.println(Shown.text((exit == Main.EXIT_USAGE ? "netboot: tftp " + verb() : what()) + ": " + why));
        }
        if (json) {
            Json j = Json.object().put("result", exit == 0 ? "ok" : "error").put("command", verb());
            if (server == null) {
                j.putNull("server").putNull("port");
            } else {
                j.put("server", server.ip().toString()).put("port", server.port());
            }
            j.put("remote", remote).put("local", local);
            if (exit == 0) {
                j.put("bytes", ((TftpClient.State.Done) client.state()).bytes());
            } else {
                j.putNull("bytes").put("error", why);
            }
            // The server's code only: the one we sent it (ERROR 0 to a tsize that lies, 4, 8, 3) is no word of the server's.
            if (client != null && client.state() instanceof TftpClient.State.Failed(TftpFailure f)
                    && f.kind() == TftpFailure.Kind.SERVER_ERROR && f.errorCode() >= 0) {
                j.put("errorCode", f.errorCode());
            } else {
                j.putNull("errorCode");
            }
            if (last != null && last.tsize() >= 0) {
                j.put("tsize", last.tsize());
            } else {
                j.putNull("tsize");
            }
            if (last == null || !last.began()) {
                // A request answered with ERROR, or never: nothing was negotiated (RFC 2347 section 3, ERROR instead of OACK).
                j.putNull("blksize").putNull("windowsize");
            } else {
                j.put("blksize", last.blksize()).put("windowsize", last.windowsize());
            }
            j.put("seconds", seconds());
            if (last == null) {
                j.putNull("retransmissions").putNull("duplicates").putNull("strayPackets");
            } else {
                TftpClient.Stats st = last.stats();
                j.put("retransmissions", st.retransmissions()).put("duplicates", st.duplicates()).put("strayPackets", st.strayPackets());
            }
            System.out.println(j);
        }
        return exit;
    }
}
