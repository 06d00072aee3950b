package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netboot.net.UdpHandler;
import dev.netboot.tftp.TftpFailure;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netboot tftp} without a server: usage errors and local-path mistakes (exit 2, one line, nothing
 * created), a silent server, a closed port (ICMP port unreachable: at once), one JSON object for every
 * ending, the host transport's port fallback.
 */
class TftpCommandTest {
    @TempDir
    Path dir;

    /** Host mode asks for no window over half the 16-bit block numbers either (BootLinkCliTest says why): exit 2, one line. */
    @Test
    void aWindowOverHalfTheBlockNumbersIsRefused() {
        for (String w : new String[] {"32768", "65535"}) {
            BootCliTest.Run r = BootCliTest.run("tftp", "get", "127.0.0.1", "f", "--windowsize", w);
            assertEquals(2, r.exit(), w + ": " + r.err());
            assertEquals("netboot: tftp get: --windowsize " + w + " (expected: 1..32767; a larger window spans over half the 16-bit block"
                    + " numbers, so past block 65535 a block sent again would look new)\n", r.err(), w);
        }
    }

    /** A timeout out of range is said as it was given, in decimals (it came back as 1.0E-4 and 100000.0). */
    @Test
    void aTimeoutOutOfRangeIsSaidInDecimals() {
        for (String t : new String[] {"0.0001", "100000", "255.5"}) {
            BootCliTest.Run r = BootCliTest.run("tftp", "get", "127.0.0.1", "f", "--timeout", t);
            assertEquals(2, r.exit(), t + ": " + r.err());
            assertEquals("netboot: tftp get: --timeout " + t + " (expected: 0.001..255 seconds)\n", r.err(), t);
        }
    }

    @Test
    void usageErrorsExit2() {
        for (String[] args : List.of(
                new String[] {"tftp"},
                new String[] {"tftp", "get"},
                new String[] {"tftp", "get", "127.0.0.1"},
                new String[] {"tftp", "get", "127.0.0.1", "f", "--blksize", "7"},
                new String[] {"tftp", "get", "127.0.0.1", "f", "--windowsize", "0"},
                new String[] {"tftp", "get", "127.0.0.1", "f", "--no-options", "--blksize", "1024"},
                new String[] {"tftp", "get", "127.0.0.1:0", "f"},
                new String[] {"tftp", "get", "127.0.0.1:x", "f"},
                new String[] {"tftp", "get", "127.0.0.1", "dir/"},
                new String[] {"tftp", "put", "127.0.0.1"},
                new String[] {"tftp", "fetch", "127.0.0.1", "f"})) {
            BootCliTest.Run r = BootCliTest.run(args);
            assertEquals(2, r.exit(), () -> String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("netboot: "), r.err());
        }
    }

    /** Runs {@code netboot ARGS}; a usage error must be exit 2, exactly one line on stderr, and nothing on stdout. */
    static BootCliTest.Run usage(String... args) {
        BootCliTest.Run r = BootCliTest.run(args);
        assertEquals(2, r.exit(), () -> String.join(" ", args) + ": " + r.err());
        assertEquals(1, r.err().lines().count(), () -> "one line: " + r.err());
        assertEquals("", r.out());
        return r;
    }

    /**
     * SIGTERM (as {@code timeout} and {@code kill} send) or SIGINT mid-transfer: the run still ends in its one line and,
     * with --json, its one object, and leaves no part file. Before, the JVM stopped with nothing on stdout or stderr.
     */
    @Test
    void aSignalMidTransferStillEndsInOneLineAndOneJsonObject() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int port = silent.getLocalPort();
            Path local = dir.resolve("f.bin");
            Path out = dir.resolve("out");
            Path err = dir.resolve("err");
            Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "tftp", "get", "127.0.0.1:" + port, "f.bin", local.toString(), "--json")
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            // The request has come: the transfer runs (it waits 39 s for an answer that never comes).
            silent.receive(new java.net.DatagramPacket(new byte[600], 600));
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(128 + 15, p.exitValue());
            String line = "stopped by a signal before the end; nothing saved";
            assertEquals("netboot: tftp get 127.0.0.1:" + port + " f.bin: " + line + "\n", Files.readString(err));
            List<String> objects = Files.readAllLines(out);
            assertEquals(1, objects.size(), objects.toString());
            JsonNode j = BootCliTest.JSON.readTree(objects.getFirst());
            assertEquals("error", j.get("result").asText());
            assertEquals(line, j.get("error").asText());
            assertEquals(port, j.get("port").asInt());
            try (var files = Files.list(dir)) {
                assertEquals(List.of("err", "out"), files.map(f -> f.getFileName().toString()).sorted().toList(), "no part file");
            }
        }
    }

    /**
     * A signal after the server's OACK: the JSON object tells what was negotiated (blksize, tsize) and counted so far,
     * as the server's OACK set them, not nulls. A scripted server answers the RRQ from a port of its own with an OACK
     * (RFC 2347: blksize 1024, tsize 5000), takes the ACK 0, and sends nothing more.
     */
    @Test
    void aSignalAfterTheOackStillTellsWhatWasNegotiated() throws Exception {
        try (DatagramSocket listen = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket transfer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            Path out = dir.resolve("out");
            Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "tftp", "get", "127.0.0.1:" + listen.getLocalPort(), "f.bin", dir.resolve("f.bin").toString(),
                    "--blksize", "1024", "--tsize", "--json")
                    .redirectOutput(out.toFile()).redirectError(dir.resolve("err").toFile()).start();
            java.net.DatagramPacket rrq = new java.net.DatagramPacket(new byte[600], 600);
            listen.receive(rrq);
            byte[] oack = "\u0000\u0006blksize\u00001024\u0000tsize\u00005000\u0000".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            transfer.send(new java.net.DatagramPacket(oack, oack.length, rrq.getSocketAddress()));
            java.net.DatagramPacket ack = new java.net.DatagramPacket(new byte[600], 600);
            transfer.receive(ack);
            assertEquals(List.of(0, 4, 0, 0), List.of((int) ack.getData()[0], (int) ack.getData()[1], (int) ack.getData()[2],
                    (int) ack.getData()[3]), "ACK 0");
            Thread.sleep(300); // past the loop's 100 ms tick, short of the client's 1 s timeout
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            List<String> objects = Files.readAllLines(out);
            assertEquals(1, objects.size(), objects.toString());
            JsonNode j = BootCliTest.JSON.readTree(objects.getFirst());
            assertEquals("error", j.get("result").asText(), j.toString());
            assertEquals(1024, j.get("blksize").asInt(), j.toString());
            assertEquals(5000, j.get("tsize").asLong(), j.toString());
            assertEquals(1, j.get("windowsize").asInt(), j.toString()); // not asked for: RFC 1350's lock-step
            // Counted so far (ACK 0 sent again at the client's own timeouts, which loopback's round trips make short).
            assertTrue(j.get("retransmissions").isNumber() && j.get("strayPackets").isNumber(), j.toString());
            assertTrue(j.get("bytes").isNull(), j.toString()); // a run that failed saved nothing
        }
    }

    @Test
    void aSilentServerFailsWithOneLineAndLeavesNothing() throws IOException {
        // A socket that never reads: the requests arrive and nothing answers (no ICMP either).
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int port = silent.getLocalPort();
            Path local = dir.resolve("f.bin");
            BootCliTest.Run r = BootCliTest.run("tftp", "get", "127.0.0.1:" + port, "f.bin", local.toString(), "--timeout", "0.02",
                    "--retries", "2");
            assertEquals(1, r.exit(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            // The budget: 2 retransmissions at 0.02 s, doubling: 0.02 + 0.04 + 0.08 = 0.14 s (a little more in real time).
            assertTrue(r.err().strip().matches("netboot: tftp get 127\\.0\\.0\\.1:" + port + " f\\.bin: no answer to RRQ for f\\.bin"
                    + " from 127\\.0\\.0\\.1:" + port + " in 0\\.(1[4-9]|[2-9])[0-9]* s \\(2 retransmissions\\); nothing else came"), r.err());
            assertFalse(Files.exists(local));
            assertEquals(0, dir.toFile().list().length, "no .part file left");
        }
    }

    /**
     * Nothing listens on the port: the host answers the request with ICMP port unreachable, and the
     * transfer ends on it, before any retransmission (the defaults would retransmit 6 times, 39.6 s).
     */
    @Test
    void aClosedPortFailsAtOnceWithPortUnreachable() throws IOException {
        for (String verb : List.of("get", "put")) {
            int port = TftpServers.freePort(); // free a moment ago: nobody listens there
            Path local = dir.resolve("f.bin");
            if (verb.equals("put")) {
                Files.write(local, new byte[3000]);
            }
            BootCliTest.Run r = BootCliTest.run("tftp", verb, "127.0.0.1:" + port, verb.equals("get") ? "f.bin" : local.toString(),
                    verb.equals("get") ? local.toString() : "f.bin", "--json");
            assertEquals(1, r.exit(), r.err());
            assertEquals("netboot: tftp " + verb + " 127.0.0.1:" + port + " f.bin: server 127.0.0.1 unreachable: ICMP port unreachable"
                    + " for 127.0.0.1:" + port + "\n", r.err());
            JsonNode j = r.json();
            assertEquals("error", j.get("result").asText());
            assertEquals(0, j.get("retransmissions").asLong(), "ended on the ICMP error, not after timeouts: " + j);
            assertTrue(j.get("error").asText().contains("port unreachable"), j.toString());
            assertEquals(verb.equals("put") ? List.of("f.bin") : List.of(), TftpServers.names(dir), "no .part file left");
            Files.deleteIfExists(local);
        }
    }

    @Test
    void aRemoteNameTooLongForARequestIsAUsageErrorNotAStackTrace() throws IOException {
        // 256 bytes: one past what option 67 holds; 600 would not even fit the client's request buffer.
        String server = "127.0.0.1:" + TftpServers.freePort(); // never reached
        String name = "n".repeat(256);
        assertEquals("netboot: tftp get: REMOTE of 256 bytes in UTF-8 is too long (expected: at most 255 bytes)\n",
                usage("tftp", "get", server, name, dir.resolve("x").toString()).err());
        assertEquals("netboot: tftp get: REMOTE of 600 bytes in UTF-8 is too long (expected: at most 255 bytes)\n",
                usage("tftp", "get", server, "n".repeat(600), dir.resolve("x").toString()).err());
        Path up = Files.writeString(dir.resolve("up.bin"), "data");
        assertEquals("netboot: tftp put: REMOTE of 600 bytes in UTF-8 is too long (expected: at most 255 bytes)\n",
                usage("tftp", "put", server, up.toString(), "n".repeat(600)).err());
        // The limit is on the bytes the request carries: U+65E5 is three bytes in UTF-8 (E6 97 A5), so 85 of them are 255
        // bytes and go, 86 are 258 and do not, nor are 128 of U+00FC (two bytes each: 256); and 600 of them (1,800 bytes)
        // would overflow the request buffer: a usage error too, never a stack trace.
        assertEquals("netboot: tftp put: REMOTE of 258 bytes in UTF-8 (86 characters) is too long (expected: at most 255 bytes)\n",
                usage("tftp", "put", server, up.toString(), "\u65e5".repeat(86)).err());
        assertEquals("netboot: tftp get: REMOTE of 256 bytes in UTF-8 (128 characters) is too long (expected: at most 255 bytes)\n",
                usage("tftp", "get", server, "\u00fc".repeat(128), dir.resolve("x").toString()).err());
        assertEquals("netboot: tftp get: REMOTE of 1800 bytes in UTF-8 (600 characters) is too long (expected: at most 255 bytes)\n",
                usage("tftp", "get", server, "\u65e5".repeat(600), dir.resolve("x").toString()).err());
        // Astral characters are four bytes and two chars: 64 of U+1F4BE are 256 bytes, 64 characters.
        assertEquals("netboot: tftp get: REMOTE of 256 bytes in UTF-8 (64 characters) is too long (expected: at most 255 bytes)\n",
                usage("tftp", "get", server, "\ud83d\udcbe".repeat(64), dir.resolve("x").toString()).err());
        // Just under: 85 x U+65E5 (255 bytes) is not a usage error; the request goes out, to a port where nothing listens.
        BootCliTest.Run under = BootCliTest.run("tftp", "put", server, up.toString(), "\u65e5".repeat(85), "--timeout", "0.2",
                "--retries", "0");
        assertEquals(1, under.exit(), under.err());
        assertFalse(under.err().contains("too long"), under.err());
        assertFalse(under.err().contains("Exception"), under.err());
        assertEquals(List.of("up.bin"), TftpServers.names(dir), "nothing created");
    }

    @Test
    void putOfAMissingFileIsAUsageError() {
        Path nope = dir.resolve("nope");
        BootCliTest.Run r = usage("tftp", "put", "127.0.0.1", nope.toString());
        assertEquals("netboot: tftp put: LOCAL " + nope + ": no such file\n", r.err());
        assertEquals("netboot: tftp put: LOCAL " + dir + " is a folder\n", usage("tftp", "put", "127.0.0.1", dir.toString()).err());
        assertEquals("netboot: tftp put: LOCAL /dev/null is not a regular file (a device, pipe or socket)\n",
                usage("tftp", "put", "127.0.0.1", "/dev/null").err());
    }

    /**
     * '-' as LOCAL is standard output to curl ({@code -o -}) and busybox tftp ({@code -l -}), standard input for an upload:
     * netboot made a file called '-' (a get, exit 0: seen in the QA pass), or said "LOCAL -: no such file" (a put). Both are
     * refused, saying why; {@code ./-} is a file called '-'.
     */
    @Test
    void aDashAsLocalIsRefusedNotMadeAFileCalledDash() {
        String server = "127.0.0.1:" + TftpServers.freePort(); // never reached: the checks come first
        assertEquals("netboot: tftp get: LOCAL - would be standard output, which a download does not go to (it is written beside"
                + " LOCAL and renamed over it, whole or not at all); give a file name (./- for a file called '-')\n",
                usage("tftp", "get", server, "f.bin", "-").err());
        assertEquals("netboot: tftp put: LOCAL - would be standard input, which an upload does not read from (its size goes"
                + " first, as tsize, and a window is read again when resent); give a file name (./- for a file called '-')\n",
                usage("tftp", "put", server, "-", "f.bin").err());
        assertFalse(Files.exists(Path.of("-")));
    }

    /**
     * A HOST that does not resolve (RFC 6761: names under .invalid never do) is named without the port HOST[:PORT] gave: the
     * line said "cannot resolve host nohost.invalid:6969", as if the port had been looked up with the name. Exit 1, a
     * failure (a name server may answer later), not a usage error.
     */
    @Test
    void aHostThatDoesNotResolveIsNamedWithoutThePort() {
        BootCliTest.Run r = BootCliTest.run("tftp", "get", "nohost.invalid:6969", "f.bin", dir.resolve("f.bin").toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().startsWith("netboot: tftp get: cannot resolve host nohost.invalid: "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(Files.exists(dir.resolve("f.bin")));
    }

    /** An empty REMOTE is said so, with or without LOCAL (without, it read "REMOTE  names no file; give LOCAL"). */
    @Test
    void anEmptyRemoteIsSaidSo() {
        assertEquals("netboot: tftp get: REMOTE is empty\n", usage("tftp", "get", "127.0.0.1", "").err());
        assertEquals("netboot: tftp get: REMOTE is empty\n", usage("tftp", "get", "127.0.0.1", "", dir.resolve("x").toString()).err());
    }

    /** LOCAL mistakes a download would otherwise make silently: each is refused before any packet, and nothing is created. */
    @Test
    void localPathMistakesAreUsageErrorsThatCreateNothing() throws IOException {
        int port = TftpServers.freePort(); // never reached: the checks come first
        String server = "127.0.0.1:" + port;
        Path file = Files.writeString(dir.resolve("plain.txt"), "keep");
        Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
        List<String> before = TftpServers.names(dir);

        // A name ending in '/' names a folder, which must exist (curl: "Failed to open"); it never becomes a file.
        assertEquals("netboot: tftp get: LOCAL " + dir.resolve("newdir") + "/: no such folder (a name ending in '/' names a folder;"
                + " create it first)\n", usage("tftp", "get", server, "f.bin", dir.resolve("newdir") + "/").err());
        assertEquals("netboot: tftp get: LOCAL " + file + "/ is not a folder\n", usage("tftp", "get", server, "f.bin", file + "/").err());
        // The folder LOCAL would go into does not exist, or is a file.
        Path missing = dir.resolve("missing").resolve("f.bin");
        assertEquals("netboot: tftp get: LOCAL " + missing + ": no such folder " + missing.getParent() + "\n",
                usage("tftp", "get", server, "f.bin", missing.toString()).err());
        Path underFile = file.resolve("f.bin");
        assertEquals("netboot: tftp get: LOCAL " + underFile + ": " + file + " is not a folder\n",
                usage("tftp", "get", server, "f.bin", underFile.toString()).err());
        // Not a regular file: renaming over a device would replace it.
        assertEquals("netboot: tftp get: LOCAL /dev/null is not a regular file (a device, pipe or socket); the download is written"
                + " beside LOCAL and renamed over it\n", usage("tftp", "get", server, "f.bin", "/dev/null").err());
        assertTrue(Files.readAttributes(Path.of("/dev/null"), BasicFileAttributes.class).isOther(), "/dev/null is still a device");
        // A folder whose file system makes no files: the kernel says "no such file" of the download's part file.
        assertEquals("netboot: tftp get: LOCAL /proc/version: cannot create a file in /proc: its file system takes no new files"
                + " (/proc and /sys do not)\n", usage("tftp", "get", server, "f.bin", "/proc/version").err());
        assertEquals("netboot: tftp get: LOCAL " + dir.resolve("dangling") + " is a symbolic link to nothing\n",
                usage("tftp", "get", server, "f.bin", dir.resolve("dangling").toString()).err());
        // A folder for LOCAL keeps REMOTE's name; when that name is a folder there, it is refused too.
        Files.createDirectory(dir.resolve("sub"));
        Files.createDirectory(dir.resolve("sub").resolve("f.bin"));
        assertEquals("netboot: tftp get: LOCAL " + dir.resolve("sub").resolve("f.bin") + " is a folder\n",
                usage("tftp", "get", server, "dir/f.bin", dir.resolve("sub").toString()).err());

        List<String> after = new ArrayList<>(before);
        after.add("sub");
        assertEquals(after.stream().sorted().toList(), TftpServers.names(dir).stream().sorted().toList(), "nothing was created");
        assertEquals("keep", Files.readString(file));
        assertEquals(List.of("f.bin"), TftpServers.names(dir.resolve("sub")));
    }

    /**
     * LOCAL naming an open file descriptor ({@code /dev/stdout}, {@code /dev/fd/N}, {@code /proc/self/fd/N}) is refused
     * like a device: followed as a link it leads to the file a shell redirected to, and the rename replaced that file
     * ({@code { echo header; netboot tftp get HOST f /dev/stdout; echo footer; } > log} left only the download in
     * {@code log}: "header" gone, "footer" written to a file no longer there). Through a pipe it was called "a symbolic
     * link to nothing".
     */
    @Test
    void aFileDescriptorAsLocalIsRefusedNotReplaced() throws IOException {
        String server = "127.0.0.1:" + TftpServers.freePort(); // never reached: the checks come first
        Path log = dir.resolve("log.txt");
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("header\n".getBytes(StandardCharsets.US_ASCII)));
            int fd = -1;
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
                for (Path f : fds) {
                    try {
                        if (Files.readSymbolicLink(f).equals(log.toRealPath())) {
                            fd = Integer.parseInt(f.getFileName().toString());
                        }
                    } catch (IOException e) {
                        // a descriptor closed while listed
                    }
                }
            }
            assertTrue(fd > 2, "the log's descriptor: " + fd);
            Path stdout = Files.createSymbolicLink(dir.resolve("stdout"), Path.of("/proc/self/fd/" + fd)); // as /dev/stdout is
            String why = " not a file: the download is written beside LOCAL and renamed over it, which would replace the file it"
                    + " refers to; give a file name\n";
            assertEquals("netboot: tftp get: LOCAL /proc/self/fd/" + fd + " is an open file descriptor (/proc/self/fd/" + fd + "),"
                    + why, usage("tftp", "get", server, "f.bin", "/proc/self/fd/" + fd).err());
            assertEquals("netboot: tftp get: LOCAL " + stdout + " is an open file descriptor (/proc/self/fd/" + fd + ")," + why,
                    usage("tftp", "get", server, "f.bin", stdout.toString()).err());
            assertEquals("netboot: tftp get: LOCAL /dev/fd/" + fd + " is an open file descriptor (/dev/fd/" + fd + ")," + why,
                    usage("tftp", "get", server, "f.bin", "/dev/fd/" + fd).err());
            assertEquals("netboot: tftp get: LOCAL /dev/stdout is an open file descriptor (/proc/self/fd/1)," + why,
                    usage("tftp", "get", server, "f.bin", "/dev/stdout").err());
        }
        assertEquals("header\n", Files.readString(log), "the descriptor's file is untouched");
        assertEquals(List.of("log.txt", "stdout"), TftpServers.names(dir).stream().sorted().toList(), "nothing created");
    }

    /**
     * A HOST that can be no server's is a usage error before any packet. 0.0.0.0 went to this host's server, whose answer
     * came from 127.0.0.1, a stranger: ERROR 5 to each of them and exit 1 after 39 s (tftp-hpa, atftp, busybox and curl
     * take that answer; RFC 1122 section 3.2.1.3 allows 0.0.0.0 only as a source); 224.0.0.1 waited 39 s for an answer no
     * group sends; 255.255.255.255 said "no route".
     */
    @Test
    void aHostThatIsNoServersAddressIsAUsageError() throws IOException {
        String port = ":" + TftpServers.freePort(); // free: before the check, the host's ICMP port unreachable ended it with exit 1
        assertEquals("netboot: tftp get: HOST[:PORT] 0.0.0.0" + port + ": 0.0.0.0 is 'this network', a source address only (RFC 1122"
                + " section 3.2.1.3); this host is 127.0.0.1\n", usage("tftp", "get", "0.0.0.0" + port, "f", dir.resolve("f").toString()).err());
        assertEquals("netboot: tftp put: HOST[:PORT] 0.1.2.3: 0.1.2.3 is 'this network', a source address only (RFC 1122 section 3.2.1.3);"
                + " this host is 127.0.0.1\n", usage("tftp", "put", "0.1.2.3", "/etc/hostname").err());
        assertEquals("netboot: tftp get: HOST[:PORT] 224.0.0.1" + port + ": 224.0.0.1 is a multicast group, not a server\n",
                usage("tftp", "get", "224.0.0.1" + port, "f", dir.resolve("f").toString()).err());
        assertEquals("netboot: tftp get: HOST[:PORT] 239.255.255.255: 239.255.255.255 is a multicast group, not a server\n",
                usage("tftp", "get", "239.255.255.255", "f", dir.resolve("f").toString()).err());
        assertEquals("netboot: tftp get: HOST[:PORT] 255.255.255.255" + port + ": 255.255.255.255 is the broadcast address, not a"
                + " server\n", usage("tftp", "get", "255.255.255.255" + port, "f", dir.resolve("f").toString()).err());
        assertEquals("netboot: tftp get: HOST[:PORT] 240.0.0.1: 240.0.0.1 is reserved (240.0.0.0/4), not a server\n",
                usage("tftp", "get", "240.0.0.1", "f", dir.resolve("f").toString()).err());
        assertEquals(List.of(), TftpServers.names(dir), "nothing created");
        // The edges stay servers' addresses (resolved only: no packet goes to them).
        for (String host : List.of("1.0.0.0", "223.255.255.255", "127.0.0.1")) {
            assertEquals(host + ":69", assertDoesNotThrow(() -> TftpEndpoint.parse(host)).text());
        }
    }

    /**
     * An IPv6 address as HOST is a usage error that says so. Before, "::1" was split at its last colon into host ":" and
     * port 1 ("cannot resolve host ::1: invalid IPv6 address literal", exit 1), and "[::1]:69" failed as "[::1] has no IPv4
     * address", exit 1.
     */
    @Test
    void anIpv6HostIsAUsageErrorThatSaysSo() throws IOException {
        for (String host : List.of("::1", "[::1]:69", "[::1]", "fe80::1", "2001:db8::2:69")) {
            assertEquals("netboot: tftp get: HOST[:PORT] " + host + ": an IPv6 address; netboot tftp speaks IPv4 (give an IPv4 address,"
                    + " or a name that has one)\n", usage("tftp", "get", host, "f", dir.resolve("f").toString()).err(), host);
        }
        assertEquals(List.of(), TftpServers.names(dir), "nothing created");
    }

    /**
     * --no-options sends a plain RFC 1350 request, so an explicit --tsize with it is refused as --blksize and --windowsize
     * are; before, "--no-options --tsize" ran without tsize and said nothing. --no-tsize with it asks for what it does.
     */
    @Test
    void noOptionsRefusesAnExplicitTsizeAsItRefusesBlksize() {
        assertEquals("netboot: tftp get: --no-options sends no --tsize; use one or the other\n",
                usage("tftp", "get", "127.0.0.1", "f", dir.resolve("f").toString(), "--no-options", "--tsize").err());
        assertEquals("netboot: tftp get: --no-options sends no --blksize; use one or the other\n",
                usage("tftp", "get", "127.0.0.1", "f", dir.resolve("f").toString(), "--no-options", "--blksize", "1024").err());
        TftpCommand.Settings s = new TftpCommand.Settings();
        assertTrue(s.config().tsize(), "tsize by default");
        s.tsize = true;
        assertTrue(s.config().tsize());
        s.tsize = false;
        assertFalse(s.config().tsize());
        s.noOptions = true;
        assertFalse(s.config().tsize(), "--no-options --no-tsize: no options");
        assertFalse(s.config().options());
    }

    /** With --json every run past the parser prints one object, failures and usage errors included, "result":"error". */
    @Test
    void jsonSaysErrorForEveryFailure() throws IOException {
        int port = TftpServers.freePort();
        for (String[] args : List.of(
                new String[] {"tftp", "get", "127.0.0.1", "f", "--blksize", "7"},
                new String[] {"tftp", "get", "127.0.0.1", "dir/"},
                new String[] {"tftp", "get", "127.0.0.1", "f", dir.resolve("newdir") + "/"},
                new String[] {"tftp", "put", "127.0.0.1", dir.resolve("nope").toString()},
                new String[] {"tftp", "get", "127.0.0.1:" + port, "f", dir.resolve("f").toString()})) {
            List<String> a = new ArrayList<>(Arrays.asList(args));
            a.add("--json");
            BootCliTest.Run r = BootCliTest.run(a.toArray(String[]::new));
            String what = String.join(" ", args);
            assertTrue(r.exit() == 1 || r.exit() == 2, what);
            assertEquals(1, r.out().lines().count(), () -> what + ": one JSON object: " + r.out());
            JsonNode j = r.json();
            assertEquals("error", j.get("result").asText(), what);
            assertEquals(args[1], j.get("command").asText());
            assertTrue(r.err().strip().endsWith(": " + j.get("error").asText()), what + ": the words of stderr: " + r.err() + " / " + j);
            for (String key : List.of("server", "port", "remote", "local", "bytes", "errorCode", "tsize", "blksize", "windowsize",
                    "seconds", "retransmissions", "duplicates", "strayPackets")) {
                assertTrue(j.has(key), what + ": " + key + " in " + j);
            }
        }
    }

    @Test
    void serverErrorsAreSaidWithoutTheTransferPort() {
        TftpFailure f = new TftpFailure(TftpFailure.Kind.SERVER_ERROR, 1,
                "TFTP: server 127.0.0.1:40000 sent ERROR 1 (file not found): File not found");
        assertEquals("server sent ERROR 1 (file not found): File not found", TftpCommand.cause(f));
        assertEquals("no answer", TftpCommand.cause(new TftpFailure(TftpFailure.Kind.TIMEOUT, -1, "TFTP: no answer")));
    }

    @Test
    void aPortHeldByAnotherProcessFallsBackToAnEphemeralOne() throws Exception {
        try (DatagramSocket other = new DatagramSocket(new InetSocketAddress(0));
             HostUdpTransport net = new HostUdpTransport()) {
            int taken = other.getLocalPort();
            UdpHandler h = (now, srcIp, srcPort, dstIp, buf, off, len) -> { };
            net.bind(taken, h);
            assertTrue(net.isBound(taken));
            assertNotEquals(taken, net.hostPort(taken));
            net.unbind(taken);
            assertFalse(net.isBound(taken));
        }
    }

    @Test
    void autoBlockSizeIsEthernetSafe() {
        try (HostUdpTransport net = new HostUdpTransport()) {
            assertEquals(1472, net.maxUdpPayload());
        }
    }

    /** A plain address skips the resolver; anything else is the resolver's to read (or refuse), as before. */
    @Test
    void onlyPlainDottedQuadsSkipTheResolver() throws Exception {
        for (String a : List.of("127.0.0.1", "0.0.0.0", "255.255.255.255", "198.51.100.2", "10.0.0.10")) {
            assertTrue(TftpEndpoint.isDottedQuad(a), a);
            if (!a.startsWith("0.") && !a.startsWith("255.")) { // no server's address: aHostThatIsNoServersAddressIsAUsageError
                assertEquals(java.net.InetAddress.getByName(a).getHostAddress() + ":69", TftpEndpoint.parse(a).text(), a);
            }
        }
        for (String a : List.of("127.1", "127.0.0.01", "010.0.0.1", "256.0.0.1", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3", "+1.2.3.4",
                "localhost", "1.2.3.4a", "", "1234.0.0.1")) {
            assertFalse(TftpEndpoint.isDottedQuad(a), a);
        }
    }
}
