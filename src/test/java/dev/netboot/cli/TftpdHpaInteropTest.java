package dev.netboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The interop contract against tftpd-hpa 5.2 ({@code in.tftpd -L -c}): blksize and tsize yes, no RFC 7440
 * windowsize (the client falls back to lock-step), uploads allowed. Plus 40 MiB at 512 bytes lock-step:
 * 81,920 blocks, so block numbers wrap past 65535 (to 0, tftpd-hpa's default). And where LOCAL puts a
 * download: into a folder (named with or without '/') under REMOTE's name, through a symbolic link.
 */
class TftpdHpaInteropTest extends TftpInteropContract {
    @Override
    TftpServers.Server start(Path root, Path logs) {
        return TftpServers.tftpdHpa(root, logs);
    }

    @Override
    boolean grantsWindow() {
        return false;
    }

    @Override
    boolean acceptsWrites() {
        return true;
    }

    @Test
    void aFolderKeepsTheRemoteNameWithOrWithoutSlash() throws IOException {
        for (String suffix : List.of("", "/")) {
            Path out = Files.createTempDirectory(logs, "o");
            BootCliTest.Run r = tftp("get", server.address(), "image.bin", out + suffix);
            assertEquals(0, r.exit(), r.err());
            assertEquals(List.of("image.bin"), TftpServers.names(out));
            assertEquals(-1, Files.mismatch(root.resolve("image.bin"), out.resolve("image.bin")));
            assertEquals(out.resolve("image.bin").toString(), r.json().get("local").asText());
        }
    }

    @Test
    void aSymbolicLinkIsFollowedNotReplaced() throws IOException {
        Path out = Files.createTempDirectory(logs, "o");
        Path target = Files.writeString(out.resolve("target.bin"), "old");
        Path link = Files.createSymbolicLink(out.resolve("link"), target);
        BootCliTest.Run r = tftp("get", server.address(), "image.bin", link.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.isSymbolicLink(link), "the link is still a link");
        assertEquals(-1, Files.mismatch(root.resolve("image.bin"), target), "the file it points to holds the download");
        assertEquals(List.of("link", "target.bin"), TftpServers.names(out).stream().sorted().toList());
    }

    /**
     * A name of 255 bytes is what Linux file systems hold (NAME_MAX) and what a request's REMOTE may be; tftp-hpa's client
     * fetches it. The download's part file beside it (NAME.part-XXXXXXXX, 14 bytes more) made every LOCAL of 242 to 255
     * bytes fail before the first packet, exit 2, "File name too long" (seen in the QA pass). Also 85 CJK characters,
     * 3 bytes each: the part file's name is cut at a character, not inside one.
     */
    @Test
    void aLocalNameOf255BytesIsDownloaded() throws IOException {
        String ascii = "n".repeat(255);
        String cjk = "\u65e5".repeat(85);
        Files.write(root.resolve(ascii), bytes(5000, 41));
        try {
            Path out = Files.createTempDirectory(logs, "o");
            BootCliTest.Run r = tftp("get", server.address(), ascii, out.toString()); // a folder: REMOTE's name in it
            assertEquals(0, r.exit(), r.err());
            assertEquals(-1, Files.mismatch(root.resolve(ascii), out.resolve(ascii)));
            BootCliTest.Run r2 = tftp("get", server.address(), ascii, out.resolve(cjk).toString());
            assertEquals(0, r2.exit(), r2.err());
            assertEquals(-1, Files.mismatch(root.resolve(ascii), out.resolve(cjk)));
            assertEquals(List.of(ascii, cjk), TftpServers.names(out).stream().sorted().toList(), "no part file left");
        } finally {
            Files.delete(root.resolve(ascii));
        }
    }

    @Test
    void fortyMebibytesAt512RollOverTheBlockNumber() throws IOException {
        Files.write(root.resolve("forty.bin"), bytes(40 << 20, 40));
        try {
            JsonNode j = get(Files.createTempDirectory(logs, "o"), "forty.bin", "--blksize", "512", "--windowsize", "1");
            assertEquals(512, j.get("blksize").asInt());
            assertEquals(40 << 20, j.get("bytes").asLong());
        } finally {
            Files.delete(root.resolve("forty.bin"));
        }
    }

    @Test
    void aNonAsciiNameIsPutAndGotAsItsUtf8Bytes() throws IOException, InterruptedException {
        // tftpd-hpa takes the request's bytes as the file name, as tftp-hpa sends them: "\u00fc\u65e5\u672c.bin" must be
        // C3 BC E6 97 A5 E6 9C AC ".bin" on its disk (ls -b in the C locale shows every other byte in octal).
        String name = "\u00fc\u65e5\u672c.bin";
        Path src = Files.createTempDirectory(logs, "src").resolve("local.bin");
        byte[] data = bytes(3000, 12);
        Files.write(src, data);
        BootCliTest.Run r = tftp("put", server.address(), src.toString(), name);
        assertEquals(0, r.exit(), () -> r.err() + "\n" + server.logText());
        awaitClosed(root.resolve(name), data.length);
        ProcessBuilder pb = new ProcessBuilder("ls", "-1", "-b", root.toString()).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        Process ls = pb.start();
        String listing = new String(ls.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        ls.waitFor();
        assertTrue(listing.lines().toList().contains("\\303\\274\\346\\227\\245\\346\\234\\254.bin"), listing);
        // And back, under the same name: a folder as LOCAL keeps REMOTE's name.
        Path out = Files.createTempDirectory(logs, "o");
        BootCliTest.Run g = tftp("get", server.address(), name, out + "/");
        assertEquals(0, g.exit(), g.err());
        assertEquals(List.of(name), TftpServers.names(out));
        assertEquals(-1, Files.mismatch(src, out.resolve(name)));
    }
}
