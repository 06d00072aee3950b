package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code netboot tftp get|put}, run in-process, against one real TFTP server on loopback: every option
 * set (none, blksize, blksize + windowsize, tsize, the defaults), an empty file, files an exact multiple
 * of the block size, a missing file (exit 1, the server's words, nothing left behind) and an upload.
 * Each server's subclass says what it grants, so a server without an option is checked for the
 * fallback (window 1) instead of being skipped. One server is started per class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TftpInteropContract {
    static final int IMAGE = 300_001;           // no multiple of 512 or 1468

    Path root;                                  // what the server serves (and where uploads land)
    Path logs;                                  // server logs and the downloads' folders

    TftpServers.Server server;
    byte[] image;

    /** Starts the server on {@code root}, logging into {@code logs}. */
    abstract TftpServers.Server start(Path root, Path logs);

    /** Returns true when the server grants RFC 7440 windowsize. */
    abstract boolean grantsWindow();

    /** Returns true when the server accepts uploads (WRQ). */
    abstract boolean acceptsWrites();

    /** Returns the largest block the server grants over loopback: RFC 2348's 65464 unless it caps it. */
    int largestBlock() {
        return 65464;
    }

    @BeforeAll
    void startServer() throws IOException {
        root = Files.createTempDirectory("netboot-tftp-root-");
        logs = Files.createTempDirectory("netboot-tftp-logs-");
        image = bytes(IMAGE, 1);
        Files.write(root.resolve("image.bin"), image);
        Files.write(root.resolve("empty.bin"), new byte[0]);
        Files.write(root.resolve("exact512.bin"), bytes(512 * 40, 2));
        Files.write(root.resolve("exact1468.bin"), bytes(1468 * 40, 3));
        Files.write(root.resolve("exact1428.bin"), bytes(1428 * 64, 4));
        root.toFile().setWritable(true, false); // atftpd and tftpd-hpa write uploads as whoever they run as
        server = start(root, logs);
    }

    @AfterAll
    void stopServer() throws IOException {
        if (server != null) {
            server.close();
        }
        for (Path d : new Path[] {root, logs}) {
            try (var files = Files.walk(d)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Runs {@code netboot tftp ARGS --json} in-process. */
    BootCliTest.Run tftp(String... args) {
        List<String> a = new ArrayList<>(List.of("tftp"));
        a.addAll(Arrays.asList(args));
        a.add("--json");
        return BootCliTest.run(a.toArray(String[]::new));
    }

    /** Downloads {@code remote} into {@code out} with {@code options}, checks the bytes, returns the JSON report. */
    JsonNode get(Path out, String remote, String... options) throws IOException {
        Path local = out.resolve("got-" + remote);
        List<String> a = new ArrayList<>(List.of("get", server.address(), remote, local.toString()));
        a.addAll(Arrays.asList(options));
        BootCliTest.Run r = tftp(a.toArray(String[]::new));
        assertEquals(0, r.exit(), () -> "exit status; stderr: " + r.err() + "\n" + server.name() + " log:\n" + server.logText());
        assertEquals(-1, Files.mismatch(root.resolve(remote), local), "downloaded bytes equal the server's file");
        assertEquals(List.of(local.getFileName().toString()), TftpServers.names(out), "no .part file left");
        JsonNode j = r.json();
        assertEquals("ok", j.get("result").asText());
        assertEquals(Files.size(local), j.get("bytes").asLong());
        return j;
    }

    @Test
    void noOptionsIsPlainRfc1350() throws IOException {
        JsonNode j = get(Files.createTempDirectory(logs, "o"), "image.bin", "--no-options");
        assertEquals(512, j.get("blksize").asInt());
        assertEquals(1, j.get("windowsize").asInt());
        assertTrue(j.get("tsize").isNull(), "no tsize asked: " + j);
    }

    @Test
    void blksizeAlone() throws IOException {
        JsonNode j = get(Files.createTempDirectory(logs, "o"), "image.bin", "--blksize", "1428", "--windowsize", "1", "--no-tsize");
        assertEquals(1428, j.get("blksize").asInt());
        assertEquals(1, j.get("windowsize").asInt());
        assertTrue(j.get("tsize").isNull(), "no tsize asked: " + j);
    }

    @Test
    void blksizeAndWindowsize() throws IOException {
        JsonNode j = get(Files.createTempDirectory(logs, "o"), "image.bin", "--blksize", "1428", "--windowsize", "16");
        assertEquals(1428, j.get("blksize").asInt());
        // A server without RFC 7440 leaves windowsize out of its OACK: the client runs lock-step.
        assertEquals(grantsWindow() ? 16 : 1, j.get("windowsize").asInt(), server.name() + " windowsize");
    }

    @Test
    void tsizeAlone() throws IOException {
        JsonNode j = get(Files.createTempDirectory(logs, "o"), "image.bin", "--blksize", "512", "--windowsize", "1", "--tsize");
        assertEquals(512, j.get("blksize").asInt());
        assertEquals(IMAGE, j.get("tsize").asLong(), "the server announced the size");
    }

    @Test
    void defaultsAskForTheBest() throws IOException {
        JsonNode j = get(Files.createTempDirectory(logs, "o"), "image.bin");
        assertEquals(1468, j.get("blksize").asInt(), "blksize AUTO: the largest without fragmentation on Ethernet");
        assertEquals(grantsWindow() ? TftpCommand.DEFAULT_WINDOW : 1, j.get("windowsize").asInt());
        assertEquals(IMAGE, j.get("tsize").asLong());
    }

    /**
     * Loopback's MTU (65536) carries RFC 2348's largest block whole, so --blksize 65464 is asked for as it
     * is, without a note, and what the server grants is used (before, the client lowered it to 1468).
     */
    @Test
    void largestBlocksOnLoopback() throws IOException {
        Path out = Files.createTempDirectory(logs, "o");
        Path local = out.resolve("got-image.bin");
        BootCliTest.Run r = tftp("get", server.address(), "image.bin", local.toString(), "--blksize", "65464", "--windowsize", "4");
        assertEquals(0, r.exit(), () -> r.err() + "\n" + server.logText());
        assertEquals("", r.err(), "no note: the path carries it");
        assertEquals(-1, Files.mismatch(root.resolve("image.bin"), local));
        assertEquals(largestBlock(), r.json().get("blksize").asInt(), server.name() + " grants the block asked for, or its own limit");
        assertEquals(grantsWindow() ? 4 : 1, r.json().get("windowsize").asInt());
    }

    @Test
    void emptyFile() throws IOException {
        assertEquals(0, get(Files.createTempDirectory(logs, "o"), "empty.bin").get("bytes").asLong());
        assertEquals(0, get(Files.createTempDirectory(logs, "o"), "empty.bin", "--no-options").get("bytes").asLong());
    }

    @Test
    void exactMultiplesOfTheBlockSizeEndWithAnEmptyBlock() throws IOException {
        get(Files.createTempDirectory(logs, "o"), "exact512.bin", "--no-options");
        get(Files.createTempDirectory(logs, "o"), "exact1468.bin");
        get(Files.createTempDirectory(logs, "o"), "exact1428.bin", "--blksize", "1428", "--windowsize", "16");
    }

    @Test
    void missingFileFailsCleanly() throws IOException {
        Path out = Files.createTempDirectory(logs, "o");
        Path local = out.resolve("missing.bin");
        BootCliTest.Run r = BootCliTest.run("tftp", "get", server.address(), "missing.bin", local.toString());
        assertEquals(1, r.exit(), r.err());
        String line = r.err().strip();
        assertFalse(line.contains("\n"), "one line: " + r.err());
        assertTrue(line.startsWith("netboot: tftp get " + (server.address().contains(":") ? server.address() : server.address() + ":69")
                + " missing.bin: server sent ERROR 1 (file not found): "), line);
        assertTrue(line.length() > line.indexOf("(file not found): ") + 18, "the server's own message follows: " + line);
        assertEquals(List.of(), TftpServers.names(out), "no LOCAL and no .part file");
        assertEquals("", r.out(), "nothing on stdout without --json");
    }

    /**
     * A request the server answers with ERROR instead of an OACK negotiated nothing (RFC 2347 section 3): --json says
     * blksize, windowsize and tsize null, not RFC 1350's 512 and 1 that the client falls back to before an answer (seen
     * in the QA pass: "blksize":512,"windowsize":1 for a file not found after asking for 1468 and 16), and the code is
     * the server's.
     */
    @Test
    void aRefusedRequestNegotiatedNothing() throws IOException {
        Path out = Files.createTempDirectory(logs, "o");
        BootCliTest.Run r = tftp("get", server.address(), "missing.bin", out.resolve("missing.bin").toString());
        assertEquals(1, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals(1, j.get("errorCode").asInt(), j.toString());
        for (String key : List.of("blksize", "windowsize", "tsize", "bytes")) {
            assertTrue(j.get(key).isNull(), key + " in " + j);
        }
    }

    /**
     * Waits up to 5 s for the server to finish writing {@code file}: atftpd sends the last ACK before it
     * flushes and closes the file, so right after a successful put the file can still be short.
     */
    void awaitClosed(Path file, long size) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!(Files.exists(file) && Files.size(file) == size) && System.nanoTime() < deadline) {
            try {
                server.process().waitFor(10, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Test
    void put() throws IOException {
        Path src = Files.createTempDirectory(logs, "src").resolve("upload.bin");
        byte[] data = bytes(200_000, 9);
        Files.write(src, data);
        String remote = "up-" + System.nanoTime() + ".bin";
        BootCliTest.Run r = tftp("put", server.address(), src.toString(), remote);
        if (acceptsWrites()) {
            assertEquals(0, r.exit(), () -> r.err() + "\n" + server.logText());
            awaitClosed(root.resolve(remote), data.length);
            assertEquals(-1, Files.mismatch(src, root.resolve(remote)), "uploaded bytes equal the local file");
            // Lock-step (no window) as well: the stop-and-wait write path.
            String remote2 = "up2-" + System.nanoTime() + ".bin";
            BootCliTest.Run r2 = tftp("put", server.address(), src.toString(), remote2, "--no-options");
            assertEquals(0, r2.exit(), () -> r2.err() + "\n" + server.logText());
            awaitClosed(root.resolve(remote2), data.length);
            assertEquals(-1, Files.mismatch(src, root.resolve(remote2)));
        } else {
            assertEquals(1, r.exit(), r.out());
            assertTrue(r.err().contains("server sent ERROR "), "the server's refusal, verbatim: " + r.err());
            assertFalse(Files.exists(root.resolve(remote)));
        }
    }
}
